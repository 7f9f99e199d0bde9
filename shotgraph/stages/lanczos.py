"""The draft upscale: the clip scaled to the film's size with Lanczos and encoded as a film segment."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from shotgraph.errors import RenderError
from shotgraph.media.encoding import ffmpeg_exe, segment_video_args
from shotgraph.media.ffmpeg import count_frames, die_with_parent, run_ffmpeg
from shotgraph.stages.upscale import UpscaleBackend, UpscaleRequest, checked_clip


def _is_segment(clip: Path, width: int, height: int, fps: int) -> bool:
    """True when `clip` already is a segment at this size: H.264 High yuv420p, width x height, fps, fps*1000 tbn.

    That is what `segment_video_args(fps)` produces (the camera backend's clips at the film's size), so
    re-encoding would only lose quality and time.
    """
    info = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(clip)],
                          capture_output=True, text=True, errors="replace", preexec_fn=die_with_parent).stderr
    video = [line for line in info.splitlines() if re.search(r"Stream #\d+:\d+.*: Video:", line)]
    audio = [line for line in info.splitlines() if re.search(r"Stream #\d+:\d+.*: Audio:", line)]
    if len(video) != 1 or audio:
        return False
    line = video[0]
    return ("h264 (High)" in line and "yuv420p" in line and f", {width}x{height}" in line
            and re.search(rf"\b{fps} fps\b", line) is not None and re.search(rf"\b{fps}k tbn\b", line) is not None)


class LanczosUpscale(UpscaleBackend):
    """Lanczos resampling by ffmpeg; exact frame count kept."""

    name = "lanczos"
    version = "1"

    def render(self, request: UpscaleRequest, out: Path) -> None:
        # 1. Check inputs: the clip must hold exactly the frames the timeline asked for
        clip = checked_clip(request)

        # 2. Already a segment at the film's size: the same file under a second name, a hard link, so the picture
        #    is stored once. The clip is a read-only artifact, so neither name can change it. The cache key still
        #    names this backend, so a later change of upscaler re-renders it.
        if _is_segment(clip, request.width, request.height, request.fps):
            out.unlink(missing_ok=True)
            try:
                os.link(clip, out)
            except OSError:  # a filesystem without hard links
                shutil.copyfile(clip, out)
            return

        # 3. Otherwise scale and encode with the one set of segment settings
        run_ffmpeg(["-i", str(clip), "-vf", f"scale={request.width}:{request.height}:flags=lanczos,format=yuv420p",
                    "-frames:v", str(request.frames), *segment_video_args(request.fps), "-f", "mp4", str(out)],
                   what=f"upscaling {clip.name} to {request.width}x{request.height}")
        got = count_frames(out)
        if got != request.frames:
            raise RenderError(f"upscale: wrote {got} frames, expected {request.frames}")
