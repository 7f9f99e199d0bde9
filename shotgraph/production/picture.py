"""Picture: a reference look per character, then every shot through keyframe, video and upscale."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime

from shotgraph.production.crew import Crew
from shotgraph.production.state import ProductionState, key_of, plan_at, screenplay_at, seed_of, timing_at
from shotgraph.production.work import attempt, file_identity, in_pool, user_file
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
                                 "reference": file_identity(reference), "size": [width, height]},
                       seed=seed)
        return character.id, attempt(
            crew, failures, lambda: crew.store.fetch_or_make(key, ".png", lambda tmp: backend.render(request, tmp),
                                                             stage="look", backend=backend.name),
            stage="look", backend=backend, item=f"look {character.id}", instead="drawn without a reference look")

    with crew.track("cast", len(film_plan.characters)) as advance:
        looks = in_pool(film_plan.characters, make, advance)
    return {"looks": {character: str(path) for character, path in looks if path is not None},
            "failures": {**state.get("failures", {}), **failures}}


# 6. shoot: keyframe -> video -> upscale, stage by stage, a failed shot becomes a slate -------------------------


def shoot(state: ProductionState, runtime: Runtime[Crew]) -> ProductionState:
    from shotgraph.stages.keyframe import KeyframeRequest
    from shotgraph.stages.slate import render_card
    from shotgraph.stages.upscale import UpscaleRequest
    from shotgraph.media.encoding import segment_video_args
    from shotgraph.stages.video import VideoRequest

    crew = runtime.context
    out = crew.profile.output
    screenplay = screenplay_at(state["screenplay"])
    film_plan = plan_at(state["plan"])
    timing = timing_at(state["timing"])
    looks = {cid: Path(p) for cid, p in state["looks"].items()}
    headings = {s.id: (s.heading.text if s.heading else "") for s in screenplay.scenes}
    failures: dict[str, str] = {}
    done: dict[str, Path] = {}  # shot id -> artifact of the stage just finished

    def stage(name: str, suffix: str, make_request: Callable[[Any], tuple[Any, dict, list[str]]]) -> None:
        backend = crew.backend(name)
        shots = [s for s in film_plan.shots if s.id not in failures]
        done.clear()

        def render(shot: Any) -> Path:
            request, params, inputs = make_request(shot)
            key = crew.key(backend, params, inputs, seed=shot.seed)
            return crew.store.fetch_or_make(key, suffix, lambda tmp: backend.render(request, tmp),
                                            stage=name, backend=backend.name)

        def work(shot: Any) -> None:
            path = attempt(crew, failures, lambda: render(shot), stage=name, backend=backend, item=shot.id,
                           label=f"shot {shot.id}", instead="shown as a slate")
            if path is not None:
                done[shot.id] = path

        with crew.track(name, len(shots)) as advance:
            in_pool(shots, work, advance)

    keyframe_size = {"size": [out.width, out.height]}
    encoding = {**keyframe_size, "encoding": segment_video_args(out.fps)}  # a segment's key names its codec
    stage("keyframe", ".png", lambda shot: (
        KeyframeRequest(shot, film_plan.scene(shot.scene), headings.get(shot.scene, ""),
                        tuple(film_plan.character(c) for c in shot.characters),
                        {c: looks[c] for c in shot.characters if c in looks}, film_plan.style,
                        out.width, out.height),
        # not the shot's id: it is ordinal (number_shots), and renumbering must not redraw an unchanged shot
        {"shot": shot.model_dump(mode="json", include={"size", "angle", "move", "characters", "description",
                                                       "prompt"}),
         "scene": film_plan.scene(shot.scene).model_dump(include={"mood", "lighting", "time_of_day"}),
         "heading": headings.get(shot.scene, ""), "style": film_plan.style, **keyframe_size},
        [key_of(looks[c]) for c in shot.characters if c in looks],  # a failed look: drawn without it
    ))
    keyframes = dict(done)

    def frames(shot: Any) -> int:
        return timing.shot(shot.id).frames

    stage("video", ".mp4", lambda shot: (
        VideoRequest(shot, keyframes[shot.id], frames(shot), out.fps, out.width, out.height),
        {"move": shot.move, "frames": frames(shot), "fps": out.fps, **encoding},
        [key_of(keyframes[shot.id])],
    ))
    clips = dict(done)
    stage("upscale", ".mp4", lambda shot: (
        UpscaleRequest(clips[shot.id], frames(shot), out.fps, out.width, out.height, shot.id),
        {"frames": frames(shot), "fps": out.fps, **encoding},
        [key_of(clips[shot.id])],
    ))
    segments = {shot_id: str(path) for shot_id, path in done.items()}

    for shot_id, why in failures.items():  # a slate that says what failed, exactly as long as the shot
        lines = ["SHOT FAILED", shot_id, why]
        count = timing.shot(shot_id).frames
        key = artifact_key({"stage": "slate", "lines": lines, "frames": count, "fps": out.fps, **encoding})
        segments[shot_id] = str(crew.store.fetch_or_make(
            key, ".mp4", lambda tmp, lines=lines, count=count: render_card(
                lines, count, out.fps, out.width, out.height, tmp, kind="slate"),
            stage="slate", backend="card"))
    return {"keyframes": {shot: str(p) for shot, p in keyframes.items()},
            "clips": {shot: str(p) for shot, p in clips.items()},
            "segments": segments, "failures": {**state.get("failures", {}), **failures}}
