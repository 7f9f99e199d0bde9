"""SRT and WebVTT subtitles from the timeline's dialogue track.

Every dialogue line becomes one or more cues, in order, timed to its audio (millisecond precision, so well
within one frame). The words are never changed: only the whitespace between them is re-flowed to at most
MAX_LINE_CHARS characters per row and MAX_ROWS rows per cue. A line too long for one cue is split at word
boundaries into consecutive cues whose durations are proportional to their characters.

Convention: a line spoken off screen (V.O., O.S., O.C.) is prefixed with the speaker's name in capitals and a
colon, because the viewer cannot see who speaks; on-screen lines carry no name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import opentimelineio as otio

from shotgraph.errors import RenderError
from shotgraph.render.timeline import DIALOGUE_TRACK, META, track

MAX_LINE_CHARS = 42
MAX_ROWS = 2


@dataclass(frozen=True)
class Cue:
    start: float  # seconds from the start of the film
    end: float
    rows: tuple[str, ...]


def _wrap(words: list[str]) -> list[list[str]]:
    """Greedy rows of at most MAX_LINE_CHARS; a single longer word gets a row of its own, unbroken."""
    rows: list[list[str]] = []
    for word in words:
        if rows and len(" ".join([*rows[-1], word])) <= MAX_LINE_CHARS:
            rows[-1].append(word)
        else:
            rows.append([word])
    return rows


def line_cues(text: str, start: float, duration: float, speaker: str | None = None) -> list[Cue]:
    """Cues for one spoken line: wrapped, split into consecutive cues if it needs more than MAX_ROWS rows."""
    words = text.split()
    if speaker:
        words = [f"{speaker.upper()}:", *words]
    if not words:
        return []
    rows = [" ".join(r) for r in _wrap(words)]
    groups = [tuple(rows[i:i + MAX_ROWS]) for i in range(0, len(rows), MAX_ROWS)]
    weights = [sum(len(r) for r in g) for g in groups]
    total = sum(weights)
    cues, at = [], start
    for i, (group, weight) in enumerate(zip(groups, weights)):
        end = start + duration if i == len(groups) - 1 else at + duration * weight / total
        cues.append(Cue(start=at, end=end, rows=group))
        at = end
    return cues


def dialogue_cues(timeline: otio.schema.Timeline) -> list[Cue]:
    """All cues of the timeline's dialogue track, in order."""
    dialogue = track(timeline, DIALOGUE_TRACK)
    cues: list[Cue] = []
    for clip in dialogue.find_clips(shallow_search=True):
        meta = clip.metadata.get(META, {})
        if "text" not in meta:
            raise RenderError(f"dialogue clip '{clip.name}' has no text in its metadata")
        placed = clip.range_in_parent()
        start = placed.start_time.to_seconds()
        duration = placed.duration.to_seconds()
        speaker = meta.get("character") if meta.get("off_screen") else None
        cues.extend(line_cues(str(meta["text"]), start, duration, speaker))
    return cues


def _stamp(seconds: float, separator: str) -> str:
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{separator}{ms:03d}"


def srt_text(cues: list[Cue]) -> str:
    blocks = [f"{i}\n{_stamp(c.start, ',')} --> {_stamp(c.end, ',')}\n" + "\n".join(c.rows) + "\n"
              for i, c in enumerate(cues, 1)]
    return "\n".join(blocks)


def _vtt_escape(row: str) -> str:
    # WebVTT cue text treats & and < as markup; escaping them makes the words display as written.
    return row.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def vtt_text(cues: list[Cue]) -> str:
    blocks = [f"{_stamp(c.start, '.')} --> {_stamp(c.end, '.')}\n" + "\n".join(map(_vtt_escape, c.rows)) + "\n"
              for c in cues]
    return "WEBVTT\n\n" + "\n".join(blocks)


def _write(path: Path, text: str) -> Path:
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise RenderError(f"{path}: cannot write subtitles: {exc}") from exc
    return path


def write_srt(timeline: otio.schema.Timeline, path: str | Path) -> Path:
    return _write(Path(path), srt_text(dialogue_cues(timeline)))


def write_vtt(timeline: otio.schema.Timeline, path: str | Path) -> Path:
    return _write(Path(path), vtt_text(dialogue_cues(timeline)))
