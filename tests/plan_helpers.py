"""Screenplays built straight from the pydantic models, for the director's tests (no parser needed)."""

from __future__ import annotations

import re

from shotgraph.director.screenplay.model import (
    Action,
    Character,
    Dialogue,
    DialoguePart,
    Scene,
    SceneHeading,
    Screenplay,
    Transition,
)

_HEADING = re.compile(r"^(INT\./EXT\.|INT\.|EXT\.|EST\.|\.)\s*(.*?)(?:\s+-\s+(.*))?$")  # "." forces one


def action(text: str) -> tuple:
    return ("action", text)


def line(cue: str, text: str, *parentheticals: str, dual: str | None = None) -> tuple:
    return ("dialogue", cue, text, parentheticals, dual)


def transition(text: str) -> tuple:
    return ("transition", text)


def screenplay(*scenes: tuple[str | None, list[tuple]], title: str = "Test") -> Screenplay:
    """scenes: (heading or None, elements). Ids, lines, characters and introductions are derived as a parser would."""
    built: list[Scene] = []
    number = 0
    lineno = 1
    for heading_text, elements in scenes:
        heading = None
        if heading_text is not None:
            number += 1
            m = _HEADING.match(heading_text)
            assert m, heading_text
            place = {"INT.": "INT", "EXT.": "EXT", "INT./EXT.": "INT/EXT", "EST.": "EST", ".": ""}[m.group(1)]
            heading = SceneHeading(text=heading_text.removeprefix("."), place=place, location=m.group(2),
                                   time=m.group(3) or "", line=lineno)
        scene_id = f"sc{number:03d}"
        scene_line = lineno
        lineno += 2
        items = []
        for n, spec in enumerate(elements, start=1):
            eid = f"{scene_id}-e{n:03d}"
            if spec[0] == "action":
                items.append(Action(id=eid, line=lineno, text=spec[1]))
            elif spec[0] == "transition":
                items.append(Transition(id=eid, line=lineno, text=spec[1]))
            else:
                _, cue, text, parens, dual = spec
                extensions = re.findall(r"\(([^)]*)\)", cue)
                name = re.sub(r"\s*\([^)]*\)", "", cue).strip()
                parts = [DialoguePart(kind="parenthetical", text=p, line=lineno + 1) for p in parens]
                parts.append(DialoguePart(kind="speech", text=text, line=lineno + 1 + len(parens)))
                items.append(Dialogue(id=eid, line=lineno, text=text, cue=cue, character=name,
                                      extensions=extensions, parts=parts, dual=dual))
            lineno += 2
        for i, item in enumerate(items):  # pair dual dialogue like the parser does
            if isinstance(item, Dialogue) and item.dual == "right" and i > 0:
                item.dual_partner = items[i - 1].id
                items[i - 1].dual_partner = item.id
        built.append(Scene(id=scene_id, heading=heading, line=scene_line, elements=items))
    return Screenplay(source="test.fountain", format="fountain", title_page={"Title": title}, scenes=built,
                      characters=_characters(built))


def _characters(scenes: list[Scene]) -> list[Character]:
    found: dict[str, Character] = {}
    for scene in scenes:
        for element in scene.elements:
            if isinstance(element, Dialogue):
                c = found.setdefault(element.character, Character(name=element.character, cues=[], lines=0,
                                                                  first_scene=scene.id))
                c.lines += 1
                if element.cue not in c.cues:
                    c.cues.append(element.cue)
    for character in found.values():
        for scene in scenes:
            for element in scene.elements:
                if isinstance(element, Action) and character.introduction is None:
                    for sentence in re.split(r"(?<=[.!?])\s+", element.text):
                        if re.search(rf"\b{re.escape(character.name)}\b", sentence):
                            character.introduction = sentence
                            character.introduction_line = element.line
                            break
    return list(found.values())
