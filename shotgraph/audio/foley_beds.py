"""Ambience beds, each built from noise and sprinkled events: room tone, rain, wind, traffic, sea, crowds ...

Each takes (rng, frames, sample rate) and returns a stereo (2, frames) bed; the foley backend sets its level and
picks the beds whose keywords are in the scene's ambience.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from shotgraph.audio.foley_effects import band, car, foghorn, noise_hit, times



def _slow(rng: np.random.Generator, frames: int, sr: int, rate_hz: float, depth: float) -> np.ndarray:
    """A smooth random modulation curve around 1 at about `rate_hz` (control points interpolated)."""
    points = max(2, int(frames / sr * rate_hz) + 2)
    control = 1 + depth * (2 * rng.random(points) - 1)
    return np.interp(np.arange(frames), np.linspace(0, frames, points), control).astype(np.float32)


def _noise(rng, frames):
    return rng.standard_normal((2, frames), dtype=np.float32)


def _sprinkle(bed: np.ndarray, rng, sr: int, per_second: float, make: Callable[[], np.ndarray]) -> None:
    """Add sparse details at random times, in place, each panned at random, drawn from a bank of a few variants."""
    frames = bed.shape[1]
    count = int(rng.poisson(per_second * frames / sr))
    bank = [make().astype(np.float32) for _ in range(min(count, 12))]
    for _ in range(count):
        sound = bank[int(rng.integers(len(bank)))] * float(rng.uniform(0.5, 1.0))
        start = int(rng.integers(0, max(1, frames)))
        end = min(frames, start + len(sound))
        pan = float(rng.uniform(-0.7, 0.7))
        bed[0, start:end] += (1 - pan) * sound[: end - start]
        bed[1, start:end] += (1 + pan) * sound[: end - start]


def room_tone(rng, frames, sr):
    return band(_noise(rng, frames), sr, 40, 400)


def _rain(rng, frames, sr):
    bed = band(_noise(rng, frames), sr, 1500, 9000) * _slow(rng, frames, sr, 0.3, 0.15)
    _sprinkle(bed, rng, sr, 25, lambda: noise_hit(rng, sr, 0.02, 0.003, 3000, 12000) * rng.uniform(1, 4))
    return bed


def _wind(rng, frames, sr):
    return band(_noise(rng, frames), sr, 120, 900) * _slow(rng, frames, sr, 0.4, 0.6)


def _traffic(rng, frames, sr):
    bed = band(_noise(rng, frames), sr, 60, 700) * _slow(rng, frames, sr, 0.25, 0.5)
    _sprinkle(bed, rng, sr, 0.05, lambda: car(rng, sr, "horn") * 0.3)
    return bed


def _crowd(rng, frames, sr):
    return band(_noise(rng, frames), sr, 300, 3000) * _slow(rng, frames, sr, 4.0, 0.35)


def _sea(rng, frames, sr):
    t = np.arange(frames, dtype=np.float32) / sr
    waves = (0.3 + 0.7 * np.sin(np.pi * t / 7.3) ** 4).astype(np.float32)  # a wave breaks every ~7 s
    bed = band(_noise(rng, frames), sr, 100, 2500) * waves * _slow(rng, frames, sr, 0.2, 0.2)
    _sprinkle(bed, rng, sr, 0.03, lambda: foghorn(rng, sr, "") * 0.15)  # a distant horn now and then
    return bed


def _forest(rng, frames, sr):
    bed = 0.5 * _wind(rng, frames, sr)

    def chirp():
        m = int(rng.uniform(0.06, 0.15) * sr)
        t = times(m, sr)
        f0 = rng.uniform(2500, 4500)
        return 0.4 * np.sin(2 * np.pi * f0 * (t + rng.uniform(-3, 6) * t * t)) * np.sin(np.pi * t / t[-1])

    _sprinkle(bed, rng, sr, 1.5, chirp)
    return bed


def _crickets(rng, frames, sr):
    t = np.arange(frames, dtype=np.float64) / sr
    bed = 0.3 * room_tone(rng, frames, sr)
    for f, period, offset in ((4600.0, 0.83, 0.0), (4250.0, 1.07, 0.4)):
        in_chirp = ((t + offset) % period) < 0.12
        pulses = (np.sin(2 * np.pi * 30 * t) > 0) & in_chirp  # three wing strokes per chirp
        tone = (np.sin(2 * np.pi * f * t) * pulses).astype(np.float32)
        bed[0] += 0.6 * tone if f > 4400 else 0.3 * tone
        bed[1] += 0.3 * tone if f > 4400 else 0.6 * tone
    return bed


def _office(rng, frames, sr):
    t = np.arange(frames, dtype=np.float64) / sr
    hum = (np.sin(2 * np.pi * 60 * t) + 0.5 * np.sin(2 * np.pi * 120 * t) + 0.2 * np.sin(2 * np.pi * 180 * t))
    bed = band(_noise(rng, frames), sr, 60, 500) + 0.3 * hum.astype(np.float32)
    return bed


Bed = Callable[[np.random.Generator, int, int], np.ndarray]
AMBIENCES: dict[str, Bed] = {
    "room": room_tone, "interior": room_tone, "tone": room_tone, "silence": room_tone, "quiet": room_tone,
    "rain": _rain, "storm": _rain, "drizzle": _rain,
    "wind": _wind, "breeze": _wind,
    "traffic": _traffic, "street": _traffic, "city": _traffic, "road": _traffic,
    "crowd": _crowd, "restaurant": _crowd, "bar": _crowd, "party": _crowd, "market": _crowd, "cafe": _crowd,
    "sea": _sea, "ocean": _sea, "harbour": _sea, "harbor": _sea, "beach": _sea, "dock": _sea, "waves": _sea,
    "forest": _forest, "woods": _forest, "park": _forest, "birds": _forest,
    "night": _crickets, "cricket": _crickets,
    "office": _office, "hum": _office, "hvac": _office,
}
