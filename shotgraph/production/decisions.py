"""Review decisions: approve, reshoot, lock and plan edits, kept in a human-readable JSON file in the work folder
and applied on top of the planner's plan.

A decision belongs to its shot, not to its position. Shot ids are ordinal (sc003-sh02) and move when a scene is
inserted before them, so each decision carries the shot's anchor: its scene heading, its place in the scene, what
it shows and the words it covers, as they were when the decision was made. A decision goes to the one shot whose
anchor matches best; when no shot matches well enough, or two match equally, it is orphaned and listed, never
applied to a neighbour. Dialogue is never a decision (invariant 1): words change in the screenplay.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shotgraph.director.plan import CameraMove, FilmPlan, Shot, ShotSize, TransitionKind
from shotgraph.director.rules.numbering import SceneAnchor, number_shots, scene_anchors, scene_occurrences
from shotgraph.director.screenplay.model import Screenplay
from shotgraph.director.validate import validate
from shotgraph.errors import PlanError, ShotgraphError

DECISIONS = "decisions.json"
# How well a shot must match a decision's anchor: the words it covers or what it shows count most, so a decision
# follows its shot when scenes are added before it, and survives an edit of the shot's own line.
_WEIGHTS = {"description": 3, "lines": 3, "characters": 1, "index": 1, "occurrence": 1}
_ENOUGH = 4


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ShotAnchor(_Model):
    heading: str = Field(description="the scene heading as written ('' for the opening, before any heading)")
    occurrence: int = Field(description="which scene with this heading, from 1")
    index: int = Field(description="the shot's place in its scene, from 1")
    description: str
    lines: list[str] = Field(description="the words of the dialogue it covers, as written")
    characters: list[str]


class Reshoot(_Model):
    """What a reshoot changes; None keeps the planner's value."""

    seed: int | None = Field(default=None, ge=0)
    prompt: str | None = Field(default=None, min_length=1)
    size: ShotSize | None = None
    move: CameraMove | None = None
    duration: float | None = Field(default=None, gt=0.0, le=600.0, allow_inf_nan=False,
                                   description="seconds at least; the words may still lengthen the shot")

    @classmethod
    def asked(cls, shot_id: str, **given: Any) -> Reshoot:
        """The reshoot of `shot_id` that `given` asks for (None: unchanged); a new random seed when nothing is
        asked. A value out of range is a ShotgraphError naming the field."""
        wanted = {name: value for name, value in given.items() if value is not None}
        try:
            return cls.model_validate(wanted or {"seed": secrets.randbelow(2**31)})
        except ValidationError as exc:
            first = exc.errors()[0]
            raise ShotgraphError(f"reshoot {shot_id}: {'.'.join(map(str, first['loc']))}: {first['msg']}") from None

    def changes(self) -> dict[str, Any]:
        """The plan fields it changes. Not the seed: a reshoot's seed is the picture's alone (see picture_seeds),
        so the shot's sound effects, seeded by the plan, stay as they were."""
        fields = self.model_dump(exclude_none=True, exclude={"seed"})
        if "duration" in fields:
            fields["min_duration"] = fields.pop("duration")
        return fields


class Lock(_Model):
    """The stored artifacts a locked shot keeps, by store key."""

    keyframe: str | None = None
    clip: str | None = None
    segment: str
    frames: int = Field(gt=0)


class HistoryEntry(_Model):
    at: str = Field(description="UTC time of the decision, ISO 8601")
    action: Literal["approve", "reshoot", "lock", "unlock"]
    detail: dict[str, Any] = Field(default_factory=dict)


class ShotDecision(_Model):
    shot: ShotAnchor
    shot_id: str = Field(description="the shot's id when decided, for people; the anchor is what finds the shot")
    approved: bool = False
    reshoot: Reshoot | None = None
    lock: Lock | None = None
    history: list[HistoryEntry] = Field(default_factory=list)


class PlanEdit(_Model):
    op: Literal["split", "merge", "characters"]
    shot: ShotAnchor
    shot_id: str
    after_line: int | None = Field(default=None, ge=1, description="split: the new shot starts after this many "
                                                                   "of the shot's lines")
    characters: list[str] | None = Field(default=None, description="characters: the character ids in frame")


class Decisions(_Model):
    version: Literal[1] = 1
    plan_approved: bool = False
    edits: list[PlanEdit] = Field(default_factory=list)
    shots: list[ShotDecision] = Field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> Decisions:
        """The decisions in `path`; none when it does not exist. A damaged file is an error naming it."""
        try:
            text = path.read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError):  # none yet (a bad work folder is refused by the run)
            return cls()
        except (OSError, UnicodeDecodeError) as exc:
            raise ShotgraphError(f"{path}: cannot read the decisions file: {exc}") from None
        try:
            return cls.model_validate_json(text)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'file'}: {e['msg']}" for e in exc.errors()[:5])
            raise ShotgraphError(f"{path}: not a shotgraph decisions file ({problems})") from None

    def save(self, path: Path) -> None:
        """Written whole under a temporary name, then renamed: a kill at any moment keeps one complete file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(self.model_dump_json(indent=1, exclude_none=True) + "\n", encoding="utf-8")
        os.replace(tmp, path)

    def render_fingerprint(self) -> str:
        """What changes the film (edits, reshoots, locks); approvals and history do not."""
        shots = [d.model_dump(mode="json", include={"shot", "reshoot", "lock"}) for d in self.shots
                 if d.reshoot or d.lock]
        text = json.dumps({"edits": [e.model_dump(mode="json") for e in self.edits], "shots": shots}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def kept_keys(self) -> set[str]:
        """The store keys locked shots keep: `cache gc` must not remove them."""
        return {key for d in self.shots if d.lock for key in (d.lock.keyframe, d.lock.clip, d.lock.segment) if key}


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def anchors(plan: FilmPlan, screenplay: Screenplay) -> dict[str, ShotAnchor]:
    """Each shot's anchor, by shot id."""
    words = {d.id: d.text for d in screenplay.dialogue()}
    names = {c.id: c.name for c in plan.characters}
    scenes = scene_occurrences(screenplay)
    out: dict[str, ShotAnchor] = {}
    index: dict[str, int] = {}
    for shot in plan.shots:
        index[shot.scene] = index.get(shot.scene, 0) + 1
        heading, occurrence = scenes.get(shot.scene, ("", 1))
        out[shot.id] = ShotAnchor(
            heading=heading, occurrence=occurrence, index=index[shot.scene], description=shot.description,
            lines=[words.get(line, "") for line in shot.dialogue],
            characters=[names.get(c, c) for c in shot.characters])
    return out


def match(anchor: ShotAnchor, candidates: dict[str, ShotAnchor]) -> str | None:
    """The id of the one shot that `anchor` names, or None when none matches well enough or two tie."""
    scores: dict[str, int] = {}
    for shot_id, other in candidates.items():
        if other.heading != anchor.heading:
            continue
        scores[shot_id] = sum(weight for name, weight in _WEIGHTS.items()
                              if getattr(other, name) == getattr(anchor, name))
        if other.description == "" and anchor.description == "":
            scores[shot_id] -= _WEIGHTS["description"]  # two empty descriptions say nothing about identity
    if not scores:
        return None
    best = max(scores.values())
    winners = [shot_id for shot_id, score in scores.items() if score == best]
    return winners[0] if best >= _ENOUGH and len(winners) == 1 else None


@dataclass
class Applied:
    """The plan with the decisions on it, and which decision went to which shot."""

    plan: FilmPlan
    by_shot: dict[str, ShotDecision] = field(default_factory=dict)
    orphans: list[ShotDecision] = field(default_factory=list)
    orphaned_edits: list[PlanEdit] = field(default_factory=list)

    def notes(self) -> list[str]:
        notes = []
        reshoots = sorted(i for i, d in self.by_shot.items() if d.reshoot)
        locks = sorted(i for i, d in self.by_shot.items() if d.lock)
        if reshoots:
            notes.append("decisions: reshoot " + ", ".join(reshoots))
        if locks:
            notes.append("decisions: locked " + ", ".join(locks))
        for orphan in self.orphans:
            notes.append(f"decisions: the decision about {orphan.shot_id} ({_describe(orphan.shot)}) matches no shot "
                         "now; it is kept in the file and applied to none")
        for edit in self.orphaned_edits:
            notes.append(f"decisions: the {edit.op} of {edit.shot_id} ({_describe(edit.shot)}) matches no shot "
                         "now; not applied")
        return notes


def _describe(anchor: ShotAnchor) -> str:
    what = anchor.description or (anchor.lines[0] if anchor.lines else "")
    return f"{anchor.heading or 'opening'}, shot {anchor.index}: {what[:50]!r}"


def apply_decisions(decisions: Decisions, plan: FilmPlan, screenplay: Screenplay, source: str = DECISIONS) -> Applied:
    """`plan` with the plan edits, then the reshoots, of `decisions`; checked against the screenplay."""
    applied = Applied(plan=plan)
    scenes = scene_anchors(screenplay) if decisions.edits else {}
    for edit in decisions.edits:
        shot_id = match(edit.shot, anchors(applied.plan, screenplay))
        if shot_id is None:
            applied.orphaned_edits.append(edit)
            continue
        applied.plan = edited(applied.plan, edit, shot_id, scenes)
    applied.by_shot, applied.orphans = assign(decisions, applied.plan, screenplay)
    shots = [shot.model_copy(update=applied.by_shot[shot.id].reshoot.changes())
             if shot.id in applied.by_shot and applied.by_shot[shot.id].reshoot else shot
             for shot in applied.plan.shots]
    applied.plan = applied.plan.model_copy(update={"shots": [Shot.model_validate(s.model_dump()) for s in shots]})
    if problems := validate(applied.plan, screenplay):
        raise PlanError(problems, source=source)
    return applied


def assign(decisions: Decisions, plan: FilmPlan, screenplay: Screenplay) -> tuple[dict[str, ShotDecision],
                                                                                 list[ShotDecision]]:
    """Which decision goes to which shot of `plan` (a plan with the edits made), and the orphans."""
    current = anchors(plan, screenplay)
    by_shot: dict[str, ShotDecision] = {}
    orphans: list[ShotDecision] = []
    for decision in decisions.shots:
        shot_id = match(decision.shot, current)
        if shot_id is None or shot_id in by_shot:
            orphans.append(decision)
        else:
            by_shot[shot_id] = decision
    return by_shot, orphans


def picture_seeds(plan: FilmPlan, by_shot: dict[str, ShotDecision]) -> dict[str, int]:
    """The seed each shot's picture (keyframe, video, upscale) is made with: a reshoot's, else the plan's."""
    return {shot.id: (by_shot[shot.id].reshoot.seed if shot.id in by_shot and by_shot[shot.id].reshoot
                      and by_shot[shot.id].reshoot.seed is not None else shot.seed) for shot in plan.shots}


def edited(plan: FilmPlan, edit: PlanEdit, shot_id: str, anchors: dict[str, SceneAnchor]) -> FilmPlan:
    """`plan` with one edit made to the shot `shot_id`; the edited scene's shots numbered again (`anchors`:
    numbering.scene_anchors of the screenplay)."""
    shots = list(plan.shots)
    at = next(i for i, s in enumerate(shots) if s.id == shot_id)
    shot = shots[at]
    if edit.op == "characters":
        shots[at] = shot.model_copy(update={"characters": list(edit.characters or [])})
    elif edit.op == "split":
        cut = edit.after_line or 0
        if not 0 < cut < len(shot.dialogue):
            raise PlanError([f"shot {shot_id}: cannot split after line {cut}; it covers {len(shot.dialogue)} "
                             "lines, and each part needs at least one"], source=DECISIONS)
        share = shot.min_duration * cut / len(shot.dialogue)
        first = shot.model_copy(update={"dialogue": shot.dialogue[:cut], "min_duration": share,
                                        "foley": [f for f in shot.foley if f.at < share]})
        second = shot.model_copy(update={"dialogue": shot.dialogue[cut:], "min_duration": shot.min_duration - share,
                                         "transition": TransitionKind.CUT,
                                         "foley": [f.model_copy(update={"at": f.at - share})
                                                   for f in shot.foley if f.at >= share]})
        shots[at:at + 1] = [first, second]
    else:  # merge with the next shot of the same scene
        if at + 1 >= len(shots) or shots[at + 1].scene != shot.scene:
            raise PlanError([f"shot {shot_id}: it is the last shot of scene {shot.scene}; there is no next shot "
                             "in the scene to merge it with"], source=DECISIONS)
        other = shots[at + 1]
        merged = shot.model_copy(update={
            "dialogue": shot.dialogue + other.dialogue,
            "characters": shot.characters + [c for c in other.characters if c not in shot.characters],
            "min_duration": shot.min_duration + other.min_duration,
            "foley": shot.foley + [f.model_copy(update={"at": f.at + shot.min_duration}) for f in other.foley],
            "description": " ".join(d for d in (shot.description, other.description) if d)})
        shots[at:at + 2] = [merged]
    scene = shot.scene
    renumbered = iter(number_shots(scene, anchors[scene], [s for s in shots if s.scene == scene]))
    return plan.model_copy(update={"shots": [next(renumbered) if s.scene == scene else s for s in shots]})
