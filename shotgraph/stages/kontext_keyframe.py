"""A shot's keyframe drawn by FLUX.1 Kontext, the single-reference alternative to FLUX.2.

Kontext edits from one image, so the looks of everyone in frame are composed side by side into one reference
(each scaled to the same height), in the shot's order; a shot with nobody in it is drawn from the prompt alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shotgraph.models.backend import ModelBackend
from shotgraph.models.flux2 import SIZE_MULTIPLE, multiple_of
from shotgraph.models.manager import Degrade
from shotgraph.stages.flux2_keyframe import keyframe_prompt
from shotgraph.stages.keyframe import KeyframeBackend, KeyframeRequest


def side_by_side(references: list[Path], width: int, height: int) -> Any:
    """A width x height RGB image holding every reference left to right at one height, undistorted, centred on
    white."""
    from PIL import Image

    images = [Image.open(p).convert("RGB") for p in references]
    scaled = [im.resize((max(1, round(im.width * height / im.height)), height), Image.Resampling.LANCZOS)
              for im in images]
    row = Image.new("RGB", (sum(im.width for im in scaled), height), "white")
    x = 0
    for im in scaled:
        row.paste(im, (x, 0))
        x += im.width
    row.thumbnail((width, height), Image.Resampling.LANCZOS)
    sheet = Image.new("RGB", (width, height), "white")
    sheet.paste(row, ((width - row.width) // 2, (height - row.height) // 2))
    return sheet


class KontextKeyframe(ModelBackend, KeyframeBackend):
    name = "flux-kontext"
    pipeline_class = "FluxKontextPipeline"
    version = "1"
    default_model = "black-forest-labs/FLUX.1-Kontext-dev"
    default_steps = 28
    default_guidance = 2.5
    weights_gb = 34.0  # 12B transformer, T5-XXL and CLIP in bf16

    def cache_params(self) -> dict[str, object]:
        return {"generate": [self.choice.generate_width, self.choice.generate_height]}

    def render(self, request: KeyframeRequest, out: Path) -> None:
        import torch
        from PIL import Image

        references = [request.looks[c.id] for c in request.characters if c.id in request.looks]
        pipe = self.pipeline()
        base_w = self.choice.generate_width or request.width
        base_h = self.choice.generate_height or request.height

        def attempt(degrade: Degrade) -> Any:
            width = multiple_of(base_w * degrade.scale, SIZE_MULTIPLE)
            height = multiple_of(base_h * degrade.scale, SIZE_MULTIPLE)
            sheet = side_by_side(references, width, height) if references else None
            # the reference is already at the generation size: no resize to Kontext's ~1 MP buckets
            return pipe(prompt=keyframe_prompt(request), image=sheet, width=width, height=height,
                        max_area=width * height, _auto_resize=False, num_inference_steps=self.steps,
                        guidance_scale=self.guidance,
                        generator=torch.Generator("cpu").manual_seed(request.shot.seed)).images[0]

        image = self.models.run(f"shot {request.shot.id}", self.model_key, attempt)
        if image.size != (request.width, request.height):
            image = image.resize((request.width, request.height), Image.Resampling.LANCZOS)
        image.save(out, format="PNG")
