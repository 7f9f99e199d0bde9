"""After reading and planning a huge script, the cycle collector does not scan what they built over and over
(it cost about 11 s after 5 MiB of tiny scenes), and what is frozen for that is given back at the next reading."""

from __future__ import annotations

import gc
import sys
import weakref
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from worst import SHAPES  # noqa: E402

from shotgraph.director.rules.breakdown import plan_by_rules  # noqa: E402
from shotgraph.director.screenplay.fountain import parse_fountain  # noqa: E402

SMALL = "INT. KITCHEN - DAY\n\nMARA pours tea.\n\nMARA\nMilk?\n"


def huge_script() -> str:
    text = SHAPES["scenes"]()[: 1 << 18]  # 256 KiB of tiny scenes: about 12,000
    return text[: text.rfind("\n\n") + 2]


def tracked(*objects: object) -> list[bool]:
    ids = {id(o) for o in gc.get_objects()}
    return [id(o) in ids for o in objects]


def test_what_a_huge_script_built_is_out_of_the_collectors_reach() -> None:
    plan = plan_by_rules(parse_fountain(huge_script(), "huge.fountain"))
    assert len(plan.scenes) > 11_000
    assert tracked(plan, plan.shots[0], plan.shots[-1]) == [False, False, False]
    small = plan_by_rules(parse_fountain(SMALL, "small.fountain"))
    assert tracked(small, small.shots[0]) == [True, True]  # a script of usual size is left to the collector


def test_what_was_frozen_with_a_huge_script_is_given_back_at_the_next_reading() -> None:
    class Loop:
        me: object

    loop = Loop()
    loop.me = loop  # a cycle only the collector can free, alive while the huge script is planned
    gone = weakref.ref(loop)
    plan_by_rules(parse_fountain(huge_script(), "huge.fountain"))
    del loop
    gc.collect()
    assert gone() is not None  # frozen with everything else alive at the end of the planning
    parse_fountain(SMALL, "small.fountain")
    gc.collect()
    assert gone() is None


def test_a_freeze_of_the_callers_own_is_left_as_it_was() -> None:
    """A pre-forking server freezes its objects so that its workers share their memory; reading a screenplay
    must neither unfreeze them nor freeze its own objects in with theirs."""
    gc.freeze()
    try:
        theirs = gc.get_freeze_count()
        plan = plan_by_rules(parse_fountain(huge_script(), "huge.fountain"))
        assert gc.get_freeze_count() == theirs
        parse_fountain(SMALL, "small.fountain")
        assert gc.get_freeze_count() == theirs
        assert tracked(plan) == [True]  # left to the collector instead
    finally:
        gc.unfreeze()
