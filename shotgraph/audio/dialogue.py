"""The dialogue stage: one recording per dialogue block, in the character's voice, words verbatim."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from pathlib import Path

from shotgraph.backend import Backend
from shotgraph.director.plan import CharacterPlan
from shotgraph.director.screenplay.model import Dialogue


@dataclass(frozen=True)
class DialogueRequest:
    line: Dialogue  # text, parentheticals and extensions (V.O., O.S.) as parsed
    character: CharacterPlan
    voice_index: int  # the character's cast slot (`characters.slots`): picks a distinct, stable voice
    sample_rate: int
    voice_sample: Path | None = None  # the user's recording to clone, confined to the project folder
    language: str = "en"  # the profile's language: a line in another script or language is detected


class DialogueBackend(Backend):
    stage = "dialogue"

    @abstractmethod
    def render(self, request: DialogueRequest, out: Path) -> None:
        """Write a mono float32 WAV at request.sample_rate, no leading or trailing silence, to `out`."""


DIALOGUE_BACKENDS: dict[str, str] = {
    "espeak": "shotgraph.audio.espeak:EspeakDialogue",
    "xtts": "shotgraph.audio.xtts:XttsDialogue",
    "pocket-tts": "shotgraph.audio.pocket:PocketDialogue",
}
