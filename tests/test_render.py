"""render/: timing, OTIO timeline, subtitles and the compositor, built small (64x36, 24 fps, about a second a shot)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest
from scipy.io import wavfile

from shotgraph.config import OutputSettings
from shotgraph.director.plan import FilmPlan, Shot, ShotSize, TransitionKind
from shotgraph.director.screenplay.model import Dialogue, Scene, SceneHeading, Screenplay
from shotgraph.errors import RenderError
from shotgraph.render.compositor import render_film
from shotgraph.render.cut import compute_timing, transition_offsets
from shotgraph.media.encoding import segment_video_args
from shotgraph.media.ffmpeg import count_frames, escape_filter_value, probe, run_ffmpeg
from shotgraph.render.subtitles import (
    WORD_JOINER,
    Cue,
    burn_in_ass,
    dialogue_cues,
    line_cues,
    mov_text_ass,
    read_srt,
    srt_text,
    vtt_text,
    write_srt,
    write_vtt,
)
from shotgraph.render.timeline import PlacedCue, TimelineMedia, build_timeline, track, write_otio
from shotgraph.media.lettering import font_file
from shotgraph.store import ArtifactStore

FPS = 24
NASTY = "It's 5:00 \\ 100% [sure], a; b"


def _line(id: str, character: str, text: str, extensions: list[str] | None = None) -> Dialogue:
    return Dialogue(id=id, line=1, text=text, cue=character, character=character, extensions=extensions or [])


def _screenplay(title: str = "Tiny", first_heading: str = "INT. KITCHEN - DAY", lines=None) -> Screenplay:
    lines = lines or {
        "sc001-e001": _line("sc001-e001", "ANNA", "Where were you?"),
        "sc002-e001": _line("sc002-e001", "BEN", "Out.", ["V.O."]),
    }
    scenes = []
    for i, heading in enumerate([first_heading, "EXT. STREET - NIGHT"], 1):
        sid = f"sc00{i}"
        scenes.append(Scene(id=sid, line=i, heading=SceneHeading(text=heading, place="INT", location="X", line=i),
                            elements=[d for k, d in lines.items() if k.startswith(sid)]))
    return Screenplay(source="tiny.fountain", format="fountain", title_page={"Title": title} if title else {},
                      scenes=scenes)


def _shot(id: str, scene: str, dialogue: list[str], transition=TransitionKind.CUT, seconds: float = 1.0) -> Shot:
    return Shot(id=id, scene=scene, size=ShotSize.MEDIUM, prompt="p", dialogue=dialogue, transition=transition,
                min_duration=seconds, seed=1)


def _plan(shots: list[Shot]) -> FilmPlan:
    return FilmPlan(title="Tiny: a 'film'", style="s", shots=shots, scenes=[])


def _wav(path: Path, seconds: float, rate: int = 48000, freq: float = 440.0) -> Path:
    t = np.arange(round(seconds * rate)) / rate
    wavfile.write(path, rate, (0.2 * np.sin(2 * np.pi * freq * t) * 32767).astype(np.int16))
    return path


def _segment(path: Path, frames: int, color: str, size: str = "64x36") -> Path:
    run_ffmpeg(["-f", "lavfi", "-i", f"color=c={color}:s={size}:r={FPS}", "-frames:v", str(frames),
                *segment_video_args(FPS), str(path)], what="making a test segment")
    return path


def _recordings(tmp: Path, durations: dict[str, float]) -> dict[str, tuple[Path, float]]:
    return {k: (_wav(tmp / f"{k}.wav", d, freq=300), d) for k, d in durations.items()}


OUTPUT = OutputSettings(width=64, height=36, fps=FPS, title_card_seconds=0.5)


# --- timing -------------------------------------------------------------------------------------------------

def test_timing_follows_the_words(tmp_path):
    plan = _plan([
        _shot("sc001-sh01", "sc001", ["sc001-e001"]),
        _shot("sc001-sh02", "sc001", [], TransitionKind.DISSOLVE, 1.0),
        _shot("sc002-sh01", "sc002", ["sc002-e001"], TransitionKind.FADE_IN),
    ])
    timing = compute_timing(plan, _screenplay(), _recordings(tmp_path, {"sc001-e001": 2.0, "sc002-e001": 0.5}), OUTPUT)

    assert timing.title_frames == 12
    first, second, third = timing.shots
    assert first.start_frame == 12 and first.frames == 72  # 0.4 + 2.0 + 0.6 s, lengthened past 1 s
    assert second.start_frame == 84 and second.frames == 24
    assert third.frames >= round((0.75 + 0.5 + 0.6) * FPS)  # lead-in widened to hold the fade in
    assert all(isinstance(s.frames, int) for s in timing.shots)
    assert (second.transition, second.transition_frames) == (TransitionKind.DISSOLVE, 12)
    assert (third.transition, third.transition_frames) == (TransitionKind.FADE_IN, 18)
    assert [(s.scene_id, s.start_frame, s.frames) for s in timing.scenes] == [("sc001", 12, 96), ("sc002", 108, third.frames)]

    for line in timing.lines:  # each line inside its shot
        shot = timing.shot(line.shot_id)
        assert shot.start_frame / FPS <= line.start and line.start + line.duration <= (shot.start_frame + shot.frames) / FPS
    for shot in timing.shots:  # no transition overlaps dialogue
        before, after = transition_offsets(shot.transition, shot.transition_frames)
        lo, hi = (shot.start_frame - before) / FPS, (shot.start_frame + after) / FPS
        for line in timing.lines:
            assert line.start + line.duration <= lo or line.start >= hi


def test_lines_in_one_shot_are_sequential(tmp_path):
    lines = {"sc001-e001": _line("sc001-e001", "ANNA", "One."), "sc001-e002": _line("sc001-e002", "BEN", "Two.")}
    plan = _plan([_shot("sc001-sh01", "sc001", ["sc001-e001", "sc001-e002"])])
    timing = compute_timing(plan, _screenplay(title="", lines=lines),
                            _recordings(tmp_path, {"sc001-e001": 1.0, "sc001-e002": 0.5}), OUTPUT)
    a, b = timing.lines
    assert timing.title_frames == 0
    assert a.start == pytest.approx(0.4) and b.start == pytest.approx(0.4 + 1.0 + 0.35)
    assert timing.shots[0].frames == 69  # ceil((0.4 + 1 + 0.35 + 0.5 + 0.6) * 24) = ceil(68.4)


def test_missing_recording_is_named(tmp_path):
    plan = _plan([_shot("sc001-sh01", "sc001", ["sc001-e001"])])
    with pytest.raises(RenderError, match="sc001-e001' has no recording"):
        compute_timing(plan, _screenplay(), {}, OUTPUT)


# --- timeline, subtitles ------------------------------------------------------------------------------------

def _film_inputs(tmp_path: Path, text: str = "Where were you?", heading: str = "INT. KITCHEN - DAY",
                 second: str = "Out.", output: OutputSettings = OUTPUT):
    lines = {"sc001-e001": _line("sc001-e001", "ANNA", text), "sc002-e001": _line("sc002-e001", "BEN", second, ["V.O."])}
    screenplay = _screenplay(first_heading=heading, lines=lines)
    plan = _plan([
        _shot("sc001-sh01", "sc001", ["sc001-e001"]),
        _shot("sc001-sh02", "sc001", [], TransitionKind.DISSOLVE, 0.75),
        _shot("sc002-sh01", "sc002", ["sc002-e001"], TransitionKind.CUT),
    ])
    timing = compute_timing(plan, screenplay, _recordings(tmp_path, {"sc001-e001": 0.5, "sc002-e001": 0.3}), output)
    colors = ["red", "green", "blue"]
    size = f"{output.width}x{output.height}"
    media = TimelineMedia(
        title_card=_segment(tmp_path / "title.mp4", timing.title_frames, "black", size),
        segments={s.shot_id: _segment(tmp_path / f"{s.shot_id}.mp4", s.frames, c, size)
                  for s, c in zip(timing.shots, colors)},
        music=[PlacedCue("sc001", _wav(tmp_path / "m1.wav", 1.0), 0.0, 1.0)],
        mix=_wav(tmp_path / "mix.wav", timing.duration, freq=220),
    )
    return plan, screenplay, timing, media


def test_otio_round_trip(tmp_path):
    plan, screenplay, timing, media = _film_inputs(tmp_path, text=NASTY)
    path = write_otio(build_timeline(plan, screenplay, timing, media), tmp_path / "film.otio")
    timeline = otio.adapters.read_from_file(str(path))

    assert timeline.global_start_time.value == 0 and timeline.global_start_time.rate == FPS
    picture = track(timeline, "picture")
    shots = [c for c in picture.find_clips(shallow_search=True) if "shot_id" in c.metadata["shotgraph"]]
    assert [c.metadata["shotgraph"]["shot_id"] for c in shots] == [s.shot_id for s in timing.shots]
    assert [c.metadata["shotgraph"]["frames"] for c in shots] == [s.frames for s in timing.shots]
    assert picture.duration().value == timing.total_frames  # transitions do not change the length
    transitions = [t for t in picture if isinstance(t, otio.schema.Transition)]
    assert len(transitions) == 1 and transitions[0].in_offset.value == 6 and transitions[0].out_offset.value == 6
    assert [m.name for m in picture.markers] == ["INT. KITCHEN - DAY", "EXT. STREET - NIGHT"]
    dialogue = list(track(timeline, "dialogue").find_clips(shallow_search=True))
    assert [c.metadata["shotgraph"]["text"] for c in dialogue] == [NASTY, "Out."]
    assert dialogue[0].range_in_parent().start_time.to_seconds() == pytest.approx(timing.lines[0].start, abs=1e-4)
    assert len(list(track(timeline, "music").find_clips())) == 1


def test_subtitles_exact(tmp_path):
    plan, screenplay, timing, media = _film_inputs(tmp_path, text="Fish & <chips>: 100% 'done'")
    timeline = build_timeline(plan, screenplay, timing, media)
    srt = write_srt(timeline, tmp_path / "f.srt").read_text()
    vtt = write_vtt(timeline, tmp_path / "f.vtt").read_text()
    first, second = dialogue_cues(timeline)  # timed by the timed-text rules (test_delivery.py); here: the words

    def stamp(seconds: float, separator: str) -> str:
        ms = round(seconds * 1000)
        return f"00:00:{ms // 1000:02d}{separator}{ms % 1000:03d}"

    def times(cue, separator: str) -> str:
        return f"{stamp(cue.start, separator)} --> {stamp(cue.end, separator)}"

    assert first.start <= timing.lines[0].start < first.end
    assert srt == (f"1\n{times(first, ',')}\nFish & <chips>: 100% 'done'\n\n"
                   f"2\n{times(second, ',')}\nBEN: Out.\n")
    assert vtt == (f"WEBVTT\n\n{times(first, '.')}\nFish &amp; &lt;chips&gt;: 100% 'done'\n\n"
                   f"{times(second, '.')}\nBEN: Out.\n")


def test_long_line_wraps_and_splits_without_changing_words():
    text = "word " * 30 + "end."
    cues = line_cues(text, 1.0, 6.0)
    assert all(len(c.rows) <= 2 and all(len(r) <= 42 for r in c.rows) for c in cues)
    assert " ".join(r for c in cues for r in c.rows).split() == text.split()
    # 6 s of speech for 154 characters would read at 26 a second: the cues stay up into the silence after it
    assert cues[0].start == 1.0 and cues[-1].end > 9.0
    assert all(len(" ".join(c.rows)) / (c.end - c.start) <= 17.5 for c in cues)
    assert all(b.start - a.end == pytest.approx(2 / 24) for a, b in zip(cues, cues[1:]))  # two frames apart
    assert srt_text([Cue(3661.5, 3662.0, ("a",))]) == "1\n01:01:01,500 --> 01:01:02,000\na\n"
    assert vtt_text([]) == "WEBVTT\n\n"


TRICKY = ("{\\an8} C:\\new\\path <here> & there.", "It's 5:00 \\ 100% [sure] {comment} \\N \\h \\}")


def test_srt_is_the_words_and_reads_back_exactly(tmp_path):
    cues = [Cue(0.9, 1.4, TRICKY), Cue(3661.5, 3662.0, ("1", "00:00:01,000 --> 00:00:02,000"))]
    path = tmp_path / "f.srt"
    path.write_text(srt_text(cues), encoding="utf-8")
    assert srt_text(cues).split("\n")[2:4] == list(TRICKY)  # no escaping: SRT has none
    assert read_srt(path) == cues
    path.write_bytes(b"\xef\xbb\xbf" + srt_text(cues).replace("\n", "\r\n").encode() + b"\r\n\r\n")
    assert read_srt(path) == cues
    path.write_text("")
    assert read_srt(path) == []
    path.write_text("1\n00:00:01,000 -> 00:00:02,000\nhello\n")
    with pytest.raises(RenderError, match="f.srt: subtitle block 1 is not"):
        read_srt(path)


def test_ass_scripts_escape_only_what_their_reader_reads_as_markup():
    wj = WORD_JOINER
    cue = [Cue(0.9, 3661.5, TRICKY)]
    event = mov_text_ass(cue).splitlines()[-1]
    # ffmpeg's mov_text encoder: `{\` and `\n` / `\N` split by a word joiner, everything else as written.
    assert event == ("Dialogue: 0,0:00:00.90,1:01:01.50,Default,,0,0,0,,"
                     f"{{{wj}\\an8}} C:\\{wj}new\\path <here> & there.\\N"
                     f"It's 5:00 \\ 100% [sure] {{comment}} \\{wj}N \\h \\}}")
    # libass: braces escaped, `\n` `\N` `\h` split by a word joiner.
    assert burn_in_ass(cue, "Aileron").splitlines()[-1] == (
        "Dialogue: 0,0:00:00.90,1:01:01.50,Default,,0,0,0,,"
        f"\\{{\\an8\\}} C:\\{wj}new\\path <here> & there.\\N"
        f"It's 5:00 \\ 100% [sure] \\{{comment\\}} \\{wj}N \\{wj}h \\\\}}")
    for script in (mov_text_ass(cue), burn_in_ass(cue, "Aileron")):
        assert script.count("Style: ") == 1 and ",2,10,10,10,0\n" in script  # one style, bottom centre


# --- compositor ---------------------------------------------------------------------------------------------

def test_film_renders_with_streams_chapters_and_a_dissolve(tmp_path):
    plan, screenplay, timing, media = _film_inputs(tmp_path)
    timeline = build_timeline(plan, screenplay, timing, media)
    store = ArtifactStore(tmp_path / "store")
    srt = write_srt(timeline, tmp_path / "film.srt")
    result = render_film(timeline, tmp_path / "out" / "film.mp4", output=OUTPUT, store=store,
                         subtitles_srt=srt, mix=media.mix)

    info = probe(result.path)
    # (the MP4 muxer also writes its QuickTime chapter track, which ffmpeg lists as a data stream)
    assert {(s.kind, s.codec) for s in info.streams if s.kind != "data"} == {
        ("video", "h264"), ("audio", "aac"), ("subtitle", "mov_text")}
    assert info.of_kind("subtitle")[0].language == "eng"
    assert (info.width, info.height) == (64, 36)
    assert count_frames(result.path) == timing.total_frames == result.frames
    assert abs(info.duration - timing.duration) <= 1 / FPS
    assert [c.title for c in info.chapters] == ["INT. KITCHEN - DAY", "EXT. STREET - NIGHT"]
    assert result.segments == 5  # title, sh01 body, dissolve, sh02 body, sc002-sh01 as encoded
    assert store.counters.computed["cut"] == 3

    # The dissolve's middle frame blends red into green.
    cut = timing.shots[1].start_frame
    pixel = tmp_path / "mid.rgb"
    run_ffmpeg(["-i", str(result.path), "-vf", f"select=eq(n\\,{cut})", "-frames:v", "1", "-f", "rawvideo",
                "-pix_fmt", "rgb24", str(pixel)], what="reading a frame")
    r, g, _ = np.frombuffer(pixel.read_bytes(), np.uint8).reshape(36, 64, 3)[18, 32]
    assert 40 < r < 220 and 40 < g < 220

    # A second render reuses every segment.
    render_film(timeline, tmp_path / "out" / "again.mp4", output=OUTPUT, store=store, subtitles_srt=srt, mix=media.mix)
    assert store.counters.computed["cut"] == 3


def _mov_text_samples(film: Path, tmp: Path) -> list[tuple[float, float, str]]:
    """(start, end, text) of each non-empty sample of the film's mov_text track, copied out byte for byte."""
    for kind in ("data", "framecrc"):
        run_ffmpeg(["-i", str(film), "-map", "0:s:0", "-c", "copy", "-f", kind, str(tmp / f"samples.{kind}")],
                   what=f"copying the subtitle samples as {kind}")
    data = (tmp / "samples.data").read_bytes()
    listing = (tmp / "samples.framecrc").read_text().splitlines()
    num, den = next(line for line in listing if line.startswith("#tb 0:")).split(":")[1].split("/")
    tick = int(num) / int(den)
    samples, at = [], 0
    for line in (line for line in listing if not line.startswith("#")):
        _, _, pts, duration, size, _ = (int(field, 0) for field in line.split(","))
        sample, at = data[at:at + size], at + size
        text = sample[2:2 + int.from_bytes(sample[:2], "big")].decode("utf-8")  # tx3g: length, text, style boxes
        if text:
            samples.append((pts * tick, (pts + duration) * tick, text))
    assert at == len(data)
    return samples


def test_mov_text_track_holds_the_words_as_written(tmp_path):
    first, second = TRICKY[0] + " " + NASTY, TRICKY[1]
    plan, screenplay, timing, media = _film_inputs(tmp_path, text=first, second=second)
    timeline = build_timeline(plan, screenplay, timing, media)
    srt = write_srt(timeline, tmp_path / "film.srt")
    result = render_film(timeline, tmp_path / "film.mp4", output=OUTPUT, store=ArtifactStore(tmp_path / "store"),
                         subtitles_srt=srt, mix=media.mix)
    samples = _mov_text_samples(result.path, tmp_path)

    wj = WORD_JOINER  # only inside `{\` and `\n` / `\N`, which ffmpeg's encoder cannot otherwise keep literal
    assert [text for _, _, text in samples] == [
        f"{{{wj}\\an8}} C:\\{wj}new\\path <here> & there.\nIt's 5:00 \\ 100% [sure], a; b",
        f"BEN: It's 5:00 \\ 100%\n[sure] {{comment}} \\{wj}N \\h \\}}",
    ]
    assert [text.replace(wj, "") for _, _, text in samples] == ["\n".join(c.rows) for c in dialogue_cues(timeline)]
    for (start, end, _), cue in zip(samples, dialogue_cues(timeline), strict=True):  # the track keeps their times
        assert abs(start - cue.start) < 1 / FPS and abs(end - cue.end) < 1 / FPS


def _hide_system_fonts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, fontconfig (which libass asks for fonts) knows none, as on a machine without system fonts."""
    config = tmp_path / "no-fonts.conf"
    config.write_text('<?xml version="1.0"?>\n<fontconfig></fontconfig>\n', encoding="utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))


def _frame(video: Path, frame: int, width: int, height: int) -> np.ndarray:
    raw = video.with_suffix(".rgb")
    run_ffmpeg(["-i", str(video), "-vf", f"select=eq(n\\,{frame})", "-frames:v", "1", "-f", "rawvideo",
                "-pix_fmt", "rgb24", str(raw)], what="reading a frame")
    return np.frombuffer(raw.read_bytes(), np.uint8).reshape(height, width, 3)


def _text_rows(pixels: np.ndarray) -> np.ndarray:
    """Indices of the pixel rows of a frame that hold white (subtitle) pixels."""
    return np.flatnonzero((pixels.min(axis=2) > 128).any(axis=1))


def test_burned_subtitles_and_chapter_titles_with_special_characters(tmp_path, monkeypatch):
    _hide_system_fonts(tmp_path, monkeypatch)
    output = OUTPUT.model_copy(update={"burn_subtitles": True, "width": 256, "height": 144})
    plan, screenplay, timing, media = _film_inputs(tmp_path, text="{\\an8} It's 5:00 \\N 100% [sure]", heading=NASTY,
                                                   output=output)
    weird = tmp_path / "it's a [dir], 100%"
    weird.mkdir()
    timeline = build_timeline(plan, screenplay, timing, media)
    srt = write_srt(timeline, weird / "sub's:1.srt")
    result = render_film(timeline, weird / "film.mp4", output=output, store=ArtifactStore(tmp_path / "store"),
                         subtitles_srt=srt, mix=media.mix)
    assert result.burned_subtitles and count_frames(result.path) == timing.total_frames
    assert probe(result.path).chapters[0].title == NASTY

    # Mid-line, the words are one row at the bottom: `{\an8}` did not move them up, nor `\N` break them.
    rows = _text_rows(_frame(result.path, round((timing.lines[0].start + 0.25) * FPS), 256, 144))
    assert rows.size and rows.min() > 144 * 2 // 3
    assert (np.diff(rows) == 1).all()  # no gap between two rows of text


def _burn_hello(folder: Path, video: Path, fontsdir: bool = True) -> np.ndarray:
    """One red frame with "Hello" burned in from a script and fonts in `folder`, as the compositor burns it."""
    script, fonts = folder / "sub's:1.ass", folder / "fonts [1], 100%"
    fonts.mkdir(exist_ok=True)
    (fonts / "bundled.ttf").write_bytes(font_file().data)
    script.write_text(burn_in_ass([Cue(0.0, 1.0, ("Hello",))], font_file().family), encoding="utf-8")
    ass = f"ass=filename={escape_filter_value(str(script))}"
    if fontsdir:
        ass += f":fontsdir={escape_filter_value(str(fonts))}"
    run_ffmpeg(["-f", "lavfi", "-i", f"color=c=red:s=256x144:r={FPS}", "-frames:v", "1", "-vf", ass,
                *segment_video_args(FPS), str(video)], what="drawing subtitles from an awkward path")
    return _frame(video, 0, 256, 144)


def test_escape_filter_value_keeps_a_path_literal(tmp_path, monkeypatch):
    assert escape_filter_value("a'b:c\\d[e],f;g") == "a\\\\\\'b\\\\:c\\\\\\\\d\\[e\\]\\,f\\;g"
    _hide_system_fonts(tmp_path, monkeypatch)  # so text appears only if libass found the fonts folder too
    folder = tmp_path / "it's a [dir], 100%; x\\y"
    folder.mkdir()
    assert _text_rows(_burn_hello(folder, tmp_path / "v.mp4")).size


def test_burned_subtitles_look_the_same_with_or_without_system_fonts(tmp_path, monkeypatch):
    with_system_fonts = _burn_hello(tmp_path, tmp_path / "a.mp4")
    _hide_system_fonts(tmp_path, monkeypatch)
    # Without the bundled font libass now draws nothing, so what is drawn below can only be that font.
    assert not _text_rows(_burn_hello(tmp_path, tmp_path / "b.mp4", fontsdir=False)).size
    without_system_fonts = _burn_hello(tmp_path, tmp_path / "c.mp4")
    assert _text_rows(without_system_fonts).size and np.array_equal(without_system_fonts, with_system_fonts)


def test_unwritable_output_is_named_before_any_work(tmp_path):
    plan, screenplay, timing, media = _film_inputs(tmp_path)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    store = ArtifactStore(tmp_path / "store")
    with pytest.raises(RenderError, match="not-a-folder/film.mp4: cannot write the film"):
        render_film(build_timeline(plan, screenplay, timing, media), blocker / "film.mp4", output=OUTPUT,
                    store=store, subtitles_srt=None, mix=media.mix)
    assert store.counters.computed == {}


def test_ffmpeg_failure_names_what_it_was_doing(tmp_path):
    with pytest.raises(RenderError, match="ffmpeg failed while reading nothing: .*"):
        run_ffmpeg(["-i", str(tmp_path / "missing.mp4"), "-f", "null", "-"], what="reading nothing")


def test_dialogue_cues_come_from_the_timeline(tmp_path):
    plan, screenplay, timing, media = _film_inputs(tmp_path)
    cues = dialogue_cues(build_timeline(plan, screenplay, timing, media))
    assert [c.rows for c in cues] == [("Where were you?",), ("BEN: Out.",)]
    # each shows while its line is heard; it may appear a few frames early, on the cut before the line
    assert all(c.start <= line.start + 1 / FPS and line.start < c.end for c, line in zip(cues, timing.lines))
    assert all(line.start - c.start < 12 / FPS for c, line in zip(cues, timing.lines))
