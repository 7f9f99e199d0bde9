"""Procedural foley: effects land on their cue times with the right character; beds have the right level."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from shotgraph.audio.foley import FOLEY_BACKENDS, AmbienceRequest, EffectsRequest
from shotgraph.audio.foley_effects import EFFECTS
from shotgraph.audio.wav import read_wav
from shotgraph.backend import load_backend
from shotgraph.config import Profile
from shotgraph.director.plan import FoleyCue, MusicCue, ScenePlan, Shot, ShotSize
from shotgraph.errors import BackendError

SR = 22050


@pytest.fixture(scope="module")
def foley():
    return load_backend("foley", "procedural", FOLEY_BACKENDS, Profile())


def scene(ambience="room tone") -> ScenePlan:
    return ScenePlan(id="sc001", mood="tense", lighting="sodium street light", time_of_day="night", ambience=ambience,
                     music=MusicCue(mood="tense", tempo_bpm=90, intensity=0.5))


def shot(*cues: tuple[str, float]) -> Shot:
    return Shot(id="sc001-sh01", scene="sc001", size=ShotSize.WIDE, prompt="a street at night", min_duration=1.0,
                seed=0, foley=[FoleyCue(what=what, at=at) for what, at in cues])


def effects(foley, tmp_path, cues, duration, seed=1, name="fx.wav") -> np.ndarray:
    out = tmp_path / name
    foley.effects(EffectsRequest(shot=shot(*cues), scene=scene(), duration=duration, sample_rate=SR, seed=seed), out)
    samples, rate = read_wav(out)
    assert rate == SR
    return samples


def ambience(foley, tmp_path, what, duration, seed=1) -> np.ndarray:
    out = tmp_path / f"bed-{what}-{duration}-{seed}.wav"
    foley.ambience(AmbienceRequest(scene=scene(what), duration=duration, sample_rate=SR, seed=seed), out)
    samples, rate = read_wav(out)
    assert rate == SR
    return samples


def db(x: float) -> float:
    return 20 * np.log10(max(x, 1e-12))


def rms_db(x: np.ndarray) -> float:
    return db(float(np.sqrt(np.mean(x.astype(np.float64) ** 2))))


def onset(samples: np.ndarray, sr: int, after: float) -> float:
    """First time at or after `after` where the 2 ms energy rises above a tenth of the loudest 2 ms after it."""
    mono = np.abs(samples[int(after * sr) :]).max(axis=1)
    hop = int(0.002 * sr)
    energy = mono[: len(mono) // hop * hop].reshape(-1, hop).max(axis=1)
    return after + int(np.argmax(energy > 0.1 * energy.max())) * hop / sr


def spectral_flatness(samples: np.ndarray, sr: int) -> float:
    power = np.abs(np.fft.rfft(samples.mean(axis=1).astype(np.float64))) ** 2 + 1e-20
    freqs = np.fft.rfftfreq(len(samples), 1 / sr)
    band = power[(freqs > 100) & (freqs < 8000)]
    return float(np.exp(np.mean(np.log(band))) / np.mean(band))


def centroid(samples: np.ndarray, sr: int) -> float:
    power = np.abs(np.fft.rfft(samples.mean(axis=1).astype(np.float64))) ** 2
    freqs = np.fft.rfftfreq(len(samples), 1 / sr)
    return float((freqs * power).sum() / power.sum())


@pytest.mark.parametrize("duration", [0.3, 2.0, 5.55])
def test_effects_and_bed_are_exactly_the_requested_length(foley, tmp_path, duration):
    fx = effects(foley, tmp_path, [("door slams", 0.1)], duration)
    bed = ambience(foley, tmp_path, "rain", duration)
    assert fx.shape == bed.shape == (round(duration * SR), 2)
    assert fx.dtype == bed.dtype == np.float32


@pytest.mark.parametrize("what", ["the door slams", "a gunshot", "knock at the door", "a glass breaks",
                                  "a phone rings", "church bell", "thunder", "something clatters"])
def test_each_cue_starts_on_its_time(foley, tmp_path, what):
    samples = effects(foley, tmp_path, [(what, 0.73)], 4.0)
    assert float(np.abs(samples[: int(0.7 * SR)]).max()) == 0.0
    assert onset(samples, SR, 0.0) == pytest.approx(0.73, abs=0.02)
    assert db(float(np.abs(samples).max())) <= -3.0


@pytest.mark.parametrize("keyword", sorted(EFFECTS))
def test_every_known_effect_is_audible_from_its_cue_time(foley, tmp_path, keyword):
    samples = effects(foley, tmp_path, [(f"a {keyword} here", 0.5)], 2.5)
    assert float(np.abs(samples[: int(0.5 * SR) - 1]).max()) == 0.0
    assert rms_db(samples[int(0.5 * SR) :]) > -50
    assert db(float(np.abs(samples).max())) <= -3.0


def test_several_cues_in_one_shot_each_land(foley, tmp_path):
    samples = effects(foley, tmp_path, [("knock", 0.4), ("door creaks open", 1.9), ("gunshot", 3.3)], 5.0)
    for at in (0.4, 1.9, 3.3):
        assert onset(samples, SR, at - 0.15) == pytest.approx(at, abs=0.02)


def test_same_seed_same_effects_other_seed_other_effects(foley, tmp_path):
    cues = [("glass shatters", 0.2), ("footsteps", 1.0)]
    a = effects(foley, tmp_path, cues, 3.0, seed=5, name="a.wav")
    b = effects(foley, tmp_path, cues, 3.0, seed=5, name="b.wav")
    c = effects(foley, tmp_path, cues, 3.0, seed=6, name="c.wav")
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_a_gunshot_is_broadband_and_a_phone_ring_is_tonal(foley, tmp_path):
    gun = effects(foley, tmp_path, [("gunshot", 0.0)], 1.0, name="gun.wav")
    phone = effects(foley, tmp_path, [("phone rings", 0.0)], 1.0, name="phone.wav")
    assert spectral_flatness(gun, SR) > 20 * spectral_flatness(phone, SR)


def test_an_unknown_cue_falls_back_to_an_audible_hit_and_says_so(foley, tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="shotgraph.audio.procedural_foley"):
        samples = effects(foley, tmp_path, [("a mysterious flumph", 0.5)], 2.0)
    assert "flumph" in caplog.text
    assert rms_db(samples[int(0.5 * SR) : int(0.8 * SR)]) > -45


def test_a_cue_past_the_end_is_moved_into_the_shot_and_logged(foley, tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="shotgraph.audio.procedural_foley"):
        samples = effects(foley, tmp_path, [("knock", 3.5)], 2.0)
    assert "past the shot's end" in caplog.text
    assert rms_db(samples[-int(0.6 * SR) :]) > -45


def test_rain_is_brighter_than_room_tone(foley, tmp_path):
    assert centroid(ambience(foley, tmp_path, "heavy rain", 4.0), SR) > 2 * centroid(
        ambience(foley, tmp_path, "room tone", 4.0), SR)


@pytest.mark.parametrize("what", ["room tone", "rain", "wind", "traffic", "crowd", "harbour", "forest",
                                  "night crickets", "office hum", "rain on a busy street", "the void"])
def test_beds_sit_around_minus_30_dbfs(foley, tmp_path, what):
    bed = ambience(foley, tmp_path, what, 6.0)
    assert rms_db(bed[SR : 5 * SR]) == pytest.approx(-30.0, abs=2.0)
    assert db(float(np.abs(bed).max())) <= -3.0


def test_beds_are_deterministic(foley, tmp_path):
    (tmp_path / "again").mkdir()
    a = ambience(foley, tmp_path, "forest", 2.0, seed=2)
    b = ambience(foley, tmp_path / "again", "forest", 2.0, seed=2)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, ambience(foley, tmp_path, "forest", 2.0, seed=3))


def test_cache_params_name_the_sample_rate_and_synthesis_version(foley):
    params = foley.key_fields()["params"]
    assert params["sample_rate"] == Profile().output.sample_rate
    assert "synthesis" in params


def test_a_zero_length_request_is_refused_with_its_name(foley, tmp_path):
    with pytest.raises(BackendError, match="sc001-sh01"):
        effects(foley, tmp_path, [("knock", 0.0)], 0.0)
    with pytest.raises(BackendError, match="sc001"):
        ambience(foley, tmp_path, "rain", 0.0)
