"""Sound: every dialogue line in its character's voice, the score and foley, and the mix."""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from collections.abc import Callable
from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime

from shotgraph.audio.cues import cue_spans
from shotgraph.production.crew import Crew
from shotgraph.production.state import ProductionState, key_of, plan_at, screenplay_at, timing_at
from shotgraph.production.work import attempt, file_identity, in_pool, silence, user_file
from shotgraph.store import artifact_key, scratch_dir

log = logging.getLogger(__name__)


# 4. record: every dialogue line, verbatim, in its character's voice --------------------------------------------


def record(state: ProductionState, runtime: Runtime[Crew]) -> ProductionState:
    from shotgraph.audio.dialogue import DialogueRequest
    from shotgraph.audio.speech import line_language
    from shotgraph.audio.wav import wav_info
    from shotgraph.characters.slots import cast_slots
    from shotgraph.director.rules.timing import line_seconds

    crew = runtime.context
    screenplay = screenplay_at(state["screenplay"])
    film_plan = plan_at(state["plan"])
    backend = crew.backend("dialogue")
    slots = cast_slots(c.name for c in film_plan.characters)  # from names, not cast order: see characters.slots
    by_name = {c.name: (slots[c.name], c) for c in film_plan.characters}
    rate = crew.profile.output.sample_rate

    failures: dict[str, str] = {}

    def make(line: Any) -> tuple[str, tuple[str, float]]:
        slot, character = by_name[line.character]
        sample = user_file(crew, character.voice_sample)
        request = DialogueRequest(line, character, slot, rate, sample, crew.profile.language)
        # the words and how they are delivered; not where they sit in the file
        words = {"text": line.text, "parts": [(p.kind, p.text) for p in line.parts], "extensions": line.extensions}
        params = {"line": words, "voice": character.voice, "sample": file_identity(sample), "voice_slot": slot,
                  "sample_rate": rate}
        language = line_language(line.text, crew.profile.language)
        if language != "en":  # the line's language voice; English keys are as they were before lines had one
            params["language"] = language
        key = crew.key(backend, params)
        path = attempt(
            crew, failures, lambda: crew.store.fetch_or_make(key, ".wav", lambda tmp: backend.render(request, tmp),
                                                             stage="dialogue", backend=backend.name),
            stage="dialogue", backend=backend, item=line.id, label=f"line {line.id}",
            instead="silent for its time, its subtitle kept",
            stand_in=lambda: silence(crew, line_seconds(line), rate, "dialogue"))
        frames, _, sample_rate = wav_info(path)
        return line.id, (str(path), frames / sample_rate)

    lines = list(screenplay.dialogue())
    with crew.track("record", len(lines)) as advance:
        recordings = in_pool(lines, make, advance)
    return {"recordings": dict(recordings), "failures": {**state.get("failures", {}), **failures}}


# 7. score: music per scene, ambience per scene, effects per shot ----------------------------------------------

@dataclass(frozen=True)
class ScoreJob:
    """One cue of the score stage: music or ambience for a scene, effects for a shot."""

    kind: str  # "music", "ambience" or "effects"
    item: str  # the scene's cue name or the shot id
    backend: Any
    params: dict[str, Any]  # what goes into its key besides the backend
    seed: int
    write: Callable[[Path], None]

    @property
    def stage(self) -> str:
        return "music" if self.kind == "music" else "foley"

    def key(self, crew: Crew) -> str:
        return crew.key(self.backend, {"kind": self.kind, **self.params}, seed=self.seed)


def score_jobs(crew: Crew, screenplay: Any, film_plan: Any, timing: Any) -> list[ScoreJob]:
    """Every cue the score stage makes for `timing`, music first (each model loads once, invariant 4)."""
    from shotgraph.audio.foley import AmbienceRequest, EffectsRequest
    from shotgraph.audio.music import MusicRequest
    from shotgraph.director.rules.numbering import scene_anchors, scene_seed

    anchors = scene_anchors(screenplay)
    rate = crew.profile.output.sample_rate
    music_backend, foley_backend = crew.backend("music"), crew.backend("foley")
    music_jobs: list[ScoreJob] = []
    foley_jobs: list[ScoreJob] = []
    for span in cue_spans(timing):
        scene = film_plan.scene(span.scene_id)
        seed = scene_seed(anchors[scene.id])  # not from its ordinal id: a scene inserted before keeps it
        music = MusicRequest(scene, span.rendered, rate, seed)
        ambience = AmbienceRequest(scene, span.rendered, rate, seed)
        music_jobs.append(ScoreJob(
            "music", span.name, music_backend,
            {"cue": scene.music, "mood": scene.mood, "duration": music.duration, "rate": rate}, seed,
            lambda tmp, music=music: music_backend.render(music, tmp)))
        foley_jobs.append(ScoreJob(
            "ambience", span.name, foley_backend,
            {"ambience": scene.ambience, "duration": ambience.duration, "rate": rate}, seed,
            lambda tmp, ambience=ambience: foley_backend.ambience(ambience, tmp)))
    for shot in film_plan.shots:
        seconds = timing.seconds(timing.shot(shot.id).frames)
        effects = EffectsRequest(shot, film_plan.scene(shot.scene), seconds, rate, shot.seed)
        foley_jobs.append(ScoreJob(
            "effects", shot.id, foley_backend, {"cues": shot.foley, "duration": effects.duration, "rate": rate},
            shot.seed, lambda tmp, effects=effects: foley_backend.effects(effects, tmp)))
    return music_jobs + foley_jobs


def score(state: ProductionState, runtime: Runtime[Crew]) -> ProductionState:
    crew = runtime.context
    rate = crew.profile.output.sample_rate
    jobs = score_jobs(crew, screenplay_at(state["screenplay"]), plan_at(state["plan"]), timing_at(state["timing"]))
    failures: dict[str, str] = {}

    def make(job: ScoreJob) -> tuple[str, str, str]:
        path = attempt(crew, failures, lambda: crew.store.fetch_or_make(job.key(crew), ".wav", job.write,
                                                                        stage=job.stage, backend=job.backend.name),
                       stage=job.stage, backend=job.backend, item=f"{job.kind} {job.item}",
                       instead="silent for its time",
                       stand_in=lambda: silence(crew, job.params["duration"], rate, job.stage))
        return job.kind, job.item, str(path)

    results: dict[str, dict[str, str]] = {"music": {}, "ambience": {}, "effects": {}}
    with crew.track("score", len(jobs)) as advance:
        for batch in ([j for j in jobs if j.kind == "music"], [j for j in jobs if j.kind != "music"]):
            for kind, item, path in in_pool(batch, make, advance):  # stage by stage: each model loads once
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
    timing = timing_at(state["timing"])
    spans = cue_spans(timing)
    music = [Placement(Path(state["music"][span.name]), span.start, seconds=span.seconds, fade=span.fade)
             for span in spans]
    effects = [Placement(Path(state["ambience"][span.name]), span.start, seconds=span.seconds, fade=span.fade)
               for span in spans]
    effects += [Placement(Path(p), timing.seconds(timing.shot(shot).start_frame)) for shot, p in state["effects"].items()]
    settings = {"mix": crew.profile.mix.model_dump(), "output": crew.profile.output.model_dump(
        include={"sample_rate", "loudness_lufs", "true_peak_dbtp"})}
    inputs = [key_of(state["timing"])] + sorted(key_of(p.path) for p in music + effects)
    # 4: the stems at the mix's master gain, so that they sum to it
    key = artifact_key({"stage": "mix", "version": "4", "settings": settings, "headroom": AAC_HEADROOM_DB,
                        "codec": AUDIO_CODEC_ARGS, "cues": [(c.start, c.seconds, c.fade) for c in spans]}, inputs)
    stem_keys = {stem: artifact_key({"stage": "mix", "stem": stem}, [key]) for stem in MIX_STEMS}

    # The AAC encode overshoots inter-sample peaks; mixing below the ceiling keeps the delivered film under it.
    ceiling = crew.profile.output.true_peak_dbtp - AAC_HEADROOM_DB
    output = crew.profile.output.model_copy(update={"true_peak_dbtp": ceiling})
    with crew.track("mix", 1) as advance, scratch_dir(crew.store.objects, "mix") as scratch:
        mixed: list[MixResult] = []
        paths: dict[str, str] = {}

        def store(stem: str) -> None:
            paths[stem] = str(crew.store.fetch_or_make(stem_keys[stem], MIX_STEMS[stem],
                                                       lambda tmp: stem_file(stem, tmp), stage="mix", backend="numpy"))

        def stem_file(stem: str, tmp: Path) -> None:
            # The first stem not in the store mixes them all, once. Each stem is stored under its own key, so a
            # run stopped between two stores reuses those stored and stores only the rest (the mix is
            # deterministic: they match). The mix is encoded for the cut while it is being written, on the
            # other core, so the cut only copies it; the WAV stems are stored (moved, hashed) while the encoder
            # finishes.
            if not mixed:
                def store_the_others(result: MixResult) -> None:  # the WAV stems, while the AAC is finished
                    mixed.append(result)
                    for other in MIX_STEMS:
                        if other not in paths and other != stem:
                            store(other)

                result = mix_film(timing, music, effects, Path(scratch), output, crew.profile.mix,
                                  encode=AUDIO_CODEC_ARGS, while_encoding=store_the_others)
                log.info("mix: %.1f LUFS integrated, %.1f dBTP true peak", result.integrated_lufs,
                         result.true_peak_dbtp)
            shutil.move(mixed[0].encoded if stem == "mix" else getattr(mixed[0], stem), tmp)

        for stem in MIX_STEMS:
            if stem not in paths:
                store(stem)
        advance()
    return {"mix": {stem: paths[stem] for stem in MIX_STEMS}}
