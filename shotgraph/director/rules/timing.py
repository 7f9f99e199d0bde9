"""How long things play in the rules director's plan: the reading rates, and action cut into shot-sized pieces.

A screenplay page plays for about one minute; these rates land the plan there (invariant 7: timing follows the
words).
"""

from __future__ import annotations

import re
from itertools import islice

from shotgraph.director.lexicon import (
    RETURN_DIRECTION,
    SIZE_DIRECTION,
)
from shotgraph.director.screenplay.model import (
    Dialogue,
    DialoguePart,
)

# Conversational film dialogue runs at about 150 words per minute.
SPEAKING_WORDS_PER_SECOND = 150 / 60
# Breathing room after every dialogue block (cue pickup, reaction), seconds.
PAUSE_PER_LINE = 0.4
# A parenthetical ("(beat)", "(softly)") marks a pause or a performed beat, seconds.
PAUSE_PER_PARENTHETICAL = 0.6
# Action plays for as long as a reader takes to see it: silent reading, about 240 words per minute (Brysbaert
# 2019 puts adults at 238 silently and 183 aloud). An audience takes in a picture, not a reading of it.
ACTION_WORDS_PER_SECOND = 240 / 60
# Sung lyrics are slower than speech: about 90 words per minute.
SINGING_WORDS_PER_SECOND = 90 / 60
# An establishing shot holds long enough to read the place.
ESTABLISHING_SECONDS = 3.0
# No shot shorter than this: below it a cut reads as a flash.
MIN_SHOT_SECONDS = 1.5
# An action paragraph longer than this (words) is split at sentence ends into several shots.
MAX_ACTION_WORDS_PER_SHOT = 30
# A dialogue block this short (words) may be grouped into a two-shot with its neighbours.
SHORT_LINE_WORDS = 8
# At most this many short lines share one two-shot.
MAX_LINES_PER_TWO_SHOT = 6

WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def word_list(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


def line_seconds(line: Dialogue) -> float:
    """How long a dialogue block plays: spoken words at speaking rate, sung ones at singing rate, a pause per
    line and one per parenthetical."""
    parts = line.parts or [DialoguePart(kind="speech", text=line.text, line=line.line)]
    return PAUSE_PER_LINE + sum(part_seconds(part) for part in parts)


def part_seconds(part: DialoguePart) -> float:
    """How long one part of a line plays: a parenthetical's pause, or its words at their rate."""
    if part.kind == "parenthetical":
        return PAUSE_PER_PARENTHETICAL
    rate = SINGING_WORDS_PER_SECOND if part.kind == "lyrics" else SPEAKING_WORDS_PER_SECOND
    return len(WORD.findall(part.text)) / rate


def shot_chunks(text: str) -> list[str]:
    """An action paragraph as shot-sized pieces: whole sentences, at most MAX_ACTION_WORDS_PER_SHOT words each;
    a sentence that opens with a camera direction ("CLOSE ON ...", "BACK TO SCENE") starts a new shot."""
    text = " ".join(text.split())
    sentences = [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"'(])", text) if s]
    chunks: list[str] = []
    current: list[str] = []
    count = 0
    for sentence in sentences:
        n = len(WORD.findall(sentence))
        if current and (count + n > MAX_ACTION_WORDS_PER_SHOT or SIZE_DIRECTION.match(sentence)
                        or RETURN_DIRECTION.match(sentence)):
            chunks.append(" ".join(current))
            current, count = [], 0
        current.append(sentence)
        count += n
    if current:
        chunks.append(" ".join(current))
    return chunks or [text]


def first_words(text: str, n: int) -> list[str]:
    """The first `n` words, lower-cased, without listing all the others."""
    return [match.group().lower() for match in islice(WORD.finditer(text), n)]


class WordsBefore:
    """How many words of a text start before an offset: a cue's reading position in its shot. Offsets asked in
    increasing order cost one pass over the text in all, with no list of its words (a 5 MiB paragraph has a
    million); a smaller offset starts the pass again."""

    def __init__(self, text: str):
        self.text = text
        self._total: int | None = None
        self._start()

    def _start(self) -> None:
        self._offset = 0
        self._words = WORD.finditer(self.text)
        self._next = next(self._words, None)
        self._passed = 0

    def __call__(self, offset: int) -> int:
        if offset < self._offset:
            self._start()
        self._offset = offset
        while self._next is not None and self._next.start() < offset:
            self._passed += 1
            self._next = next(self._words, None)
        return self._passed

    @property
    def total(self) -> int:
        """All its words, at least 1."""
        if self._total is None:
            self._total = max(1, sum(1 for _ in WORD.finditer(self.text)))
        return self._total
