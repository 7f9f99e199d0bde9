"""FLUX.2 looks and keyframes and the FLUX.1 Kontext alternative, on tiny random-weight pipelines saved with
save_pretrained and loaded back through the backends' real loading code."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import tiny_models
from shotgraph.characters.flux2_look import Flux2Look
from shotgraph.characters.look import LookRequest
from shotgraph.config import Profile, StageChoice
from shotgraph.director.plan import CharacterPlan, MusicCue, ScenePlan, Shot, ShotSize, Voice
from shotgraph.errors import RenderError
from shotgraph.models.flux2 import pipeline_class_name
from shotgraph.stages.flux2_keyframe import Flux2Keyframe, keyframe_prompt
from shotgraph.stages.keyframe import KeyframeRequest
from shotgraph.stages.kontext_keyframe import KontextKeyframe, side_by_side

VOICE = Voice(gender="neutral", age="adult")
ANN = CharacterPlan(id="ann", name="ANN", look="tall woman in a red coat", voice=VOICE)
BOB = CharacterPlan(id="bob", name="BOB", look="stocky man in a hat", voice=VOICE)
STYLE = "35mm film still"
SCENE = ScenePlan(id="sc001", mood="calm", lighting="", time_of_day="day",
                  music=MusicCue(mood="calm", tempo_bpm=80, intensity=0.3), ambience="room tone")


@pytest.fixture(scope="module")
def weights(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("weights")
    return {"klein": tiny_models.flux2_klein(root / "klein"), "kontext": tiny_models.flux_kontext(root / "kontext")}


def profile(stage: str, backend: str, model: Path, **choice: object) -> Profile:
    base = Profile()
    stages = base.stages.model_copy(update={stage: StageChoice(backend=backend, model=str(model), **choice)})
    return base.model_copy(update={"stages": stages})


def looks(tmp_path: Path) -> dict[str, Path]:
    paths = {}
    for cid, colour in (("ann", (200, 30, 30)), ("bob", (30, 30, 200))):
        paths[cid] = tmp_path / f"{cid}.png"
        Image.new("RGB", (64, 96), colour).save(paths[cid])
    return paths


def request(tmp_path: Path, seed: int = 7, with_looks: bool = True) -> KeyframeRequest:
    shot = Shot(id="sc001-sh02", scene="sc001", size=ShotSize.TWO_SHOT, characters=["ann", "bob"],
                description="Ann hands Bob the letter.", prompt=f"{STYLE}, two shot, a kitchen", min_duration=2.0,
                seed=seed)
    return KeyframeRequest(shot, SCENE, "INT. KITCHEN - DAY", (ANN, BOB), looks(tmp_path) if with_looks else {},
                           STYLE, 96, 54)


def pixels(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"), dtype=np.int16)


def test_flux2_keyframe_is_the_film_size_seeded_and_conditioned_on_the_looks(weights, tmp_path: Path) -> None:
    backend = Flux2Keyframe(profile("keyframe", "flux2", weights["klein"]))
    outs = {name: tmp_path / f"{name}.png" for name in ("a", "again", "other_seed", "no_looks")}
    backend.render(request(tmp_path), outs["a"])
    backend.render(request(tmp_path), outs["again"])
    backend.render(request(tmp_path, seed=8), outs["other_seed"])
    backend.render(request(tmp_path, with_looks=False), outs["no_looks"])
    assert Image.open(outs["a"]).size == (96, 54)
    assert np.array_equal(pixels(outs["a"]), pixels(outs["again"]))  # same seed, same frame
    assert not np.array_equal(pixels(outs["a"]), pixels(outs["other_seed"]))
    assert not np.array_equal(pixels(outs["a"]), pixels(outs["no_looks"]))  # the references reach the model
    assert backend.models.loads == {backend.model_key: 1}  # four keyframes, one load
    assert backend.steps == 4 and backend.guidance == 1.0  # klein is distilled: 4 steps, no guidance
    assert backend.key_fields()["model"].startswith("local:")


def test_the_prompt_keeps_the_film_style_and_names_who_each_reference_shows(tmp_path: Path) -> None:
    prompt = keyframe_prompt(request(tmp_path))
    assert prompt.startswith(STYLE) and prompt.count(STYLE) == 1
    assert prompt.endswith("Ann as in reference image 1; Bob as in reference image 2")


def test_flux2_look_draws_from_the_users_reference_and_refuses_a_tiny_one(weights, tmp_path: Path) -> None:
    backend = Flux2Look(profile("look", "flux2", weights["klein"]))
    mine = tmp_path / "ann_photo.png"
    Image.new("RGB", (80, 120), (10, 200, 10)).save(mine)
    backend.render(LookRequest(ANN, 0, STYLE, 64, 96, 11, mine), tmp_path / "look.png")
    backend.render(LookRequest(ANN, 0, STYLE, 64, 96, 11), tmp_path / "plain.png")
    assert Image.open(tmp_path / "look.png").size == (64, 96)
    assert not np.array_equal(pixels(tmp_path / "look.png"), pixels(tmp_path / "plain.png"))
    tiny = tmp_path / "thumb.png"
    Image.new("RGB", (40, 40)).save(tiny)
    with pytest.raises(RenderError, match="reference thumb.png is 40x40; FLUX.2 needs at least 64 px"):
        backend.render(LookRequest(ANN, 0, STYLE, 64, 96, 11, tiny), tmp_path / "x.png")


def test_a_model_folder_of_another_kind_is_named_and_refused(weights, tmp_path: Path) -> None:
    backend = Flux2Keyframe(profile("keyframe", "flux2", weights["kontext"]))
    with pytest.raises(RenderError, match="is a FluxKontextPipeline, not a FLUX.2 pipeline"):
        backend.render(request(tmp_path), tmp_path / "x.png")


def test_klein_or_dev_is_read_from_the_folder_or_the_repo_name(weights, tmp_path: Path) -> None:
    assert pipeline_class_name(weights["klein"], "anything") == "Flux2KleinPipeline"
    assert pipeline_class_name(tmp_path, "black-forest-labs/FLUX.2-klein-4B") == "Flux2KleinPipeline"
    assert pipeline_class_name(tmp_path, "black-forest-labs/FLUX.2-dev") == "Flux2Pipeline"


def test_kontext_keyframe_composes_every_look_into_its_one_reference(weights, tmp_path: Path) -> None:
    backend = KontextKeyframe(profile("keyframe", "flux-kontext", weights["kontext"]))
    backend.render(request(tmp_path), tmp_path / "a.png")
    backend.render(request(tmp_path, with_looks=False), tmp_path / "b.png")
    assert Image.open(tmp_path / "a.png").size == (96, 54)
    assert not np.array_equal(pixels(tmp_path / "a.png"), pixels(tmp_path / "b.png"))
    assert backend.models.loads == {backend.model_key: 1}
    sheet = side_by_side([looks(tmp_path)["ann"], looks(tmp_path)["bob"]], 96, 48)
    assert sheet.size == (96, 48)
    row = np.asarray(sheet)[24]
    assert tuple(row[30]) == (200, 30, 30) and tuple(row[60]) == (30, 30, 200)  # Ann left, Bob right, undistorted
    assert tuple(row[5]) == (255, 255, 255)  # white beside them, not stretched
