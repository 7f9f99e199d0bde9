"""Dialogue you can hear: quiet deliveries lifted, and music and effects ducked deeper under any line they would
still crowd, so that during every line the words sit well above the bed.

Measured per line, before the mix is made, on the same clips the mix is made from: a whisper's loudness against
the film's typical line, and the bed (music + effects, at the ordinary duck) against the line's words, each as
the ungated K-weighted loudness over the line.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shotgraph.audio.loudness import span_loudness
from shotgraph.audio.wav import read_wav

SPEECH_OVER_BED_DB = 7.0  # the words above music + effects during every line: 6 dB asked, 1 dB to spare
QUIET_LINE_DB = 6.0  # a line this far below the film's median line is lifted to that distance
MAX_LIFT_DB = 12.0
MAX_EXTRA_DUCK_DB = 20.0
RAMP_S = 0.3  # an extra duck eases in and out over this, outside the line


def line_lifts(recordings: list[Path]) -> list[float]:
    """The gain (dB) each recorded line gets: 0, or what brings a quiet one up to QUIET_LINE_DB under the
    median line."""
    loudness = []
    for path in recordings:
        samples, rate = read_wav(path)
        loudness.append(span_loudness(samples, rate))
    heard = [lufs for lufs in loudness if math.isfinite(lufs)]
    if not heard:
        return [0.0] * len(recordings)
    floor = statistics.median(heard) - QUIET_LINE_DB
    return [min(MAX_LIFT_DB, floor - lufs) if math.isfinite(lufs) and lufs < floor else 0.0 for lufs in loudness]


@dataclass(frozen=True)
class DuckDepth:
    """The music and effects duck, in dB, hop by hop: the mix's ordinary depth, deeper around crowded lines."""

    base_db: float
    spans: list[tuple[int, int, float]]  # (first sample, end sample, extra dB) of each line that needs more
    ramp: int  # samples

    def per_hop(self, start: int, hops: int, hop: int) -> np.ndarray:
        centres = start + (np.arange(hops) + 0.5) * hop
        extra = np.zeros(hops)
        end = start + hops * hop
        for first, last, more in self.spans:
            if last + self.ramp < start or first - self.ramp > end:
                continue
            outside = np.maximum(np.maximum(first - centres, centres - last), 0.0)
            extra = np.maximum(extra, more * np.clip(1.0 - outside / self.ramp, 0.0, 1.0))
        return self.base_db - extra


def duck_depth(lines: list[tuple[int, int]], speech: Callable[[int, int], np.ndarray],
               bed: Callable[[int, int], np.ndarray], duck_db: float, rate: int) -> DuckDepth:
    """How deep to duck under each line of `lines` ((first sample, sample count)), given the words (`speech`)
    and the music + effects before ducking (`bed`) over any span."""
    spans = []
    for first, count in lines:
        words = span_loudness(speech(first, count), rate)
        under = span_loudness(bed(first, count), rate) + duck_db
        if not (math.isfinite(words) and math.isfinite(under)):
            continue
        short = SPEECH_OVER_BED_DB - (words - under)
        if short > 0:
            spans.append((first, first + count, min(MAX_EXTRA_DUCK_DB, short)))
    return DuckDepth(duck_db, spans, int(RAMP_S * rate))
