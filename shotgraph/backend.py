"""What every stage backend declares, and the explicit registries that name them.

A backend declares its stage, name and version, the model it loads (if any) and the settings that change its
output; those, with its inputs' keys and the seed, make the cache key of what it produces (invariant 2).
Registries map a name to "module:Class" so that `import shotgraph` never imports torch or diffusers.
"""

from __future__ import annotations

import importlib
from abc import ABC
from typing import TYPE_CHECKING, Any, ClassVar

from shotgraph.errors import BackendError

if TYPE_CHECKING:
    from shotgraph.config import Profile


class Backend(ABC):
    stage: ClassVar[str]
    name: ClassVar[str]
    version: ClassVar[str] = "1"
    model_id: ClassVar[str] = ""
    revision: ClassVar[str] = ""

    def __init__(self, profile: Profile, models: Any = None):
        self.profile = profile
        self.models = models  # the run's ModelManager (shotgraph.models.manager); draft backends ignore it

    def cache_params(self) -> dict[str, Any]:
        """Settings of this backend that change its output (resolution, sample rate, ...)."""
        return {}

    def key_fields(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "backend": self.name,
            "version": self.version,
            "model": self.model_id,
            "revision": self.revision,
            "params": self.cache_params(),
        }


def check_known(stage: str, name: str, registry: dict[str, str]) -> None:
    """An unknown backend name is an error that lists the known ones."""
    if name not in registry:
        raise BackendError(stage, name, f"unknown backend; known backends = {sorted(registry)}")


def load_backend(stage: str, name: str, registry: dict[str, str], profile: Profile, models: Any = None) -> Any:
    """Instantiate backend `name` of `stage` from its registry, with the run's model manager."""
    check_known(stage, name, registry)
    module_name, _, class_name = registry[name].partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise BackendError(stage, name, f"cannot import {module_name}: {exc}") from exc
    backend_class = getattr(module, class_name, None)
    if backend_class is None:
        raise BackendError(stage, name, f"{module_name} has no class {class_name}")
    backend = backend_class(profile)
    if models is not None:  # after construction, so a backend's own __init__(profile) needs no change
        backend.models = models
    return backend
