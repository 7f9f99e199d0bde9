"""The character roster: one character per name, its cue spellings, and the sentence that introduces it."""

from __future__ import annotations

import string
import time
from random import Random

from shotgraph.director.screenplay.fountain import parse_fountain
from shotgraph.director.screenplay.model import Screenplay


def parse(text: str) -> Screenplay:
    return parse_fountain(text, "t.fountain")


def test_cue_names_differing_only_in_case_are_one_character():
    play = parse("INT. A - DAY\n\n@Steel\nOne.\n\nSTEEL\nTwo.\n\nBRICK\nThree.\n")
    assert [(c.name, c.cues, c.lines) for c in play.characters] == [("Steel", ["Steel", "STEEL"], 2),
                                                                    ("BRICK", ["BRICK"], 1)]
    assert [d.character for d in play.dialogue()] == ["Steel", "Steel", "BRICK"]


def test_introduction_keeps_a_title_before_the_name():
    play = parse("INT. LAB - NIGHT\n\nRain. DR. VOSS (40s) slams the door. MRS. PIKE meets MR. GRAY.\n\n"
                 "VOSS\nLate.\n\nGRAY\nSorry.\n")
    assert play.character("VOSS").introduction == "DR. VOSS (40s) slams the door."
    assert play.character("GRAY").introduction == "MRS. PIKE meets MR. GRAY."


def test_thousands_of_characters_do_not_slow_the_roster():
    random = Random(2)
    names = sorted({"".join(random.choice(string.ascii_uppercase) for _ in range(6)) for _ in range(5000)})
    text = ("INT. A - DAY\n\n" + "".join(f"{name}\nHi.\n\n" for name in names)
            + "ALL CAPS ACTION TO SHOUT ABOUT, EVERY WORD A CANDIDATE.\n\n" * 7000)
    started = time.process_time()
    play = parse(text)  # one regex alternation of every name took 1.1 s for the roster alone
    assert time.process_time() - started < 0.8
    assert len(play.characters) == len(names)


def test_character_ids_are_readable_for_names_in_any_script():
    from shotgraph.director.rules.breakdown import plan_by_rules

    script = ("INT. CAFÉ - NIGHT\n\nHÉLÈNE\nBonsoir.\n\nΕΛΈΝΗ\nΚαλησπέρα.\n\n@李明\n你好。\n\n"
              "HELENE\nHello.\n")
    plan = plan_by_rules(parse_fountain(script, "cafe.fountain"))
    assert [c.id for c in plan.characters] == ["helene", "ελενη", "李明", "helene-2"]  # readable, unique
