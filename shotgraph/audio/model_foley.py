"""What the foley model backends share: each cue's sound generated from its words and placed at its time in the
shot, and each scene's ambience bed generated once and looped without a seam to the scene's length."""

from __future__ import annotations

from abc import abstractmethod
from pathlib import Path
from typing import ClassVar

import numpy as np

from shotgraph.audio.foley import AmbienceRequest, EffectsRequest, FoleyBackend
from shotgraph.audio.model_audio import seamless_loop, to_film_audio
from shotgraph.audio.wav import write_wav
from shotgraph.director.plan import ScenePlan
from shotgraph.errors import BackendError
from shotgraph.models.backend import ModelBackend

EFFECT_SECONDS = 3.0  # generated per cue; the cut or the shot's end trims it
EFFECT_PEAK_DBFS = -6.0
CEILING_DBFS = -3.0
BED_RMS_DBFS = -30.0  # as the procedural beds: the mix's effects level is set against this
LOOP_CROSSFADE_S = 1.0
CUT_FADE_S = 0.01


def effect_prompt(what: str) -> str:
    return f"{what}, sound effect, close, clean, no music, no speech"


def ambience_prompt(scene: ScenePlan) -> str:
    return f"{scene.ambience}, {scene.time_of_day} ambience, steady background atmosphere, no music, no speech"


def _frames(what: str, duration: float, rate: int) -> int:
    frames = int(round(duration * rate)) if np.isfinite(duration) else 0
    if frames < 1:
        raise BackendError("foley", "model", f"{what}: duration {duration} s is not at least one sample")
    return frames


class ModelFoley(ModelBackend, FoleyBackend):
    bed_seconds: ClassVar[float] = 10.0  # the longest bed the model makes in one go; longer scenes loop it

    @abstractmethod
    def generate(self, prompts: list[str], seconds: float, seed: int, item: str) -> tuple[list[np.ndarray], int]:
        """One (samples,) or (samples, channels) float array per prompt, about `seconds` long, and their rate."""

    def effects(self, request: EffectsRequest, out: Path) -> None:
        # 1. Check inputs
        rate = request.sample_rate
        frames = _frames(f"shot {request.shot.id}", request.duration, rate)
        mix = np.zeros((frames, 2), np.float32)
        cues = request.shot.foley

        # 2. Every cue of the shot in one batch, each placed at its time (never past the cut)
        if cues:
            seconds = min(EFFECT_SECONDS, request.duration)
            sounds, model_rate = self.generate([effect_prompt(c.what) for c in cues], seconds, request.seed,
                                               f"effects {request.shot.id}")
            for cue, sound in zip(cues, sounds):
                start = min(int(round(cue.at * rate)), max(0, frames - int(0.05 * rate)))
                length = min(frames - start, int(round(seconds * rate)))
                placed = to_film_audio(sound, model_rate, rate, length) * 10 ** ((EFFECT_PEAK_DBFS + 3.0) / 20)
                tail = min(length, int(CUT_FADE_S * rate))
                placed[length - tail:] *= np.linspace(1, 0, tail, dtype=np.float32)[:, None]
                mix[start:start + length] += placed

        # 3. Under the ceiling, and written
        peak = float(np.abs(mix).max())
        ceiling = 10 ** (CEILING_DBFS / 20)
        if peak > ceiling:
            mix *= ceiling / peak
        write_wav(out, mix, rate)

    def ambience(self, request: AmbienceRequest, out: Path) -> None:
        # 1. Check inputs
        rate = request.sample_rate
        frames = _frames(f"scene {request.scene.id}", request.duration, rate)

        # 2. One bed, as long as the model makes in one go (or the scene), looped without a seam
        seconds = min(self.bed_seconds, request.duration + LOOP_CROSSFADE_S)
        (bed,), model_rate = self.generate([ambience_prompt(request.scene)], seconds, request.seed,
                                           f"ambience {request.scene.id}")
        made = to_film_audio(bed, model_rate, rate, int(round(seconds * rate)))
        looped = seamless_loop(made, frames, int(LOOP_CROSSFADE_S * rate))

        # 3. Level around BED_RMS_DBFS, a ceiling on peaks
        rms = float(np.sqrt(np.mean(looped**2)))
        if rms > 0:
            looped *= 10 ** (BED_RMS_DBFS / 20) / rms
        peak = float(np.abs(looped).max())
        if peak > 10 ** (CEILING_DBFS / 20):
            looped *= 10 ** (CEILING_DBFS / 20) / peak
        write_wav(out, looped, rate)
