"""The score's synthesis voices: pad, strings, piano, pluck, bass, tick and drone, each a stereo note from a pitch.

Each takes (midi pitch, frames, sample rate, brightness) and returns float32 (2, frames).
"""

from __future__ import annotations

import numpy as np

Stereo = np.ndarray  # float32, shape (2, frames)


# --- synthesis voices --------------------------------------------------------------------------------------------


def _hz(midi: float) -> float:
    return 440.0 * 2.0 ** ((midi - 69.0) / 12.0)


def _saw(freq: float, n: int, sr: int, phase: float = 0.0, vibrato: float = 0.0) -> np.ndarray:
    """Band-limited (polyBLEP) sawtooth."""
    dt = freq / sr
    if vibrato:
        inc = dt * (1.0 + vibrato * np.sin(2 * np.pi * 5.2 * np.arange(n) / sr))
        t = (phase + np.cumsum(inc)) % 1.0
    else:
        t = (phase + dt * np.arange(n)) % 1.0
    y = 2.0 * t - 1.0
    lo = t < dt
    x = t[lo] / dt
    y[lo] -= x + x - x * x - 1.0
    hi = t > 1.0 - dt
    x = (t[hi] - 1.0) / dt
    y[hi] -= x * x + x + x + 1.0
    return y


def _envelope(n: int, tail: int, sr: int, attack: float, release: float) -> np.ndarray:
    """Raised-cosine attack over `attack` s, sustain to `n`, then a cosine release over `tail` frames."""
    env = np.ones(n + tail)
    a = max(1, min(int(attack * sr), n))
    env[:a] = 0.5 - 0.5 * np.cos(np.pi * np.arange(a) / a)
    if tail:
        env[n:] = 0.5 + 0.5 * np.cos(np.pi * np.arange(tail) / tail)
    return env


def _lowpass(x: np.ndarray, cutoff: float, sr: int, order: int = 2) -> np.ndarray:
    from scipy import signal  # imported when sound is made: it takes most of a second
    sos = signal.butter(order, min(cutoff, 0.45 * sr), fs=sr, output="sos")
    return signal.sosfilt(sos, x, axis=-1)


def pad(midi: int, n: int, sr: int, brightness: float) -> Stereo:
    tail = int(0.9 * sr)
    f = _hz(midi)
    left = _saw(f * 2 ** (-7 / 1200), n + tail, sr, 0.1) + 0.6 * np.sin(2 * np.pi * f * np.arange(n + tail) / sr)
    right = _saw(f * 2 ** (7 / 1200), n + tail, sr, 0.6) + 0.6 * np.sin(2 * np.pi * f * np.arange(n + tail) / sr)
    out = _lowpass(np.stack([left, right]), 900 * brightness + 2 * f, sr)
    return out * _envelope(n, tail, sr, attack=min(0.8, 0.4 * n / sr), release=0.9) * 0.5


def strings(midi: int, n: int, sr: int, brightness: float) -> Stereo:
    tail = int(0.7 * sr)
    f = _hz(midi)
    saws = [_saw(f * 2 ** (c / 1200), n + tail, sr, p, vibrato=0.002) for c, p in ((-9, 0.0), (0, 0.37), (9, 0.71))]
    out = _lowpass(np.stack([saws[0] + 0.5 * saws[1], saws[2] + 0.5 * saws[1]]), 2200 * brightness + 2 * f, sr)
    return out * _envelope(n, tail, sr, attack=min(0.5, 0.35 * n / sr), release=0.7) * 0.4


def _decaying_harmonics(midi: int, n: int, sr: int, decay: float, partials: int, pan: float) -> Stereo:
    f = _hz(midi)
    m = n + int(min(3.0, 3.5 / decay) * sr)
    t = np.arange(m) / sr
    y = np.zeros(m)
    for k in range(1, partials + 1):
        fk = f * k * (1 + 0.0004 * k * k)  # slight stiffness, as a struck string
        if fk > 0.45 * sr:
            break
        y += np.sin(2 * np.pi * fk * t) * np.exp(-t * decay * k**0.7) / k**1.4
    env = _envelope(n, m - n, sr, attack=0.003, release=0.0)
    env[n:] = np.exp(-np.arange(m - n) / (0.08 * sr))  # damper when the key is released
    y *= env
    return np.stack([y * (1 - pan), y * (1 + pan)]) * 0.5


def piano(midi: int, n: int, sr: int, brightness: float) -> Stereo:
    return _decaying_harmonics(midi, n, sr, decay=1.6, partials=8, pan=0.25 * ((midi % 12) / 6 - 1))


def pluck(midi: int, n: int, sr: int, brightness: float) -> Stereo:
    return _decaying_harmonics(midi, n, sr, decay=4.0, partials=6, pan=0.3 * ((midi % 7) / 3.5 - 1))


def bass(midi: int, n: int, sr: int, brightness: float) -> Stereo:
    tail = int(0.12 * sr)
    f = _hz(midi)
    t = np.arange(n + tail) / sr
    y = np.sin(2 * np.pi * f * t) + 0.25 * np.sin(4 * np.pi * f * t) + 0.08 * np.sin(6 * np.pi * f * t)
    y *= _envelope(n, tail, sr, attack=0.012, release=0.12) * np.exp(-t * 0.6)
    return np.stack([y, y]) * 0.6


def tick(accent: int, n: int, sr: int, brightness: float) -> Stereo:
    """A percussive tick: band-passed noise, plus a low thump on accented beats. `accent` plays the pitch's part."""
    from scipy import signal  # imported when sound is made: it takes most of a second
    m = int(0.25 * sr)
    rng = np.random.default_rng(1000 + accent)
    t = np.arange(m) / sr
    noise = signal.sosfilt(signal.butter(2, (3500, 9000), btype="band", fs=sr, output="sos"), rng.standard_normal(m))
    y = noise * np.exp(-t / 0.025) * (1.0 if accent else 0.6)
    if accent:
        y += 1.4 * np.sin(2 * np.pi * (55 * t + 60 * 0.03 * (1 - np.exp(-t / 0.03)))) * np.exp(-t / 0.12)
    return np.stack([y, y]) * 1.2


def drone(tonic_midi: int, n: int, sr: int, brightness: float) -> Stereo:
    """Low fifths that breathe slowly over the whole cue.

    One swell period is synthesised with every partial tuned to a whole number of cycles in it, then tiled:
    seamless, and cheap however long the scene.
    """
    period = int(round(sr / 0.07))
    t = np.arange(period, dtype=np.float64) / sr
    loop = np.zeros((2, period))
    for interval, gain in ((0, 1.0), (7, 0.6), (12, 0.35)):
        for ch, detune, phase in ((0, 0.999, 0.0), (1, 1.001, 0.5)):
            cycles = round(_hz(tonic_midi + interval) * detune * period / sr)
            loop[ch] += gain * np.sin(2 * np.pi * cycles * t * sr / period + phase)
    loop *= 0.75 - 0.25 * np.cos(2 * np.pi * t * sr / period)
    reps = -(-n // period)
    return np.tile((loop * 0.35).astype(np.float32), reps)[:, :n]
