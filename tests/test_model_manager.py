"""The model manager: one load per model, other stages' models freed, placement by the memory budget, the OOM
ladder. Placement is decided for a pretend GPU (the decision is plain arithmetic on real parameter sizes)."""

from __future__ import annotations


import pytest
import torch

import tiny_models
from shotgraph.config import ModelSettings
from shotgraph.models.device import Accelerator
from shotgraph.models.manager import Degrade, ModelManager, largest_component_bytes, parameter_bytes


def test_a_model_is_built_once_and_another_stages_model_is_freed_first() -> None:
    manager = ModelManager(ModelSettings())
    built: list[str] = []

    def build(name: str):
        built.append(name)
        return torch.nn.Linear(4, 4)

    first = manager.load("a", "keyframe", lambda: build("a"))
    assert manager.load("a", "keyframe", lambda: build("a")) is first
    manager.load("b", "video", lambda: build("b"))  # on the CPU: the keyframe model makes room
    manager.load("a", "keyframe", lambda: build("a"))
    assert built == ["a", "b", "a"] and manager.loads == {"a": 2, "b": 1}


@pytest.fixture(scope="module")
def klein(tmp_path_factory):
    from diffusers import Flux2KleinPipeline

    return Flux2KleinPipeline.from_pretrained(tiny_models.flux2_klein(tmp_path_factory.mktemp("k") / "klein"))


def on_gpu(budget_bytes: float, **settings: object) -> ModelManager:
    manager = ModelManager(ModelSettings(vram_gb=budget_bytes / 1024**3, **settings))
    manager._device = Accelerator("cuda", "pretend GPU", int(budget_bytes), int(budget_bytes), True)
    return manager


def test_placement_is_the_least_offload_that_fits_the_budget(klein) -> None:
    whole, largest = parameter_bytes(klein), largest_component_bytes(klein)
    assert 0 < largest < whole
    assert on_gpu(whole * 2)._placement_for(klein, whole) == "gpu"
    assert on_gpu(whole)._placement_for(klein, whole) == "model_offload"  # whole + activations do not fit
    assert on_gpu(largest)._placement_for(klein, whole) == "group_offload"  # not even its largest part
    assert on_gpu(whole * 2, offload="sequential")._placement_for(klein, whole) == "sequential_offload"
    assert ModelManager(ModelSettings())._placement_for(klein, whole) == "cpu"


def test_the_ladder_ends_with_the_error_and_the_report_says_so() -> None:
    manager = ModelManager(ModelSettings(oom_ladder=["lower_resolution"]))
    tried: list[float] = []

    def attempt(degrade: Degrade):
        tried.append(degrade.scale)
        raise torch.OutOfMemoryError("CUDA out of memory")

    with pytest.raises(torch.OutOfMemoryError):
        manager.run("shot sc001-sh01", "model", attempt)
    assert tried == [1.0, 0.75, 0.5625]  # down to half size, no further
    assert manager.needs["shot sc001-sh01"][-1] == "out of memory at the last rung"


def test_an_error_that_is_not_memory_is_not_retried() -> None:
    manager = ModelManager(ModelSettings())
    calls = []

    def attempt(degrade: Degrade):
        calls.append(degrade)
        raise ValueError("a bad prompt")

    with pytest.raises(ValueError, match="a bad prompt"):
        manager.run("shot x", "model", attempt)
    assert len(calls) == 1 and manager.needs == {}
