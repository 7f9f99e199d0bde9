"""The mix: dialogue, music and effects placed on the film's timeline, music and effects ducked under the words
(deeper where a line would still be crowded, and quiet lines lifted: intelligibility.py), the sum normalised to the profile's loudness with its true peak under the ceiling.

A feature film does not fit in memory, so everything runs in blocks (`BLOCK_S`):

1. Pass 1 builds each block of the three stems from the clips that overlap it, ducks the music with a sidechain
   on the dialogue (envelope state carried from block to block), appends the block to each stem's WAV and feeds
   the block's sum to a streaming BS.1770 meter (on a second thread, while the next block is built).
2. The gain that brings that sum to the target loudness, allowing for what the limiter will take (a model of
   it over 10 ms hops of the sum), is computed.
3. Pass 2 reads the stems back a block at a time (plus a little context on each side), applies the gain and,
   where the true peak would pass the ceiling, a look-ahead limiter; it writes the mix and measures it again.
   If limiting still pulled the loudness off target, pass 2 runs again with the gain corrected. When asked,
   ffmpeg encodes each pass's mix as it is written, on the other core; a pass done again stops its encoder.

Pass 2 also writes the delivered stems: each stem with the mix's master gain and the limiter's gain, so the
dialogue, music and effects stems sum to the printed mix, sample for sample. Only the AAC encode is on the mix
alone.
"""

from __future__ import annotations

import logging
import math
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shotgraph.audio.intelligibility import duck_depth, line_lifts
from shotgraph.audio.limiter import (LIMITER_HOLD_S, LIMITER_MARGIN_DB, LIMITER_RAMP_S, LimiterModel, amplitude,
                                    limit_gain)
from shotgraph.audio.live_encoding import CHANNELS, LiveEncoding
from shotgraph.audio.loudness import LoudnessMeter, sample_peaks
from shotgraph.audio.wav import WavLayout, WavWriter, read_frames, read_wav, resample, wav_layout, write_wav
from shotgraph.config import MixSettings, OutputSettings
from shotgraph.errors import RenderError
from shotgraph.render.timing import Timing

log = logging.getLogger(__name__)

BLOCK_S = 10.0  # seconds per processing block: ~4 MB per stereo stem block at 48 kHz

# sidechain: music ducks while the dialogue stem is above the threshold
DUCK_THRESHOLD_DB = -50.0  # RMS of a 10 ms hop of the dialogue stem, dBFS
DUCK_LOOKAHEAD_S = 0.10  # offline, so the duck can start before the first word instead of clipping it
DUCK_ATTACK_S = 0.05  # time constants of the envelope follower
DUCK_HOLD_S = 0.20  # bridges the gaps between words so music does not pump inside a sentence
DUCK_RELEASE_S = 0.30
HOP_S = 0.01

LOUDNESS_TOLERANCE_LU = 0.1  # pass 2 is repeated (at most MAX_PASSES times) until the mix is this close
MAX_PASSES = 4


@dataclass(frozen=True)
class Placement:
    """A clip on the film's timeline: WAV file, start in seconds, gain relative to its track.

    `seconds` plays only the clip's first seconds: a score cue is rendered for a rounded-up length, so a scene
    that grows a little reuses it, and the mix cuts it to the scene. `fade` ramps both edges of what plays.
    """

    path: Path
    start: float
    gain_db: float = 0.0
    seconds: float | None = None  # None: the whole file
    fade: float = 0.0  # seconds of equal-power fade in at the start and out at the end


@dataclass(frozen=True)
class MixResult:
    dialogue: Path  # stereo stems, before the master gain
    music: Path
    effects: Path
    mix: Path  # the delivered stereo mix
    integrated_lufs: float
    true_peak_dbtp: float
    duration: float  # seconds; exactly round(timing.duration * sample_rate) frames
    gain_db: float  # master gain from the stems' sum to the mix (before limiting)
    limited_db: float  # deepest gain reduction of the limiter; 0.0 when it never acted
    encoded: Path | None = None  # the mix encoded with `mix_film`'s `encode` options, when it was given some


@dataclass(frozen=True)
class _Clip:
    path: Path
    layout: WavLayout
    start: int  # frame on the film's timeline
    gain: float  # linear
    frames: int  # how much of the file plays
    fade: int  # frames of each edge's ramp

    @property
    def end(self) -> int:
        return self.start + self.frames

    def envelope(self, first: int, count: int) -> np.ndarray:
        """(count, 1) gains of the clip's frames [first, first + count): the edge ramps, 1 in between."""
        position = np.arange(first, first + count, dtype=np.float64)
        ramp = np.minimum(1.0, np.minimum(position + 0.5, self.frames - position - 0.5) / self.fade)
        return np.sin(0.5 * np.pi * ramp).astype(np.float32)[:, None]


class _Track:
    """Clips of one stem, sorted by start, rendered for any range of the timeline."""

    def __init__(self, name: str, placements: list[Placement], gain_db: float, rate: int, scratch: Path):
        self.name = name
        clips = []
        for i, p in enumerate(placements):
            path = Path(p.path)
            try:
                layout = wav_layout(path)
            except FileNotFoundError:
                raise RenderError(f"mix: {name} clip {path} does not exist") from None
            if layout.channels > CHANNELS:
                raise RenderError(f"mix: {name} clip {path} has {layout.channels} channels; expected mono or stereo")
            if layout.sample_rate != rate:  # clips are scene-long at most: resampling one in memory is fine
                samples, source_rate = read_wav(path)
                path = scratch / f"{name}-{i:05d}-{rate}.wav"
                write_wav(path, resample(samples, source_rate, rate), rate)
                log.info("mix: resampled %s from %d Hz to %d Hz", p.path, source_rate, rate)
                layout = wav_layout(path)
            frames = layout.frames if p.seconds is None else int(round(p.seconds * rate))
            if frames > layout.frames:
                raise RenderError(f"mix: {name} clip {p.path} is {layout.frames / rate:.3f} s long; "
                                  f"asked to play {p.seconds:.3f} s of it")
            fade = min(int(round(p.fade * rate)), frames // 2)
            clips.append(_Clip(path, layout, int(round(p.start * rate)), amplitude(gain_db + p.gain_db), frames, fade))
        self.clips = sorted(clips, key=lambda c: c.start)

    def render(self, start: int, frames: int) -> np.ndarray:
        """(frames, 2) float32 of the timeline [start, start + frames)."""
        out = np.zeros((frames, CHANNELS), dtype=np.float32)
        end = start + frames
        for clip in self.clips:
            if clip.start >= end:
                break
            if clip.end <= start:
                continue
            lo, hi = max(start, clip.start), min(end, clip.end)
            samples = read_frames(clip.path, lo - clip.start, hi - lo, clip.layout) * clip.gain
            if clip.fade and (lo - clip.start < clip.fade or clip.end - hi < clip.fade):
                samples *= clip.envelope(lo - clip.start, hi - lo)
            out[lo - start: hi - start] += samples  # mono broadcasts to both channels
        return out


class _Ducker:
    """Sidechain gain for the music and effects from the dialogue stem, one 10 ms hop at a time, state carried
    across blocks."""

    def __init__(self, rate: int):
        self.hop = max(1, int(round(HOP_S * rate)))
        hop_s = self.hop / rate
        self.attack = math.exp(-hop_s / DUCK_ATTACK_S)
        self.release = math.exp(-hop_s / DUCK_RELEASE_S)
        self.hold_hops = int(round(DUCK_HOLD_S / hop_s))
        self.lookahead = int(round(DUCK_LOOKAHEAD_S * rate))
        self.threshold = amplitude(DUCK_THRESHOLD_DB) ** 2
        self._envelope = 0.0
        self._last_active = -self.hold_hops  # hop of the latest word, counted from the next block's first hop
        self._last_gain = 1.0

    def gains(self, sidechain: np.ndarray, depth_db: np.ndarray) -> np.ndarray:
        """Per-sample gain for a block whose dialogue, read `lookahead` frames ahead, is `sidechain`; `depth_db`
        is the duck's depth at each hop."""
        frames = len(sidechain)
        hops = -(-frames // self.hop)
        padded = np.zeros((hops * self.hop, sidechain.shape[1]), dtype=np.float64)
        padded[:frames] = sidechain
        power = np.mean(padded.reshape(hops, self.hop, -1) ** 2, axis=(1, 2))
        # the duck is down while a word is sounding or was, within the hold
        hop = np.arange(hops)
        last_active = np.maximum.accumulate(np.where(power > self.threshold, hop, self._last_active))
        down = hop - last_active < self.hold_hops
        self._last_active = int(last_active[-1]) - hops
        # the envelope runs towards 1 (down) or 0 at a fixed rate per hop: closed form over each run of `down`
        envelope = np.empty(hops)
        env = self._envelope
        edges = [0, *(np.flatnonzero(np.diff(down)) + 1), hops]
        for lo, hi in zip(edges[:-1], edges[1:]):
            target, rate = (1.0, self.attack) if down[lo] else (0.0, self.release)
            envelope[lo:hi] = target + (env - target) * rate ** np.arange(1, hi - lo + 1)
            env = float(envelope[hi - 1])
        self._envelope = env
        hop_gain = 10.0 ** (depth_db * envelope / 20.0)
        # each hop's gain is reached at its last sample; interpolate linearly from the previous one
        positions = np.concatenate([[-1.0], np.arange(1, hops + 1) * self.hop - 1.0])
        gain = np.interp(np.arange(frames), positions, np.concatenate([[self._last_gain], hop_gain]))
        self._last_gain = float(np.interp(frames - 1.0, positions, np.concatenate([[self._last_gain], hop_gain])))
        return gain


def _fade_out(start: int, frames: int, fade_from: int, total: int) -> np.ndarray:
    """Gains of samples [start, start + frames): 1 before `fade_from`, then a raised cosine down to 0 at `total`."""
    at = np.arange(start, start + frames, dtype=np.float64)
    progress = np.clip((at - fade_from) / max(1, total - fade_from), 0.0, 1.0)
    return (0.5 + 0.5 * np.cos(np.pi * progress)).astype(np.float32)


def _write_and_meter(blocks: tuple[np.ndarray, ...], writers: list[WavWriter], premix: LoudnessMeter,
                model: LimiterModel) -> None:
    """Pass 1's second half of a block: write each stem, meter their sum and note it for the limiter model."""
    for writer, samples in zip(writers, blocks):
        writer.write(samples)
    summed = blocks[0].astype(np.float64) + blocks[1] + blocks[2]
    model.add(premix.add(summed), summed)


def _largest(x: np.ndarray) -> float:
    return float(max(np.abs(x[:, c]).max(initial=0.0) for c in range(x.shape[1])))


def _stem_blocks(stems: list[tuple[Path, WavLayout]], start: int, frames: int, total: int) -> list[np.ndarray]:
    """Each stem over [start, start + frames), silence outside the film."""
    out = [np.zeros((frames, CHANNELS), dtype=np.float64) for _ in stems]
    lo, hi = max(0, start), min(total, start + frames)
    if hi > lo:
        for block, (path, layout) in zip(out, stems):
            block[lo - start: hi - start] = read_frames(path, lo, hi - lo, layout)
    return out


def mix_film(timing: Timing, music: list[Placement], effects: list[Placement], out_dir: Path,
             output: OutputSettings, mix: MixSettings, encode: list[str] | None = None,
             while_encoding: Callable[[MixResult], None] | None = None) -> MixResult:
    """Write the dialogue, music and effects stems and the normalised stereo mix into `out_dir`.

    `encode`: ffmpeg output options (an audio codec) to encode the mix with, into `mix.m4a`, while the mix is
    being written. The encoder ends a little after the mix: `while_encoding` is given the result, every file in it
    final but `encoded`, to use that time (the caller stores the stems).
    """
    # 1. Check inputs and lay the clips out
    rate = output.sample_rate
    total = int(round(timing.duration * rate))
    if total <= 0:
        raise RenderError(f"mix: the film is {timing.duration:.3f} s long; nothing to mix")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    lifts = line_lifts([Path(line.audio) for line in timing.lines])  # a whisper is heard
    lines = [Placement(Path(line.audio), line.start, gain_db=lift) for line, lift in zip(timing.lines, lifts)]
    dialogue = _Track("dialogue", lines, 0.0, rate, out_dir)
    score = _Track("music", music, mix.music_db, rate, out_dir)
    sound = _Track("effects", effects, mix.effects_db, rate, out_dir)
    depth = duck_depth([(round(line.start * rate), round(line.duration * rate)) for line in timing.lines],
                       dialogue.render, lambda first, count: score.render(first, count) + sound.render(first, count),
                       mix.duck_db, rate)
    paths = {name: out_dir / f"{name}.wav" for name in ("dialogue", "music", "effects", "mix")}
    encoded = out_dir / "mix.m4a" if encode is not None else None
    ducker = _Ducker(rate)
    block = ducker.hop * max(1, round(BLOCK_S * rate / ducker.hop))  # whole hops: the sidechain never re-anchors

    # 2. Pass 1: stems, ducking, loudness of their sum
    fade_from = total - round(timing.ending_frames / timing.fps * rate) if timing.ending_frames else total
    premix = LoudnessMeter(rate, CHANNELS)
    model = LimiterModel(ducker.hop, rate)
    writers = [WavWriter(paths[name], rate, CHANNELS) for name in ("dialogue", "music", "effects")]
    # each block is written and metered on another thread (the other core) while the next is made; one in flight
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="mix-stems") as taker:
            pending = None
            for start in range(0, total, block):
                frames = min(block, total - start)
                speech = dialogue.render(start, frames + ducker.lookahead)
                words, sidechain = speech[:frames], speech[ducker.lookahead:]
                # music, ambience and effects all duck under the words
                duck = ducker.gains(sidechain, depth.per_hop(start, -(-frames // ducker.hop), ducker.hop))
                tune = score.render(start, frames) * duck[:, None].astype(np.float32)
                fx = sound.render(start, frames) * duck[:, None].astype(np.float32)
                if start + frames > fade_from:  # the closing fade out: the stems fade with the picture
                    fade = _fade_out(start, frames, fade_from, total)[:, None]
                    words, tune, fx = words * fade, tune * fade, fx * fade
                if pending is not None:
                    pending.result()
                pending = taker.submit(_write_and_meter, (words, tune, fx), writers, premix, model)
            pending.result()
    finally:
        for writer in writers:
            writer.close()
    stems = [(paths[name], wav_layout(paths[name])) for name in ("dialogue", "music", "effects")]

    # 3. The master gain, allowing for what the limiter will take
    ceiling_db = output.true_peak_dbtp - LIMITER_MARGIN_DB
    loudness = premix.integrated()
    if math.isinf(loudness):
        log.warning("mix: the film is silent (below %.0f LUFS); no gain applied", -70.0)
        gain_db = 0.0
    else:
        gain_db = model.gain_db(output.loudness_lufs, output.loudness_lufs - loudness, amplitude(ceiling_db))

    # 4. Pass 2: gain, limiter, the mix; repeated while limiting pulls the loudness off target
    encoding: LiveEncoding | None = None
    try:
        for attempt in range(1, MAX_PASSES + 1):
            if encoding is not None:
                encoding.stop()  # that pass is redone
            measured, peak, limited, encoding = _write_mix(paths["mix"], stems, total, rate, block, amplitude(gain_db),
                                                           amplitude(ceiling_db), encode, encoded)
            off = output.loudness_lufs - measured
            too_loud = peak - output.true_peak_dbtp
            log.debug("mix pass %d: gain %.2f dB, %.2f LUFS, %.2f dBTP, limiter %.2f dB", attempt, gain_db, measured,
                      peak, limited)
            if math.isinf(measured) or (abs(off) <= LOUDNESS_TOLERANCE_LU and too_loud <= 0.0):
                break
            gain_db += off
            if too_loud > 0.0:
                ceiling_db -= too_loud + 0.05
        else:
            log.warning("mix: after %d passes the mix is %.2f LUFS (target %.1f), %.2f dBTP (ceiling %.1f)",
                        MAX_PASSES, measured, output.loudness_lufs, peak, output.true_peak_dbtp)
        for (path, _), printed in zip(stems, _printed(stems)):  # DME stems that sum to the printed mix
            printed.replace(path)
        result = MixResult(dialogue=paths["dialogue"], music=paths["music"], effects=paths["effects"],
                           mix=paths["mix"], integrated_lufs=measured, true_peak_dbtp=peak, duration=total / rate,
                           gain_db=gain_db, limited_db=limited, encoded=encoded)
        if while_encoding is not None:
            while_encoding(result)
    except BaseException:  # the encoder of the last pass is stopped, whatever failed after it started
        if encoding is not None:
            encoding.stop()
        raise
    if encoding is not None:
        encoding.finish()
    return result


def _printed(stems: list[tuple[Path, WavLayout]]) -> list[Path]:
    """Where pass 2 writes each stem as printed: with the master gain and the limiter's gain."""
    return [path.with_name(f".{path.name}.printed") for path, _ in stems]


def _write_mix(path: Path, stems: list[tuple[Path, WavLayout]], total: int, rate: int, block: int, gain: float,
               ceiling: float, encode: list[str] | None, encoded: Path | None
               ) -> tuple[float, float, float, LiveEncoding | None]:
    """One pass 2: returns the mix's integrated loudness, true peak (dBTP), deepest limiting (dB) and, with
    `encode`, its encoding into `encoded`, still running.

    Each block is read with `context` frames either side, so the limiter sees peaks coming and the true peak
    of the block's own samples is exact; the same oversampled peaks serve the limiter and the meter. Only the
    samples that could pass the ceiling, or the film's peak so far and the block's largest sample, are
    oversampled (`sample_peaks`' `above`).
    """
    context = int(LIMITER_HOLD_S * rate) + 4 * int(LIMITER_RAMP_S * rate) + 64
    loudness = LoudnessMeter(rate, CHANNELS)
    peak, deepest = 0.0, 1.0
    encoding = None
    printed = [WavWriter(stem, rate, CHANNELS) for stem in _printed(stems)]
    try:
        with WavWriter(path, rate, CHANNELS) as writer:
            if encode is not None:
                encoding = LiveEncoding(path, writer.data_offset, encoded, rate, encode)
            for start in range(0, total, block):
                frames = min(block, total - start)
                middle = slice(context, context + frames)
                parts = _stem_blocks(stems, start - context, frames + 2 * context, total)
                x = sum(parts) * gain
                g = np.ones(len(x))
                # exact over the ceiling for the limiter and, for the meter, over the film's peak so far or, if
                # higher, the block's largest sample (a true peak below that is not the film's)
                peaks = sample_peaks(x, above=min(ceiling, max(peak, _largest(x[middle]))))
                if float(peaks.max()) > ceiling:
                    g = limit_gain(peaks, ceiling, rate)
                    deepest = min(deepest, float(g[middle].min()))
                    x *= g[:, None]
                    peaks = sample_peaks(x, above=max(peak, _largest(x[middle])))
                y = x[middle].astype(np.float32)
                writer.write(y)
                for stem, part in zip(printed, parts):
                    stem.write((part[middle] * (gain * g[middle])[:, None]).astype(np.float32))
                if encoding is not None:
                    encoding.written(writer.flush())
                loudness.add(y)
                peak = max(peak, float(peaks[middle].max()))
        if encoding is not None:
            encoding.written(None)
    except BaseException:
        if encoding is not None:
            encoding.stop()
        raise
    finally:
        for stem in printed:
            stem.close()
    peak_db = 20.0 * math.log10(peak) if peak > 0 else float("-inf")
    return loudness.integrated(), peak_db, max(0.0, -20.0 * math.log10(deepest)), encoding
