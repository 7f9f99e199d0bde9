"""Text in any script on drawn frames: each character in a font that has it, and a warning for one none has."""

from __future__ import annotations

import logging
import os

import numpy as np
import pytest
from PIL import Image, ImageDraw

from shotgraph.media.lettering import _bundled, draw_text, font, needs_fallback, system_font_for


def drawn(text: str, size: int = 40) -> np.ndarray:
    image = Image.new("L", (40 + size * len(text), 2 * size))
    draw_text(ImageDraw.Draw(image), (10, 10), text, font(size), (255,))
    return np.asarray(image)


def bundled_only(text: str, size: int = 40) -> np.ndarray:
    image = Image.new("L", (40 + size * len(text), 2 * size))
    ImageDraw.Draw(image).text((10, 10), text, font=_bundled(size), fill=255)
    return np.asarray(image)


@pytest.mark.parametrize("text", ["Le Café des Étoiles", "Ένα ελληνικό καφέ", "Привет, мир"])
def test_accented_latin_greek_and_cyrillic_are_drawn_in_a_font_that_has_them(text: str, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="shotgraph.media.lettering"):
        runs = font(40).runs(text)
    assert caplog.records == [] and "".join(chunk for chunk, _ in runs) == text
    assert all(font(40).file_for(c) is not None for c in text)  # a font that has it, by its character map
    assert needs_fallback(text)
    assert not np.array_equal(drawn(text), bundled_only(text))  # the bundled font alone draws boxes


def test_ascii_is_drawn_exactly_as_before() -> None:
    text = "INT. KITCHEN - NIGHT: Anna's kettle (2)"
    assert not needs_fallback(text)
    assert np.array_equal(drawn(text), bundled_only(text))  # stored drawings of such text stay valid


def test_a_character_no_font_has_is_a_warning_naming_it_and_the_fonts_tried(caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="shotgraph.media.lettering"):
        font(33).runs("a \U0010fffd b")
    (record,) = caplog.records
    assert record.getMessage().startswith("no font here has \U0010fffd (U+10FFFD); tried Aileron (bundled), NotoSans")
    assert record.getMessage().endswith("fontconfig; they are drawn as boxes")


def test_cjk_comes_from_a_system_font_through_fontconfig(caplog) -> None:
    if system_font_for("夜") is None:
        if os.environ.get("CI"):
            pytest.fail("CI installs fonts-ipafont-gothic; fontconfig should find a font for 夜")
        pytest.skip("no CJK font here (apt-get install fonts-noto-cjk or fonts-ipafont-gothic)")
    with caplog.at_level(logging.WARNING, logger="shotgraph.media.lettering"):
        runs = font(40).runs("夜の港")
    assert caplog.records == [] and len(runs) == 1
    assert runs[0][1].path == system_font_for("夜")
    assert drawn("夜の港").sum() > 0 and not np.array_equal(drawn("夜の港"), bundled_only("夜の港"))


def test_burned_subtitles_are_given_the_fonts_a_frame_draws_them_with() -> None:
    from pathlib import Path

    from shotgraph.media.lettering import subtitle_fonts

    assert subtitle_fonts("Is it raining?") == []  # the bundled font, as before
    assert [p.name for p in subtitle_fonts("Καλησπέρα, Étoile")] == ["NotoSans[wdth,wght].ttf"]
    if system_font_for("夜") is not None:
        assert Path(system_font_for("夜")) in subtitle_fonts("こんばんは、夜の港")
