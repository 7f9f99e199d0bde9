"""Properties of the Fountain reader and writer, checked on generated scripts."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from shotgraph.director.screenplay.fountain import parse_fountain
from shotgraph.director.screenplay.fountain_writer import to_fountain
from shotgraph.director.screenplay.model import Screenplay
from shotgraph.errors import ScreenplayError

from test_fountain import SPEC_SAMPLE, comparable

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EXAMPLES = [p.read_text(encoding="utf-8") for p in sorted((Path(__file__).parents[1] / "examples").glob("*.fountain"))]
SEEDS = [SPEC_SAMPLE, *EXAMPLES]


def parse(text: str) -> Screenplay:
    return parse_fountain(text, "p.fountain")


# --- generated screenplays --------------------------------------------------------------------------------------

word = st.one_of(
    st.sampled_from(["the", "Door", "opens", "JANE", "BOB", "café", "Zoë", "李", "5", "it's", "O'Neil", "a.m."]),
    st.from_regex(r"[A-Za-z]{1,8}", fullmatch=True),
    st.sampled_from(["*", "**", "_", "\\*", "\\_", "(", ")", "#", "=", "~", ">", "<", "!", "@", "^", ":", ".", "-",
                     "TO:", "INT.", "EXT", "\\", "]]", "*/"]),
)
phrase = st.lists(word, min_size=1, max_size=7).map(" ".join)


def emphasised(pairs: list[tuple[str, str]], glue: str) -> str:
    return glue.join(f"{m}{w}{m[::-1]}" if m else w for w, m in pairs)


# emphasis on words side by side or glued together (`*a*_**b**_`), nested (`_**b**_`) and `***both***`
markup_phrase = st.tuples(
    st.lists(
        st.tuples(st.from_regex(r"[A-Za-z]{1,6}", fullmatch=True),
                  st.sampled_from(["", "", "*", "**", "***", "_", "_**", "_*", "**_"])),
        min_size=1, max_size=6,
    ),
    st.sampled_from([" ", ""]),
).map(lambda t: emphasised(*t))

any_line = st.one_of(phrase, markup_phrase, phrase.map(str.upper))

heading = st.tuples(
    st.sampled_from(["INT.", "EXT.", "EST.", "INT./EXT.", "I/E", "int.", ".", "EXT"]),
    st.from_regex(r"[A-Z][A-Z ']{0,12}[A-Z]", fullmatch=True),
    st.sampled_from(["", " - DAY", " - NIGHT", " - CONTINUOUS"]),
    st.sampled_from(["", " #1#", " #12A#"]),
).map(lambda t: f"{t[0]}{'' if t[0] == '.' else ' '}{t[1]}{t[2]}{t[3]}")

cue = st.tuples(
    st.sampled_from(["JANE", "BOB", "MR. OKONJO", "@McCLANE", "@Zoë", "DEV"]),
    st.sampled_from(["", " (V.O.)", " (O.S.)", " (CONT'D)", " (V.O.) (CONT'D)"]),
).map("".join)

dialogue = st.tuples(
    cue,
    st.lists(st.one_of(any_line, st.sampled_from(["(beat)", "(whispering)", "  "]), any_line.map("~".__add__)),
             min_size=1, max_size=4),
    st.booleans(),
).map(lambda t: "\n".join([t[0], *t[1]]) + ("\n\n" + t[0].replace("JANE", "BOB") + " ^\n" + "Too." if t[2] else ""))

unindented = st.one_of(
    st.lists(any_line, min_size=1, max_size=3).map("\n".join),                       # action
    st.lists(any_line, min_size=1, max_size=2).map(lambda ls: "!" + "\n  \n".join(ls)),
    heading,
    dialogue,
    phrase.map(lambda p: f"> {p.upper()} <"),
    phrase.map(lambda p: f"> {p}"),
    st.just("CUT TO:"),
    st.lists(phrase, min_size=1, max_size=2).map(lambda ls: "\n".join("~" + line for line in ls)),
    st.just("==="),
    st.tuples(st.integers(1, 6), phrase).map(lambda t: "#" * t[0] + " " + t[1]),
    phrase.map(lambda p: "= " + p),
    phrase.map(lambda p: f"[[{p}]]"),
    st.tuples(any_line, phrase).map(lambda t: f"{t[0]} [[{t[1]}]]"),
    phrase.map(lambda p: f"/* {p}\n{p} */"),
)

paragraph = st.one_of(
    unindented,
    # the traditional layout: cues, dialogue and transitions indented
    st.tuples(st.sampled_from(["    ", "\t", "          "]), unindented).map(
        lambda t: "\n".join(t[0] + line for line in t[1].split("\n"))),
    # a line of only notes under any paragraph
    st.tuples(unindented, phrase).map(lambda t: f"{t[0]}\n[[{t[1]}]]"),
)

title_page = st.one_of(
    st.just(""),
    st.tuples(phrase, phrase).map(
        lambda t: f"Title: {t[0]}\nAuthor:\n    {t[1]}\n    {t[0]}\nDraft date: 1/2/2026\n\n"
    ),
    st.tuples(markup_phrase, phrase).map(lambda t: f"TITLE:\n    _**{t[0]}**_\n    {t[1]}\nauthor: {t[0]}\n\n"),
)

script = st.tuples(title_page, st.lists(paragraph, min_size=1, max_size=12)).map(
    lambda t: t[0] + "\n\n".join(t[1]) + "\n"
)


@SETTINGS
@given(script)
def test_round_trip_of_generated_screenplays(text):
    try:
        first = parse(text)
    except ScreenplayError:
        assume(False)
    written = to_fountain(first)
    assert comparable(parse(written)) == comparable(first), written


@SETTINGS
@given(st.text(max_size=400))
def test_random_text_parses_or_fails_cleanly(text):
    try:
        result = parse(text)
    except ScreenplayError as error:
        assert error.path == "p.fountain"
        return
    assert isinstance(result, Screenplay)


@st.composite
def mutated(draw):
    lines = draw(st.sampled_from(SEEDS)).split("\n")
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(lines)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "duplicate", "chars"]))
        new = draw(st.one_of(any_line, st.sampled_from(["", "  ", "/*", "*/", "[[", "]]", "^", "BOB ^", "==="])))
        if action == "insert" or not lines:
            lines.insert(at, new)
        elif action == "delete":
            del lines[min(at, len(lines) - 1)]
        elif action == "replace":
            lines[min(at, len(lines) - 1)] = new
        elif action == "duplicate":
            lines.insert(at, lines[min(at, len(lines) - 1)])
        else:
            i = min(at, len(lines) - 1)
            lines[i] = lines[i][: len(new)] + draw(st.text(max_size=3)) + lines[i][len(new):]
    return "\n".join(lines)


@SETTINGS
@given(mutated())
def test_mutated_scripts_parse_or_fail_cleanly_and_round_trip(text):
    try:
        first = parse(text)
    except ScreenplayError:
        return
    assert comparable(parse(to_fountain(first))) == comparable(first)
