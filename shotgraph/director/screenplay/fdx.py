"""The Final Draft reader: a `.fdx` file (XML) into the Screenplay model.

The XML is read with expat directly, so every paragraph keeps its source line, and any document type
declaration is refused before it can declare an entity (a hostile file can carry a "billion laughs" bomb).

How Final Draft maps onto the model:

- `<Content>` paragraphs by `Type`: Scene Heading starts a scene (its `Number` attribute is the scene number);
  Character, Parenthetical and Dialogue paragraphs in a row form one Dialogue element; Transition and Lyrics
  keep their type; Action, General, Shot, Cast List and any other type are Action. A paragraph with
  `StartsNewPage="Yes"` is preceded by a page break. Empty paragraphs are skipped.
- `<DualDialogue>` (inside a paragraph or directly in `<Content>`): its first dialogue block is the left side,
  its second the right, each naming the other as `dual_partner`.
- Styled `<Text>` runs are joined into plain text; `Style` tokens Bold, Italic and Underline become spans,
  AllCaps upper-cases the run (that is how the page shows it).
- Script notes: a `<ScriptNote>` inside a paragraph belongs to that paragraph's element; a `<ScriptNote Range=
  "start,end">` in the top-level `<ScriptNotes>` belongs to the element whose paragraph holds `start`, counting
  characters the way Final Draft does: each `<Content>` paragraph's text, one for each paragraph break, two for a
  block embedded in a paragraph (dual dialogue) whose own text counts nothing.
- `<TitlePage>`: paragraphs are grouped into blocks (a blank paragraph or a change of alignment ends a block).
  The first centred block is the Title. A centred block that is only a credit ("Written by", "Screenplay by",
  "by", ...) is the Credit and the next centred block the Author; "Written by Jane Doe" in one line is split into
  both. A centred block starting "Based on" is the Source; other centred blocks go to Notes. Left- or
  right-aligned blocks are the Contact, except one that mentions a draft or looks like a date: the Draft date.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path

from shotgraph.director.screenplay.fdx_xml import XmlNode, parse_xml
from shotgraph.director.screenplay.fountain import NO_HEADINGS_WARNING
from shotgraph.director.screenplay.fountain_syntax import parse_heading, split_cue
from shotgraph.director.screenplay.model import (
    Action,
    Dialogue,
    DialoguePart,
    Lyrics,
    PageBreak,
    Scene,
    SceneHeading,
    Screenplay,
    Span,
    Transition,
)
from shotgraph.errors import ScreenplayError

_STYLES = {"bold": "bold", "italic": "italic", "underline": "underline"}
_DIALOGUE_TYPES = {"Character", "Parenthetical", "Dialogue"}
_CREDIT = re.compile(r"^((?:written|screenplay|teleplay|story|script)?\s*(?:&\s*\w+\s*)?by)\b[:\s]*(.*)$", re.IGNORECASE)
_DATE = re.compile(r"\bdraft\b|\b\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b|\b(19|20)\d\d\b", re.IGNORECASE)


# 1. Paragraph text with its emphasis ----------------------------------------------------------------------------


def _styled(paragraph: XmlNode) -> tuple[str, list[Span]]:
    """Join the paragraph's <Text> runs; Bold/Italic/Underline become spans over the stripped text."""
    text, spans = "", []
    for run in paragraph.elements("Text"):
        piece = run.text()
        tokens = {t.strip().lower() for t in run.attrs.get("Style", "").split("+")}
        if "allcaps" in tokens:
            piece = piece.upper()
        for token in sorted(tokens & _STYLES.keys()):
            last = next((s for s in reversed(spans) if s.style == _STYLES[token]), None)
            if last is not None and last.end == len(text):
                last.end += len(piece)
            elif piece:
                spans.append(Span(start=len(text), end=len(text) + len(piece), style=_STYLES[token]))
        text += piece
    stripped = text.strip()
    shift = len(text) - len(text.lstrip())
    kept = []
    for span in spans:
        start, end = max(span.start - shift, 0), min(span.end - shift, len(stripped))
        if end > start:
            kept.append(Span(start=start, end=end, style=span.style))
    return stripped, kept


def _note_text(note: XmlNode) -> str:
    return "\n".join(_styled(p)[0] for p in note.elements("Paragraph")).strip()


def _heading(text: str, number: str | None, line: int) -> SceneHeading:
    # the Fountain reader's split keeps place/location/time the same whichever format the script came in
    heading = parse_heading(text, line)
    return heading.model_copy(update={"number": number}) if number else heading


def _cue(text: str) -> tuple[str, list[str]]:
    return split_cue(text) or (" ".join(text.split()), [])


# 2. Building scenes and elements --------------------------------------------------------------------------------


@dataclass
class _Slot:
    """Where a paragraph's notes go: the element it became (set when its dialogue block closes)."""

    element: object = None
    scene: Scene | None = None  # a heading's notes go to the first element of its scene
    follow: _Slot | None = None  # a parenthetical's or a speech's notes go to its dialogue block
    notes: list[str] = field(default_factory=list)

    def target(self) -> object:
        if self.follow is not None:
            return self.follow.target()
        if self.scene is not None:
            return self.scene.elements[0] if self.scene.elements else None
        return self.element


@dataclass
class _Block:
    cue_text: str
    line: int
    slot: _Slot
    parts: list[DialoguePart] = field(default_factory=list)


class _Builder:
    def __init__(self, path: str):
        self.path = path
        self.scenes = [Scene(id="sc000", heading=None, line=1)]
        self.block: _Block | None = None
        self.slots: list[_Slot] = []
        self.warnings: list[str] = []

    @property
    def scene(self) -> Scene:
        return self.scenes[-1]

    def next_id(self) -> str:
        return f"{self.scene.id}-e{len(self.scene.elements) + 1:03d}"

    def add(self, element: object, slot: _Slot) -> object:
        self.scene.elements.append(element)
        slot.element = element
        return element

    def flush(self) -> Dialogue | None:
        block, self.block = self.block, None
        if block is None:
            return None
        character, extensions = _cue(block.cue_text)
        speech = [p for p in block.parts if p.kind == "speech"]
        if not speech:
            self.warnings.append(f"{self.path}:{block.line}: character cue '{block.cue_text}' has no dialogue")
        text, spans = "", []
        for part in speech:
            if text:
                text += "\n"
            spans += [Span(start=s.start + len(text), end=s.end + len(text), style=s.style) for s in part.spans]
            text += part.text
        dialogue = Dialogue(id=self.next_id(), line=block.line, text=text, spans=spans, cue=block.cue_text,
                            character=character, extensions=extensions, parts=block.parts)
        self.add(dialogue, block.slot)
        return dialogue

    def paragraph(self, node: XmlNode, slot: _Slot) -> None:
        kind = node.attrs.get("Type", "Action")
        slot.notes += [t for n in node.elements("ScriptNote") if (t := _note_text(n))]
        text, spans = _styled(node)
        if node.attrs.get("StartsNewPage") == "Yes" and any(s.elements or s.heading for s in self.scenes):
            self.flush()
            self.add(PageBreak(id=self.next_id(), line=node.line), _Slot())
        if kind not in _DIALOGUE_TYPES or (kind == "Character" and text):
            self.flush()
        if not text:
            return
        if kind == "Scene Heading":
            heading = _heading(text, node.attrs.get("Number"), node.line)
            self.scenes.append(Scene(id=f"sc{len(self.scenes):03d}", heading=heading, line=node.line))
            slot.scene = self.scene
        elif kind == "Character":
            self.block = _Block(text, node.line, slot)
        elif kind in {"Parenthetical", "Dialogue"} and self.block is None:
            self.warnings.append(f"{self.path}:{node.line}: {kind.lower()} without a character cue; read as action")
            self.add(Action(id=self.next_id(), line=node.line, text=text, spans=spans), slot)
        elif kind == "Parenthetical":
            if not text.startswith("("):
                text, spans = f"({text})", [Span(start=s.start + 1, end=s.end + 1, style=s.style) for s in spans]
            self.block.parts.append(DialoguePart(kind="parenthetical", text=text, spans=spans, line=node.line))
            slot.follow = self.block.slot
        elif kind == "Dialogue":
            self.block.parts.append(DialoguePart(kind="speech", text=text, spans=spans, line=node.line))
            slot.follow = self.block.slot
        elif kind == "Transition":
            self.add(Transition(id=self.next_id(), line=node.line, text=text, spans=spans), slot)
        elif kind == "Lyrics":
            self.add(Lyrics(id=self.next_id(), line=node.line, text=text, spans=spans), slot)
        else:  # Action, General, Shot, Cast List and anything newer
            self.add(Action(id=self.next_id(), line=node.line, text=text, spans=spans), slot)

    def dual(self, group: XmlNode, slot: _Slot) -> None:
        self.flush()
        sides: list[Dialogue] = []
        for inner in group.elements("Paragraph"):
            inner_slot = _Slot()
            self.slots.append(inner_slot)
            if inner.attrs.get("Type") == "Character" and self.block is not None:
                sides.append(self.flush())
            self.paragraph(inner, inner_slot)
        sides.append(self.flush())
        sides = [s for s in sides if s is not None]
        if len(sides) != 2:
            self.warnings.append(f"{self.path}:{group.line}: dual dialogue with {len(sides)} speaker(s), "
                                 "expected 2; read as ordinary dialogue")
            return
        left, right = sides
        left.dual, left.dual_partner = "left", right.id
        right.dual, right.dual_partner = "right", left.id
        slot.element = left


def _title_page(title_page: XmlNode | None) -> dict[str, str]:
    if title_page is None:
        return {}
    content = title_page.first("Content") or title_page
    blocks: list[tuple[str, list[str]]] = []
    open_block = False
    for paragraph in content.elements("Paragraph"):
        text, _ = _styled(paragraph)
        align = paragraph.attrs.get("Alignment", "Left").lower()
        if not text:
            open_block = False
            continue
        if open_block and blocks[-1][0] == align:
            blocks[-1][1].append(text)
        else:
            blocks.append((align, [text]))
        open_block = True

    fields: dict[str, str] = {}

    def put(key: str, value: str) -> None:
        fields[key] = f"{fields[key]}\n{value}" if key in fields else value

    expect_author = False
    for align, lines in blocks:
        value = "\n".join(lines)
        if align != "center":
            put("Draft date" if _DATE.search(value) and "Draft date" not in fields else "Contact", value)
        elif "Title" not in fields:
            fields["Title"] = value
        elif expect_author:
            put("Author", value)
            expect_author = False
        elif "Credit" not in fields and (match := _CREDIT.match(lines[0])):
            fields["Credit"] = match.group(1)
            author = "\n".join([match.group(2), *lines[1:]]).strip()
            if author:
                put("Author", author)
            else:
                expect_author = True
        elif value.lower().startswith("based on"):
            put("Source", value)
        else:
            put("Notes", value)
    return fields


def _range_notes(root: XmlNode, slots: list[tuple[int, int, _Slot]], warnings: list[str],
                 path: str) -> None:
    """`slots` are (start, end, slot) in order, the ranges disjoint: one binary search finds a note's paragraph."""
    notes = root.first("ScriptNotes")
    starts = [start for start, _, _ in slots]
    for note in notes.elements("ScriptNote") if notes else []:
        text = _note_text(note)
        match = re.fullmatch(r"\s*(\d+)\s*,\s*(\d+)\s*", note.attrs.get("Range", ""))
        target = None
        if match:
            at = int(match.group(1))
            index = bisect_right(starts, at) - 1
            if index >= 0 and at <= slots[index][1] and slots[index][2].target() is not None:
                target = slots[index][2]
        if target is None:
            warnings.append(f"{path}:{note.line}: script note with Range '{note.attrs.get('Range', '')}' "
                            "points at no paragraph; left out")
        elif text:
            target.notes.append(text)


def parse_fdx(data: bytes, path: str | Path) -> Screenplay:
    """Read a Final Draft `.fdx` document. Raises ScreenplayError naming the line and column of bad XML."""
    path = str(path)
    # 1. Parse the XML, refusing entity declarations
    root = parse_xml(data, path)
    if root.tag != "FinalDraft":
        raise ScreenplayError(f"not a Final Draft script: the root element is <{root.tag}>, expected <FinalDraft>",
                              path, root.line, root.column)
    document_type = root.attrs.get("DocumentType")
    if document_type != "Script":
        raise ScreenplayError(f"not a Final Draft script: DocumentType is {document_type!r}, expected 'Script'",
                              path, root.line, root.column)
    content = root.first("Content")
    if content is None:
        raise ScreenplayError("not a Final Draft script: <FinalDraft> has no <Content>", path, root.line, root.column)

    # 2. Walk the paragraphs, remembering each one's character range for Range-anchored notes
    builder = _Builder(path)
    ranges: list[tuple[int, int, _Slot]] = []
    offset = 0
    for node in content.elements():
        if node.tag not in {"Paragraph", "DualDialogue"}:
            continue
        slot = _Slot()
        group = node if node.tag == "DualDialogue" else node.first("DualDialogue")
        if group is not None:
            slot.notes += [t for n in node.elements("ScriptNote") if (t := _note_text(n))]
            builder.dual(group, slot)
            length = 2
        else:
            builder.paragraph(node, slot)
            length = len(_styled(node)[0]) + 2 * len(node.elements("OmittedScene"))
        builder.slots.append(slot)
        ranges.append((offset, offset + length, slot))
        offset += length + 1
    builder.flush()
    _range_notes(root, ranges, builder.warnings, path)
    for slot in builder.slots:
        if slot.notes and (element := slot.target()) is not None:
            element.notes.extend(slot.notes)
        elif slot.notes:
            builder.warnings.append(f"{path}: script note {slot.notes[0]!r} is on a scene with no elements; left out")

    # 3. Scenes, cast and title page
    from shotgraph.director.screenplay.roster import build_characters

    scenes = builder.scenes if builder.scenes[0].elements else builder.scenes[1:]
    if not scenes:
        raise ScreenplayError("no screenplay elements found: expected scene headings, action or dialogue",
                              path, content.line, content.column)
    if len(builder.scenes) == 1:
        builder.warnings.append(f"{path}: {NO_HEADINGS_WARNING}")
    return Screenplay(source=path, format="fdx", title_page=_title_page(root.first("TitlePage")), scenes=scenes,
                      characters=build_characters(scenes), warnings=builder.warnings)
