"""Video model backends (LTX-Video 0.9, LTX-2, Wan 2.2, HunyuanVideo 1.5) on tiny random-weight pipelines:
exactly the frames the timeline asks for, long shots in chunks continued from the frames before, each model
loaded once, and the OOM ladder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

import tiny_models
from shotgraph.config import Profile, StageChoice
from shotgraph.director.plan import Shot, ShotSize
from shotgraph.errors import RenderError
from shotgraph.media.ffmpeg import count_frames, probe
from shotgraph.media.frames import read_frames
from shotgraph.stages.generated_video import chunk_lengths, crossfade, generation_size, valid_frames
from shotgraph.stages.hunyuan_video import HunyuanVideo
from shotgraph.stages.ltx_video import Ltx2Video, LtxVideo
from shotgraph.stages.video import VideoRequest
from shotgraph.stages.wan_video import WanVideo

FPS = 24
BACKENDS = {"ltx": (LtxVideo, tiny_models.ltx), "ltx2": (Ltx2Video, tiny_models.ltx2),
            "wan": (WanVideo, tiny_models.wan), "hunyuan": (HunyuanVideo, tiny_models.hunyuan)}


@pytest.fixture(scope="module")
def weights(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("video-weights")
    return {name: build(root / name) for name, (_, build) in BACKENDS.items()}


def backend(name: str, folder: Path, **choice: object):
    base = Profile()
    settings = {"generate_width": 64, "generate_height": 32, "max_frames": 9, "steps": 2, **choice}
    stages = base.stages.model_copy(update={"video": StageChoice(backend=name, model=str(folder), **settings)})
    return BACKENDS[name][0](base.model_copy(update={"stages": stages}))


def request(tmp_path: Path, frames: int, seed: int = 3) -> VideoRequest:
    keyframe = tmp_path / "keyframe.png"
    if not keyframe.exists():
        Image.new("RGB", (96, 54), (200, 120, 40)).save(keyframe)
    shot = Shot(id="sc001-sh04", scene="sc001", size=ShotSize.WIDE, description="The ferry leaves.",
                prompt="a ferry leaves the harbour at night", min_duration=1.0, seed=seed)
    return VideoRequest(shot, keyframe, frames, FPS, 96, 54)


def test_frame_counts_are_the_models_valid_ones_and_chunks_cover_the_shot() -> None:
    assert [valid_frames(n, 8) for n in (1, 2, 9, 10, 121, 122)] == [1, 9, 9, 17, 121, 129]
    for total, longest, step, overlap in [(5, 121, 8, 9), (122, 121, 8, 9), (300, 121, 8, 9), (48, 17, 4, 1)]:
        chunks = chunk_lengths(total, longest, step, overlap)
        assert all((c - 1) % step == 0 and c <= longest for c in chunks)
        assert chunks[0] + sum(c - overlap for c in chunks[1:]) >= total
    assert chunk_lengths(300, 121, 8, 9) == [121, 121, 81]  # 5 s chunks, the last only as long as it must be
    with pytest.raises(ValueError, match="add nothing"):
        chunk_lengths(30, 9, 8, 9)


def test_generation_size_keeps_the_films_aspect_on_the_models_grid() -> None:
    assert generation_size(1920, 1080, 768 * 512, 32, 1.0) == (832, 480)
    assert generation_size(1920, 1080, 832 * 480, 16, 0.75) == (624, 352)
    width, height = generation_size(1280, 720, 848 * 480, 16, 1.0)
    assert width % 16 == 0 and height % 16 == 0 and abs(width / height - 16 / 9) < 0.05


def test_the_seam_between_chunks_is_a_crossfade() -> None:
    tail = [np.full((2, 2, 3), 0, np.uint8)] * 3
    head = [np.full((2, 2, 3), 200, np.uint8)] * 3
    assert [int(f[0, 0, 0]) for f in crossfade(tail, head)] == [50, 100, 150]


@pytest.mark.parametrize("name", sorted(BACKENDS))
def test_a_long_shot_comes_out_frame_exact_in_chunks_from_one_load(name: str, weights, tmp_path: Path) -> None:
    video = backend(name, weights[name])
    video.render(request(tmp_path, 22), tmp_path / "a.mp4")  # 22 frames from chunks of at most 9
    video.render(request(tmp_path, 22), tmp_path / "b.mp4")
    video.render(request(tmp_path, 5, seed=4), tmp_path / "c.mp4")
    assert [count_frames(tmp_path / f"{c}.mp4") for c in "abc"] == [22, 22, 5]
    info = probe(tmp_path / "a.mp4")
    assert info.width % 2 == 0 and info.height % 2 == 0 and info.width <= 96 and info.fps == FPS
    first = [f.astype(int) for f in read_frames(tmp_path / "a.mp4")]
    again = [f.astype(int) for f in read_frames(tmp_path / "b.mp4")]
    assert all(np.array_equal(x, y) for x, y in zip(first, again))  # seeded: the same shot twice
    assert video.models.loads == {video.model_key: 1}
    assert video.key_fields()["params"]["max_frames"] == 9


def test_ltx_generates_at_32_pixel_multiples_near_the_films_aspect(weights, tmp_path: Path) -> None:
    video = backend("ltx", weights["ltx"], generate_width=128, generate_height=64)
    video.render(request(tmp_path, 9), tmp_path / "out.mp4")
    assert (probe(tmp_path / "out.mp4").width, probe(tmp_path / "out.mp4").height) == (128, 64)


def test_a_missing_keyframe_is_named(weights, tmp_path: Path) -> None:
    video = backend("wan", weights["wan"])
    missing = request(tmp_path, 5)
    missing.keyframe.unlink()
    with pytest.raises(RenderError, match="sc001-sh04: keyframe .*keyframe.png does not exist"):
        video.render(missing, tmp_path / "out.mp4")


def test_out_of_memory_comes_down_the_ladder_to_fewer_frames_and_still_delivers_every_frame(
        weights, tmp_path: Path, monkeypatch) -> None:
    video = backend("wan", weights["wan"])
    real = video.generate
    asked: list[int] = []

    def generate(pipe, conditioning, frames, width, height, fps, prompt, seed):
        asked.append(frames)
        if frames > 5:  # the GPU has room for 5 frames at a time
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 8.00 GiB")
        return real(pipe, conditioning, frames, width, height, fps, prompt, seed)

    monkeypatch.setattr(video, "generate", generate)
    video.render(request(tmp_path, 14), tmp_path / "out.mp4")
    assert count_frames(tmp_path / "out.mp4") == 14
    # the profile's default ladder: VAE tiling, (no offload on the CPU), smaller twice, then fewer frames
    assert video.models.needs["shot sc001-sh04"] == ["vae_tiling", "lower_resolution", "lower_resolution",
                                                     "fewer_frames"]
    assert max(asked[-3:]) <= 5
