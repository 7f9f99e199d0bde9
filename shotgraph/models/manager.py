"""The model manager: each model loaded once per run, placed within the GPU's memory, freed between stages.

Backends never keep a model themselves; they ask `load(...)` for it each time, which builds it the first time
and returns the same object after. Stages run one after another (all keyframes, then all videos, ...), so when
a stage's model does not fit beside the last stage's, the last one is freed first (invariant 4).

Placement follows the budget (profile `models.vram_gb`, else the GPU's free memory): on the GPU whole when it
fits with room for activations; else diffusers' model CPU offload when its largest component fits; else group
offload (leaf level, with CUDA streams); else sequential offload. A shot that still runs out of memory climbs the
profile's `oom_ladder` (VAE tiling, more offload, lower resolution, fewer frames per generation), and the run
report says what each shot needed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from shotgraph.config import ModelSettings
from shotgraph.models.device import Accelerator, accelerator, is_out_of_memory, release_memory

log = logging.getLogger(__name__)

T = TypeVar("T")

ACTIVATION_HEADROOM = 1.3  # weights x this must fit for a model to sit on the GPU whole
OFFLOADS = ("gpu", "model_offload", "group_offload", "sequential_offload")  # least to most offload
LOWER_RESOLUTION = 0.75  # each "lower_resolution" rung generates at this much of the size before
FEWER_FRAMES = 0.5  # each "fewer_frames" rung generates this much of the frames per chunk before
MIN_SCALE, MIN_FRAMES = 0.5, 0.25  # below these a shot is not worth generating: it fails (a slate)


@dataclass
class Degrade:
    """How far a shot has come down the OOM ladder: what its backend must generate with."""

    scale: float = 1.0  # of the generation size (the result is scaled back up to the asked size)
    frames: float = 1.0  # of the frames per generation (a longer shot takes more chunks)
    rungs: list[str] = field(default_factory=list)


@dataclass
class LoadedModel:
    key: str
    stage: str
    model: Any
    bytes: int
    placement: str
    vae_tiling: bool = False


def _modules(model: Any) -> list[Any]:
    """A module itself, or a diffusers pipeline's modules (its `components` that are torch modules)."""
    import torch

    if isinstance(model, torch.nn.Module):
        return [model]
    return [c for c in getattr(model, "components", {}).values() if isinstance(c, torch.nn.Module)]


def parameter_bytes(model: Any) -> int:
    """Bytes of a pipeline's (or module's) parameters and buffers, all components together."""
    modules = _modules(model)
    total = 0
    for module in modules:
        total += sum(p.numel() * p.element_size() for p in module.parameters())
        total += sum(b.numel() * b.element_size() for b in module.buffers())
    return total


def largest_component_bytes(model: Any) -> int:
    return max((parameter_bytes(m) for m in _modules(model)), default=0)


class ModelManager:
    def __init__(self, settings: ModelSettings):
        self.settings = settings
        self.loads: dict[str, int] = {}  # model key -> times loaded this run: 1 each is the point
        self.placements: dict[str, str] = {}  # model key -> where it ran
        self.needs: dict[str, list[str]] = {}  # item (shot id, ...) -> OOM ladder rungs it needed
        self._resident: dict[str, LoadedModel] = {}
        self._lock = threading.Lock()  # loading and placing
        self.gpu = threading.Lock()  # one generation at a time; CPU work (decoding, encoding) overlaps it
        self._device: Accelerator | None = None

    @property
    def device(self) -> Accelerator:
        if self._device is None:
            self._device = accelerator(self.settings.device)
        return self._device

    def budget_bytes(self) -> int:
        if self.settings.vram_gb is not None:
            return int(self.settings.vram_gb * 1024**3)
        return self.device.free_bytes + sum(m.bytes for m in self._resident.values() if m.placement == "gpu")

    # 1. Loading, once per run ------------------------------------------------------------------------------------

    def load(self, key: str, stage: str, build: Callable[[], T], *, expected_bytes: int = 0) -> T:
        """The model named `key`, built by `build()` (on the CPU) the first time, placed on the device."""
        with self._lock:
            if key in self._resident:
                return self._resident[key].model
            self._make_room(stage, expected_bytes)
            model = build()
            size = parameter_bytes(model)
            loaded = LoadedModel(key, stage, model, size, "cpu")
            self._place(loaded, self._placement_for(model, size))
            self._resident[key] = loaded
            self.loads[key] = self.loads.get(key, 0) + 1
            log.info("model %s loaded (%.2f GB, %s)", key, size / 1024**3, loaded.placement)
            return model

    def _make_room(self, stage: str, incoming: int) -> None:
        """Free other stages' models unless they and the incoming one fit the budget together."""
        others = [m for m in self._resident.values() if m.stage != stage]
        if not others:
            return
        if self.device.is_gpu and sum(m.bytes for m in others) + incoming * ACTIVATION_HEADROOM <= self.budget_bytes():
            return
        for loaded in others:
            self.free(loaded.key)

    def free(self, key: str) -> None:
        loaded = self._resident.pop(key, None)
        if loaded is None:
            return
        remove = getattr(loaded.model, "remove_all_hooks", None)
        if remove is not None:
            remove()
        del loaded
        release_memory()

    def free_all(self) -> None:
        for key in list(self._resident):  # nothing to do, and no torch imported, when no model was loaded
            self.free(key)

    # 2. Placement ------------------------------------------------------------------------------------------------

    def _placement_for(self, model: Any, size: int) -> str:
        if not self.device.is_gpu:
            return "cpu"
        wanted = self.settings.offload
        if wanted != "auto":
            return {"none": "gpu", "model": "model_offload", "group": "group_offload",
                    "sequential": "sequential_offload"}[wanted]
        budget = self.budget_bytes()
        if size * ACTIVATION_HEADROOM <= budget:
            return "gpu"
        if not hasattr(model, "enable_model_cpu_offload"):  # a plain module: on the GPU, or nothing
            return "gpu"
        if largest_component_bytes(model) * ACTIVATION_HEADROOM <= budget:
            return "model_offload"
        return "group_offload" if hasattr(model, "enable_group_offload") else "sequential_offload"

    def _place(self, loaded: LoadedModel, placement: str) -> None:
        model, device = loaded.model, self.device.device
        remove = getattr(model, "remove_all_hooks", None)
        if loaded.placement != "cpu" and remove is not None:
            remove()
        if placement in ("cpu", "gpu"):
            model.to(device if placement == "gpu" else "cpu")
        elif placement == "model_offload":
            model.enable_model_cpu_offload(device=device)
        elif placement == "group_offload":
            model.to("cpu")
            model.enable_group_offload(onload_device=device, offload_type="leaf_level", use_stream=True)
        else:
            model.enable_sequential_cpu_offload(device=device)
        loaded.placement = placement
        vae = getattr(model, "vae", None)
        if placement.endswith("_offload") and hasattr(vae, "enable_tiling") and not loaded.vae_tiling:
            vae.enable_tiling()  # memory is tight enough to offload: decode in tiles too
            loaded.vae_tiling = True
        self.placements[loaded.key] = placement + (" + VAE tiling" if loaded.vae_tiling else "")

    # 3. Running a shot, down the OOM ladder if it must -----------------------------------------------------------

    def run(self, item: str, key: str, attempt: Callable[[Degrade], T]) -> T:
        """`attempt(degrade)` on the GPU; on out-of-memory, the next rung of the ladder and again."""
        degrade = Degrade()
        ladder = list(self.settings.oom_ladder)
        while True:
            try:
                with self.gpu:
                    result = attempt(degrade)
                if degrade.rungs:
                    self.needs[item] = list(degrade.rungs)
                return result
            except Exception as exc:
                if not is_out_of_memory(exc):
                    raise
                release_memory()
                rung = self._next_rung(key, ladder, degrade)
                if rung is None:
                    self.needs[item] = [*degrade.rungs, "out of memory at the last rung"]
                    raise
                log.warning("%s ran out of GPU memory; trying again with %s", item, rung)
                degrade.rungs.append(rung)

    def _next_rung(self, key: str, ladder: list[str], degrade: Degrade) -> str | None:
        loaded = self._resident.get(key)
        while ladder:
            rung = ladder.pop(0)
            if rung == "vae_tiling":
                vae = getattr(getattr(loaded, "model", None), "vae", None)
                if vae is not None and hasattr(vae, "enable_tiling") and not loaded.vae_tiling:
                    vae.enable_tiling()
                    loaded.vae_tiling = True
                    return rung
            elif rung.endswith("_offload"):
                if (loaded is not None and self.device.is_gpu and hasattr(loaded.model, "enable_model_cpu_offload")
                        and OFFLOADS.index(rung) > OFFLOADS.index(loaded.placement)):
                    with self._lock:
                        self._place(loaded, rung)
                    return rung
            elif rung == "lower_resolution":
                degrade.scale *= LOWER_RESOLUTION
                if degrade.scale * LOWER_RESOLUTION >= MIN_SCALE:
                    ladder.insert(0, rung)  # taken again next time, smaller still, down to MIN_SCALE
                return rung
            elif rung == "fewer_frames":
                degrade.frames *= FEWER_FRAMES
                if degrade.frames * FEWER_FRAMES >= MIN_FRAMES:
                    ladder.insert(0, rung)
                return rung
        return None

    def report(self) -> dict[str, Any]:
        return {"device": self.device.name if self._device else None, "loads": dict(self.loads),
                "placements": dict(self.placements), "needs": dict(self.needs)}
