"""Where the music and ambience cues sit in the film: one span per scene, long scenes split, neighbours crossfaded.

The score and foley stages render a cue per span; the mix cuts each to its span and fades its edges; the
timeline shows them to an editor. All three read the spans from here, so they cannot disagree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from shotgraph.render.timing import Timing

MUSIC_CROSSFADE_SECONDS = 1.0  # scene cues overlap this long; the mix fades each cue's edges over the same second
MAX_CUE_SECONDS = 90.0  # a longer scene is scored as a run of cues: memory per cue stays bounded
CUE_BUCKET_SECONDS = 30.0  # cues are rendered this much at a time: a scene that grows a little keeps its sound


@dataclass(frozen=True)
class CueSpan:
    name: str  # scene id, or scene id + ".k" for the k-th cue of a long scene
    scene_id: str
    start: float  # seconds in the film
    seconds: float  # how long it plays
    rendered: float  # length of the cue it plays the start of; depends on `seconds` only through the bucket
    fade: float  # seconds of each edge's equal-power ramp; neighbours' ramps overlap exactly


def cue_spans(timing: Timing) -> list[CueSpan]:
    """Music and ambience cues: each scene widened by half the crossfade at inner joins, long ones split.

    A cue is rendered for its scene's length rounded up to CUE_BUCKET_SECONDS (all pieces of a long scene share
    one MAX_CUE_SECONDS render) and the mix cuts it to the span and fades it: a line that lengthens a shot changes
    where the cues sit and how much of them plays, not the cues themselves.
    """
    half, overlap = MUSIC_CROSSFADE_SECONDS / 2, MUSIC_CROSSFADE_SECONDS
    last = len(timing.scenes) - 1
    spans = []
    for i, scene in enumerate(timing.scenes):
        start = timing.seconds(scene.start_frame) - (half if i > 0 else 0.0)
        end = timing.seconds(scene.start_frame + scene.frames) + (half if i < last else 0.0)
        pieces = max(1, math.ceil((end - start - overlap) / (MAX_CUE_SECONDS - overlap)))
        rendered = (MAX_CUE_SECONDS if pieces > 1
                    else min(MAX_CUE_SECONDS, math.ceil((end - start) / CUE_BUCKET_SECONDS) * CUE_BUCKET_SECONDS))
        for k in range(pieces):
            name = scene.scene_id if pieces == 1 else f"{scene.scene_id}.{k}"
            at = start + k * (MAX_CUE_SECONDS - overlap)
            seconds = min(MAX_CUE_SECONDS, end - at)
            spans.append(CueSpan(name, scene.scene_id, at, seconds, rendered, min(overlap, seconds / 4)))
    return spans
