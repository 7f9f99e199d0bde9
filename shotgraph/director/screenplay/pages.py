"""Page count the way screenwriters estimate it: lines on a standard Courier page, one page ≈ one minute.

A page holds about 55 lines. Action, lyrics and centred text wrap at about 60 characters, dialogue and
parentheticals at about 35; each element is followed by a blank line and a scene heading has an extra one
before it. The two sides of dual dialogue sit side by side, so a pair takes the lines of its longer side.
Notes, sections and synopses are not printed; a page break fills the rest of the page.
"""

from __future__ import annotations

import math
import textwrap

from shotgraph.director.screenplay.model import (
    Action,
    Centered,
    Dialogue,
    Lyrics,
    PageBreak,
    Screenplay,
    Transition,
)

LINES_PER_PAGE = 55
ACTION_WIDTH = 60
DIALOGUE_WIDTH = 35


def _wrapped(text: str, width: int) -> int:
    return sum(max(len(textwrap.wrap(line, width)), 1) for line in text.split("\n"))


def _dialogue_lines(dialogue: Dialogue) -> int:
    return 1 + sum(_wrapped(part.text, DIALOGUE_WIDTH) for part in dialogue.parts)


def estimate_pages(screenplay: Screenplay) -> float:
    """Estimated printed pages of the script body (title page excluded), to one decimal place."""
    lines = 0
    for scene in screenplay.scenes:
        if scene.heading is not None:
            lines += 1 + _wrapped(scene.heading.text, ACTION_WIDTH) + 1
        left_side = 0  # lines of the left half of a dual-dialogue pair, waiting for its right half
        for element in scene.elements:
            if isinstance(element, Dialogue) and element.dual == "left":
                left_side = _dialogue_lines(element)
                continue
            if isinstance(element, Dialogue) and element.dual == "right":
                lines += max(left_side, _dialogue_lines(element)) + 1
                left_side = 0
            elif isinstance(element, Dialogue):
                lines += _dialogue_lines(element) + 1
            elif isinstance(element, (Action, Lyrics, Centered, Transition)):
                lines += _wrapped(element.text, ACTION_WIDTH) + 1
            elif isinstance(element, PageBreak):
                lines = math.ceil(lines / LINES_PER_PAGE) * LINES_PER_PAGE
        lines += left_side  # a left side whose partner never came
    return round(lines / LINES_PER_PAGE, 1)
