"""WAV files for every audio module: whole-file helpers for clips, and streaming ones for film-length stems.

Everything shotgraph writes is 32-bit float WAV (format tag 3). The reader also accepts 16/24/32-bit PCM and
64-bit float, plain or WAVE_FORMAT_EXTENSIBLE, so user-supplied clips load too. Samples are float32, shaped
(frames,) for mono and (frames, channels) otherwise.

A film's stems do not fit in memory, so `WavWriter` writes the header first and appends blocks, patching the
sizes on close, and `read_wav_blocks` reads one block of the file at a time.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import numpy as np

from shotgraph.errors import ShotgraphError

_PCM, _FLOAT, _EXTENSIBLE = 1, 3, 0xFFFE


class WavError(ShotgraphError):
    """A WAV file that cannot be read: names the file and what is wrong with it."""


@dataclass(frozen=True)
class WavLayout:
    """Where a WAV file's samples are and how they are stored."""

    frames: int
    channels: int
    sample_rate: int
    dtype: np.dtype  # little-endian storage dtype of one sample
    data_offset: int  # byte offset of the first sample

    @property
    def frame_bytes(self) -> int:
        return self.channels * self.dtype.itemsize


def wav_layout(path: str | Path) -> WavLayout:
    """Parse the RIFF header only (never the samples)."""
    path = Path(path)
    with path.open("rb") as f:
        riff = f.read(12)
        if len(riff) < 12 or riff[:4] != b"RIFF" or riff[8:12] != b"WAVE":
            raise WavError(f"{path}: not a RIFF/WAVE file")
        fmt: tuple[int, int, int, int] | None = None
        while True:
            head = f.read(8)
            if len(head) < 8:
                raise WavError(f"{path}: no 'data' chunk")
            chunk_id, size = head[:4], struct.unpack("<I", head[4:])[0]
            if chunk_id == b"fmt ":
                body = f.read(size + (size & 1))
                tag, channels, rate = struct.unpack("<HHI", body[:8])
                bits = struct.unpack("<H", body[14:16])[0]
                if tag == _EXTENSIBLE and size >= 40:
                    tag = struct.unpack("<H", body[24:26])[0]
                fmt = (tag, channels, rate, bits)
            elif chunk_id == b"data":
                if fmt is None:
                    raise WavError(f"{path}: 'data' chunk before 'fmt ' chunk")
                tag, channels, rate, bits = fmt
                dtype = _storage_dtype(path, tag, bits)
                offset = f.tell()
                available = path.stat().st_size - offset
                if size == 0xFFFFFFFF or size > available:  # unfinished or streamed header: trust the file
                    size = available
                frame_bytes = channels * dtype.itemsize
                return WavLayout(size // frame_bytes, channels, rate, dtype, offset)
            else:
                f.seek(size + (size & 1), 1)


def _storage_dtype(path: Path, tag: int, bits: int) -> np.dtype:
    if tag == _FLOAT and bits in (32, 64):
        return np.dtype(f"<f{bits // 8}")
    if tag == _PCM and bits in (16, 32):
        return np.dtype(f"<i{bits // 8}")
    if tag == _PCM and bits == 24:
        return np.dtype("V3")
    raise WavError(f"{path}: unsupported WAV encoding (format tag {tag}, {bits} bits); "
                   "expected float32/64 or 16/24/32-bit PCM")


def wav_info(path: str | Path) -> tuple[int, int, int]:
    """(frames, channels, sample_rate) from the header alone."""
    layout = wav_layout(path)
    return layout.frames, layout.channels, layout.sample_rate


def _to_float32(raw: np.ndarray, dtype: np.dtype) -> np.ndarray:
    if dtype.kind == "f":
        return raw.astype(np.float32, copy=False)
    if dtype.kind == "V":  # 24-bit PCM: widen to int32 with the sample in the top three bytes
        b = np.frombuffer(raw.tobytes(), dtype=np.uint8).reshape(-1, 3)
        wide = np.zeros((len(b), 4), dtype=np.uint8)
        wide[:, 1:] = b
        return (wide.view("<i4")[:, 0] / 2.0**31).astype(np.float32).reshape(raw.shape)
    return (raw / float(2 ** (8 * dtype.itemsize - 1))).astype(np.float32)


def read_frames(path: str | Path, start: int, count: int, layout: WavLayout | None = None) -> np.ndarray:
    """Frames [start, start+count) as float32 (count, channels), reading only that part of the file."""
    layout = layout or wav_layout(path)
    start = max(0, start)
    count = max(0, min(count, layout.frames - start))
    if count == 0:
        return np.zeros((0, layout.channels), dtype=np.float32)
    # read() into one buffer, not a memmap: mapping costs a page fault per 4 KiB, three times the copy itself
    raw = np.empty(count * layout.frame_bytes, dtype=np.uint8)
    with open(path, "rb") as f:
        f.seek(layout.data_offset + start * layout.frame_bytes)
        got = f.readinto(raw)
    if got != len(raw):
        raise WavError(f"{path}: the file ends inside frames [{start}, {start + count}) its header promises")
    return _to_float32(raw.view(layout.dtype).reshape(count, layout.channels), layout.dtype)


def read_wav(path: str | Path) -> tuple[np.ndarray, int]:
    """The whole file as float32, (frames,) for mono or (frames, channels), and its sample rate."""
    layout = wav_layout(path)
    samples = read_frames(path, 0, layout.frames, layout)
    return (samples[:, 0] if layout.channels == 1 else samples), layout.sample_rate


def read_wav_blocks(path: str | Path, block_frames: int) -> Iterator[np.ndarray]:
    """Yield float32 (frames, channels) blocks of `block_frames` (the last one shorter); one block in memory."""
    if block_frames <= 0:
        raise ValueError(f"block_frames must be positive, got {block_frames}")
    layout = wav_layout(path)
    for start in range(0, layout.frames, block_frames):
        yield read_frames(path, start, block_frames, layout)


class WavWriter:
    """Append float32 frames to a WAV file; the header's sizes are patched on close.

    with WavWriter(path, 48000, channels=2) as w:
        w.write(block)  # (frames, 2) or (frames,) for mono
    """

    def __init__(self, path: str | Path, sample_rate: int, channels: int):
        if channels < 1 or sample_rate < 1:
            raise ValueError(f"{path}: need channels >= 1 and sample_rate >= 1, got {channels}, {sample_rate}")
        self.path = Path(path)
        self.sample_rate = sample_rate
        self.channels = channels
        self.frames = 0
        self._file = self.path.open("wb")
        self.data_offset = self._file.write(self._header())  # byte where the samples start

    def _header(self) -> bytes:
        data_bytes = self.frames * self.channels * 4
        if data_bytes > 0xFFFFFFFF - 64:
            raise WavError(f"{self.path}: more than 4 GiB of samples does not fit a RIFF WAV file")
        fmt = struct.pack("<HHIIHHH", _FLOAT, self.channels, self.sample_rate, self.sample_rate * self.channels * 4,
                          self.channels * 4, 32, 0)
        fact = struct.pack("<I", self.frames)
        body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"fact" + struct.pack("<I", 4) + fact
        return b"RIFF" + struct.pack("<I", len(body) + 8 + data_bytes) + body + b"data" + struct.pack("<I", data_bytes)

    def write(self, samples: np.ndarray) -> None:
        block = np.asarray(samples, dtype="<f4")
        if block.ndim == 1:
            block = block[:, None]
        if block.ndim != 2 or block.shape[1] != self.channels:
            raise ValueError(f"{self.path}: expected (frames, {self.channels}) samples, got shape {samples.shape}")
        self._file.write(memoryview(np.ascontiguousarray(block)))  # not tobytes(): a film's worth of copies
        self.frames += block.shape[0]

    def flush(self) -> int:
        """Hand what was written to the file, for a reader following it; returns the byte where the samples end."""
        self._file.flush()
        return self.data_offset + self.frames * self.channels * 4

    def close(self) -> None:
        if self._file.closed:
            return
        self._file.seek(0)
        self._file.write(self._header())
        self._file.close()

    def __enter__(self) -> WavWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def write_wav(path: str | Path, samples: np.ndarray, sample_rate: int) -> None:
    """Write (frames,) mono or (frames, channels) samples as a 32-bit float WAV."""
    samples = np.asarray(samples, dtype=np.float32)
    channels = 1 if samples.ndim == 1 else samples.shape[1]
    with WavWriter(path, sample_rate, channels) as writer:
        writer.write(samples)


def resample(samples: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """Band-limited polyphase resampling along the first axis (float32 in, float32 out)."""
    from scipy.signal import resample_poly

    if from_rate == to_rate:
        return np.asarray(samples, dtype=np.float32)
    g = math.gcd(int(from_rate), int(to_rate))
    return resample_poly(samples, to_rate // g, from_rate // g, axis=0).astype(np.float32)
