"""The draft foley backend: effects synthesised from each cue's words, and an ambience bed per scene.

Every sound is built from noise bursts, filtered resonances and envelopes. A cue is recognised by the first
keyword of EFFECTS found in its words; anything else gets a soft filtered-noise hit sized by its words, so no cue
is ever silent. Beds are chosen the same way from AMBIENCES. Deterministic from the seed and the cue's words.
"""

from __future__ import annotations

import logging
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from shotgraph.audio.foley import AmbienceRequest, EffectsRequest, FoleyBackend
from shotgraph.audio.foley_beds import AMBIENCES, Bed, room_tone
from shotgraph.audio.foley_effects import has_word, effect_for
from shotgraph.errors import BackendError

log = logging.getLogger(__name__)

SYNTH_VERSION = "2"  # 2: beds without edge fades; the mix fades each bed where it cuts it
PEAK_DBFS = -3.0
AMBIENCE_RMS_DBFS = -30.0


def beds_for(ambience: str) -> list[Bed]:
    """Every bed whose keyword is in the scene's ambience ('rain, traffic' layers both); room tone if none."""
    words = ambience.lower()
    beds: list[Bed] = []
    for keyword, bed in AMBIENCES.items():
        if has_word(words, keyword) and bed not in beds:
            beds.append(bed)
    if not beds:
        log.info("ambience %r not recognised; using room tone (known words: %s)", ambience, sorted(AMBIENCES))
        beds.append(room_tone)
    return beds


# --- the backend -------------------------------------------------------------------------------------------------


def _frames(kind: str, what: str, duration: float, sr: int) -> int:
    frames = int(round(duration * sr)) if np.isfinite(duration) else 0
    if frames < 1:
        raise BackendError("foley", "procedural", f"{kind} {what}: duration {duration} s is not at least one sample")
    return frames


def _limit(x: np.ndarray, what: str) -> np.ndarray:
    peak = float(np.abs(x).max()) if x.size else 0.0
    ceiling = 10 ** (PEAK_DBFS / 20) * 0.98
    if peak > ceiling:
        log.debug("foley %s: peak %.1f dBFS brought down to %.1f dBFS", what, 20 * np.log10(peak), PEAK_DBFS)
        x *= ceiling / peak
    return x


class ProceduralFoley(FoleyBackend):
    name = "procedural"
    version = SYNTH_VERSION

    def cache_params(self) -> dict[str, Any]:
        return {"sample_rate": self.profile.output.sample_rate, "synthesis": SYNTH_VERSION}

    def effects(self, request: EffectsRequest, out: Path) -> None:
        from shotgraph.audio.wav import write_wav

        # 1. Check inputs
        sr = request.sample_rate
        frames = _frames("shot", request.shot.id, request.duration, sr)
        mix = np.zeros((2, frames), dtype=np.float32)

        # 2. Synthesise each cue and place it at its time
        for index, cue in enumerate(request.shot.foley):
            keyword, synth, peak_db = effect_for(cue.what)
            if not keyword:
                log.info("foley %s: no effect known for %r; using a soft generic hit", request.shot.id, cue.what)
            rng = np.random.default_rng([request.seed, zlib.crc32(cue.what.encode()), index])
            sound = synth(rng, sr, cue.what.lower())
            sound = (sound * (10 ** (peak_db / 20) / max(float(np.abs(sound).max()), 1e-9))).astype(np.float32)
            start = int(round(cue.at * sr))
            if start > max(0, frames - int(0.05 * sr)):  # at or past the cut: move it back so it is heard
                start = max(0, frames - len(sound))
                log.warning("foley %s: cue %r at %.2f s is past the shot's end (%.2f s); placed at %.2f s",
                            request.shot.id, cue.what, cue.at, request.duration, start / sr)
            end = min(frames, start + len(sound))
            if end - start < len(sound):  # the cut comes first: fade the last 10 ms instead of clicking
                sound = sound[: end - start]
                tail = min(len(sound), int(0.01 * sr))
                sound[len(sound) - tail :] *= np.linspace(1, 0, tail, dtype=np.float32)
            pan = float(rng.uniform(-0.25, 0.25))
            mix[0, start:end] += (1 - pan) * sound
            mix[1, start:end] += (1 + pan) * sound

        # 3. Keep the peak under the ceiling and write
        write_wav(out, np.ascontiguousarray(_limit(mix, request.shot.id).T), sr)

    def ambience(self, request: AmbienceRequest, out: Path) -> None:
        from shotgraph.audio.wav import write_wav

        # 1. Check inputs
        sr = request.sample_rate
        frames = _frames("scene", request.scene.id, request.duration, sr)

        # 2. Layer the beds the scene names, each at equal loudness
        bed = np.zeros((2, frames), dtype=np.float32)
        for index, make in enumerate(beds_for(request.scene.ambience)):
            layer = make(np.random.default_rng([request.seed, index]), frames, sr).astype(np.float32)
            rms = float(np.sqrt(np.mean(layer**2))) if frames else 0.0
            bed += layer / max(rms, 1e-12)

        # 3. Level around -30 dBFS RMS, a ceiling on peaks; the mix fades the bed where the scene cuts it
        rms = float(np.sqrt(np.mean(bed**2))) if frames else 0.0
        if rms > 0:
            bed *= 10 ** (AMBIENCE_RMS_DBFS / 20) / rms
        _limit(bed, request.scene.id)
        write_wav(out, np.ascontiguousarray(bed.T), sr)
