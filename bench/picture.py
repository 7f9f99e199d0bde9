"""Frames per second of the draft picture crew at 1280x720: storyboard keyframe, camera move, Lanczos upscale.

    python bench/picture.py [--seconds 10] [--fps 24] [--size 1280x720]

The video and upscale stages are timed per move; "chain" is one shot's keyframe + video + upscale, in frames of
film per second of wall time (the draft profile's target is >= 5x realtime, i.e. >= 5 * fps).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from shotgraph.characters.card import CharacterCard
from shotgraph.characters.look import LookRequest
from shotgraph.config import Profile
from shotgraph.director.plan import CameraMove, CharacterPlan, MusicCue, ScenePlan, Shot, ShotSize, Voice
from shotgraph.stages.camera import CameraMoveVideo
from shotgraph.stages.keyframe import KeyframeRequest
from shotgraph.stages.lanczos import LanczosUpscale
from shotgraph.stages.storyboard import StoryboardKeyframe
from shotgraph.stages.upscale import UpscaleRequest
from shotgraph.stages.video import VideoRequest

MOVES = [CameraMove.STATIC, CameraMove.PUSH_IN, CameraMove.PAN_RIGHT, CameraMove.HANDHELD, CameraMove.CRANE]


def timed(work) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--fps", type=int, default=24)
    parser.add_argument("--size", default="1280x720")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    frames = round(args.seconds * args.fps)
    profile = Profile()
    voice = Voice(gender="neutral", age="adult")
    cast = (CharacterPlan(id="ann", name="ANN", look="tall woman, long hair, coat", voice=voice),
            CharacterPlan(id="bob", name="BOB", look="stocky man, hat, beard", voice=voice))
    scene = ScenePlan(id="sc001", mood="tense", lighting="tungsten", time_of_day="night",
                      music=MusicCue(mood="tense", tempo_bpm=90, intensity=0.5), ambience="room tone")

    with tempfile.TemporaryDirectory(prefix="shotgraph-bench-") as tmp:
        folder = Path(tmp)
        looks = {}
        for index, character in enumerate(cast):
            looks[character.id] = folder / f"{character.id}.png"
            CharacterCard(profile).render(LookRequest(character, index, "", 512, 768, 0), looks[character.id])
        print(f"{args.seconds:g} s shot = {frames} frames at {args.fps} fps, {width}x{height}")
        columns = ("keyframe ms", "video fps", "upscale fps", "chain fps", "x realtime")
        print(f"{'move':<10} " + " ".join(f"{c:>12}" for c in columns))
        for move in MOVES:
            shot = Shot(id="sc001-sh01", scene="sc001", size=ShotSize.TWO_SHOT, move=move, characters=["ann", "bob"],
                        description="Ann slides the letter across the table; Bob will not look at it.",
                        prompt="kitchen at night", min_duration=args.seconds, seed=1)
            key, clip, segment = folder / "key.png", folder / "clip.mp4", folder / "segment.mp4"
            t_key = timed(lambda: StoryboardKeyframe(profile).render(
                KeyframeRequest(shot, scene, "INT. KITCHEN - NIGHT", cast, looks, "", width, height), key))
            t_video = timed(lambda: CameraMoveVideo(profile).render(
                VideoRequest(shot, key, frames, args.fps, width, height), clip))
            t_up = timed(lambda: LanczosUpscale(profile).render(
                UpscaleRequest(clip, frames, args.fps, width, height), segment))
            chain = frames / (t_key + t_video + t_up)
            values = (f"{t_key * 1000:.0f}", f"{frames / t_video:.0f}", f"{frames / t_up:.0f}", f"{chain:.0f}",
                      f"{chain / args.fps:.1f}")
            print(f"{move.value:<10} " + " ".join(f"{v:>12}" for v in values))
        # the upscale when it really resamples: a half-size clip to the film size
        half = folder / "half.mp4"
        CameraMoveVideo(profile).render(VideoRequest(shot, key, frames, args.fps, width // 2, height // 2), half)
        t_up = timed(lambda: LanczosUpscale(profile).render(
            UpscaleRequest(half, frames, args.fps, width, height), folder / "up.mp4"))
        print(f"lanczos {width // 2}x{height // 2} -> {width}x{height} (re-encode): {frames / t_up:.0f} fps")


if __name__ == "__main__":
    main()
