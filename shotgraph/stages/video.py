"""The video stage: motion over a shot's keyframe, exactly as many frames as the timeline asks for."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from pathlib import Path

from shotgraph.backend import Backend
from shotgraph.director.plan import Shot


@dataclass(frozen=True)
class VideoRequest:
    shot: Shot
    keyframe: Path
    frames: int  # exact: never more, never fewer (long shots extend from the last frame, never slow down)
    fps: int
    width: int
    height: int


class VideoBackend(Backend):
    stage = "video"

    @abstractmethod
    def render(self, request: VideoRequest, out: Path) -> None:
        """Write an MP4 clip of exactly request.frames frames at request.width x request.height to `out`."""


VIDEO_BACKENDS: dict[str, str] = {
    "camera": "shotgraph.stages.camera:CameraMoveVideo",
}
