"""What review shows of each shot, and what a decision will recompute, read from the artifact store.

Every artifact's key is computed from its inputs' keys, never from their bytes, so the keys a changed plan
would ask for can be computed without making anything: an estimate counts the keys that are not in the store.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from shotgraph.director.plan import FilmPlan, Shot
from shotgraph.director.screenplay.model import Screenplay
from shotgraph.production.crew import Crew
from shotgraph.production.decisions import HistoryEntry, Reshoot, ShotDecision, picture_seeds
from shotgraph.production.picture import card_key, keyframe_params, motion_params, text_bottom_for, upscale_params
from shotgraph.production.sound import score_jobs
from shotgraph.production.state import key_of
from shotgraph.render.timing import Timing

LAST_RENDER = "last_render.json"  # the state of the latest run that shot its shots, for review
Status = Literal["planned", "rendered", "failed", "approved", "locked"]


@dataclass(frozen=True)
class LineView:
    id: str
    character: str
    text: str  # as written in the screenplay
    audio: Path | None  # the recorded line, once recorded


@dataclass(frozen=True)
class ShotView:
    """One shot as review shows it: its plan entry, its words as written, its picture and what was decided."""

    id: str
    scene: str
    heading: str
    plan: Shot
    lines: list[LineView]
    status: Status
    keyframe: Path | None = None  # the picture of the shot as planned now, once rendered
    clip: Path | None = None
    segment: Path | None = None  # the clip at the film's size, as the cut uses it
    frames: int | None = None  # its length in the cut, once its lines are recorded
    failure: str | None = None
    pending: Reshoot | None = None  # a reshoot decided and not yet rendered
    seed: int = 0  # the seed its picture is made with (a reshoot's, else the plan's)
    made_by: dict[str, str] = field(default_factory=dict)  # stage -> backend
    history: list[HistoryEntry] = field(default_factory=list)


@dataclass(frozen=True)
class Estimate:
    """What a run of the plan as it would be will make, by stage (items not in the store); empty: nothing."""

    recompute: dict[str, int]
    whole: bool = False  # the lines are not all recorded yet: the whole production runs

    @property
    def nothing(self) -> bool:
        return not self.recompute and not self.whole

    def __str__(self) -> str:
        if self.whole:
            return "the whole film: its lines are not all recorded yet"
        if self.nothing:
            return "nothing to recompute: every artifact is in the store"
        return "recomputes " + ", ".join(f"{stage} {n}" for stage, n in self.recompute.items())


def read_last_render(workdir: Path) -> dict[str, Any]:
    try:
        return json.loads((workdir / LAST_RENDER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_last_render(workdir: Path, state: dict[str, Any]) -> None:
    wanted = ("screenplay", "plan", "looks", "recordings", "timing", "keyframes", "clips", "segments", "failures",
              "cut", "delivered")
    record = {k: state[k] for k in wanted if k in state}
    tmp = workdir / f".{LAST_RENDER}.tmp"
    tmp.write_text(json.dumps(record, indent=1), encoding="utf-8")
    tmp.replace(workdir / LAST_RENDER)


@dataclass
class PictureKeys:
    keyframe: str
    video: str
    upscale: str


def picture_keys(crew: Crew, plan: FilmPlan, screenplay: Screenplay, looks: dict[str, str], timing: Timing,
                 seeds: dict[str, int]) -> dict[str, PictureKeys]:
    """The keyframe, clip and segment keys of every shot of `plan`, as the shoot stage would ask for them."""
    out = crew.profile.output
    size = [out.width, out.height]
    headings = {s.id: (s.heading.text if s.heading else "") for s in screenplay.scenes}
    look_paths = {c: Path(p) for c, p in looks.items()}
    backends = {stage: crew.backend(stage) for stage in ("keyframe", "video", "upscale")}
    keys = {}
    for shot in (s for s in plan.shots if not s.card):  # a card is no picture: see card_key
        frames = timing.shot(shot.id).frames
        params, inputs = keyframe_params(plan, shot, headings.get(shot.scene, ""), look_paths, size,
                                         text_bottom_for(shot, out.burn_subtitles))
        seed = seeds[shot.id]
        keyframe = crew.key(backends["keyframe"], params, inputs, seed=seed)
        video = crew.key(backends["video"], motion_params(shot, frames, out.fps, size), [keyframe], seed=seed)
        upscale = crew.key(backends["upscale"], upscale_params(frames, out.fps, size), [video], seed=seed)
        keys[shot.id] = PictureKeys(keyframe, video, upscale)
    return keys


def timing_for(crew: Crew, plan: FilmPlan, screenplay: Screenplay, last: dict[str, Any]) -> Timing | None:
    """The cut's timing for `plan`, from the latest run's recordings; None when a line was never recorded."""
    from shotgraph.render.cut import compute_timing

    recordings = {line: (Path(path), seconds) for line, (path, seconds) in last.get("recordings", {}).items()}
    if any(line not in recordings for shot in plan.shots for line in shot.dialogue):
        return None
    return compute_timing(plan, screenplay, recordings, crew.profile.output)


def estimate(crew: Crew, plan: FilmPlan, screenplay: Screenplay, last: dict[str, Any],
             by_shot: dict[str, ShotDecision]) -> Estimate:
    """What making `plan` would compute, by stage, counted from the store."""
    store = crew.store
    timing = timing_for(crew, plan, screenplay, last)
    if timing is None:  # lines no run has recorded: their lengths, and so every key after them, are unknown
        return Estimate({}, whole=True)
    counts: dict[str, int] = {}

    def count(stage: str) -> None:
        counts[stage] = counts.get(stage, 0) + 1

    locked = {shot for shot, decision in by_shot.items() if decision.lock}
    seeds = picture_seeds(plan, by_shot)
    for shot_id, keys in picture_keys(crew, plan, screenplay, last.get("looks", {}), timing, seeds).items():
        if shot_id in locked:
            continue
        fresh = False
        for stage in ("keyframe", "video", "upscale"):
            if fresh or not store.has(getattr(keys, stage)):
                fresh = True  # a new input makes everything after it new
                count(stage)
    for shot in plan.shots:
        if shot.card and not store.has(card_key(shot, timing.shot(shot.id).frames, crew)):
            count("title")
    for job in score_jobs(crew, screenplay, plan, timing):
        if not store.has(job.key(crew)):
            count(job.stage)
    old_timing = last.get("timing")
    if counts.get("music") or counts.get("foley") or old_timing is None or key_of(old_timing) != crew.json_key(
            "timing", timing):
        counts["mix"] = 1
    if counts:
        counts["cut"] = 1
    return Estimate(counts)


def shot_views(crew: Crew, plan: FilmPlan, screenplay: Screenplay, last: dict[str, Any],
               by_shot: dict[str, ShotDecision]) -> list[ShotView]:
    """Every shot of `plan` as review shows it. Its picture is the one stored for the shot as planned now, so a
    shot with a reshoot decided and not yet rendered shows none, and is 'planned'."""
    words = {d.id: d for d in screenplay.dialogue()}
    headings = {s.id: (s.heading.text if s.heading else "") for s in screenplay.scenes}
    recordings = last.get("recordings", {})
    timing = timing_for(crew, plan, screenplay, last) if last else None
    seeds = picture_seeds(plan, by_shot)
    keys = picture_keys(crew, plan, screenplay, last.get("looks", {}), timing, seeds) if timing else {}
    failures = last.get("failures", {})
    made_by = {stage: crew.profile.stages.choice(stage).backend for stage in ("keyframe", "video", "upscale")}
    views = []
    for shot in plan.shots:
        decision = by_shot.get(shot.id)
        lock = decision.lock if decision else None
        if lock:
            picture = {"keyframe": lock.keyframe, "clip": lock.clip, "segment": lock.segment}
        elif shot.card and timing:
            picture = {"segment": card_key(shot, timing.shot(shot.id).frames, crew)}
        elif shot.id in keys:
            picture = {"keyframe": keys[shot.id].keyframe, "clip": keys[shot.id].video,
                       "segment": keys[shot.id].upscale}
        else:
            picture = {}
        paths = {kind: crew.store.get(key) if key else None for kind, key in picture.items()}
        rendered = paths.get("segment") is not None
        failure = failures.get(shot.id) if not rendered else None
        status: Status = ("locked" if lock else "approved" if decision and decision.approved and rendered
                          else "rendered" if rendered else "failed" if failure else "planned")
        lines = [LineView(line, words[line].character, words[line].text,
                          Path(recordings[line][0]) if line in recordings else None)
                 for line in shot.dialogue if line in words]
        views.append(ShotView(
            id=shot.id, scene=shot.scene, heading=headings.get(shot.scene, ""), plan=shot, lines=lines,
            status=status, keyframe=paths.get("keyframe"), clip=paths.get("clip"), segment=paths.get("segment"),
            frames=lock.frames if lock else timing.shot(shot.id).frames if timing else None,
            failure=failure, pending=decision.reshoot if decision and decision.reshoot and not rendered else None,
            seed=seeds[shot.id], made_by=made_by, history=list(decision.history) if decision else []))
    return views
