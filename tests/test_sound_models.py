"""The sound crew on tiny random-weight models: MusicGen scores; durations to the sample, stereo, one load."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import tiny_models
from shotgraph.audio import musicgen as musicgen_module
from shotgraph.audio.model_audio import PEAK_DBFS, join, seamless_loop, to_film_audio
from shotgraph.audio.music import MusicRequest
from shotgraph.audio.musicgen import MusicGenScore, music_prompt
from shotgraph.audio.wav import read_wav
from shotgraph.config import Profile, StageChoice
from shotgraph.director.plan import MusicCue, ScenePlan

RATE = 48000
SCENE = ScenePlan(id="sc002", mood="tense", lighting="", time_of_day="night", ambience="sea",
                  music=MusicCue(mood="tense", tempo_bpm=96, instrumentation=["strings", "pulse"], intensity=0.8))


@pytest.fixture(scope="module")
def weights(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("sound-weights")
    return {"musicgen": tiny_models.musicgen(root / "musicgen")}


def with_stage(stage: str, backend: str, model: Path, **choice: object) -> Profile:
    base = Profile()
    stages = base.stages.model_copy(update={stage: StageChoice(backend=backend, model=str(model), **choice)})
    return base.model_copy(update={"stages": stages})


def test_model_audio_comes_to_the_films_rate_channels_length_and_peak() -> None:
    tone = np.sin(np.arange(32000) / 32000 * 2 * np.pi * 440).astype(np.float32) * 0.1
    out = to_film_audio(tone, 32000, RATE, 48100)
    assert out.shape == (48100, 2) and out.dtype == np.float32
    assert abs(20 * np.log10(np.abs(out).max()) - PEAK_DBFS) < 0.01
    assert np.abs(out[48000:]).max() == 0  # a second of model audio, then silence to the length asked
    assert np.array_equal(to_film_audio(np.zeros(100), 16000, RATE, 300), np.zeros((300, 2), np.float32))


def test_windows_join_and_beds_loop_without_a_click() -> None:
    ramp = np.linspace(0, 1, 1000, dtype=np.float32)
    joined = join(ramp, ramp[::-1].copy(), 100)
    assert len(joined) == 1900 and np.abs(np.diff(joined)).max() < 0.02
    bed = np.sin(np.arange(4800) / 4800 * 2 * np.pi * 7.3).astype(np.float32)  # does not end where it starts
    looped = seamless_loop(bed, 20000, 480)
    assert len(looped) == 20000
    assert np.abs(np.diff(looped)).max() < 2 * np.abs(np.diff(bed)).max()  # no jump where it wraps


def test_the_prompt_says_mood_instruments_tempo_and_energy() -> None:
    assert music_prompt(SCENE.music) == ("tense film score, strings, pulse, 96 bpm, driving, full, instrumental, "
                                         "no vocals")


def test_musicgen_cue_is_exactly_as_long_as_asked_and_continues_past_its_window(
        weights, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(musicgen_module, "WINDOW_S", 2.0)  # tiny windows: the continuation path at test speed
    monkeypatch.setattr(musicgen_module, "CONTEXT_S", 0.5)
    backend = MusicGenScore(with_stage("music", "musicgen", weights["musicgen"]))
    model = backend.model()
    prompts: list[bool] = []
    generate = model.generate

    def counted(**kwargs):
        prompts.append("input_values" in kwargs)
        return generate(**kwargs)

    monkeypatch.setattr(model, "generate", counted)
    backend.render(MusicRequest(SCENE, 5.25, RATE, 11), tmp_path / "cue.wav")
    audio, rate = read_wav(tmp_path / "cue.wav")
    assert rate == RATE and audio.shape == (round(5.25 * RATE), 2)
    assert prompts[0] is False and all(prompts[1:]) and len(prompts) >= 3  # continued from the audio before
    assert abs(20 * np.log10(np.abs(audio).max()) - PEAK_DBFS) < 0.01
    backend.render(MusicRequest(SCENE, 1.0, RATE, 11), tmp_path / "short.wav")
    assert backend.models.loads == {backend.model_key: 1}
