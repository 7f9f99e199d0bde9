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
        """Write an MP4 clip of exactly request.frames frames to `out`: at request.width x request.height, or, for
        a model that generates smaller, at its generation size with about the film's aspect ratio (the upscale
        stage brings every clip to the film's size)."""


VIDEO_BACKENDS: dict[str, str] = {
    "camera": "shotgraph.stages.camera:CameraMoveVideo",
    "ltx": "shotgraph.stages.ltx_video:LtxVideo",
    "ltx2": "shotgraph.stages.ltx_video:Ltx2Video",
    "wan": "shotgraph.stages.wan_video:WanVideo",
    "hunyuan": "shotgraph.stages.hunyuan_video:HunyuanVideo",
}
