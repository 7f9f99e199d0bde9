"""Foley by Stable Audio Open (diffusers' StableAudioPipeline): stereo effects and beds from their words."""

from __future__ import annotations

import numpy as np

from shotgraph.audio.model_foley import ModelFoley
from shotgraph.models.manager import Degrade

NEGATIVE = "music, speech, low quality, distorted"


class StableAudioFoley(ModelFoley):
    name = "stable-audio"
    version = "1"
    default_model = "stabilityai/stable-audio-open-1.0"
    pipeline_class = "StableAudioPipeline"
    default_steps = 100
    default_guidance = 7.0
    weights_gb = 5.0  # 1.1B DiT, T5-base, the Oobleck VAE
    bed_seconds = 30.0  # of the model's 47 s: room to loop, time to make

    def generate(self, prompts: list[str], seconds: float, seed: int, item: str) -> tuple[list[np.ndarray], int]:
        import torch

        pipe = self.pipeline()
        rate = pipe.vae.config.sampling_rate
        longest = pipe.transformer.config.sample_size * pipe.vae.hop_length / rate

        def attempt(degrade: Degrade) -> np.ndarray:
            audio = pipe(prompts, negative_prompt=[NEGATIVE] * len(prompts), audio_end_in_s=min(seconds, longest),
                         num_inference_steps=self.steps, guidance_scale=self.guidance,
                         generator=torch.Generator("cpu").manual_seed(seed)).audios
            return audio.float().cpu().numpy()  # (prompts, channels, samples)

        audios = self.models.run(item, self.model_key, attempt)
        return [np.ascontiguousarray(a.T) for a in audios], rate
