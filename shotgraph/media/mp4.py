"""The frames of an MP4's video track, read from its sample table: what `ffmpeg -c copy` would count, without
starting ffmpeg (about 30 ms a file here, several times per shot) or reading the media.

Only the plain case is answered: a video track with its samples listed in the moov box and at most the one edit an
encoder writes for its reordering delay. Anything else (fragments, trims, other containers, a damaged file) gets
None, and ffmpeg counts it.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts"}
_MOOV_MAX = 64 << 20  # a sample table this large is not a segment of ours: ffmpeg counts it

Boxes = dict[bytes, tuple[int, int]]  # box type -> (payload start, end) of its first occurrence in a track


def mp4_video_frames(path: Path) -> int | None:
    """The sample count of the first video track of a plain MP4 (see the module); None where ffmpeg must count."""
    try:
        with open(path, "rb") as handle:
            if handle.read(8)[4:8] != b"ftyp":
                return None
            handle.seek(0)
            moov = _moov(handle)
        if moov is None:
            return None
        movie_scale = 0
        for kind, start, end in _boxes(moov, 0, len(moov)):
            if kind == b"mvhd":
                movie_scale = struct.unpack_from(">I", moov, start + (20 if moov[start] == 1 else 12))[0]
            elif kind == b"trak" and movie_scale:
                track: Boxes = {}
                _collect(moov, start, end, track)
                if b"hdlr" in track and moov[track[b"hdlr"][0] + 8: track[b"hdlr"][0] + 12] == b"vide":
                    return _samples(moov, track, movie_scale)
    except (struct.error, IndexError, ValueError):  # a damaged header: ffmpeg says what is wrong with it
        return None
    return None


def _boxes(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, box end) of each box in data[start:end]."""
    at = start
    while at + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, at)
        head = 8
        if size == 1:
            size, head = struct.unpack_from(">Q", data, at + 8)[0], 16
        elif size == 0:
            size = end - at
        if size < head or at + size > end:
            return
        yield kind, at + head, at + size
        at += size


def _collect(data: bytes, start: int, end: int, found: Boxes) -> None:
    for kind, a, b in _boxes(data, start, end):
        found.setdefault(kind, (a, b))
        if kind in _CONTAINERS:
            _collect(data, a, b, found)


def _moov(handle: BinaryIO) -> bytes | None:
    """The file's moov box, found by seeking past the others (the media are never read)."""
    while True:
        head = handle.read(8)
        if len(head) < 8:
            return None
        size, kind = struct.unpack(">I4s", head)
        body = size - 8
        if size == 1:
            body = struct.unpack(">Q", handle.read(8))[0] - 16
        elif size == 0:  # the last box, to the end of the file
            return handle.read(_MOOV_MAX) if kind == b"moov" else None
        if body < 0:
            return None
        if kind == b"moov":
            return handle.read(body) if body <= _MOOV_MAX else None
        handle.seek(body, 1)


def _samples(moov: bytes, track: Boxes, movie_scale: int) -> int | None:
    if b"stsz" not in track or b"mdhd" not in track:
        return None
    count = struct.unpack_from(">I", moov, track[b"stsz"][0] + 8)[0]
    if count == 0:
        return None  # fragmented, or no frames: ffmpeg knows
    if b"elst" not in track:
        return count
    at = track[b"elst"][0]
    if struct.unpack_from(">I", moov, at + 4)[0] != 1:
        return None
    duration, media_time = struct.unpack_from(">Qq" if moov[at] == 1 else ">Ii", moov, at + 8)
    header = track[b"mdhd"][0]
    scale, media_duration = struct.unpack_from(">IQ" if moov[header] == 1 else ">II", moov,
                                               header + (20 if moov[header] == 1 else 12))
    # The one edit must start where the first frame is shown (the encoder's reordering delay, not a trim) and run
    # to the last frame (within one frame's time).
    shown_first = struct.unpack_from(">i", moov, track[b"ctts"][0] + 12)[0] if b"ctts" in track else 0
    frame = media_duration / count
    runs_to_the_end = duration * scale + frame * movie_scale >= (media_duration - media_time) * movie_scale
    return count if media_time == shown_first and runs_to_the_end else None
