"""Voices by pocket-tts (Kyutai, MIT): a small TTS with voice cloning that runs on the CPU without torchaudio,
the preview profile's voice and XTTS's stand-in where torchaudio cannot load.

Each character is cloned from the user's sample when the plan names one, else speaks with a built-in voice
chosen from the planned gender and the name. pocket-tts has one model per language: with no `model` set, each
line is said by the model of its own language (English, French, German, Spanish, Italian, Portuguese, Dutch);
`model` may instead name one language or a config YAML for every line.
"""

from __future__ import annotations

import hashlib
from functools import cached_property
from importlib.metadata import version
from pathlib import Path
from typing import Any


from shotgraph.audio.dialogue import DialogueBackend, DialogueRequest
from shotgraph.audio.speech import builtin_speaker, line_language, sentences, spoken
from shotgraph.audio.wav import read_wav, resample, write_wav
from shotgraph.errors import BackendError
from shotgraph.models.backend import ModelBackend
from shotgraph.models.source import ModelRef, ResolvedModel

LANGUAGES = {"en": "english", "fr": "french", "de": "german", "es": "spanish", "it": "italian", "pt": "portuguese",
             "nl": "dutch"}
VOICES = {  # pocket-tts's built-in voices
    "female": ["alba", "anna", "vera", "fantine", "eponine", "azelma", "mary", "jane", "eve", "cosette", "caro_davy"],
    "male": ["marius", "javert", "jean", "charles", "paul", "george", "michael", "bill_boerst", "peter_yearsley",
             "stuart_bell"],
}
LONGEST = 300


def configs_folder() -> Path:
    import pocket_tts

    return Path(pocket_tts.__file__).parent / "config"


class PocketDialogue(ModelBackend, DialogueBackend):
    name = "pocket-tts"
    version = "1"
    default_model = ""  # a model per line's language
    libraries = ("torch", "pocket_tts")
    weights_gb = 0.5

    def __init__(self, profile: Any, models: Any = None):
        super().__init__(profile, models)
        self._voices: dict[tuple[str, str], Any] = {}  # (config, character) -> the voice's model state

    def model_refs(self) -> list[ModelRef]:
        return []  # pocket-tts fetches its own pinned weights (hf:// paths inside its configs)

    def config_for(self, text: str) -> Path:
        """The YAML that says this line: the profile's choice, or the model of the line's language."""
        chosen = self.choice.model
        if chosen and chosen.endswith((".yaml", ".yml")):
            return Path(chosen).expanduser().resolve()
        language = chosen or LANGUAGES.get(line_language(text, self.profile.language))
        if language is None:
            raise BackendError("dialogue", self.name, f"pocket-tts has no {line_language(text)!r} voice; known "
                               f"languages = {sorted(LANGUAGES)}; use dialogue = \"xtts\" or \"espeak\" for it")
        return configs_folder() / f"{language}.yaml"

    @cached_property
    def resolved(self) -> ResolvedModel:  # type: ignore[override]
        chosen = self.choice.model
        configs = ([self.config_for("")] if chosen and chosen.endswith((".yaml", ".yml"))
                   else sorted(configs_folder().glob("*.yaml")))
        digest = hashlib.sha256(version("pocket-tts").encode())
        for config in configs:
            if not config.is_file():
                raise BackendError("dialogue", self.name, f"{config}: no such pocket-tts config")
            digest.update(config.read_bytes())  # each config pins its weights by revision
        return ResolvedModel(ModelRef(chosen or "pocket-tts"), configs[0], f"pocket:{digest.hexdigest()[:24]}")

    def cache_params(self) -> dict[str, object]:
        return {"language": self.profile.language, "longest": LONGEST}

    def model(self, config: Path) -> Any:
        def build() -> Any:
            from pocket_tts import TTSModel

            return TTSModel.load_model(config=str(config))

        return self.models.load(f"{self.name} {config.name}", self.stage, build)

    def voice(self, model: Any, config: Path, request: DialogueRequest) -> Any:
        import torch

        key = (config.name, request.character.name)
        if key not in self._voices:
            if request.voice_sample is not None:
                samples, rate = read_wav(request.voice_sample)
                mono = samples.mean(axis=1) if samples.ndim == 2 else samples
                prompt = torch.from_numpy(resample(mono, rate, model.sample_rate))[None]
            elif config.parent != configs_folder():
                raise BackendError("dialogue", self.name, f"{request.character.name} has no voice sample, and "
                                   f"pocket-tts's built-in voices need one of its own language models, not "
                                   f"{config.name}: give the character a voice_sample in the plan")
            else:
                prompt = builtin_speaker(request.character.voice, request.character.name, VOICES)
            self._voices[key] = self.models.run(f"voice {request.character.id}", f"{self.name} {config.name}",
                                                lambda degrade: model.get_state_for_audio_prompt(prompt))
        return self._voices[key]

    def render(self, request: DialogueRequest, out: Path) -> None:
        pieces, rate = [], 0
        for text in sentences(request.line.text, LONGEST):
            config = self.config_for(text)
            model = self.model(config)
            state = self.voice(model, config, request)
            audio = self.models.run(f"line {request.line.id}", f"{self.name} {config.name}",
                                    lambda degrade: model.generate_audio(state, text))
            pieces.append(audio.float().cpu().numpy().reshape(-1))
            rate = model.sample_rate
        if not pieces:
            raise BackendError("dialogue", self.name, f"line {request.line.id}: nothing to say")
        write_wav(out, resample(spoken(pieces, rate), rate, request.sample_rate), request.sample_rate)
