"""What a Fountain line is: emphasis, character cues, scene headings, title page keys and the kind of a line
that opens a paragraph.
"""

from __future__ import annotations

import re

from shotgraph.director.screenplay.model import (
    SceneHeading,
    Span,
)

_HEADING = re.compile(r"(?i)(int\.?/ext|i/e|int|ext|est)(?:\.\s*|\s+)(.*)")
_PLACES = {"INT": "INT", "EXT": "EXT", "EST": "EST", "I/E": "INT/EXT", "INT/EXT": "INT/EXT", "INT./EXT": "INT/EXT"}
_SCENE_NUMBER = re.compile(r"\s*#([A-Za-z0-9.\-]+)#$")
TITLE_KEY = re.compile(r"([A-Za-z][A-Za-z0-9 _\-.']*):(.*)")
# Keys Fountain names; any other key must not be all capitals, so that a script opening on "FADE IN:" has none.
_KNOWN_KEYS = {"title", "credit", "author", "authors", "source", "draft date", "date", "contact", "copyright",
               "notes", "revision", "watermark", "font"}
_EXTENSIONS = re.compile(r"(?:\s*\([^()]*\))*\s*")
_STANDARD_EXTENSIONS = {"VO": "V.O.", "OS": "O.S.", "OC": "O.C.", "CONTD": "CONT'D", "CONT": "CONT'D"}
_EXTENSION_NOISE = re.compile(r"[\s.'\u2019/]")  # V.O. = VO = V/O; CONT'D = CONT\u2019D = CONTD
PAGE_BREAK = re.compile(r"={3,}")
SECTION = re.compile(r"(#{1,6})(?!#)\s*(.*)")


# --- 2. emphasis -------------------------------------------------------------------------------------------

_STYLES = {"*": ("italic",), "**": ("bold",), "***": ("bold", "italic"), "_": ("underline",)}


def parse_emphasis(line: str) -> tuple[str, list[Span]]:
    """`*italic*`, `**bold**`, `***both***`, `_underline_` and the escapes `\\*`, `\\_` -> plain text + spans.

    A delimiter opens before a non-space and closes after one; unmatched delimiters stay literal text.
    A stack of open delimiters makes this linear: a closer pops everything opened after its opener.
    """
    text, spans = _emphasis(line)
    return text, [Span(start=start, end=end, style=style) for start, end, style in spans]


def _emphasis(line: str) -> tuple[str, list[tuple[int, int, str]]]:
    """parse_emphasis with (start, end, style) tuples: a line of a million marks builds each Span once."""
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
    spans: set[tuple[int, int, str]] = set()  # (start, -end, style): `__x__` underlines x once; sorted as is
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
            start = starts.pop(token[3])
            spans.update((start, -length, style) for style in _STYLES[token[0]])
    return "".join(text), [(start, -minus_end, style) for start, minus_end, style in sorted(spans)]


def emphasis_lines(lines: list[str]) -> tuple[str, list[Span]]:
    texts: list[str] = []
    spans: list[Span] = []
    offset = 0
    for line in lines:
        text, line_spans = _emphasis(line)
        spans += [Span(start=start + offset, end=end + offset, style=style) for start, end, style in line_spans]
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


def line_kind(text: str, next_blank: bool, trailing_space: bool = False) -> str:
    """What a line opens when it starts a paragraph (the line before it is blank).

    `next_blank`: the following line is blank or the file ends. One of: action, forced_action, heading,
    forced_heading, section, synopsis, page_break, centered, transition, forced_transition, lyrics, cue.
    Leading whitespace is ignored, except that an indented line is never forced action; trailing whitespace
    makes a would-be transition action (as the reference parser reads `CUT TO:  `).
    """
    unindented = text.lstrip()
    kind = _unindented_kind(unindented, next_blank)
    if kind == "transition" and trailing_space:
        return "action"
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
    if first == "#" and SECTION.fullmatch(text):
        return "section"
    if first == "=":
        return "page_break" if PAGE_BREAK.fullmatch(text) else "synopsis"
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


def is_title_key(text: str) -> bool:
    """Whether a line reads as `Key: value` on a title page."""
    match = TITLE_KEY.fullmatch(text)
    if match is None:
        return False
    key = match.group(1).strip()
    return key.lower() in _KNOWN_KEYS or key != key.upper()


def uncased_cue(text: str) -> bool:
    """A line that would be a character cue but for capitals its script does not have (Japanese, Chinese,
    Arabic, Hebrew, Thai ...): short, letters with no case at all, no sentence ending."""
    name = text.strip()
    letters = [c for c in name if c.isalpha()]
    return (0 < len(name) <= 20 and bool(letters) and not any(c.isupper() or c.islower() for c in letters)
            and not name.endswith(tuple(".!?。！？…:：")))
