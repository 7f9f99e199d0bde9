"""A `Screenplay` back to Fountain text that `parse_fountain` reads into the same screenplay.

Every element is written as its own paragraph. An element is forced (`!`, `@`, `.`, `>`) exactly when its
plain form would be read as something else. Emphasis spans become markup again; literal `*` and `_` are
escaped; notes are written back as `[[ ]]` (on the element's first line, or on a line of their own after a cue).

Known limit: a literal backslash right before an emphasis mark (text `a\\` followed by an italic span)
cannot be written back; the parser never produces spans that need two star runs side by side.
"""

from __future__ import annotations

from shotgraph.director.screenplay.fountain_syntax import is_heading, is_title_key, line_kind, uncased_cue
from shotgraph.director.screenplay.model import (
    Action,
    Centered,
    Dialogue,
    Lyrics,
    Note,
    PageBreak,
    Screenplay,
    Section,
    Span,
    Synopsis,
    Transition,
)

_MARKS = {"italic": "*", "bold": "**", "underline": "_"}


def _escape(text: str) -> str:
    return text.replace("*", "\\*").replace("_", "\\_")


def _markup(text: str, spans: list[Span]) -> str:
    """Plain text + spans (never crossing a line) -> one string with emphasis markup, line breaks kept."""
    if not spans:
        return _escape(text)
    # group spans over the same range: bold + italic over one range is written ***x***
    groups: dict[tuple[int, int], set[str]] = {}
    for span in spans:
        groups.setdefault((span.start, span.end), set()).add(span.style)
    opens: dict[int, list[tuple[int, str]]] = {}
    closes: dict[int, list[tuple[int, str]]] = {}
    for (start, end), styles in groups.items():
        stars = ("***" if {"bold", "italic"} <= styles else "**" if "bold" in styles
                 else "*" if "italic" in styles else "")
        # underline outside the stars, so that two star marks never touch: `*a*_**b**_`
        if stars:
            opens.setdefault(start, []).append((end * 2, stars))
            closes.setdefault(end, []).append((start * 2 + 1, stars))
        if "underline" in styles:
            opens.setdefault(start, []).append((end * 2 + 1, "_"))
            closes.setdefault(end, []).append((start * 2, "_"))
    out: list[str] = []
    for i in range(len(text) + 1):
        # close the innermost (latest opened) first, then open the outermost (latest closing) first
        for _, mark in sorted(closes.get(i, []), key=lambda c: -c[0]):
            out.append(mark)
        for _, mark in sorted(opens.get(i, []), key=lambda o: -o[0]):
            out.append(mark)
        if i < len(text):
            out.append(_escape(text[i]))
    return "".join(out)


def _notes(notes: list[str]) -> str:
    return "".join(f"[[{n}]]" for n in notes)


def _blank_lines(text: str) -> str:
    """An empty line inside an element is written as two spaces, so it does not end the paragraph."""
    return "\n".join(line if line else "  " for line in text.split("\n"))


def _action(element: Action) -> str:
    lines = _markup(element.text, element.spans).split("\n")
    first = lines[0]
    next_blank = len(lines) == 1
    # forced where it would read as something else, or as a cue in an uncased script (which the reader warns of)
    if line_kind(first, next_blank) != "action" or not first or (not next_blank and uncased_cue(first)):
        first = "!" + first
    lines[0] = first
    lines = _blank_lines("\n".join(lines)).split("\n", 1)
    lines[0] += _notes(element.notes)
    return "\n".join(lines)


def _dialogue(element: Dialogue) -> str:
    cue = element.cue
    auto = line_kind(cue + (" ^" if element.dual == "right" else ""), next_blank=False)
    if auto != "cue" or cue.startswith("@"):
        cue = "@" + cue
    if element.dual == "right":
        cue += " ^"
    lines = [cue]
    if element.notes:
        lines.append(_notes(element.notes))
    words_offset = 0  # where the part starts in `element.text`, which holds the speech and lyrics parts
    for part in element.parts:
        if part.kind == "parenthetical":
            lines.append(_markup(part.text, part.spans))
            continue
        end = words_offset + len(part.text)
        spans = [Span(start=s.start - words_offset, end=s.end - words_offset, style=s.style)
                 for s in element.spans if words_offset <= s.start and s.end <= end]
        words = _markup(part.text, spans)
        if part.kind == "lyrics":
            lines.extend("~" + line for line in words.split("\n"))
        else:
            lines.append(_blank_lines(words))
        words_offset = end + 1
    return "\n".join(lines)


def _element(element) -> str:
    notes = _notes(element.notes)
    if isinstance(element, Action):
        return _action(element)
    if isinstance(element, Dialogue):
        return _dialogue(element)
    if isinstance(element, Transition):
        return "> " + _markup(element.text, element.spans) + notes
    if isinstance(element, Centered):
        return "> " + _markup(element.text, element.spans) + " <" + notes
    if isinstance(element, Lyrics):
        return "\n".join("~" + line for line in _markup(element.text, element.spans).split("\n")) + notes
    if isinstance(element, Note):
        return _notes([element.text]) + notes
    if isinstance(element, Section):
        return "#" * element.level + " " + _markup(element.text, element.spans) + notes
    if isinstance(element, Synopsis):
        return "= " + _markup(element.text, element.spans) + notes
    if isinstance(element, PageBreak):
        return "===" + notes
    raise TypeError(f"unknown screenplay element {type(element).__name__}")


def to_fountain(screenplay: Screenplay) -> str:
    """Write the screenplay as Fountain 1.1 text."""
    paragraphs: list[str] = []
    # 1. Title page
    if screenplay.title_page:
        lines = []
        for key, value in screenplay.title_page.items():
            values = _escape(value).split("\n")  # values are plain text: a `*` in one is literal
            if len(values) == 1:
                lines.append(f"{key}: {values[0]}".rstrip())
            else:
                lines.append(f"{key}:")
                lines.extend(f"    {v}" for v in values)
        paragraphs.append("\n".join(lines))
    # 2. Scenes
    for scene in screenplay.scenes:
        if scene.heading is not None:
            heading = scene.heading.text
            if not is_heading(heading):
                heading = "." + heading
            if scene.heading.number is not None:
                heading += f" #{scene.heading.number}#"
            paragraphs.append(heading)
        paragraphs.extend(_element(e) for e in scene.elements)
    text = "\n\n".join(paragraphs) + "\n"
    # 3. Without a title page, a first line that looks like 'Key: value' must not start the file
    if not screenplay.title_page and is_title_key(text.split("\n", 1)[0]):
        text = "\n" + text
    return text
