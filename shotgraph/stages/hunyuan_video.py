"""HunyuanVideo 1.5 image-to-video (HunyuanVideo15ImageToVideoPipeline). The pipeline takes its size from the
image (a bucket near the model's target size), so the keyframe is handed over at the generation size; a long
shot continues from the last frame of the chunk before."""

from __future__ import annotations

from typing import Any

import numpy as np

from shotgraph.stages.generated_video import GeneratedVideo, to_frames

NEGATIVE = "blurry, distorted, low quality, static, jittery"


class HunyuanVideo(GeneratedVideo):
    name = "hunyuan"
    pipeline_class = "HunyuanVideo15ImageToVideoPipeline"
    version = "1"
    default_model = "hunyuanvideo-community/HunyuanVideo-1.5-Diffusers-480p_i2v"
    default_steps = 50
    default_guidance = 6.0
    weights_gb = 34.0  # 8.3B transformer, Qwen2.5-VL 7B and ByT5 in bf16
    default_area = 848 * 480
    default_max_frames = 121
    size_multiple = 16
    overlap = 1

    def frame_step(self, pipe: Any) -> int:
        return pipe.vae_scale_factor_temporal

    def generate(self, pipe: Any, conditioning: list[Any], frames: int, width: int, height: int, fps: int,
                 prompt: str, seed: int) -> list[np.ndarray]:
        import torch

        # guidance lives in the pipeline's guider component; steps and the seed are per call
        pipe.guider.guidance_scale = self.guidance
        video = pipe(image=conditioning[-1].resize((width, height)), prompt=prompt, negative_prompt=NEGATIVE,
                     num_frames=frames, num_inference_steps=self.steps,
                     generator=torch.Generator("cpu").manual_seed(seed), output_type="np").frames[0]
        return to_frames(video)
