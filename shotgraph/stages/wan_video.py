"""Wan 2.2 image-to-video (WanImageToVideoPipeline): the A14B model (two experts split by `boundary_ratio`) or
TI2V-5B. Wan starts from one image, so a long shot continues from the last frame of the chunk before."""

from __future__ import annotations

from typing import Any

import numpy as np

from shotgraph.stages.generated_video import GeneratedVideo, to_frames

NEGATIVE = "blurry, static, distorted, overexposed, low quality, jpeg artifacts, deformed, extra fingers"


class WanVideo(GeneratedVideo):
    name = "wan"
    pipeline_class = "WanImageToVideoPipeline"
    version = "1"
    default_model = "Wan-AI/Wan2.2-I2V-A14B-Diffusers"
    default_steps = 40
    default_guidance = 3.5
    weights_gb = 66.0  # two 14B experts and UMT5-XXL in bf16
    default_area = 832 * 480
    default_max_frames = 81  # 4k+1, the length Wan was trained on (5 s at 16 fps)
    size_multiple = 16  # the VAE's 8x and the transformer's 2x2 patches
    overlap = 1

    def frame_step(self, pipe: Any) -> int:
        return pipe.vae_scale_factor_temporal

    def generate(self, pipe: Any, conditioning: list[Any], frames: int, width: int, height: int, fps: int,
                 prompt: str, seed: int) -> list[np.ndarray]:
        import torch

        video = pipe(image=conditioning[-1], prompt=prompt, negative_prompt=NEGATIVE, width=width, height=height,
                     num_frames=frames, num_inference_steps=self.steps, guidance_scale=self.guidance,
                     generator=torch.Generator("cpu").manual_seed(seed), output_type="np").frames[0]
        return to_frames(video)
