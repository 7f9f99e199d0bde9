"""audio/mix.py, loudness.py, wav.py: a small film mixed for real and measured (pyloudnorm, scipy)."""

from __future__ import annotations

import logging
import re
import subprocess
import tracemalloc
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
from scipy.signal import resample_poly

from shotgraph.audio import mix as mix_module
from shotgraph.audio.loudness import LoudnessMeter, TruePeakMeter, integrated_loudness, sample_peaks, true_peak
from shotgraph.audio.mix import MixResult, Placement, mix_film
from shotgraph.audio.wav import WavWriter, read_wav, read_wav_blocks, wav_info, write_wav
from shotgraph.config import MixSettings, OutputSettings
from shotgraph.director.plan import TransitionKind
from shotgraph.errors import RenderError
from shotgraph.media.encoding import AUDIO_CODEC_ARGS, ffmpeg_exe
from shotgraph.render.timing import LinePlacement, SceneTiming, ShotTiming, Timing

RATE = 48000
FPS = 24
FILM_FRAMES = 24 * 12 + 7  # 12.29 s: not a whole number of seconds or blocks
LINES = [(2.0, 2.5), (7.0, 2.0)]  # (start, duration) in seconds


def _speech(seconds: float, rate: int, seed: int) -> np.ndarray:
    """Band-limited noise in 150 ms syllables with 100 ms gaps: stands in for a recorded line."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    noise = np.convolve(rng.standard_normal(n), np.hanning(9) / 4, mode="same")
    t = np.arange(n) / rate
    syllables = (t % 0.25) < 0.15
    return (0.25 * noise * syllables).astype(np.float32)


def _timing(tmp_path: Path, rate: int = RATE, frames: int = FILM_FRAMES, lines=LINES) -> Timing:
    placements = []
    for i, (start, seconds) in enumerate(lines):
        line_rate = 24000 if i == 1 else rate  # one line recorded at another rate: the mixer resamples it
        path = tmp_path / f"line{i}.wav"
        write_wav(path, _speech(seconds, line_rate, i), line_rate)
        placements.append(LinePlacement(line_id=f"sc001-e{i:03d}", shot_id="sh001", character="ANNA", text="-",
                                        start=start, duration=seconds, audio=str(path)))
    return Timing(fps=FPS, sample_rate=rate, title_frames=0,
                  shots=[ShotTiming(shot_id="sh001", scene_id="sc001", start_frame=0, frames=frames,
                                    transition=TransitionKind.CUT)],
                  scenes=[SceneTiming(scene_id="sc001", heading="INT. ROOM - DAY", start_frame=0, frames=frames)],
                  lines=placements)


def _beds(tmp_path: Path, seconds: float, rate: int = RATE, transient: bool = False) -> tuple[list, list]:
    t = np.arange(int(seconds * rate)) / rate
    chord = sum(np.sin(2 * np.pi * f * t) for f in (220.0, 277.2, 329.6)) * 0.1
    music = np.stack([chord, np.roll(chord, 200)], axis=1).astype(np.float32)
    write_wav(tmp_path / "music.wav", music, rate)
    rng = np.random.default_rng(7)
    room = (np.cumsum(rng.standard_normal(len(t))) * 0.0005)
    room = (room - np.convolve(room, np.ones(999) / 999, mode="same")).astype(np.float32)
    write_wav(tmp_path / "room.wav", room, rate)
    effects = [Placement(tmp_path / "room.wav", 0.0)]
    if transient:  # a door slam far louder than anything else: the limiter has to catch it
        slam = np.zeros(int(0.3 * rate), dtype=np.float32)
        slam[: int(0.02 * rate)] = np.hanning(int(0.02 * rate)) * 0.95
        tail = np.arange(int(0.3 * rate))
        slam += (0.3 * rng.standard_normal(len(tail)) * np.exp(-tail / 2000)).astype(np.float32)
        write_wav(tmp_path / "slam.wav", slam, rate)
        effects.append(Placement(tmp_path / "slam.wav", 5.0, gain_db=6.0))
    return [Placement(tmp_path / "music.wav", 0.0)], effects


def _mix(tmp_path: Path, lufs: float = -16.0, transient: bool = False, rate: int = RATE,
         encode: list[str] | None = None) -> tuple[Timing, MixResult]:
    timing = _timing(tmp_path, rate)
    music, effects = _beds(tmp_path, timing.duration + 1.0, rate, transient)
    output = OutputSettings(sample_rate=rate, loudness_lufs=lufs, true_peak_dbtp=-1.0)
    return timing, mix_film(timing, music, effects, tmp_path / "mix", output, MixSettings(), encode=encode)


def _decoded(path: Path) -> np.ndarray:
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "2", "-ar", str(RATE),
                          "-"], check=True, capture_output=True).stdout
    return np.frombuffer(raw, dtype=np.float32).reshape(-1, 2)


def _passes(caplog) -> int:
    return sum(r.getMessage().startswith("mix pass ") for r in caplog.records)


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    monkeypatch.setattr(mix_module, "BLOCK_S", 1.7)  # several blocks, with clips across their edges


def _rms_db(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(np.asarray(x, dtype=np.float64) ** 2)))


@pytest.mark.parametrize("lufs", [-16.0, -23.0])
def test_mix_has_exact_length_target_loudness_and_true_peak(tmp_path, lufs):
    timing, result = _mix(tmp_path, lufs)
    frames = round(timing.duration * RATE)
    for path in (result.mix, result.dialogue, result.music, result.effects):
        assert wav_info(path) == (frames, 2, RATE)
    assert result.duration == pytest.approx(frames / RATE)
    mixed, _ = read_wav(result.mix)
    assert abs(pyloudnorm.Meter(RATE).integrated_loudness(mixed) - lufs) < 0.5
    assert abs(result.integrated_lufs - lufs) < 0.15
    assert result.true_peak_dbtp <= -1.0 and true_peak(mixed) <= -1.0
    assert 20 * np.log10(np.abs(resample_poly(mixed, 4, 1, axis=0)).max()) <= -0.95


def test_stems_are_at_the_mix_gain_and_sum_to_the_printed_mix(tmp_path):
    _, result = _mix(tmp_path)
    assert result.limited_db == 0.0 and result.gain_db != 0.0
    stems = sum(read_wav(p)[0].astype(np.float64) for p in (result.dialogue, result.music, result.effects))
    mixed, _ = read_wav(result.mix)
    np.testing.assert_allclose(mixed, stems, atol=2e-5)
    residual = 20 * np.log10(np.sqrt(np.mean((mixed - stems) ** 2)) / np.sqrt(np.mean(mixed ** 2)))
    assert residual < -80  # sample by sample, where the limiter did not act
    meter = pyloudnorm.Meter(RATE)
    assert abs(meter.integrated_loudness(stems) - meter.integrated_loudness(mixed)) < 0.05


def test_where_the_limiter_acts_the_printed_stems_still_sum_to_the_mix(tmp_path):
    _, result = _mix(tmp_path, transient=True)
    assert result.limited_db > 1.0
    stems = sum(read_wav(p)[0].astype(np.float64) for p in (result.dialogue, result.music, result.effects))
    mixed, _ = read_wav(result.mix)
    np.testing.assert_allclose(mixed, stems, atol=2e-5)  # the limiter's gain rides on each stem too


def test_music_ducks_under_dialogue_by_the_duck_depth(tmp_path):
    _, result = _mix(tmp_path)
    music, _ = read_wav(result.music)
    during = music[int(2.6 * RATE): int(4.2 * RATE)]  # inside the first line
    between = music[int(6.0 * RATE): int(6.8 * RATE)]  # well after its release, before the next line
    before = music[int(0.5 * RATE): int(1.5 * RATE)]
    depth = MixSettings().duck_db
    assert _rms_db(during) - _rms_db(between) == pytest.approx(depth, abs=1.0)
    assert _rms_db(before) == pytest.approx(_rms_db(between), abs=0.3)
    # the duck is already down when the first word lands (look-ahead), and back up within a second
    assert _rms_db(music[int(2.0 * RATE): int(2.1 * RATE)]) - _rms_db(before) < depth / 2


def test_a_mix_the_limiter_works_hard_on_lands_on_target_in_one_pass(tmp_path, caplog):
    """Loud dialogue against a -1 dBTP ceiling: the gain allows for what the limiter takes before measuring."""
    caplog.set_level(logging.DEBUG, logger="shotgraph.audio.mix")
    _, result = _mix(tmp_path, lufs=-9.0)
    mixed, _ = read_wav(result.mix)
    assert result.limited_db > 6.0
    assert _passes(caplog) == 1
    assert abs(result.integrated_lufs + 9.0) <= mix_module.LOUDNESS_TOLERANCE_LU
    assert abs(pyloudnorm.Meter(RATE).integrated_loudness(mixed) + 9.0) < 0.2
    assert true_peak(mixed) <= -1.0


def test_the_mix_is_encoded_while_it_is_written(tmp_path):
    timing, result = _mix(tmp_path, encode=AUDIO_CODEC_ARGS)
    mixed, _ = read_wav(result.mix)
    heard = _decoded(result.encoded)
    assert len(heard) == len(mixed) == round(timing.duration * RATE)  # the MP4 trims the encoder's padding
    assert abs(integrated_loudness(heard, RATE) - result.integrated_lufs) < 0.2
    assert _rms_db(heard - mixed) < _rms_db(mixed) - 20  # sample-aligned with the WAV: only coding noise differs


def test_a_pass_done_again_keeps_only_the_last_encoding(tmp_path, caplog, monkeypatch):
    """Without the limiter model the first pass misses the target by far: its encoder is stopped, not kept."""
    caplog.set_level(logging.DEBUG, logger="shotgraph.audio.mix")
    monkeypatch.setattr(mix_module.LimiterModel, "gain_db", lambda self, target, gain, ceiling: gain)
    _, result = _mix(tmp_path, lufs=-9.0, encode=AUDIO_CODEC_ARGS)
    assert _passes(caplog) > 1
    first = float(re.search(r"mix pass 1: [^,]*, (-?[\d.]+) LUFS", caplog.text).group(1))
    final = integrated_loudness(read_wav(result.mix)[0], RATE)
    assert abs(first - final) > 1.0
    assert abs(integrated_loudness(_decoded(result.encoded), RATE) - final) < 0.2


def test_an_encoder_that_fails_is_named_with_its_message(tmp_path):
    with pytest.raises(RenderError, match=r"ffmpeg failed while encoding the mix into mix.m4a: .*nosuchcodec"):
        _mix(tmp_path, encode=["-c:a", "nosuchcodec"])


def test_a_loud_transient_is_limited_and_loudness_still_holds(tmp_path):
    _, result = _mix(tmp_path, transient=True)
    mixed, _ = read_wav(result.mix)
    assert result.limited_db > 1.0
    assert true_peak(mixed) <= -1.0 and result.true_peak_dbtp <= -1.0
    assert abs(pyloudnorm.Meter(RATE).integrated_loudness(mixed) + 16.0) < 0.5


@pytest.mark.parametrize("rate", [48000, 44100])
def test_streaming_loudness_matches_pyloudnorm(rate):
    rng = np.random.default_rng(3)
    t = np.arange(rate * 6) / rate
    x = np.stack([0.2 * np.sin(2 * np.pi * 440 * t) * (t > 2), 0.05 * rng.standard_normal(len(t))], axis=1)
    x[int(3 * rate): int(4 * rate)] *= 0.001  # a near-silent stretch the relative gate drops
    meter = LoudnessMeter(rate, 2)
    for start in range(0, len(x), 12_345):  # odd block size: state must carry over exactly
        meter.add(x[start: start + 12_345])
    assert meter.integrated() == pytest.approx(integrated_loudness(x, rate), abs=1e-9)
    assert meter.integrated() == pytest.approx(pyloudnorm.Meter(rate).integrated_loudness(x), abs=0.1)
    assert integrated_loudness(np.zeros((rate, 2)), rate) == float("-inf")


def test_true_peak_finds_inter_sample_peaks_across_blocks():
    rate = 48000
    n = np.arange(rate)
    x = (0.5 * np.sin(2 * np.pi * n / 4 + np.pi / 4))[:, None]  # samples at 0.354, the wave peaks at 0.5
    meter = TruePeakMeter(1)
    for start in range(0, len(x), 1000):
        meter.add(x[start: start + 1000])
    assert 20 * np.log10(np.abs(x).max()) == pytest.approx(-9.03, abs=0.01)
    assert meter.dbtp == pytest.approx(20 * np.log10(0.5), abs=0.15)


def test_peaks_oversampled_only_where_they_can_matter_are_exact_there():
    rng = np.random.default_rng(5)
    t = np.arange(200_000)
    bursts = rng.standard_normal((len(t), 2)) * (np.sin(t / 3000.0)[:, None] ** 8) * 0.4  # loud and quiet stretches
    everywhere = sample_peaks(bursts)
    for above in (0.05, 0.3, 10.0):
        sparse = sample_peaks(bursts, above=above)
        over = everywhere > above
        np.testing.assert_allclose(sparse[over], everywhere[over], rtol=1e-6)
        assert np.all(sparse <= np.minimum(everywhere, max(above, float(np.abs(bursts).max()))) + 1e-6)


def test_wav_streaming_round_trip(tmp_path):
    x = np.random.default_rng(0).standard_normal((10_000, 2)).astype(np.float32)
    with WavWriter(tmp_path / "s.wav", 8000, 2) as writer:
        for start in range(0, len(x), 3000):
            writer.write(x[start: start + 3000])
    assert wav_info(tmp_path / "s.wav") == (10_000, 2, 8000)
    blocks = list(read_wav_blocks(tmp_path / "s.wav", 4096))
    assert [len(b) for b in blocks] == [4096, 4096, 1808]
    np.testing.assert_array_equal(np.concatenate(blocks), x)
    from scipy.io import wavfile

    rate, data = wavfile.read(tmp_path / "s.wav")
    assert rate == 8000 and np.array_equal(data, x)


def test_cues_play_their_span_and_crossfade_at_equal_power(tmp_path):
    """Two cues rendered longer than they play, overlapping by a second: each is cut and faded by the mix."""
    timing = _timing(tmp_path, lines=[])
    steady = np.zeros((int(8.0 * RATE), 2), dtype=np.float32)
    steady[:, 0] = 0.1
    write_wav(tmp_path / "left.wav", steady, RATE)
    write_wav(tmp_path / "right.wav", steady[:, ::-1].copy(), RATE)
    music = [Placement(tmp_path / "left.wav", 0.0, seconds=6.0, fade=1.0),
             Placement(tmp_path / "right.wav", 5.0, seconds=timing.duration - 5.0, fade=1.0)]
    result = mix_film(timing, music, [], tmp_path / "mix", OutputSettings(sample_rate=RATE), MixSettings())
    stem, _ = read_wav(result.music)
    level = float(stem[3 * RATE, 0])
    left, right = stem[:, 0] / level, stem[:, 1] / level
    assert left[0] < 0.01 and right[-1] < 0.01  # faded in from silence at the start, out at the end
    assert np.all(left[6 * RATE:] == 0.0) and np.all(right[: 5 * RATE] == 0.0)  # each plays only its span
    join = slice(5 * RATE, 6 * RATE)
    np.testing.assert_allclose(left[join] ** 2 + right[join] ** 2, 1.0, atol=1e-3)  # no dip, no bump


def test_a_cue_asked_to_play_past_its_end_is_refused(tmp_path):
    timing = _timing(tmp_path)
    write_wav(tmp_path / "short.wav", np.zeros(RATE, dtype=np.float32), RATE)
    with pytest.raises(RenderError, match=r"short.wav is 1.000 s long; asked to play 2.000 s"):
        mix_film(timing, [Placement(tmp_path / "short.wav", 0.0, seconds=2.0)], [], tmp_path / "mix",
                 OutputSettings(sample_rate=RATE), MixSettings())


def test_missing_clip_is_named(tmp_path):
    timing = _timing(tmp_path)
    with pytest.raises(RenderError, match="nowhere.wav"):
        mix_film(timing, [Placement(tmp_path / "nowhere.wav", 0.0)], [], tmp_path / "mix",
                 OutputSettings(sample_rate=RATE), MixSettings())


def test_twenty_minutes_mix_in_bounded_memory(tmp_path, monkeypatch):
    monkeypatch.setattr(mix_module, "BLOCK_S", 10.0)
    rate, minutes = 8000, 20
    frames = FPS * 60 * minutes
    lines = [(s, 2.5) for s in np.arange(5.0, 60 * minutes - 5, 6.0)]
    timing = _timing(tmp_path, rate, frames, lines)
    music, effects = _beds(tmp_path, 300.0, rate)
    music = [Placement(p.path, start) for p in music for start in range(0, 60 * minutes, 300)]
    effects = [Placement(p.path, start) for p in effects for start in range(0, 60 * minutes, 300)]
    film_bytes = frames / FPS * rate * 2 * 4  # one stereo float32 copy of the film
    tracemalloc.start()
    try:
        result = mix_film(timing, music, effects, tmp_path / "mix", OutputSettings(sample_rate=rate), MixSettings())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert wav_info(result.mix)[0] == frames // FPS * rate
    assert abs(result.integrated_lufs + 16.0) < 0.15
    assert peak < film_bytes / 3, f"peak {peak / 1e6:.0f} MB for a {film_bytes / 1e6:.0f} MB film"


def test_a_whisper_under_a_loud_wind_is_lifted_and_the_wind_ducked_until_the_words_are_6_db_over_it(tmp_path):
    from shotgraph.audio.loudness import span_loudness

    timing = _timing(tmp_path, lines=[(1.0, 2.0), (4.5, 2.0), (8.0, 2.0)])
    whisper = tmp_path / "line2.wav"  # the last line, spoken 20 dB softer than the others
    samples, line_rate = read_wav(whisper)
    write_wav(whisper, samples * 0.1, line_rate)
    rng = np.random.default_rng(3)
    wind = np.convolve(rng.standard_normal(int(14 * RATE)), np.ones(40) / 40, mode="same").astype(np.float32)
    write_wav(tmp_path / "wind.wav", np.stack([wind, wind[::-1]], axis=1) * 0.6, RATE)
    output = OutputSettings(sample_rate=RATE, loudness_lufs=-16.0, true_peak_dbtp=-1.0)
    result = mix_film(timing, [], [Placement(tmp_path / "wind.wav", 0.0, gain_db=6.0)], tmp_path / "mix", output,
                      MixSettings())
    words, bed = read_wav(result.dialogue)[0], read_wav(result.effects)[0]
    for line in timing.lines:
        span = slice(round(line.start * RATE), round((line.start + line.duration) * RATE))
        assert span_loudness(words[span], RATE) - span_loudness(bed[span], RATE) >= 6.0, line.line_id
    heard = [span_loudness(words[round(at * RATE):round((at + 2.0) * RATE)], RATE) for at in (1.0, 4.5, 8.0)]
    # ~20 dB under the median line as spoken; about 6 in the mix (the limiter rides the loud lines a little)
    assert -7.5 < heard[2] - sorted(heard)[1] < -5.0
