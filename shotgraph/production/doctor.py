"""What this machine can run: the GPU and its memory, the model libraries, which backends import (and if not,
why and what to install), which models are here, and what each profile needs. `shotgraph doctor` prints it;
`--profile auto` picks a profile by the GPU's memory from it."""

from __future__ import annotations

import importlib
import platform
from dataclasses import asdict, dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from shotgraph.backend import load_backend
from shotgraph.config import Profile, available_profiles, load_profile
from shotgraph.models.source import ModelRef, is_present, resolve, size_on_disk
from shotgraph.production.crew import STAGE_REGISTRIES, profile_models, registry

GIB = 1024**3
HEADROOM = 1.3  # activations on top of the weights, as the model manager plans
PROFILE_BY_MEMORY = [(60, "cinema"), (20, "preview")]  # GPU memory (GB) at least -> profile; less: draft
LIBRARIES = ("torch", "diffusers", "transformers", "accelerate", "huggingface_hub", "imageio-ffmpeg")
EXTRA = "pip install -c constraints.txt 'shotgraph[models]'"


@dataclass
class BackendStatus:
    stage: str
    name: str
    imports: bool
    problem: str = ""  # why it does not, and what to install


@dataclass
class ModelStatus:
    stage: str
    model: str
    present: bool
    gigabytes: float  # on disk when present, else the published size of the default weights


@dataclass
class ProfileNeeds:
    name: str
    description: str
    models: list[ModelStatus] = field(default_factory=list)
    vram_gb: float = 0.0  # the largest stage's weights with room for activations, on the GPU whole (stages load
    # one at a time; on a smaller GPU the model manager offloads, slower)
    disk_gb: float = 0.0
    problem: str = ""


def machine() -> dict[str, Any]:
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    gpu: dict[str, Any] = {"device": "cpu", "name": platform.processor() or platform.machine(), "memory_gb": 0.0}
    try:
        import torch

        if torch.cuda.is_available():
            props = torch.cuda.get_device_properties(0)
            gpu = {"device": "cuda", "name": props.name, "memory_gb": round(props.total_memory / GIB, 1),
                   "cuda": torch.version.cuda, "count": torch.cuda.device_count()}
    except ImportError:
        pass
    return {"python": platform.python_version(), "libraries": versions, "gpu": gpu}


def backends() -> list[BackendStatus]:
    """Every registered backend, imported with the libraries it runs on: a missing or broken one is named with
    the fix."""
    statuses = []
    for stage in STAGE_REGISTRIES:
        for name, target in registry(stage).items():
            module, _, class_name = target.partition(":")
            backend_class = None
            try:
                backend_class = getattr(importlib.import_module(module), class_name)
                for library in getattr(backend_class, "libraries", ()):
                    importlib.import_module(library)
            except Exception as exc:  # ImportError, or a CUDA build of a library that fails to load here
                hint = getattr(backend_class, "install_hint", "") or EXTRA
                statuses.append(BackendStatus(stage, name, False, f"{type(exc).__name__}: {exc}; {hint}"))
                continue
            statuses.append(BackendStatus(stage, name, True))
    return statuses


def needs(profile: Profile) -> ProfileNeeds:
    report = ProfileNeeds(profile.name, profile.description)
    try:
        refs = profile_models(profile)
    except Exception as exc:
        report.problem = str(exc)
        return report
    sizes: dict[ModelRef, float] = {}
    for stage, ref in refs.items():
        present = is_present(ref, profile.models)
        if present:
            gigabytes = round(size_on_disk(resolve(ref, profile.models, download=False).path) / GIB, 2)
        elif " " in stage:  # a second set of weights (AudioGen's T5): counted in the backend's estimate
            gigabytes = 0.0
        else:
            name = profile.stages.choice(stage).backend
            gigabytes = load_backend(stage, name, registry(stage), profile).estimated_gb()
        report.models.append(ModelStatus(stage, str(ref), present, gigabytes))
        sizes[ref] = gigabytes  # a model two stages share is stored once
    report.vram_gb = round(max(sizes.values(), default=0.0) * HEADROOM, 1)
    report.disk_gb = round(sum(sizes.values()), 1)
    return report


def auto_profile(memory_gb: float | None = None) -> tuple[str, str]:
    """The profile this machine's GPU can run, and why."""
    if memory_gb is None:
        gpu = machine()["gpu"]
        memory_gb = gpu["memory_gb"] if gpu["device"] == "cuda" else 0.0
    if not memory_gb:
        return "draft", "no CUDA GPU: the draft profile runs on the CPU with no model weights"
    for least, name in PROFILE_BY_MEMORY:
        if memory_gb >= least:
            return name, f"{memory_gb:.0f} GB of GPU memory: {name} (needs at least {least} GB)"
    return "draft", f"{memory_gb:.0f} GB of GPU memory is under the preview profile's {PROFILE_BY_MEMORY[-1][0]} GB"


def report() -> dict[str, Any]:
    """Everything doctor prints, as plain data (`shotgraph doctor --json`)."""
    return {"machine": machine(), "backends": [asdict(b) for b in backends()],
            "profiles": [asdict(needs(load_profile(name))) for name in available_profiles()],
            "auto": dict(zip(("profile", "why"), auto_profile()))}
