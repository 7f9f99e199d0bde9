"""The cut for the editors' tools: CMX 3600 EDL, Final Cut Pro 7 XML and FCPXML, through OpenTimelineIO's
maintained adapters.

The rendered timeline counts sound in samples; an NLE counts everything in frames. So the hand-off is the same
cut at the film's frame rate: every clip, gap and transition placed on the frame nearest its place in the film.
Its media are linked into a folder beside the exported file (`<name>.media/`, hard links where the store shares
the filesystem) and referenced by relative paths, so the folder can be moved or sent as a whole.
An EDL holds the picture (one video track, as CMX 3600 has); the XML formats hold picture and sound.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import opentimelineio as otio

from shotgraph.errors import RenderError
from shotgraph.render.timeline import META, VIDEO_TRACK, media_path

EXPORTS = {"edl": ("cmx_3600", ".edl"), "fcp7xml": ("fcp_xml", ".xml"), "fcpxml": ("fcpx_xml", ".fcpxml")}


def export_cut(timeline: otio.schema.Timeline, kind: str, path: Path) -> Path:
    """Write `timeline` as `kind` (edl, fcp7xml, fcpxml) to `path`, its media linked beside it."""
    if kind not in EXPORTS:
        raise RenderError(f"export: no format {kind!r}; the formats are {', '.join(EXPORTS)}")
    adapter, _ = EXPORTS[kind]
    media = path.with_name(f"{path.stem}.media")
    editor = editor_timeline(timeline, media, path.parent, picture_only=kind == "edl")
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        otio.adapters.write_to_file(editor, str(tmp), adapter_name=adapter)
        tmp.replace(path)
    except OSError as exc:
        raise RenderError(f"{path}: cannot write the {kind} export: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return path


def editor_timeline(timeline: otio.schema.Timeline, media: Path, base: Path, *, picture_only: bool = False
                    ) -> otio.schema.Timeline:
    """`timeline` at its frame rate, with media linked into `media` and referenced relative to `base`."""
    fps = int(timeline.metadata[META]["fps"])
    out = otio.schema.Timeline(name=timeline.name, global_start_time=otio.opentime.RationalTime(0, fps))
    linked: dict[str, str] = {}
    for track in timeline.tracks:
        if picture_only and track.name != VIDEO_TRACK:
            continue
        copy = otio.schema.Track(name=track.name, kind=track.kind)
        at = 0.0  # seconds from the start of the track, to the end of the last item
        placed = 0  # frames placed so far
        for item in track:
            if isinstance(item, otio.schema.Transition):
                copy.append(otio.schema.Transition(
                    name=item.name, transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
                    in_offset=_frames(item.in_offset, fps), out_offset=_frames(item.out_offset, fps)))
                continue
            at += item.source_range.duration.to_seconds()
            frames = round(at * fps) - placed
            placed += frames
            if isinstance(item, otio.schema.Gap) or frames <= 0:
                if frames > 0:
                    copy.append(otio.schema.Gap(source_range=_range(0, frames, fps)))
                continue
            copy.append(_clip(item, frames, fps, track.name, media, base, linked))
        out.tracks.append(copy)
    return out


def _clip(clip: otio.schema.Clip, frames: int, fps: int, track: str, media: Path, base: Path,
          linked: dict[str, str]) -> otio.schema.Clip:
    source = str(media_path(clip))
    name = f"{track.split()[0]}-{clip.name}".replace(" ", "-")
    if source not in linked:
        media.mkdir(parents=True, exist_ok=True)
        target = media / f"{name}{Path(source).suffix}"
        _link(Path(source), target)
        linked[source] = os.path.relpath(target, base)
    start = round(clip.source_range.start_time.to_seconds() * fps)
    available = clip.media_reference.available_range
    length = max(start + frames, round(available.duration.to_seconds() * fps)) if available else start + frames
    return otio.schema.Clip(
        name=clip.name, source_range=_range(start, frames, fps),
        media_reference=otio.schema.ExternalReference(target_url=linked[source],
                                                      available_range=_range(0, length, fps)),
        metadata={META: dict(clip.metadata.get(META, {})), "cmx_3600": {"reel": _reel(clip.name, len(linked))}})


def _reel(name: str, n: int) -> str:
    """A CMX 3600 reel name (8 characters at most) that still says which shot: sc012-sh03 -> S012H03."""
    shot = re.fullmatch(r"sc(\d{1,3})-sh(\d{1,3})", name)
    if shot:
        return f"S{int(shot[1]):03d}H{int(shot[2]):02d}"[:8]
    return "TITLE" if name == "title card" else f"R{n:05d}"


def _link(source: Path, target: Path) -> None:
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:  # another filesystem
        shutil.copyfile(source, target)


def _frames(time: otio.opentime.RationalTime, fps: int) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(round(time.to_seconds() * fps), fps)


def _range(start: int, frames: int, fps: int) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(otio.opentime.RationalTime(start, fps), otio.opentime.RationalTime(frames, fps))
