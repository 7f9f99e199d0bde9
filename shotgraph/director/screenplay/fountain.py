"""Fountain 1.1 (https://fountain.io/syntax) to a `Screenplay`.

One pass over the lines, no rescans, so the time is linear in the size of the script:

1. boneyard `/* */` is cut out; every remaining line keeps its source line number, and a line that held
   nothing but boneyard disappears instead of turning into a blank line (which would split a paragraph);
2. notes `[[ ]]` are cut out of their line and remembered with it; a multi-line note joins its lines;
3. the title page is read if the very first line is `Key: value`;
4. each paragraph start is classified (`line_kind`), and the element it opens takes the lines it owns.

Choices the spec leaves open, fixed here so that `to_fountain` can write every parse result back:

- every action paragraph is its own `Action`; a line of exactly two spaces keeps a blank line inside one
  (`text` then holds an empty line). Trailing whitespace of a line is dropped. Leading whitespace is ignored
  for every element but action (the spec's "Indenting": `        BRICK` is a cue, `    CUT TO:` a
  transition); an indented line that reads as action once unindented (a leading `!` included) stays action,
  indentation kept.
- sections, synopses, page breaks and centered lines are one line each; a blank line is not needed after them.
- a line holding only notes is invisible to what the lines around it are: `CUT TO:` over a line `[[x]]` and a
  blank line is a transition carrying the note x. Notes on lines of their own at a paragraph start form a
  `Note` element, and a `^` cue pairs with the dialogue before such notes.
- a note on a scene heading (on its line or the lines under it) becomes a `Note` element at the start of
  that scene.
- `~` lines inside a dialogue block are sung: a `lyrics` part of the dialogue, words without the `~`.
- emphasis never crosses a line; `\\*` and `\\_` are the escapes (a backslash before anything else is literal).
  Title page values are plain text: their emphasis markup is removed.
"""

from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from dataclasses import dataclass

from shotgraph.director.screenplay.roster import build_characters
from shotgraph.director.screenplay.model import (
    Action,
    Centered,
    Dialogue,
    DialoguePart,
    Lyrics,
    Note,
    PageBreak,
    Scene,
    SceneHeading,
    Screenplay,
    Section,
    Span,
    Synopsis,
    Transition,
)
from shotgraph.errors import ScreenplayError

NO_HEADINGS_WARNING = "no scene headings: the whole script is read as one opening scene sc000"

_HEADING = re.compile(r"(?i)(int\.?/ext|i/e|int|ext|est)(?:\.\s*|\s+)(.*)")
_PLACES = {"INT": "INT", "EXT": "EXT", "EST": "EST", "I/E": "INT/EXT", "INT/EXT": "INT/EXT", "INT./EXT": "INT/EXT"}
_SCENE_NUMBER = re.compile(r"\s*#([A-Za-z0-9.\-]+)#$")
_TITLE_KEY = re.compile(r"([A-Za-z][A-Za-z0-9 _\-.']*):(.*)")
# Keys Fountain names; any other key must not be all capitals, so that a script opening on "FADE IN:" has none.
_KNOWN_KEYS = {"title", "credit", "author", "authors", "source", "draft date", "date", "contact", "copyright",
               "notes", "revision", "watermark", "font"}
_EXTENSIONS = re.compile(r"(?:\s*\([^()]*\))*\s*")
_STANDARD_EXTENSIONS = {"VO": "V.O.", "OS": "O.S.", "OC": "O.C.", "CONTD": "CONT'D", "CONT": "CONT'D"}
_EXTENSION_NOISE = re.compile(r"[\s.'\u2019/]")  # V.O. = VO = V/O; CONT'D = CONT\u2019D = CONTD
_PAGE_BREAK = re.compile(r"={3,}")
_SECTION = re.compile(r"(#{1,6})(?!#)\s*(.*)")


@dataclass(slots=True)
class Line:
    """One source line after boneyard and notes are cut out."""

    text: str
    number: int
    notes: tuple[str, ...] = ()  # a tuple, not a list: one script has tens of thousands of lines
    keeper: bool = False  # exactly two spaces: a blank line that does not end the paragraph

    @property
    def blank(self) -> bool:
        return not self.text and not self.notes and not self.keeper

    @property
    def note_only(self) -> bool:
        return not self.text and bool(self.notes)


# --- 1. boneyard and notes --------------------------------------------------------------------------------


def _cut_boneyard(raw_lines: list[str], path: str) -> list[tuple[str, int, tuple | None]]:
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


def _cut_notes(lines: list[tuple[str, int, tuple | None]], path: str) -> list[Line]:
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
            out.append(current)
    if note is not None:
        raise ScreenplayError("note '[[' is never closed with ']]'", path, *_source_position(*opened))
    return out


# --- 2. emphasis -------------------------------------------------------------------------------------------

_STYLES = {"*": ("italic",), "**": ("bold",), "***": ("bold", "italic"), "_": ("underline",)}


def parse_emphasis(line: str) -> tuple[str, list[Span]]:
    """`*italic*`, `**bold**`, `***both***`, `_underline_` and the escapes `\\*`, `\\_` -> plain text + spans.

    A delimiter opens before a non-space and closes after one; unmatched delimiters stay literal text.
    A stack of open delimiters makes this linear: a closer pops everything opened after its opener.
    """
    if "*" not in line and "_" not in line:
        return line, []
    # tokens: literal strings, or [delimiter, can_open, can_close, matched_with]
    tokens: list = []
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if c == "\\" and i + 1 < n and line[i + 1] in "*_":
            tokens.append(line[i + 1])
            i += 2
            continue
        if c in "*_":
            j = i + 1
            while c == "*" and j < n and line[j] == c:  # a run of stars is one mark; each '_' is its own
                j += 1
            run = line[i:j]
            if run in _STYLES:
                before = line[i - 1] if i else " "
                after = line[j] if j < n else " "
                tokens.append([run, not after.isspace(), not before.isspace(), None])
            else:
                tokens.append(run)
            i = j
            continue
        j = i
        while j < n and line[j] not in "*_\\":
            j += 1
        if j == i:  # a lone backslash
            j += 1
        tokens.append(line[i:j])
        i = j
    stack: list[int] = []
    open_count = dict.fromkeys(_STYLES, 0)
    for index, token in enumerate(tokens):
        if isinstance(token, str):
            continue
        run, can_open, can_close, _ = token
        # a mark right after its opener would make an empty span: it opens instead (`___` stays literal)
        touching = bool(stack) and stack[-1] == index - 1 and tokens[index - 1][0] == run
        if can_close and open_count[run] and not touching:
            while True:
                top = stack.pop()
                open_count[tokens[top][0]] -= 1
                if tokens[top][0] == run:
                    break
            tokens[top][3] = index
            token[3] = top
        elif can_open:
            stack.append(index)
            open_count[run] += 1
    text: list[str] = []
    length = 0
    starts: dict[int, int] = {}
    spans: list[Span] = []
    for index, token in enumerate(tokens):
        if isinstance(token, str):
            text.append(token)
            length += len(token)
        elif token[3] is None:
            text.append(token[0])
            length += len(token[0])
        elif token[3] > index:
            starts[index] = length
        else:
            for style in _STYLES[token[0]]:
                spans.append(Span(start=starts[token[3]], end=length, style=style))
    unique = {(s.start, s.end, s.style): s for s in spans}  # `__x__` underlines x once
    return "".join(text), sorted(unique.values(), key=lambda s: (s.start, -s.end, s.style))


def _emphasis_lines(lines: list[str]) -> tuple[str, list[Span]]:
    texts: list[str] = []
    spans: list[Span] = []
    offset = 0
    for line in lines:
        text, line_spans = parse_emphasis(line)
        spans.extend(Span(start=s.start + offset, end=s.end + offset, style=s.style) for s in line_spans)
        texts.append(text)
        offset += len(text) + 1
    return "\n".join(texts), spans


# --- 3. classification ---------------------------------------------------------------------------------------


def split_cue(cue: str) -> tuple[str, list[str]] | None:
    """'EDWARD (V.O.)(CONT'D)' -> ('EDWARD', ['V.O.', "CONT'D"]); None if the extensions are malformed.

    The standard extensions are normalised however they are spelled (`(v.o.)`, `(VO)`, `(cont'd)`), so that
    `off_screen` and the planner recognise them; any other extension is kept as written.
    """
    cut = cue.find("(")
    name = cue if cut < 0 else cue[:cut]
    rest = "" if cut < 0 else cue[cut:]
    if rest and not _EXTENSIONS.fullmatch(rest):
        return None
    name = " ".join(name.split())
    if not name:
        return None
    extensions = []
    for written in re.findall(r"\(([^()]*)\)", rest):
        written = written.strip()
        extensions.append(_STANDARD_EXTENSIONS.get(_EXTENSION_NOISE.sub("", written).upper(), written))
    return name, extensions


def is_heading(text: str) -> bool:
    return _HEADING.match(text) is not None


def line_kind(text: str, next_blank: bool) -> str:
    """What a line opens when it starts a paragraph (the line before it is blank).

    `next_blank`: the following line is blank or the file ends. One of: action, forced_action, heading,
    forced_heading, section, synopsis, page_break, centered, transition, forced_transition, lyrics, cue.
    Leading whitespace is ignored, except that an indented line is never forced action.
    """
    unindented = text.lstrip()
    kind = _unindented_kind(unindented, next_blank)
    return "action" if kind == "forced_action" and len(unindented) < len(text) else kind


def _unindented_kind(text: str, next_blank: bool) -> str:
    if not text:
        return "action"
    first = text[0]
    if first == "!":
        return "forced_action"
    if first == "@":
        return "cue" if not next_blank and len(text.rstrip("^ ")) > 1 else "action"
    if first == "." and len(text) > 1 and text[1].isalnum():
        return "forced_heading" if next_blank else "action"
    if first == "#" and _SECTION.fullmatch(text):
        return "section"
    if first == "=":
        return "page_break" if _PAGE_BREAK.fullmatch(text) else "synopsis"
    if first == ">":
        return "centered" if text.endswith("<") and len(text) > 1 else "forced_transition"
    if first == "~":
        return "lyrics"
    if is_heading(text):
        return "heading" if next_blank else "action"
    if text.endswith("TO:") and text == text.upper() and next_blank:
        return "transition"
    if not next_blank and _is_cue(text):
        return "cue"
    return "action"


def _is_cue(text: str) -> bool:
    body = text[:-1].rstrip() if text.endswith("^") else text
    parts = split_cue(body)
    if parts is None:
        return False
    name = parts[0]
    return name == name.upper() and any(c.isalpha() and c.isupper() for c in name)


def parse_heading(text: str, number_line: int) -> SceneHeading:
    """A heading line without its forcing '.' -> SceneHeading (the place is read even from a forced one)."""
    number = None
    found = _SCENE_NUMBER.search(text)
    if found:
        number = found.group(1)
        text = text[: found.start()].rstrip()
    place = ""
    rest = text
    match = _HEADING.fullmatch(text)
    if match:
        place = _PLACES[match.group(1).upper()]
        rest = match.group(2)
    location, time = rest, ""
    if " - " in rest:
        location, time = rest.rsplit(" - ", 1)
    return SceneHeading(
        text=text, place=place, location=location.strip(), time=time.strip(), number=number, line=number_line
    )


# --- 4. the parser -------------------------------------------------------------------------------------------


def is_title_key(text: str) -> bool:
    """Whether a line reads as `Key: value` on a title page."""
    match = _TITLE_KEY.fullmatch(text)
    if match is None:
        return False
    key = match.group(1).strip()
    return key.lower() in _KNOWN_KEYS or key != key.upper()


def _title_page(lines: list[Line], path: str) -> tuple[dict[str, str], int]:
    """Reads `Key: value` lines from the first line on; returns the title page and the index of the body."""
    if not lines or not is_title_key(lines[0].text):
        return {}, 0
    title: dict[str, list[str]] = {}
    key = ""
    i = 0
    while i < len(lines) and not lines[i].blank:
        line = lines[i]
        text = line.text
        if line.notes:
            text += "".join(f"[[{n}]]" for n in line.notes)
        match = _TITLE_KEY.fullmatch(text)
        if key and (text.startswith("   ") or text.startswith("\t")):
            title[key].append(parse_emphasis(text.strip())[0])
        elif match and is_title_key(text):
            key = match.group(1).strip()
            value = match.group(2).strip()
            title.setdefault(key, [])
            if value:
                title[key].append(parse_emphasis(value)[0])
        else:
            raise ScreenplayError(
                "expected 'Key: value' or a value indented by 3 spaces or a tab on the title page", path, line.number
            )
        i += 1
    return {k: "\n".join(v) for k, v in title.items()}, i


class _Builder:
    """Collects elements into scenes and numbers them."""

    def __init__(self, path: str):
        self.path = path
        self.scenes: list[Scene] = []
        self.current: Scene | None = None

    def heading(self, heading: SceneHeading) -> None:
        self.current = Scene(id=f"sc{len(self.scenes) + (0 if self._has_opening() else 1):03d}", heading=heading,
                             line=heading.line)
        self.scenes.append(self.current)

    def _has_opening(self) -> bool:
        return bool(self.scenes) and self.scenes[0].id == "sc000"

    def add(self, cls, line: int, **fields):
        if self.current is None:
            self.current = Scene(id="sc000", heading=None, line=line)
            self.scenes.append(self.current)
        element = cls(id=f"{self.current.id}-e{len(self.current.elements) + 1:03d}", line=line, **fields)
        self.current.elements.append(element)
        return element


def _notes_of(lines: list[Line]) -> list[str]:
    return [n for line in lines for n in line.notes]


def _element_fields(texts: list[str], lines: list[Line]) -> dict:
    text, spans = _emphasis_lines(texts)
    return {"text": text, "spans": spans, "notes": _notes_of(lines)}


@contextmanager
def _without_cyclic_gc():
    """The parser builds tens of thousands of acyclic objects; the cycle collector would rescan them over and
    over while they pile up (a 10x script took 13x as long with it, 11x without)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse_fountain(text: str, path: str) -> Screenplay:
    """Parse Fountain text; `path` names the source in errors and in `Screenplay.source`."""
    with _without_cyclic_gc():
        return _parse(text, path)


def _parse(text: str, path: str) -> Screenplay:
    # 1. Lines, boneyard, notes
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = _cut_notes(_cut_boneyard(text.split("\n"), path), path)

    # 2. Title page
    title_page, i = _title_page(lines, path)

    # 3. Body
    build = _Builder(path)
    n = len(lines)
    saw_heading = False
    while i < n:
        line = lines[i]
        if line.blank or (line.keeper and (i == 0 or lines[i - 1].blank)):
            i += 1
            continue
        # the paragraph: lines up to the next blank one
        end = i
        while end < n and not lines[end].blank:
            end += 1
        if line.note_only:
            # notes are invisible: lines of only notes form a Note, and what follows starts a paragraph
            body = next((k for k in range(i, end) if not (lines[k].note_only or lines[k].keeper)), end)
            notes = _notes_of(lines[i:body])
            build.add(Note, line.number, text=notes[0], notes=notes[1:])
            i = body
            continue
        # lines of only notes under this one belong to it, and do not count as the line after it
        after = i + 1
        while after < n and lines[after].note_only:
            after += 1
        kind = line_kind(line.text, next_blank=after >= n or lines[after].blank)
        owned = lines[i:after]
        t = line.text.lstrip()
        if kind in ("heading", "forced_heading"):
            build.heading(parse_heading(t[1:] if kind == "forced_heading" else t, line.number))
            saw_heading = True
            if line.notes:
                build.add(Note, line.number, text=line.notes[0], notes=line.notes[1:])
            if under := _notes_of(owned[1:]):
                build.add(Note, owned[1].number, text=under[0], notes=under[1:])
            i = after
        elif kind == "section":
            match = _SECTION.fullmatch(t)
            build.add(Section, line.number, level=len(match.group(1)), **_element_fields([match.group(2)], owned))
            i = after
        elif kind == "synopsis":
            build.add(Synopsis, line.number, **_element_fields([t[1:].strip()], owned))
            i = after
        elif kind == "page_break":
            build.add(PageBreak, line.number, notes=_notes_of(owned))
            i = after
        elif kind == "centered":
            build.add(Centered, line.number, **_element_fields([t[1:-1].strip()], owned))
            i = after
        elif kind in ("transition", "forced_transition"):
            body = t[1:].strip() if kind == "forced_transition" else t
            build.add(Transition, line.number, **_element_fields([body], owned))
            i = after
        elif kind == "lyrics":
            j = i
            while j < end and (lines[j].note_only or lines[j].text.lstrip().startswith("~")):
                j += 1
            owned = lines[i:j]
            verses = [l.text.lstrip()[1:].strip() for l in owned if not l.note_only]
            build.add(Lyrics, line.number, **_element_fields(verses, owned))
            i = j
        elif kind == "cue":
            _dialogue(build, lines[i:end])
            i = end
        else:
            owned = [l for l in lines[i:end] if not l.note_only]
            texts = [l.text for l in owned]
            if kind == "forced_action":
                texts[0] = texts[0][1:]
            build.add(Action, line.number, **_element_fields(texts, lines[i:end]))
            i = end

    # 4. Check and finish
    scenes = build.scenes
    if not scenes:
        last = next((line.number for line in reversed(lines) if not line.blank), 1)
        raise ScreenplayError(
            "no screenplay elements found: expected scene headings, action or dialogue", path, last
        )
    # warnings are part of the result, not logged: whoever shows the screenplay shows them once
    warnings = [] if saw_heading else [f"{path}: {NO_HEADINGS_WARNING}"]
    return Screenplay(
        source=path,
        format="fountain",
        title_page=title_page,
        scenes=scenes,
        characters=build_characters(scenes),
        warnings=warnings,
    )


def _dialogue(build: _Builder, block: list[Line]) -> None:
    cue_line = block[0]
    cue = cue_line.text.lstrip()
    if cue.startswith("@"):
        cue = cue[1:]
    dual = cue.endswith("^")
    if dual:
        cue = cue[:-1]
    cue = cue.strip()
    split = split_cue(cue)
    character, extensions = split if split else (" ".join(cue.split()), [])
    parts: list[DialoguePart] = []
    run: list[str] = []  # speech lines in a row, or sung (`~`) lines in a row: one part
    run_kind, run_line = "speech", 0

    def close_run() -> None:
        if run:
            text, spans = _emphasis_lines(run)
            parts.append(DialoguePart(kind=run_kind, text=text, spans=spans, line=run_line))
            run.clear()

    for line in block[1:]:
        if line.note_only:
            continue
        stripped = line.text.strip()
        if stripped.startswith("(") and stripped.endswith(")"):
            close_run()
            text, spans = parse_emphasis(stripped)
            parts.append(DialoguePart(kind="parenthetical", text=text, spans=spans, line=line.number))
            continue
        kind = "lyrics" if stripped.startswith("~") else "speech"
        if kind != run_kind:
            close_run()
        if not run:
            run_kind, run_line = kind, line.number
        run.append(stripped[1:].strip() if kind == "lyrics" else stripped)
    close_run()
    # the block's text is its words, spoken and sung; spans move into that joined text
    texts: list[str] = []
    spans: list[Span] = []
    offset = 0
    for part in parts:
        if part.kind != "parenthetical":
            spans.extend(Span(start=s.start + offset, end=s.end + offset, style=s.style) for s in part.spans)
            texts.append(part.text)
            offset += len(part.text) + 1
    fields = dict(cue=cue, character=character, extensions=extensions, parts=parts, text="\n".join(texts),
                  spans=spans, notes=_notes_of(block))
    if dual:
        scene = build.current
        # notes between the two sides are invisible, as a boneyard there would be
        before = next((e for e in reversed(scene.elements) if not isinstance(e, Note)), None) if scene else None
        if not isinstance(before, Dialogue):
            raise ScreenplayError(
                f"dual dialogue marker '^' on {cue!r}, but no dialogue comes right before it to pair with",
                build.path, cue_line.number,
            )
        if before.dual is not None:
            raise ScreenplayError(
                f"dual dialogue marker '^' on {cue!r}, but {before.cue!r} before it is already paired",
                build.path, cue_line.number,
            )
        element = build.add(Dialogue, cue_line.number, dual="right", dual_partner=before.id, **fields)
        before.dual = "left"
        before.dual_partner = element.id
    else:
        build.add(Dialogue, cue_line.number, **fields)
