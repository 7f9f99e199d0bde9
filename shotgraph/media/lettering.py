"""Text for drawn frames (character cards, storyboards, title cards, slates): fonts and lines that fit.

Each character is drawn in the first font of a chain that has it: Pillow's bundled font (Aileron: the draft's
look, ASCII), then Noto Sans (bundled by the `fontpkg-noto-sans` package: Latin, Greek, Cyrillic), then a system
font that fontconfig finds for it (CJK, Arabic, Hebrew, ...: install e.g. Debian's fonts-noto-cjk). A character no
font has is a warning naming it and the fonts tried, never a silent box. Burned-in subtitles get the same fonts
(`subtitle_fonts`). Text that does not fit is wrapped, then ellipsized: it never runs outside the box it was given.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from PIL import ImageDraw, ImageFont

from shotgraph.errors import RenderError

log = logging.getLogger(__name__)

ELLIPSIS = "…"  # the bundled font (Aileron) has the glyph
LETTERING_VERSION = "2"  # 2: fonts by coverage; in the key of anything drawn with text beyond the bundled font's


@cache
def _bundled(size: int) -> ImageFont.FreeTypeFont:
    loaded = ImageFont.load_default(size=max(6, int(size)))
    if not isinstance(loaded, ImageFont.FreeTypeFont):  # Pillow < 10.1, or built without FreeType
        raise RenderError("drawing text needs Pillow >= 10.1 built with FreeType (ImageFont.load_default(size=...))")
    return loaded


@cache
def _wide_font_path() -> Path | None:
    try:
        import fontpkg_noto_sans
    except ImportError:
        return None
    found = sorted((fontpkg_noto_sans.ROOT / "files").glob("NotoSans[[]*.ttf"))
    return found[0] if found else None


@cache
def _coverage(path: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    data = _bundled(16).font_bytes if path == "" else Path(path).read_bytes()
    return frozenset(TTFont(io.BytesIO(data), lazy=True, fontNumber=0)["cmap"].getBestCmap())


@cache
def system_font_for(char: str) -> str | None:
    """A system font file that has `char`, as fontconfig knows it (Noto first, a regular weight before bold,
    italic or condensed); None without one or fontconfig."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        listed = subprocess.run([fc_list, f":charset={ord(char):x}", "file"], capture_output=True, text=True,
                                timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    styled = re.compile(r"bold|italic|oblique|light|thin|black|condensed|mono", re.IGNORECASE)
    files = sorted({line.split(":")[0].strip() for line in listed.splitlines() if line.strip()},
                   key=lambda f: (not Path(f).name.startswith("Noto"), bool(styled.search(Path(f).name)),
                                  not f.endswith((".ttf", ".otf")), f))
    return files[0] if files else None


@dataclass(frozen=True)
class Face:
    """A font at one size with fallbacks, as Pillow's FreeTypeFont is used here: `getlength`, `getmetrics`."""

    size: int
    warned: set[str] = field(default_factory=set, compare=False, hash=False)

    def chain(self) -> list[str]:
        """The fonts tried first, by file ('' is the bundled one)."""
        wide = _wide_font_path()
        return [""] + ([str(wide)] if wide else [])

    def font_for(self, path: str) -> ImageFont.FreeTypeFont:
        return _bundled(self.size) if path == "" else _loaded(path, self.size)

    def file_for(self, char: str) -> str | None:
        """The font file that draws `char`: the chain's first that has it, else a system font; None if none."""
        if char.isspace() or ord(char) < 32:
            return ""
        for path in self.chain():
            if ord(char) in _coverage(path):
                return path
        found = system_font_for(char)
        return found if found and ord(char) in _coverage(found) else None

    def runs(self, text: str) -> list[tuple[str, ImageFont.FreeTypeFont]]:
        """`text` in runs, each in one font: a word in the first font that has all of it (a word is not drawn in
        two faces when one will do), else each character in the first that has it."""
        runs: list[tuple[str, str]] = []
        missing = ""
        for word in re.split(r"(\s+)", text):
            if not word:
                continue
            whole = self.file_for_all(word)
            for char in word:
                path = whole if whole is not None else self.file_for(char)
                if path is None:
                    missing += char
                    path = ""
                if char.isspace() and runs:
                    path = runs[-1][1]  # a space stays with the words around it
                if runs and runs[-1][1] == path:
                    runs[-1] = (runs[-1][0] + char, path)
                else:
                    runs.append((char, path))
        if missing and missing not in self.warned:
            self.warned.add(missing)
            tried = ", ".join(["Aileron (bundled)", *[Path(p).name for p in self.chain()[1:]], "fontconfig"])
            log.warning("no font here has %s (%s); tried %s; they are drawn as boxes",
                        " ".join(sorted(set(missing))), ", ".join(f"U+{ord(c):04X}" for c in sorted(set(missing))),
                        tried)
        return [(chunk, self.font_for(path)) for chunk, path in runs]

    def file_for_all(self, word: str) -> str | None:
        """The first font of the chain that has every character of `word`, or None."""
        codes = {ord(c) for c in word if not c.isspace()}
        return next((path for path in self.chain() if codes <= _coverage(path)), None)

    def getlength(self, text: str) -> float:
        return sum(face.getlength(chunk) for chunk, face in self.runs(text))

    def getmetrics(self) -> tuple[int, int]:
        return _bundled(self.size).getmetrics()

    def files(self, text: str) -> list[str]:
        """The font files that draw `text` (the bundled one as '')."""
        return list(dict.fromkeys(self.file_for(c) or "" for c in text))


@cache
def _loaded(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size=max(6, int(size)))


@cache
def font(size: int) -> Face:
    """The draft's lettering at `size` pixels."""
    return Face(max(6, int(size)))


def needs_fallback(*texts: str) -> bool:
    """Whether any of `texts` has a character the bundled font lacks."""
    covered = _coverage("")
    return any(ord(c) not in covered and not c.isspace() for text in texts for c in text)


def lettering_key(*texts: str) -> dict[str, str]:
    """For the key of a drawing of `texts`: the lettering's version when they need fonts beyond the bundled one;
    nothing for text the bundled font draws, so those drawings keep the keys they had."""
    return {"lettering": LETTERING_VERSION} if needs_fallback(*texts) else {}


def draw_text(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, face: Face, fill: tuple[int, ...]) -> None:
    """`text` with its top-left at `xy`, each run in its own font, on the bundled font's baseline."""
    x, y = xy
    baseline = y + face.getmetrics()[0]
    for chunk, chunk_font in face.runs(text):
        draw.text((x, baseline), chunk, font=chunk_font, fill=fill, anchor="ls")
        x += chunk_font.getlength(chunk)


@dataclass(frozen=True)
class FontFile:
    family: str  # the name a renderer that looks fonts up by name (libass) finds it by
    data: bytes  # the font file itself


@cache
def font_file() -> FontFile:
    """The bundled font as a file, for renderers that load fonts themselves rather than through Pillow."""
    face = _bundled(16)  # any size: the file behind every size is the same
    family, _ = face.getname()
    if not family:
        raise RenderError("Pillow's bundled font has no family name to look it up by")
    return FontFile(family=family, data=face.font_bytes)


def subtitle_fonts(text: str) -> list[Path]:
    """The font files besides the bundled one that burned-in subtitles of `text` need: the same as a frame's."""
    return [Path(p) for p in Face(16).files(text) if p]


def text_width(text: str, face: Face) -> float:
    return face.getlength(text)


def line_height(face: Face) -> int:
    ascent, descent = face.getmetrics()
    return int((ascent + descent) * 1.15)


def _ellipsize(text: str, face: Face, max_width: float) -> str:
    """`text` cut at the end, with an ellipsis, so that it fits `max_width`."""
    if text_width(text, face) <= max_width:
        return text
    while text and text_width(text.rstrip() + ELLIPSIS, face) > max_width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS if text else ""


def _break_word(word: str, face: Face, max_width: float) -> list[str]:
    """A word wider than the box, cut into pieces that each fit."""
    pieces, current = [], ""
    for char in word:
        if current and text_width(current + char, face) > max_width:
            pieces.append(current)
            current = char
        else:
            current += char
    return pieces + [current] if current else pieces


def fit_lines(text: str, face: Face, max_width: float, max_lines: int) -> list[str]:
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
    face: Face,
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
        draw_text(draw, (x, y), line, face, fill)
        y += step
    return y
