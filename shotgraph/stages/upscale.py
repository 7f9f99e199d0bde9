"""The upscale stage: a shot's clip brought to the film's resolution, encoded as a film segment."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from pathlib import Path

from shotgraph.backend import Backend


@dataclass(frozen=True)
class UpscaleRequest:
    clip: Path  # from the video stage
    frames: int
    fps: int
    width: int  # the film's resolution
    height: int
    shot_id: str = ""  # names the shot in errors and in the run report's memory notes


class UpscaleBackend(Backend):
    stage = "upscale"

    @abstractmethod
    def render(self, request: UpscaleRequest, out: Path) -> None:
        """Write the segment MP4 at the film's size, encoded with render.encoding.segment_video_args."""


UPSCALE_BACKENDS: dict[str, str] = {
    "lanczos": "shotgraph.stages.lanczos:LanczosUpscale",
    "realesrgan": "shotgraph.stages.realesrgan:RealEsrganUpscale",
}
