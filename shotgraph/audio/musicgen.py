"""MusicGen scores (transformers' MusicgenForConditionalGeneration; small, medium or large): one cue per scene
from the plan's music cue, as long as the span the mix asks for.

MusicGen makes at most `WINDOW_S` seconds at a time (what it was trained on). A longer cue is continued: each
next window is prompted with the last `CONTEXT_S` seconds made so far and joined to them with a crossfade, so
the piece goes on in key and tempo rather than restarting.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from shotgraph.audio.model_audio import join, to_film_audio
from shotgraph.audio.music import MusicBackend, MusicRequest
from shotgraph.audio.wav import write_wav
from shotgraph.director.plan import MusicCue
from shotgraph.errors import BackendError
from shotgraph.models.backend import ModelBackend
from shotgraph.models.source import size_on_disk

WINDOW_S = 30.0
CONTEXT_S = 10.0  # the audio prompt of a continuation
CROSSFADE_S = 0.5


def generate_audio(model: Any, tokenizer: Any, prompts: list[str], seconds: float, seed: int, guidance: float,
                   device: str, prompt_audio: np.ndarray | None = None) -> np.ndarray:
    """(prompts, samples) float audio from a MusicGen-class model (MusicGen, converted AudioGen): `seconds` of it
    past `prompt_audio` (a continuation's prompt, which the result starts with)."""
    import torch

    text = {k: v.to(device) for k, v in tokenizer(prompts, return_tensors="pt", padding=True).items()}
    extra = {}
    if prompt_audio is not None:
        extra["input_values"] = torch.from_numpy(prompt_audio[None, None]).to(device, model.dtype)
    delay = model.decoder.num_codebooks - 1  # the codebook delay pattern costs these steps at the end
    steps = int(np.ceil(seconds * model.config.audio_encoder.frame_rate)) + delay
    torch.manual_seed(seed)
    with torch.inference_mode():
        audio = model.generate(**text, **extra, do_sample=True, guidance_scale=guidance, max_new_tokens=steps)
    return audio[:, 0].float().cpu().numpy()


def music_prompt(cue: MusicCue) -> str:
    """The cue in words MusicGen was trained on: mood, instruments, tempo, energy."""
    energy = "soft, sparse" if cue.intensity < 0.35 else "driving, full" if cue.intensity > 0.7 else "steady"
    instruments = ", ".join(cue.instrumentation) or "orchestral"
    return f"{cue.mood} film score, {instruments}, {cue.tempo_bpm} bpm, {energy}, instrumental, no vocals"


class MusicGenScore(ModelBackend, MusicBackend):
    name = "musicgen"
    version = "1"
    default_model = "facebook/musicgen-medium"
    default_guidance = 3.0
    libraries = ("torch", "transformers")
    weights_gb = 8.0  # medium: 1.5B decoder, T5-base and EnCodec 32 kHz in float32

    def estimated_gb(self) -> float:
        model = self.ref.model.lower()
        return 2.4 if "small" in model else 14.0 if "large" in model else self.weights_gb

    def cache_params(self) -> dict[str, object]:
        return {"window": WINDOW_S, "context": CONTEXT_S, "crossfade": CROSSFADE_S}

    def model(self) -> Any:
        def build() -> Any:
            from transformers import MusicgenForConditionalGeneration

            return MusicgenForConditionalGeneration.from_pretrained(self.resolved.path, dtype=self.dtype).eval()

        return self.models.load(self.model_key, self.stage, build, expected_bytes=size_on_disk(self.resolved.path))

    @cached_property
    def tokenizer(self) -> Any:
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(self.resolved.path)

    def render(self, request: MusicRequest, out: Path) -> None:
        # 1. Check inputs
        frames = int(round(request.duration * request.sample_rate)) if np.isfinite(request.duration) else 0
        if frames < 1:
            raise BackendError("music", self.name, f"scene {request.scene.id}: duration {request.duration} s is "
                                                   "not at least one sample")
        model = self.model()
        rate = model.config.audio_encoder.sampling_rate
        prompt = music_prompt(request.scene.music)

        # 2. Window by window, each continuing the audio before it
        def window(seconds: float, context: np.ndarray | None, seed: int) -> np.ndarray:
            return self.models.run(f"music {request.scene.id}", self.model_key, lambda degrade: generate_audio(
                model, self.tokenizer, [prompt], seconds, seed, self.guidance, self.models.device.device,
                context)[0])

        wanted = int(round(request.duration * rate))
        made = window(min(request.duration, WINDOW_S), None, request.seed)
        turn = 1
        while len(made) < wanted:
            context = made[-int(CONTEXT_S * rate):]
            more = window(min(WINDOW_S - CONTEXT_S, (wanted - len(made)) / rate + CROSSFADE_S), context,
                          request.seed + turn)
            made = join(made, more[len(context) - int(CROSSFADE_S * rate):], int(CROSSFADE_S * rate))
            turn += 1

        # 3. The film's format: resampled once, stereo, exactly the frames asked for
        write_wav(out, to_film_audio(made[:wanted], rate, request.sample_rate, frames), request.sample_rate)
