"""Text for drawn frames (character cards, storyboards, title cards, slates): a font and lines that fit.

Only Pillow's bundled scalable font is used (`ImageFont.load_default(size=...)`, Pillow >= 10.1), so a draft
render looks the same on every machine and needs no system fonts. Text that does not fit is wrapped, then
ellipsized: it never runs outside the box it was given.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from PIL import ImageDraw, ImageFont

from shotgraph.errors import RenderError

ELLIPSIS = "…"  # the bundled font (Aileron) has the glyph


@cache
def font(size: int) -> ImageFont.FreeTypeFont:
    """The bundled scalable font at `size` pixels."""
    loaded = ImageFont.load_default(size=max(6, int(size)))
    if not isinstance(loaded, ImageFont.FreeTypeFont):  # Pillow < 10.1, or built without FreeType
        raise RenderError("drawing text needs Pillow >= 10.1 built with FreeType (ImageFont.load_default(size=...))")
    return loaded


@dataclass(frozen=True)
class FontFile:
    family: str  # the name a renderer that looks fonts up by name (libass) finds it by
    data: bytes  # the font file itself


@cache
def font_file() -> FontFile:
    """The bundled font as a file, for renderers that load fonts themselves rather than through Pillow."""
    face = font(16)  # any size: the file behind every size is the same
    family, _ = face.getname()
    if not family:
        raise RenderError("Pillow's bundled font has no family name to look it up by")
    return FontFile(family=family, data=face.font_bytes)


def text_width(text: str, face: ImageFont.FreeTypeFont) -> float:
    return face.getlength(text)


def line_height(face: ImageFont.FreeTypeFont) -> int:
    ascent, descent = face.getmetrics()
    return int((ascent + descent) * 1.15)


def _ellipsize(text: str, face: ImageFont.FreeTypeFont, max_width: float) -> str:
    """`text` cut at the end, with an ellipsis, so that it fits `max_width`."""
    if text_width(text, face) <= max_width:
        return text
    while text and text_width(text.rstrip() + ELLIPSIS, face) > max_width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS if text else ""


def _break_word(word: str, face: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """A word wider than the box, cut into pieces that each fit."""
    pieces, current = [], ""
    for char in word:
        if current and text_width(current + char, face) > max_width:
            pieces.append(current)
            current = char
        else:
            current += char
    return pieces + [current] if current else pieces


def fit_lines(text: str, face: ImageFont.FreeTypeFont, max_width: float, max_lines: int) -> list[str]:
    """`text` wrapped at word boundaries into at most `max_lines` lines no wider than `max_width`.

    Words wider than the box are broken; if the text needs more lines, the last kept line ends in an ellipsis.
    """
    if max_lines < 1 or max_width <= 0:
        return []
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, face) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        pieces = _break_word(word, face, max_width) if text_width(word, face) > max_width else [word]
        lines.extend(pieces[:-1])
        current = pieces[-1] if pieces else ""
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        kept = lines[:max_lines]
        kept[-1] = _ellipsize(kept[-1] + " " + ELLIPSIS, face, max_width)
        lines = kept
    return [_ellipsize(line, face, max_width) for line in lines]


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top


def draw_lines(
    draw: ImageDraw.ImageDraw,
    lines: list[str],
    face: ImageFont.FreeTypeFont,
    box: Box,
    fill: tuple[int, ...],
    *,
    align: str = "left",
    top: float | None = None,
) -> float:
    """Draw `lines` inside `box` from `top` (default box.top); lines that would fall below the box are dropped.

    Returns the y just below the last drawn line.
    """
    y = box.top if top is None else top
    step = line_height(face)
    for line in lines:
        if y + step > box.bottom + 1:
            break
        width = text_width(line, face)
        if align == "center":
            x = box.left + (box.width - width) / 2
        elif align == "right":
            x = box.right - width
        else:
            x = box.left
        draw.text((x, y), line, font=face, fill=fill)
        y += step
    return y
