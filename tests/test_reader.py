"""Reading screenplay files: encodings, line endings, and files that are not screenplays."""

from __future__ import annotations

import codecs

import pytest

from shotgraph.director.screenplay import reader
from shotgraph.director.screenplay.reader import MAX_BYTES, parse_screenplay_text, read_screenplay
from shotgraph.errors import ScreenplayError

SCRIPT = "Title: Café\n\nINT. CAFÉ - NIGHT\n\nZoë waits.\n\nZOË\nEncore un café ?\n"


def write(tmp_path, data: bytes, name: str = "s.fountain"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def summary(play):
    return play.title_page, [e.text for e in play.elements()], [e.line for e in play.elements()]


EXPECTED = ({"Title": "Café"}, ["Zoë waits.", "Encore un café ?"], [5, 7])


@pytest.mark.parametrize(
    "data",
    [
        SCRIPT.encode("utf-8"),
        codecs.BOM_UTF8 + SCRIPT.encode("utf-8"),
        codecs.BOM_UTF16_LE + SCRIPT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + SCRIPT.encode("utf-16-be"),
        SCRIPT.replace("\n", "\r\n").encode("utf-8"),
        SCRIPT.replace("\n", "\r").encode("utf-8"),
        codecs.BOM_UTF16_LE + SCRIPT.replace("\n", "\r\n").encode("utf-16-le"),
    ],
    ids=["utf8", "utf8-bom", "utf16-le", "utf16-be", "crlf", "cr", "utf16-crlf"],
)
def test_encodings_and_line_endings(tmp_path, data):
    play = read_screenplay(write(tmp_path, data))
    assert summary(play) == EXPECTED
    assert play.source.endswith("s.fountain") and play.format == "fountain"


def test_plain_text_extension_is_read_as_fountain(tmp_path):
    assert summary(read_screenplay(write(tmp_path, SCRIPT.encode(), "s.txt"))) == EXPECTED


def test_undecodable_names_the_line(tmp_path):
    data = "INT. A - DAY\n\nFine.\n\nBad ".encode() + b"\xff\xfe" + b" here.\n"
    path = write(tmp_path, data)
    with pytest.raises(ScreenplayError) as error:
        read_screenplay(path)
    assert str(error.value) == f"{path}:5: not valid UTF-8 (byte 25: invalid start byte); save the screenplay as UTF-8"
    assert error.value.line == 5


def test_latin1_is_refused_not_garbled(tmp_path):
    path = write(tmp_path, SCRIPT.encode("latin-1"))
    with pytest.raises(ScreenplayError) as error:
        read_screenplay(path)
    assert str(error.value).startswith(f"{path}:1: not valid UTF-8 (byte 10")


def test_truncated_utf16(tmp_path):
    path = write(tmp_path, codecs.BOM_UTF16_LE + "A\nB".encode("utf-16-le") + b"\x00")
    with pytest.raises(ScreenplayError) as error:
        read_screenplay(path)
    assert str(error.value) == f"{path}:2: not valid UTF-16-LE (byte 8: truncated data); save the screenplay as UTF-8"


def test_binary(tmp_path):
    path = write(tmp_path, b"INT. A\n\nok\x00\x01\x02")
    with pytest.raises(ScreenplayError) as error:
        read_screenplay(path)
    assert str(error.value) == f"{path}:3: binary file: NUL byte at byte 10; expected a text screenplay"


@pytest.mark.parametrize("data", [b"", b"  \n\n\t\n", codecs.BOM_UTF8, codecs.BOM_UTF16_LE + " \n".encode("utf-16-le")])
def test_empty(tmp_path, data):
    path = write(tmp_path, data)
    with pytest.raises(ScreenplayError) as error:
        read_screenplay(path)
    assert str(error.value) == f"{path}: file is empty: expected a screenplay"


def test_oversized(tmp_path):
    path = write(tmp_path, b"a" * (MAX_BYTES + 1))
    with pytest.raises(ScreenplayError) as error:
        read_screenplay(path)
    assert str(error.value) == f"{path}: file is 5,242,881 bytes; a screenplay is at most 5,242,880 bytes (MAX_BYTES)"


def test_missing_file(tmp_path):
    with pytest.raises(ScreenplayError) as error:
        read_screenplay(tmp_path / "nope.fountain")
    assert str(error.value) == f"{tmp_path / 'nope.fountain'}: cannot read the file: No such file or directory"


def test_fdx_goes_to_the_fdx_parser(tmp_path, monkeypatch):
    import sys
    import types

    seen = []
    fake = types.ModuleType("shotgraph.director.screenplay.fdx")
    fake.parse_fdx = lambda data, path: seen.append((data[:5], path)) or "parsed"
    monkeypatch.setitem(sys.modules, "shotgraph.director.screenplay.fdx", fake)
    assert read_screenplay(write(tmp_path, b"<?xml version='1.0'?><FinalDraft/>", "s.txt")) == "parsed"
    assert read_screenplay(write(tmp_path, b"anything", "s.FDX")) == "parsed"
    assert [d for d, _ in seen] == [b"<?xml", b"anyth"]


def test_parse_screenplay_text():
    play = parse_screenplay_text("INT. A - DAY\n\nHi.\n")
    assert play.source == "<string>" and play.scenes[0].elements[0].text == "Hi."
    assert reader.parse_screenplay_text("X.\n", "x.fountain").source == "x.fountain"


@pytest.mark.parametrize("encoding, order", [("utf-16-le", "little-endian"), ("utf-16-be", "big-endian")])
def test_utf16_without_bom_says_so(tmp_path, encoding, order):
    path = write(tmp_path, SCRIPT.encode(encoding))
    with pytest.raises(ScreenplayError) as error:
        read_screenplay(path)
    assert str(error.value) == (f"{path}: looks like UTF-16 ({order}) without a byte-order mark; save the screenplay "
                                "as UTF-8, or as UTF-16 with a byte-order mark")


def test_utf16_fdx_with_bom(tmp_path):
    fdx = ('<?xml version="1.0" encoding="UTF-16"?>\n<FinalDraft DocumentType="Script"><Content>\n'
           '<Paragraph Type="Scene Heading"><Text>INT. CAFÉ - NIGHT</Text></Paragraph>\n'
           '<Paragraph Type="Action"><Text>Zoë waits.</Text></Paragraph>\n</Content></FinalDraft>\n')
    play = read_screenplay(write(tmp_path, codecs.BOM_UTF16_LE + fdx.encode("utf-16-le"), "s.fdx"))
    assert [(e.text, e.line) for e in play.elements()] == [("Zoë waits.", 4)]
    assert play.scenes[0].heading.location == "CAFÉ"


def test_empty_fdx_is_empty_like_fountain(tmp_path):
    path = write(tmp_path, b"", "s.fdx")
    with pytest.raises(ScreenplayError) as error:
        read_screenplay(path)
    assert str(error.value) == f"{path}: file is empty: expected a screenplay"
