"""FLUX.2 image generation from a prompt and reference images, shared by character looks and keyframes.

`klein` (4B, Apache-2.0, distilled: 4 steps) or `dev` (32B, 28 steps, guidance) by the model's pipeline class:
`Flux2KleinPipeline` or `Flux2Pipeline`, read from the folder's model_index.json, or for a repo id from its name.
Both take several reference images natively (`image=[...]`), which is how a keyframe keeps each character's look.
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Any

from shotgraph.errors import RenderError
from shotgraph.models.backend import ModelBackend
from shotgraph.models.manager import Degrade

SIZE_MULTIPLE = 16  # FLUX latents are 8x smaller and packed in 2x2 patches
MIN_REFERENCE = 64  # pixels on the short side: smaller references are refused by the pipeline


def multiple_of(value: float, step: int) -> int:
    return max(step, int(round(value / step)) * step)


def reference_image(path: Path, area: int, item: str) -> Any:
    """A reference as FLUX.2 gets it: RGB, and no larger than the image being made (more pixels in a reference
    cost attention time and add no likeness), never under MIN_REFERENCE on a side."""
    from PIL import Image

    image = Image.open(path).convert("RGB")
    if min(image.size) < MIN_REFERENCE:
        raise RenderError(f"{item}: reference {path.name} is {image.size[0]}x{image.size[1]}; FLUX.2 needs "
                          f"at least {MIN_REFERENCE} px on each side")
    scale = min(1.0, (area / (image.width * image.height)) ** 0.5)
    scale = max(scale, MIN_REFERENCE / min(image.size))
    if scale < 1.0:
        image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)
    return image


def pipeline_class_name(folder: Path, model: str) -> str:
    index = folder / "model_index.json"
    if index.is_file():
        return json.loads(index.read_text(encoding="utf-8"))["_class_name"]
    return "Flux2KleinPipeline" if "klein" in model.lower() else "Flux2Pipeline"


class Flux2Generator(ModelBackend):
    """A model backend that draws with FLUX.2 (mixed into the look and keyframe backends)."""

    default_model = "black-forest-labs/FLUX.2-klein-4B"
    default_steps = 4
    default_guidance = 1.0
    weights_gb = 16.0  # klein 4B: transformer and Qwen3-4B text encoder in bf16
    dev_weights_gb = 112.0  # dev: 32B transformer and Mistral Small 3.1 24B text encoder in bf16

    def estimated_gb(self) -> float:
        return self.weights_gb if "klein" in self.ref.model.lower() else self.dev_weights_gb

    @property
    def is_klein(self) -> bool:
        return self.pipeline_class == "Flux2KleinPipeline"

    @property
    def steps(self) -> int:
        return self.choice.steps or (4 if self.is_klein else 28)

    @property
    def guidance(self) -> float:
        if self.choice.guidance is not None:
            return self.choice.guidance
        return 1.0 if self.is_klein else 4.0

    @cached_property
    def pipeline_class(self) -> str:  # type: ignore[override]  # read once, not per shot's cache key
        name = pipeline_class_name(self.resolved.path, self.ref.model)
        if name not in ("Flux2KleinPipeline", "Flux2Pipeline"):
            raise RenderError(f"{self.stage} ({self.name}): {self.ref} is a {name}, not a FLUX.2 pipeline")
        return name

    def generate(self, prompt: str, references: list[Path], width: int, height: int, seed: int, item: str) -> Any:
        """A PIL image of exactly width x height: generated at the nearest size FLUX.2 takes, then resized."""
        import torch
        from PIL import Image

        base_w = self.choice.generate_width or width
        base_h = self.choice.generate_height or height
        images = [reference_image(path, base_w * base_h, item) for path in references]
        pipe = self.pipeline()

        def attempt(degrade: Degrade) -> Any:
            generator = torch.Generator("cpu").manual_seed(seed)
            return pipe(prompt=prompt, image=images or None, width=multiple_of(base_w * degrade.scale, SIZE_MULTIPLE),
                        height=multiple_of(base_h * degrade.scale, SIZE_MULTIPLE), num_inference_steps=self.steps,
                        guidance_scale=self.guidance, generator=generator).images[0]

        image = self.models.run(item, self.model_key, attempt)
        return image if image.size == (width, height) else image.resize((width, height), Image.Resampling.LANCZOS)

    def cache_params(self) -> dict[str, object]:
        return {"generate": [self.choice.generate_width, self.choice.generate_height]}
