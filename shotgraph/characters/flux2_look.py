"""A character's look drawn by FLUX.2: a reference sheet from the plan's description, or from the user's own
reference image when the plan names one (the sheet then keeps that face and build, in the film's style)."""

from __future__ import annotations

from pathlib import Path

from shotgraph.characters.look import LookBackend, LookRequest
from shotgraph.models.flux2 import Flux2Generator


def look_prompt(request: LookRequest) -> str:
    character = request.character
    return (f"{request.style}. Character reference sheet of {character.name.title()}: {character.look}. "
            "Full body and face, front view, standing, even light, plain neutral background")


class Flux2Look(Flux2Generator, LookBackend):
    name = "flux2"
    version = "1"

    def render(self, request: LookRequest, out: Path) -> None:
        references = [request.reference] if request.reference is not None else []
        image = self.generate(look_prompt(request), references, request.width, request.height, request.seed,
                              f"look {request.character.id}")
        image.save(out, format="PNG")
