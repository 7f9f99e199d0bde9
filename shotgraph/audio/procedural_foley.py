"""The draft foley backend: effects synthesised from each cue's words, and an ambience bed per scene.

Every sound is built from noise bursts, filtered resonances and envelopes. A cue is recognised by the first
keyword of EFFECTS found in its words; anything else gets a soft filtered-noise hit sized by its words, so no cue
is ever silent. Beds are chosen the same way from AMBIENCES. Deterministic from the seed and the cue's words.
"""

from __future__ import annotations

import logging
import re
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from scipy import signal

from shotgraph.audio.foley import AmbienceRequest, EffectsRequest, FoleyBackend
from shotgraph.errors import BackendError

log = logging.getLogger(__name__)

SYNTH_VERSION = "2"  # 2: beds without edge fades; the mix fades each bed where it cuts it
PEAK_DBFS = -3.0
AMBIENCE_RMS_DBFS = -30.0


# --- building blocks ---------------------------------------------------------------------------------------------


def _t(m: int, sr: int) -> np.ndarray:
    return np.arange(m) / sr


def _decay(m: int, sr: int, tau: float, attack: float = 0.001) -> np.ndarray:
    """Exponential decay with a short linear attack so the onset is sharp but does not click."""
    env = np.exp(-_t(m, sr) / tau)
    a = max(1, min(m, int(attack * sr)))
    env[:a] *= np.arange(a) / a
    return env


def _band(x: np.ndarray, sr: int, lo: float | None, hi: float | None, order: int = 2) -> np.ndarray:
    nyq = 0.45 * sr
    if lo and hi:
        sos = signal.butter(order, (lo, min(hi, nyq)), btype="band", fs=sr, output="sos")
    elif lo:
        sos = signal.butter(order, lo, btype="high", fs=sr, output="sos")
    else:
        sos = signal.butter(order, min(hi, nyq), btype="low", fs=sr, output="sos")
    return signal.sosfilt(sos, x, axis=-1)


def _modes(sr: int, seconds: float, partials: list[tuple[float, float, float]]) -> np.ndarray:
    """Modal synthesis: (frequency Hz, amplitude, decay time s) per partial, struck at t = 0."""
    m = int(seconds * sr)
    t = _t(m, sr)
    y = np.zeros(m)
    for f, amp, tau in partials:
        if f < 0.45 * sr:
            y += amp * np.sin(2 * np.pi * f * t) * np.exp(-t / tau)
    return y * _decay(m, sr, 1e9, attack=0.0005)


def _at(y: np.ndarray, sr: int, events: list[tuple[float, np.ndarray]]) -> np.ndarray:
    """Mix `events` (start s, sound) into a buffer at least as long as `y`."""
    end = max([len(y)] + [int(s * sr) + len(e) for s, e in events])
    out = np.zeros(end)
    out[: len(y)] += y
    for s, e in events:
        i = int(s * sr)
        out[i : i + len(e)] += e
    return out


def _noise_hit(rng: np.random.Generator, sr: int, seconds: float, tau: float, lo: float | None, hi: float | None):
    m = int(seconds * sr)
    return _band(rng.standard_normal(m), sr, lo, hi) * _decay(m, sr, tau)


# --- effects -----------------------------------------------------------------------------------------------------
# Each takes (rng, sample rate, the cue's words in lower case) and returns a mono sound that starts at index 0.


def _door(rng, sr, words):
    latch = _modes(sr, 0.08, [(2300, 0.5, 0.01), (3700, 0.3, 0.008)]) + _noise_hit(rng, sr, 0.08, 0.006, 2000, 8000)
    if "slam" in words:
        thud = _noise_hit(rng, sr, 0.6, 0.09, None, 300) * 3 + _modes(sr, 0.6, [(85, 1.0, 0.12), (170, 0.5, 0.08)])
        return _at(thud, sr, [(0.0, latch), (0.03, 0.3 * _noise_hit(rng, sr, 0.4, 0.05, 300, 3000))])
    if "creak" in words or "open" in words:
        creak = _creak(rng, sr, 0.9 if "creak" in words else 0.5)
        return _at(latch, sr, [(0.05, creak)])
    return _at(latch, sr, [(0.01, 0.8 * _noise_hit(rng, sr, 0.3, 0.05, None, 400))])  # close: latch and a soft thud


def _creak(rng, sr, seconds):
    """Stick-slip friction: an irregular pulse train at a few tens of Hz through wood-like resonances."""
    m = int(seconds * sr)
    rate = 35 + 25 * np.sin(np.linspace(0, np.pi * rng.uniform(1, 2), m))
    phase = np.cumsum(rate / sr)
    pulses = np.diff(np.floor(phase), prepend=0.0) * (0.6 + 0.4 * rng.random(m))
    y = sum(_band(pulses, sr, f * 0.9, f * 1.1) for f in (450, 900, 1600))
    return y * np.sin(np.pi * np.arange(m) / m) ** 0.5 * 8


def _footsteps(rng, sr, words):
    count = 6 if "run" in words else 4
    gap = 0.28 if "run" in words else 0.5
    steps = []
    for k in range(count):
        heel = _noise_hit(rng, sr, 0.12, 0.02, 60, 700) * 2 + _noise_hit(rng, sr, 0.12, 0.01, 1500, 6000) * 0.4
        steps.append((k * gap + (rng.normal(0, 0.015) if k else 0.0), heel * (0.8 + 0.2 * rng.random())))
    return _at(np.zeros(1), sr, [(max(0.0, s), e) for s, e in steps])


def _gunshot(rng, sr, words):
    m = int(0.25 * sr)
    crack = rng.standard_normal(m) * _decay(m, sr, 0.02, attack=0.0002)  # broadband, instant
    boom = _modes(sr, 0.6, [(55, 1.5, 0.15), (90, 0.8, 0.1)])
    tail = _noise_hit(rng, sr, 1.5, 0.35, None, 1500) * 0.25  # the shot rolling off the surroundings
    return _at(boom, sr, [(0.0, crack), (0.02, tail)])


def _glass(rng, sr, words):
    if "clink" in words or "toast" in words:
        return _modes(sr, 0.7, [(2630, 1.0, 0.25), (4210, 0.5, 0.18), (6120, 0.3, 0.1)])
    shards = [(float(rng.uniform(0, 0.5)) ** 1.5, _modes(sr, 0.3, [(float(rng.uniform(2500, 9000)), 0.3, 0.05)]))
              for _ in range(25)]
    burst = _noise_hit(rng, sr, 0.4, 0.06, 2500, None) * 2
    return _at(burst, sr, shards)


def _phone(rng, sr, words):
    if "buzz" in words or "vibrat" in words:
        m = int(1.6 * sr)
        t = _t(m, sr)
        y = np.sign(np.sin(2 * np.pi * 160 * t)) * 0.3
        gate = ((t % 0.8) < 0.5).astype(float)
        return _band(y * gate, sr, 100, 1200)
    m = int(2.6 * sr)  # a two-tone electronic ring: on 1 s, off 0.5 s, on 1 s
    t = _t(m, sr)
    tone = np.sin(2 * np.pi * 1000 * t) + np.sin(2 * np.pi * 1250 * t)
    trill = 0.5 + 0.5 * np.sign(np.sin(2 * np.pi * 20 * t) + 1e-9)
    gate = ((t < 1.0) | ((t >= 1.5) & (t < 2.5))).astype(float)
    return 0.5 * tone * trill * gate * _decay(m, sr, 1e9, attack=0.002)


def _engine(rng, sr, seconds=2.0, rpm_hz=32.0):
    m = int(seconds * sr)
    t = _t(m, sr)
    rate = rpm_hz * (1 + 0.05 * np.sin(2 * np.pi * 0.7 * t))
    phase = 2 * np.pi * np.cumsum(rate) / sr
    y = sum(np.sin(k * phase) / k for k in range(1, 8)) + 0.5 * _band(rng.standard_normal(m), sr, 80, 400)
    return _band(y, sr, None, 900) * _decay(m, sr, 1e9, attack=0.03)


def _car(rng, sr, words):
    if "horn" in words or "honk" in words:
        m = int(0.6 * sr)
        t = _t(m, sr)
        y = np.sign(np.sin(2 * np.pi * 400 * t)) + np.sign(np.sin(2 * np.pi * 500 * t))
        return _band(y, sr, 300, 3000) * _decay(m, sr, 1e9, attack=0.01)
    if "pass" in words or " by" in words or "drive" in words:
        seconds = 3.0
        m = int(seconds * sr)
        t = _t(m, sr) - seconds / 2
        closeness = 1 / (1 + (t / 0.5) ** 2)
        doppler = 1 + 0.08 * np.tanh(-t / 0.4)
        y = _engine(rng, sr, seconds, 40.0)
        y = y + 0.6 * _band(rng.standard_normal(m), sr, 300, 3000) * closeness  # tyres
        y *= closeness
        # pitch bend by resampling along a warped time axis
        idx = np.clip(np.cumsum(doppler), 0, m - 1)
        return np.interp(idx, np.arange(m), y)
    return _engine(rng, sr)


def _knock(rng, sr, words):
    knock = _modes(sr, 0.15, [(190, 1.0, 0.05), (420, 0.6, 0.03), (950, 0.3, 0.015)])
    knock = knock + _noise_hit(rng, sr, 0.15, 0.004, 800, 4000) * 0.6
    return _at(knock, sr, [(0.2, knock * 0.9), (0.4, knock)])


def _thunder(rng, sr, words):
    m = int(4.0 * sr)
    crack = _noise_hit(rng, sr, 0.5, 0.06, None, 3000) * 2
    rumble = _band(np.cumsum(rng.standard_normal(m)) * 0.02, sr, 25, 200)
    control = np.interp(np.arange(m), np.linspace(0, m, 40), rng.random(40) ** 2)
    return _at(rumble * control * _decay(m, sr, 1.3, attack=0.01) * 6, sr, [(0.0, crack)])


def _foghorn(rng, sr, words):
    m = int(2.5 * sr)
    t = _t(m, sr)
    y = sum(np.sin(2 * np.pi * 110 * k * t) / k**1.2 for k in range(1, 9))
    env = np.minimum(1, t / 0.04) * np.minimum(1, (t[-1] - t) / 0.6)
    return _band(y, sr, None, 800) * env


def _bell(rng, sr, words):
    f = 440.0 if "small" in words or "door" in words else 220.0
    ratios = [(0.5, 0.6, 2.5), (1.0, 1.0, 2.0), (1.19, 0.6, 1.5), (1.5, 0.5, 1.2), (2.0, 0.4, 1.0), (2.74, 0.3, 0.6)]
    return _modes(sr, 3.0, [(f * r, a, d) for r, a, d in ratios])


def _splash(rng, sr, words):
    body = _noise_hit(rng, sr, 0.9, 0.15, 400, 5000) * 1.5
    bubbles = []
    for _ in range(12):
        m = int(0.05 * sr)
        f0 = rng.uniform(600, 1800)
        t = _t(m, sr)
        bubble = 0.3 * np.sin(2 * np.pi * f0 * (t + 8 * t * t)) * _decay(m, sr, 0.015)  # a rising blip
        bubbles.append((float(rng.uniform(0.05, 0.7)), bubble))
    return _at(body, sr, bubbles)


def _wind_gust(rng, sr, words):
    m = int(2.0 * sr)
    t = _t(m, sr)
    swell = np.sin(np.pi * t / t[-1]) ** 2
    return _band(rng.standard_normal(m), sr, 250, 1400) * swell * 1.5 * _decay(m, sr, 1e9, attack=0.005)


def _typing(rng, sr, words):
    def click():
        return _noise_hit(rng, sr, 0.03, 0.004, 2000, 9000) + _modes(sr, 0.03, [(rng.uniform(900, 1600), 0.3, 0.01)])

    times, at = [], 0.0
    while at < 1.5:
        times.append(at)
        at += float(rng.uniform(0.08, 0.22))
    return _at(np.zeros(1), sr, [(at, click()) for at in times])


def _crash(rng, sr, words):
    body = _at(_noise_hit(rng, sr, 1.5, 0.3, None, 6000) * 2, sr, [(0.0, _modes(sr, 1.0, [(70, 1.0, 0.2)]))])
    debris = [(float(rng.uniform(0.05, 1.2)), _noise_hit(rng, sr, 0.05, 0.01, 1000, 8000) * rng.uniform(0.2, 0.8))
              for _ in range(30)]
    return _at(body, sr, debris)


def _generic(rng, sr, words):
    """A soft filtered-noise hit: longer for more words, its colour from the words themselves."""
    seconds = float(np.clip(0.2 + 0.1 * len(words.split()), 0.25, 1.0))
    centre = 300 + zlib.crc32(words.encode()) % 2500
    return _noise_hit(rng, sr, seconds, seconds / 4, centre / 2, centre * 2)


Effect = Callable[[np.random.Generator, int, str], np.ndarray]

# Keyword -> (synth, peak level dBFS). The first keyword found in the cue's words wins, so specific words come first.
EFFECTS: dict[str, tuple[Effect, float]] = {
    "footstep": (_footsteps, -14.0), "steps": (_footsteps, -14.0), "walk": (_footsteps, -14.0),
    "gunshot": (_gunshot, -4.0), "gunfire": (_gunshot, -4.0), "gun": (_gunshot, -4.0),
    "shot": (_gunshot, -4.0), "bang": (_gunshot, -4.0),
    "glass": (_glass, -10.0), "shatter": (_glass, -10.0), "clink": (_glass, -12.0),
    "knock": (_knock, -10.0),
    "doorbell": (_bell, -12.0), "bell": (_bell, -10.0), "chime": (_bell, -12.0),
    "door": (_door, -10.0),
    "phone": (_phone, -14.0), "telephone": (_phone, -14.0), "cellphone": (_phone, -14.0),
    "ring": (_phone, -14.0), "buzz": (_phone, -16.0),
    "car": (_car, -10.0), "honk": (_car, -10.0), "traffic": (_car, -14.0),
    "thunder": (_thunder, -6.0),
    "foghorn": (_foghorn, -10.0), "horn": (_foghorn, -10.0),
    "splash": (_splash, -10.0), "water": (_splash, -12.0),
    "wind": (_wind_gust, -14.0), "gust": (_wind_gust, -14.0),
    "engine": (lambda rng, sr, w: _engine(rng, sr), -12.0), "motor": (lambda rng, sr, w: _engine(rng, sr), -12.0),
    "typing": (_typing, -18.0), "keyboard": (_typing, -18.0), "keys": (_typing, -18.0),
    "crash": (_crash, -6.0), "smash": (_crash, -6.0),
}
GENERIC_PEAK_DBFS = -16.0


def _has_word(words: str, keyword: str) -> bool:
    """`keyword` is a word of `words`, maybe inflected ('rings', 'ringing' have 'ring'; 'bring' does not)."""
    return re.search(rf"\b{re.escape(keyword)}(?:s|es|ed|ing|y)?\b", words) is not None


def effect_for(what: str) -> tuple[str, Effect, float]:
    """(keyword, synth, peak dBFS) for a cue: the first keyword that starts one of its words; else the generic hit."""
    words = what.lower()
    for keyword, (synth, peak) in EFFECTS.items():
        if _has_word(words, keyword):
            return keyword, synth, peak
    return "", _generic, GENERIC_PEAK_DBFS


# --- ambience beds -----------------------------------------------------------------------------------------------
# Each takes (rng, frames, sample rate) and returns a stereo (2, frames) bed; the backend sets its level.


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


def _room_tone(rng, frames, sr):
    return _band(_noise(rng, frames), sr, 40, 400)


def _rain(rng, frames, sr):
    bed = _band(_noise(rng, frames), sr, 1500, 9000) * _slow(rng, frames, sr, 0.3, 0.15)
    _sprinkle(bed, rng, sr, 25, lambda: _noise_hit(rng, sr, 0.02, 0.003, 3000, 12000) * rng.uniform(1, 4))
    return bed


def _wind(rng, frames, sr):
    return _band(_noise(rng, frames), sr, 120, 900) * _slow(rng, frames, sr, 0.4, 0.6)


def _traffic(rng, frames, sr):
    bed = _band(_noise(rng, frames), sr, 60, 700) * _slow(rng, frames, sr, 0.25, 0.5)
    _sprinkle(bed, rng, sr, 0.05, lambda: _car(rng, sr, "horn") * 0.3)
    return bed


def _crowd(rng, frames, sr):
    return _band(_noise(rng, frames), sr, 300, 3000) * _slow(rng, frames, sr, 4.0, 0.35)


def _sea(rng, frames, sr):
    t = np.arange(frames, dtype=np.float32) / sr
    waves = (0.3 + 0.7 * np.sin(np.pi * t / 7.3) ** 4).astype(np.float32)  # a wave breaks every ~7 s
    bed = _band(_noise(rng, frames), sr, 100, 2500) * waves * _slow(rng, frames, sr, 0.2, 0.2)
    _sprinkle(bed, rng, sr, 0.03, lambda: _foghorn(rng, sr, "") * 0.15)  # a distant horn now and then
    return bed


def _forest(rng, frames, sr):
    bed = 0.5 * _wind(rng, frames, sr)

    def chirp():
        m = int(rng.uniform(0.06, 0.15) * sr)
        t = _t(m, sr)
        f0 = rng.uniform(2500, 4500)
        return 0.4 * np.sin(2 * np.pi * f0 * (t + rng.uniform(-3, 6) * t * t)) * np.sin(np.pi * t / t[-1])

    _sprinkle(bed, rng, sr, 1.5, chirp)
    return bed


def _crickets(rng, frames, sr):
    t = np.arange(frames, dtype=np.float64) / sr
    bed = 0.3 * _room_tone(rng, frames, sr)
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
    bed = _band(_noise(rng, frames), sr, 60, 500) + 0.3 * hum.astype(np.float32)
    return bed


Bed = Callable[[np.random.Generator, int, int], np.ndarray]
AMBIENCES: dict[str, Bed] = {
    "room": _room_tone, "interior": _room_tone, "tone": _room_tone, "silence": _room_tone, "quiet": _room_tone,
    "rain": _rain, "storm": _rain, "drizzle": _rain,
    "wind": _wind, "breeze": _wind,
    "traffic": _traffic, "street": _traffic, "city": _traffic, "road": _traffic,
    "crowd": _crowd, "restaurant": _crowd, "bar": _crowd, "party": _crowd, "market": _crowd, "cafe": _crowd,
    "sea": _sea, "ocean": _sea, "harbour": _sea, "harbor": _sea, "beach": _sea, "dock": _sea, "waves": _sea,
    "forest": _forest, "woods": _forest, "park": _forest, "birds": _forest,
    "night": _crickets, "cricket": _crickets,
    "office": _office, "hum": _office, "hvac": _office,
}


def beds_for(ambience: str) -> list[Bed]:
    """Every bed whose keyword is in the scene's ambience ('rain, traffic' layers both); room tone if none."""
    words = ambience.lower()
    beds: list[Bed] = []
    for keyword, bed in AMBIENCES.items():
        if _has_word(words, keyword) and bed not in beds:
            beds.append(bed)
    if not beds:
        log.info("ambience %r not recognised; using room tone (known words: %s)", ambience, sorted(AMBIENCES))
        beds.append(_room_tone)
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
