"""The draft keyframe: a storyboard panel drawn from the shot.

Framing follows the shot size (tiny figures on a horizon for an extreme wide, a head filling the frame for a
close-up, eyes for an extreme close-up, ...), characters are drawn with their card's colour and silhouette and
labelled, the background says interior or exterior, the light says day or night, and the panel carries the
scene heading, the line of action and a corner label (size, move). Every piece of text stays inside
the area no camera move crops away (`camera.move_safe_margin`), wrapped and ellipsized to fit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from shotgraph.characters.card import INK, RGB, Build, Figure, figure_for, shade
from shotgraph.director.lexicon import location_is_inside
from shotgraph.director.plan import CameraAngle, CharacterPlan, ScenePlan, Shot, ShotSize
from shotgraph.stages.camera import move_safe_margin
from shotgraph.stages.keyframe import KeyframeBackend, KeyframeRequest
from shotgraph.media.lettering import Box, draw_lines, draw_text, fit_lines, font, line_height, text_width

# Multipliers applied to the drawn panel for the time of day (text is drawn after, untinted).
LIGHT: dict[str, tuple[float, float, float]] = {
    "day": (1.0, 1.0, 1.0),
    "dawn": (0.95, 0.80, 0.78),
    "dusk": (0.92, 0.70, 0.55),
    "night": (0.30, 0.36, 0.58),
}
SINGLE_SUBJECT = {ShotSize.CLOSE_UP, ShotSize.EXTREME_CLOSE_UP}


def time_of_day(scene: ScenePlan, heading: str) -> str:
    """'day', 'dawn', 'dusk' or 'night' from the scene plan, then its lighting words, then the heading."""
    planned = scene.time_of_day.strip().lower()
    if planned in LIGHT:
        return planned
    words = f"{scene.lighting} {heading}".lower()
    for light, pattern in (("night", r"night|moon|midnight|dark"), ("dawn", r"dawn|sunrise|morning"),
                           ("dusk", r"dusk|sunset|evening|twilight|magic hour")):
        if re.search(rf"\b({pattern})", words):
            return light
    return "day"


def is_interior(scene: ScenePlan, heading: str) -> bool:
    """INT./EXT. from the heading's prefix; otherwise from its words, as the director guesses (".THE BACK ROOM");
    then from the lighting words; exterior when nothing says."""
    prefix = heading.strip().upper()
    if re.match(r"^(INT\.?/EXT|I/E)", prefix):
        return True
    if prefix.startswith(("INT", "INSIDE")):
        return True
    if prefix.startswith(("EXT", "OUTSIDE")):
        return False
    if (inside := location_is_inside(heading)) is not None:
        return inside
    return bool(re.search(r"\b(interior|indoors?|room|tungsten|lamp|fluorescent)\b", scene.lighting.lower()))


@dataclass(frozen=True)
class Placement:
    """Where one figure stands in the panel: feet x/y and height, in pixels."""

    cx: float
    feet: float
    height: float


def _spread(count: int, width: int, left: float, right: float) -> list[float]:
    return [width * (left + (right - left) * (i + 1) / (count + 1)) for i in range(count)]


def framing(size: ShotSize, figures: list[Figure], width: int, height: int, horizon: float) -> list[Placement]:
    """Figure placements for a shot size, chosen so the frame cuts the body where that size cuts it.

    Wide sizes stand the figures on the ground (a tall character stands taller); close sizes hang them from
    the top of the head (a head-and-shoulders close-up frames a tall and a short character alike).
    """
    h, count = height, len(figures)

    def standing(left: float, right: float, feet: float, tall: float) -> list[Placement]:
        return [Placement(x, feet, tall) for x in _spread(count, width, left, right)]

    def hanging(left: float, right: float, head_top: float, tall: float) -> list[Placement]:
        return [Placement(x, f.feet_for_head_top(head_top, tall), tall)
                for x, f in zip(_spread(count, width, left, right), figures)]

    if size is ShotSize.EXTREME_WIDE:
        return standing(0.2, 0.8, horizon + 0.05 * h, 0.13 * h)
    if size in (ShotSize.WIDE, ShotSize.POV):
        return standing(0.1, 0.9, 0.88 * h, 0.55 * h)
    if size is ShotSize.TWO_SHOT:  # knees up
        return hanging(0.05, 0.95, 0.2 * h, 1.1 * h)
    if size is ShotSize.MEDIUM:  # waist up: the hip line (52% down the figure) near the bottom edge
        return hanging(0.05, 0.95, 0.18 * h, 1.6 * h)
    if size is ShotSize.MEDIUM_CLOSE_UP:  # chest up
        return hanging(0.0, 1.0, 0.14 * h, 2.4 * h)
    if size is ShotSize.CLOSE_UP:  # the head fills most of the frame's height
        return hanging(0.5, 0.5, 0.12 * h, 4.4 * h)[:1]
    if size is ShotSize.EXTREME_CLOSE_UP:  # the eyes across the middle of the frame
        tall = 10.0 * h
        return hanging(0.5, 0.5, 0.5 * h - 0.079 * tall, tall)[:1]
    return []


class StoryboardKeyframe(KeyframeBackend):
    """A storyboard panel at the render resolution, drawn with Pillow."""

    name = "storyboard"
    version = "3"

    def render(self, request: KeyframeRequest, out: Path) -> None:
        width, height = request.width, request.height
        shot, scene = request.shot, request.scene
        figures = [figure_for(c, request.looks.get(c.id)) for c in request.characters]

        # 1. Read the scene: inside or out, which light, where the horizon sits for this angle
        interior = is_interior(scene, request.heading)
        light = time_of_day(scene, request.heading)
        horizon = height * {CameraAngle.HIGH: 0.32, CameraAngle.LOW: 0.72, CameraAngle.OVERHEAD: -0.1}.get(
            shot.angle, 0.55)

        # 2. Background
        image = Image.new("RGB", (width, height))
        draw = ImageDraw.Draw(image)
        (_interior_background if interior else _exterior_background)(draw, width, height, horizon, light)

        # 3. Figures, framed by the shot size; an insert shows an object, over-the-shoulder a foreground shoulder
        labels = self._compose(image, draw, request, figures, horizon)

        # 4. Angle and light
        if shot.angle is CameraAngle.DUTCH:
            image = _dutch(image)
            labels = []  # tilted figures: their labels would point at the wrong place; the corner label names them
        image = _tint(image, LIGHT[light])
        if shot.size is ShotSize.POV:
            image = _vignette(image)

        # 5. Text, inside the move-safe area and above any burned-in subtitles: names, corner label, caption band
        draw = ImageDraw.Draw(image)
        margin = move_safe_margin() + 0.015
        bottom = min(height * (1 - margin), height * request.text_bottom)  # clear of burned-in subtitles
        safe = Box(width * margin, height * margin, width * (1 - margin), bottom)
        caption_top = self._caption(draw, request, safe)
        characters_named = ", ".join(c.name for c in request.characters) if shot.angle is CameraAngle.DUTCH else ""
        label_bottom = _corner_label(draw, shot, characters_named, safe, height)
        for (x, y, name, colour) in labels:
            _name_tag(draw, name, colour, x, y, Box(safe.left, label_bottom + 2, safe.right, caption_top), height)

        image.save(out, format="PNG")

    def _compose(self, image: Image.Image, draw: ImageDraw.ImageDraw, request: KeyframeRequest,
                 figures: list[Figure], horizon: float) -> list[tuple[float, float, str, RGB]]:
        """Draw the figures; return where each visible character's name tag goes (x, y, name, colour)."""
        width, height = image.size
        size = request.shot.size
        characters: list[CharacterPlan] = list(request.characters)
        labels: list[tuple[float, float, str, RGB]] = []
        if size is ShotSize.INSERT:
            _insert_object(draw, width, height)
            return labels
        if size is ShotSize.OVER_THE_SHOULDER:  # over the second character's shoulder onto the first
            subject = list(zip(characters[:1], figures[:1]))
            for character, figure in subject:
                place = Placement(width * 0.64, figure.feet_for_head_top(0.16 * height, 1.5 * height), 1.5 * height)
                figure.draw(draw, place.cx, place.feet, place.height)
                labels.append(self._label_at(figure, place, character, height))
            # in front of the subject: the second character's shoulder, or a stranger's when the shot has one
            _shoulder(image, figures[1] if len(figures) > 1 else Figure((96, 96, 104), Build()), width, height)
            return labels
        if size in SINGLE_SUBJECT:
            characters, figures = characters[:1], figures[:1]
        if size is ShotSize.TWO_SHOT:
            characters, figures = characters[:2], figures[:2]
        places = framing(size, figures, width, height, horizon)
        for character, figure, place in zip(characters, figures, places):
            figure.draw(draw, place.cx, place.feet, place.height)
            labels.append(self._label_at(figure, place, character, height))
        return labels

    @staticmethod
    def _label_at(figure: Figure, place: Placement, character: CharacterPlan,
                  height: int) -> tuple[float, float, str, RGB]:
        left, top, right, bottom = figure.head_box(place.cx, place.feet, place.height)
        if bottom - top > height * 0.3:  # a big head: name it beside the face, not on it
            return right + height * 0.08, height * 0.6, character.name, figure.colour
        return place.cx, top - height * 0.01, character.name, figure.colour

    def _caption(self, draw: ImageDraw.ImageDraw, request: KeyframeRequest, safe: Box) -> float:
        """The scene heading and the line of action in a band at the bottom of the safe area; returns its top."""
        height = draw.im.size[1]
        face = font(max(8, round(height * 0.032)))
        pad = max(2, round(height * 0.012))
        inner = safe.width - 2 * pad
        heading = fit_lines(request.heading.upper(), face, inner, 1) if request.heading else []
        text = request.shot.description or request.shot.prompt
        repeats_heading = " ".join(text.upper().split()) == " ".join(request.heading.upper().split())
        action = [] if repeats_heading else fit_lines(text, face, inner, 2)  # an establishing shot's is the heading
        lines = heading + action
        if not lines:
            return safe.bottom
        step = line_height(face)
        top = safe.bottom - len(lines) * step - 2 * pad
        draw.rectangle((safe.left, top, safe.right, safe.bottom), fill=(16, 16, 20))
        box = Box(safe.left + pad, top + pad, safe.right - pad, safe.bottom - pad)
        y = draw_lines(draw, heading, face, box, (255, 214, 120))
        draw_lines(draw, action, face, box, (240, 240, 240), top=y)
        return top


# --- drawing helpers ----------------------------------------------------------------------------------------


def _gradient(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float], top: RGB, bottom: RGB) -> None:
    left, y0, right, y1 = box
    y0, y1 = int(max(0, y0)), int(y1)
    span = max(1, y1 - y0)
    for y in range(y0, y1):
        t = (y - y0) / span
        draw.line((left, y, right, y), fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom)))


def _exterior_background(draw: ImageDraw.ImageDraw, width: int, height: int, horizon: float, light: str) -> None:
    sky_top, sky_low = ((20, 26, 60), (58, 66, 110)) if light == "night" else ((150, 190, 225), (218, 228, 236))
    _gradient(draw, (0, 0, width, horizon), sky_top, sky_low)
    _gradient(draw, (0, horizon, width, height), (150, 160, 120), (96, 104, 78))
    if horizon > 0:  # distant hills and a sun or moon, for depth
        hills = [(0, horizon)] + [(width * i / 6, horizon - height * (0.04 + 0.03 * ((i * 7) % 3)))
                                  for i in range(7)] + [(width, horizon)]
        draw.polygon(hills, fill=(120, 134, 112))
        r = height * 0.05
        orb = (236, 236, 220) if light == "night" else (255, 244, 200)
        draw.ellipse((width * 0.78 - r, horizon * 0.35 - r, width * 0.78 + r, horizon * 0.35 + r), fill=orb)
    draw.line((0, horizon, width, horizon), fill=shade((96, 104, 78), 0.8), width=max(1, height // 240))


def _interior_background(draw: ImageDraw.ImageDraw, width: int, height: int, horizon: float, light: str) -> None:
    wall, floor = (214, 200, 178), (150, 118, 88)
    # a room box: back wall centred on the horizon, side walls and floor in perspective
    back = (width * 0.18, min(horizon, height * 0.55) - height * 0.38, width * 0.82, max(horizon, height * 0.2))
    draw.rectangle((0, 0, width, height), fill=shade(wall, 0.86))
    draw.polygon([(0, height), (width, height), (back[2], back[3]), (back[0], back[3])], fill=floor)
    draw.polygon([(0, 0), (width, 0), (back[2], back[1]), (back[0], back[1])], fill=shade(wall, 0.78))
    draw.rectangle(back, fill=wall)
    line = shade(wall, 0.6)
    for corner_a, corner_b in (((0, 0), (back[0], back[1])), ((width, 0), (back[2], back[1])),
                               ((0, height), (back[0], back[3])), ((width, height), (back[2], back[3]))):
        draw.line((corner_a, corner_b), fill=line, width=max(1, height // 300))
    # a window (moonlit or bright) and a door on the back wall
    bw, bh = back[2] - back[0], back[3] - back[1]
    pane = (60, 70, 110) if light == "night" else (196, 222, 240)
    draw.rectangle((back[0] + bw * 0.12, back[1] + bh * 0.18, back[0] + bw * 0.38, back[1] + bh * 0.55),
                   fill=pane, outline=line, width=max(1, height // 200))
    draw.rectangle((back[0] + bw * 0.64, back[1] + bh * 0.3, back[0] + bw * 0.82, back[3]), fill=shade(wall, 0.66))


def _insert_object(draw: ImageDraw.ImageDraw, width: int, height: int) -> None:
    """An insert: a table top and the object the shot is about, as a labelled box."""
    draw.rectangle((0, height * 0.45, width, height), fill=(128, 96, 70))
    w, h = width * 0.26, height * 0.26
    cx, cy = width / 2, height * 0.56
    draw.ellipse((cx - w * 0.62, cy + h * 0.28, cx + w * 0.62, cy + h * 0.62), fill=(92, 68, 50))  # shadow
    draw.rounded_rectangle((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), radius=h * 0.12,
                           fill=(226, 220, 204), outline=INK, width=max(1, height // 180))
    face = font(max(8, round(height * 0.035)))
    label = "INSERT"
    draw_text(draw, (cx - text_width(label, face) / 2, cy - line_height(face) / 2), label, face, INK)


def _shoulder(image: Image.Image, figure: Figure, width: int, height: int) -> None:
    """A dark, out-of-focus shoulder and head in the left foreground, composited onto `image` in place."""
    shape = Image.new("RGB", (width, height), (0, 0, 0))
    cx, size = width * 0.16, height * 3.2
    # the figure's own silhouette (head, hair, hat, build), seen from behind: every drawn pixel is non-black
    figure.draw(ImageDraw.Draw(shape), cx, height * 0.05 + size, size, colour=(255, 255, 255), skin=(255, 255, 255))
    layer = shape.convert("L").point(lambda v: 255 if v else 0)
    layer = layer.filter(ImageFilter.GaussianBlur(radius=max(1, height * 0.012)))
    dark = Image.new("RGB", (width, height), shade(figure.colour, 0.3))
    image.paste(dark, (0, 0), layer)


def _dutch(image: Image.Image) -> Image.Image:
    """Tilt the panel 8 degrees and enlarge it so no empty corner shows."""
    width, height = image.size
    tilted = image.rotate(8, resample=Image.Resampling.BICUBIC, expand=False)
    grow = 1.28
    big = tilted.resize((round(width * grow), round(height * grow)), Image.Resampling.BICUBIC)
    left, top = (big.width - width) // 2, (big.height - height) // 2
    return big.crop((left, top, left + width, top + height))


def _tint(image: Image.Image, factors: tuple[float, float, float]) -> Image.Image:
    if factors == (1.0, 1.0, 1.0):
        return image
    pixels = np.asarray(image, dtype=np.float32) * np.asarray(factors, dtype=np.float32)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


@cache
def _vignette_mask(width: int, height: int) -> np.ndarray:
    y, x = np.ogrid[-1:1:complex(0, height), -1:1:complex(0, width)]
    r = np.sqrt(x * x + y * y) / np.sqrt(2)
    return np.clip(1.15 - 1.1 * r ** 2.2, 0.12, 1.0).astype(np.float32)[..., None]


def _vignette(image: Image.Image) -> Image.Image:
    """A point-of-view shot: the edges fall off to black, as through someone's eyes."""
    pixels = np.asarray(image, dtype=np.float32) * _vignette_mask(*image.size)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _name_tag(draw: ImageDraw.ImageDraw, name: str, colour: RGB, x: float, bottom: float, area: Box,
              height: int) -> None:
    """The character's name on a small tag in its colour, centred on x above `bottom`, kept inside `area`."""
    face = font(max(8, round(height * 0.03)))
    pad = max(1, round(height * 0.006))
    lines = fit_lines(name, face, area.width - 2 * pad, 1)
    if not lines:
        return
    w, h = text_width(lines[0], face) + 2 * pad, line_height(face) + pad
    left = min(max(x - w / 2, area.left), area.right - w)
    top = min(max(bottom - h, area.top), area.bottom - h)
    if top < area.top:  # no room left above the caption band
        return
    draw.rectangle((left, top, left + w, top + h), fill=colour, outline=INK)
    draw_text(draw, (left + pad, top + pad / 2), lines[0], face, (255, 255, 255) if sum(colour) < 460 else INK)


def _corner_label(draw: ImageDraw.ImageDraw, shot: Shot, extra: str, safe: Box, height: int) -> float:
    """Size and move (and the angle when it is not eye level) in the top-left corner of the safe area.

    No shot id: ids are ordinal, and a panel must not be redrawn because a shot before it split in two.
    Returns the y just below the label.
    """
    face = font(max(8, round(height * 0.028)))
    pad = max(1, round(height * 0.008))
    parts = [shot.size.value.upper(), shot.move.value.upper()]
    if shot.angle is not CameraAngle.EYE_LEVEL:
        parts.append(f"{shot.angle.value.upper()} ANGLE")
    if extra:
        parts.append(extra)
    lines = fit_lines("  ·  ".join(parts), face, safe.width * 0.7 - 2 * pad, 1)
    if not lines:
        return safe.top
    w, h = text_width(lines[0], face) + 2 * pad, line_height(face) + pad
    draw.rectangle((safe.left, safe.top, safe.left + w, safe.top + h), fill=(255, 255, 255), outline=INK)
    draw_text(draw, (safe.left + pad, safe.top + pad / 2), lines[0], face, INK)
    return safe.top + h
