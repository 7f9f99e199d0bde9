"""The draft picture crew, rendered for real at small sizes: character cards, storyboard keyframes, camera
moves, Lanczos upscale, title cards and slates."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from shotgraph.backend import load_backend
from shotgraph.characters.card import COLOUR_KEY, Build, CharacterCard, palette_colour
from shotgraph.characters.look import LOOK_BACKENDS, LookRequest
from shotgraph.config import Profile
from shotgraph.director.plan import (
    CameraMove,
    CharacterPlan,
    MusicCue,
    ScenePlan,
    Shot,
    ShotSize,
    Voice,
)
from shotgraph.errors import RenderError
from shotgraph.media.encoding import ffmpeg_exe
from shotgraph.media.ffmpeg import count_frames, probe
from shotgraph.stages.camera import CameraMoveVideo, move_safe_margin
from shotgraph.stages.keyframe import KEYFRAME_BACKENDS, KeyframeRequest
from shotgraph.stages.lanczos import LanczosUpscale
from shotgraph.media.lettering import fit_lines, font, text_width
from shotgraph.stages.slate import render_card
from shotgraph.stages.storyboard import StoryboardKeyframe
from shotgraph.stages.upscale import UPSCALE_BACKENDS, UpscaleRequest
from shotgraph.stages.video import VIDEO_BACKENDS, VideoRequest
from shotgraph.store import ArtifactStore

W, H, FPS = 160, 90, 24
PROFILE = Profile()
VOICE = Voice(gender="neutral", age="adult")
ANN = CharacterPlan(id="ann", name="ANN", look="tall woman, long hair, long coat", voice=VOICE)
BOB = CharacterPlan(id="bob", name="BOB", look="stocky man in a hat", voice=VOICE)


def scene(time_of_day: str = "day") -> ScenePlan:
    return ScenePlan(id="sc001", mood="tense", lighting="", time_of_day=time_of_day,
                     music=MusicCue(mood="tense", tempo_bpm=90, intensity=0.5), ambience="room tone")


def shot(size: ShotSize = ShotSize.WIDE, move: CameraMove = CameraMove.STATIC, characters: tuple[str, ...] = (),
         description: str = "Ann puts the letter down.") -> Shot:
    return Shot(id="sc001-sh01", scene="sc001", size=size, move=move, characters=list(characters),
                description=description, prompt="a kitchen", min_duration=1.0, seed=7)


def decode(path: Path, width: int, height: int) -> np.ndarray:
    """Every frame of `path` as an array (frames, height, width, 3)."""
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         capture_output=True, check=True).stdout
    assert len(raw) % (width * height * 3) == 0
    return np.frombuffer(raw, np.uint8).reshape(-1, height, width, 3)


@pytest.fixture(scope="module")
def looks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("looks")
    card = CharacterCard(PROFILE)
    paths = {}
    for index, character in enumerate((ANN, BOB)):
        paths[character.id] = folder / f"{character.id}.png"
        card.render(LookRequest(character, index, "pencil", 128, 192, seed=0), paths[character.id])
    return paths


def keyframe(tmp_path: Path, looks: dict[str, Path], the_shot: Shot, the_scene: ScenePlan | None = None,
             heading: str = "INT. KITCHEN - DAY", size: tuple[int, int] = (W, H)) -> np.ndarray:
    out = tmp_path / f"{the_shot.size.value}-{the_shot.move.value}-{len(list(tmp_path.iterdir()))}.png"
    cast = tuple(c for c in (ANN, BOB) if c.id in the_shot.characters)
    request = KeyframeRequest(the_shot, the_scene or scene(), heading, cast, {c.id: looks[c.id] for c in cast},
                              "pencil", *size)
    StoryboardKeyframe(PROFILE).render(request, out)
    return np.asarray(Image.open(out).convert("RGB"))


def colour_pixels(image: np.ndarray, colour: tuple[int, int, int], tolerance: int = 6) -> int:
    return int((np.abs(image.astype(int) - np.asarray(colour)).max(axis=-1) <= tolerance).sum())


# --- registries ------------------------------------------------------------------------------------------------


def test_registries_load_the_draft_crew() -> None:
    assert isinstance(load_backend("look", "card", LOOK_BACKENDS, PROFILE), CharacterCard)
    assert isinstance(load_backend("keyframe", "storyboard", KEYFRAME_BACKENDS, PROFILE), StoryboardKeyframe)
    assert isinstance(load_backend("video", "camera", VIDEO_BACKENDS, PROFILE), CameraMoveVideo)
    assert isinstance(load_backend("upscale", "lanczos", UPSCALE_BACKENDS, PROFILE), LanczosUpscale)


# --- character card --------------------------------------------------------------------------------------------


def test_card_is_deterministic_and_distinct_per_index(tmp_path: Path) -> None:
    card = CharacterCard(PROFILE)
    paths = []
    for name, index in (("a", 0), ("b", 0), ("c", 1)):
        paths.append(tmp_path / f"{name}.png")
        card.render(LookRequest(ANN, index, "pencil", 128, 192, seed=3), paths[-1])
    assert paths[0].read_bytes() == paths[1].read_bytes()
    first, second = (np.asarray(Image.open(p).convert("RGB")) for p in (paths[0], paths[2]))
    assert first.shape == (192, 128, 3)
    assert colour_pixels(first, palette_colour(0), 0) > 500 and colour_pixels(first, palette_colour(1), 0) == 0
    assert colour_pixels(second, palette_colour(1), 0) > 500 and colour_pixels(second, palette_colour(0), 0) == 0
    assert Image.open(paths[2]).info[COLOUR_KEY] == "#%02x%02x%02x" % palette_colour(1)


def test_palette_slots_are_distinct() -> None:
    assert len({palette_colour(i) for i in range(24)}) == 24


def test_build_reads_the_look_words() -> None:
    tall = Build.from_look("a tall, slim woman with long hair and a trench coat")
    assert (tall.height > 1, tall.width < 1, tall.hair, tall.coat) == (True, True, "long", True)
    stocky = Build.from_look("short stocky man, bald, wearing a hat")
    assert (stocky.height < 1, stocky.width > 1, stocky.hair, stocky.hat) == (True, True, "none", True)
    assert Build.from_look("average person") == Build()


def test_silhouette_follows_build(tmp_path: Path) -> None:
    card = CharacterCard(PROFILE)
    areas = []
    for look in ("slim person", "stocky person"):
        character = CharacterPlan(id="x", name="X", look=look, voice=VOICE)
        card.render(LookRequest(character, 0, "", 128, 192, seed=0), tmp_path / "x.png")
        areas.append(colour_pixels(np.asarray(Image.open(tmp_path / "x.png").convert("RGB")), palette_colour(0), 0))
    assert areas[1] > areas[0] * 1.3


# --- storyboard keyframe ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", list(ShotSize))
def test_keyframe_size_for_every_shot_size(tmp_path: Path, looks: dict[str, Path], size: ShotSize) -> None:
    frame = keyframe(tmp_path, looks, shot(size, characters=("ann", "bob")))
    assert frame.shape == (H, W, 3)


def test_night_is_darker_than_day(tmp_path: Path, looks: dict[str, Path]) -> None:
    for heading in ("EXT. FIELD", "INT. KITCHEN"):
        day = keyframe(tmp_path, looks, shot(characters=("ann",)), scene("day"), heading)
        night = keyframe(tmp_path, looks, shot(characters=("ann",)), scene("night"), heading)
        assert night.mean() < day.mean() * 0.7


def test_a_forced_heading_is_drawn_inside_or_outside_as_its_words_say(tmp_path: Path, looks: dict[str, Path]) -> None:
    from shotgraph.stages.storyboard import is_interior

    assert is_interior(scene(), "THE BACK ROOM - LATER") and not is_interior(scene(), "THE PIER - LATER")
    room = keyframe(tmp_path, looks, shot(), scene("day"), "THE BACK ROOM - LATER")
    inside = keyframe(tmp_path, looks, shot(), scene("day"), "INT. BACK ROOM - LATER")
    above_caption = slice(0, H // 2)  # the caption itself shows each heading as written
    assert np.array_equal(room[above_caption], inside[above_caption])


def test_an_establishing_caption_does_not_repeat_the_heading(tmp_path: Path, looks: dict[str, Path]) -> None:
    heading = "EXT. FIELD - DAY"
    establishing = keyframe(tmp_path, looks, shot(description=heading), scene("day"), heading)
    described = keyframe(tmp_path, looks, shot(description="Wind over the barley."), scene("day"), heading)
    def caption_pixels(frame: np.ndarray) -> int:  # the band's near-black fill grows with its rows of text
        return int((frame[H // 2:] < 40).all(axis=-1).sum())

    assert 0 < caption_pixels(establishing) < 0.75 * caption_pixels(described)


def test_characters_wear_their_card_colours(tmp_path: Path, looks: dict[str, Path]) -> None:
    frame = keyframe(tmp_path, looks, shot(ShotSize.WIDE, characters=("ann", "bob")), size=(320, 180))
    assert colour_pixels(frame, palette_colour(0)) > 100
    assert colour_pixels(frame, palette_colour(1)) > 100


def test_close_up_figure_is_larger_than_wide(tmp_path: Path, looks: dict[str, Path]) -> None:
    area = {size: colour_pixels(keyframe(tmp_path, looks, shot(size, characters=("ann",))), palette_colour(0))
            for size in (ShotSize.EXTREME_WIDE, ShotSize.WIDE, ShotSize.CLOSE_UP)}
    assert area[ShotSize.EXTREME_WIDE] < area[ShotSize.WIDE] < area[ShotSize.CLOSE_UP]


def test_a_renumbered_shot_draws_the_same_panel(tmp_path: Path, looks: dict[str, Path]) -> None:
    first = shot(ShotSize.MEDIUM, characters=("ann",))
    renumbered = first.model_copy(update={"id": "sc001-sh07"})  # a shot before it split in two
    assert np.array_equal(keyframe(tmp_path, looks, first), keyframe(tmp_path, looks, renumbered))


def test_text_stays_inside_the_move_safe_area(tmp_path: Path, looks: dict[str, Path]) -> None:
    long_words = "Supercalifragilisticexpialidocious " * 12
    frame = keyframe(tmp_path, looks, shot(ShotSize.WIDE, characters=("ann",), description=long_words),
                     heading="INT. A VERY LONG PLACE NAME THAT NEVER ENDS " * 5, size=(320, 180))
    band = np.argwhere((frame == (16, 16, 20)).all(axis=-1))  # the caption band's colour
    assert len(band) > 0
    margin = move_safe_margin()
    top, left = band.min(axis=0)
    bottom, right = band.max(axis=0)
    assert left >= 320 * margin and right <= 320 * (1 - margin)
    assert top >= 180 * margin and bottom <= 180 * (1 - margin)


def test_fit_lines_never_overflows() -> None:
    face = font(14)
    text = "A man walks into the bar with an unbelievablyextraordinarilylongword and then " * 4
    lines = fit_lines(text, face, 100, 3)
    assert 1 <= len(lines) <= 3 and lines[-1].endswith("…")
    assert all(text_width(line, face) <= 100 for line in lines)
    assert fit_lines("short", face, 100, 3) == ["short"]


# --- camera moves ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def texture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A keyframe with structure everywhere (smooth noise), so motion is measurable."""
    rng = np.random.default_rng(0)
    small = rng.integers(0, 255, (12, 20, 3), dtype=np.uint8)
    path = tmp_path_factory.mktemp("texture") / "key.png"
    Image.fromarray(small).resize((W, H), Image.Resampling.BICUBIC).save(path)
    return path


def camera_clip(tmp_path: Path, key: Path, move: CameraMove, frames: int, fps: int = FPS) -> Path:
    out = tmp_path / f"{move.value.replace(' ', '_')}-{frames}.mp4"
    CameraMoveVideo(PROFILE).render(VideoRequest(shot(move=move), key, frames, fps, W, H), out)
    return out


@pytest.mark.parametrize("frames", [1, 2, 37])
@pytest.mark.parametrize("move", list(CameraMove))
def test_every_move_gives_exact_frames(tmp_path: Path, texture: Path, move: CameraMove, frames: int) -> None:
    clip = camera_clip(tmp_path, texture, move, frames)
    info = probe(clip)
    assert (info.width, info.height, info.fps) == (W, H, FPS)
    assert count_frames(clip) == frames
    assert len(decode(clip, W, H)) == frames


def test_other_frame_rate(tmp_path: Path, texture: Path) -> None:
    clip = camera_clip(tmp_path, texture, CameraMove.PAN_LEFT, 25, fps=30)
    assert probe(clip).fps == 30 and count_frames(clip) == 25


def test_push_in_moves_and_static_holds(tmp_path: Path, texture: Path) -> None:
    push = decode(camera_clip(tmp_path, texture, CameraMove.PUSH_IN, 12), W, H).astype(int)
    assert np.abs(push[-1] - push[0]).mean() > 8
    still = decode(camera_clip(tmp_path, texture, CameraMove.STATIC, 12), W, H).astype(int)
    assert max(np.abs(f - still[0]).mean() for f in still) < 2


def _shift(first: np.ndarray, last: np.ndarray, axis: int) -> int:
    """How far the picture content moved along `axis` (columns: 1, rows: 0) from first to last, in pixels."""
    a, b = first.mean(axis=(1 - axis, 2)), last.mean(axis=(1 - axis, 2))
    span = 30
    errors = {d: np.abs(b[span:-span] - a[span + d:len(a) - span + d]).mean() for d in range(-span + 1, span)}
    return -min(errors, key=errors.get)  # content at a[x + d] is now at b[x]: it moved by -d


@pytest.mark.parametrize(("move", "axis", "sign"), [
    (CameraMove.PAN_RIGHT, 1, -1), (CameraMove.PAN_LEFT, 1, 1),
    (CameraMove.TILT_DOWN, 0, -1), (CameraMove.TILT_UP, 0, 1),
])
def test_pan_and_tilt_directions(tmp_path: Path, texture: Path, move: CameraMove, axis: int, sign: int) -> None:
    frames = decode(camera_clip(tmp_path, texture, move, 10), W, H).astype(float)
    moved = _shift(frames[0], frames[-1], axis)
    extent = (W, H)[1 - axis]
    assert moved * sign > extent * 0.08  # the camera turns right: the scene slides left


def test_camera_refuses_bad_requests(tmp_path: Path, texture: Path) -> None:
    camera = CameraMoveVideo(PROFILE)
    with pytest.raises(RenderError, match="at least 1 frame"):
        camera.render(VideoRequest(shot(), texture, 0, FPS, W, H), tmp_path / "x.mp4")
    with pytest.raises(RenderError, match="does not exist"):
        camera.render(VideoRequest(shot(), tmp_path / "missing.png", 3, FPS, W, H), tmp_path / "x.mp4")


# --- lanczos upscale -------------------------------------------------------------------------------------------


def test_lanczos_scales_and_keeps_frames(tmp_path: Path, texture: Path) -> None:
    clip = camera_clip(tmp_path, texture, CameraMove.PUSH_IN, 9)
    out = tmp_path / "up.mp4"
    LanczosUpscale(PROFILE).render(UpscaleRequest(clip, 9, FPS, 320, 180), out)
    info = probe(out)
    assert (info.width, info.height, info.fps, count_frames(out)) == (320, 180, FPS, 9)


def test_lanczos_stores_a_segment_already_at_size_once(tmp_path: Path, texture: Path) -> None:
    store = ArtifactStore(tmp_path / "store")
    made = camera_clip(tmp_path, texture, CameraMove.STATIC, 5)
    clip = store.put("a" * 32, ".mp4", lambda tmp: shutil.copyfile(made, tmp), stage="video", backend="camera")
    upscaled = store.put("b" * 32, ".mp4", lambda tmp: LanczosUpscale(PROFILE).render(
        UpscaleRequest(clip, 5, FPS, W, H), tmp), stage="upscale", backend="lanczos")
    assert upscaled.read_bytes() == clip.read_bytes()
    assert upscaled.stat().st_ino == clip.stat().st_ino  # one picture on disk, under two keys
    assert upscaled.stat().st_mode & 0o777 == 0o444  # still read-only: neither name can change the other


def test_lanczos_refuses_a_clip_with_other_frames(tmp_path: Path, texture: Path) -> None:
    clip = camera_clip(tmp_path, texture, CameraMove.STATIC, 5)
    with pytest.raises(RenderError, match="has 5 frames, the timeline asks for 6"):
        LanczosUpscale(PROFILE).render(UpscaleRequest(clip, 6, FPS, W, H), tmp_path / "x.mp4")


# --- title card and slate --------------------------------------------------------------------------------------


@pytest.mark.parametrize("frames", [1, 13])
@pytest.mark.parametrize("kind", ["title", "slate"])
def test_render_card_exact_frames(tmp_path: Path, kind: str, frames: int) -> None:
    lines = (["THE LETTER", "by A. Writer"] if kind == "title"
             else ["SHOT FAILED", "sc001-sh02", "video (ltx): CUDA out of memory " * 10])
    out = tmp_path / f"{kind}.mp4"
    render_card(lines, frames, FPS, W, H, out, kind=kind)  # type: ignore[arg-type]
    info = probe(out)
    assert (info.width, info.height, info.fps, count_frames(out)) == (W, H, FPS, frames)
    frame = decode(out, W, H)[0].astype(int)
    if kind == "slate":
        assert frame[..., 0].mean() > frame[..., 2].mean() + 30  # red
    else:
        assert frame.mean() < 40  # mostly black, with light type
        assert frame.max() > 200


def _caption_band_bottom(frame: np.ndarray) -> float:
    """The lowest row (a fraction of the height) where the caption band's dark fill spans half the frame."""
    dark = (np.abs(frame.astype(int) - np.asarray((16, 16, 20))).max(axis=-1) <= 12).mean(axis=1) > 0.5
    rows = np.flatnonzero(dark)
    return (rows[-1] + 1) / frame.shape[0] if rows.size else 0.0


@pytest.mark.parametrize("move", [CameraMove.PUSH_IN, CameraMove.HANDHELD, CameraMove.TILT_UP, CameraMove.CRANE,
                                  CameraMove.STATIC])
def test_with_burned_subtitles_the_caption_stays_above_them_through_the_move(tmp_path: Path, looks, move) -> None:
    from shotgraph.production.picture import text_bottom_for
    from shotgraph.render.subtitles import BURNED_SUBTITLES_TOP

    frames = 24
    lowest = {}
    for burn in (False, True):
        the_shot = shot(move=move, characters=("ann",))
        key = tmp_path / f"key-{burn}.png"
        cast = (ANN,)
        StoryboardKeyframe(PROFILE).render(KeyframeRequest(the_shot, scene(), "INT. KITCHEN - DAY", cast,
                                                           {"ann": looks["ann"]}, "pencil", W, H,
                                                           text_bottom_for(the_shot, burn)), key)
        out = tmp_path / f"clip-{burn}.mp4"
        CameraMoveVideo(PROFILE).render(VideoRequest(the_shot, key, frames, 24, W, H), out)
        lowest[burn] = max(_caption_band_bottom(frame) for frame in decode(out, W, H))
    assert lowest[True] <= BURNED_SUBTITLES_TOP + 1 / H  # every frame: the band ends above the subtitles
    assert lowest[False] > BURNED_SUBTITLES_TOP  # without subtitles it uses the bottom of the frame, as before
