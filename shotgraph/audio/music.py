"""The music stage: a score cue per scene, from the scene's music cue.

A cue is rendered for its scene's length rounded up (see `audio.cues.cue_spans`); the mix cuts it to the
scene and fades its edges, so the backend writes the music as it plays, unfaded.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from pathlib import Path

from shotgraph.backend import Backend
from shotgraph.director.plan import ScenePlan


@dataclass(frozen=True)
class MusicRequest:
    scene: ScenePlan
    duration: float  # seconds
    sample_rate: int
    seed: int


class MusicBackend(Backend):
    stage = "music"

    @abstractmethod
    def render(self, request: MusicRequest, out: Path) -> None:
        """Write a stereo float32 WAV of exactly round(duration * sample_rate) frames to `out`."""


MUSIC_BACKENDS: dict[str, str] = {
    "procedural": "shotgraph.audio.score:ProceduralScore",
    "musicgen": "shotgraph.audio.musicgen:MusicGenScore",
}
