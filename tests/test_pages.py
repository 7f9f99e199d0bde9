"""The page estimator: ~55 lines a page, action wrapped at 60 characters, dialogue at 35."""

from __future__ import annotations

from shotgraph.director.screenplay.pages import estimate_pages
from shotgraph.director.screenplay.model import (
    Action,
    Dialogue,
    DialoguePart,
    Note,
    PageBreak,
    Scene,
    SceneHeading,
    Screenplay,
)

HEADING = SceneHeading(text="INT. CHEMIST - NIGHT", place="INT", location="CHEMIST", time="NIGHT", line=1)


def _dialogue(n: int, words: str, **dual: str) -> Dialogue:
    return Dialogue(id=f"sc001-e{n:03d}", line=n, text=words, cue="PRIYA", character="PRIYA",
                    parts=[DialoguePart(kind="parenthetical", text="(tired)", line=n),
                           DialoguePart(kind="speech", text=words, line=n)], **dual)


def _screenplay(*elements) -> Screenplay:
    return Screenplay(source="t.fountain", format="fountain",
                      scenes=[Scene(id="sc001", heading=HEADING, line=1, elements=list(elements))])


def test_counts_wrapped_lines_and_blank_lines():
    action = Action(id="sc001-e001", line=2, text="word " * 24)  # 120 characters: 2 lines at 60
    speech = "We close at six. Actually, we never close. What is in the box?"  # 63 characters: 2 lines at 35
    screenplay = _screenplay(action, _dialogue(2, speech), Note(id="sc001-e003", line=4, text="not printed"))
    # heading 1+1+1, action 2+1, dialogue cue 1 + parenthetical 1 + speech 2 + blank 1
    assert estimate_pages(screenplay) == round(11 / 55, 1)


def test_a_page_of_action_is_a_page():
    lines = [Action(id=f"sc001-e{n:03d}", line=n, text="A short line.") for n in range(1, 27)]
    assert estimate_pages(_screenplay(*lines)) == 1.0  # 3 for the heading + 26 * 2


def test_dual_dialogue_takes_the_longer_side():
    short, long = "Fifty years.", "Fifty years, and not one letter posted, not a single one."
    pair = _screenplay(_dialogue(1, short, dual="left", dual_partner="sc001-e002"),
                       _dialogue(2, long, dual="right", dual_partner="sc001-e001"))
    single = _screenplay(_dialogue(2, long))
    assert estimate_pages(pair) == estimate_pages(single)


def test_page_break_fills_the_page():
    screenplay = _screenplay(Action(id="sc001-e001", line=2, text="Before."), PageBreak(id="sc001-e002", line=3),
                             Action(id="sc001-e003", line=4, text="After."))
    assert estimate_pages(screenplay) == round((55 + 2) / 55, 1)


def test_empty_screenplay_is_zero_pages():
    assert estimate_pages(Screenplay(source="t.fountain", format="fountain")) == 0.0
