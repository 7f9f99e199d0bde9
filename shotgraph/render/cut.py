"""The cut: turn the plan and the recorded dialogue into a frame-exact Timing (invariant 7).

Rules:
- A shot with dialogue lasts max(min_duration, lead-in + its lines + gaps between them + tail). Its lines play one
  after another from the end of the lead-in, in plan order.
- A shot's length in frames is ceil(seconds * fps); everything downstream counts frames, never seconds.
- A transition never changes the film's length and never overlaps dialogue. It covers `before` frames at the end
  of the outgoing shot and `after` frames at the start of the incoming one (see `transition_offsets`): a dissolve
  or a fade out (a dip to black) is centred on the cut, a fade in lies wholly in the incoming shot. The lead-in
  and tail of a shot with dialogue are lengthened to hold the transition; a shot without dialogue gives at most
  its whole length, shared between its two joins, and a transition that does not fit is shortened (and logged).
- A plan that ends on a fade out (the screenplay's closing FADE OUT.) fades the last shot's tail, picture and sound,
  to black; the last shot's tail is lengthened to hold it, like a join's.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

from shotgraph.config import OutputSettings
from shotgraph.director.plan import FilmPlan, TransitionKind
from shotgraph.director.screenplay.model import Dialogue, Screenplay
from shotgraph.errors import RenderError
from shotgraph.render.timing import LinePlacement, SceneTiming, ShotTiming, Timing

log = logging.getLogger(__name__)

LEAD_IN_SECONDS = 0.4  # picture before a shot's first line
LINE_GAP_SECONDS = 0.35  # silence between two lines in one shot
TAIL_SECONDS = 0.6  # picture after a shot's last line
DISSOLVE_SECONDS = 0.5  # full length of a dissolve, half on each side of the cut
FADE_SECONDS = 0.75  # fade in: all in the incoming shot; fade out: a dip to black, half on each side
ENDING_FADE_SECONDS = 2.0  # the film's closing fade to black: slower than a dip between scenes
_EPS = 1e-9

_SYMMETRIC = {TransitionKind.DISSOLVE, TransitionKind.FADE_OUT}


def transition_offsets(kind: TransitionKind, frames: int) -> tuple[int, int]:
    """(frames before the cut, frames after it) that a transition of `kind` and length `frames` covers."""
    if frames <= 0 or kind not in _SYMMETRIC | {TransitionKind.FADE_IN}:
        return 0, 0
    if kind == TransitionKind.FADE_IN:
        return 0, frames
    return frames // 2, frames - frames // 2


def _default_offsets(kind: TransitionKind, fps: int, has_previous: bool) -> tuple[int, int]:
    if kind == TransitionKind.FADE_IN:
        return 0, round(FADE_SECONDS * fps)
    if kind in _SYMMETRIC and has_previous:
        half = round((DISSOLVE_SECONDS if kind == TransitionKind.DISSOLVE else FADE_SECONDS) * fps / 2)
        return half, half
    return 0, 0


def compute_timing(
    plan: FilmPlan,
    screenplay: Screenplay,
    recordings: dict[str, tuple[Path, float]],
    output: OutputSettings,
) -> Timing:
    """Place every shot, line and scene in frames. `recordings` maps dialogue id → (WAV path, seconds)."""
    fps = output.fps
    dialogue: dict[str, Dialogue] = {d.id: d for d in screenplay.dialogue()}

    # 1. Check inputs: every line the plan uses exists and was recorded.
    problems = []
    for shot in plan.shots:
        for line_id in shot.dialogue:
            if line_id not in dialogue:
                problems.append(f"shot {shot.id}: dialogue '{line_id}' is not in {screenplay.source}")
            elif line_id not in recordings:
                problems.append(f"shot {shot.id}: dialogue '{line_id}' has no recording")
            elif not recordings[line_id][1] > 0:
                problems.append(f"shot {shot.id}: recording of '{line_id}' lasts {recordings[line_id][1]} s")
    if problems:
        raise RenderError("cannot time the cut:\n" + "\n".join(f"  - {p}" for p in problems))

    has_title = bool((screenplay.title_page_value("Title") or "").strip())
    title_frames = round(output.title_card_seconds * fps) if has_title else 0

    # 2. What each join would like: (before, after) frames at its planned length; the ending is a last join.
    wanted = [
        _default_offsets(shot.transition, fps, has_previous=i > 0 or title_frames > 0)
        for i, shot in enumerate(plan.shots)
    ]
    ending = round(ENDING_FADE_SECONDS * fps) if plan.ending == TransitionKind.FADE_OUT else 0

    # 3. Shot lengths: dialogue plus breathing room, the room widened to hold the transitions.
    lengths: list[int] = []
    head_room: list[int] = []  # frames at the start of each shot that are free of dialogue
    tail_room: list[int] = []
    speech_ends: list[float] = []
    for i, shot in enumerate(plan.shots):
        need_head = wanted[i][1]
        need_tail = wanted[i + 1][0] if i + 1 < len(plan.shots) else ending
        durations = [recordings[line_id][1] for line_id in shot.dialogue]
        lead = max(LEAD_IN_SECONDS, need_head / fps)
        if durations:
            speech_end = lead + sum(durations) + LINE_GAP_SECONDS * (len(durations) - 1)
            seconds = max(shot.min_duration, speech_end + max(TAIL_SECONDS, need_tail / fps))
            frames = math.ceil(seconds * fps - _EPS)
            head_room.append(math.floor(lead * fps + _EPS))
            tail_room.append(frames - math.ceil(speech_end * fps - _EPS))
        else:
            speech_end = 0.0
            frames = max(1, math.ceil(shot.min_duration * fps - _EPS))
            if need_head + need_tail <= frames:
                head_room.append(need_head)
                tail_room.append(frames - need_head)
            else:  # share the shot between its two joins in proportion to what they want
                head = frames * need_head // (need_head + need_tail)
                head_room.append(head)
                tail_room.append(frames - head)
        lengths.append(frames)
        speech_ends.append(speech_end)

    # 4. Shot timings with each transition fitted into the room on both sides of its cut.
    shots: list[ShotTiming] = []
    lines: list[LinePlacement] = []
    start = title_frames
    for i, shot in enumerate(plan.shots):
        before, after = wanted[i]
        room_before = tail_room[i - 1] if i > 0 else title_frames
        if shot.transition == TransitionKind.FADE_IN:
            after = min(after, head_room[i])
        else:
            before = after = min(before, after, room_before, head_room[i])
        if before + after < sum(wanted[i]):
            log.warning("shot %s: %s shortened to %d frames to stay clear of dialogue",
                        shot.id, shot.transition.value, before + after)
        shots.append(ShotTiming(shot_id=shot.id, scene_id=shot.scene, start_frame=start, frames=lengths[i],
                                transition=shot.transition, transition_frames=before + after))
        at = start / fps + max(LEAD_IN_SECONDS, wanted[i][1] / fps)
        for line_id in shot.dialogue:
            path, seconds = recordings[line_id]
            spoken = dialogue[line_id]
            lines.append(LinePlacement(line_id=line_id, shot_id=shot.id, character=spoken.character,
                                       text=spoken.text, start=at, duration=seconds, audio=str(path)))
            at += seconds + LINE_GAP_SECONDS
        start += lengths[i]
    if ending > tail_room[-1]:
        log.warning("the closing fade out shortened to %d frames to stay clear of dialogue", tail_room[-1])
    ending = min(ending, tail_room[-1])

    # 5. Scenes span their shots, in the order they first appear.
    headings = {s.id: (s.heading.text if s.heading else s.id) for s in screenplay.scenes}
    scenes: list[SceneTiming] = []
    by_scene: dict[str, list[ShotTiming]] = {}
    for shot_timing in shots:
        by_scene.setdefault(shot_timing.scene_id, []).append(shot_timing)
    for scene_id, own in by_scene.items():
        first, last = own[0].start_frame, own[-1].start_frame + own[-1].frames
        scenes.append(SceneTiming(scene_id=scene_id, heading=headings.get(scene_id, scene_id),
                                  start_frame=first, frames=last - first))

    return Timing(fps=fps, sample_rate=output.sample_rate, title_frames=title_frames, ending_frames=ending,
                  shots=shots, scenes=scenes, lines=lines)
