"""What every video model backend shares: the exact frames the timeline asks for, however the model counts.

A model generates a valid number of frames (LTX: 8k+1, Wan and HunyuanVideo: 4k+1, from its VAE's temporal
compression) at a valid size (multiples of what its VAE and patches need), at most `max_frames` at a time. So:

1. the generation size keeps the film's aspect ratio near the model's usual area (or the profile's size);
2. a shot longer than one generation is cut into chunks; each chunk after the first is conditioned on the last
   frames of the one before (`overlap`), and over those frames the two are crossfaded, so the seam is blended
   and no frame is slowed or repeated (invariant 7);
3. the frames are trimmed to exactly the count asked for and encoded at the generation size; the upscale
   stage brings the clip to the film's size.
"""

from __future__ import annotations

import math
from abc import abstractmethod
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from shotgraph.errors import RenderError
from shotgraph.media.ffmpeg import count_frames
from shotgraph.media.frames import FrameWriter
from shotgraph.models.backend import ModelBackend
from shotgraph.models.manager import Degrade
from shotgraph.stages.video import VideoBackend, VideoRequest


def valid_frames(wanted: int, step: int) -> int:
    """The smallest count of the form step * k + 1 that is at least `wanted`."""
    return step * max(0, math.ceil((wanted - 1) / step)) + 1


def chunk_lengths(total: int, max_frames: int, step: int, overlap: int) -> list[int]:
    """Frames to generate per chunk (each a valid count) so that, with `overlap` frames shared between
    neighbours, they cover at least `total` frames."""
    if max_frames - overlap < 1:
        raise ValueError(f"chunks of {max_frames} frames sharing {overlap} add nothing")
    longest = valid_frames(max_frames, step)
    if longest > max_frames:  # never more than asked: the largest valid count that fits
        longest = max(step + 1, longest - step)
    chunks = [min(longest, valid_frames(total, step))]
    covered = chunks[0]
    while covered < total:
        length = min(longest, valid_frames(total - covered + overlap, step))
        chunks.append(length)
        covered += length - overlap
    return chunks


def generation_size(width: int, height: int, area: int, multiple: int, scale: float) -> tuple[int, int]:
    """About `area` pixels at the film's aspect ratio, both sides multiples of `multiple`."""
    aspect = width / height
    gen_w = math.sqrt(area * aspect) * scale
    gen_h = math.sqrt(area / aspect) * scale
    return (max(multiple, round(gen_w / multiple) * multiple), max(multiple, round(gen_h / multiple) * multiple))


def crossfade(tail: list[np.ndarray], head: list[np.ndarray]) -> list[np.ndarray]:
    """The overlap of two chunks, blended linearly from the first chunk's frames to the second's."""
    count = len(tail)
    return [np.round(a * (1 - w) + b * w).astype(np.uint8) for a, b, w in
            zip(tail, head, ((i + 1) / (count + 1) for i in range(count)))]


class GeneratedVideo(ModelBackend, VideoBackend):
    """A video model backend: subclasses load their pipeline and generate one chunk."""

    default_area: ClassVar[int] = 768 * 512  # pixels the model generates best at
    default_max_frames: ClassVar[int] = 121
    size_multiple: ClassVar[int] = 32
    overlap: ClassVar[int] = 1  # frames a chunk is conditioned on from the one before

    def cache_params(self) -> dict[str, object]:
        return {"generate": [self.choice.generate_width, self.choice.generate_height],
                "max_frames": self.max_frames, "overlap": self.overlap}

    @property
    def max_frames(self) -> int:
        return self.choice.max_frames or self.default_max_frames

    def size(self, request: VideoRequest, degrade: Degrade) -> tuple[int, int]:
        if self.choice.generate_width and self.choice.generate_height:
            area = self.choice.generate_width * self.choice.generate_height
        else:
            area = self.default_area
        return generation_size(request.width, request.height, area, self.size_multiple, degrade.scale)

    @abstractmethod
    def frame_step(self, pipe: Any) -> int:
        """The model's temporal compression: valid frame counts are frame_step * k + 1."""

    @abstractmethod
    def generate(self, pipe: Any, conditioning: list[Any], frames: int, width: int, height: int, fps: int,
                 prompt: str, seed: int) -> list[np.ndarray]:
        """`frames` frames (height, width, 3) uint8, the first len(conditioning) continuing those PIL images."""

    def render(self, request: VideoRequest, out: Path) -> None:
        from PIL import Image

        # 1. Check inputs
        shot = request.shot
        if request.frames < 1:
            raise RenderError(f"shot {shot.id}: a clip needs at least 1 frame, got {request.frames}")
        if not Path(request.keyframe).is_file():
            raise RenderError(f"shot {shot.id}: keyframe {request.keyframe} does not exist")
        pipe = self.pipeline()
        step = self.frame_step(pipe)
        keyframe = Image.open(request.keyframe).convert("RGB")

        # 2. Chunk by chunk, each conditioned on the frames before it, down the OOM ladder if the GPU runs out
        def attempt(degrade: Degrade) -> list[np.ndarray]:
            width, height = self.size(request, degrade)
            longest = max(step + 1, int(self.max_frames * degrade.frames))
            overlap = max(1, min(self.overlap, longest - step))  # each chunk adds at least `step` new frames
            conditioning = [keyframe.resize((width, height), Image.Resampling.LANCZOS)]
            made: list[np.ndarray] = []
            for i, length in enumerate(chunk_lengths(request.frames, longest, step, overlap)):
                chunk = self.generate(pipe, conditioning, length, width, height, request.fps, shot.prompt,
                                      shot.seed + i)
                if made:  # the chunk starts on the frames it continues: blend them, then go on
                    shared = min(overlap, len(made), len(chunk))
                    made[-shared:] = crossfade(made[-shared:], chunk[:shared])
                    chunk = chunk[shared:]
                made += chunk
                conditioning = [Image.fromarray(f) for f in made[-overlap:]]
            return made[: request.frames]

        frames = self.models.run(f"shot {shot.id}", self.model_key, attempt)

        # 3. Exactly the frames the timeline asked for (invariant 7), at the generation size
        height, width = frames[0].shape[:2]
        with FrameWriter(out, request.fps, width, height) as writer:
            for frame in frames:
                writer.write(frame)
        got = count_frames(out)
        if got != request.frames:
            raise RenderError(f"shot {shot.id}: video has {got} frames, expected {request.frames}")


def to_frames(video: Any) -> list[np.ndarray]:
    """A pipeline's `frames[0]` (PIL images, or a float array in [0, 1]) as uint8 RGB arrays."""
    if isinstance(video, np.ndarray):
        return [np.round(np.clip(f, 0, 1) * 255).astype(np.uint8) for f in video]
    return [np.asarray(f.convert("RGB")) for f in video]
