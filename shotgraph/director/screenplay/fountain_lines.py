"""Fountain source lines: boneyard `/* */` cut out, notes `[[ ]]` cut out and kept with their line, and every
remaining line keeping its source line number, so errors point into the source.
"""

from __future__ import annotations

from dataclasses import dataclass

from shotgraph.errors import ScreenplayError


@dataclass(slots=True)
class Line:
    """One source line after boneyard and notes are cut out."""

    text: str
    number: int
    notes: tuple[str, ...] = ()  # a tuple, not a list: one script has tens of thousands of lines
    keeper: bool = False  # exactly two spaces: a blank line that does not end the paragraph
    trailing_space: bool = False  # whitespace after the text ("CUT TO:  " is action, not a transition)

    @property
    def blank(self) -> bool:
        return not self.text and not self.notes and not self.keeper

    @property
    def note_only(self) -> bool:
        return not self.text and bool(self.notes)


# --- 1. boneyard and notes --------------------------------------------------------------------------------


def cut_boneyard(raw_lines: list[str], path: str) -> list[tuple[str, int, tuple | None]]:
    """(text, line number, origins) per line left; a line joined across a boneyard keeps, as `origins`, the
    (offset in text, source line, source column) of each of its pieces, so that errors point into the source."""
    out: list[tuple[str, int, tuple | None]] = []
    in_bone = False
    opened = (0, 0)
    pieces: list[str] = []
    origins: list[tuple[int, int, int]] = []
    length = 0
    start = 0
    touched = False
    for number, line in enumerate(raw_lines, 1):
        if not in_bone:
            pieces, origins, length, start, touched = [], [], 0, number, False
        pos = 0
        while True:
            if in_bone:
                end = line.find("*/", pos)
                if end < 0:
                    break
                in_bone, pos = False, end + 2
            else:
                begin = line.find("/*", pos)
                piece = line[pos:] if begin < 0 else line[pos:begin]
                if piece:
                    pieces.append(piece)
                    origins.append((length, number, pos + 1))
                    length += len(piece)
                if begin < 0:
                    break
                in_bone, touched, opened, pos = True, True, (number, begin + 1), begin + 2
        if not in_bone:
            text = "".join(pieces)
            if touched and not text.strip():
                continue
            if not text and out and not out[-1][0]:
                continue  # a run of blank lines means what one does: keep one (millions cost no memory)
            out.append((text, start, tuple(origins) if touched else None))
    if in_bone:
        raise ScreenplayError("boneyard '/*' is never closed with '*/'", path, *opened)
    return out


def _source_position(number: int, offset: int, origins: tuple | None) -> tuple[int, int]:
    """Line and 1-based column in the source file of `offset` in a line that boneyard may have joined."""
    if origins is None:
        return number, offset + 1
    at, line, column = next(o for o in reversed(origins) if o[0] <= offset)
    return line, column + offset - at


def cut_notes(lines: list[tuple[str, int, tuple | None]], path: str) -> list[Line]:
    out: list[Line] = []
    note: list[str] | None = None  # pieces of the note being read, across lines
    current: Line | None = None
    pieces: list[str] = []
    notes: list[str] = []  # a list while the line is read: one line can hold thousands of notes
    opened = (0, 0, None)
    for text, number, origins in lines:
        if note is None:
            current, pieces, notes = Line("", number), [], []
        else:
            note.append("\n")
        pos = 0
        while True:
            if note is not None:
                end = text.find("]]", pos)
                if end < 0:
                    note.append(text[pos:])
                    break
                note.append(text[pos:end])
                notes.append("".join(note).strip())
                note, pos = None, end + 2
            else:
                begin = text.find("[[", pos)
                if begin < 0:
                    pieces.append(text[pos:])
                    break
                pieces.append(text[pos:begin])
                note, opened, pos = [], (number, begin, origins), begin + 2
        if note is None:
            joined = "".join(pieces)
            current.notes = tuple(notes)
            if joined == "  " and not notes:
                current.keeper = True
                current.text = ""
            else:
                current.text = joined.rstrip()
                current.trailing_space = len(current.text) < len(joined)
            out.append(current)
    if note is not None:
        raise ScreenplayError("note '[[' is never closed with ']]'", path, *_source_position(*opened))
    return out
