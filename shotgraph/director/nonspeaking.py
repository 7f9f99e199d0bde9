"""Characters who never speak but whom the action introduces like one: in capitals, with an age.

"SAM (40s), a huge man in a trucker cap, eats alone." The reader's roster lists speakers only; the director
still needs Sam in frame wherever the action names him, with one look all film long.
"""

from __future__ import annotations

import re

from shotgraph.director.lexicon import CAMERA_WORDS, DETERMINERS, NOT_SOUNDS
from shotgraph.director.screenplay.model import Action, Character, Screenplay

# Caps words right before an age in brackets: "SAM (40s)", "AN OLD MAN (70s, stooped)", "DR. VOSS (mid-50s)".
_INTRODUCED = re.compile(
    r"(?<![\w'’.-])((?:(?:MRS?|MS|DR|ST|SGT|PROF|REV|CAPT?|LT)\.\s+)?(?:[A-Z][A-Z'’-]+\s+){0,3}[A-Z][A-Z'’-]+)"
    r"\s*\((?i:\s*(?:(?:early|mid|late)[- ]?)?(?:\d{1,2}s?|teens|twenties|thirties|forties|fifties|sixties"
    r"|seventies|eighties|nineties))\b[^()]*\)"
)
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")
_NOT_NAMES = {w.lower() for w in NOT_SOUNDS | CAMERA_WORDS} | DETERMINERS


def non_speaking_characters(screenplay: Screenplay) -> list[Character]:
    """Everyone introduced in capitals with an age who has no dialogue, in order of introduction."""
    speakers = {c.name.upper() for c in screenplay.characters}
    found: dict[str, Character] = {}
    for scene in screenplay.scenes:
        for element in scene.elements:
            if not isinstance(element, Action):
                continue
            text = element.text
            for match in _INTRODUCED.finditer(text):
                name = _name(match.group(1))
                if not name or name in speakers or name in found:
                    continue
                start = _sentence_start(text, match.start())
                end = _SENTENCE_END.search(text, match.end())
                found[name] = Character(
                    name=name, cues=[], lines=0, first_scene=scene.id,
                    introduction=text[start: end.end() if end else len(text)].strip(),
                    introduction_line=element.line + text.count("\n", 0, start),
                )
    return list(found.values())


def film_characters(screenplay: Screenplay) -> list[Character]:
    """The speakers, then the non-speaking characters: everyone the plan gives a look."""
    return [*screenplay.characters, *non_speaking_characters(screenplay)]


def _name(caps: str) -> str:
    """'AN OLD MAN' -> 'OLD MAN'; 'CLOSE ON SAM' -> 'SAM': leading articles and camera words are not the name."""
    words = caps.split()
    while words and words[0].lower().strip(".") in _NOT_NAMES:
        words.pop(0)
    return " ".join(words)


def _sentence_start(text: str, at: int) -> int:
    """Where the sentence holding text[at] begins; a title's dot ("DR. VOSS") is inside the name, not before it."""
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, at)]
    return ends[-1] if ends else 0
