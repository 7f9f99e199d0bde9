"""The keyframe stage: one still per shot that fixes its composition, at the render resolution."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from pathlib import Path

from shotgraph.backend import Backend
from shotgraph.director.plan import CharacterPlan, ScenePlan, Shot


@dataclass(frozen=True)
class KeyframeRequest:
    shot: Shot
    scene: ScenePlan
    heading: str  # the scene heading as written, '' for the opening scene
    characters: tuple[CharacterPlan, ...]  # those in frame, in the shot's order
    looks: dict[str, Path]  # character id -> reference image from the look stage
    style: str
    width: int
    height: int
    text_bottom: float = 1.0  # drawn text stays above this fraction of the height: burned subtitles use the rest


class KeyframeBackend(Backend):
    stage = "keyframe"

    @abstractmethod
    def render(self, request: KeyframeRequest, out: Path) -> None:
        """Write the shot's keyframe as PNG (request.width x request.height) to `out`."""


KEYFRAME_BACKENDS: dict[str, str] = {
    "storyboard": "shotgraph.stages.storyboard:StoryboardKeyframe",
    "flux2": "shotgraph.stages.flux2_keyframe:Flux2Keyframe",
    "flux-kontext": "shotgraph.stages.kontext_keyframe:KontextKeyframe",
}
