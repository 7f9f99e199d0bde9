"""The one set of codec settings every picture segment is encoded with, so segments stream-copy into one film."""

from __future__ import annotations

from functools import cache

import imageio_ffmpeg


@cache
def ffmpeg_exe() -> str:
    """The static ffmpeg shipped by imageio-ffmpeg (libx264, aac, libass, drawtext, xfade, loudnorm)."""
    return imageio_ffmpeg.get_ffmpeg_exe()


def segment_video_args(fps: int) -> list[str]:
    """Output options for a video segment: H.264 yuv420p, fixed GOP and timebase, no audio.

    Every segment (shot, transition, title card, slate) uses exactly these, so the concat demuxer can join
    them by stream copy. Each segment starts with a keyframe because every encode starts a new stream.
    """
    return [
        "-an",
        "-c:v", "libx264",
        "-preset", "veryfast",
        "-crf", "20",
        "-pix_fmt", "yuv420p",
        "-profile:v", "high",
        "-level", "4.1",
        "-g", str(fps * 2),
        "-bf", "2",
        "-r", str(fps),
        "-video_track_timescale", str(fps * 1000),
        "-movflags", "+faststart",
    ]


# the fast coder takes a third less time than the default (two-loop) one; at 192k its decoded true peak stays within
# the mix's AAC headroom (graph.AAC_HEADROOM_DB)
AUDIO_CODEC_ARGS = ["-c:a", "aac", "-aac_coder", "fast", "-b:a", "192k"]
