"""Running the shipped ffmpeg, reading media facts from it, and escaping text for filter graphs.

There is no ffprobe in imageio-ffmpeg, so `probe` parses what `ffmpeg -i` prints and `count_frames` counts
packets with a stream-copy to the null muxer.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import logging
import os
import re
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from shotgraph.errors import RenderError
from shotgraph.media.encoding import ffmpeg_exe
from shotgraph.media.mp4 import mp4_video_frames

log = logging.getLogger(__name__)

STDERR_TAIL_LINES = 12  # lines of ffmpeg's stderr quoted in a RenderError
PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None  # loaded before any fork


def die_with_parent() -> None:
    """In a child before exec: in a process group of its own, so the terminal's Ctrl-C stops the run, not its
    ffmpeg mid-item (which would look like a failed item); and (Linux) killed when the process that started it
    dies, so a stopped run leaves no ffmpeg behind. Only system calls: nothing that takes a lock."""
    os.setpgrp()
    if _LIBC is not None:
        _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
PIPE_BYTES = 1 << 20  # input pipe of a `FfmpegPipe` (Linux's limit for an unprivileged process)


def run_ffmpeg(args: list[str], *, what: str, cwd: Path | None = None) -> None:
    """Run `ffmpeg -hide_banner -nostdin -y <args>`; raise RenderError("ffmpeg failed while <what>: ...") on failure."""
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error", *args]
    log.debug("ffmpeg %s: %s", what, command)
    try:
        done = subprocess.run(command, capture_output=True, text=True, errors="replace", cwd=cwd,
                              preexec_fn=die_with_parent)
    except OSError as exc:
        raise RenderError(f"ffmpeg failed while {what}: cannot start {command[0]}: {exc}") from exc
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-STDERR_TAIL_LINES:]) or f"exit status {done.returncode}"
        raise RenderError(f"ffmpeg failed while {what}: {tail}")


class FfmpegPipe:
    """`ffmpeg <args>` reading its input from files handed to it piece by piece, for media still being made.

    `close()` ends the input and waits, raising RenderError("ffmpeg failed while <what>: ...") on failure;
    `kill()` stops ffmpeg at once, from any thread (a `send_file` in progress then fails), and `close()` after it
    only tidies up.
    """

    def __init__(self, args: list[str], *, what: str):
        self.what = what
        command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error", *args]
        log.debug("ffmpeg %s: %s", what, command)
        self._stderr = tempfile.TemporaryFile()  # a file, not a pipe: a chatty ffmpeg can never block on it
        try:
            self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                             stderr=self._stderr, bufsize=0, preexec_fn=die_with_parent)
        except OSError as exc:
            self._stderr.close()
            raise RenderError(f"ffmpeg failed while {what}: cannot start {command[0]}: {exc}") from exc
        self._killed = False
        self._input = self._process.stdin.fileno()
        if hasattr(fcntl, "F_SETPIPE_SZ"):  # 64 KiB last ffmpeg about a millisecond of audio; 1 MiB, some 20
            try:
                fcntl.fcntl(self._input, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
            except OSError:
                pass

    def send_file(self, fd: int, offset: int, count: int) -> None:
        """Copy `count` bytes of the open file `fd`, from `offset`, to ffmpeg's input.

        The kernel copies them (sendfile), holding no GIL, so a busy Python thread never leaves ffmpeg waiting.
        """
        try:
            while count > 0:
                try:
                    sent = os.sendfile(self._input, fd, offset, count)
                except OSError as exc:
                    if exc.errno not in (errno.EINVAL, errno.ENOSYS, errno.ENOTSOCK):  # no sendfile into a pipe
                        raise
                    sent = os.write(self._input, os.pread(fd, min(count, PIPE_BYTES), offset))
                if sent == 0:
                    raise RenderError(f"ffmpeg failed while {self.what}: its input file ended early")
                offset, count = offset + sent, count - sent
        except BrokenPipeError:
            raise RenderError(f"ffmpeg failed while {self.what}: it stopped reading its input") from None

    def kill(self) -> None:
        self._killed = True
        self._process.kill()

    def close(self) -> None:
        if self._stderr.closed:
            return
        self._process.stdin.close()
        code = self._process.wait()
        self._stderr.seek(0)
        err = self._stderr.read().decode("utf-8", "replace")
        self._stderr.close()
        if code != 0 and not self._killed:
            tail = "\n".join(err.strip().splitlines()[-STDERR_TAIL_LINES:]) or f"exit status {code}"
            raise RenderError(f"ffmpeg failed while {self.what}: {tail}")


def _ffmpeg_info(args: list[str]) -> str:
    """stderr of an ffmpeg call that is expected to print information (and may exit non-zero doing so)."""
    done = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", *args], capture_output=True, text=True, errors="replace",
        preexec_fn=die_with_parent)
    return done.stderr


def count_frames(path: str | Path) -> int:
    """Number of video frames in the first video stream (packets counted by stream copy: fast, exact for H.264);
    read from the sample table where the file is a plain MP4 (mp4.py), else by ffmpeg."""
    path = Path(path)
    if not path.is_file():
        raise RenderError(f"{path}: cannot count frames: no such file")
    if (frames := mp4_video_frames(path)) is not None:
        return frames
    err = _ffmpeg_info(["-i", str(path), "-map", "0:v:0", "-c", "copy", "-f", "null", "-"])
    found = re.findall(r"frame=\s*(\d+)", err)
    if not found:
        tail = "\n".join(err.strip().splitlines()[-STDERR_TAIL_LINES:])
        raise RenderError(f"{path}: cannot count frames: {tail}")
    return int(found[-1])


@dataclass
class StreamInfo:
    index: int
    kind: str  # "video", "audio", "subtitle", "data"
    codec: str  # e.g. "h264", "aac", "mov_text"
    language: str = ""
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    sample_rate: int | None = None


@dataclass
class ChapterInfo:
    start: float
    end: float
    title: str = ""


@dataclass
class MediaInfo:
    path: Path
    duration: float | None  # seconds; None when ffmpeg reports N/A
    streams: list[StreamInfo] = field(default_factory=list)
    chapters: list[ChapterInfo] = field(default_factory=list)
    title: str = ""

    def of_kind(self, kind: str) -> list[StreamInfo]:
        return [s for s in self.streams if s.kind == kind]

    @property
    def video(self) -> StreamInfo | None:
        found = self.of_kind("video")
        return found[0] if found else None

    @property
    def width(self) -> int | None:
        return self.video.width if self.video else None

    @property
    def height(self) -> int | None:
        return self.video.height if self.video else None

    @property
    def fps(self) -> float | None:
        return self.video.fps if self.video else None


_DURATION = re.compile(r"^\s*Duration:\s*(?:(\d+):(\d+):(\d+(?:\.\d+)?)|N/A)")
_STREAM = re.compile(r"^\s*Stream #\d+:(\d+)(?:\[[^\]]*\])?(?:\((\w+)\))?:\s*(\w+):\s*([\w-]+)(.*)$")
_CHAPTER = re.compile(r"^\s*Chapter #\d+:\d+: start (-?[\d.]+), end (-?[\d.]+)")
_META = re.compile(r"^(\s*)(\w+)\s*:\s?(.*)$")


def probe(path: str | Path) -> MediaInfo:
    """Duration, streams (codec, size, fps, rate, language), chapters and title, parsed from `ffmpeg -i`."""
    path = Path(path)
    if not path.is_file():
        raise RenderError(f"{path}: cannot probe: no such file")
    err = _ffmpeg_info(["-i", str(path)])
    if "Input #0" not in err:
        tail = "\n".join(err.strip().splitlines()[-STDERR_TAIL_LINES:])
        raise RenderError(f"{path}: not a media file ffmpeg can read: {tail}")
    info = MediaInfo(path=path, duration=None)
    section = ""  # "format", "chapter" or "stream": whose Metadata block we are in
    for line in err.splitlines():
        if m := _DURATION.match(line):
            if m.group(1) is not None:
                info.duration = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
            section = "format"
        elif m := _CHAPTER.match(line):
            info.chapters.append(ChapterInfo(start=float(m.group(1)), end=float(m.group(2))))
            section = "chapter"
        elif m := _STREAM.match(line):
            section = "stream"
            stream = StreamInfo(index=int(m.group(1)), kind=m.group(3).lower(), codec=m.group(4),
                                language=m.group(2) or "")
            rest = m.group(5)
            if size := re.search(r",\s*(\d{2,5})x(\d{2,5})\b", rest):
                stream.width, stream.height = int(size.group(1)), int(size.group(2))
            if fps := re.search(r"([\d.]+)(k?) fps", rest):
                stream.fps = float(fps.group(1)) * (1000 if fps.group(2) else 1)
            if rate := re.search(r"(\d+) Hz", rest):
                stream.sample_rate = int(rate.group(1))
            info.streams.append(stream)
        elif line.startswith("Input #0"):
            section = "input"
        elif (m := _META.match(line)) and m.group(2) == "title":
            if section == "chapter" and info.chapters:
                info.chapters[-1].title = m.group(3)
            elif section in {"input", "format"} and not info.title:
                info.title = m.group(3)
    return info


# --- escaping ---------------------------------------------------------------------------------------------

_LEVEL1 = re.compile(r"([\\':])")  # an option value inside one filter's arguments
_LEVEL2 = re.compile(r"([\\'\[\],;])")  # that filter inside a filtergraph description


def escape_filter_value(text: str) -> str:
    """Escape `text` as one option value of a filter inside a `-vf` / `-filter_complex` graph.

    Two levels, as ffmpeg's "Notes on filtergraph escaping" describe: `\\ ' :` for the filter's own option
    parser, then `\\ ' [ ] , ;` for the graph parser. The value can then never end the option or the filter.
    For drawtext, also pass `expansion=none` (or use `textfile=`) so `%` is not expanded.
    """
    return _LEVEL2.sub(r"\\\1", _LEVEL1.sub(r"\\\1", str(text)))


def escape_concat_path(path: str | Path) -> str:
    """A path quoted for a concat-demuxer list line: `file '<this>'`."""
    return "'" + str(path).replace("'", "'\\''") + "'"


def escape_ffmetadata(text: str) -> str:
    """Escape `= ; # \\` and newline for an FFMETADATA1 file, as its spec requires."""
    return re.sub(r"([=;#\\\n])", r"\\\1", text)
