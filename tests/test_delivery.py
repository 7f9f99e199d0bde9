"""What a post house checks on delivery, measured on both examples: subtitles by the timed-text rules."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
import pytest

from shotgraph.config import load_profile
from shotgraph.production.director import Director
from shotgraph.render.subtitles import line_cues, read_srt
from shotgraph.render.timed_text import Spoken, rows_of, split_words, timed_cues

EXAMPLES = Path(__file__).parent.parent / "examples"
FPS = 24
FRAME = 1 / FPS


@pytest.fixture(scope="module")
def films(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Both examples, made at a small size (the rules are about time, not pixels)."""
    out = tmp_path_factory.mktemp("examples")
    profile = load_profile("draft")
    profile = profile.model_copy(update={"output": profile.output.model_copy(update={"width": 320, "height": 180})})
    made = {}
    for name in ("last_ferry", "night_shift"):
        report = Director(EXAMPLES / f"{name}.fountain", profile=profile, workdir=out / "work",
                          output=out / f"{name}.mp4").make()
        timeline = otio.adapters.read_from_file(report.outputs["otio"])
        cuts = sorted({c.range_in_parent().start_time.to_seconds() for c in timeline.video_tracks()[0].find_clips()})
        made[name] = {"report": report, "cues": read_srt(report.outputs["srt"]), "cuts": cuts}
    return made


@pytest.mark.parametrize("name", ["last_ferry", "night_shift"])
def test_every_cue_of_both_examples_keeps_the_timed_text_rules(films: dict, name: str) -> None:
    cues, cuts = films[name]["cues"], films[name]["cuts"]
    assert len(cues) >= 6
    for cue in cues:
        shown = cue.end - cue.start
        chars = len(" ".join(cue.rows))
        assert shown >= 20 * FRAME - 1e-3, cue  # 5/6 s: 20 frames at 24 fps
        assert chars / shown <= 20.0, cue  # characters per second
        assert len(cue.rows) <= 2 and all(len(row) <= 42 for row in cue.rows), cue
        for cut in cuts:  # an end or a start near a cut sits on it (two frames before it, for an end) or clear
            assert not (cut - 12 * FRAME + 1e-3 < cue.end < cut + 12 * FRAME - 1e-3) or abs(
                cue.end - (cut - 2 * FRAME)) < 1e-3, (cue, cut)
            assert not (cut - 12 * FRAME + 1e-3 < cue.start < cut + 12 * FRAME - 1e-3) or abs(
                cue.start - cut) < 1e-3, (cue, cut)
    for before, after in zip(cues, cues[1:]):
        assert after.start - before.end >= 2 * FRAME - 1e-3, (before, after)


def test_rows_break_where_the_phrase_breaks_and_balance() -> None:
    assert rows_of("Is it raining out there?".split()) == ("Is it raining out there?",)
    two = rows_of("Skerry's got nothing in November but sheep and my sister, and she bites.".split())
    assert two == ("Skerry's got nothing in November", "but sheep and my sister, and she bites.")
    assert rows_of("We will take the boat to the island.".split()) == ("We will take the boat to the island.",)
    assert rows_of(["x" * 50]) is None
    never_after_article = rows_of("She hands him the mooring rope and the lamp and the old brass compass too.".split())
    assert never_after_article is not None and not never_after_article[0].endswith(" the")


def test_a_long_line_splits_into_balanced_cues_at_phrase_boundaries_with_no_word_alone() -> None:
    words = tuple(("There were letters, hundreds of them, tied in bundles with string. Every one was addressed "
                   "to Elspeth, and none of them was sent.").split())
    parts = split_words(words)
    assert len(parts) == 2 and [w for p in parts for w in p] == list(words)
    assert parts[0][-1] == "string."  # the sentence ends the first cue
    assert min(len(p) for p in parts) > 3
    cues = line_cues(" ".join(words), 10.0, 8.0)
    assert [c.rows for c in cues] == [rows_of(p) for p in parts]
    assert cues[1].start - cues[0].end == pytest.approx(2 * FRAME)


def test_a_short_line_stays_up_into_the_pause_after_it() -> None:
    yes, reply = timed_cues([Spoken(("Yes.",), 4.0, 4.3), Spoken(("Then", "go."), 7.0, 7.6)], [], FPS)
    assert yes.start == pytest.approx(4.0) and yes.end - yes.start >= 5 / 6 - 1e-9
    crowded = timed_cues([Spoken(("Yes.",), 4.0, 4.3), Spoken(("No.",), 4.5, 4.8)], [], FPS)
    assert crowded[1].start - crowded[0].end >= 2 * FRAME - 1e-9  # the next line wins; two frames between
    fast = timed_cues([Spoken(tuple("I never said that, and you know I never said that.".split()), 1.0, 2.0)], [],
                      FPS)[0]
    assert len(" ".join(fast.rows)) / (fast.end - fast.start) <= 17.0 + 1e-6  # read, not raced


def test_a_cue_does_not_cross_a_cut_by_a_few_frames() -> None:
    ends_past_cut = timed_cues([Spoken(("We", "should", "go", "now,", "before", "the", "tide."), 1.0, 3.1)], [3.0],
                               FPS)[0]
    assert ends_past_cut.end == pytest.approx(3.0 - 2 * FRAME)
    starts_after_cut = timed_cues([Spoken(("Hello.",), 5.1, 6.5)], [5.0], FPS)[0]
    assert starts_after_cut.start == pytest.approx(5.0)


@pytest.mark.parametrize("name", ["last_ferry", "night_shift"])
def test_the_delivered_stems_sum_to_the_film_mix(films: dict, name: str) -> None:
    import numpy as np
    import pyloudnorm

    from shotgraph.audio.wav import read_wav
    from test_make import film_audio

    outputs = films[name]["report"].outputs
    stems = sum(read_wav(outputs[f"{stem} stem"])[0].astype(np.float64) for stem in ("dialogue", "music", "effects"))
    film = film_audio(Path(outputs["film"])).astype(np.float64)
    meter = pyloudnorm.Meter(48000)
    assert abs(meter.integrated_loudness(stems) - meter.integrated_loudness(film)) < 0.5
    assert abs(meter.integrated_loudness(film) - (-16.0)) < 0.5


@pytest.mark.parametrize("name", ["last_ferry", "night_shift"])
def test_during_every_line_the_words_are_6_db_above_music_and_effects(films: dict, name: str) -> None:
    from shotgraph.audio.loudness import span_loudness
    from shotgraph.audio.wav import read_wav

    outputs = films[name]["report"].outputs
    words = read_wav(outputs["dialogue stem"])[0]
    bed = read_wav(outputs["music stem"])[0] + read_wav(outputs["effects stem"])[0]
    timeline = otio.adapters.read_from_file(outputs["otio"])
    lines = [c.range_in_parent() for t in timeline.audio_tracks() if t.name == "dialogue" for c in t.find_clips()]
    assert len(lines) >= 6
    margins = []
    for placed in lines:
        first = round(placed.start_time.to_seconds() * 48000)
        last = first + round(placed.duration.to_seconds() * 48000)
        margins.append(span_loudness(words[first:last], 48000) - span_loudness(bed[first:last], 48000))
    assert min(margins) >= 6.0, sorted(margins)[:5]


@pytest.mark.parametrize("kind", ["edl", "fcp7xml", "fcpxml"])
def test_the_cut_exports_for_editors_and_reads_back_to_the_frame_after_the_folder_moves(
        films: dict, kind: str, tmp_path: Path) -> None:
    import shutil

    from typer.testing import CliRunner

    from shotgraph.cli import app
    from shotgraph.render.handoff import EXPORTS

    outputs = films["night_shift"]["report"].outputs
    film = Path(outputs["film"])
    done = CliRunner().invoke(app, ["export", str(EXAMPLES / "night_shift.fountain"), "--to", kind, "-o", str(film)])
    assert done.exit_code == 0, done.output
    adapter, suffix = EXPORTS[kind]
    exported = film.with_suffix(suffix)
    assert done.output.split() == [kind, str(exported)]

    moved = tmp_path / "sent to the editor"  # the export and its media folder, moved together
    moved.mkdir()
    shutil.copy(exported, moved)
    shutil.copytree(exported.with_name(f"{exported.stem}.media"), moved / f"{exported.stem}.media")
    back = otio.adapters.read_from_file(str(moved / exported.name), adapter_name=adapter,
                                        **({"rate": FPS} if kind == "edl" else {}))
    cut = otio.adapters.read_from_file(outputs["otio"])
    want = [(c.name, c.source_range.duration.rescaled_to(FPS).value) for c in cut.video_tracks()[0].find_clips()]
    got = [(c.name, c.source_range.duration.rescaled_to(FPS).value) for c in back.video_tracks()[0].find_clips()]
    assert got == want  # every shot, in order, to the frame
    for clip in back.video_tracks()[0].find_clips():
        assert (moved / clip.media_reference.target_url).is_file(), clip.media_reference.target_url
    if kind != "edl":
        dialogue = [c for t in back.audio_tracks() for c in t.find_clips() if c.name.startswith("sc")
                    and (moved / c.media_reference.target_url).suffix == ".wav"]
        assert len(dialogue) >= len(list(cut.tracks[1].find_clips()))  # the words travel with the picture


def test_export_refuses_an_unknown_format_and_a_film_not_made_yet(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from shotgraph.cli import app

    script = tmp_path / "s.fountain"
    script.write_text("INT. ROOM - DAY\n\nA door.\n", encoding="utf-8")
    unknown = CliRunner().invoke(app, ["export", str(script), "--to", "avid"])
    assert unknown.exit_code == 1
    assert "no format 'avid'; the formats are edl, fcp7xml, fcpxml" in unknown.output
    early = CliRunner().invoke(app, ["export", str(script), "--to", "edl"])
    assert early.exit_code == 1 and "no cut here yet; run `shotgraph make" in early.output


def test_a_greek_line_is_spoken_in_greek_and_its_shot_and_subtitle_follow(tmp_path: Path) -> None:
    from test_make import small_profile

    script = tmp_path / "kafe.fountain"
    script.write_text("INT. KAFENEIO - DAY\n\nELENI sits by the window.\n\nELENI\n"
                      "Καλησπέρα. Ένα ελληνικό καφέ, παρακαλώ.\n", encoding="utf-8")
    report = Director(script, profile=small_profile(tmp_path), workdir=tmp_path / "work").make()
    assert report.ok, report.failures
    (cue,) = read_srt(report.outputs["srt"])
    assert " ".join(cue.rows) == "Καλησπέρα. Ένα ελληνικό καφέ, παρακαλώ."
    spoken = cue.end - cue.start
    assert 1.5 < spoken < 5.0  # espeak-ng's Greek takes about 2.8 s; spelled out in English it took 12
    assert report.seconds < 12.0


def test_centered_titles_and_the_end_are_on_screen_for_their_reading_time(tmp_path: Path) -> None:
    import numpy as np

    from shotgraph.media.encoding import ffmpeg_exe
    from test_make import small_profile

    script = tmp_path / "cards.fountain"
    script.write_text("> A SHOTGRAPH FILM <\n\nINT. KITCHEN - NIGHT\n\nANNA fills a kettle.\n\nANNA\n"
                      "Is it raining?\n\n> THREE DAYS LATER <\n\nBEN\nStill raining.\n\n> THE END <\n",
                      encoding="utf-8")
    report = Director(script, profile=small_profile(tmp_path), workdir=tmp_path / "work").make()
    assert report.ok, report.failures
    timeline = otio.adapters.read_from_file(report.outputs["otio"])
    clips = [c for c in timeline.video_tracks()[0].find_clips()]
    plan = {s["id"]: s for s in __import__("json").loads(Path(report.outputs["plan"]).read_text())["shots"]}
    cards = [(c.name, plan[c.name]["card"], c.range_in_parent()) for c in clips if plan.get(c.name, {}).get("card")]
    assert [rows for _, rows, _ in cards] == [["A SHOTGRAPH FILM"], ["THREE DAYS LATER"], ["THE END"]]
    names = [c.name for c in clips]
    assert names.index(cards[0][0]) == 0 and names[-1] == cards[2][0]  # the opening title first, THE END last
    for _, _, placed in cards:
        assert placed.duration.to_seconds() >= 2.5
        middle = placed.start_time.to_seconds() + placed.duration.to_seconds() / 2
        raw = __import__("subprocess").run(
            [ffmpeg_exe(), "-v", "error", "-ss", f"{middle:.3f}", "-i", report.outputs["film"], "-frames:v", "1",
             "-f", "rawvideo", "-pix_fmt", "gray", "-"], capture_output=True, check=True).stdout
        frame = np.frombuffer(raw, np.uint8)
        assert (frame > 200).mean() > 0.002 and np.median(frame) < 40  # light letters on a dark card
