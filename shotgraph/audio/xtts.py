"""XTTS-v2 voices through the maintained `coqui-tts` package: each character cloned from the user's sample when
the plan names one, else a stable built-in studio speaker chosen from the planned voice and the name.

coqui-tts imports torchaudio, which has no build for torch 2.12+: XTTS runs where a matching CUDA torch and
torchaudio are installed (a GPU machine), and elsewhere fails with a message that names `pocket-tts`. Lines are
said sentence by sentence (XTTS's limit is about 250 characters), in the line's own language, at the speed its
parentheticals ask for, and joined with a breath between sentences.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from shotgraph.audio.dialogue import DialogueBackend, DialogueRequest
from shotgraph.audio.espeak import DELIVERIES, delivery_for
from shotgraph.audio.speech import builtin_speaker, line_language, sentences, spoken
from shotgraph.audio.wav import resample, write_wav
from shotgraph.errors import BackendError
from shotgraph.models.backend import ModelBackend
from shotgraph.models.manager import Degrade

RATE = 24000
LONGEST = 250  # characters XTTS says well in one go
LANGUAGES = {"en", "es", "fr", "de", "it", "pt", "pl", "tr", "ru", "nl", "cs", "ar", "zh-cn", "ja", "hu", "ko", "hi"}
SPEAKERS = {  # XTTS-v2's studio speakers
    "female": ["Claribel Dervla", "Daisy Studious", "Gracie Wise", "Tammie Ema", "Alison Dietlinde", "Ana Florence",
               "Annmarie Nele", "Asya Anara", "Brenda Stern", "Gitta Nikolina", "Henriette Usha", "Sofia Hellen",
               "Tammy Grit", "Tanja Adelina", "Vjollca Johnnie"],
    "male": ["Andrew Chipper", "Badr Odhiambo", "Dionisio Schuyler", "Royston Min", "Viktor Eka", "Abrahan Mack",
             "Adde Michal", "Baldur Sanjin", "Craig Gutsy", "Damien Black", "Gilberto Mathias", "Ilkin Urbano",
             "Kazuhiko Atallah", "Ludvig Milivoj", "Suad Qasim", "Torcull Diarmuid", "Viktor Menelaos",
             "Zacharie Aimilios"],
}


def xtts_language(text: str, default: str) -> str:
    language = line_language(text, default)
    language = "zh-cn" if language == "zh" else language
    return language if language in LANGUAGES else default


def speed_of(parentheticals: list[str]) -> float:
    """The delivery's pace from the parentheticals ("(quickly)", "(whispering)"), as XTTS's speed."""
    rates = [DELIVERIES[delivery_for(p)].rate_scale for p in parentheticals]
    return float(np.clip(np.prod(rates) if rates else 1.0, 0.75, 1.3))


def import_xtts() -> Any:
    try:
        from TTS.tts.configs.xtts_config import XttsConfig
        from TTS.tts.models.xtts import Xtts
    except (ImportError, OSError) as exc:  # torchaudio missing or built for another torch
        raise BackendError("dialogue", "xtts", f"coqui-tts cannot be imported here ({type(exc).__name__}: {exc}); "
                           "XTTS needs torchaudio built for this torch (a CUDA machine: pip install coqui-tts "
                           "'transformers<=5.23'). On this machine use dialogue = \"pocket-tts\"") from None
    return XttsConfig, Xtts


class XttsDialogue(ModelBackend, DialogueBackend):
    name = "xtts"
    version = "1"
    default_model = "coqui/XTTS-v2"
    libraries = ("torch", "TTS")
    install_hint = ("on a CUDA machine with torchaudio: pip install coqui-tts 'transformers<=5.23'; here use "
                    "dialogue = \"pocket-tts\"")
    weights_gb = 1.9

    def __init__(self, profile: Any, models: Any = None):
        super().__init__(profile, models)
        self._conditioning: dict[str, Any] = {}  # per character, once per run: from the sample or the speaker

    def cache_params(self) -> dict[str, object]:
        return {"language": self.profile.language, "longest": LONGEST}

    def model(self) -> Any:
        def build() -> Any:
            config_class, model_class = import_xtts()
            config = config_class()
            config.load_json(str(self.resolved.path / "config.json"))
            model = model_class.init_from_config(config)
            model.load_checkpoint(config, checkpoint_dir=str(self.resolved.path), eval=True)
            model.gpt.init_gpt_for_inference()
            return model

        return self.models.load(self.model_key, self.stage, build)

    def conditioning(self, model: Any, request: DialogueRequest) -> Any:
        name = request.character.name
        if name not in self._conditioning:
            if request.voice_sample is not None:
                self._conditioning[name] = model.get_conditioning_latents(audio_path=[str(request.voice_sample)])
            else:
                speaker = builtin_speaker(request.character.voice, name, SPEAKERS)
                self._conditioning[name] = model.speaker_manager.speakers[speaker].values()
        return self._conditioning[name]

    def render(self, request: DialogueRequest, out: Path) -> None:
        model = self.model()
        gpt_latent, speaker_embedding = self.conditioning(model, request)
        line = request.line
        speed = speed_of(line.parentheticals)
        pieces = []
        for text in sentences(line.text, LONGEST):
            language = xtts_language(text, request.language)

            def attempt(degrade: Degrade, text: str = text, language: str = language) -> np.ndarray:
                result = model.inference(text, language, gpt_latent, speaker_embedding, speed=speed)
                return np.asarray(result["wav"], dtype=np.float32)

            pieces.append(self.models.run(f"line {line.id}", self.model_key, attempt))
        write_wav(out, resample(spoken(pieces, RATE), RATE, request.sample_rate), request.sample_rate)
