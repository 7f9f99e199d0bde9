"""The draft look: a character card. One colour per cast slot (`slots.cast_slots`, from the character's name), a
silhouette built from the look's words, the name.

The same `Figure` draws the character on its card and in every storyboard frame, so a character keeps its
colour and silhouette through the film. The card records its colour in the PNG (text chunk `shotgraph:colour`)
so the storyboard can match it without knowing the cast order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw
from PIL.PngImagePlugin import PngInfo

from shotgraph.characters.look import LookBackend, LookRequest
from shotgraph.characters.slots import preferred_slot
from shotgraph.director.plan import CharacterPlan
from shotgraph.media.lettering import Box, draw_lines, fit_lines, font

RGB = tuple[int, int, int]

# Distinct, mid-luminance colours that read on a pale day frame and on a dark night frame alike.
PALETTE: tuple[RGB, ...] = (
    (214, 69, 65),  # red
    (52, 120, 198),  # blue
    (67, 160, 71),  # green
    (237, 160, 37),  # amber
    (142, 84, 182),  # purple
    (0, 150, 150),  # teal
    (222, 98, 160),  # pink
    (150, 105, 60),  # brown
)
SKIN: RGB = (236, 208, 182)
INK: RGB = (34, 34, 40)
PAPER: RGB = (242, 238, 230)
COLOUR_KEY = "shotgraph:colour"


def palette_colour(index: int) -> RGB:
    """The colour of cast slot `index`; past the palette, the same hues again, darker per round."""
    base = PALETTE[index % len(PALETTE)]
    shade = 0.78 ** (index // len(PALETTE))
    return tuple(int(c * shade) for c in base)  # type: ignore[return-value]


def shade(colour: RGB, factor: float) -> RGB:
    return tuple(max(0, min(255, int(c * factor))) for c in colour)  # type: ignore[return-value]


def _has(words: str, *patterns: str) -> bool:
    return any(re.search(rf"\b{p}\b", words) for p in patterns)


@dataclass(frozen=True)
class Build:
    """The silhouette read from the look's words ("tall", "stocky", "long hair", "hat", "coat" ...)."""

    height: float = 1.0  # relative to an average adult
    width: float = 1.0
    hair: str = "short"  # "short", "long" or "none"
    hat: bool = False
    coat: bool = False
    skirt: bool = False
    beard: bool = False
    glasses: bool = False

    @classmethod
    def from_look(cls, look: str) -> Build:
        words = look.lower()
        height = 1.0
        if _has(words, "tall", "lanky", "towering"):
            height = 1.1
        elif _has(words, "short", "small", "petite", "child", "kid", "boy", "girl"):
            height = 0.86
        width = 1.0
        if _has(words, "stocky", "broad", "heavy", "heavyset", "burly", "stout", "large", "muscular", "big"):
            width = 1.3
        elif _has(words, "slim", "thin", "slender", "skinny", "wiry", "lanky"):
            width = 0.8
        hair = "short"
        if _has(words, "bald", "shaved head", "shaven head"):
            hair = "none"
        elif _has(words, "long hair", "long \\w+ hair", "ponytail", "braids?", "locks", "mane"):
            hair = "long"
        return cls(
            height=height,
            width=width,
            hair=hair,
            hat=_has(words, "hat", "cap", "fedora", "beanie", "helmet", "bonnet", "stetson"),
            coat=_has(words, "coat", "overcoat", "trench ?coat", "trenchcoat", "cloak", "robe", "gown"),
            skirt=_has(words, "dress", "skirt", "gown"),
            beard=_has(words, "beard", "bearded", "stubble", "moustache", "mustache"),
            glasses=_has(words, "glasses", "spectacles", "sunglasses"),
        )


@dataclass(frozen=True)
class Figure:
    """A character's silhouette in one colour; drawn by the position of its feet and its height in pixels."""

    colour: RGB
    build: Build

    @classmethod
    def of(cls, character: CharacterPlan, colour: RGB) -> Figure:
        return cls(colour=colour, build=Build.from_look(character.look))

    def feet_for_head_top(self, head_top: float, height: float) -> float:
        """Where the feet go so that the top of the head is at `head_top` (framing a close shot by the head)."""
        return head_top + height * self.build.height

    def head_box(self, cx: float, feet: float, height: float) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) of the head when drawn at (cx, feet) with `height` pixels."""
        h = height * self.build.height
        r = h * 0.075
        top = feet - h
        return cx - r * 0.92, top, cx + r * 0.92, top + 2 * r

    def draw(self, draw: ImageDraw.ImageDraw, cx: float, feet: float, height: float, *,
             colour: RGB | None = None, skin: RGB = SKIN) -> None:
        """Draw the figure standing with its feet at y=`feet`, centred on x=`cx`, `height` pixels tall."""
        b = self.build
        body = colour or self.colour
        dark = shade(body, 0.55)
        h = height * b.height
        u = h / 100.0  # one percent of the figure's height
        wu = u * b.width
        top = feet - h
        head_r = 7.5 * u
        head_cy = top + head_r
        neck = head_cy + head_r
        shoulder = neck + 3 * u
        hip = top + 52 * u
        # legs, then the torso over them
        leg_w = 6.5 * wu
        for side in (-1, 1):
            x = cx + side * 5.5 * wu
            draw.rectangle((x - leg_w / 2, hip - 2 * u, x + leg_w / 2, feet - 2.5 * u), fill=dark)
            draw.ellipse((x - leg_w * 0.75, feet - 4 * u, x + leg_w * 0.9, feet), fill=shade(dark, 0.7))
        hair = shade(body, 0.45)
        if b.hair == "long":  # behind the head and shoulders, so drawn before the torso
            draw.rounded_rectangle((cx - head_r * 1.15, head_cy - head_r * 0.9, cx + head_r * 1.15, shoulder + 9 * u),
                                   radius=head_r * 0.8, fill=hair)
        hem = hip + (30 * u if b.coat else 0)
        if b.skirt:
            hem = max(hem, hip + 22 * u)
        half_shoulder = 17 * wu
        half_hip = (13 if not (b.coat or b.skirt) else 16) * wu
        draw.polygon([(cx - half_shoulder, shoulder), (cx + half_shoulder, shoulder),
                      (cx + half_hip, hem), (cx - half_hip, hem)], fill=body)
        draw.ellipse((cx - half_shoulder - 3 * u, shoulder - 2 * u, cx - half_shoulder + 5 * u, shoulder + 6 * u),
                     fill=body)
        draw.ellipse((cx + half_shoulder - 5 * u, shoulder - 2 * u, cx + half_shoulder + 3 * u, shoulder + 6 * u),
                     fill=body)
        # arms hang beside the torso
        arm_w = 5 * wu
        for side in (-1, 1):
            x = cx + side * (half_shoulder + 0.5 * u)
            draw.polygon([(x - arm_w / 2, shoulder + 2 * u), (x + arm_w / 2, shoulder + 2 * u),
                          (x + side * 2 * u + arm_w / 2, hip + 4 * u), (x + side * 2 * u - arm_w / 2, hip + 4 * u)],
                         fill=shade(body, 0.85))
            draw.ellipse((x + side * 2 * u - arm_w / 2, hip + 2 * u, x + side * 2 * u + arm_w / 2, hip + 7 * u),
                         fill=skin)
        # neck and head
        draw.rectangle((cx - 2.5 * u, neck - 2 * u, cx + 2.5 * u, shoulder + u), fill=skin)
        draw.ellipse((cx - head_r * 0.92, head_cy - head_r, cx + head_r * 0.92, head_cy + head_r), fill=skin)
        if b.hair in ("short", "long") and not b.hat:
            draw.chord((cx - head_r * 0.98, head_cy - head_r * 1.08, cx + head_r * 0.98, head_cy + head_r * 0.5),
                       180, 360, fill=hair)
        # eyes (what an extreme close-up frames)
        eye_y = head_cy + head_r * 0.05
        eye_r = max(0.5, head_r * 0.11)
        for side in (-1, 1):
            ex = cx + side * head_r * 0.36
            draw.ellipse((ex - eye_r * 1.6, eye_y - eye_r, ex + eye_r * 1.6, eye_y + eye_r), fill=(250, 250, 250))
            draw.ellipse((ex - eye_r, eye_y - eye_r, ex + eye_r, eye_y + eye_r), fill=INK)
            if b.glasses:
                draw.ellipse((ex - eye_r * 2.6, eye_y - eye_r * 2.2, ex + eye_r * 2.6, eye_y + eye_r * 2.2),
                             outline=INK, width=max(1, int(eye_r * 0.5)))
        if b.beard:
            draw.chord((cx - head_r * 0.9, head_cy - head_r * 0.4, cx + head_r * 0.9, head_cy + head_r * 1.05),
                       0, 180, fill=hair)
        if b.hat:
            hat = shade(body, 0.35)
            draw.rectangle((cx - head_r * 1.5, head_cy - head_r * 0.55, cx + head_r * 1.5, head_cy - head_r * 0.35),
                           fill=hat)
            draw.rectangle((cx - head_r * 0.85, head_cy - head_r * 1.45, cx + head_r * 0.85, head_cy - head_r * 0.5),
                           fill=hat)


def figure_for(character: CharacterPlan, look: Path | None) -> Figure:
    """The figure of `character`, in the colour its card recorded (its name's preferred colour otherwise)."""
    colour: RGB | None = None
    if look is not None and look.is_file():
        with Image.open(look) as image:
            value = image.info.get(COLOUR_KEY, "") if isinstance(image.info, dict) else ""
        if re.fullmatch(r"#[0-9a-fA-F]{6}", value):
            colour = tuple(int(value[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[assignment]
    if colour is None:
        colour = palette_colour(preferred_slot(character.name))
    return Figure.of(character, colour)


class CharacterCard(LookBackend):
    """A portrait card: the character's figure in its palette colour, the name under it, the look in small type."""

    name = "card"
    version = "1"

    def render(self, request: LookRequest, out: Path) -> None:
        # 1. What the character looks like: colour by cast slot, silhouette by the look's words
        width, height = request.width, request.height
        colour = palette_colour(request.index)
        figure = Figure.of(request.character, colour)

        # 2. The card: paper, a band in the character's colour, the figure standing on a floor line
        image = Image.new("RGB", (width, height), PAPER)
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 0, width, max(2, height // 40)), fill=colour)
        feet = height * 0.74
        draw.line((width * 0.1, feet, width * 0.9, feet), fill=shade(PAPER, 0.75), width=max(1, height // 300))
        figure.draw(draw, width / 2, feet, height * 0.62)

        # 3. The name under the figure, then the look in small type
        margin = width * 0.06
        name_face = font(max(10, round(height * 0.055)))
        box = Box(margin, feet + height * 0.02, width - margin, height - margin / 2)
        lines = fit_lines(request.character.name, name_face, box.width, 1)
        y = draw_lines(draw, lines, name_face, box, INK, align="center")
        look_face = font(max(8, round(height * 0.026)))
        draw_lines(draw, fit_lines(request.character.look, look_face, box.width, 4), look_face, box,
                   shade(INK, 2.2), align="center", top=y + height * 0.01)

        # 4. Save with the colour recorded for the storyboard
        info = PngInfo()
        info.add_text(COLOUR_KEY, "#%02x%02x%02x" % colour)
        image.save(out, format="PNG", pnginfo=info)
