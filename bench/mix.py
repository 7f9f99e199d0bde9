"""Speed and memory of the mixer on a feature-length timeline (synthetic dialogue, music and room tone).

    python bench/mix.py [--minutes 90] [--rate 48000]

Prints the film's length, wall time, x-realtime and the process's peak RSS before and during the mix; the mix
streams in blocks, so peak RSS should stay far below one copy of the film (minutes * 60 * rate * 8 bytes). As in
`shotgraph make`, the mix is encoded to AAC for the cut while it is written (the time includes that encode).
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from shotgraph.audio.mix import Placement, mix_film
from shotgraph.audio.wav import write_wav
from shotgraph.config import MixSettings, OutputSettings
from shotgraph.director.plan import TransitionKind
from shotgraph.media.encoding import AUDIO_CODEC_ARGS
from shotgraph.render.timing import LinePlacement, SceneTiming, ShotTiming, Timing

FPS = 24
SCENE_S = 180  # a scene every three minutes, each with its own music cue and ambience
LINE_EVERY_S = 6.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def write_sources(folder: Path, rate: int) -> None:
    """The clips (run in a separate process, so building them does not count in the mix's peak RSS)."""
    rng = np.random.default_rng(0)
    t = np.arange(int(SCENE_S * rate)) / rate
    music = np.stack([np.sin(2 * np.pi * 220 * t), np.sin(2 * np.pi * 330 * t)], axis=1).astype(np.float32) * 0.2
    write_wav(folder / "music.wav", music, rate)
    write_wav(folder / "room.wav", (0.02 * rng.standard_normal(len(t))).astype(np.float32), rate)
    n = int(2.5 * rate)
    words = (0.25 * rng.standard_normal(n) * ((np.arange(n) / rate % 0.25) < 0.15)).astype(np.float32)
    write_wav(folder / "line.wav", words, rate)


def build(folder: Path, minutes: float, rate: int) -> tuple[Timing, list[Placement], list[Placement]]:
    frames = int(minutes * 60 * FPS)
    seconds = frames / FPS
    lines = [LinePlacement(line_id=f"l{i}", shot_id="sh1", character="A", text="-", start=float(s), duration=2.5,
                           audio=str(folder / "line.wav"))
             for i, s in enumerate(np.arange(2.0, seconds - 3.0, LINE_EVERY_S))]
    timing = Timing(fps=FPS, sample_rate=rate, title_frames=0,
                    shots=[ShotTiming(shot_id="sh1", scene_id="sc1", start_frame=0, frames=frames,
                                      transition=TransitionKind.CUT)],
                    scenes=[SceneTiming(scene_id="sc1", heading="INT. X - DAY", start_frame=0, frames=frames)],
                    lines=lines)
    starts = range(0, int(seconds), SCENE_S)
    # as the graph lays scene cues: cut to the scene (here the whole clip) and faded at both edges
    return (timing, [Placement(folder / "music.wav", s, seconds=SCENE_S, fade=1.0) for s in starts],
            [Placement(folder / "room.wav", s, seconds=SCENE_S, fade=1.0) for s in starts])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=90.0)
    parser.add_argument("--rate", type=int, default=48000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        writer = multiprocessing.get_context("spawn").Process(target=write_sources, args=(folder, args.rate))
        writer.start()
        writer.join()
        timing, music, effects = build(folder, args.minutes, args.rate)
        before = peak_rss_mb()
        start = time.perf_counter()
        result = mix_film(timing, music, effects, folder / "mix", OutputSettings(sample_rate=args.rate), MixSettings(),
                          encode=AUDIO_CODEC_ARGS)
        wall = time.perf_counter() - start
        film_mb = result.duration * args.rate * 2 * 4 / 1e6
        print(f"film            {result.duration / 60:.1f} min at {args.rate} Hz "
              f"({len(timing.lines)} lines; one stereo float32 copy = {film_mb:.0f} MB)")
        print(f"wall            {wall:.1f} s  ({result.duration / wall:.0f}x realtime)")
        print(f"peak RSS        {peak_rss_mb():.0f} MB  (before the mix {before:.0f} MB)")
        print(f"mix             {result.integrated_lufs:.2f} LUFS, {result.true_peak_dbtp:.2f} dBTP, "
              f"gain {result.gain_db:+.2f} dB, limiter {result.limited_db:.2f} dB")


if __name__ == "__main__":
    main()
