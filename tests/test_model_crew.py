"""The picture crew on models, end to end: a profile of tiny random-weight FLUX.2, LTX-Video and Real-ESRGAN
models runs `make`, each model loads once, and a second make loads none."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
import torch

import tiny_models
from shotgraph.config import load_profile
from shotgraph.errors import ConfigError
from shotgraph.media.ffmpeg import probe
from shotgraph.production.director import Director
from shotgraph.media.frames import read_frames
from shotgraph.stages.realesrgan_nets import SRVGGNetCompact
from test_make import LINES, SCRIPT, film_audio


@pytest.fixture(scope="module")
def tiny_profile(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("tiny-crew")
    klein = tiny_models.flux2_klein(root / "klein")
    ltx = tiny_models.ltx(root / "ltx")
    upscaler = SRVGGNetCompact(scale=4, feat=8, convs=2)
    with torch.no_grad():  # a last layer of zeros: the picture is the video model's, enlarged (nearest)
        upscaler.body[-1].weight.zero_()
        upscaler.body[-1].bias.zero_()
    torch.save({"params": upscaler.state_dict()}, root / "x4.pth")
    profile = root / "tiny.toml"
    profile.write_text(f"""
description = "tiny random-weight models of the preview crew"
[output]
width = 128
height = 72
fps = 12
title_card_seconds = 1.0
[stages.look]
backend = "flux2"
model = "{klein}"
steps = 2
generate_width = 32
generate_height = 48
[stages.keyframe]
backend = "flux2"
model = "{klein}"
steps = 2
[stages.video]
backend = "ltx"
model = "{ltx}"
steps = 2
max_frames = 9
generate_width = 64
generate_height = 32
[stages.upscale]
backend = "realesrgan"
model = "{root / 'x4.pth'}"
""", encoding="utf-8")
    return profile


def test_make_chains_the_models_and_loads_each_once(tiny_profile: Path, tmp_path: Path) -> None:
    script = tmp_path / "kettle.fountain"
    script.write_text(SCRIPT, encoding="utf-8")
    report = Director(script, profile=load_profile(tiny_profile)).make()
    assert report.ok, report.failures
    film = probe(report.outputs["film"])
    assert (film.width, film.height) == (128, 72)
    assert abs(film.duration - report.seconds) < 0.1
    shots = report.shots
    assert report.computed["look"] == 2 and report.computed["keyframe"] == shots
    assert report.computed["video"] == shots and report.computed["upscale"] == shots
    loads = report.models["loads"]
    assert sorted(key.split()[0] for key in loads) == ["flux2", "ltx", "realesrgan"]  # looks and keyframes: one
    assert set(loads.values()) == {1}
    assert set(report.models["placements"].values()) == {"cpu"}
    frames = list(read_frames(report.outputs["film"]))
    assert len(frames) == round(report.seconds * 12)
    assert min(float(f.std()) for f in frames[12:]) > 5  # every shot shows what the models drew, none is blank
    srt = Path(report.outputs["srt"]).read_text(encoding="utf-8")
    assert all(line in srt for line in LINES)

    again = Director(script, profile=load_profile(tiny_profile)).make()
    assert again.computed == {} and again.models["loads"] == {}  # all reused: no model even loaded


def test_a_misspelled_stage_setting_is_named(tmp_path: Path) -> None:
    profile = tmp_path / "typo.toml"
    profile.write_text('[stages.video]\nbackend = "ltx"\nmax_frame = 9\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"typo.toml: stages.video.max_frame: Extra inputs are not permitted"):
        load_profile(profile)


def test_the_shipped_model_profiles_load_and_name_real_weights() -> None:
    for name, video in (("preview", "ltx"), ("cinema", "ltx2")):
        profile = load_profile(name)
        assert profile.stages.video.backend == video and profile.stages.keyframe.backend == "flux2"
        assert profile.stages.keyframe.model.startswith("black-forest-labs/FLUX.2-")
        assert json.loads(profile.model_dump_json())["stages"]["upscale"]["backend"] == "realesrgan"


@pytest.fixture(scope="module")
def tiny_sound_profile(tmp_path_factory, tiny_profile: Path) -> Path:
    """The tiny picture crew with the tiny sound crew: pocket-tts voices, MusicGen, AudioGen (converted)."""
    from shotgraph.audio.audiogen_checkpoint import convert

    root = tmp_path_factory.mktemp("tiny-sound")
    pocket = tiny_models.pocket_tts(root / "pocket")
    musicgen = tiny_models.musicgen(root / "musicgen")
    audiocraft = tiny_models.audiocraft_audiogen(root / "audiocraft")
    audiogen = convert(audiocraft / "state_dict.bin", audiocraft / "compression_state_dict.bin",
                       tiny_models.t5_encoder(root / "t5"), root / "audiogen")
    profile = root / "tiny-sound.toml"
    profile.write_text(tiny_profile.read_text(encoding="utf-8") + f"""
[stages.dialogue]
backend = "pocket-tts"
model = "{pocket}"
[stages.music]
backend = "musicgen"
model = "{musicgen}"
[stages.foley]
backend = "audiogen"
model = "{audiogen}"
""", encoding="utf-8")
    return profile


def test_make_with_the_sound_crew_keeps_every_line_its_voice_and_the_loudness(tiny_sound_profile: Path,
                                                                               tmp_path: Path) -> None:
    from shotgraph.audio.loudness import true_peak
    from shotgraph.audio.wav import write_wav
    from shotgraph.director.validate import load_plan, save_plan
    from shotgraph.director.screenplay.reader import read_screenplay
    from shotgraph.director.rules.breakdown import plan_by_rules

    script = tmp_path / "kettle.fountain"
    script.write_text(SCRIPT, encoding="utf-8")
    (tmp_path / "voices").mkdir()
    plan = plan_by_rules(read_screenplay(script))
    rng = np.random.default_rng(3)
    characters = []
    for character in plan.characters:  # each voice cloned from a sample in the project folder
        sample = tmp_path / "voices" / f"{character.id}.wav"
        write_wav(sample, (rng.standard_normal(48000 * 2) * 0.1).astype(np.float32), 48000)
        characters.append(character.model_copy(update={"voice_sample": Path("voices") / sample.name}))
    save_plan(plan.model_copy(update={"characters": characters}), tmp_path / "plan.json")
    load_plan(tmp_path / "plan.json", read_screenplay(script))  # still a valid plan

    director = Director(script, profile=load_profile(tiny_sound_profile), plan_file=tmp_path / "plan.json")
    report = director.make()
    assert report.ok, report.failures
    voices = director.crew.backend("dialogue")._voices  # ANNA speaks in both scenes: one voice, made once
    assert sorted(name for _, name in voices) == ["ANNA", "BEN"]
    assert sorted(key.split()[0] for key in report.models["loads"]) == [
        "audiogen", "flux2", "ltx", "musicgen", "pocket-tts", "realesrgan"]
    assert set(report.models["loads"].values()) == {1}, report.models["loads"]
    srt = Path(report.outputs["srt"]).read_text(encoding="utf-8")
    assert all(line in srt for line in LINES)
    audio = film_audio(Path(report.outputs["film"]))
    loudness = pyloudnorm.Meter(48000).integrated_loudness(audio.astype(np.float64))
    assert abs(loudness + 16.0) <= 0.5 and true_peak(audio) <= -1.0
