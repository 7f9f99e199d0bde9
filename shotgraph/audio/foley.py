"""The foley stage: effects for each shot's cues, and an ambience bed for each scene."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from pathlib import Path

from shotgraph.backend import Backend
from shotgraph.director.plan import ScenePlan, Shot


@dataclass(frozen=True)
class EffectsRequest:
    shot: Shot  # shot.foley holds the cues and their times from the start of the shot
    scene: ScenePlan
    duration: float  # seconds of the shot
    sample_rate: int
    seed: int


@dataclass(frozen=True)
class AmbienceRequest:
    scene: ScenePlan  # scene.ambience names the bed: room tone, rain, traffic ...
    duration: float
    sample_rate: int
    seed: int


class FoleyBackend(Backend):
    stage = "foley"

    @abstractmethod
    def effects(self, request: EffectsRequest, out: Path) -> None:
        """Write a stereo float32 WAV of exactly the shot's length with every cue at its time."""

    @abstractmethod
    def ambience(self, request: AmbienceRequest, out: Path) -> None:
        """Write a stereo float32 WAV of exactly round(duration * sample_rate) frames: a steady bed, unfaded
        (the mix cuts it to the scene and fades it)."""


FOLEY_BACKENDS: dict[str, str] = {
    "procedural": "shotgraph.audio.procedural_foley:ProceduralFoley",
    "stable-audio": "shotgraph.audio.stable_audio_foley:StableAudioFoley",
    "audiogen": "shotgraph.audio.audiogen:AudioGenFoley",
}
