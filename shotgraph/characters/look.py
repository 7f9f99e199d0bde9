"""The look stage: one reference image per character, reused in every frame they appear in."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from pathlib import Path

from shotgraph.backend import Backend
from shotgraph.director.plan import CharacterPlan


@dataclass(frozen=True)
class LookRequest:
    character: CharacterPlan
    index: int  # the character's cast slot (`characters.slots`): picks a distinct palette colour
    style: str  # the film's visual style
    width: int
    height: int
    seed: int
    reference: Path | None = None  # the user's own picture of the character, confined to the project folder


class LookBackend(Backend):
    stage = "look"

    @abstractmethod
    def render(self, request: LookRequest, out: Path) -> None:
        """Write the character's reference image as PNG to `out`."""


LOOK_BACKENDS: dict[str, str] = {
    "card": "shotgraph.characters.card:CharacterCard",
    "flux2": "shotgraph.characters.flux2_look:Flux2Look",
}
