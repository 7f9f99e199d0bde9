"""Still cards encoded as film segments: the opening title card, and the slate that stands in for a failed shot."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from PIL import Image, ImageDraw

from shotgraph.errors import RenderError
from shotgraph.store import scratch_dir
from shotgraph.media.encoding import segment_video_args
from shotgraph.media.ffmpeg import count_frames, run_ffmpeg
from shotgraph.media.lettering import Box, draw_lines, fit_lines, font, line_height

SLATE_RED = (120, 18, 22)
AMBER = (255, 184, 64)


def _title_card(lines: list[str], width: int, height: int) -> Image.Image:
    """White on black: the title large and centred, credit lines below it."""
    image = Image.new("RGB", (width, height), (0, 0, 0))
    draw = ImageDraw.Draw(image)
    margin = width * 0.1
    title_face, credit_face = font(max(10, round(height * 0.09))), font(max(8, round(height * 0.04)))
    title = fit_lines(lines[0] if lines else "", title_face, width - 2 * margin, 2)
    credits = [part for line in lines[1:] for part in fit_lines(line, credit_face, width - 2 * margin, 2)]
    total = len(title) * line_height(title_face) + height * 0.04 + len(credits) * line_height(credit_face)
    box = Box(margin, max(margin / 2, (height - total) / 2), width - margin, height - margin / 2)
    y = draw_lines(draw, title, title_face, box, (245, 245, 245), align="center")
    draw_lines(draw, credits, credit_face, box, (190, 190, 190), align="center", top=y + height * 0.04)
    return image


def _slate(lines: list[str], width: int, height: int) -> Image.Image:
    """A red slate with an amber banner: the header ("SHOT FAILED"), the shot id, the message wrapped."""
    image = Image.new("RGB", (width, height), SLATE_RED)
    draw = ImageDraw.Draw(image)
    stripe = max(2, height // 40)
    for x in range(-height, width, stripe * 4):  # hazard stripes top and bottom
        for y0 in (0, height - stripe * 2):
            draw.polygon([(x, y0 + stripe * 2), (x + stripe * 2, y0), (x + stripe * 4, y0), (x + stripe * 2,
                          y0 + stripe * 2)], fill=AMBER)
    margin = width * 0.08
    box = Box(margin, stripe * 2 + height * 0.08, width - margin, height - stripe * 2 - height * 0.05)
    head_face, id_face, body_face = (font(max(10, round(height * f))) for f in (0.1, 0.06, 0.04))
    header = fit_lines(lines[0] if lines else "SHOT FAILED", head_face, box.width, 1)
    y = draw_lines(draw, header, head_face, box, AMBER)
    y = draw_lines(draw, fit_lines(lines[1], id_face, box.width, 1) if len(lines) > 1 else [], id_face, box,
                   (255, 255, 255), top=y + height * 0.02)
    room = max(1, int((box.bottom - y - height * 0.03) // line_height(body_face)))
    message = fit_lines(" ".join(lines[2:]), body_face, box.width, room)
    draw_lines(draw, message, body_face, box, (250, 228, 220), top=y + height * 0.03)
    return image


def render_card(lines: list[str], frames: int, fps: int, width: int, height: int, out: Path, *,
                kind: Literal["title", "slate"]) -> None:
    """Write a still card of exactly `frames` frames as a segment MP4 (segment_video_args(fps)).

    title: lines[0] is the title, the rest credit lines. slate: lines[0] the header, lines[1] the shot id,
    the rest the failure message.
    """
    # 1. Check inputs
    if frames < 1:
        raise RenderError(f"{kind} card: needs at least 1 frame, got {frames}")
    if width % 2 or height % 2:
        raise RenderError(f"{kind} card: width and height must be even for H.264, got {width}x{height}")
    if kind not in ("title", "slate"):
        raise RenderError(f"card kind must be 'title' or 'slate', got {kind!r}")

    # 2. Draw the still
    image = (_title_card if kind == "title" else _slate)(lines, width, height)

    # 3. Encode: the one still looped to exactly `frames` frames
    with scratch_dir(Path(out).parent, "card") as tmp:  # beside the output, in the store: found if killed
        still = Path(tmp) / "card.png"
        image.save(still, format="PNG")
        run_ffmpeg(["-i", str(still), "-vf", f"format=yuv420p,loop=loop={frames - 1}:size=1:start=0,"
                    f"setpts=N/({fps}*TB)", "-frames:v", str(frames), *segment_video_args(fps), "-f", "mp4",
                    str(out)], what=f"encoding the {kind} card")
    got = count_frames(out)
    if got != frames:
        raise RenderError(f"{kind} card: wrote {got} frames, expected {frames}")
