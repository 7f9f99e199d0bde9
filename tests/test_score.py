"""The procedural score: exact length, level, determinism, and that tempo and mood are audible in the result."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from scipy import signal

from shotgraph.audio.music import MUSIC_BACKENDS, MusicRequest
from shotgraph.audio.wav import read_wav
from shotgraph.backend import load_backend
from shotgraph.config import Profile
from shotgraph.director.plan import MusicCue, ScenePlan
from shotgraph.errors import BackendError

SR = 22050

# Krumhansl-Kessler key profiles, C major and C minor.
MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])


@pytest.fixture(scope="module")
def score():
    return load_backend("music", "procedural", MUSIC_BACKENDS, Profile())


def scene(mood="warm", bpm=96, instruments=(), intensity=0.5) -> ScenePlan:
    return ScenePlan(id="sc001", mood=mood, lighting="tungsten", time_of_day="night", ambience="room tone",
                     music=MusicCue(mood=mood, tempo_bpm=bpm, instrumentation=list(instruments), intensity=intensity))


def render(score, tmp_path, plan, duration, seed=1, sr=SR) -> np.ndarray:
    out = tmp_path / f"cue-{plan.music.mood}-{plan.music.tempo_bpm}-{duration}-{seed}-{sr}.wav"
    score.render(MusicRequest(scene=plan, duration=duration, sample_rate=sr, seed=seed), out)
    samples, rate = read_wav(out)
    assert rate == sr
    return samples


def db(x: float) -> float:
    return 20 * np.log10(max(x, 1e-12))


@pytest.mark.parametrize("duration,sr", [(0.3, SR), (1.0, SR), (2.345, SR), (7.0, SR), (1.5, 48000)])
def test_cue_is_exactly_the_scene_length_in_stereo(score, tmp_path, duration, sr):
    samples = render(score, tmp_path, scene(), duration, sr=sr)
    assert samples.shape == (round(duration * sr), 2)
    assert samples.dtype == np.float32


@pytest.mark.parametrize("mood", ["tense", "eerie", "melancholy", "warm", "joyful", "calm", "bittersweet"])
def test_every_mood_is_audible_and_under_the_peak_ceiling(score, tmp_path, mood):
    samples = render(score, tmp_path, scene(mood), 5.0)
    assert db(float(np.sqrt(np.mean(samples**2)))) > -35
    assert db(float(np.abs(samples).max())) <= -3.0


def test_same_seed_same_cue_other_seed_other_cue(score, tmp_path):
    plan = scene("joyful", instruments=["pluck", "bass", "pulse"])
    (tmp_path / "again").mkdir()
    a = render(score, tmp_path, plan, 4.0, seed=3)
    b = render(score, tmp_path / "again", plan, 4.0, seed=3)
    c = render(score, tmp_path, plan, 4.0, seed=4)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def beat_period(samples: np.ndarray, sr: int, lo: float, hi: float) -> float:
    """The lag (s) in [lo, hi] where the autocorrelation of the spectral-flux onset envelope peaks."""
    hop = 256
    _, _, spec = signal.stft(samples.mean(axis=1), fs=sr, nperseg=1024, noverlap=1024 - hop)
    flux = np.maximum(np.diff(np.log1p(1000 * np.abs(spec)), axis=1), 0.0).sum(axis=0)
    flux -= flux.mean()
    ac = np.correlate(flux, flux, mode="full")[len(flux) - 1 :]
    lags = np.arange(len(ac)) * hop / sr
    window = (lags >= lo) & (lags <= hi)
    return float(lags[window][np.argmax(ac[window])])


@pytest.mark.parametrize("bpm", [80, 120])
def test_the_beat_follows_the_tempo(score, tmp_path, bpm):
    samples = render(score, tmp_path, scene("tense", bpm=bpm, instruments=["pulse", "pad"], intensity=0.5), 12.0)
    assert beat_period(samples, SR, 0.3, 0.9) == pytest.approx(60.0 / bpm, rel=0.04)


def key_of(samples: np.ndarray, sr: int) -> tuple[int, str]:
    """(tonic pitch class, 'major'|'minor') that best fits the cue's chroma (Krumhansl-Schmuckler)."""
    mono = samples.mean(axis=1).astype(np.float64)
    power = np.abs(np.fft.rfft(mono)) ** 2
    freqs = np.fft.rfftfreq(len(mono), 1 / sr)
    band = (freqs > 60) & (freqs < 2000)
    pcs = np.round(12 * np.log2(freqs[band] / 440.0) + 69).astype(int) % 12
    chroma = np.bincount(pcs, weights=power[band], minlength=12)
    fits = [(np.corrcoef(np.roll(profile, tonic), chroma)[0, 1], tonic, mode)
            for mode, profile in (("major", MAJOR), ("minor", MINOR)) for tonic in range(12)]
    _, tonic, mode = max(fits)
    return tonic, mode


@pytest.mark.parametrize("seed", [1, 2])
def test_tense_sounds_minor_and_warm_sounds_major(score, tmp_path, seed):
    instruments = ["pad", "piano", "bass"]
    tense = render(score, tmp_path, scene("tense", bpm=90, instruments=instruments), 16.0, seed=seed)
    warm = render(score, tmp_path, scene("warm", bpm=90, instruments=instruments), 16.0, seed=seed)
    assert key_of(tense, SR)[1] == "minor"
    assert key_of(warm, SR)[1] == "major"
    tonic, _ = key_of(tense, SR)
    assert score.sketch(scene("tense").music, seed).tonic == tonic


def test_unknown_instrument_plays_as_a_pad_and_says_so(score, tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="shotgraph.audio.score"):
        samples = render(score, tmp_path, scene("calm", instruments=["theremin"]), 3.0)
    assert "theremin" in caplog.text
    assert db(float(np.sqrt(np.mean(samples**2)))) > -35


def test_cache_params_name_the_sample_rate_and_synthesis_version(score):
    params = score.key_fields()["params"]
    assert params["sample_rate"] == Profile().output.sample_rate
    assert "synthesis" in params


def test_a_zero_length_scene_is_refused_with_its_name(score, tmp_path):
    with pytest.raises(BackendError, match="sc001"):
        render(score, tmp_path, scene(), 0.0)
