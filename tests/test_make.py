"""`shotgraph make` end to end on the draft crew, small: probe the film a user gets."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pyloudnorm
import pytest
from typer.testing import CliRunner

from shotgraph.cli import app
from shotgraph.audio.loudness import true_peak
from shotgraph.audio.procedural_foley import ProceduralFoley
from shotgraph.audio.score import ProceduralScore
from shotgraph.audio.wav import read_wav
from shotgraph.characters.card import CharacterCard
from shotgraph.config import CONFIG_DIR, load_profile
from shotgraph.production.director import Director
from shotgraph.errors import StoreError
from shotgraph.media.encoding import ffmpeg_exe
from shotgraph.media.ffmpeg import count_frames, probe
from shotgraph.render.timeline import media_path
from shotgraph.stages.camera import CameraMoveVideo
from shotgraph.store import ArtifactStore

SCRIPT = """\
Title: The Kettle
Credit: written by
Author: Test Suite

INT. KITCHEN - NIGHT

ANNA (40s), in a grey cardigan, fills a KETTLE. The TAP squeaks.

ANNA
Is it raining out there?

BEN (O.S.)
(shouting)
Cats and dogs!

ANNA
Then you're not going anywhere.

EXT. GARDEN - DAY

BEN (50s), soaked, in a flat cap, stands by the gate. A DOOR slams.

BEN
Fine. I'll stay for one cup.

ANNA
(quietly)
Only one.
"""

LINES = ["Is it raining out there?", "Cats and dogs!", "Then you're not going anywhere.",
         "Fine. I'll stay for one cup.", "Only one."]


def small_profile(tmp_path: Path, **output: object):
    profile = load_profile("draft")
    settings = {"width": 320, "height": 180, "fps": 12, "title_card_seconds": 1.0, **output}
    return profile.model_copy(update={"output": profile.output.model_copy(update=settings)})


def with_backends(profile, **stages: str):
    """`profile` with some stages' backends swapped (a failing test backend registered under that name)."""
    return profile.model_copy(update={"stages": profile.stages.model_copy(update=stages)})


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "kettle.fountain"
    path.write_text(SCRIPT, encoding="utf-8")
    return path


def film_audio(path: Path, rate: int = 48000) -> np.ndarray:
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "2", "-ar", str(rate), "-"],
                         check=True, capture_output=True).stdout
    return np.frombuffer(raw, dtype=np.float32).reshape(-1, 2)


def test_make_renders_a_film_a_person_can_watch(script: Path, tmp_path: Path) -> None:
    report = Director(script, profile=small_profile(tmp_path), workdir=tmp_path / "work").make()
    assert report.ok, report.failures
    film = Path(report.outputs["film"])
    assert film == script.with_suffix(".mp4")

    info = probe(film)
    kinds = {s.kind: s.codec for s in info.streams if s.kind != "data"}  # data: the MP4 chapter track
    assert kinds == {"video": "h264", "audio": "aac", "subtitle": "mov_text"}
    video = next(s for s in info.streams if s.kind == "video")
    assert (video.width, video.height) == (320, 180)
    assert count_frames(film) == round(report.seconds * 12)
    # The MP4's edit list trims the AAC encoder's priming and last-frame padding: the audio is sample-exact and
    # the container as long as the timeline, to the centisecond ffmpeg prints.
    audio = film_audio(film)
    assert len(audio) == round(report.seconds * 48000)
    assert abs(info.duration - report.seconds) <= 0.005 + 1e-9
    assert len(info.chapters) == 2

    srt = Path(report.outputs["srt"]).read_text(encoding="utf-8")
    positions = [srt.find(line) for line in LINES]
    assert -1 not in positions and positions == sorted(positions)
    assert Path(report.outputs["vtt"]).read_text(encoding="utf-8").startswith("WEBVTT")

    loudness = pyloudnorm.Meter(48000).integrated_loudness(audio.astype(np.float64))
    assert abs(loudness - (-16.0)) <= 0.5
    assert true_peak(audio) <= -1.0  # dBTP, measured on the AAC the viewer hears

    timeline = otio.adapters.read_from_file(report.outputs["otio"])
    shots = [c for c in timeline.video_tracks()[0].find_clips() if c.metadata.get("shotgraph", {}).get("shot_id")]
    plan = json.loads(Path(report.outputs["plan"]).read_text(encoding="utf-8"))
    assert [c.metadata["shotgraph"]["shot_id"] for c in shots] == [s["id"] for s in plan["shots"]]
    for stem in ("dialogue", "music", "effects"):
        assert Path(report.outputs[f"{stem} stem"]).stat().st_size > 1000
    music = [c for t in timeline.audio_tracks() if t.name.startswith("music") for c in t.find_clips()]
    assert sorted(c.name for c in music) == ["sc001", "sc002"]  # one cue per scene, overlapping at the join


def test_editing_one_line_rerenders_only_what_it_touched(script: Path, tmp_path: Path) -> None:
    profile = small_profile(tmp_path)
    first = Director(script, profile=profile, workdir=tmp_path / "work").make()
    assert first.computed["dialogue"] == len(LINES)
    cues_before = scene_cues(first.outputs["otio"])

    script.write_text(SCRIPT.replace("Only one.", "Only one, and then you go home to your own kettle."))
    second = Director(script, profile=profile, workdir=tmp_path / "work").make()
    assert second.computed.get("dialogue") == 1
    assert second.reused["dialogue"] == len(LINES) - 1
    assert second.computed.get("look", 0) == 0 and second.computed.get("keyframe", 0) == 0
    # the lengthened shot, and no other: every other shot keeps its frame count
    assert (second.computed.get("video"), second.computed.get("upscale")) == (1, 1)
    assert "slate" not in second.computed
    # the last scene grew by a few seconds: its music and ambience play longer from the same cues
    assert second.computed.get("music", 0) == 0
    assert second.computed.get("foley") == 1  # the lengthened shot's effects; both scenes' ambience reused
    cues_after = scene_cues(second.outputs["otio"])
    assert {name: path for name, (path, _) in cues_after.items()} == {n: p for n, (p, _) in cues_before.items()}
    assert cues_after["music", "sc002"][1] > cues_before["music", "sc002"][1]
    assert second.computed.get("mix") == 4  # the mix and its three stems
    assert second.seconds > first.seconds
    store = ArtifactStore(tmp_path / "work" / "store")
    assert max(store.computations().values()) == 1

    runner = CliRunner()
    stats = runner.invoke(app, ["cache", "stats", str(tmp_path / "work")])
    assert stats.exit_code == 0 and "dialogue" in stats.output and "keyframe" in stats.output
    gc = runner.invoke(app, ["cache", "gc", str(tmp_path / "work")], catch_exceptions=False)
    assert gc.exit_code == 0, gc.output
    assert not gc.output.startswith("removed 0 ")  # the first cut's line, mix and film are no longer used
    third = Director(script, profile=profile, workdir=tmp_path / "work").make()
    assert third.computed == {}, "gc removed something the current film uses"


def test_inserting_a_scene_makes_only_that_scene(script: Path, tmp_path: Path) -> None:
    """A scene inserted before the others renumbers them (sc001 becomes sc002), but their pictures and cues are
    the ones already made: seeds start from a scene's heading, not its number. Taking it out again makes nothing:
    the film is the first one again. Swapping two scenes makes only the film's whole-film steps."""
    profile = small_profile(tmp_path)
    first = Director(script, profile=profile, workdir=tmp_path / "work").make()
    opening = "INT. HALLWAY - NIGHT\n\nRain drums on the skylight.\n\nBEN\nAnyone home?\n\n"
    script.write_text(SCRIPT.replace("INT. KITCHEN - NIGHT", opening + "INT. KITCHEN - NIGHT"), encoding="utf-8")
    inserted = Director(script, profile=profile, workdir=tmp_path / "work").make()
    plan = json.loads(Path(inserted.outputs["plan"]).read_text(encoding="utf-8"))
    new_shots = [s for s in plan["shots"] if s["scene"] == "sc001"]
    assert len(plan["shots"]) == len(new_shots) + first.computed["keyframe"]
    assert {stage: inserted.computed.get(stage, 0) for stage in ("keyframe", "video", "upscale")} == {
        "keyframe": len(new_shots), "video": len(new_shots), "upscale": len(new_shots)}
    # one music and one ambience cue for the new scene, and each of its shots' effects; one line; no new look
    assert (inserted.computed["music"], inserted.computed["foley"]) == (1, 1 + len(new_shots))
    assert inserted.computed["dialogue"] == 1 and "look" not in inserted.computed

    script.write_text(SCRIPT, encoding="utf-8")
    removed = Director(script, profile=profile, workdir=tmp_path / "work").make()
    assert removed.computed == {}  # the film as it was first made, every artifact of it still in the store

    opening, rest = SCRIPT.split("INT. KITCHEN - NIGHT")
    kitchen, garden = rest.split("EXT. GARDEN - DAY")
    script.write_text(f"{opening}EXT. GARDEN - DAY{garden}\nINT. KITCHEN - NIGHT{kitchen}", encoding="utf-8")
    moved = Director(script, profile=profile, workdir=tmp_path / "work").make()  # the two scenes swapped
    assert set(moved.computed) == {"read", "plan", "timing", "mix", "subtitles", "film", "otio"}


def scene_cues(otio_path: str) -> dict[tuple[str, str], tuple[Path, float]]:
    """(track kind, cue) -> (file, seconds it plays) for the music and ambience clips of a film's timeline."""
    timeline = otio.adapters.read_from_file(otio_path)
    return {(t.name.split()[0], c.name): (media_path(c), c.source_range.duration.to_seconds())
            for t in timeline.audio_tracks() if t.name.startswith(("music", "ambience")) for c in t.find_clips()}


EXCHANGE = """\
INT. KITCHEN - NIGHT

ANNA (40s), in a grey cardigan, fills a KETTLE.

ANNA
Tea?

BEN
Please.

ANNA
Milk?

BEN
No.

The KETTLE whistles. Anna pours two cups.

BEN
Thank you for letting me stay, Anna. I mean it.

EXT. GARDEN - DAY

BEN (50s), in a flat cap, stands by the gate.

BEN
Goodbye, then.
"""


def shot_media(otio_path: str) -> dict[str, Path]:
    """Shot id -> the segment its clip plays, in the order of the film."""
    timeline = otio.adapters.read_from_file(otio_path)
    return {c.name: media_path(c) for c in timeline.video_tracks()[0].find_clips()
            if c.metadata.get("shotgraph", {}).get("shot_id")}


def test_a_line_that_splits_a_two_shot_redraws_only_the_split_shots(tmp_path: Path) -> None:
    script = tmp_path / "exchange.fountain"
    script.write_text(EXCHANGE, encoding="utf-8")
    profile = small_profile(tmp_path)
    first = Director(script, profile=profile, workdir=tmp_path / "work").make()
    before, cues_before = shot_media(first.outputs["otio"]), scene_cues(first.outputs["otio"])

    # past SHORT_LINE_WORDS: the four-line two-shot becomes Anna's single and a three-line two-shot, and every
    # later shot of the scene is renumbered; the words of the line name weather the kitchen does not have
    script.write_text(EXCHANGE.replace("Tea?", "Tea? The rain, the storm, the dark. You will want one."),
                      encoding="utf-8")
    second = Director(script, profile=profile, workdir=tmp_path / "work").make()
    after = shot_media(second.outputs["otio"])
    plan = {s["id"]: s for s in json.loads(Path(second.outputs["plan"]).read_text(encoding="utf-8"))["shots"]}
    assert [plan[s]["size"] for s in ("sc001-sh03", "sc001-sh04")] == ["medium close-up", "two-shot"]
    assert len(after) == len(before) + 1

    redrawn = [shot for shot, segment in after.items() if segment not in before.values()]
    assert redrawn == ["sc001-sh03", "sc001-sh04"]
    assert {after[s] for s in after if s not in redrawn} == set(before.values()) - {before["sc001-sh03"]}
    assert (after["sc001-sh05"], after["sc001-sh06"]) == (before["sc001-sh04"], before["sc001-sh05"])
    assert second.computed.get("dialogue") == 1
    assert (second.computed.get("keyframe"), second.computed.get("video"), second.computed.get("upscale")) == (2, 2, 2)
    assert second.reused["keyframe"] == len(before) - 1
    assert second.computed.get("look", 0) == 0 and second.computed.get("music", 0) == 0
    assert {k: path for k, (path, _) in scene_cues(second.outputs["otio"]).items()} == {
        k: path for k, (path, _) in cues_before.items()}  # the same score and room tone, no rain
    assert second.computed.get("foley") == 2  # the two new shots' effects


def test_adding_a_character_keeps_the_others_looks_and_voices(script: Path, tmp_path: Path) -> None:
    profile = small_profile(tmp_path)
    Director(script, profile=profile, workdir=tmp_path / "work").make()
    # the neighbour speaks first: cast by order, Anna and Ben would both move to another colour and voice
    script.write_text(SCRIPT.replace("ANNA\nIs it raining", "NEIGHBOUR\nEvening, all.\n\nANNA\nIs it raining"))
    second = Director(script, profile=profile, workdir=tmp_path / "work").make()
    assert second.computed.get("look") == 1  # the neighbour's card; Anna's and Ben's are reused as they were
    assert second.computed.get("dialogue") == 1 and second.reused["dialogue"] == len(LINES)


def long_script(script: Path, scenes: int) -> Path:
    """`scenes` copies of the fixture's first scene, each in its own kitchen, beside `script`."""
    path = script.with_name("long.fountain")
    path.write_text("\n\n".join(SCRIPT.split("\n\n", 3)[-1].replace("KITCHEN", f"KITCHEN {i}")
                                for i in range(scenes)), encoding="utf-8")
    return path


def stored(index: Path, stage: str) -> int:
    """How many `stage` artifacts the store's index holds (0 while it cannot be read)."""
    try:
        with sqlite3.connect(index, timeout=1) as db:
            return db.execute("SELECT COUNT(*) FROM artifacts WHERE stage = ?", (stage,)).fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def kill_once_stored(command: list[str], index: Path, stage: str, count: int) -> None:
    """Run `command` and kill -9 it once the store holds `count` artifacts of `stage`."""
    runner = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and stored(index, stage) < count:
        assert runner.poll() is None, "the run finished before it could be killed"
        time.sleep(0.02)
    os.kill(runner.pid, signal.SIGKILL)
    runner.wait()


def test_a_killed_run_resumes_without_computing_anything_twice(script: Path, tmp_path: Path) -> None:
    long_script_path = long_script(script, 6)
    workdir = tmp_path / "work"
    command = [sys.executable, "-m", "shotgraph", "make", str(long_script_path), "--workdir", str(workdir),
               "--resolution", "640x360"]
    kill_once_stored(command, workdir / "store" / "index.sqlite", "video", 3)  # a few clips of the shoot in
    killed_with = ArtifactStore(workdir / "store").stats()
    assert "cut" not in killed_with and killed_with["video"].count < 6 * 4

    resumed = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert "resumed an interrupted run" in resumed.stdout
    assert long_script_path.with_suffix(".mp4").is_file()
    assert max(ArtifactStore(workdir / "store").computations().values()) == 1


class FlakyVideo(CameraMoveVideo):
    """The real camera backend, failing on one shot the way a model backend can (out of memory)."""

    name = "flaky"

    def render(self, request, out):  # type: ignore[override]
        if request.shot.id == "sc002-sh01":
            raise RuntimeError("CUDA out of memory (simulated)")
        super().render(request, out)


def test_a_failed_shot_becomes_a_slate_and_the_exit_status_says_so(script: Path, tmp_path: Path, monkeypatch) -> None:
    from shotgraph.stages import video

    monkeypatch.setitem(video.VIDEO_BACKENDS, "flaky", f"{__name__}:FlakyVideo")
    profile = with_backends(small_profile(tmp_path), video="flaky")
    report = Director(script, profile=profile, workdir=tmp_path / "work").make()
    assert list(report.failures) == ["sc002-sh01"]
    assert "CUDA out of memory (simulated)" in report.failures["sc002-sh01"]
    assert count_frames(Path(report.outputs["film"])) == round(report.seconds * 12)

    with pytest.raises(Exception, match="video backend 'flaky': shot sc002-sh01: CUDA out of memory"):
        Director(script, profile=profile, workdir=tmp_path / "work2", output=tmp_path / "strict.mp4",
                 strict=True).make()


def test_cli_make_reports_outputs_and_unwritable_output_is_one_clear_line(script: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["make", str(script), "--resolution", "320x180", "--fps", "12",
                                 "--workdir", str(tmp_path / "work")])
    assert result.exit_code == 0, result.output
    assert "kettle.mp4" in result.output and "running time" in result.output
    info = probe(script.with_suffix(".mp4"))
    assert (info.width, info.height, info.fps) == (320, 180, 12)

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the output folder should be")
    result = runner.invoke(app, ["make", str(script), "-o", str(blocker / "film.mp4")])
    assert result.exit_code == 1
    assert result.output.strip().startswith(f"error: {blocker}: cannot write the film there")
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["make", str(script), "--resolution", "wide"])
    assert result.exit_code == 1
    assert "--resolution 'wide': expected WIDTHxHEIGHT, e.g. 1280x720" in result.output


def test_make_uses_a_hand_edited_plan_and_refuses_one_that_drops_a_line(script: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    plan_path = tmp_path / "plan.json"
    assert runner.invoke(app, ["plan", str(script), "-o", str(plan_path)]).exit_code == 0
    plan = json.loads(plan_path.read_text(encoding="utf-8"))
    plan["shots"][0]["move"] = "crane"
    plan_path.write_text(json.dumps(plan), encoding="utf-8")
    report = Director(script, profile=small_profile(tmp_path), workdir=tmp_path / "work", plan_file=plan_path).make()
    used = json.loads(Path(report.outputs["plan"]).read_text(encoding="utf-8"))
    assert used["shots"][0]["move"] == "crane"
    assert report.notes == [f"plan: {plan_path}, as edited"]

    dropped = next(s for s in plan["shots"] if s["dialogue"])
    line = dropped["dialogue"].pop()
    plan_path.write_text(json.dumps(plan), encoding="utf-8")
    result = runner.invoke(app, ["make", str(script), "--plan", str(plan_path), "--workdir", str(tmp_path / "w2"),
                                 "-o", str(tmp_path / "never.mp4")])
    assert result.exit_code == 1
    assert f"dialogue '{line}'" in result.output and "is not covered by any shot" in result.output
    assert not (tmp_path / "never.mp4").exists()


class OnceFlakyVideo(CameraMoveVideo):
    """Fails its first call in this process, as a GPU backend can after a transient out-of-memory."""

    name = "once-flaky"
    failed = False

    def render(self, request, out):  # type: ignore[override]
        if not OnceFlakyVideo.failed:
            OnceFlakyVideo.failed = True
            raise RuntimeError("transient failure")
        super().render(request, out)


def test_a_failure_is_not_carried_into_the_next_run(script: Path, tmp_path: Path, monkeypatch) -> None:
    from shotgraph.stages import video

    monkeypatch.setitem(video.VIDEO_BACKENDS, "once-flaky", f"{__name__}:OnceFlakyVideo")
    profile = with_backends(small_profile(tmp_path), video="once-flaky")
    first = Director(script, profile=profile, workdir=tmp_path / "work").make()
    assert len(first.failures) == 1
    again = Director(script, profile=profile, workdir=tmp_path / "work").make()
    assert again.failures == {} and again.computed.get("video") == 1


class MutedDialogue:
    """Wraps the espeak backend and fails on one line, as a voice-cloning model can on a bad sample."""

    def __init__(self, profile):
        from shotgraph.audio.espeak import EspeakDialogue

        self.inner = EspeakDialogue(profile)
        self.name, self.key_fields = "muted", self.inner.key_fields

    def render(self, request, out):
        if "raining" in request.line.text:
            raise RuntimeError("voice sample unreadable")
        self.inner.render(request, out)


def test_a_failed_line_keeps_its_time_and_subtitle_and_is_reported(script: Path, tmp_path: Path, monkeypatch) -> None:
    from shotgraph.audio import dialogue

    monkeypatch.setitem(dialogue.DIALOGUE_BACKENDS, "muted", f"{__name__}:MutedDialogue")
    profile = with_backends(small_profile(tmp_path), dialogue="muted")
    report = Director(script, profile=profile, workdir=tmp_path / "work").make()
    assert list(report.failures) == ["sc001-e002"]
    assert "voice sample unreadable" in report.failures["sc001-e002"]
    assert "Is it raining out there?" in Path(report.outputs["srt"]).read_text(encoding="utf-8")


def test_a_missing_plan_file_is_one_clear_line(script: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["make", str(script), "--plan", str(tmp_path / "nope.json")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[0].startswith(f"error: {tmp_path / 'nope.json'}")
    assert "no such plan file" in result.output and "Traceback" not in result.output


class BrokenLook(CharacterCard):
    """The real card backend, failing for one character as a reference-sheet model can."""

    name = "broken"

    def render(self, request, out):  # type: ignore[override]
        if request.character.id == "ben":
            raise RuntimeError("reference sheet failed (simulated)")
        super().render(request, out)


class BrokenMusic(ProceduralScore):
    """The real score backend, failing on the first scene's cue."""

    name = "broken"

    def render(self, request, out):  # type: ignore[override]
        if request.scene.id == "sc001":
            raise RuntimeError("music model out of memory (simulated)")
        super().render(request, out)


class BrokenFoley(ProceduralFoley):
    """The real foley backend, failing on the shot with the door slam."""

    name = "broken"

    def effects(self, request, out):  # type: ignore[override]
        if request.shot.id == "sc002-sh02":
            raise RuntimeError("audio model out of memory (simulated)")
        super().effects(request, out)


def profile_file(tmp_path: Path, **stages: str) -> Path:
    """The draft profile as a TOML file with some stages' backends renamed, for `make --profile`."""
    text = (CONFIG_DIR / "draft.toml").read_text(encoding="utf-8")
    for stage, name in stages.items():
        text, found = re.subn(rf'^{stage} = ".*"$', f'{stage} = "{name}"', text, flags=re.MULTILINE)
        assert found == 1, stage
    path = tmp_path / "custom.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_failed_look_cue_or_effect_degrades_that_item_and_the_film_still_renders(
        script: Path, tmp_path: Path, monkeypatch) -> None:
    from shotgraph.audio import foley, music
    from shotgraph.characters import look

    monkeypatch.setitem(look.LOOK_BACKENDS, "broken", f"{__name__}:BrokenLook")
    monkeypatch.setitem(music.MUSIC_BACKENDS, "broken", f"{__name__}:BrokenMusic")
    monkeypatch.setitem(foley.FOLEY_BACKENDS, "broken", f"{__name__}:BrokenFoley")
    profile = profile_file(tmp_path, look="broken", music="broken", foley="broken")
    make = ["make", str(script), "--profile", str(profile), "--resolution", "320x180", "--fps", "12",
            "--workdir", str(tmp_path / "work")]
    result = CliRunner().invoke(app, make)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for line in ("failed  look ben: look (broken): reference sheet failed (simulated); drawn without a reference look",
                 "failed  music sc001: music (broken): music model out of memory (simulated); silent for its time",
                 "failed  effects sc002-sh02: foley (broken): audio model out of memory (simulated); "
                 "silent for its time"):
        assert line in result.output
    assert result.output.count("failed  ") == 3  # Ben's shots are drawn, not slated

    film = script.with_suffix(".mp4")
    audio = film_audio(film)
    assert len(audio) == count_frames(film) * 48000 // 12  # the sound ends with the picture
    score, rate = read_wav(script.with_suffix(".stems") / "music.wav")
    assert (rate, len(score)) == (48000, len(audio))
    scene_two = probe(film).chapters[1].start  # the two scenes' cues cross-fade over a second around it
    assert not score[: round((scene_two - 0.6) * rate)].any()  # the first scene's cue is silence
    assert np.abs(score[round((scene_two + 0.6) * rate):]).max() > 0.01  # the second scene is scored

    strict = CliRunner().invoke(app, make + ["--strict", "-o", str(tmp_path / "strict.mp4")])
    assert strict.exit_code == 1
    assert "error: look backend 'broken': look ben: reference sheet failed (simulated)" in strict.output
    assert "Traceback" not in strict.output and not (tmp_path / "strict.mp4").exists()


def test_an_unknown_backend_is_refused_before_any_work(script: Path, tmp_path: Path) -> None:
    profile = profile_file(tmp_path, video="ltxx")
    result = CliRunner().invoke(app, ["make", str(script), "--profile", str(profile),
                                      "--workdir", str(tmp_path / "work")])
    assert result.exit_code == 1
    assert result.output.strip() == ("error: video backend 'ltxx': unknown backend; known backends = "
                                     "['camera', 'hunyuan', 'ltx', 'ltx2', 'wan']")
    assert not (tmp_path / "work").exists()  # nothing read, planned or made


def test_a_damaged_checkpoint_file_is_one_line_that_says_what_to_do(script: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "checkpoints.sqlite").write_bytes(b"half a checkpoint, then the power went\0" * 200)
    result = CliRunner().invoke(app, ["make", str(script), "--workdir", str(work)])
    assert result.exit_code == 1
    assert result.output.strip().startswith(f"error: {work / 'checkpoints.sqlite'}: the checkpoint file is damaged")
    assert "delete it to start the run over; what was made stays in the store and is reused" in result.output
    assert "Traceback" not in result.output


def test_a_full_output_disk_leaves_no_partial_file_beside_the_film(tmp_path: Path) -> None:
    stored = tmp_path / "store-film.mp4"
    stored.write_bytes(os.urandom(200_000))
    out = tmp_path / "out"
    out.mkdir()
    deliver = textwrap.dedent(f"""
        import errno, os, pathlib, resource, signal
        from shotgraph.production.cutting import _place

        def other_disk(source, target):
            raise OSError(errno.EXDEV, "Invalid cross-device link")

        os.link = other_disk  # the output folder is on another disk than the store: the film is copied
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails, as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))
        _place({str(stored)!r}, pathlib.Path({str(out / "film.mp4")!r}))
    """)
    result = subprocess.run([sys.executable, "-c", deliver], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "File too large" in result.stderr
    assert list(out.iterdir()) == []


def test_a_run_stopped_between_two_mix_stems_stores_only_the_rest(script: Path, tmp_path: Path, monkeypatch) -> None:
    put, stems = ArtifactStore.put, []

    def disk_fills_after_two_stems(self, key, suffix, write, *, stage, **kwargs):  # type: ignore[no-untyped-def]
        if stage == "mix" and len(stems) == 2:
            raise StoreError(f"{self.root}: disk full while writing a mix artifact; nothing was lost")
        stored = put(self, key, suffix, write, stage=stage, **kwargs)
        if stage == "mix":
            stems.append(key)
        return stored

    profile, work = small_profile(tmp_path), tmp_path / "work"
    monkeypatch.setattr(ArtifactStore, "put", disk_fills_after_two_stems)
    with pytest.raises(StoreError, match="disk full"):
        Director(script, profile=profile, workdir=work).make()
    monkeypatch.undo()
    report = Director(script, profile=profile, workdir=work).make()
    assert report.resumed
    assert (report.reused.get("mix"), report.computed.get("mix")) == (2, 2)
    assert max(ArtifactStore(work / "store").computations().values()) == 1


def test_a_closing_fade_out_fades_picture_and_sound_to_black(script: Path, tmp_path: Path) -> None:
    script.write_text(SCRIPT + "\nFADE OUT.\n", encoding="utf-8")
    report = Director(script, profile=small_profile(tmp_path), workdir=tmp_path / "work").make()
    assert report.ok, report.failures
    film = Path(report.outputs["film"])
    assert count_frames(film) == round(report.seconds * 12)

    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(film), "-f", "rawvideo", "-pix_fmt", "gray", "-"],
                         check=True, capture_output=True).stdout
    frames = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 180, 320).mean(axis=(1, 2))
    fade = 2 * 12  # ENDING_FADE_SECONDS at 12 fps
    assert frames[-1] < 2.0 and frames[-fade - 1] > 20.0  # black at the end, the shot itself before the fade
    assert np.all(np.diff(frames[-fade:]) <= 0.5)  # darkening all the way

    audio = film_audio(film)
    def rms(x: np.ndarray) -> float:
        return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))
    assert rms(audio[-4800:]) < 0.01 * rms(audio[-4 * 48000:-2 * 48000])  # the last 0.1 s is near silence

    timeline = otio.adapters.read_from_file(report.outputs["otio"])
    last = list(timeline.video_tracks()[0])[-1]
    assert isinstance(last, otio.schema.Transition) and last.in_offset.value == fade and last.out_offset.value == 0


def test_a_film_made_before_the_house_move_is_reused_whole(tmp_path: Path, monkeypatch) -> None:
    """Every artifact key is what it was before the code moved house (issue 8), but for changes made on purpose.

    The fixture holds the keys the film had when made by the code before the move; paths are relative, so the
    keys do not depend on where the test runs. Since then these changes were made on purpose: subtitles follow the
    timed-text rules and the stems are delivered at the mix's gain (issue 13), a shot may be a title card (issue
    12), and seeds start from a scene's heading instead of its ordinal id, so that a scene inserted before
    others leaves them alone (issue 13; test_inserting_a_scene_makes_only_that_scene). So the plan, the
    subtitles, the mix and its stems, the film and its timeline, and every seeded picture and cue are new; every
    voice and character look is reused.
    """
    recorded = json.loads((Path(__file__).parent / "fixtures" / "kettle_keys.json").read_text(encoding="utf-8"))
    monkeypatch.chdir(tmp_path)
    Path("kettle.fountain").write_text(SCRIPT, encoding="utf-8")
    report = Director("kettle.fountain", profile=small_profile(tmp_path), workdir="work", output="kettle.mp4").make()
    manifest = json.loads(next(Path("work/films").glob("*.json")).read_text(encoding="utf-8"))
    new = set(manifest["keys"]) - set(recorded["keys"])
    with sqlite3.connect("work/store/index.sqlite") as db:
        stages = [db.execute("SELECT stage FROM artifacts WHERE key = ?", (key,)).fetchone()[0] for key in new]
    reseeded = {stage: stages.count(stage) for stage in ("keyframe", "video", "upscale", "music", "foley")}
    assert set(stages) == {"plan", "subtitles", "mix", "film", "otio", *reseeded}
    assert reseeded == {"keyframe": report.computed["keyframe"], "video": report.computed["video"],
                        "upscale": report.computed["upscale"], "music": report.computed["music"],
                        "foley": report.computed["foley"]}
    # the plan, srt, vtt, the mix and its 3 stems, the film and its timeline; each new key replaced one old one
    assert len(stages) - sum(reseeded.values()) == 9
    assert len(set(recorded["keys"]) - set(manifest["keys"])) == len(new)
    with sqlite3.connect("work/store/index.sqlite") as db:
        kept = [db.execute("SELECT stage FROM artifacts WHERE key = ?", (key,)).fetchone()[0]
                for key in set(manifest["keys"]) & set(recorded["keys"])]
    assert sorted(kept) == ["dialogue"] * report.computed["dialogue"] + ["look"] * report.computed["look"] + [
        "read", "timing", "title"]
    again = Director("kettle.fountain", profile=small_profile(tmp_path), workdir="work", output="kettle.mp4").make()
    assert again.computed == {} and sum(again.reused.values()) == sum(report.computed.values())
