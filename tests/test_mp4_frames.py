"""Frames counted from an MP4's sample table agree with ffmpeg's count, and whatever is not a plain MP4 is left
to ffmpeg."""

from __future__ import annotations

import re
import struct
import subprocess
from pathlib import Path

import pytest

from shotgraph.errors import RenderError
from shotgraph.media.encoding import AUDIO_CODEC_ARGS, ffmpeg_exe, segment_video_args
from shotgraph.media.ffmpeg import count_frames, run_ffmpeg
from shotgraph.media.mp4 import mp4_video_frames


def ffmpeg_count(path: Path) -> int:
    """ffmpeg's own count: packets of the first video stream, by stream copy."""
    err = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path), "-map", "0:v:0", "-c", "copy",
                          "-f", "null", "-"], capture_output=True, text=True).stderr
    return int(re.findall(r"frame=\s*(\d+)", err)[-1])


@pytest.fixture(scope="module")
def segment(tmp_path_factory) -> Path:
    """A shot as the camera backend writes one: H.264 with B-frames (so an edit list and composition offsets)."""
    out = tmp_path_factory.mktemp("mp4") / "shot.mp4"
    run_ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x180:rate=24", "-frames:v", "77", *segment_video_args(24),
                "-f", "mp4", str(out)], what="a test segment")
    return out


def test_our_segments_and_films_are_counted_from_the_header_as_ffmpeg_counts_them(segment: Path, tmp_path: Path):
    film = tmp_path / "film.mp4"  # picture, AAC sound and a chapter, muxed as the cut does
    run_ffmpeg(["-i", str(segment), "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-map", "0:v",
                "-map", "1:a", "-c:v", "copy", *AUDIO_CODEC_ARGS, "-t", f"{77 / 24:.6f}", "-movflags", "+faststart",
                "-f", "mp4", str(film)], what="a test film")
    assert mp4_video_frames(segment) == ffmpeg_count(segment) == 77
    assert mp4_video_frames(film) == ffmpeg_count(film) == 77
    assert count_frames(film) == 77


def test_anything_but_a_plain_mp4_is_counted_by_ffmpeg(segment: Path, tmp_path: Path):
    fragmented, matroska = tmp_path / "frag.mp4", tmp_path / "shot.mkv"
    for out, options in ((fragmented, ["-movflags", "+frag_keyframe+empty_moov"]), (matroska, [])):
        run_ffmpeg(["-i", str(segment), "-c", "copy", *options, str(out)], what="a test copy")
        assert mp4_video_frames(out) is None and count_frames(out) == 77

    # an edit list that starts later than the first frame is shown (a trim): ffmpeg decides what it presents
    data = bytearray(segment.read_bytes())
    elst = data.index(b"elst")
    media_time = struct.unpack_from(">i", data, elst + 16)[0]
    struct.pack_into(">i", data, elst + 16, media_time + 24 * 1000)  # one second later, in the track's 24000/s
    trimmed = tmp_path / "trimmed.mp4"
    trimmed.write_bytes(bytes(data))
    assert mp4_video_frames(trimmed) is None

    cut_short = tmp_path / "cut.mp4"  # a file cut off inside its header
    cut_short.write_bytes(segment.read_bytes()[:400])
    assert mp4_video_frames(cut_short) is None
    with pytest.raises(RenderError, match="cut.mp4: cannot count frames"):
        count_frames(cut_short)
