"""What every model backend shares: its weights from the profile's stage table, loaded through the run's model
manager, and a cache key that names the exact weights (the hub commit, or a fingerprint of a local folder).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar

from shotgraph.backend import Backend
from shotgraph.config import Profile
from shotgraph.models.device import dtype_for
from shotgraph.models.manager import ModelManager
from shotgraph.models.source import ModelRef, ResolvedModel, resolve, size_on_disk


class ModelBackend(Backend):
    default_model: ClassVar[str]  # a repo id: what the stage runs when the profile names no model
    default_revision: ClassVar[str | None] = None
    default_weights: ClassVar[str | None] = None
    default_steps: ClassVar[int] = 20
    default_guidance: ClassVar[float] = 1.0
    pipeline_class: ClassVar[str] = ""  # the diffusers pipeline it loads from the weights' folder
    libraries: ClassVar[tuple[str, ...]] = ("torch", "diffusers", "transformers")  # what it runs on
    weights_gb: ClassVar[float] = 0.0  # the default model's published size in bf16: what doctor plans with

    def __init__(self, profile: Profile, models: ModelManager | None = None):
        super().__init__(profile, models if models is not None else ModelManager(profile.models))
        self.choice = profile.stages.choice(self.stage)

    @property
    def ref(self) -> ModelRef:
        if self.choice.model:  # the default's weights file belongs to the default model
            return ModelRef(self.choice.model, self.choice.revision, self.choice.weights)
        return ModelRef(self.default_model, self.default_revision, self.choice.weights or self.default_weights)

    def estimated_gb(self) -> float:
        """The weights' size before they are here: the published bf16 size of the default model."""
        return self.weights_gb

    def model_refs(self) -> list[ModelRef]:
        """Every set of weights this backend loads (doctor and `models download` list them)."""
        return [self.ref]

    @cached_property
    def resolved(self) -> ResolvedModel:
        return resolve(self.ref, self.profile.models)

    @property
    def steps(self) -> int:
        return self.choice.steps or self.default_steps

    @property
    def guidance(self) -> float:
        return self.choice.guidance if self.choice.guidance is not None else self.default_guidance

    @property
    def dtype(self) -> Any:
        return dtype_for(self.choice.dtype, self.models.device)

    @property
    def model_key(self) -> str:
        """The model manager's name for the loaded model: weights and precision."""
        return f"{self.name} {self.ref} {str(self.dtype).removeprefix('torch.')}"

    def pipeline(self) -> Any:
        """The diffusers pipeline, loaded from the weights' folder once per run through the model manager."""

        def build() -> Any:
            import diffusers

            pipe = getattr(diffusers, self.pipeline_class).from_pretrained(self.resolved.path, dtype=self.dtype)
            pipe.set_progress_bar_config(disable=True)
            return pipe

        return self.models.load(self.model_key, self.stage, build, expected_bytes=size_on_disk(self.resolved.path))

    def key_fields(self) -> dict[str, Any]:
        return {**super().key_fields(), "model": self.resolved.identity, "revision": self.ref.revision or "",
                "weights": self.ref.weights or "",
                "settings": {"steps": self.steps, "guidance": self.guidance, "dtype": self.choice.dtype}}
