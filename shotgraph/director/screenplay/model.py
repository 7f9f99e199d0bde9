"""The Screenplay model: what the readers (Fountain, FDX) produce and everything downstream consumes.

Ids are positional and stable under edits of wording: scene `sc003` is the third scene with a heading
(`sc000` is the opening scene before any heading), element `sc003-e007` is its seventh element.
Lines are 1-based lines of the source file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Span(_Model):
    """Emphasis over `text[start:end]` of the element it belongs to."""

    start: int
    end: int
    style: Literal["italic", "bold", "underline"]


class _Element(_Model):
    id: str
    line: int = Field(description="1-based source line where the element starts")
    text: str = Field(default="", description="plain text: emphasis markup removed, escapes resolved")
    spans: list[Span] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="[[notes]] inside the element: hints, never shown")


class Action(_Element):
    type: Literal["action"] = "action"


class DialoguePart(_Model):
    kind: Literal["parenthetical", "speech", "lyrics"] = Field(
        description="lyrics: sung lines (`~` in Fountain), to be sung rather than spoken"
    )
    text: str = Field(description="parenthetical with its brackets, e.g. '(whispering)'; speech and lyrics as "
                                  "plain text, without markup or the `~`")
    spans: list[Span] = Field(default_factory=list)
    line: int


class Dialogue(_Element):
    """One dialogue block. `text` is the words only: its speech and lyrics parts joined by newlines."""

    type: Literal["dialogue"] = "dialogue"
    cue: str = Field(description="the character cue as written, without '@' and '^' markers")
    character: str = Field(description="canonical character name: cue without extensions")
    extensions: list[str] = Field(default_factory=list, description="e.g. ['V.O.', \"CONT'D\"]")
    parts: list[DialoguePart] = Field(default_factory=list)
    dual: Literal["left", "right"] | None = None
    dual_partner: str | None = Field(default=None, description="id of the other side of dual dialogue")

    @property
    def parentheticals(self) -> list[str]:
        return [p.text for p in self.parts if p.kind == "parenthetical"]

    @property
    def off_screen(self) -> bool:
        return any(e in {"V.O.", "O.S.", "O.C."} for e in self.extensions)


class Transition(_Element):
    type: Literal["transition"] = "transition"


class Centered(_Element):
    type: Literal["centered"] = "centered"


class Lyrics(_Element):
    type: Literal["lyrics"] = "lyrics"


class Note(_Element):
    type: Literal["note"] = "note"


class Section(_Element):
    type: Literal["section"] = "section"
    level: int = Field(ge=1, le=6)


class Synopsis(_Element):
    type: Literal["synopsis"] = "synopsis"


class PageBreak(_Element):
    type: Literal["page_break"] = "page_break"


Element = Annotated[
    Action | Dialogue | Transition | Centered | Lyrics | Note | Section | Synopsis | PageBreak,
    Field(discriminator="type"),
]


class SceneHeading(_Model):
    text: str = Field(description="the heading as written, without the forcing '.' and the scene number")
    place: Literal["INT", "EXT", "INT/EXT", "EST", ""] = Field(
        description="normalised prefix: INT./EXT., INT/EXT and I/E are all INT/EXT; '' for a forced heading without one"
    )
    location: str
    time: str = Field(default="", description="time of day as written, e.g. 'NIGHT', 'CONTINUOUS'; '' if unstated")
    number: str | None = Field(default=None, description="scene number from #1A#, without the #")
    line: int

    @property
    def interior(self) -> bool:
        return self.place in {"INT", "INT/EXT"}

    @property
    def exterior(self) -> bool:
        return self.place in {"EXT", "INT/EXT", "EST"}


class Scene(_Model):
    id: str
    heading: SceneHeading | None = Field(default=None, description="None only for the opening scene sc000")
    line: int
    elements: list[Element] = Field(default_factory=list)


class Character(_Model):
    name: str = Field(description="canonical name, e.g. EDWARD")
    cues: list[str] = Field(description="every cue spelling that maps to this name, in order of first use")
    lines: int = Field(description="number of dialogue blocks")
    first_scene: str = Field(description="id of the scene of the first dialogue or mention")
    introduction: str | None = Field(default=None, description="sentence of action that first names them in caps")
    introduction_line: int | None = None


class Screenplay(_Model):
    """A screenplay as read: title page, scenes of elements, characters, and what the reader warned about."""

    source: str = Field(description="path of the file it was read from")
    format: Literal["fountain", "fdx", "text"]
    title_page: dict[str, str] = Field(
        default_factory=dict,
        description="keys as written, in order; plain-text values, multi-line values joined by \\n",
    )
    scenes: list[Scene] = Field(default_factory=list)
    characters: list[Character] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    @property
    def title(self) -> str:
        return " ".join((self.title_page_value("Title") or "").split()) or "Untitled"

    def title_page_value(self, key: str) -> str | None:
        """The value of a title page key in any case: Fountain's `TITLE:`, `Title:` and `title:` are one key."""
        wanted = key.casefold()
        return next((value for name, value in self.title_page.items() if name.casefold() == wanted), None)

    def elements(self) -> Iterator[Element]:
        for scene in self.scenes:
            yield from scene.elements

    def dialogue(self) -> Iterator[Dialogue]:
        """Every dialogue block in screenplay order."""
        for element in self.elements():
            if isinstance(element, Dialogue):
                yield element

    def character(self, name: str) -> Character | None:
        return next((c for c in self.characters if c.name == name), None)
