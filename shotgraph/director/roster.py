"""The character roster: who speaks, how their cues are spelled, and where the action introduces them."""

from __future__ import annotations

import re

from shotgraph.director.screenplay import Action, Character, Dialogue, Scene

# A sentence ends at . ! ? (and any closing quote or bracket) followed by whitespace, or at a line break.
_SENTENCE_END = re.compile(r"[.!?]+[\"')\]]*(?=\s|$)|\n")


def _sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the sentence holding text[start:end]; the name itself may hold dots (MR. OKONJO)."""
    begin = start
    while begin > 0:
        before = text[begin - 1]
        if before == "\n" or (before.isspace() and begin > 1 and text[begin - 2] in ".!?\"')]"):
            break
        begin -= 1
    found = _SENTENCE_END.search(text, end)
    return begin, found.end() if found else len(text)


def build_characters(scenes: list[Scene]) -> list[Character]:
    """One `Character` per canonical name that speaks, in order of first appearance (dialogue or introduction).

    The introduction is the first sentence of action, anywhere in the script, that names the character in
    capitals as a whole word ("JANE (30s), wiry, in a rain-soaked coat, bursts in.").
    """
    # 1. Who speaks: cues in order of first use, dialogue count, first dialogue position
    speakers: dict[str, dict] = {}
    position = 0
    for scene in scenes:
        for element in scene.elements:
            position += 1
            if isinstance(element, Dialogue) and element.character:
                entry = speakers.setdefault(
                    element.character, {"cues": [], "lines": 0, "scene": scene.id, "at": position}
                )
                entry["lines"] += 1
                if element.cue not in entry["cues"]:
                    entry["cues"].append(element.cue)
    if not speakers:
        return []

    # 2. Introductions: one scan of the action with every name at once, longest name first
    names = sorted(speakers, key=len, reverse=True)
    by_spelling = {n: n for n in names}
    for n in names:
        by_spelling.setdefault(n.upper(), n)
    spellings = sorted(by_spelling, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(s) for s in spellings) + r")(?!\w)")
    intros: dict[str, tuple[str, int, str, int]] = {}
    position = 0
    for scene in scenes:
        for element in scene.elements:
            position += 1
            if not isinstance(element, Action) or len(intros) == len(speakers):
                continue
            text = element.text
            for match in pattern.finditer(text):
                name = by_spelling[match.group()]
                if name not in intros:
                    start, end = _sentence_around(text, match.start(), match.end())
                    line = element.line + text.count("\n", 0, start)
                    intros[name] = (text[start:end].strip(), line, scene.id, position)

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
