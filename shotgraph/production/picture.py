"""Picture: a reference look per character, then every shot through keyframe, video and upscale."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime

from shotgraph.production.crew import Crew
from shotgraph.production.decisions import assign, picture_seeds
from shotgraph.production.state import ProductionState, key_of, plan_at, screenplay_at, seed_of, timing_at
from shotgraph.production.work import attempt, file_identity, in_pool, user_file
from shotgraph.media.encoding import segment_video_args
from shotgraph.media.lettering import lettering_key
from shotgraph.store import artifact_key

LOOK_SIZE = (512, 768)  # character reference images: portrait, independent of the film's resolution


# 3. cast: a reference look per character --------------------------------------------------------------------


def cast(state: ProductionState, runtime: Runtime[Crew]) -> ProductionState:
    from shotgraph.characters.look import LookRequest
    from shotgraph.characters.slots import cast_slots

    crew = runtime.context
    film_plan = plan_at(state["plan"])
    backend = crew.backend("look")
    width, height = LOOK_SIZE
    failures: dict[str, str] = {}
    slots = cast_slots(c.name for c in film_plan.characters)  # from names, not cast order: see characters.slots

    def make(character: Any) -> tuple[str, Path | None]:
        slot = slots[character.name]
        seed = seed_of(character.id)
        reference = user_file(crew, character.reference_image)
        request = LookRequest(character, slot, film_plan.style, width, height, seed, reference)
        key = crew.key(backend, {"character": character, "slot": slot, "style": film_plan.style,
                                 "reference": file_identity(reference), "size": [width, height],
                                 **lettering_key(character.name, character.look)}, seed=seed)
        return character.id, attempt(
            crew, failures, lambda: crew.store.fetch_or_make(key, ".png", lambda tmp: backend.render(request, tmp),
                                                             stage="look", backend=backend.name),
            stage="look", backend=backend, item=f"look {character.id}", instead="drawn without a reference look")

    with crew.track("cast", len(film_plan.characters)) as advance:
        looks = in_pool(film_plan.characters, make, advance)
    return {"looks": {character: str(path) for character, path in looks if path is not None},
            "failures": {**state.get("failures", {}), **failures}}


# 6. shoot: keyframe -> video -> upscale, stage by stage, a failed shot becomes a slate -------------------------


def keyframe_params(film_plan: Any, shot: Any, heading: str, looks: dict[str, Path], size: list[int],
                    text_bottom: float = 1.0) -> tuple[dict, list[str]]:
    """What goes into a keyframe's key: (request fields, input keys)."""
    # not the shot's id: it is ordinal (number_shots), and renumbering must not redraw an unchanged shot
    params = {"shot": shot.model_dump(mode="json", include={"size", "angle", "move", "characters", "description",
                                                            "prompt"}),
              "scene": film_plan.scene(shot.scene).model_dump(include={"mood", "lighting", "time_of_day"}),
              "heading": heading, "style": film_plan.style, "size": size}
    if text_bottom < 1.0:  # only with burned-in subtitles: other keyframes keep the keys they had
        params["text_bottom"] = round(text_bottom, 4)
    params |= lettering_key(heading, shot.description, shot.prompt,
                        *(film_plan.character(c).name for c in shot.characters))
    return params, [key_of(looks[c]) for c in shot.characters if c in looks]  # a failed look: drawn without it


def card_key(shot: Any, frames: int, crew: Crew) -> str:
    """The key of a card shot's segment: its rows, its length and the film's size."""
    out = crew.profile.output
    return artifact_key({"stage": "card", "rows": shot.card, "frames": frames, "fps": out.fps,
                         "size": [out.width, out.height], "encoding": segment_video_args(out.fps),
                         **lettering_key(*shot.card)})


def text_bottom_for(shot: Any, burn_subtitles: bool) -> float:
    """Where the keyframe's drawn text must end so burned-in subtitles never cover it, through the shot's move."""
    from shotgraph.render.subtitles import BURNED_SUBTITLES_TOP
    from shotgraph.stages.camera import text_bottom

    return text_bottom(shot.move, BURNED_SUBTITLES_TOP) if burn_subtitles else 1.0


def motion_params(shot: Any, frames: int, fps: int, size: list[int]) -> dict:
    """What goes into a video clip's key besides its keyframe (the segment's key names its codec)."""
    return {"move": shot.move, "frames": frames, "fps": fps, "size": size, "encoding": segment_video_args(fps)}


def upscale_params(frames: int, fps: int, size: list[int]) -> dict:
    return {"frames": frames, "fps": fps, "size": size, "encoding": segment_video_args(fps)}


def shoot(state: ProductionState, runtime: Runtime[Crew]) -> ProductionState:
    from shotgraph.stages.keyframe import KeyframeRequest
    from shotgraph.stages.slate import render_card
    from shotgraph.stages.upscale import UpscaleRequest
    from shotgraph.stages.video import VideoRequest

    crew = runtime.context
    out = crew.profile.output
    size = [out.width, out.height]
    screenplay = screenplay_at(state["screenplay"])
    film_plan = plan_at(state["plan"])
    timing = timing_at(state["timing"])
    looks = {cid: Path(p) for cid, p in state["looks"].items()}
    headings = {s.id: (s.heading.text if s.heading else "") for s in screenplay.scenes}
    failures: dict[str, str] = {}
    done: dict[str, Path] = {}  # shot id -> artifact of the stage just finished
    by_shot, _ = assign(crew.decisions, film_plan, screenplay)
    held, notes = held_shots(crew, by_shot, timing)
    seeds = picture_seeds(film_plan, by_shot)

    def stage(name: str, suffix: str, make_request: Callable[[Any], tuple[Any, dict, list[str]]]) -> None:
        backend = crew.backend(name)
        shots = [s for s in film_plan.shots if s.id not in failures and s.id not in held and not s.card]
        done.clear()

        def render(shot: Any) -> Path:
            request, params, inputs = make_request(shot)
            key = crew.key(backend, params, inputs, seed=seeds[shot.id])
            return crew.store.fetch_or_make(key, suffix, lambda tmp: backend.render(request, tmp),
                                            stage=name, backend=backend.name)

        def work(shot: Any) -> None:
            path = attempt(crew, failures, lambda: render(shot), stage=name, backend=backend, item=shot.id,
                           label=f"shot {shot.id}", instead="shown as a slate")
            if path is not None:
                done[shot.id] = path

        with crew.track(name, len(shots)) as advance:
            in_pool(shots, work, advance)

    def frames(shot: Any) -> int:
        return timing.shot(shot.id).frames

    def keyframe(shot: Any) -> tuple[Any, dict, list[str]]:
        bottom = text_bottom_for(shot, out.burn_subtitles)
        request = KeyframeRequest(shot, film_plan.scene(shot.scene), headings.get(shot.scene, ""),
                                  tuple(film_plan.character(c) for c in shot.characters),
                                  {c: looks[c] for c in shot.characters if c in looks}, film_plan.style,
                                  out.width, out.height, bottom)
        return request, *keyframe_params(film_plan, shot, headings.get(shot.scene, ""), looks, size, bottom)

    stage("keyframe", ".png", keyframe)
    keyframes = dict(done)
    stage("video", ".mp4", lambda shot: (
        VideoRequest(shot, keyframes[shot.id], frames(shot), out.fps, out.width, out.height),
        motion_params(shot, frames(shot), out.fps, size), [key_of(keyframes[shot.id])]))
    clips = dict(done)
    stage("upscale", ".mp4", lambda shot: (
        UpscaleRequest(clips[shot.id], frames(shot), out.fps, out.width, out.height, shot.id),
        upscale_params(frames(shot), out.fps, size), [key_of(clips[shot.id])]))
    segments = {shot_id: str(path) for shot_id, path in done.items()}
    for shot_id, artifacts in held.items():  # locked: the stored picture, whatever changed around it
        if "keyframe" in artifacts:
            keyframes[shot_id] = artifacts["keyframe"]
        if "clip" in artifacts:
            clips[shot_id] = artifacts["clip"]
        segments[shot_id] = str(artifacts["segment"])

    for shot in film_plan.shots:  # the screenplay's centered text: a title card, whatever the crew
        if shot.card:
            frames_of_card = timing.shot(shot.id).frames
            segments[shot.id] = str(crew.store.fetch_or_make(
                card_key(shot, frames_of_card, crew), ".mp4",
                lambda tmp, rows=shot.card, count=frames_of_card: render_card(
                    rows, count, out.fps, out.width, out.height, tmp, kind="title"),
                stage="title", backend="card"))

    encoding = {"size": size, "encoding": segment_video_args(out.fps)}
    for shot_id, why in failures.items():  # a slate that says what failed, exactly as long as the shot
        lines = ["SHOT FAILED", shot_id, why]
        count = timing.shot(shot_id).frames
        key = artifact_key({"stage": "slate", "lines": lines, "frames": count, "fps": out.fps, **encoding,
                            **lettering_key(*lines)})
        segments[shot_id] = str(crew.store.fetch_or_make(
            key, ".mp4", lambda tmp, lines=lines, count=count: render_card(
                lines, count, out.fps, out.width, out.height, tmp, kind="slate"),
            stage="slate", backend="card"))
    return {"keyframes": {shot: str(p) for shot, p in keyframes.items()},
            "clips": {shot: str(p) for shot, p in clips.items()},
            "segments": segments, "failures": {**state.get("failures", {}), **failures},
            "notes": state.get("notes", []) + notes}


def held_shots(crew: Crew, by_shot: dict[str, Any], timing: Any) -> tuple[dict[str, dict[str, Path]], list[str]]:
    """The locked shots' stored artifacts (keyframe, clip, segment), the segment held or trimmed to the shot's
    length now; and a note for each that says so. A lock whose stored picture is gone is made again, and said."""
    held: dict[str, dict[str, Path]] = {}
    notes = []
    for shot_id, decision in sorted(by_shot.items()):
        lock = decision.lock
        if lock is None:
            continue
        segment = crew.store.get(lock.segment, "upscale")
        if segment is None:
            notes.append(f"locked {shot_id}: its stored picture is gone from the store; the shot was made again")
            continue
        frames = timing.shot(shot_id).frames
        artifacts = {"segment": conformed(crew, segment, lock.frames, frames)}
        for kind, key, stage in (("keyframe", lock.keyframe, "keyframe"), ("clip", lock.clip, "video")):
            if key and (path := crew.store.get(key, stage)) is not None:
                artifacts[kind] = path
        held[shot_id] = artifacts
        change = ("" if frames == lock.frames else
                  f", its last frame held {frames - lock.frames} frames longer to fit the shot's new length"
                  if frames > lock.frames else f", trimmed by {lock.frames - frames} frames to the shot's new length")
        notes.append(f"locked {shot_id}: the stored clip was used, not made again{change}")
    return held, notes


def conformed(crew: Crew, segment: Path, had: int, frames: int) -> Path:
    """A stored segment made `frames` long: the same file when it is, else its last frame held or its end cut."""
    from shotgraph.media.ffmpeg import run_ffmpeg

    if had == frames:
        return segment
    fps = crew.profile.output.fps
    key = artifact_key({"stage": "hold", "frames": frames, "fps": fps, "encoding": segment_video_args(fps)},
                       [key_of(segment)])
    return crew.store.fetch_or_make(key, ".mp4", lambda tmp: run_ffmpeg(
        ["-i", str(segment), "-vf", f"tpad=stop_mode=clone:stop={max(0, frames - had)}", "-frames:v", str(frames),
         *segment_video_args(fps), "-f", "mp4", str(tmp)], what=f"holding {segment.name} to {frames} frames"),
        stage="hold", backend="ffmpeg")
