"""Timed text by the common rules (the Netflix English timed-text style guide is the usual reference).

- A cue has at most two rows of at most 42 characters, broken where the phrase breaks (after a sentence, then
  after a comma, then before a conjunction or preposition; never after an article), the two rows balanced.
- A line too long for one cue is split into cues at phrase boundaries, balanced by characters.
- A cue stays up at least 5/6 s (20 frames at 24 fps) and reads at most 17 characters a second where the pause
  after its line allows (20 at worst): a short line such as "Yes." stays up into that pause.
- At least two frames between cues.
- A cue does not cross a shot change by a few frames: an end within 12 frames of a cut moves to two frames before
  it (or, if that makes it too short, past the 12 frames when there is room), and a start within 12 frames after
  a cut moves to the cut.

The words are never changed: only where rows and cues break, and when they show.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MAX_LINE_CHARS = 42
MAX_ROWS = 2
MIN_SECONDS = 5 / 6
TARGET_CPS = 17.0
MAX_CPS = 20.0
GAP_FRAMES = 2
SNAP_FRAMES = 12

_SENTENCE_END = (".", "?", "!", "…", '."', '?"', '!"')
_CLAUSE_END = (",", ";", ":", "—", "–", "-")
_PHRASE_START = {"and", "but", "or", "nor", "so", "yet", "because", "if", "when", "while", "that", "which", "who",
                 "where", "to", "of", "in", "on", "at", "for", "with", "from", "than", "like", "before", "after"}
_CLINGING = {"the", "a", "an", "my", "your", "his", "her", "our", "their", "its", "this", "that's", "to", "of",
             "i", "mr.", "mrs.", "ms.", "dr."}


@dataclass(frozen=True)
class Spoken:
    """One dialogue line to subtitle: the words to show (a speaker label included) and when they are heard."""

    words: tuple[str, ...]
    start: float
    end: float


@dataclass(frozen=True)
class Cue:
    start: float  # seconds from the start of the film
    end: float
    rows: tuple[str, ...]


def break_cost(words: tuple[str, ...] | list[str], at: int) -> float:
    """How bad a break between words[at-1] and words[at] is: low after a sentence or clause, high inside a
    phrase (after an article, inside a name)."""
    before, after = words[at - 1], words[at]
    if before.endswith(_SENTENCE_END):
        return 0.0
    if before.endswith(_CLAUSE_END):
        return 4.0
    if before.endswith(":") and before.isupper():  # the speaker's label stays with the first words
        return 40.0
    if before.lower() in _CLINGING:
        return 30.0
    if after.lower().strip('"(') in _PHRASE_START:
        return 8.0
    return 15.0


def rows_of(words: tuple[str, ...] | list[str]) -> tuple[str, ...] | None:
    """The words as one row, or two balanced rows broken at the best phrase boundary; None when they do not fit
    in two rows of MAX_LINE_CHARS."""
    text = " ".join(words)
    if len(text) <= MAX_LINE_CHARS:
        return (text,)
    best: tuple[float, tuple[str, ...]] | None = None
    for at in range(1, len(words)):
        top, bottom = " ".join(words[:at]), " ".join(words[at:])
        if len(top) > MAX_LINE_CHARS or len(bottom) > MAX_LINE_CHARS:
            continue
        imbalance = abs(len(top) - len(bottom)) / 2 + (2 if len(top) > len(bottom) else 0)  # bottom-heavy reads best
        cost = imbalance + break_cost(words, at)
        if best is None or cost < best[0]:
            best = (cost, (top, bottom))
    return best[1] if best else None


def split_words(words: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The fewest cues the words fit in, split at the best phrase boundaries with balanced lengths."""
    total = len(" ".join(words))
    for parts in range(max(1, math.ceil(total / (MAX_LINE_CHARS * MAX_ROWS))), len(words) + 1):
        found = _best_split(words, parts, total / parts)
        if found is not None:
            return found
    return [tuple([w]) for w in words]  # a word longer than two rows: one cue each, as it stands


def _best_split(words: tuple[str, ...], parts: int, ideal: float) -> list[tuple[str, ...]] | None:
    n = len(words)
    # best[k][i]: (cost, cuts) for the first i words in k cues, each of which fits in two rows
    best: list[dict[int, tuple[float, list[int]]]] = [{0: (0.0, [])}] + [{} for _ in range(parts)]
    for k in range(1, parts + 1):
        for i in range(k, n + 1):
            for j, (cost, cuts) in best[k - 1].items():
                if j >= i or rows_of(words[j:i]) is None:
                    continue
                length = len(" ".join(words[j:i]))
                step = cost + ((length - ideal) / 10) ** 2 + (break_cost(words, i) if i < n else 0.0)
                if i not in best[k] or step < best[k][i][0]:
                    best[k][i] = (step, cuts + [i])
    if n not in best[parts]:
        return None
    cuts = [0] + best[parts][n][1]
    return [words[a:b] for a, b in zip(cuts, cuts[1:])]


def timed_cues(lines: list[Spoken], cuts: list[float], fps: int) -> list[Cue]:
    """Cues for `lines` (in order) in a film whose shots change at `cuts` (seconds), by the rules above."""
    frame = 1 / fps
    gap = GAP_FRAMES * frame
    cues: list[Cue] = []
    for n, line in enumerate(lines):
        parts = split_words(line.words)
        chars = [len(" ".join(p)) for p in parts]
        next_start = lines[n + 1].start if n + 1 < len(lines) else math.inf
        # the time the line may hold the screen: its speech, and the pause after it if reading needs it
        wanted = max(line.end - line.start, len(parts) * MIN_SECONDS, sum(chars) / TARGET_CPS)
        end = min(line.start + wanted, next_start - gap)
        end = max(end, min(line.end, next_start - gap))
        spans = _share(line.start, end, chars)
        cues += [Cue(a, b, rows_of(part) or tuple(part)) for (a, b), part in zip(spans, parts)]
    return _frame_rules(cues, sorted(cuts), frame, gap)


def _share(start: float, end: float, chars: list[int]) -> list[tuple[float, float]]:
    """[start, end] shared among cues in proportion to their characters, each at least MIN_SECONDS if it fits."""
    total = end - start
    floor = min(MIN_SECONDS, total / len(chars))
    weights = [c / sum(chars) for c in chars]
    times = [max(floor, w * total) for w in weights]
    excess = sum(times) - total
    if excess > 1e-9:  # take the extra back from the cues that have more than the floor, in proportion
        room = [t - floor for t in times]
        times = [t - excess * r / sum(room) for t, r in zip(times, room)]
    spans, at = [], start
    for t in times:
        spans.append((at, at + t))
        at += t
    spans[-1] = (spans[-1][0], end)
    return spans


def _frame_rules(cues: list[Cue], cuts: list[float], frame: float, gap: float) -> list[Cue]:
    """Frame-accurate times, two frames between cues, and no cue crossing a cut by a few frames."""
    snap = SNAP_FRAMES * frame
    out: list[Cue] = []
    for i, cue in enumerate(cues):
        start = round(cue.start / frame) * frame
        end = round(cue.end / frame) * frame
        limit = round(cues[i + 1].start / frame) * frame - gap if i + 1 < len(cues) else math.inf
        cut = next((c for c in reversed(cuts) if start - snap - 1e-9 <= c < start), None)
        if cut is not None and (not out or out[-1].end + gap <= cut + 1e-9):
            start = cut  # a few frames after a cut: appear on it
        cut = next((c for c in cuts if 1e-9 < abs(end - c) < snap - 1e-9), None)
        if cut is not None:
            shown = len(" ".join(cue.rows))
            if cut - gap - start >= MIN_SECONDS - 1e-9 and shown / (cut - gap - start) <= MAX_CPS:
                end = cut - gap  # two frames before the cut
            elif cut + snap <= limit:
                end = cut + snap  # or well past it
        out.append(Cue(start, max(min(end, limit), start + frame), cue.rows))
    return out
