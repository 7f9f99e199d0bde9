"""A shot's keyframe drawn by FLUX.2, conditioned on the reference look of every character in frame."""

from __future__ import annotations

from pathlib import Path

from shotgraph.models.flux2 import Flux2Generator
from shotgraph.stages.keyframe import KeyframeBackend, KeyframeRequest


def keyframe_prompt(request: KeyframeRequest) -> str:
    """The shot's prompt in the film's one style; who the reference images show, in order."""
    prompt = request.shot.prompt if request.shot.prompt.startswith(request.style) else (
        f"{request.style}, {request.shot.prompt}")
    shown = [c for c in request.characters if c.id in request.looks]
    if shown:
        who = "; ".join(f"{c.name.title()} as in reference image {i}" for i, c in enumerate(shown, start=1))
        prompt += f". {who}"
    return prompt


class Flux2Keyframe(Flux2Generator, KeyframeBackend):
    name = "flux2"
    version = "1"

    def render(self, request: KeyframeRequest, out: Path) -> None:
        references = [request.looks[c.id] for c in request.characters if c.id in request.looks]
        image = self.generate(keyframe_prompt(request), references, request.width, request.height,
                              request.shot.seed, f"shot {request.shot.id}")
        image.save(out, format="PNG")
