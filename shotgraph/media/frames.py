"""Frames in and out of ffmpeg as numpy arrays: decode a clip to RGB frames, encode frames to a clip.

Model backends work on frames (a video model's output, an upscaler's input); both directions stream, so a long
shot never sits in memory whole.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from shotgraph.errors import RenderError
from shotgraph.media.encoding import ffmpeg_exe, segment_video_args
from shotgraph.media.ffmpeg import STDERR_TAIL_LINES, die_with_parent, probe


def read_frames(path: str | Path) -> Iterator[np.ndarray]:
    """The clip's frames, one (height, width, 3) uint8 RGB array at a time."""
    info = probe(path)
    if info.width is None or info.height is None:
        raise RenderError(f"{path}: no video stream to read frames from")
    size = info.width * info.height * 3
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-i", str(path),
               "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, preexec_fn=die_with_parent)
        try:
            while chunk := process.stdout.read(size):
                if len(chunk) < size:
                    raise RenderError(f"{path}: a frame was cut short while decoding")
                yield np.frombuffer(chunk, np.uint8).reshape(info.height, info.width, 3)
        finally:
            process.stdout.close()
            code = process.wait()
        if code != 0:
            errors.seek(0)
            tail = "\n".join(errors.read().decode("utf-8", "replace").strip().splitlines()[-STDERR_TAIL_LINES:])
            raise RenderError(f"ffmpeg failed while decoding {path}: {tail or f'exit status {code}'}")


class FrameWriter:
    """Encode (height, width, 3) uint8 RGB frames into a film segment (`segment_video_args`) at `out`."""

    def __init__(self, out: str | Path, fps: int, width: int, height: int):
        self.out, self.width, self.height, self.count = Path(out), width, height, 0
        command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-f", "rawvideo",
                   "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-r", str(fps), "-i", "-",
                   *segment_video_args(fps), "-f", "mp4", str(out)]
        self._errors = tempfile.TemporaryFile()
        self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=self._errors,
                                         preexec_fn=die_with_parent)

    def write(self, frame: np.ndarray) -> None:
        if frame.shape != (self.height, self.width, 3) or frame.dtype != np.uint8:
            raise RenderError(f"{self.out.name}: frame {self.count} is {frame.shape} {frame.dtype}, "
                              f"expected ({self.height}, {self.width}, 3) uint8")
        try:
            self._process.stdin.write(np.ascontiguousarray(frame).tobytes())
        except BrokenPipeError:
            self.close()  # raises with ffmpeg's own words
            raise RenderError(f"ffmpeg stopped reading frames for {self.out.name}") from None
        self.count += 1

    def close(self) -> None:
        if self._errors.closed:
            return
        if not self._process.stdin.closed:
            self._process.stdin.close()
        code = self._process.wait()
        self._errors.seek(0)
        tail = "\n".join(self._errors.read().decode("utf-8", "replace").strip().splitlines()[-STDERR_TAIL_LINES:])
        self._errors.close()
        if code != 0:
            raise RenderError(f"ffmpeg failed while encoding {self.out.name}: {tail or f'exit status {code}'}")

    def __enter__(self) -> FrameWriter:
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if exc is None:
            self.close()
            return
        self._process.kill()  # the frames stopped coming: the error that stopped them is the one to report
        try:
            self.close()
        except RenderError:
            pass
