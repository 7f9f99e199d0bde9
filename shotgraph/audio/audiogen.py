"""Foley by AudioGen: effects and beds from their words, on transformers' MusicGen classes.

The model is a MusicGen-format folder made by `audiogen_checkpoint.convert`; a folder or repo holding audiocraft's
own files (`state_dict.bin`, `compression_state_dict.bin`, as facebook/audiogen-medium ships them) is converted
once, beside the Hugging Face cache, the first time it is used. AudioGen was trained on 10 s clips, so beds are
made 10 s long and looped.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from shotgraph.audio.model_foley import ModelFoley
from shotgraph.audio.musicgen import generate_audio
from shotgraph.models.source import ModelRef, resolve

T5_LARGE = "google-t5/t5-large"  # AudioGen's text conditioner: its weights are not in audiocraft's file


def converted_folder(identity: str) -> Path:
    cache = Path(os.environ.get("SHOTGRAPH_CACHE", Path.home() / ".cache" / "shotgraph"))
    return cache / "audiogen" / identity.replace(":", "-").replace("/", "--").replace("@", "--")


class AudioGenFoley(ModelFoley):
    name = "audiogen"
    version = "1"
    default_model = "facebook/audiogen-medium"
    default_guidance = 3.0
    libraries = ("torch", "transformers")
    weights_gb = 7.0  # 1.5B LM, T5-large and the 16 kHz EnCodec in float32; CC-BY-NC weights
    bed_seconds = 10.0
    text_encoder = T5_LARGE

    def model_refs(self) -> list[ModelRef]:
        return [self.ref, ModelRef(self.text_encoder)] if self._is_audiocraft_layout(unresolved=True) else [self.ref]

    def _is_audiocraft_layout(self, unresolved: bool = False) -> bool:
        if unresolved and not self.ref.is_local:
            return self.ref.model == self.default_model
        return (self.resolved.path / "state_dict.bin").is_file()

    @cached_property
    def folder(self) -> Path:
        """The MusicGen-format folder: the model's own, or the one converted from audiocraft's files."""
        if not self._is_audiocraft_layout():
            return self.resolved.path
        target = converted_folder(self.resolved.identity)
        if not (target / "config.json").is_file():
            from shotgraph.audio.audiogen_checkpoint import convert

            t5 = resolve(ModelRef(self.text_encoder), self.profile.models).path
            tmp = target.with_name(target.name + ".tmp")
            convert(self.resolved.path / "state_dict.bin", self.resolved.path / "compression_state_dict.bin", t5, tmp)
            tmp.rename(target)
        return target

    def model(self) -> Any:
        def build() -> Any:
            from transformers import MusicgenForConditionalGeneration

            return MusicgenForConditionalGeneration.from_pretrained(self.folder, dtype=self.dtype).eval()

        return self.models.load(self.model_key, self.stage, build)

    @cached_property
    def tokenizer(self) -> Any:
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(self.folder)

    def generate(self, prompts: list[str], seconds: float, seed: int, item: str) -> tuple[list[np.ndarray], int]:
        model = self.model()
        audio = self.models.run(item, self.model_key, lambda degrade: generate_audio(
            model, self.tokenizer, prompts, seconds, seed, self.guidance, self.models.device.device))
        return list(audio), model.config.audio_encoder.sampling_rate
