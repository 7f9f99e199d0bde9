"""What the sound model backends share: model audio brought to the film's format (one polyphase resampling to
the project rate, stereo, exactly the frames asked for, a set peak) and joins of generated windows."""

from __future__ import annotations

import numpy as np

from shotgraph.audio.wav import resample

PEAK_DBFS = -3.0  # as the procedural score and foley: the mix sets the levels from there


def to_film_audio(samples: np.ndarray, model_rate: int, rate: int, frames: int, channels: int = 2) -> np.ndarray:
    """(n,) or (n, c) float audio at `model_rate` -> (frames, channels) float32 at `rate`, peak at PEAK_DBFS
    (silence stays silence). Shorter audio is padded with silence, longer is cut."""
    audio = np.asarray(samples, dtype=np.float32)
    audio = audio[:, None] if audio.ndim == 1 else audio
    audio = resample(audio, model_rate, rate)  # once, band-limited
    if audio.shape[1] != channels:
        audio = np.repeat(audio.mean(axis=1, keepdims=True), channels, axis=1)
    out = np.zeros((frames, channels), np.float32)
    out[: min(frames, len(audio))] = audio[:frames]
    peak = float(np.abs(out).max()) if out.size else 0.0
    if peak > 0:
        out *= 10 ** (PEAK_DBFS / 20) / peak
    return out


def join(first: np.ndarray, second: np.ndarray, overlap: int) -> np.ndarray:
    """`first` then `second`, the last `overlap` samples of one crossfaded (equal power) with the first of the
    other: two windows of one piece of audio join without a click."""
    overlap = min(overlap, len(first), len(second))
    if overlap == 0:
        return np.concatenate([first, second])
    t = np.linspace(0.0, np.pi / 2, overlap, dtype=np.float32)
    shape = (overlap,) + (1,) * (first.ndim - 1)
    fade_out, fade_in = np.cos(t).reshape(shape), np.sin(t).reshape(shape)
    middle = first[-overlap:] * fade_out + second[:overlap] * fade_in
    return np.concatenate([first[:-overlap], middle, second[overlap:]])


def seamless_loop(bed: np.ndarray, frames: int, overlap: int) -> np.ndarray:
    """`bed` repeated to `frames` samples with no seam: its tail is crossfaded into its head once, so the loop
    point is continuous, and the looped piece is tiled."""
    overlap = min(overlap, len(bed) // 2)
    if overlap < 1 or len(bed) >= frames:
        return np.resize(bed, (frames,) + bed.shape[1:]) if len(bed) < frames else bed[:frames]
    t = np.linspace(0.0, np.pi / 2, overlap, dtype=np.float32).reshape((overlap,) + (1,) * (bed.ndim - 1))
    loop = bed[:-overlap].copy()
    loop[:overlap] = bed[:overlap] * np.sin(t) + bed[-overlap:] * np.cos(t)  # the tail flows into the head
    repeats = -(-frames // len(loop))
    return np.concatenate([loop] * repeats)[:frames]
