"""Effects synthesised from a cue's words: noise bursts, filtered resonances and envelopes, one synth per kind.

A cue is recognised by the first keyword of EFFECTS found in its words; anything else gets a soft filtered-noise
hit sized by its words, so no cue is ever silent. Deterministic from the generator passed in and the words.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable

import numpy as np


# --- building blocks ---------------------------------------------------------------------------------------------


def times(m: int, sr: int) -> np.ndarray:
    return np.arange(m) / sr


def decay(m: int, sr: int, tau: float, attack: float = 0.001) -> np.ndarray:
    """Exponential decay with a short linear attack so the onset is sharp but does not click."""
    env = np.exp(-times(m, sr) / tau)
    a = max(1, min(m, int(attack * sr)))
    env[:a] *= np.arange(a) / a
    return env


def band(x: np.ndarray, sr: int, lo: float | None, hi: float | None, order: int = 2) -> np.ndarray:
    from scipy import signal  # imported when sound is made: it takes most of a second
    nyq = 0.45 * sr
    if lo and hi:
        sos = signal.butter(order, (lo, min(hi, nyq)), btype="band", fs=sr, output="sos")
    elif lo:
        sos = signal.butter(order, lo, btype="high", fs=sr, output="sos")
    else:
        sos = signal.butter(order, min(hi, nyq), btype="low", fs=sr, output="sos")
    return signal.sosfilt(sos, x, axis=-1)


def modes(sr: int, seconds: float, partials: list[tuple[float, float, float]]) -> np.ndarray:
    """Modal synthesis: (frequency Hz, amplitude, decay time s) per partial, struck at t = 0."""
    m = int(seconds * sr)
    t = times(m, sr)
    y = np.zeros(m)
    for f, amp, tau in partials:
        if f < 0.45 * sr:
            y += amp * np.sin(2 * np.pi * f * t) * np.exp(-t / tau)
    return y * decay(m, sr, 1e9, attack=0.0005)


def _at(y: np.ndarray, sr: int, events: list[tuple[float, np.ndarray]]) -> np.ndarray:
    """Mix `events` (start s, sound) into a buffer at least as long as `y`."""
    end = max([len(y)] + [int(s * sr) + len(e) for s, e in events])
    out = np.zeros(end)
    out[: len(y)] += y
    for s, e in events:
        i = int(s * sr)
        out[i : i + len(e)] += e
    return out


def noise_hit(rng: np.random.Generator, sr: int, seconds: float, tau: float, lo: float | None, hi: float | None):
    m = int(seconds * sr)
    return band(rng.standard_normal(m), sr, lo, hi) * decay(m, sr, tau)


# --- effects -----------------------------------------------------------------------------------------------------
# Each takes (rng, sample rate, the cue's words in lower case) and returns a mono sound that starts at index 0.


def door(rng, sr, words):
    latch = modes(sr, 0.08, [(2300, 0.5, 0.01), (3700, 0.3, 0.008)]) + noise_hit(rng, sr, 0.08, 0.006, 2000, 8000)
    if "slam" in words:
        thud = noise_hit(rng, sr, 0.6, 0.09, None, 300) * 3 + modes(sr, 0.6, [(85, 1.0, 0.12), (170, 0.5, 0.08)])
        return _at(thud, sr, [(0.0, latch), (0.03, 0.3 * noise_hit(rng, sr, 0.4, 0.05, 300, 3000))])
    if "creak" in words or "open" in words:
        sound = creak(rng, sr, 0.9 if "creak" in words else 0.5)
        return _at(latch, sr, [(0.05, sound)])
    return _at(latch, sr, [(0.01, 0.8 * noise_hit(rng, sr, 0.3, 0.05, None, 400))])  # close: latch and a soft thud


def creak(rng, sr, seconds):
    """Stick-slip friction: an irregular pulse train at a few tens of Hz through wood-like resonances."""
    m = int(seconds * sr)
    rate = 35 + 25 * np.sin(np.linspace(0, np.pi * rng.uniform(1, 2), m))
    phase = np.cumsum(rate / sr)
    pulses = np.diff(np.floor(phase), prepend=0.0) * (0.6 + 0.4 * rng.random(m))
    y = sum(band(pulses, sr, f * 0.9, f * 1.1) for f in (450, 900, 1600))
    return y * np.sin(np.pi * np.arange(m) / m) ** 0.5 * 8


def footsteps(rng, sr, words):
    count = 6 if "run" in words else 4
    gap = 0.28 if "run" in words else 0.5
    steps = []
    for k in range(count):
        heel = noise_hit(rng, sr, 0.12, 0.02, 60, 700) * 2 + noise_hit(rng, sr, 0.12, 0.01, 1500, 6000) * 0.4
        steps.append((k * gap + (rng.normal(0, 0.015) if k else 0.0), heel * (0.8 + 0.2 * rng.random())))
    return _at(np.zeros(1), sr, [(max(0.0, s), e) for s, e in steps])


def gunshot(rng, sr, words):
    m = int(0.25 * sr)
    crack = rng.standard_normal(m) * decay(m, sr, 0.02, attack=0.0002)  # broadband, instant
    boom = modes(sr, 0.6, [(55, 1.5, 0.15), (90, 0.8, 0.1)])
    tail = noise_hit(rng, sr, 1.5, 0.35, None, 1500) * 0.25  # the shot rolling off the surroundings
    return _at(boom, sr, [(0.0, crack), (0.02, tail)])


def glass(rng, sr, words):
    if "clink" in words or "toast" in words:
        return modes(sr, 0.7, [(2630, 1.0, 0.25), (4210, 0.5, 0.18), (6120, 0.3, 0.1)])
    shards = [(float(rng.uniform(0, 0.5)) ** 1.5, modes(sr, 0.3, [(float(rng.uniform(2500, 9000)), 0.3, 0.05)]))
              for _ in range(25)]
    burst = noise_hit(rng, sr, 0.4, 0.06, 2500, None) * 2
    return _at(burst, sr, shards)


def phone(rng, sr, words):
    if "buzz" in words or "vibrat" in words:
        m = int(1.6 * sr)
        t = times(m, sr)
        y = np.sign(np.sin(2 * np.pi * 160 * t)) * 0.3
        gate = ((t % 0.8) < 0.5).astype(float)
        return band(y * gate, sr, 100, 1200)
    m = int(2.6 * sr)  # a two-tone electronic ring: on 1 s, off 0.5 s, on 1 s
    t = times(m, sr)
    tone = np.sin(2 * np.pi * 1000 * t) + np.sin(2 * np.pi * 1250 * t)
    trill = 0.5 + 0.5 * np.sign(np.sin(2 * np.pi * 20 * t) + 1e-9)
    gate = ((t < 1.0) | ((t >= 1.5) & (t < 2.5))).astype(float)
    return 0.5 * tone * trill * gate * decay(m, sr, 1e9, attack=0.002)


def engine(rng, sr, seconds=2.0, rpm_hz=32.0):
    m = int(seconds * sr)
    t = times(m, sr)
    rate = rpm_hz * (1 + 0.05 * np.sin(2 * np.pi * 0.7 * t))
    phase = 2 * np.pi * np.cumsum(rate) / sr
    y = sum(np.sin(k * phase) / k for k in range(1, 8)) + 0.5 * band(rng.standard_normal(m), sr, 80, 400)
    return band(y, sr, None, 900) * decay(m, sr, 1e9, attack=0.03)


def car(rng, sr, words):
    if "horn" in words or "honk" in words:
        m = int(0.6 * sr)
        t = times(m, sr)
        y = np.sign(np.sin(2 * np.pi * 400 * t)) + np.sign(np.sin(2 * np.pi * 500 * t))
        return band(y, sr, 300, 3000) * decay(m, sr, 1e9, attack=0.01)
    if "pass" in words or " by" in words or "drive" in words:
        seconds = 3.0
        m = int(seconds * sr)
        t = times(m, sr) - seconds / 2
        closeness = 1 / (1 + (t / 0.5) ** 2)
        doppler = 1 + 0.08 * np.tanh(-t / 0.4)
        y = engine(rng, sr, seconds, 40.0)
        y = y + 0.6 * band(rng.standard_normal(m), sr, 300, 3000) * closeness  # tyres
        y *= closeness
        # pitch bend by resampling along a warped time axis
        idx = np.clip(np.cumsum(doppler), 0, m - 1)
        return np.interp(idx, np.arange(m), y)
    return engine(rng, sr)


def knock(rng, sr, words):
    knock = modes(sr, 0.15, [(190, 1.0, 0.05), (420, 0.6, 0.03), (950, 0.3, 0.015)])
    knock = knock + noise_hit(rng, sr, 0.15, 0.004, 800, 4000) * 0.6
    return _at(knock, sr, [(0.2, knock * 0.9), (0.4, knock)])


def thunder(rng, sr, words):
    m = int(4.0 * sr)
    crack = noise_hit(rng, sr, 0.5, 0.06, None, 3000) * 2
    rumble = band(np.cumsum(rng.standard_normal(m)) * 0.02, sr, 25, 200)
    control = np.interp(np.arange(m), np.linspace(0, m, 40), rng.random(40) ** 2)
    return _at(rumble * control * decay(m, sr, 1.3, attack=0.01) * 6, sr, [(0.0, crack)])


def foghorn(rng, sr, words):
    m = int(2.5 * sr)
    t = times(m, sr)
    y = sum(np.sin(2 * np.pi * 110 * k * t) / k**1.2 for k in range(1, 9))
    env = np.minimum(1, t / 0.04) * np.minimum(1, (t[-1] - t) / 0.6)
    return band(y, sr, None, 800) * env


def bell(rng, sr, words):
    f = 440.0 if "small" in words or "door" in words else 220.0
    ratios = [(0.5, 0.6, 2.5), (1.0, 1.0, 2.0), (1.19, 0.6, 1.5), (1.5, 0.5, 1.2), (2.0, 0.4, 1.0), (2.74, 0.3, 0.6)]
    return modes(sr, 3.0, [(f * r, a, d) for r, a, d in ratios])


def splash(rng, sr, words):
    body = noise_hit(rng, sr, 0.9, 0.15, 400, 5000) * 1.5
    bubbles = []
    for _ in range(12):
        m = int(0.05 * sr)
        f0 = rng.uniform(600, 1800)
        t = times(m, sr)
        bubble = 0.3 * np.sin(2 * np.pi * f0 * (t + 8 * t * t)) * decay(m, sr, 0.015)  # a rising blip
        bubbles.append((float(rng.uniform(0.05, 0.7)), bubble))
    return _at(body, sr, bubbles)


def wind_gust(rng, sr, words):
    m = int(2.0 * sr)
    t = times(m, sr)
    swell = np.sin(np.pi * t / t[-1]) ** 2
    return band(rng.standard_normal(m), sr, 250, 1400) * swell * 1.5 * decay(m, sr, 1e9, attack=0.005)


def typing(rng, sr, words):
    def click():
        return noise_hit(rng, sr, 0.03, 0.004, 2000, 9000) + modes(sr, 0.03, [(rng.uniform(900, 1600), 0.3, 0.01)])

    times, at = [], 0.0
    while at < 1.5:
        times.append(at)
        at += float(rng.uniform(0.08, 0.22))
    return _at(np.zeros(1), sr, [(at, click()) for at in times])


def crash(rng, sr, words):
    body = _at(noise_hit(rng, sr, 1.5, 0.3, None, 6000) * 2, sr, [(0.0, modes(sr, 1.0, [(70, 1.0, 0.2)]))])
    debris = [(float(rng.uniform(0.05, 1.2)), noise_hit(rng, sr, 0.05, 0.01, 1000, 8000) * rng.uniform(0.2, 0.8))
              for _ in range(30)]
    return _at(body, sr, debris)


def generic(rng, sr, words):
    """A soft filtered-noise hit: longer for more words, its colour from the words themselves."""
    seconds = float(np.clip(0.2 + 0.1 * len(words.split()), 0.25, 1.0))
    centre = 300 + zlib.crc32(words.encode()) % 2500
    return noise_hit(rng, sr, seconds, seconds / 4, centre / 2, centre * 2)


Effect = Callable[[np.random.Generator, int, str], np.ndarray]

# Keyword -> (synth, peak level dBFS). The first keyword found in the cue's words wins, so specific words come first.
EFFECTS: dict[str, tuple[Effect, float]] = {
    "footstep": (footsteps, -14.0), "steps": (footsteps, -14.0), "walk": (footsteps, -14.0),
    "gunshot": (gunshot, -4.0), "gunfire": (gunshot, -4.0), "gun": (gunshot, -4.0),
    "shot": (gunshot, -4.0), "bang": (gunshot, -4.0),
    "glass": (glass, -10.0), "shatter": (glass, -10.0), "clink": (glass, -12.0),
    "knock": (knock, -10.0),
    "doorbell": (bell, -12.0), "bell": (bell, -10.0), "chime": (bell, -12.0),
    "door": (door, -10.0),
    "phone": (phone, -14.0), "telephone": (phone, -14.0), "cellphone": (phone, -14.0),
    "ring": (phone, -14.0), "buzz": (phone, -16.0),
    "car": (car, -10.0), "honk": (car, -10.0), "traffic": (car, -14.0),
    "thunder": (thunder, -6.0),
    "foghorn": (foghorn, -10.0), "horn": (foghorn, -10.0),
    "splash": (splash, -10.0), "water": (splash, -12.0),
    "wind": (wind_gust, -14.0), "gust": (wind_gust, -14.0),
    "engine": (lambda rng, sr, w: engine(rng, sr), -12.0), "motor": (lambda rng, sr, w: engine(rng, sr), -12.0),
    "typing": (typing, -18.0), "keyboard": (typing, -18.0), "keys": (typing, -18.0),
    "crash": (crash, -6.0), "smash": (crash, -6.0),
}
GENERIC_PEAK_DBFS = -16.0


def has_word(words: str, keyword: str) -> bool:
    """`keyword` is a word of `words`, maybe inflected ('rings', 'ringing' have 'ring'; 'bring' does not)."""
    return re.search(rf"\b{re.escape(keyword)}(?:s|es|ed|ing|y)?\b", words) is not None


def effect_for(what: str) -> tuple[str, Effect, float]:
    """(keyword, synth, peak dBFS) for a cue: the first keyword that starts one of its words; else the generic hit."""
    words = what.lower()
    for keyword, (synth, peak) in EFFECTS.items():
        if has_word(words, keyword):
            return keyword, synth, peak
    return "", generic, GENERIC_PEAK_DBFS
