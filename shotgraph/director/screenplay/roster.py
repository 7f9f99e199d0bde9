"""The character roster: who speaks, how their cues are spelled, and where the action introduces them."""

from __future__ import annotations

import re

from shotgraph.director.screenplay.model import Action, Character, Dialogue, Scene

# A sentence ends at . ! ? (and any closing quote or bracket) followed by whitespace, or at a line break.
_SENTENCE_END = re.compile(r"[.!?]+[\"')\]]*(?=\s|$)|\n")
_WORD = re.compile(r"\w+")
# Abbreviations whose dot does not end a sentence: "DR. VOSS (40s) slams the door." is one sentence.
_TITLES = {"mr", "mrs", "ms", "mx", "dr", "prof", "st", "sr", "jr", "rev", "fr", "sgt", "cpl", "pvt", "lt",
           "capt", "cmdr", "col", "maj", "gen", "adm", "det", "insp", "gov", "sen", "rep", "hon", "mme", "mlle"}


def _after_title(text: str, dot: int) -> bool:
    """Whether the '.' at text[dot] closes a title abbreviation such as DR. or Mrs."""
    begin = dot
    while begin > 0 and text[begin - 1].isalpha():
        begin -= 1
    return text[begin:dot].lower() in _TITLES and (begin == 0 or not text[begin - 1].isalnum())


def _sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the sentence holding text[start:end]; the name itself may hold dots (MR. OKONJO)."""
    begin = start
    while begin > 0:
        before = text[begin - 1]
        if before == "\n":
            break
        if before.isspace() and begin > 1 and text[begin - 2] in ".!?\"')]" and not (
            text[begin - 2] == "." and _after_title(text, begin - 2)
        ):
            break
        begin -= 1
    for found in _SENTENCE_END.finditer(text, end):
        if found.group() != "." or not _after_title(text, found.start()):
            return begin, found.end()
    return begin, len(text)


class _Names:
    """Finds character names in action as whole words, longest first, in time linear in the text.

    Names are indexed by their first word: each word of the text is looked up once, and only the names that
    start with it are compared (a single regex alternation of thousands of names tries all of them at every
    position). A name with no word character in it cannot be found in action and is not indexed.
    """

    def __init__(self, spellings: dict[str, str]):
        self.canonical = spellings
        self.by_first: dict[str, list[tuple[int, str]]] = {}
        for spelling in sorted(spellings, key=len, reverse=True):
            first = _WORD.search(spelling)
            if first is not None:
                self.by_first.setdefault(first.group(), []).append((first.start(), spelling))

    def find(self, text: str):
        """Yields (canonical name, start, end) for each non-overlapping mention, left to right."""
        resume = 0
        for word in _WORD.finditer(text):
            if word.start() < resume:
                continue
            for lead, spelling in self.by_first.get(word.group(), ()):
                start = word.start() - lead
                end = start + len(spelling)
                if (start >= resume and text.startswith(spelling, start)
                        and not (start > 0 and _WORD.match(text, start - 1))
                        and not (end < len(text) and _WORD.match(text, end))):
                    yield self.canonical[spelling], start, end
                    resume = end
                    break


def build_characters(scenes: list[Scene]) -> list[Character]:
    """One `Character` per canonical name that speaks, in order of first appearance (dialogue or introduction).

    Cue names that differ only in case (`@Steel` and `STEEL`) are one character, named as first written; the
    dialogue's `character` is set to that name. The introduction is the first sentence of action, anywhere in
    the script, that names the character in capitals as a whole word ("JANE (30s), wiry, in a rain-soaked
    coat, bursts in.").
    """
    # 1. Who speaks: cues in order of first use, dialogue count, first dialogue position
    speakers: dict[str, dict] = {}
    by_case: dict[str, str] = {}
    position = 0
    for scene in scenes:
        for element in scene.elements:
            position += 1
            if isinstance(element, Dialogue) and element.character:
                element.character = by_case.setdefault(element.character.casefold(), element.character)
                entry = speakers.setdefault(
                    element.character, {"cues": [], "lines": 0, "scene": scene.id, "at": position}
                )
                entry["lines"] += 1
                if element.cue not in entry["cues"]:
                    entry["cues"].append(element.cue)
    if not speakers:
        return []

    # 2. Introductions: one scan of the action with every name at once
    spellings = {n: n for n in speakers}
    for n in speakers:
        spellings.setdefault(n.upper(), n)
    names = _Names(spellings)
    intros: dict[str, tuple[str, int, str, int]] = {}
    position = 0
    for scene in scenes:
        for element in scene.elements:
            position += 1
            if not isinstance(element, Action) or len(intros) == len(speakers):
                continue
            text = element.text
            for name, start, end in names.find(text):
                if name not in intros:
                    begin, stop = _sentence_around(text, start, end)
                    line = element.line + text.count("\n", 0, begin)
                    intros[name] = (text[begin:stop].strip(), line, scene.id, position)

    # 3. Characters in order of first appearance
    characters = []
    for name, entry in speakers.items():
        intro = intros.get(name)
        first_scene, first_at = entry["scene"], entry["at"]
        if intro is not None and intro[3] < first_at:
            first_scene, first_at = intro[2], intro[3]
        characters.append(
            (first_at, Character(
                name=name,
                cues=entry["cues"],
                lines=entry["lines"],
                first_scene=first_scene,
                introduction=intro[0] if intro else None,
                introduction_line=intro[1] if intro else None,
            ))
        )
    characters.sort(key=lambda pair: pair[0])
    return [c for _, c in characters]
