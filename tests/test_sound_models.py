"""The sound crew on tiny random-weight models: MusicGen scores; durations to the sample, stereo, one load."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

import tiny_models
from shotgraph.audio import musicgen as musicgen_module
from shotgraph.audio.audiogen import AudioGenFoley
from shotgraph.audio.audiogen_checkpoint import codec_state, convert, lm_state
from shotgraph.audio.foley import AmbienceRequest, EffectsRequest
from shotgraph.audio.stable_audio_foley import StableAudioFoley
from shotgraph.audio.model_audio import PEAK_DBFS, join, seamless_loop, to_film_audio
from shotgraph.audio.music import MusicRequest
from shotgraph.audio.musicgen import MusicGenScore, music_prompt
from shotgraph.audio.wav import read_wav
from shotgraph.config import Profile, StageChoice
from shotgraph.director.plan import FoleyCue, MusicCue, ScenePlan, Shot, ShotSize
from shotgraph.errors import ConfigError

RATE = 48000
SCENE = ScenePlan(id="sc002", mood="tense", lighting="", time_of_day="night", ambience="sea",
                  music=MusicCue(mood="tense", tempo_bpm=96, instrumentation=["strings", "pulse"], intensity=0.8))


@pytest.fixture(scope="module")
def weights(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("sound-weights")
    audiocraft = tiny_models.audiocraft_audiogen(root / "audiogen-audiocraft")
    t5 = tiny_models.t5_encoder(root / "t5")
    return {"musicgen": tiny_models.musicgen(root / "musicgen"), "stable-audio": tiny_models.stable_audio(root / "sa"),
            "audiocraft": audiocraft, "t5": t5,
            "audiogen": convert(audiocraft / "state_dict.bin", audiocraft / "compression_state_dict.bin", t5,
                                root / "audiogen")}


SHOT = Shot(id="sc002-sh03", scene="sc002", size=ShotSize.MEDIUM, description="The door slams; Anna laughs.",
            prompt="p", min_duration=4.0, seed=5,
            foley=[FoleyCue(what="door slams", at=0.5), FoleyCue(what="Anna laughs", at=2.5)])


def onset(audio: np.ndarray, rate: int) -> float:
    """Seconds to the first sample above a thousandth of the peak."""
    level = np.abs(audio).max(axis=1)
    return float(np.argmax(level > level.max() * 1e-3)) / rate


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


@pytest.mark.parametrize("name", ["stable-audio", "audiogen"])
def test_foley_models_place_each_cue_at_its_time_and_loop_a_bed_to_the_scene(name, weights, tmp_path: Path) -> None:
    backend = {"stable-audio": StableAudioFoley, "audiogen": AudioGenFoley}[name](
        with_stage("foley", name, weights[name], steps=2))
    backend.effects(EffectsRequest(SHOT, SCENE, 4.0, RATE, 5), tmp_path / "effects.wav")
    effects, rate = read_wav(tmp_path / "effects.wav")
    assert rate == RATE and effects.shape == (4 * RATE, 2)
    assert abs(onset(effects, RATE) - 0.5) < 0.01  # nothing before the first cue
    assert 20 * np.log10(np.abs(effects).max()) <= -3.0 + 1e-3
    backend.ambience(AmbienceRequest(SCENE, 25.0, RATE, 5), tmp_path / "bed.wav")
    bed, _ = read_wav(tmp_path / "bed.wav")
    assert bed.shape == (25 * RATE, 2) and abs(20 * np.log10(np.sqrt(np.mean(bed**2))) + 30) < 0.01
    quiet = Shot(**{**SHOT.model_dump(), "foley": []})
    backend.effects(EffectsRequest(quiet, SCENE, 2.0, RATE, 5), tmp_path / "quiet.wav")
    assert np.abs(read_wav(tmp_path / "quiet.wav")[0]).max() == 0  # no cue, no sound, no model call
    assert backend.models.loads == {backend.model_key: 1}


def test_audiocrafts_files_convert_into_musicgen_classes_by_their_own_key_names(weights) -> None:
    lm = torch.load(weights["audiocraft"] / "state_dict.bin", weights_only=True)["best_state"]
    decoder, projection = lm_state(dict(lm))
    assert "model.decoder.layers.1.encoder_attn.k_proj.weight" in decoder  # the fused projection, split
    assert torch.equal(decoder["model.decoder.layers.0.self_attn.v_proj.weight"],
                       lm["transformer.layers.0.self_attn.in_proj_weight"][64:])
    assert set(projection) == {"weight", "bias"}
    codec = torch.load(weights["audiocraft"] / "compression_state_dict.bin", weights_only=True)["best_state"]
    renamed = codec_state(dict(codec))
    assert torch.equal(renamed["decoder.layers.3.conv.parametrizations.weight.original1"],
                       codec["decoder.model.3.convtr.convtr.weight_v"])
    assert "quantizer.layers.3.codebook.embed" in renamed
    from transformers import MusicgenForConditionalGeneration

    model = MusicgenForConditionalGeneration.from_pretrained(weights["audiogen"])
    assert model.config.audio_encoder.sampling_rate == 16000 and model.config.audio_encoder.frame_rate == 50
    assert model.decoder.num_codebooks == 4


def test_a_checkpoint_that_is_not_audiogen_is_named(weights, tmp_path: Path) -> None:
    torch.save({"best_state": {"encoder.weight": torch.zeros(2)}}, tmp_path / "other.bin")
    with pytest.raises(ConfigError, match=r"other.bin: .*not an EnCodec checkpoint"):
        convert(weights["audiocraft"] / "state_dict.bin", tmp_path / "other.bin", weights["t5"], tmp_path / "out")
    with pytest.raises(ConfigError, match="text encoder is as wide as the LM"):
        convert(weights["audiocraft"] / "state_dict.bin", weights["audiocraft"] / "compression_state_dict.bin",
                tiny_models.t5_encoder(tmp_path / "t5-32", d_model=32), tmp_path / "out2")


def test_audiocrafts_own_files_are_converted_once_on_first_use(weights, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SHOTGRAPH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(AudioGenFoley, "text_encoder", str(weights["t5"]))
    backend = AudioGenFoley(with_stage("foley", "audiogen", weights["audiocraft"], steps=2))
    backend.effects(EffectsRequest(SHOT, SCENE, 3.0, RATE, 5), tmp_path / "e.wav")
    converted = list((tmp_path / "cache" / "audiogen").iterdir())
    assert len(converted) == 1 and (converted[0] / "config.json").is_file()
    again = AudioGenFoley(with_stage("foley", "audiogen", weights["audiocraft"], steps=2))
    assert again.folder == converted[0]
