"""The upscale stage: a shot's clip brought to the film's resolution, encoded as a film segment."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from pathlib import Path

from shotgraph.backend import Backend
from shotgraph.errors import RenderError


@dataclass(frozen=True)
class UpscaleRequest:
    clip: Path  # from the video stage
    frames: int
    fps: int
    width: int  # the film's resolution
    height: int
    shot_id: str = ""  # names the shot in errors and in the run report's memory notes


def checked_clip(request: UpscaleRequest) -> Path:
    """The clip to upscale, refused unless it holds exactly the frames the timeline asks for (invariant 7)."""
    from shotgraph.media.ffmpeg import count_frames

    clip = Path(request.clip)
    if not clip.is_file():
        raise RenderError(f"upscale: clip {clip} does not exist")
    got = count_frames(clip)
    if got != request.frames:
        raise RenderError(f"upscale: {clip} has {got} frames, the timeline asks for {request.frames}")
    return clip


class UpscaleBackend(Backend):
    stage = "upscale"

    @abstractmethod
    def render(self, request: UpscaleRequest, out: Path) -> None:
        """Write the segment MP4 at the film's size, encoded with render.encoding.segment_video_args."""


UPSCALE_BACKENDS: dict[str, str] = {
    "lanczos": "shotgraph.stages.lanczos:LanczosUpscale",
    "realesrgan": "shotgraph.stages.realesrgan:RealEsrganUpscale",
}
