"""A small, safe XML reader for Final Draft files: expat directly, so every element keeps its source line, and any
document type declaration is refused before it can declare an entity (a hostile file can carry a "billion
laughs" bomb). UTF-16 files are read by their BOM or their '<'.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from xml.parsers import expat

from shotgraph.errors import ScreenplayError


@dataclass
class XmlNode:
    tag: str
    attrs: dict[str, str]
    line: int
    column: int
    children: list[XmlNode | str] = field(default_factory=list)

    def elements(self, tag: str | None = None) -> list[XmlNode]:
        return [c for c in self.children if isinstance(c, XmlNode) and (tag is None or c.tag == tag)]

    def first(self, tag: str) -> XmlNode | None:
        return next(iter(self.elements(tag)), None)

    def text(self) -> str:
        # a loop, not recursion: a hostile file can nest inline tags far deeper than Python's recursion limit
        pieces: list[str] = []
        pending = [iter(self.children)]
        while pending:
            for child in pending[-1]:
                if isinstance(child, str):
                    pieces.append(child)
                else:
                    pending.append(iter(child.children))
                    break
            else:
                pending.pop()
        return "".join(pieces)


class _Refused(Exception):
    def __init__(self, message: str, line: int, column: int):
        super().__init__(message)
        self.line = line
        self.column = column


# by the BOM, or by its first character (whitespace or '<') with its zero byte on one side
_UTF16 = ((codecs.BOM_UTF16_LE, re.compile(rb"[<\s]\x00"), "utf-16-le"),
          (codecs.BOM_UTF16_BE, re.compile(rb"\x00[<\s]"), "utf-16-be"))


def _utf8(data: bytes, path: str) -> tuple[bytes, bool]:
    """The document as UTF-8 bytes, and whether it was converted from UTF-16 (found by its BOM or its '<').

    Expat reads UTF-16 itself, but the checks and the line and column arithmetic here work on UTF-8 bytes.
    """
    for bom, opening, encoding in _UTF16:
        if data.startswith(bom) or opening.match(data):
            skipped = len(bom) if data.startswith(bom) else 0
            body = data[skipped:]
            try:
                return body.decode(encoding).encode("utf-8"), True
            except UnicodeDecodeError as error:
                line = body[: error.start].decode(encoding, errors="replace").count("\n") + 1
                raise ScreenplayError(f"not valid {encoding.upper()} (byte {error.start + skipped}: {error.reason})",
                                      path, line) from None
    return data, False


def parse_xml(data: bytes, path: str) -> XmlNode:
    data, converted = _utf8(data, path)
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise ScreenplayError("file is empty: expected a screenplay", path)
    if not head.startswith(b"<"):
        raise ScreenplayError("not an XML file (a Final Draft .fdx file starts with '<?xml' or '<FinalDraft')",
                              path, 1, 1)
    # converted text keeps its `encoding="UTF-16"` declaration: the parser is told the bytes are UTF-8
    parser = expat.ParserCreate("UTF-8" if converted else None)
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    root = XmlNode("", {}, 0, 0)
    stack = [root]

    def refuse(what: str):
        def handler(*_args: object) -> None:
            # point at the start of the declaration, not where expat noticed it
            start = max(data.rfind(b"<!", 0, parser.CurrentByteIndex + 1), 0)
            line = data.count(b"\n", 0, start) + 1
            column = start - (data.rfind(b"\n", 0, start) + 1) + 1
            raise _Refused(f"{what} are not allowed in a .fdx file (entities could expand without limit)",
                           line, column)
        return handler

    def start(tag: str, attrs: dict[str, str]) -> None:
        node = XmlNode(tag, attrs, parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)
        stack[-1].children.append(node)
        stack.append(node)

    def end(_tag: str) -> None:
        stack.pop()

    def chars(text: str) -> None:
        stack[-1].children.append(text)

    parser.StartDoctypeDeclHandler = refuse("document type declarations (<!DOCTYPE>)")
    parser.EntityDeclHandler = refuse("entity declarations (<!ENTITY>)")
    parser.ExternalEntityRefHandler = refuse("external entities")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(data, True)
    except _Refused as exc:
        raise ScreenplayError(str(exc), path, exc.line, exc.column) from None
    except expat.ExpatError as exc:
        raise ScreenplayError(f"malformed XML: {expat.ErrorString(exc.code)}", path, exc.lineno,
                              exc.offset + 1) from None
    except (LookupError, ValueError) as exc:  # what Python's codecs say of an encoding expat does not know
        raise ScreenplayError(f"the XML declaration names an encoding that cannot be read ({exc}); "
                              "expected UTF-8 or UTF-16", path, parser.CurrentLineNumber,
                              parser.CurrentColumnNumber + 1) from None
    return root.elements()[0]
