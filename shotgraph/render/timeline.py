"""The film as an OpenTimelineIO timeline: what the compositor renders and what an editor imports.

Picture is counted in frames at the film's rate. Dialogue, music and ambience clips are counted in audio samples
so each sits exactly where the mix plays it. Every clip carries `metadata["shotgraph"]` with the ids it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import opentimelineio as otio

from shotgraph.director.plan import FilmPlan, TransitionKind
from shotgraph.director.screenplay.model import Screenplay
from shotgraph.errors import RenderError
from shotgraph.render.cut import transition_offsets
from shotgraph.render.timing import Timing

VIDEO_TRACK = "picture"
DIALOGUE_TRACK = "dialogue"
MUSIC_TRACK = "music"
EFFECTS_TRACK = "effects"
AMBIENCE_TRACK = "ambience"
META = "shotgraph"


@dataclass(frozen=True)
class PlacedCue:
    """The first `seconds` of a sound file, laid at `start` seconds; cues may overlap their neighbours."""

    name: str
    path: Path
    start: float
    seconds: float
    source_seconds: float | None = None  # length of the file; None: exactly `seconds`
    fade: float = 0.0  # seconds of the mix's equal-power ramp at each edge


@dataclass
class TimelineMedia:
    """The files the timeline points at. Missing music/effects/ambience entries become gaps."""

    title_card: Path | None = None  # encoded segment of exactly Timing.title_frames frames
    segments: dict[str, Path] = field(default_factory=dict)  # shot id → encoded segment of exactly its frames
    music: list[PlacedCue] = field(default_factory=list)  # score cues; neighbours overlap to crossfade
    effects: dict[str, Path] = field(default_factory=dict)  # shot id → foley
    ambience: list[PlacedCue] = field(default_factory=list)  # beds, laid like the score
    mix: Path | None = None  # the final stereo mix, whole film


def _rt(value: float, rate: float) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(value, rate)


def _range(duration: float, rate: float, start: float = 0) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(_rt(start, rate), _rt(duration, rate))


def _reference(path: Path, duration: float, rate: float) -> otio.schema.ExternalReference:
    return otio.schema.ExternalReference(target_url=Path(path).resolve().as_uri(),
                                         available_range=_range(duration, rate))


def media_path(clip: otio.schema.Clip) -> Path:
    """The local file a clip's ExternalReference points at."""
    ref = clip.media_reference
    if not isinstance(ref, otio.schema.ExternalReference):
        raise RenderError(f"timeline clip '{clip.name}' has no external media")
    url = urlparse(ref.target_url)
    return Path(unquote(url.path)) if url.scheme == "file" else Path(ref.target_url)


def _place(track: otio.schema.Track, at: float, clip: otio.schema.Clip, rate: float) -> None:
    """Append `clip` to `track` at time `at` (units of `rate`), filling with a gap; overlaps are refused."""
    end = track.duration().rescaled_to(rate).value if len(track) else 0
    if at < end:
        raise RenderError(f"track '{track.name}': clip '{clip.name}' at {at / rate:.3f} s overlaps the clip before it")
    if at > end:
        track.append(otio.schema.Gap(source_range=_range(at - end, rate)))
    track.append(clip)


def build_timeline(plan: FilmPlan, screenplay: Screenplay, timing: Timing, media: TimelineMedia) -> otio.schema.Timeline:
    """Picture (title card, shots, transitions, scene markers), dialogue, music, effects and ambience tracks."""
    fps, sr = timing.fps, timing.sample_rate

    # 1. Check inputs: every shot has its picture.
    missing = [s.shot_id for s in timing.shots if s.shot_id not in media.segments]
    if missing:
        raise RenderError(f"cannot build the timeline: no video segment for shot(s) {', '.join(missing)}")
    if timing.title_frames and media.title_card is None:
        raise RenderError(f"cannot build the timeline: the title card ({timing.title_frames} frames) has no file")

    timeline = otio.schema.Timeline(name=plan.title, global_start_time=_rt(0, fps))
    timeline.metadata[META] = {"fps": fps, "sample_rate": sr, "title_frames": timing.title_frames,
                               "mix": str(Path(media.mix).resolve()) if media.mix else None}

    # 2. Picture: title card, then one clip per shot with its transition in front of it.
    video = otio.schema.Track(name=VIDEO_TRACK, kind=otio.schema.TrackKind.Video)
    if timing.title_frames:
        video.append(otio.schema.Clip(
            name="title card", media_reference=_reference(media.title_card, timing.title_frames, fps),
            source_range=_range(timing.title_frames, fps),
            metadata={META: {"title_card": True, "frames": timing.title_frames}}))
    for shot in timing.shots:
        before, after = transition_offsets(shot.transition, shot.transition_frames)
        if before + after:
            video.append(otio.schema.Transition(
                name=shot.transition.value,
                transition_type=(otio.schema.TransitionTypes.SMPTE_Dissolve
                                 if shot.transition == TransitionKind.DISSOLVE else otio.schema.TransitionTypes.Custom),
                in_offset=_rt(before, fps), out_offset=_rt(after, fps),
                metadata={META: {"kind": shot.transition.value, "shot_id": shot.shot_id}}))
        video.append(otio.schema.Clip(
            name=shot.shot_id, media_reference=_reference(media.segments[shot.shot_id], shot.frames, fps),
            source_range=_range(shot.frames, fps),
            metadata={META: {"shot_id": shot.shot_id, "frames": shot.frames, "scene_id": shot.scene_id,
                             "transition": shot.transition.value}}))
    if timing.ending_frames:  # a last transition with nothing after it: the tail fades to black
        video.append(otio.schema.Transition(
            name=TransitionKind.FADE_OUT.value, transition_type=otio.schema.TransitionTypes.Custom,
            in_offset=_rt(timing.ending_frames, fps), out_offset=_rt(0, fps),
            metadata={META: {"kind": TransitionKind.FADE_OUT.value, "ending": True}}))
    for scene in timing.scenes:
        video.markers.append(otio.schema.Marker(
            name=scene.heading, marked_range=_range(scene.frames, fps, scene.start_frame), color="GREEN",
            metadata={META: {"scene_id": scene.scene_id}}))

    # 3. Dialogue: one clip per line, in samples, with the words verbatim.
    spoken = {d.id: d for d in screenplay.dialogue()}
    dialogue = otio.schema.Track(name=DIALOGUE_TRACK, kind=otio.schema.TrackKind.Audio)
    for line in timing.lines:
        samples = round(line.duration * sr)
        source = spoken.get(line.line_id)
        clip = otio.schema.Clip(
            name=line.line_id, media_reference=_reference(Path(line.audio), samples, sr),
            source_range=_range(samples, sr),
            metadata={META: {"line_id": line.line_id, "shot_id": line.shot_id, "character": line.character,
                             "text": line.text, "extensions": list(source.extensions) if source else [],
                             "off_screen": bool(source and source.off_screen)}})
        _place(dialogue, round(line.start * sr), clip, sr)

    # 4. Music and ambience per scene, effects per shot, all in frames.
    def per_item(name: str, files: dict[str, Path], items: list, key: str) -> otio.schema.Track:
        track = otio.schema.Track(name=name, kind=otio.schema.TrackKind.Audio)
        for item in items:
            ident = getattr(item, key)
            if ident in files:
                clip = otio.schema.Clip(name=ident, media_reference=_reference(files[ident], item.frames, fps),
                                        source_range=_range(item.frames, fps), metadata={META: {key: ident}})
                _place(track, item.start_frame, clip, fps)
        return track

    timeline.tracks.append(video)
    timeline.tracks.append(dialogue)
    timeline.tracks.extend(_cue_tracks(MUSIC_TRACK, media.music, sr))
    timeline.tracks.append(per_item(EFFECTS_TRACK, media.effects, timing.shots, "shot_id"))
    timeline.tracks.extend(_cue_tracks(AMBIENCE_TRACK, media.ambience, sr))
    return timeline


def _cue_tracks(name: str, cues: list[PlacedCue], sr: int) -> list[otio.schema.Track]:
    """Overlapping cues on two tracks, alternating, the way an editor lays crossfading music.

    Each clip's source range is the part of its file the mix plays; the fades are in its metadata.
    """
    tracks = [otio.schema.Track(name=name, kind=otio.schema.TrackKind.Audio),
              otio.schema.Track(name=f"{name} b", kind=otio.schema.TrackKind.Audio)]
    for index, cue in enumerate(sorted(cues, key=lambda c: c.start)):
        samples = round(cue.seconds * sr)
        available = samples if cue.source_seconds is None else round(cue.source_seconds * sr)
        clip = otio.schema.Clip(name=cue.name, media_reference=_reference(cue.path, available, sr),
                                source_range=_range(samples, sr),
                                metadata={META: {"cue": cue.name, "fade_seconds": cue.fade}})
        _place(tracks[index % 2], round(cue.start * sr), clip, sr)
    return [t for t in tracks if len(t)]


def track(timeline: otio.schema.Timeline, name: str) -> otio.schema.Track:
    found = [t for t in timeline.tracks if t.name == name]
    if not found:
        raise RenderError(f"timeline '{timeline.name}' has no '{name}' track")
    return found[0]


def write_otio(timeline: otio.schema.Timeline, path: str | Path) -> Path:
    """Write the timeline as .otio JSON, atomically."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp.otio")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        otio.adapters.write_to_file(timeline, str(tmp))
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise RenderError(f"{path}: cannot write the OTIO timeline: {exc}") from exc
    return path
