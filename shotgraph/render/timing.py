"""Timing: where every shot, dialogue line and scene sits in the film, in frames.

Computed after the dialogue is recorded, because the words set the cut (invariant 7): a shot lasts at least
its planned minimum and at least as long as its dialogue plus breathing room. Frame counts are exact integers;
seconds are derived from them, so picture and sound cannot drift.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from shotgraph.director.plan import TransitionKind
from shotgraph.errors import RenderError


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LinePlacement(_Model):
    line_id: str = Field(description="screenplay dialogue block id")
    shot_id: str
    character: str = Field(description="canonical screenplay name")
    text: str = Field(description="the spoken words, verbatim from the screenplay")
    start: float = Field(description="seconds from the start of the film")
    duration: float = Field(description="seconds of recorded audio")
    audio: str = Field(description="path of the recorded WAV")


class ShotTiming(_Model):
    shot_id: str
    scene_id: str
    start_frame: int
    frames: int = Field(gt=0)
    transition: TransitionKind = Field(description="the transition into this shot")
    transition_frames: int = Field(default=0, ge=0, description="length of that transition; 0 for a cut")


class SceneTiming(_Model):
    scene_id: str
    heading: str
    start_frame: int
    frames: int


class Timing(_Model):
    fps: int
    sample_rate: int
    title_frames: int = Field(description="frames of the opening title card, before the first shot")
    ending_frames: int = Field(default=0, ge=0, description="last frames of the film, faded to black (FADE OUT.)")
    shots: list[ShotTiming]
    scenes: list[SceneTiming]
    lines: list[LinePlacement]
    _by_id: dict[str, ShotTiming] | None = PrivateAttr(default=None)

    @property
    def total_frames(self) -> int:
        return self.title_frames + sum(s.frames for s in self.shots)

    @property
    def duration(self) -> float:
        return self.total_frames / self.fps

    def shot(self, shot_id: str) -> ShotTiming:
        if self._by_id is None:
            self._by_id = {s.shot_id: s for s in self.shots}
        if shot_id not in self._by_id:
            raise RenderError(f"shot {shot_id} is not in the timing")
        return self._by_id[shot_id]

    def seconds(self, frames: int) -> float:
        return frames / self.fps
