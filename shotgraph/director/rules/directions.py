"""What the screenplay writes in capitals: camera directions (CLOSE ON, PUSH IN, PAN) and sounds (A DOG BARKS),
and who is named in a piece of action.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice

from shotgraph.director.lexicon import (
    CAMERA_WORDS,
    CAPS_RUN,
    CLOSE_WORDS,
    DETERMINERS,
    EMOTIONAL_WORDS,
    MOVE_DIRECTIONS,
    NOT_SOUNDS,
    PERSON_NOUNS,
    POSSESSIVES,
    PRONOUNS,
    SOUND_PARTICLES,
    SOUND_WORDS,
    TRANSITIONS,
    base_forms,
)
from shotgraph.director.plan import (
    CameraMove,
    FoleyCue,
    TransitionKind,
)
from shotgraph.director.rules.cast import Cast
from shotgraph.director.rules.timing import WordsBefore


def transition_kind(text: str) -> TransitionKind:
    upper = text.upper()
    return next((kind for key, kind in TRANSITIONS if key in upper), TransitionKind.CUT)


def is_emotional(text: str) -> bool:
    lower = text.lower()
    return any(cue in lower for cue in EMOTIONAL_WORDS)


def close_subject(words: list[str]) -> bool:
    """Someone's body part early in the sentence: "His hands shake.", "A tear runs down her cheek."."""
    return any(w in CLOSE_WORDS and (words[i - 1] in POSSESSIVES or words[i - 1].endswith(("'s", "’s")))
               for i, w in enumerate(words[:6]) if i > 0)


# Longer phrases first: "PAN LEFT" before "PAN".
MOVES = sorted(MOVE_DIRECTIONS.items(), key=lambda item: len(item[0].split()), reverse=True)
AROUND = 80  # characters around a sound run that say what makes it
FIRST_WORDS = frozenset(phrase.split()[0] for phrase, _ in MOVES)  # a token starting no move is passed at once
LONGEST_MOVE = max(len(phrase.split()) for phrase, _ in MOVES)  # words: a move never needs to look further
# A run of capitals longer than a sentence is a shouted paragraph or a title card, not the name of a sound.
MAX_SOUND_WORDS = 20
_TOKEN = re.compile(r"\S+")


def camera_move(text: str, cast: Cast) -> CameraMove | None:
    """The first camera move written in capitals ("Camera TILTS UP", "We PULL BACK"), if any."""
    for run in CAPS_RUN.finditer(text):
        for word in _TOKEN.finditer(text, run.start(), run.end()):
            token = word.group()
            if cast.is_name_word(token):
                continue
            firsts = base_forms(token) & FIRST_WORDS
            if not firsts:
                continue
            nearby = _TOKEN.finditer(text, word.end(), run.end())
            following = [t.group().lower() for t in islice(nearby, LONGEST_MOVE - 1)]
            for phrase, move in MOVES:  # longer phrases first, as before
                first, *rest = phrase.split()
                if first in firsts and following[: len(rest)] == rest:
                    return move
    return None


def named(text: str, cast: Cast) -> list[str]:
    """Characters named in the text, in order; "Mara's sister" alone does not put Mara in frame."""
    found: dict[str, tuple[int, bool]] = {}
    for cid, pattern in cast.patterns:
        for match in pattern.finditer(text):
            possessive = text[match.end(): match.end() + 2] in {"'s", "’s", "'S", "’S"}
            if cid not in found or (found[cid][1] and not possessive):
                found[cid] = (match.start(), possessive)
    if any(not possessive for _, possessive in found.values()):
        found = {c: v for c, v in found.items() if not v[1]}
    return [c for c, _ in sorted(found.items(), key=lambda item: item[1][0])]


def sound_runs(text: str, cast: Cast) -> Iterator[tuple[int, int]]:
    """Spans of capitalised words, split where a character's name stands: "JANE SLAMS" holds "SLAMS"."""
    for match in CAPS_RUN.finditer(text):
        start = end = None
        for word in _TOKEN.finditer(text, match.start(), match.end()):
            if cast.is_name_word(word.group(0)):
                if start is not None:
                    yield start, end
                start = None
            else:
                start = word.start() if start is None else start
                end = word.end()
        if start is not None:
            yield start, end


def foley_cues(text: str, seconds: float, cast: Cast) -> list[FoleyCue]:
    """Sounds written in capitals ("The SCREEN DOOR slides open", "A DOG BARKS", "Thunder RUMBLES",
    "JANE SLAMS the door") at their reading position in the shot."""
    cues: list[FoleyCue] = []
    words_before = WordsBefore(text)
    for start, end in sound_runs(text, cast):
        tokens = text[start:end].split(maxsplit=MAX_SOUND_WORDS)
        if len(tokens) > MAX_SOUND_WORDS:  # a title or a shout, not a sound
            continue
        if all(t.strip("'’-.") in NOT_SOUNDS or t.strip("'’-.") in CAMERA_WORDS for t in tokens):
            continue
        after = text[end: end + AROUND]  # what follows and precedes a run is read nearby, never the whole text
        if re.match(r"\s*\(", after):  # "A DOCKHAND (20s)": an extra being introduced, not a sound
            continue
        if tokens[-1].lower().rstrip("s") in PERSON_NOUNS or tokens[-1].lower() in PERSON_NOUNS:
            continue
        phrase = [t.lower() for t in tokens]
        sound = any(base_forms(t) & SOUND_WORDS for t in phrase)
        if len(tokens) == 1 and sound:  # "Gulls SCREAM": the caps word is the verb; say what makes the sound
            subject = re.search(r"\b([A-Za-z]+)\s+(?:(?:is|are|was|were)\s+)?$", text[max(0, start - AROUND):start])
            who = subject.group(1) if subject else ""
            thing = re.match(r"\s+(?:the|a|an|his|her|their|its|my)\s+([a-z]+)", after)
            if who and (cast.is_name_word(who) or who.lower() in PRONOUNS):
                if thing:  # "JANE SLAMS the door": the door slams
                    phrase.insert(0, thing.group(1))
            elif who and who.lower() not in DETERMINERS:
                phrase.insert(0, who.lower())
        following = re.match(r"\s+([a-z]+)(?:\s+([a-z]+))?", after)
        verb = following.group(1) if following else None
        if verb and (verb.endswith(("s", "ed")) and verb not in {"is", "was", "as", "this", "his", "its"}):
            phrase.append(verb)
            if following.group(2) in SOUND_PARTICLES:
                phrase.append(following.group(2))
        elif not sound:
            continue
        at = round(min(seconds * words_before(start) / words_before.total, max(0.0, seconds - 0.5)), 2)
        cues.append(FoleyCue(what=" ".join(phrase), at=at))
    return cues