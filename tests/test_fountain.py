"""Fountain 1.1 syntax, element by element, mostly from the examples on https://fountain.io/syntax."""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path

import pytest

from shotgraph.director.screenplay.fountain import NO_HEADINGS_WARNING, parse_emphasis, parse_fountain
from shotgraph.director.screenplay.fountain_writer import to_fountain
from shotgraph.director.screenplay.model import (
    Action,
    Centered,
    Dialogue,
    Lyrics,
    Note,
    PageBreak,
    Screenplay,
    Section,
    Span,
    Synopsis,
    Transition,
)
from shotgraph.errors import ScreenplayError

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.fountain"))


def parse(text: str) -> Screenplay:
    return parse_fountain(text, "t.fountain")


def elements(text: str) -> list:
    return list(parse(text).elements())


def comparable(screenplay: Screenplay) -> dict:
    """The screenplay without source line numbers and path: what a round trip through Fountain must keep."""

    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in {"line", "introduction_line", "source"}}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    dumped = strip(screenplay.model_dump())
    # a warning names its line and quotes it as written; the writer drops boneyard and blank runs and escapes
    # markup, so lines move and quotes change: what must survive is which warnings there are. The hint to write
    # @ before an uncased cue is about how the source was written, and the writer forces such a line (!).
    dumped["warnings"] = [re.sub(r"^([^:\n]+):\d+: ", r"\1: ", w).split("'")[0] for w in dumped["warnings"]
                          if "reads like a character cue" not in w]
    return dumped


def assert_round_trip(text: str) -> None:
    first = parse(text)
    assert comparable(parse(to_fountain(first))) == comparable(first)


# --- scene headings -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "place", "location", "time"),
    [
        ("EXT. BRICK'S PATIO - DAY", "EXT", "BRICK'S PATIO", "DAY"),
        ("INT. HOUSE - KITCHEN - NIGHT", "INT", "HOUSE - KITCHEN", "NIGHT"),
        ("EST. TOWN SQUARE", "EST", "TOWN SQUARE", ""),
        ("INT./EXT. RICK'S CAR - MOVING", "INT/EXT", "RICK'S CAR - MOVING".rsplit(" - ")[0], "MOVING"),
        ("INT/EXT RICK'S CAR - MOVING", "INT/EXT", "RICK'S CAR", "MOVING"),
        ("I/E RICK'S CAR - MOVING", "INT/EXT", "RICK'S CAR", "MOVING"),
        ("int. kitchen - continuous", "INT", "kitchen", "continuous"),
        ("EXT OUTSIDE", "EXT", "OUTSIDE", ""),
    ],
)
def test_scene_heading_variants(line, place, location, time):
    scene = parse(f"{line}\n\nRain.\n").scenes[0]
    assert scene.id == "sc001"
    assert (scene.heading.text, scene.heading.place, scene.heading.location, scene.heading.time) == (
        line, place, location, time)
    assert scene.heading.line == 1


def test_forced_heading_and_double_dot():
    play = parse(".SNIPER SCOPE POV\n\nCrosshairs.\n\n...and then nothing.\n")
    heading = play.scenes[0].heading
    assert (heading.text, heading.place, heading.location) == ("SNIPER SCOPE POV", "", "SNIPER SCOPE POV")
    assert [type(e) for e in play.scenes[0].elements] == [Action, Action]
    assert play.scenes[0].elements[1].text == "...and then nothing."


def test_scene_numbers():
    play = parse("INT. HOUSE - DAY #1#\n\nA.\n\nEXT. YARD - DAY #1A#\n\nB.\n\n.FLASHBACK #I-1-A#\n\nC.\n")
    assert [s.heading.number for s in play.scenes] == ["1", "1A", "I-1-A"]
    assert play.scenes[1].heading.text == "EXT. YARD - DAY"


def test_heading_needs_blank_line_after():
    (element,) = elements("INT. HOUSE - DAY\nThe door opens.\n")
    assert isinstance(element, Action) and element.text == "INT. HOUSE - DAY\nThe door opens."


def test_opening_scene_and_ids():
    play = parse("FADE IN:\n\nINT. A - DAY\n\nOne.\n\nTwo.\n\nEXT. B - DAY\n\nThree.\n")
    assert [s.id for s in play.scenes] == ["sc000", "sc001", "sc002"]
    assert [e.id for e in play.elements()] == ["sc000-e001", "sc001-e001", "sc001-e002", "sc002-e001"]
    assert [e.line for e in play.elements()] == [1, 5, 7, 11]
    assert play.warnings == []


def test_no_headings_warns_in_the_result_only(caplog):
    with caplog.at_level(logging.WARNING):
        play = parse("Just some action.\n")
    assert [s.id for s in play.scenes] == ["sc000"]
    assert play.warnings == [f"t.fountain: {NO_HEADINGS_WARNING}"]
    assert caplog.records == []  # whoever shows the result shows the warning: logging it too printed it twice


# --- action ---------------------------------------------------------------------------------------------------


def test_action_keeps_indentation_and_paragraphs():
    text = "INT. A - DAY\n\nThey look.\n\n\tA tab.\n    Four spaces.\n\nSecond paragraph.\n"
    first, second, third = elements(text)
    assert first.text == "They look."
    assert second.text == "\tA tab.\n    Four spaces."
    assert third.text == "Second paragraph."


def test_two_spaces_keep_action_together():
    (element,) = elements("Line one.\n  \nLine three.\n")
    assert element.text == "Line one.\n\nLine three."
    assert_round_trip("Line one.\n  \nLine three.\n")


def test_forced_action():
    (element,) = elements("!SCANNING THE AISLES...\nWhere is that pit boss?\n")
    assert isinstance(element, Action)
    assert element.text == "SCANNING THE AISLES...\nWhere is that pit boss?"


# --- dialogue -------------------------------------------------------------------------------------------------


def test_character_cue_with_extensions():
    (d,) = elements("EDWARD (V.O.)(CONT'D)\nI was there.\n")
    assert isinstance(d, Dialogue)
    assert (d.cue, d.character, d.extensions, d.text) == ("EDWARD (V.O.)(CONT'D)", "EDWARD", ["V.O.", "CONT'D"],
                                                          "I was there.")
    assert d.off_screen


def test_cue_needs_a_line_after_and_a_letter():
    assert [type(e) for e in elements("BOOM!\n\n1984\nThe year.\n")] == [Action, Action]


def test_forced_mixed_case_and_non_latin_cue():
    mc, li = elements("@McCLANE\nYippie ki-yay!\n\n@李\n你好\n")
    assert (mc.cue, mc.character, mc.text) == ("McCLANE", "McCLANE", "Yippie ki-yay!")
    assert (li.character, li.text) == ("李", "你好")


def test_parentheticals_and_all_caps_dialogue():
    (d,) = elements("STEEL\n(starting the engine)\nSo much for retirement!\n(beat)\nI SAID GET DOWN!\n")
    assert [(p.kind, p.text) for p in d.parts] == [
        ("parenthetical", "(starting the engine)"),
        ("speech", "So much for retirement!"),
        ("parenthetical", "(beat)"),
        ("speech", "I SAID GET DOWN!"),
    ]
    assert d.parentheticals == ["(starting the engine)", "(beat)"]
    assert d.text == "So much for retirement!\nI SAID GET DOWN!"
    assert [p.line for p in d.parts] == [2, 3, 4, 5]


def test_two_spaces_keep_dialogue_together():
    (d,) = elements("DEALER\nTen.\nFour.\nDealer gets a seven.\n  \nHit or stand sir?\n\nAction.\n")[:1]
    assert d.text == "Ten.\nFour.\nDealer gets a seven.\n\nHit or stand sir?"


def test_dual_dialogue():
    brick, steel, action = elements("BRICK\nScrew retirement.\n\nSTEEL ^\nScrew retirement.\n\nThey laugh.\n")
    assert (brick.dual, brick.dual_partner) == ("left", steel.id)
    assert (steel.dual, steel.dual_partner, steel.cue) == ("right", brick.id, "STEEL")
    assert isinstance(action, Action)


def test_dual_without_first_speaker_is_an_error():
    with pytest.raises(ScreenplayError) as error:
        parse("INT. A - DAY\n\nThey wait.\n\nSTEEL ^\nScrew retirement.\n")
    assert str(error.value) == (
        "t.fountain:5: dual dialogue marker '^' on 'STEEL', but no dialogue comes right before it to pair with"
    )


def test_dual_on_a_pair_already_paired_is_an_error():
    with pytest.raises(ScreenplayError) as error:
        parse("A\nOne.\n\nB ^\nTwo.\n\nC ^\nThree.\n")
    assert str(error.value) == "t.fountain:7: dual dialogue marker '^' on 'C', but 'B' before it is already paired"


# --- other elements -------------------------------------------------------------------------------------------


def test_lyrics():
    (lyrics,) = elements("~Willy Wonka! Willy Wonka! The amazing chocolatier!\n~Willy Wonka! Willy Wonka!\n")
    assert isinstance(lyrics, Lyrics)
    assert lyrics.text == "Willy Wonka! Willy Wonka! The amazing chocolatier!\nWilly Wonka! Willy Wonka!"


def test_transitions_natural_and_forced():
    cut, action, forced = elements("CUT TO:\n\nThe room.\n\n> Burn to White.\n")
    assert isinstance(cut, Transition) and cut.text == "CUT TO:"
    assert isinstance(forced, Transition) and forced.text == "Burn to White."
    # needs a blank line after, otherwise it is a cue
    assert isinstance(elements("CUT TO:\nHello.\n")[0], Dialogue)


def test_centered():
    (centered,) = elements(">THE END<\n")
    assert isinstance(centered, Centered) and centered.text == "THE END"
    (bold,) = elements("> **BRICK & STEEL** <\n")
    assert bold.text == "BRICK & STEEL" and bold.spans == [Span(start=0, end=13, style="bold")]


def test_page_break():
    first, brk, second = elements("One.\n\n===\n\nTwo.\n")
    assert isinstance(brk, PageBreak) and brk.line == 3


def test_sections_and_synopses():
    items = elements("# ACT I\n\n= Set up the characters.\n\n## Sequence\n\n### Scene\n\n###### Deep\n")
    assert [(type(e), getattr(e, "level", None), e.text) for e in items] == [
        (Section, 1, "ACT I"), (Synopsis, None, "Set up the characters."), (Section, 2, "Sequence"),
        (Section, 3, "Scene"), (Section, 6, "Deep"),
    ]


# --- emphasis --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markup", "text", "spans"),
    [
        ("*italics*", "italics", [(0, 7, "italic")]),
        ("**bold**", "bold", [(0, 4, "bold")]),
        ("***bold italics***", "bold italics", [(0, 12, "bold"), (0, 12, "italic")]),
        ("_underline_", "underline", [(0, 9, "underline")]),
        ("From what seems like only **INCHES AWAY.** _Steel's face FILLS the *Leupold Mark 4* scope_.",
         "From what seems like only INCHES AWAY. Steel's face FILLS the Leupold Mark 4 scope.",
         [(26, 38, "bold"), (39, 82, "underline"), (62, 76, "italic")]),
        ("Steel enters the code: \\*9765\\*", "Steel enters the code: *9765*", []),
        ("He dialed \\*69 and then 23\\*.", "He dialed *69 and then 23*.", []),
        ("snake\\_case and 5 * 3 * 2", "snake_case and 5 * 3 * 2", []),
        ("*unclosed and **also", "*unclosed and **also", []),
        ("C:\\dir\\file", "C:\\dir\\file", []),
    ],
)
def test_emphasis(markup, text, spans):
    plain, found = parse_emphasis(markup)
    assert plain == text
    assert [(s.start, s.end, s.style) for s in found] == spans


def test_emphasis_does_not_cross_lines_and_spans_are_element_offsets():
    (action,) = elements("*one\ntwo* and *three*\n")
    assert action.text == "*one\ntwo* and three"
    assert action.spans == [Span(start=14, end=19, style="italic")]


# --- notes and boneyard ---------------------------------------------------------------------------------------


def test_inline_note_is_removed_and_attached():
    (action,) = elements("His hand is an inch from the button. [[Or is it a foot?]]\n")
    assert action.text == "His hand is an inch from the button."
    assert action.notes == ["Or is it a foot?"]


def test_note_across_lines_and_note_paragraph():
    note, action = elements("[[This is a note\nacross two lines.]]\n\nAction.\n")
    assert isinstance(note, Note) and note.text == "This is a note\nacross two lines."
    assert action.line == 4


def test_note_inside_dialogue():
    (d,) = elements("BOB\nHello. [[too formal?]]\n")
    assert d.text == "Hello." and d.notes == ["too formal?"]


def test_note_on_a_heading_opens_the_scene():
    play = parse("INT. A - DAY [[cold light]]\n\n[[one]] [[two]]\n\nX.\n")
    first, second, action = play.scenes[0].elements
    assert (type(first), first.text, first.line) == (Note, "cold light", 1)
    assert (second.text, second.notes) == ("one", ["two"])
    assert play.scenes[0].heading.text == "INT. A - DAY"
    assert_round_trip("INT. A - DAY [[cold light]]\n\n[[one]] [[two]]\n\nX.\n")


def test_boneyard_keeps_line_numbers():
    text = "INT. A - DAY\n\n/*\nINT. CUT - DAY\n\nGone.\n*/\nKept. /* inline */ still.\n\nBOB\nHi.\n"
    play = parse(text)
    kept, bob = play.scenes[0].elements
    assert (kept.text, kept.line) == ("Kept.  still.", 8)
    assert (bob.line, bob.parts[0].line) == (10, 11)
    assert len(play.scenes) == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("INT. A - DAY\n\n/* never\nclosed\n", "t.fountain:3:1: boneyard '/*' is never closed with '*/'"),
        ("A. /* ok */ B. /* never\n", "t.fountain:1:16: boneyard '/*' is never closed with '*/'"),
        ("Action.\n\nMore [[open note\n\nstill\n", "t.fountain:3:6: note '[[' is never closed with ']]'"),
        # the column is the note's place in the source, even on a line a boneyard joined to the one before
        ("A /* cut\nstill cut */ then [[ open\n", "t.fountain:2:19: note '[[' is never closed with ']]'"),
        ("Title: X\n\n   \n",
         "t.fountain:1: no screenplay elements found: expected scene headings, action or dialogue"),
        ("Title: X\nnot a key\n\nAction.\n", "t.fountain:2: expected 'Key: value' or a value indented by 3 spaces "
                                              "or a tab on the title page"),
    ],
)
def test_bad_input_messages(text, message):
    with pytest.raises(ScreenplayError) as error:
        parse(text)
    assert str(error.value) == message


# --- title page ---------------------------------------------------------------------------------------------


def test_title_page():
    text = ("Title:\n    _**BRICK & STEEL**_\n    _**FULL RETIRED**_\nCredit: Written by\nAuthor: Stu Maschwitz\n"
            "Draft date: 1/20/2012\nContact:\n\tNext Level Productions\n\t1588 Mission Dr.\n\n"
            "EXT. BRICK'S PATIO - DAY\n\nSun.\n")
    play = parse(text)
    assert play.title_page == {
        "Title": "BRICK & STEEL\nFULL RETIRED", "Credit": "Written by", "Author": "Stu Maschwitz",
        "Draft date": "1/20/2012", "Contact": "Next Level Productions\n1588 Mission Dr.",
    }
    assert play.title == "BRICK & STEEL FULL RETIRED"
    assert play.scenes[0].line == 11
    assert_round_trip(text)


def test_title_page_keys_are_found_in_any_case_and_kept_as_written():
    play = parse("TITLE: Big Caps\nauthor: *low*\n\nINT. A - DAY\n\nHi.\n")
    assert play.title_page == {"TITLE": "Big Caps", "author": "low"}
    assert (play.title, play.title_page_value("Author")) == ("Big Caps", "low")


def test_literal_marks_in_title_page_values_survive_a_round_trip():
    play = parse("Title: 5 \\* 3 = *15*\nAuthor: \\_jo\\_\n\nINT. A - DAY\n\nHi.\n")
    assert play.title_page == {"Title": "5 * 3 = 15", "Author": "_jo_"}
    assert parse(to_fountain(play)).title_page == play.title_page


def test_fade_in_is_not_a_title_page():
    play = parse("FADE IN:\n\nINT. A - DAY\n\nX.\n")
    assert play.title_page == {}
    assert (type(play.scenes[0].elements[0]), play.scenes[0].id) == (Action, "sc000")  # not ending in TO:


def test_title_page_only_at_start():
    (action,) = elements("Sun.\n\nTitle: Not a title\n")[1:]
    assert action.text == "Title: Not a title"


# --- characters ------------------------------------------------------------------------------------------------


def test_roster():
    text = ("INT. BAR - NIGHT\n\nRain. JANE (30s), wiry, in a rain-soaked coat, bursts in. JANET follows.\n\n"
            "JANE\nWhiskey.\n\nBARMAN (O.S.)\nComing.\n\nJANE (CONT'D)\nMake it two.\n")
    play = parse(text)
    assert [c.name for c in play.characters] == ["JANE", "BARMAN"]
    jane = play.character("JANE")
    assert jane.cues == ["JANE", "JANE (CONT'D)"] and jane.lines == 2 and jane.first_scene == "sc001"
    assert jane.introduction == "JANE (30s), wiry, in a rain-soaked coat, bursts in."
    assert jane.introduction_line == 3
    assert play.character("BARMAN").introduction is None


# --- round trip and speed ---------------------------------------------------------------------------------------


SPEC_SAMPLE = """Title: Sample
Author:
    A. Writer

# ACT I

= Setup.

EXT. BRICK'S PATIO - DAY #1#

A gorgeous day. _Steel_ leans back. [[check]] Price: \\*9.99

!BRICK
is a brand name here.

BRICK
(toasting)
To *retirement*.

STEEL ^
To **retirement**.

~Happy days
~are here again

> FADE OUT.

===

.FLASHBACK

@McCLANE
  
Yippie.

>THE END<
"""


def test_round_trip_spec_sample():
    assert_round_trip(SPEC_SAMPLE)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_round_trip_examples(path):
    assert_round_trip(path.read_text(encoding="utf-8"))


def test_writer_forces_what_would_be_misread():
    written = to_fountain(parse("!INT. HOUSE - DAY\n\n!CUT TO:\n\n@Bob\nHi.\n\nNote: a line.\n"))
    assert "!INT. HOUSE - DAY" in written and "!CUT TO:" in written and "@Bob" in written
    assert_round_trip("!Title: not a title page\n\nINT. A - DAY\n\nX.\n")




def test_a_note_line_right_before_a_cue_keeps_the_dialogue():
    screenplay = parse("INT. ROOM - DAY\n\n[[check the accent]]\nJOHN\nHello.\n")
    elements = screenplay.scenes[0].elements
    assert [(e.type, e.text) for e in elements] == [("note", "check the accent"), ("dialogue", "Hello.")]
    assert elements[1].character == "JOHN" and elements[1].line == 4


# --- lines of only notes are invisible to what the lines around them are -----------------------------------


def test_a_note_line_under_a_transition_keeps_it_a_transition():
    (cut,) = elements("CUT TO:\n[[x]]\n")
    assert (type(cut), cut.text, cut.notes, cut.line) == (Transition, "CUT TO:", ["x"], 1)
    assert_round_trip("CUT TO:\n[[x]]\n")


def test_a_note_line_under_a_heading_keeps_it_a_heading():
    play = parse("INT. B - NIGHT\n[[n]]\n\nAction.\n")
    assert play.scenes[0].heading.text == "INT. B - NIGHT"
    assert [(e.type, e.text, e.line) for e in play.scenes[0].elements] == [("note", "n", 2), ("action", "Action.", 4)]
    assert_round_trip("INT. B - NIGHT\n[[n]]\n\nAction.\n")


def test_a_cue_over_only_a_note_is_not_dialogue():
    (action,) = elements("JOHN\n[[n]]\n")
    assert (type(action), action.text, action.notes) == (Action, "JOHN", ["n"])


def test_a_note_line_between_cue_and_speech_keeps_the_dialogue():
    (d,) = elements("JOHN\n[[n]]\nHello.\n")
    assert (d.character, d.text, d.notes, d.parts[0].line) == ("JOHN", "Hello.", ["n"], 3)


def test_notes_between_the_sides_of_dual_dialogue_keep_the_pair():
    ann, note, bob = elements("ANN\nx\n\n[[note]]\n\nBOB ^\ny\n")
    assert [(e.type, e.text, e.line) for e in (ann, note, bob)] == [
        ("dialogue", "x", 1), ("note", "note", 4), ("dialogue", "y", 6)]
    assert (ann.dual, ann.dual_partner, bob.dual, bob.dual_partner) == ("left", bob.id, "right", ann.id)
    assert_round_trip("ANN\nx\n\n[[note]]\n\nBOB ^\ny\n")


# --- indenting: leading whitespace counts only in action ---------------------------------------------------


def test_traditional_indented_layout():
    text = ("                CUT TO:\n\nINT. GARAGE - DAY\n\n\tBRICK and STEEL get into Mom's PORSCHE.\n\n"
            "                BRICK\n    This is everybody we've ever put away.\n\n"
            "                STEEL\n        (starting the engine)\n    So much for retirement!\n")
    play = parse(text)
    cut = play.scenes[0].elements[0]
    assert (type(cut), cut.text) == (Transition, "CUT TO:")
    action, brick, steel = play.scenes[1].elements
    assert action.text == "\tBRICK and STEEL get into Mom's PORSCHE."
    assert (brick.cue, brick.text, brick.line) == ("BRICK", "This is everybody we've ever put away.", 7)
    assert [(p.kind, p.text) for p in steel.parts] == [
        ("parenthetical", "(starting the engine)"), ("speech", "So much for retirement!")]
    assert_round_trip(text)


def test_indented_action_keeps_its_indentation():
    action, forced = elements("    He waits. Nothing.\n\n    !NOT A CUE\n    really.\n")
    assert action.text == "    He waits. Nothing."
    assert (type(forced), forced.text) == (Action, "    !NOT A CUE\n    really.")
    assert_round_trip("!    CUT TO:\n\n    He waits.\n")


# --- lyrics inside dialogue -----------------------------------------------------------------------------------


def test_sung_lines_in_dialogue_are_lyrics_parts_without_the_tilde():
    (wonka,) = elements("WONKA\n~Come with me\n~and you'll *be*\n(spoken)\nIn a world.\n")
    assert [(p.kind, p.text, p.line) for p in wonka.parts] == [
        ("lyrics", "Come with me\nand you'll be", 2), ("parenthetical", "(spoken)", 4),
        ("speech", "In a world.", 5)]
    assert wonka.text == "Come with me\nand you'll be\nIn a world."
    assert wonka.spans == [Span(start=24, end=26, style="italic")] and wonka.text[24:26] == "be"
    assert_round_trip("WONKA\n~Come with me\n~and you'll *be*\n(spoken)\nIn a world.\n")


# --- cue extensions -------------------------------------------------------------------------------------------


def test_extensions_are_recognised_in_any_spelling_and_the_cue_kept_as_written():
    vo, cont, other = elements("EDWARD (v.o.)\nOne.\n\nEDWARD (cont'd)\nTwo.\n\nEDWARD (VO) (on the radio)\nThree.\n")
    assert (vo.cue, vo.extensions, vo.off_screen) == ("EDWARD (v.o.)", ["V.O."], True)
    assert (cont.cue, cont.extensions) == ("EDWARD (cont'd)", ["CONT'D"])
    assert other.extensions == ["V.O.", "on the radio"]


# --- time stays linear in the size of the script ----------------------------------------------------------------


def test_thousands_of_notes_on_one_line_parse_in_linear_time():
    text = "INT. A - DAY\n\n" + "x [[n]] " * 75_000 + "\n"  # 600 KB: 8 s when each note copied the ones before
    started = time.process_time()
    (action,) = parse(text).elements()
    assert time.process_time() - started < 2.0
    assert len(action.notes) == 75_000




def test_a_transition_with_trailing_whitespace_is_action_as_the_reference_parser_reads_it():
    script = "INT. A - DAY\n\nA.\n\nCUT TO:  \n\nINT. B - DAY\n\nB.\n"
    screenplay = parse_fountain(script, "t.fountain")
    assert [e.type for s in screenplay.scenes for e in s.elements] == ["action", "action", "action"]
    assert screenplay.scenes[0].elements[1].text == "CUT TO:"
    plain = parse_fountain(script.replace("CUT TO:  ", "CUT TO:"), "t.fountain")
    assert [e.type for s in plain.scenes for e in s.elements] == ["action", "transition", "action"]


def test_a_cue_in_a_script_without_capitals_gets_a_hint_to_use_at():
    screenplay = parse_fountain("INT. 喫茶店 - 夜\n\n由美\nこんばんは。\n\n窓の外は雨。\n\n@健\nお元気ですか。\n",
                                "tokyo.fountain")
    assert screenplay.warnings == ["tokyo.fountain:3: '由美' reads like a character cue, but its script has no "
                                   "capitals; write @由美 to make it one"]
    assert [e.type for e in screenplay.scenes[0].elements] == ["action", "action", "dialogue"]
    assert parse_fountain("INT. ROOM - DAY\n\nMara waits.\nThe kettle sings.\n", "t.fountain").warnings == []
