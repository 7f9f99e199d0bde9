"""Real-ESRGAN upscaling: every frame of a clip through the generator network, then to the film's size.

The official `.pth` files (RealESRGAN_x4plus, x2plus, realesr-general-x4v3, animevideov3) strict-load into our
own modules (`realesrgan_nets`). Frames go through in batches, in half precision on a GPU, and, when the profile
sets `tile` or the GPU runs out of memory, in overlapping tiles whose seams are cut away. A clip already at
least the film's size is only resized: the network would enlarge what is then thrown away.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from shotgraph.errors import RenderError
from shotgraph.media.ffmpeg import count_frames, probe
from shotgraph.media.frames import FrameWriter, read_frames
from shotgraph.models.backend import ModelBackend
from shotgraph.models.manager import Degrade
from shotgraph.stages.upscale import UpscaleBackend, UpscaleRequest, checked_clip

BATCH = 4  # frames per forward pass
TILE_OVERLAP = 16  # input pixels of context on each side of a tile, cut away after
FIRST_TILE = 512  # input pixels, when running out of memory with whole frames


def load_network(path: Path) -> Any:
    """The generator described by the weights file at `path`, with those weights (strict)."""
    import torch

    from shotgraph.stages.realesrgan_nets import network_for, unwrap

    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        state = load_file(str(path))
    else:
        state = unwrap(torch.load(path, map_location="cpu", weights_only=True))
    try:
        network = network_for(state)
        network.load_state_dict(state, strict=True)
    except (ValueError, RuntimeError) as exc:
        raise RenderError(f"upscale: {path.name} is not a Real-ESRGAN checkpoint we can load: {exc}") from None
    return network.eval()


def upscale_batch(network: Any, frames: np.ndarray, tile: int | None, dtype: Any, device: str) -> np.ndarray:
    """(n, h, w, 3) uint8 -> (n, h*s, w*s, 3) uint8, whole or in tiles of `tile` input pixels."""
    import torch

    x = torch.from_numpy(np.array(frames)).to(device).permute(0, 3, 1, 2).to(dtype) / 255.0  # a copy: frames read-only
    with torch.inference_mode():
        y = network(x) if tile is None else _tiled(network, x, tile)
    return (y.clamp(0, 1) * 255.0).round().to(torch.uint8).permute(0, 2, 3, 1).cpu().numpy()


def _tiled(network: Any, x: Any, tile: int) -> Any:
    """Each tile with TILE_OVERLAP pixels of its neighbours around it; only its own area is kept."""
    n, c, h, w = x.shape
    scale = network.scale
    out = x.new_zeros((n, c, h * scale, w * scale))
    for top in range(0, h, tile):
        for left in range(0, w, tile):
            bottom, right = min(top + tile, h), min(left + tile, w)
            t0, l0 = max(top - TILE_OVERLAP, 0), max(left - TILE_OVERLAP, 0)
            t1, l1 = min(bottom + TILE_OVERLAP, h), min(right + TILE_OVERLAP, w)
            y = network(x[:, :, t0:t1, l0:l1])
            out[:, :, top * scale:bottom * scale, left * scale:right * scale] = y[
                :, :, (top - t0) * scale:(bottom - t0) * scale, (left - l0) * scale:(right - l0) * scale]
    return out


def resize(frame: np.ndarray, width: int, height: int) -> np.ndarray:
    from PIL import Image

    if frame.shape[1] == width and frame.shape[0] == height:
        return frame
    return np.asarray(Image.fromarray(frame).resize((width, height), Image.Resampling.LANCZOS))


class RealEsrganUpscale(ModelBackend, UpscaleBackend):
    name = "realesrgan"
    version = "1"
    default_model = "ai-forever/Real-ESRGAN"
    default_weights = "RealESRGAN_x4.pth"
    weights_gb = 0.07  # 16.7M parameters
    libraries = ("torch",)

    def cache_params(self) -> dict[str, object]:
        return {"tile": self.choice.tile, "overlap": TILE_OVERLAP}

    def network(self) -> Any:
        def build() -> Any:
            return load_network(self.resolved.path).to(self.dtype)

        return self.models.load(self.model_key, self.stage, build, expected_bytes=self.resolved.path.stat().st_size)

    def render(self, request: UpscaleRequest, out: Path) -> None:
        # 1. Check inputs: exactly the frames the timeline asked for
        clip = checked_clip(request)
        info = probe(clip)
        enlarge = info.width < request.width or info.height < request.height

        # 2. Frames through the network in batches (on the GPU, one batch at a time), resized to the film's size
        network = self.network() if enlarge else None
        device = self.models.device.device
        item = request.shot_id or clip.name
        with FrameWriter(out, request.fps, request.width, request.height) as writer:
            batch: list[np.ndarray] = []

            def flush() -> None:
                frames = np.stack(batch)
                if network is not None:
                    frames = self.models.run(item, self.model_key, lambda degrade: upscale_batch(
                        network, frames, self._tile(degrade, info.width, info.height), self.dtype, device))
                for frame in frames:
                    writer.write(resize(frame, request.width, request.height))
                batch.clear()

            for frame in read_frames(clip):
                batch.append(frame)
                if len(batch) == BATCH:
                    flush()
            if batch:
                flush()

        # 3. Exactly the frames the timeline asked for (invariant 7)
        got = count_frames(out)
        if got != request.frames:
            raise RenderError(f"upscale: wrote {got} frames, expected {request.frames}")

    def _tile(self, degrade: Degrade, width: int, height: int) -> int | None:
        """The profile's tile size, smaller at each rung of the OOM ladder; whole frames while they fit."""
        if degrade.scale == 1.0:
            return self.choice.tile
        start = self.choice.tile or min(FIRST_TILE, max(width, height))
        return max(32, math.floor(start * degrade.scale))
