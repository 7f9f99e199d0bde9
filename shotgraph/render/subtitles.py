"""SRT and WebVTT subtitles from the timeline's dialogue track.

Every dialogue line becomes one or more cues, in order, timed to its audio and to the film's frames by the
timed-text rules (timed_text.py: two rows of 42 characters at most, breaks at phrase boundaries, at least 5/6 s
on screen, a reading speed of 17-20 characters a second, two frames between cues, no cue crossing a cut by a few
frames). The words are never changed: only where rows and cues break.

Convention: a line spoken off screen (V.O., O.S., O.C.) is prefixed with the speaker's name in capitals and a
colon, because the viewer cannot see who speaks; on-screen lines carry no name.

Each format gets the words in its own escaping, so every reader shows them as written:
- `.vtt`: `& < >` as entities, WebVTT's own escapes.
- `.srt`: verbatim. SubRip has no escape mechanism; players that read `<i>` or `{\an8}` in it as markup do so
  in any SRT, and escaping conventions (`&lt;`) are themselves shown literally by others, so the file keeps
  exactly the words and stays the interchange copy that `read_srt` reads back.
- ASS scripts for ffmpeg (`mov_text_ass`, `burn_in_ass`): see there; each is escaped for the one reader of it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import opentimelineio as otio

from shotgraph.errors import RenderError
from shotgraph.render.timed_text import Cue, Spoken, timed_cues
from shotgraph.render.timeline import DIALOGUE_TRACK, META, VIDEO_TRACK, track


def line_cues(text: str, start: float, duration: float, speaker: str | None = None, fps: int = 24) -> list[Cue]:
    """Cues for one spoken line on its own (no shot changes, nothing after it)."""
    words = ([f"{speaker.upper()}:"] if speaker else []) + text.split()
    return timed_cues([Spoken(tuple(words), start, start + duration)], [], fps) if text.split() else []


def dialogue_cues(timeline: otio.schema.Timeline) -> list[Cue]:
    """All cues of the timeline's dialogue track, in order."""
    dialogue = track(timeline, DIALOGUE_TRACK)
    lines: list[Spoken] = []
    for clip in dialogue.find_clips(shallow_search=True):
        meta = clip.metadata.get(META, {})
        if "text" not in meta:
            raise RenderError(f"dialogue clip '{clip.name}' has no text in its metadata")
        placed = clip.range_in_parent()
        start = placed.start_time.to_seconds()
        speaker = [f"{str(meta['character']).upper()}:"] if meta.get("off_screen") else []
        words = tuple(speaker + str(meta["text"]).split())
        if len(words) > len(speaker):
            lines.append(Spoken(words, start, start + placed.duration.to_seconds()))
    picture = track(timeline, VIDEO_TRACK)
    cuts = sorted({clip.range_in_parent().start_time.to_seconds() for clip in picture.find_clips(shallow_search=True)})
    return timed_cues(lines, cuts, int(timeline.metadata[META]["fps"]))


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


_SRT_TIMES = re.compile(r"(\d+):(\d\d):(\d\d),(\d{3}) --> (\d+):(\d\d):(\d\d),(\d{3})")


def read_srt(path: str | Path) -> list[Cue]:
    """The cues of an SRT file, rows exactly as written (the inverse of `srt_text`)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise RenderError(f"{path}: cannot read subtitles: {exc}") from exc
    body = text.strip("\n")
    cues = []
    # Rows are never empty (they are words), so a blank line always ends a cue.
    for number, block in enumerate(re.split(r"\n(?:[ \t]*\n)+", body) if body else [], 1):
        lines = block.split("\n")
        times = _SRT_TIMES.fullmatch(lines[1].strip()) if len(lines) > 2 else None
        if times is None:
            raise RenderError(f"{path}: subtitle block {number} is not an index, a 'start --> end' line and text")
        h1, m1, s1, ms1, h2, m2, s2, ms2 = map(int, times.groups())
        cues.append(Cue(start=h1 * 3600 + m1 * 60 + s1 + ms1 / 1000, end=h2 * 3600 + m2 * 60 + s2 + ms2 / 1000,
                        rows=tuple(lines[2:])))
    return cues


def _vtt_escape(row: str) -> str:
    # WebVTT cue text treats & and < as markup; escaping them makes the words display as written.
    return row.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def vtt_text(cues: list[Cue]) -> str:
    blocks = [f"{_stamp(c.start, '.')} --> {_stamp(c.end, '.')}\n" + "\n".join(map(_vtt_escape, c.rows)) + "\n"
              for c in cues]
    return "WEBVTT\n\n" + "\n".join(blocks)


# Burned-in subtitles stay below this fraction of the frame's height: two rows of the style below (16 of 288,
# bottom margin 10) reach up to about 0.83; what else is drawn on the picture stays above it.
BURNED_SUBTITLES_TOP = 0.78

WORD_JOINER = "\u2060"  # invisible and zero-width: splits a two-character markup sequence without showing

# ffmpeg's default subtitle style (the one its SRT decoder uses): white Arial 16 with an outline, bottom centre;
# the font is a parameter so that burned-in text can name one that is sure to be there.
_ASS_HEADER = (
    "[Script Info]\nScriptType: v4.00+\nPlayResX: 384\nPlayResY: 288\n\n"
    "[V4+ Styles]\n"
    "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, "
    "Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, "
    "MarginV, Encoding\n"
    "Style: Default,{font},16,&Hffffff,&Hffffff,&H0,&H0,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,0\n\n"
    "[Events]\n"
    "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
)


def _ass_stamp(seconds: float) -> str:
    cs = round(seconds * 100)  # ASS counts centiseconds: at most 5 ms off, well within a frame
    h, rest = divmod(cs, 360_000)
    m, rest = divmod(rest, 6000)
    s, cs = divmod(rest, 100)
    return f"{h}:{m:02d}:{s:02d}.{cs:02d}"


def _ass_script(cues: list[Cue], escape: Callable[[str], str], font: str) -> str:
    # Text is the last field of a Dialogue line, so commas in it are words; rows never hold a newline.
    events = [f"Dialogue: 0,{_ass_stamp(c.start)},{_ass_stamp(c.end)},Default,,0,0,0,,"
              + "\\N".join(map(escape, c.rows)) + "\n" for c in cues]
    return _ASS_HEADER.format(font=font) + "".join(events)


# ffmpeg's mov_text encoder reads ASS through ff_ass_split_override_codes, which has no escape at all: a
# backslash before n or N is always a line break and `{\` always opens an override block, while every other
# character (`{` `}` `<` `&`, a lone `\`) is kept as it is. The word joiner is the only way to keep those two
# sequences literal, so it goes exactly there and nowhere else.
_MOV_TEXT_MARKUP = re.compile(r"\\(?=[nN])|\{(?=\\)")


def mov_text_ass(cues: list[Cue]) -> str:
    """An ASS script from which ffmpeg's mov_text encoder writes exactly the rows (row breaks as newlines)."""
    return _ass_script(cues, lambda row: _MOV_TEXT_MARKUP.sub(lambda m: m.group() + WORD_JOINER, row),
                       "Arial")


# libass (the `ass` filter) reads `{...}` as an override block and `\n \N \h` as breaks and a hard space. It has
# escapes for the braces, `\{` and `\}` (so a backslash before a brace stays a backslash), but none for a
# backslash, so the word joiner goes between a backslash and n, N or h, and nowhere else.
_LIBASS_BREAKS = re.compile(r"\\(?=[nNh])")
_BRACE = re.compile(r"[{}]")


def _libass_escape(row: str) -> str:
    return _BRACE.sub(lambda m: "\\" + m.group(), _LIBASS_BREAKS.sub(lambda m: m.group() + WORD_JOINER, row))


def burn_in_ass(cues: list[Cue], font: str) -> str:
    """An ASS script that libass draws as exactly the rows, at the bottom centre whatever the words say.

    `font` is the family name of the font to draw with; libass must be given that font (the `ass` filter's
    `fontsdir`), or it falls back to whatever system font fontconfig offers, or to nothing.
    """
    return _ass_script(cues, _libass_escape, font)


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
