"""The production graph: one LangGraph StateGraph from screenplay to delivered film.

    read -> plan -> cast -> record -> time -> shoot -> score -> mix -> cut -> deliver

Dialogue is recorded before the picture is shot because the words set each shot's length (invariant 7): the
video stage must know its exact frame count. Every node is a plain function `State -> partial State`; the
state holds ids and paths only (invariant 3); the heavy lifting is cached in the artifact store, so a node that
re-runs after a kill reuses everything already made (invariant 2). Each stage runs over all its items before
the next starts, so each model loads at most once (invariant 4). Review points (a later issue) slot in as
`interrupt()` nodes after `plan` and after `shoot`.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import shutil
import tempfile
import zlib
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from typing_extensions import TypedDict

from shotgraph.production.crew import Crew
from shotgraph.director.plan import FilmPlan
from shotgraph.director.screenplay.model import Screenplay
from shotgraph.errors import BackendError, ShotgraphError
from shotgraph.render.timing import Timing
from shotgraph.store import artifact_key

log = logging.getLogger(__name__)

LOOK_SIZE = (512, 768)  # character reference images: portrait, independent of the film's resolution
POOL_SIZE = max(1, os.cpu_count() or 1)  # CPU stages run in a bounded pool; ffmpeg runs as subprocesses

T = TypeVar("T")


class ProductionState(TypedDict, total=False):
    screenplay: str  # path of the parsed screenplay (JSON) in the store
    plan: str  # path of the validated FilmPlan (JSON)
    notes: list[str]  # what the planner wants the user to know (LLM fallbacks, calls, tokens)
    looks: dict[str, str]  # character id -> reference image
    recordings: dict[str, tuple[str, float]]  # dialogue id -> (WAV, seconds)
    timing: str  # path of the Timing (JSON)
    keyframes: dict[str, str]  # shot id -> keyframe
    clips: dict[str, str]  # shot id -> video clip
    segments: dict[str, str]  # shot id -> film segment (MP4 at the film's size)
    failures: dict[str, str]  # shot id, line id, "look <character>" or "<kind> <cue>" -> what failed and what stands in
    music: dict[str, str]  # scene id -> score cue
    ambience: dict[str, str]  # scene id -> ambience bed
    effects: dict[str, str]  # shot id -> effects
    mix: dict[str, str]  # "mix", "dialogue", "music", "effects" -> WAV
    cut: dict[str, str]  # "film", "srt", "vtt", "otio" -> files in the store
    cut_parts: list[str]  # segments the film was joined from (trimmed bodies and transitions included)
    delivered: dict[str, str]  # what the user gets, by kind


@lru_cache(maxsize=8)
def _screenplay(path: str) -> Screenplay:
    return Screenplay.model_validate_json(Path(path).read_text(encoding="utf-8"))


@lru_cache(maxsize=8)
def _plan(path: str) -> FilmPlan:
    return FilmPlan.model_validate_json(Path(path).read_text(encoding="utf-8"))


@lru_cache(maxsize=8)
def _timing(path: str) -> Timing:
    return Timing.model_validate_json(Path(path).read_text(encoding="utf-8"))


def seed_of(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def key_of(path: str | Path) -> str:
    """Artifacts are stored as <key><suffix>: the key is the file name up to its first dot."""
    return Path(path).name.split(".", 1)[0]


def _in_pool(items: Iterable[T], work: Callable[[T], Any], advance: Callable[[], None]) -> list[Any]:
    def run(item: T) -> Any:
        try:
            return work(item)
        finally:
            advance()

    with ThreadPoolExecutor(max_workers=POOL_SIZE) as pool:
        return list(pool.map(run, items))


def _attempt(crew: Crew, failures: dict[str, str], work: Callable[[], T], *, stage: str, backend: Any, item: str,
             instead: str, stand_in: Callable[[], T | None] = lambda: None, label: str = "") -> T | None:
    """`work()` for one item of a stage; if it fails, `failures[item]` says why and `stand_in()` takes its place.

    One item's failure must not sink the film (invariant 6); `--strict` makes it stop the run instead.
    """
    try:
        return work()
    except Exception as exc:
        if crew.strict:
            raise BackendError(stage, backend.name, f"{label or item}: {exc}") from exc
        failures[item] = f"{stage} ({backend.name}): {exc}; {instead}"
        log.error("%s failed in %s: %s", label or item, stage, exc)
        return stand_in()


# 1. read ---------------------------------------------------------------------------------------------------


def read(state: ProductionState, runtime: Runtime[Crew]) -> ProductionState:
    from shotgraph.director.screenplay.reader import read_screenplay

    crew = runtime.context
    screenplay = read_screenplay(crew.script)
    for warning in screenplay.warnings:
        log.warning(warning)
    # a new run on a finished thread would otherwise inherit that run's failures
    return {"screenplay": str(crew.save_json("read", screenplay)), "failures": {}}


# 2. plan ---------------------------------------------------------------------------------------------------


def plan(state: ProductionState, runtime: Runtime[Crew]) -> ProductionState:
    from shotgraph.director.planning import plan_with_outcome
    from shotgraph.director.validate import load_plan

    crew = runtime.context
    screenplay = _screenplay(state["screenplay"])
    if crew.plan_file is not None:
        return {"plan": str(crew.save_json("plan", load_plan(crew.plan_file, screenplay))),
                "notes": [f"plan: {crew.plan_file}, as edited"]}
    outcome = plan_with_outcome(screenplay, crew.profile.planner, cache_dir=crew.workdir / "llm")
    notes = list(outcome.report)
    if outcome.mode == "llm":
        notes.append(f"LLM: {outcome.calls} calls, {outcome.cached_calls} from cache, "
                     f"{outcome.prompt_tokens} prompt + {outcome.completion_tokens} completion tokens")
    return {"plan": str(crew.save_json("plan", outcome.plan)), "notes": notes}


# 3. cast: a reference look per character --------------------------------------------------------------------


def cast(state: ProductionState, runtime: Runtime[Crew]) -> ProductionState:
    from shotgraph.characters.look import LookRequest
    from shotgraph.characters.slots import cast_slots

    crew = runtime.context
    film_plan = _plan(state["plan"])
    backend = crew.backend("look")
    width, height = LOOK_SIZE
    failures: dict[str, str] = {}
    slots = cast_slots(c.name for c in film_plan.characters)  # from names, not cast order: see characters.slots

    def make(character: Any) -> tuple[str, Path | None]:
        slot = slots[character.name]
        seed = seed_of(character.id)
        request = LookRequest(character, slot, film_plan.style, width, height, seed)
        key = crew.key(backend, {"character": character, "slot": slot, "style": film_plan.style,
                                 "reference": _file_identity(character.reference_image), "size": [width, height]},
                       seed=seed)
        return character.id, _attempt(
            crew, failures, lambda: crew.store.fetch_or_make(key, ".png", lambda tmp: backend.render(request, tmp),
                                                             stage="look", backend=backend.name),
            stage="look", backend=backend, item=f"look {character.id}", instead="drawn without a reference look")

    with crew.track("cast", len(film_plan.characters)) as advance:
        looks = _in_pool(film_plan.characters, make, advance)
    return {"looks": {character: str(path) for character, path in looks if path is not None},
            "failures": {**state.get("failures", {}), **failures}}


# 4. record: every dialogue line, verbatim, in its character's voice --------------------------------------------


def record(state: ProductionState, runtime: Runtime[Crew]) -> ProductionState:
    from shotgraph.audio.dialogue import DialogueRequest
    from shotgraph.audio.wav import wav_info
    from shotgraph.characters.slots import cast_slots
    from shotgraph.director.rules import line_seconds

    crew = runtime.context
    screenplay = _screenplay(state["screenplay"])
    film_plan = _plan(state["plan"])
    backend = crew.backend("dialogue")
    slots = cast_slots(c.name for c in film_plan.characters)  # from names, not cast order: see characters.slots
    by_name = {c.name: (slots[c.name], c) for c in film_plan.characters}
    rate = crew.profile.output.sample_rate

    failures: dict[str, str] = {}

    def make(line: Any) -> tuple[str, tuple[str, float]]:
        slot, character = by_name[line.character]
        request = DialogueRequest(line, character, slot, rate)
        # the words and how they are delivered; not where they sit in the file
        words = {"text": line.text, "parts": [(p.kind, p.text) for p in line.parts], "extensions": line.extensions}
        key = crew.key(backend, {"line": words, "voice": character.voice, "sample": _file_identity(
            character.voice_sample), "voice_slot": slot, "sample_rate": rate})
        path = _attempt(
            crew, failures, lambda: crew.store.fetch_or_make(key, ".wav", lambda tmp: backend.render(request, tmp),
                                                             stage="dialogue", backend=backend.name),
            stage="dialogue", backend=backend, item=line.id, label=f"line {line.id}",
            instead="silent for its time, its subtitle kept",
            stand_in=lambda: _silence(crew, line_seconds(line), rate, "dialogue"))
        frames, _, sample_rate = wav_info(path)
        return line.id, (str(path), frames / sample_rate)

    lines = list(screenplay.dialogue())
    with crew.track("record", len(lines)) as advance:
        recordings = _in_pool(lines, make, advance)
    return {"recordings": dict(recordings), "failures": {**state.get("failures", {}), **failures}}


def _silence(crew: Crew, seconds: float, rate: int, stage: str) -> Path:
    from shotgraph.audio.wav import write_wav

    samples = round(seconds * rate)
    key = artifact_key({"stage": "silence", "samples": samples, "rate": rate})
    return crew.store.fetch_or_make(key, ".wav", lambda tmp: write_wav(tmp, np.zeros(samples, np.float32), rate),
                                    stage=stage, backend="silence")


def _file_identity(path: Path | None) -> str | None:
    """A user-supplied file enters a key by its content, so replacing it in place is noticed."""
    if path is None:
        return None
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError as exc:
        raise ShotgraphError(f"{path}: cannot read this reference file: {exc.strerror or exc}") from None


# 5. time: the words set the cut --------------------------------------------------------------------------------


def time_shots(state: ProductionState, runtime: Runtime[Crew]) -> ProductionState:
    from shotgraph.render.cut import compute_timing

    crew = runtime.context
    recordings = {line: (Path(path), seconds) for line, (path, seconds) in state["recordings"].items()}
    timing = compute_timing(_plan(state["plan"]), _screenplay(state["screenplay"]), recordings, crew.profile.output)
    return {"timing": str(crew.save_json("timing", timing))}


# 6. shoot: keyframe -> video -> upscale, stage by stage, a failed shot becomes a slate -------------------------


def shoot(state: ProductionState, runtime: Runtime[Crew]) -> ProductionState:
    from shotgraph.stages.keyframe import KeyframeRequest
    from shotgraph.stages.slate import render_card
    from shotgraph.stages.upscale import UpscaleRequest
    from shotgraph.media.encoding import segment_video_args
    from shotgraph.stages.video import VideoRequest

    crew = runtime.context
    out = crew.profile.output
    screenplay = _screenplay(state["screenplay"])
    film_plan = _plan(state["plan"])
    timing = _timing(state["timing"])
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
            path = _attempt(crew, failures, lambda: render(shot), stage=name, backend=backend, item=shot.id,
                            label=f"shot {shot.id}", instead="shown as a slate")
            if path is not None:
                done[shot.id] = path

        with crew.track(name, len(shots)) as advance:
            _in_pool(shots, work, advance)

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
        UpscaleRequest(clips[shot.id], frames(shot), out.fps, out.width, out.height),
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


# 7. score: music per scene, ambience per scene, effects per shot ----------------------------------------------

MUSIC_CROSSFADE_SECONDS = 1.0  # scene cues overlap this long; the mix fades each cue's edges over the same second
MAX_CUE_SECONDS = 90.0  # a longer scene is scored as a run of cues: memory per cue stays bounded
CUE_BUCKET_SECONDS = 30.0  # cues are rendered this much at a time: a scene that grows a little keeps its sound


@dataclass(frozen=True)
class CueSpan:
    name: str  # scene id, or scene id + ".k" for the k-th cue of a long scene
    scene_id: str
    start: float  # seconds in the film
    seconds: float  # how long it plays
    rendered: float  # length of the cue it plays the start of; depends on `seconds` only through the bucket
    fade: float  # seconds of each edge's equal-power ramp; neighbours' ramps overlap exactly


def cue_spans(timing: Timing) -> list[CueSpan]:
    """Music and ambience cues: each scene widened by half the crossfade at inner joins, long ones split.

    A cue is rendered for its scene's length rounded up to CUE_BUCKET_SECONDS (all pieces of a long scene share
    one MAX_CUE_SECONDS render) and the mix cuts it to the span and fades it: a line that lengthens a shot changes
    where the cues sit and how much of them plays, not the cues themselves.
    """
    half, overlap = MUSIC_CROSSFADE_SECONDS / 2, MUSIC_CROSSFADE_SECONDS
    last = len(timing.scenes) - 1
    spans = []
    for i, scene in enumerate(timing.scenes):
        start = timing.seconds(scene.start_frame) - (half if i > 0 else 0.0)
        end = timing.seconds(scene.start_frame + scene.frames) + (half if i < last else 0.0)
        pieces = max(1, math.ceil((end - start - overlap) / (MAX_CUE_SECONDS - overlap)))
        rendered = (MAX_CUE_SECONDS if pieces > 1
                    else min(MAX_CUE_SECONDS, math.ceil((end - start) / CUE_BUCKET_SECONDS) * CUE_BUCKET_SECONDS))
        for k in range(pieces):
            name = scene.scene_id if pieces == 1 else f"{scene.scene_id}.{k}"
            at = start + k * (MAX_CUE_SECONDS - overlap)
            seconds = min(MAX_CUE_SECONDS, end - at)
            spans.append(CueSpan(name, scene.scene_id, at, seconds, rendered, min(overlap, seconds / 4)))
    return spans


def score(state: ProductionState, runtime: Runtime[Crew]) -> ProductionState:
    from shotgraph.audio.foley import AmbienceRequest, EffectsRequest
    from shotgraph.audio.music import MusicRequest

    crew = runtime.context
    rate = crew.profile.output.sample_rate
    film_plan = _plan(state["plan"])
    timing = _timing(state["timing"])
    music_backend, foley_backend = crew.backend("music"), crew.backend("foley")
    jobs: list[tuple[str, str, Callable[[], tuple[Any, Callable[[Path], None], dict, int]]]] = []

    for span in cue_spans(timing):
        scene = film_plan.scene(span.scene_id)
        seed = seed_of(scene.id)
        music = MusicRequest(scene, span.rendered, rate, seed)
        ambience = AmbienceRequest(scene, span.rendered, rate, seed)
        jobs.append(("music", span.name, lambda music=music: (
            music_backend, lambda tmp: music_backend.render(music, tmp),
            {"cue": music.scene.music, "mood": music.scene.mood, "duration": music.duration, "rate": rate},
            music.seed)))
        jobs.append(("ambience", span.name, lambda ambience=ambience: (
            foley_backend, lambda tmp: foley_backend.ambience(ambience, tmp),
            {"ambience": ambience.scene.ambience, "duration": ambience.duration, "rate": rate}, ambience.seed)))
    for shot in film_plan.shots:
        seconds = timing.seconds(timing.shot(shot.id).frames)
        effects = EffectsRequest(shot, film_plan.scene(shot.scene), seconds, rate, shot.seed)
        jobs.append(("effects", shot.id, lambda effects=effects: (
            foley_backend, lambda tmp: foley_backend.effects(effects, tmp),
            {"cues": effects.shot.foley, "duration": effects.duration, "rate": rate}, effects.seed)))

    failures: dict[str, str] = {}

    def make(job: tuple[str, str, Callable[[], Any]]) -> tuple[str, str, str]:
        kind, item, describe = job
        backend, write, params, seed = describe()
        key = crew.key(backend, {"kind": kind, **params}, seed=seed)
        stage = "music" if kind == "music" else "foley"
        path = _attempt(crew, failures, lambda: crew.store.fetch_or_make(key, ".wav", write, stage=stage,
                                                                         backend=backend.name),
                        stage=stage, backend=backend, item=f"{kind} {item}", instead="silent for its time",
                        stand_in=lambda: _silence(crew, params["duration"], rate, stage))
        return kind, item, str(path)

    results: dict[str, dict[str, str]] = {"music": {}, "ambience": {}, "effects": {}}
    with crew.track("score", len(jobs)) as advance:
        for kind, item, path in _in_pool(jobs, make, advance):
            results[kind][item] = path
    return {**results, "failures": {**state.get("failures", {}), **failures}}  # type: ignore[return-value]


# 8. mix: stems and a loudness-normalised stereo mix ----------------------------------------------------------


MIX_STEMS = {"mix": ".m4a", "dialogue": ".wav", "music": ".wav", "effects": ".wav"}  # the mix is AAC for the cut
# measured: with the default coder a limited mix at -1.1 dBTP decoded from 192k AAC at +0.1 dBTP; with the fast
# coder (AUDIO_CODEC_ARGS) the decoded true peak was at most 0.46 dB over the mix (both examples, a 16-minute film)
AAC_HEADROOM_DB = 1.5


def mix(state: ProductionState, runtime: Runtime[Crew]) -> ProductionState:
    from shotgraph.audio.mix import MixResult, Placement, mix_film
    from shotgraph.media.encoding import AUDIO_CODEC_ARGS

    crew = runtime.context
    timing = _timing(state["timing"])
    spans = cue_spans(timing)
    music = [Placement(Path(state["music"][span.name]), span.start, seconds=span.seconds, fade=span.fade)
             for span in spans]
    effects = [Placement(Path(state["ambience"][span.name]), span.start, seconds=span.seconds, fade=span.fade)
               for span in spans]
    effects += [Placement(Path(p), timing.seconds(timing.shot(shot).start_frame)) for shot, p in state["effects"].items()]
    settings = {"mix": crew.profile.mix.model_dump(), "output": crew.profile.output.model_dump(
        include={"sample_rate", "loudness_lufs", "true_peak_dbtp"})}
    inputs = [key_of(state["timing"])] + sorted(key_of(p.path) for p in music + effects)
    key = artifact_key({"stage": "mix", "version": "3", "settings": settings, "headroom": AAC_HEADROOM_DB,
                        "codec": AUDIO_CODEC_ARGS, "cues": [(c.start, c.seconds, c.fade) for c in spans]}, inputs)
    stem_keys = {stem: artifact_key({"stage": "mix", "stem": stem}, [key]) for stem in MIX_STEMS}

    # The AAC encode overshoots inter-sample peaks; mixing below the ceiling keeps the delivered film under it.
    ceiling = crew.profile.output.true_peak_dbtp - AAC_HEADROOM_DB
    output = crew.profile.output.model_copy(update={"true_peak_dbtp": ceiling})
    with crew.track("mix", 1) as advance, tempfile.TemporaryDirectory(dir=crew.workdir) as scratch:
        mixed: list[MixResult] = []

        def stem_file(stem: str, tmp: Path) -> None:
            # The first stem not in the store mixes them all, once. Each stem is stored under its own key, so a
            # run stopped between two stores reuses those stored and stores only the rest (the mix is
            # deterministic: they match). The mix is encoded for the cut while it is being written, on the
            # other core, so the cut only copies it.
            if not mixed:
                mixed.append(mix_film(timing, music, effects, Path(scratch), output, crew.profile.mix,
                                      encode=AUDIO_CODEC_ARGS))
                log.info("mix: %.1f LUFS integrated, %.1f dBTP true peak", mixed[0].integrated_lufs,
                         mixed[0].true_peak_dbtp)
            shutil.move(mixed[0].encoded if stem == "mix" else getattr(mixed[0], stem), tmp)

        paths = {stem: str(crew.store.fetch_or_make(stem_key, MIX_STEMS[stem],
                                                    lambda tmp, stem=stem: stem_file(stem, tmp),
                                                    stage="mix", backend="numpy"))
                 for stem, stem_key in stem_keys.items()}
        advance()
    return {"mix": paths}


# 9. cut: the OTIO timeline, rendered; subtitles ------------------------------------------------------------------


def cut(state: ProductionState, runtime: Runtime[Crew]) -> ProductionState:
    from shotgraph.production.assemble import cut_film

    crew = runtime.context
    with crew.track("cut", 1) as advance:
        timing = _timing(state["timing"])
        made, parts = cut_film(crew, _screenplay(state["screenplay"]), _plan(state["plan"]), timing, state,
                               cue_spans(timing))
        advance()
    return {"cut": {kind: str(path) for kind, path in made.items()}, "cut_parts": [str(p) for p in parts]}


# 10. deliver: the film and its sidecars where the user asked ----------------------------------------------------


def deliver(state: ProductionState, runtime: Runtime[Crew]) -> ProductionState:
    crew = runtime.context
    outputs = crew.outputs
    try:
        outputs.film.parent.mkdir(parents=True, exist_ok=True)
        outputs.stems.mkdir(exist_ok=True)
        delivered = {
            "film": _place(state["cut"]["film"], outputs.film),
            "srt": _place(state["cut"]["srt"], outputs.srt),
            "vtt": _place(state["cut"]["vtt"], outputs.vtt),
            "otio": _place(state["cut"]["otio"], outputs.otio),
            "plan": _place(state["plan"], outputs.plan),
        }
        for stem in ("dialogue", "music", "effects"):
            delivered[f"{stem} stem"] = _place(state["mix"][stem], outputs.stems / f"{stem}.wav")
    except OSError as exc:
        raise ShotgraphError(f"cannot write the film to {outputs.film.parent}: {exc}") from exc
    return {"delivered": delivered}


def _place(source: str, target: Path) -> str:
    """Put a stored artifact where the user wants it, atomically (temp name + rename).

    A hard link where the store and the output share a filesystem (a feature's stems are gigabytes), a copy
    otherwise. Stored artifacts are read-only, so a tool cannot change one in place through the link.
    """
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        try:
            os.link(source, tmp)
        except OSError:
            shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)  # a full disk leaves a partial copy: never leave it beside the user's files
        raise
    return str(target)


def build_graph() -> StateGraph:
    graph = StateGraph(ProductionState, context_schema=Crew)
    steps = [("read", read), ("plan", plan), ("cast", cast), ("record", record), ("time", time_shots),
             ("shoot", shoot), ("score", score), ("mix", mix), ("cut", cut), ("deliver", deliver)]
    previous = START
    for name, node in steps:
        graph.add_node(name, node)
        graph.add_edge(previous, name)
        previous = name
    graph.add_edge(previous, END)
    return graph
