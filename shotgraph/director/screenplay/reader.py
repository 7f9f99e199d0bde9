"""Reading a screenplay file: size check, decoding, line endings, and the choice of parser (Fountain or FDX).

Decoding is strict: UTF-8 (with or without a byte-order mark) or UTF-16 with a byte-order mark. Bytes that
do not decode are an error that names the line, never replacement characters; UTF-16 without a byte-order
mark is recognised by its NUL bytes and refused with a message that says so.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from shotgraph.director.screenplay.fountain import parse_fountain
from shotgraph.director.screenplay.model import Screenplay
from shotgraph.errors import ScreenplayError

MAX_BYTES = 5 * 1024 * 1024
"""Largest screenplay file read (5 MiB). A feature script is 100-300 KB; anything far larger is not a script."""

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def read_screenplay(path: str | Path) -> Screenplay:
    """Read a .fountain, .fdx or plain-text screenplay."""
    # 1. Check the file
    path = Path(path)
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ScreenplayError(
                f"file is {size:,} bytes; a screenplay is at most {MAX_BYTES:,} bytes (MAX_BYTES)", name
            )
        data = path.read_bytes()
    except OSError as error:
        raise ScreenplayError(f"cannot read the file: {error.strerror or error}", name) from error
    if len(data) > MAX_BYTES:  # it grew between stat and read
        raise ScreenplayError(f"file is over {MAX_BYTES:,} bytes (MAX_BYTES)", name)

    # 2. FDX goes to its own parser, as bytes: the XML declares its own encoding
    head = data.lstrip(codecs.BOM_UTF8)[:64].lstrip()
    if path.suffix.lower() == ".fdx" or head.startswith((b"<?xml", b"<FinalDraft")):
        from shotgraph.director.screenplay.fdx import parse_fdx

        return parse_fdx(data, name)

    # 3. Text
    return parse_fountain(decode(data, name), name)


def decode(data: bytes, path: str) -> str:
    """Bytes -> text with LF line endings, or a ScreenplayError naming the line where decoding failed."""
    if not data.strip():
        raise ScreenplayError("file is empty: expected a screenplay", path)
    encoding, skipped = "utf-8", 0
    for bom, name in _BOMS:
        if data.startswith(bom):
            encoding, skipped = name, len(bom)
            data = data[skipped:]
            break
    if encoding == "utf-8":
        nul = data.find(b"\x00")
        if nul >= 0 and (order := _utf16_order(data)):
            raise ScreenplayError(f"looks like UTF-16 ({order}) without a byte-order mark; save the screenplay "
                                  "as UTF-8, or as UTF-16 with a byte-order mark", path)
        if nul >= 0:
            line = data.count(b"\n", 0, nul) + 1
            raise ScreenplayError(
                f"binary file: NUL byte at byte {nul + skipped}; expected a text screenplay", path, line
            )
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data[: error.start].decode(encoding, errors="replace").count("\n") + 1
        label = {"utf-8-sig": "UTF-8", "utf-8": "UTF-8"}.get(encoding, encoding.upper())
        message = f"not valid {label} (byte {error.start + skipped}: {error.reason}); save the screenplay as UTF-8"
        raise ScreenplayError(message, path, line) from error
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ScreenplayError("binary file: NUL character; expected a text screenplay", path, line)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ScreenplayError("file is empty: expected a screenplay", path)
    return text


def _utf16_order(data: bytes) -> str | None:
    """'little-endian' or 'big-endian' if the file starts like mostly-ASCII UTF-16: NUL every other byte."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    for order, nuls, chars in (("little-endian", odd, even), ("big-endian", even, odd)):
        if nuls.count(0) >= 0.9 * len(nuls) and chars.count(0) <= 0.1 * len(chars):
            return order
    return None


def parse_screenplay_text(text: str, path: str = "<string>") -> Screenplay:
    """Parse Fountain (or plain) text directly; convenient in tests and notebooks."""
    return parse_fountain(text, path)
