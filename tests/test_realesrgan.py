"""Real-ESRGAN upscaling on our own modules: official key layouts strict-load, frames come out exact."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from shotgraph.config import Profile, StageChoice
from shotgraph.errors import RenderError
from shotgraph.media.ffmpeg import count_frames, probe
from shotgraph.media.frames import FrameWriter, read_frames
from shotgraph.models.manager import ModelManager
from shotgraph.stages.realesrgan import RealEsrganUpscale, upscale_batch
from shotgraph.stages.realesrgan_nets import RRDBNet, SRVGGNetCompact, network_for
from shotgraph.stages.upscale import UpscaleRequest

FPS = 12


def official_file(tmp_path: Path, network: torch.nn.Module, wrapper: str | None, name: str) -> Path:
    """A weights file as the official releases ship them: the state dict under `params_ema` or `params`."""
    state = network.state_dict()
    path = tmp_path / name
    torch.save({wrapper: state} if wrapper else state, path)
    return path


def profile_with(path: Path, **choice: object) -> Profile:
    profile = Profile()
    stages = profile.stages.model_copy(update={"upscale": StageChoice(backend="realesrgan", model=str(path), **choice)})
    return profile.model_copy(update={"stages": stages})


def clip(tmp_path: Path, frames: int, width: int = 24, height: int = 16) -> Path:
    """Smooth random pictures (a coarse grid of colours, blended): what H.264 keeps close to the original."""
    from PIL import Image

    path = tmp_path / "clip.mp4"
    rng = np.random.default_rng(0)
    with FrameWriter(path, FPS, width, height) as writer:
        for _ in range(frames):
            grid = Image.fromarray(rng.integers(0, 255, (3, 4, 3), dtype=np.uint8))
            writer.write(np.asarray(grid.resize((width, height), Image.Resampling.BILINEAR)))
    return path


@pytest.mark.parametrize(("network", "params"), [
    (RRDBNet(scale=4), 16_697_987),  # RealESRGAN_x4plus: 23 blocks, 64 features, 32 growth
    (SRVGGNetCompact(scale=4, feat=64, convs=32), 1_213_296),  # realesr-general-x4v3
])
def test_full_size_networks_have_the_published_sizes_and_read_back_their_architecture(network, params) -> None:
    assert sum(p.numel() for p in network.parameters()) == params
    rebuilt = network_for(network.state_dict())
    rebuilt.load_state_dict(network.state_dict(), strict=True)
    assert type(rebuilt) is type(network) and rebuilt.scale == network.scale


def test_official_key_names_are_the_ones_the_releases_use() -> None:
    keys = set(RRDBNet(scale=2, blocks=2).state_dict())
    assert {"conv_first.weight", "body.1.rdb3.conv5.bias", "conv_body.weight", "conv_up1.weight", "conv_up2.weight",
            "conv_hr.weight", "conv_last.weight"} <= keys
    assert RRDBNet(scale=2, blocks=2).state_dict()["conv_first.weight"].shape[1] == 12  # x2 folds pixels first
    compact = SRVGGNetCompact(scale=4, feat=8, convs=2).state_dict()
    assert sorted(compact) == ["body.0.bias", "body.0.weight", "body.1.weight", "body.2.bias", "body.2.weight",
                               "body.3.weight", "body.4.bias", "body.4.weight", "body.5.weight", "body.6.bias",
                               "body.6.weight"]
    with pytest.raises(ValueError, match="not a Real-ESRGAN state dict"):
        network_for({"encoder.weight": torch.zeros(1)})


def test_tiles_with_overlap_give_the_same_picture_as_whole_frames() -> None:
    torch.manual_seed(0)
    network = SRVGGNetCompact(scale=4, feat=8, convs=2).eval()  # receptive field well inside the overlap
    frames = np.random.default_rng(1).integers(0, 255, (2, 40, 56, 3), dtype=np.uint8)
    whole = upscale_batch(network, frames, None, torch.float32, "cpu")
    tiled = upscale_batch(network, frames, 16, torch.float32, "cpu")
    assert whole.shape == (2, 160, 224, 3)
    assert np.abs(whole.astype(int) - tiled.astype(int)).max() <= 1


@pytest.mark.parametrize("wrapper", ["params_ema", "params", None])
def test_an_official_file_upscales_a_clip_to_the_film_size_frame_exact(tmp_path: Path, wrapper) -> None:
    torch.manual_seed(0)
    weights = official_file(tmp_path, RRDBNet(scale=4, feat=8, blocks=1, grow=4), wrapper, "x4.pth")
    backend = RealEsrganUpscale(profile_with(weights))
    source = clip(tmp_path, 7)
    for out in (tmp_path / "a.mp4", tmp_path / "b.mp4"):
        backend.render(UpscaleRequest(source, 7, FPS, 80, 54, "sc001-sh01"), out)
        assert count_frames(out) == 7
        assert (probe(out).width, probe(out).height) == (80, 54)
    assert backend.models.loads == {backend.model_key: 1}  # two clips, one load
    assert backend.key_fields()["model"].startswith("local:")


def test_a_different_weights_file_is_a_different_cache_key(tmp_path: Path) -> None:
    first = official_file(tmp_path, RRDBNet(scale=4, feat=8, blocks=1, grow=4), "params_ema", "a.pth")
    second = official_file(tmp_path, RRDBNet(scale=4, feat=8, blocks=2, grow=4), "params_ema", "b.pth")
    keys = {RealEsrganUpscale(profile_with(p)).key_fields()["model"] for p in (first, second)}
    assert len(keys) == 2


def test_a_clip_with_the_wrong_frame_count_or_a_foreign_file_is_refused(tmp_path: Path) -> None:
    weights = official_file(tmp_path, RRDBNet(scale=4, feat=8, blocks=1, grow=4), "params_ema", "x4.pth")
    with pytest.raises(RenderError, match="has 3 frames, the timeline asks for 4"):
        RealEsrganUpscale(profile_with(weights)).render(UpscaleRequest(clip(tmp_path, 3), 4, FPS, 80, 54),
                                                         tmp_path / "out.mp4")
    foreign = tmp_path / "other.pth"
    torch.save({"params": {"encoder.weight": torch.zeros(2)}}, foreign)
    with pytest.raises(RenderError, match="other.pth is not a Real-ESRGAN checkpoint"):
        RealEsrganUpscale(profile_with(foreign)).render(UpscaleRequest(clip(tmp_path, 2), 2, FPS, 80, 54),
                                                         tmp_path / "out.mp4")


class RunsOutOfMemoryOnWholeFrames(torch.nn.Module):
    """The real network, behind a GPU with room for 11,000 input pixels at a time: not a whole 128x96 frame."""

    def __init__(self, network: torch.nn.Module):
        super().__init__()
        self.network, self.scale = network, network.scale

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-1] * x.shape[-2] > 11_000:
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return self.network(x)


def test_out_of_memory_retries_the_batch_in_tiles_and_the_report_says_so(tmp_path: Path, monkeypatch) -> None:
    network = SRVGGNetCompact(scale=4, feat=8, convs=2)
    with torch.no_grad():  # a last layer of zeros: the network's picture is the input, nearest-upsampled
        network.body[-1].weight.zero_()
        network.body[-1].bias.zero_()
    weights = official_file(tmp_path, network, "params", "v3.pth")
    backend = RealEsrganUpscale(profile_with(weights), ModelManager(Profile().models))
    real = backend.network()
    monkeypatch.setattr(backend, "network", lambda: RunsOutOfMemoryOnWholeFrames(real))
    source = clip(tmp_path, 5, width=128, height=96)
    backend.render(UpscaleRequest(source, 5, FPS, 512, 384, "sc002-sh03"), tmp_path / "out.mp4")
    assert count_frames(tmp_path / "out.mp4") == 5
    assert backend.models.needs["sc002-sh03"] == ["lower_resolution"]
    original = next(iter(read_frames(source)))
    first = next(iter(read_frames(tmp_path / "out.mp4")))
    assert np.abs(first.astype(int) - original.repeat(4, 0).repeat(4, 1).astype(int)).mean() < 3  # tiles seamless
