"""LTX-Video motion from the keyframe: `ltx` (0.9.x through LTXConditionPipeline; the distilled model for
previews) and `ltx2` (LTX-2 through LTX2ConditionPipeline). Both condition on several frames, so a long shot is
continued from the last `overlap` frames of the chunk before (see generated_video)."""

from __future__ import annotations

from typing import Any

import numpy as np

from shotgraph.stages.generated_video import GeneratedVideo, to_frames

NEGATIVE = "worst quality, inconsistent motion, blurry, jittery, distorted"


class LtxVideo(GeneratedVideo):
    name = "ltx"
    pipeline_class = "LTXConditionPipeline"
    version = "1"
    default_model = "Lightricks/LTX-Video-0.9.7-distilled"
    default_steps = 8
    default_guidance = 1.0  # the distilled model needs no guidance
    weights_gb = 36.0  # 13B transformer and T5-XXL in bf16
    default_area = 768 * 512
    default_max_frames = 121  # 8k+1, about 5 s at 24 fps
    size_multiple = 32
    overlap = 9  # one latent frame and its lead-in: 8k+1 frames the VAE encodes whole

    def frame_step(self, pipe: Any) -> int:
        return pipe.vae_temporal_compression_ratio

    def generate(self, pipe: Any, conditioning: list[Any], frames: int, width: int, height: int, fps: int,
                 prompt: str, seed: int) -> list[np.ndarray]:
        import torch
        from diffusers.pipelines.ltx.pipeline_ltx_condition import LTXVideoCondition

        condition = (LTXVideoCondition(image=conditioning[0], frame_index=0) if len(conditioning) == 1
                     else LTXVideoCondition(video=conditioning, frame_index=0))
        video = pipe(conditions=[condition], prompt=prompt, negative_prompt=NEGATIVE, width=width, height=height,
                     num_frames=frames, frame_rate=fps, num_inference_steps=self.steps,
                     guidance_scale=self.guidance, generator=torch.Generator("cpu").manual_seed(seed),
                     output_type="np").frames[0]
        return to_frames(video)


class Ltx2Video(LtxVideo):
    """LTX-2: the same continuation by frames, through LTX2ConditionPipeline. LTX-2 also makes a soundtrack with
    its picture; the sound crew makes ours, so that is left out."""

    name = "ltx2"
    pipeline_class = "LTX2ConditionPipeline"
    version = "1"
    default_model = "Lightricks/LTX-2"
    default_steps = 40
    default_guidance = 4.0
    weights_gb = 62.0  # 19B audio-video transformer and Gemma 3 12B in bf16

    def generate(self, pipe: Any, conditioning: list[Any], frames: int, width: int, height: int, fps: int,
                 prompt: str, seed: int) -> list[np.ndarray]:
        import torch
        from diffusers.pipelines.ltx2.pipeline_ltx2_condition import LTX2VideoCondition

        condition = LTX2VideoCondition(frames=conditioning[0] if len(conditioning) == 1 else conditioning, index=0)
        video = pipe(conditions=[condition], prompt=prompt, negative_prompt=NEGATIVE, width=width, height=height,
                     num_frames=frames, frame_rate=float(fps), num_inference_steps=self.steps,
                     guidance_scale=self.guidance, generator=torch.Generator("cpu").manual_seed(seed),
                     output_type="np").frames[0]
        return to_frames(video)
