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

from shotgraph.director.acyclic import without_cyclic_gc
from shotgraph.director.screenplay.fountain_lines import Line, cut_boneyard, cut_notes
from shotgraph.director.screenplay.fountain_syntax import (
    SECTION,
    TITLE_KEY,
    emphasis_lines,
    is_title_key,
    line_kind,
    parse_emphasis,
    parse_heading,
    split_cue,
    uncased_cue,
)
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
from shotgraph.director.screenplay.roster import build_characters
from shotgraph.errors import ScreenplayError

NO_HEADINGS_WARNING = "no scene headings: the whole script is read as one opening scene sc000"



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
        match = TITLE_KEY.fullmatch(text)
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
    text, spans = emphasis_lines(texts)
    return {"text": text, "spans": spans, "notes": _notes_of(lines)}


def parse_fountain(text: str, path: str) -> Screenplay:
    """Parse Fountain text; `path` names the source in errors and in `Screenplay.source`."""
    with without_cyclic_gc():
        return _parse(text, path)


def _parse(text: str, path: str) -> Screenplay:
    # 1. Lines, boneyard, notes
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = cut_notes(cut_boneyard(text.split("\n"), path), path)

    # 2. Title page
    title_page, i = _title_page(lines, path)

    # 3. Body
    build = _Builder(path)
    n = len(lines)
    saw_heading = False
    hints: list[str] = []  # would-be cues in scripts without capitals
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
        kind = line_kind(line.text, next_blank=after >= n or lines[after].blank, trailing_space=line.trailing_space)
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
            match = SECTION.fullmatch(t)
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
            elif len(owned) > 1 and uncased_cue(texts[0]):
                hints.append(f"{path}:{line.number}: {texts[0].strip()!r} reads like a character cue, but its "
                             f"script has no capitals; write @{texts[0].strip()} to make it one")
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
    warnings = ([] if saw_heading else [f"{path}: {NO_HEADINGS_WARNING}"]) + hints
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
            text, spans = emphasis_lines(run)
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
