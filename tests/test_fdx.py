"""The Final Draft reader, on hand-written .fdx files shaped like the ones Final Draft saves."""

from __future__ import annotations

import codecs
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shotgraph.director.screenplay.fdx import parse_fdx
from shotgraph.director.screenplay.fountain import NO_HEADINGS_WARNING
from shotgraph.director.screenplay.model import Action, Dialogue, Lyrics, PageBreak, Screenplay, Span, Transition
from shotgraph.errors import ScreenplayError

FIXTURES = Path(__file__).parent / "fixtures"
HARBOUR = FIXTURES / "harbour.fdx"


@pytest.fixture(scope="module")
def harbour():
    return parse_fdx(HARBOUR.read_bytes(), str(HARBOUR))


def test_scenes_and_headings(harbour):
    assert harbour.format == "fdx"
    assert [s.id for s in harbour.scenes] == ["sc000", "sc001", "sc002", "sc003"]
    opening, harbour_scene, wheelhouse, jetty = harbour.scenes
    assert opening.heading is None and opening.elements[0].text == "A foghorn, far away."
    h = harbour_scene.heading
    assert (h.text, h.place, h.location, h.time, h.number, h.line) == (
        "EXT. PORT ASKE HARBOUR - NIGHT", "EXT", "PORT ASKE HARBOUR", "NIGHT", "1", 7)
    h = wheelhouse.heading
    assert (h.place, h.location, h.time, h.number) == ("INT", "GREY HERON - WHEELHOUSE", "CONTINUOUS", "2A")
    h = jetty.heading
    assert (h.place, h.location, h.time, h.number) == ("INT/EXT", "JETTY", "DAY", None)


def test_element_types_ids_and_lines(harbour):
    scene = harbour.scenes[1]
    assert [type(e) for e in scene.elements] == [Action, Dialogue, Dialogue, Transition, PageBreak]
    assert [e.id for e in scene.elements] == [f"sc001-e{n:03d}" for n in range(1, 6)]
    assert [e.line for e in scene.elements] == [11, 16, 27, 34, 37]
    wheelhouse = harbour.scenes[2].elements
    assert isinstance(wheelhouse[0], Action) and wheelhouse[0].text == "CLOSE ON THE RADIO"  # Shot
    assert isinstance(wheelhouse[4], Lyrics) and wheelhouse[4].text.startswith("Little brown bird")
    assert isinstance(wheelhouse[5], Action) and wheelhouse[5].text == "MARA, a ferry captain"  # Cast List


def test_dialogue_blocks(harbour):
    jonah, mara = harbour.scenes[1].elements[1:3]
    assert (jonah.cue, jonah.character, jonah.extensions) == ("JONAH", "JONAH", [])
    assert jonah.parentheticals == ["(out of breath)"]
    assert jonah.text == "Is this the last one?"
    assert [p.line for p in jonah.parts] == [19, 22]
    assert mara.text == "Last one this year."

    dev = harbour.scenes[2].elements[1]
    assert (dev.cue, dev.character, dev.extensions, dev.off_screen) == ("DEV (V.O.)", "DEV", ["V.O."], True)
    assert dev.parentheticals == ["(through static)"]  # brackets Final Draft leaves to the page
    assert dev.text == "Heron, this is Aske.\nWind's backing north-west."


def test_dual_dialogue_links_both_sides(harbour):
    left, right = harbour.scenes[2].elements[2:4]
    assert (left.character, left.dual, left.dual_partner) == ("JONAH", "left", right.id)
    assert (right.character, right.extensions, right.dual, right.dual_partner) == ("MARA", ["CONT'D"], "right", left.id)
    assert left.text == right.text == "Fifty years."


def test_styled_runs_become_spans(harbour):
    action = harbour.scenes[1].elements[0]
    assert action.text == "MARA (60s), weathered, coils a rope. The FOGHORN moans. She is not in a hurry."
    assert action.spans == [Span(start=63, end=66, style="italic")]
    assert action.text[63:66] == "not"
    jonah = harbour.scenes[1].elements[1]
    assert {(s.start, s.end, s.style) for s in jonah.spans} == {(12, 16, "bold"), (12, 16, "underline")}
    assert jonah.text[12:16] == "last"


def test_script_notes(harbour):
    # inline <ScriptNote> on the dialogue paragraph; Range 21,25 points at the heading -> its scene's first element
    assert harbour.scenes[1].elements[2].notes == ["Dry, not unkind."]
    assert harbour.scenes[1].elements[0].notes == ["Wide, wet, lonely."]
    assert harbour.warnings == [f"{HARBOUR}:105: script note with Range '9999,10000' points at no paragraph; left out"]


def test_title_page(harbour):
    assert harbour.title_page == {
        "Title": "THE LAST FERRY\nA Short Film",
        "Credit": "Written by",
        "Author": "Ines Calloway",
        "Source": "Based on a story told in Port Aske",
        "Contact": "Ines Calloway\n14 Quay Lane\nines@example.org",
        "Draft date": "Second draft, 3 March 2026",
    }
    assert harbour.title == "THE LAST FERRY A Short Film"


def test_characters_come_from_the_roster(harbour):
    names = {c.name for c in harbour.characters}
    assert {"JONAH", "MARA", "DEV"} <= names


def _fdx(body: str, title_page: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="no" ?>\n'
            f'<FinalDraft DocumentType="Script" Template="No" Version="5">\n<Content>\n{body}\n</Content>\n'
            f"{title_page}</FinalDraft>\n").encode()


def test_credit_and_author_on_one_line():
    data = _fdx('<Paragraph Type="Action"><Text>x</Text></Paragraph>',
                '<TitlePage><Content>'
                '<Paragraph Alignment="Center"><Text>NIGHT SHIFT</Text></Paragraph>'
                '<Paragraph Alignment="Center"><Text/></Paragraph>'
                '<Paragraph Alignment="Center"><Text>Written by Ines Calloway</Text></Paragraph>'
                '</Content></TitlePage>')
    assert parse_fdx(data, "t.fdx").title_page == {"Title": "NIGHT SHIFT", "Credit": "Written by",
                                                   "Author": "Ines Calloway"}


def test_orphan_dialogue_is_action_with_a_warning():
    data = _fdx('<Paragraph Type="Scene Heading"><Text>INT. ROOM - DAY</Text></Paragraph>\n'
                '<Paragraph Type="Dialogue"><Text>Who said that?</Text></Paragraph>')
    screenplay = parse_fdx(data, "t.fdx")
    assert [s.id for s in screenplay.scenes] == ["sc001"]  # no sc000 when nothing precedes the first heading
    assert isinstance(screenplay.scenes[0].elements[0], Action)
    assert screenplay.warnings == ["t.fdx:5: dialogue without a character cue; read as action"]


@pytest.mark.parametrize("data, message", [
    (b"Title: Night Shift\n\nINT. CHEMIST - NIGHT\n",
     "t.fdx:1:1: not an XML file (a Final Draft .fdx file starts with '<?xml' or '<FinalDraft')"),
    (b'<?xml version="1.0"?>\n<html><body/></html>\n',
     "t.fdx:2:1: not a Final Draft script: the root element is <html>, expected <FinalDraft>"),
    (b'<?xml version="1.0"?>\n<FinalDraft DocumentType="Template"><Content/></FinalDraft>',
     "t.fdx:2:1: not a Final Draft script: DocumentType is 'Template', expected 'Script'"),
    (b'<FinalDraft DocumentType="Script"/>', "t.fdx:1:1: not a Final Draft script: <FinalDraft> has no <Content>"),
    (b'<FinalDraft DocumentType="Script">\n<Content>\n  <Paragraph Type="Action"><Text>x</Paragraph>\n</Content>',
     "t.fdx:3:37: malformed XML: mismatched tag"),
    (b'<FinalDraft DocumentType="Script">\n<Content>\n  <Paragraph><Text>&lol;</Text></Paragraph>\n</Content>',
     "t.fdx:3:20: malformed XML: undefined entity"),
    (b'<?xml version="1.0"?>\n<!DOCTYPE FinalDraft>\n<FinalDraft DocumentType="Script"/>',
     "t.fdx:2:1: document type declarations (<!DOCTYPE>) are not allowed in a .fdx file "
     "(entities could expand without limit)"),
])
def test_bad_input_names_line_and_column(data, message):
    with pytest.raises(ScreenplayError) as caught:
        parse_fdx(data, "t.fdx")
    assert str(caught.value) == message


def test_truncated_file():
    data = HARBOUR.read_bytes()
    with pytest.raises(ScreenplayError, match=r"^t\.fdx:13:7: malformed XML: unclosed token$"):
        parse_fdx(data[:600], "t.fdx")
    with pytest.raises(ScreenplayError, match=r"^t\.fdx:\d+:\d+: malformed XML: no element found$"):
        parse_fdx(data[: data.index(b"<TitlePage>")], "t.fdx")


def test_entity_bomb_is_refused_before_expanding():
    started = time.perf_counter()
    with pytest.raises(ScreenplayError) as caught:
        parse_fdx((FIXTURES / "billion_laughs.fdx").read_bytes(), "bomb.fdx")
    assert time.perf_counter() - started < 0.5
    assert caught.value.line == 2 and caught.value.column == 1
    assert "document type declarations (<!DOCTYPE>) are not allowed" in str(caught.value)


def test_deeply_nested_styling_is_read_not_a_crash():
    depth = 5000  # far past Python's recursion limit
    data = _fdx(f'<Paragraph Type="Action"><Text>{"<i>" * depth}Deep.{"</i>" * depth} Shallow.</Text></Paragraph>')
    (action,) = parse_fdx(data, "t.fdx").elements()
    assert (type(action), action.text) == (Action, "Deep. Shallow.")


def test_no_paragraphs_is_the_same_error_as_an_empty_fountain_script():
    with pytest.raises(ScreenplayError) as caught:
        parse_fdx(b'<FinalDraft DocumentType="Script">\n  <Content></Content></FinalDraft>', "t.fdx")
    assert str(caught.value) == "t.fdx:2:3: no screenplay elements found: expected scene headings, action or dialogue"


def test_no_scene_headings_warns_like_fountain():
    screenplay = parse_fdx(_fdx('<Paragraph Type="Action"><Text>Rain.</Text></Paragraph>'), "t.fdx")
    assert [s.id for s in screenplay.scenes] == ["sc000"]
    assert screenplay.warnings == [f"t.fdx: {NO_HEADINGS_WARNING}"]


@pytest.mark.parametrize("encoding, bom", [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE),
                                           ("utf-16-le", b""), ("utf-8", codecs.BOM_UTF8)])
def test_utf16_and_byte_order_marks(encoding, bom):
    text = HARBOUR.read_text(encoding="utf-8")
    if encoding != "utf-8":
        text = text.replace('encoding="UTF-8"', 'encoding="UTF-16"')  # as Final Draft writes it
    screenplay = parse_fdx(bom + text.encode(encoding), str(HARBOUR))
    assert screenplay.model_dump() == parse_fdx(HARBOUR.read_bytes(), str(HARBOUR)).model_dump()


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_after_leading_whitespace_is_read_as_utf16(encoding):
    text = "\n  " + HARBOUR.read_text(encoding="utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    with pytest.raises(ScreenplayError) as as_utf16:
        parse_fdx(text.encode(encoding), "t.fdx")
    with pytest.raises(ScreenplayError) as as_utf8:
        parse_fdx(text.replace('encoding="UTF-16"', 'encoding="UTF-8"').encode("utf-8"), "t.fdx")
    assert str(as_utf16.value) == str(as_utf8.value) == ("t.fdx:2:3: malformed XML: XML or text declaration not at "
                                                         "start of entity")  # the real problem, not "not XML"


@pytest.mark.parametrize("data", [b"", b" \r\n\t", codecs.BOM_UTF8 + b"\n", codecs.BOM_UTF16_LE + " \n".encode("utf-16-le")])
def test_empty_file(data):
    with pytest.raises(ScreenplayError) as caught:
        parse_fdx(data, "t.fdx")
    assert str(caught.value) == "t.fdx: file is empty: expected a screenplay"


def test_unreadable_declared_encoding():
    with pytest.raises(ScreenplayError) as caught:
        parse_fdx(b'<?xml version="1.0" encoding="Shift_JIS"?>\n<FinalDraft DocumentType="Script"/>', "t.fdx")
    assert str(caught.value) == ("t.fdx:1:31: the XML declaration names an encoding that cannot be read "
                                 "(multi-byte encodings are not supported); expected UTF-8 or UTF-16")


_PIECES = [b"<", b">", b"</Paragraph>", b'<Paragraph Type="Character">', b"<Text>", b"</Text>", b"<DualDialogue>",
           b"</DualDialogue>", b'<ScriptNote Range="3,4">', b"&amp;", b"\x00", b"\xff", b'Type="Dialogue"', b"<i>" * 50,
           b'StartsNewPage="Yes"', b'encoding="bogus"', b"<Content>", b"</Content>"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1), st.sampled_from(["insert", "delete", "copy"]), st.sampled_from(_PIECES),
                          st.integers(1, 200)), min_size=1, max_size=8))
def test_mutated_files_parse_or_fail_cleanly(edits):
    data = bytearray(HARBOUR.read_bytes())
    for where, action, piece, size in edits:
        at = int(where * len(data))
        if action == "insert":
            data[at:at] = piece
        elif action == "delete":
            del data[at:at + size]
        else:
            data[at:at] = data[size: size * 2]
    try:
        result = parse_fdx(bytes(data), "m.fdx")
    except ScreenplayError as error:
        assert error.path == "m.fdx"
        return
    assert isinstance(result, Screenplay)
