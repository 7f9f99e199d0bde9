"""What the store reuses is what it stored, and an interrupted run whose files are gone still finishes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from shotgraph.media.ffmpeg import count_frames
from shotgraph.production.director import Director
from shotgraph.store import ArtifactStore
from test_make import LINES, SCRIPT, FlakyVideo, small_profile, with_backends


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "kettle.fountain"
    path.write_text(SCRIPT, encoding="utf-8")
    return path


def spoil(path: Path, how: str) -> None:
    os.chmod(path, 0o644)  # artifacts are read-only; a user (or a crash, or root) can still damage one
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] if how == "truncate" else data[:-1] + bytes([data[-1] ^ 0xFF]))


@pytest.mark.parametrize("how", ["truncate", "flip"])
def test_a_damaged_artifact_is_never_reused_and_the_store_says_so(tmp_path: Path, how: str) -> None:
    store = ArtifactStore(tmp_path / "store")
    path = store.put("ab" * 16, ".txt", lambda tmp: tmp.write_text("the words, as stored\n"), stage="subtitles",
                     backend="srt")
    spoil(path, how)
    assert store.get("ab" * 16, "subtitles") is None
    assert store.counters.damaged == {"subtitles": 1} and not path.exists()
    remade = store.fetch_or_make("ab" * 16, ".txt", lambda tmp: tmp.write_text("the words, as stored\n"),
                                 stage="subtitles", backend="srt")
    assert remade.read_text() == "the words, as stored\n"


def test_a_truncated_film_or_line_is_made_again_not_delivered(script: Path, tmp_path: Path) -> None:
    profile = small_profile(tmp_path)
    first = Director(script, profile=profile, workdir=tmp_path / "work").make()
    store = ArtifactStore(tmp_path / "work" / "store")
    spoil(Path(first.outputs["film"]), "truncate")  # the delivered film is a hard link to the stored one
    with store._index() as db:  # a recorded line
        line = tmp_path / "work" / "store" / db.execute(
            "SELECT path FROM artifacts WHERE stage = 'dialogue' LIMIT 1").fetchone()[0]
    spoil(line, "truncate")
    again = Director(script, profile=profile, workdir=tmp_path / "work").make()
    assert again.computed["dialogue"] == 1 and again.computed["film"] == 1
    assert count_frames(Path(again.outputs["film"])) == round(again.seconds * 12)
    assert again.seconds == first.seconds
    assert any(note.startswith("store: ") and "were made again, never reused" in note for note in again.notes)
    srt = Path(again.outputs["srt"]).read_text(encoding="utf-8")
    assert all(words in srt for words in LINES)


def test_a_resumed_run_whose_stored_file_is_gone_starts_over_and_finishes(script: Path, tmp_path: Path,
                                                                          monkeypatch) -> None:
    from shotgraph.stages import video

    monkeypatch.setitem(video.VIDEO_BACKENDS, "flaky", f"{FlakyVideo.__module__}:FlakyVideo")
    profile = with_backends(small_profile(tmp_path), video="flaky")
    with pytest.raises(Exception, match="CUDA out of memory"):  # stopped in the shoot, checkpointed
        Director(script, profile=profile, workdir=tmp_path / "work", strict=True).make()
    recordings = sorted((tmp_path / "work" / "store" / "objects").rglob("*.wav"))
    assert recordings
    os.chmod(recordings[0], 0o644)
    recordings[0].unlink()  # a file the checkpoint names, deleted while the run was stopped
    monkeypatch.setattr(FlakyVideo, "render", FlakyVideo.__mro__[1].render)  # the GPU has memory again
    report = Director(script, profile=profile, workdir=tmp_path / "work", strict=True).make()
    assert report.ok and not report.resumed
    assert any(note.startswith("resume: artifact ") and "started over" in note for note in report.notes)
    assert report.computed.get("dialogue") == 1  # only the deleted line is recorded again


def test_making_a_film_twice_leaves_nothing_hidden_beside_it(script: Path, tmp_path: Path) -> None:
    profile = small_profile(tmp_path)
    for _ in range(2):
        Director(script, profile=profile, workdir=tmp_path / "work").make()
    assert sorted(p.name for p in script.parent.glob(".*") if p.name != ".shotgraph") == []
    assert sorted(p.name for p in script.with_suffix(".stems").glob(".*")) == []


def test_scratch_of_a_killed_run_is_removed_by_the_next_run_and_a_live_ones_is_kept(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path / "store")
    dead = store.objects / ".mix-999999999-abcd.tmp"  # no such process
    alive = store.objects / "ab" / f".card-{os.getpid()}-efgh.tmp"
    for folder in (dead, alive):
        folder.mkdir(parents=True)
        (folder / "mix.wav").write_bytes(b"\0" * 1000)
    ArtifactStore(tmp_path / "store")  # the next run opens the store
    assert not dead.exists() and alive.exists()


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_an_ffmpeg_child_dies_with_its_parent() -> None:
    import signal
    import subprocess
    import sys
    import time

    code = "from shotgraph.media.ffmpeg import run_ffmpeg\n" \
           "run_ffmpeg(['-f', 'lavfi', '-i', 'sine=duration=100000', '-f', 'null', '-'], what='a long encode')\n"
    parent = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.monotonic() + 20
    while not (ffmpeg := children_of(parent.pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ffmpeg, "ffmpeg did not start"
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    time.sleep(0.5)
    stat = Path(f"/proc/{ffmpeg[0]}/stat")
    state = stat.read_text().rsplit(")", 1)[1].split()[0] if stat.exists() else "gone"
    if state not in ("Z", "gone"):
        os.kill(ffmpeg[0], signal.SIGKILL)
    assert state in ("Z", "gone"), f"ffmpeg outlived the run that started it (state {state})"


def test_two_makes_into_one_work_folder_never_make_an_artifact_twice(script: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    command = [sys.executable, "-m", "shotgraph", "make", str(script), "--workdir", str(tmp_path / "work"),
               "--resolution", "320x180", "--fps", "12"]
    runs = [subprocess.Popen(command + ["-o", str(tmp_path / f"film{i}.mp4")], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for i in range(2)]
    results = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], results
    computations = ArtifactStore(tmp_path / "work" / "store").computations()
    assert max(computations.values()) == 1  # the second run waited for and reused every artifact it shared
    assert (tmp_path / "film0.mp4").stat().st_size == (tmp_path / "film1.mp4").stat().st_size


def test_a_work_folder_that_cannot_be_written_is_one_line_that_suggests_workdir(script: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from shotgraph.cli import app

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(app, ["make", str(script), "--workdir", str(blocker / "work")])
    assert result.exit_code == 1
    assert result.output.strip() == (f"error: {blocker / 'work'}: cannot write the work folder (Not a directory); "
                                     "give a folder you can write to with --workdir")


def test_a_full_disk_is_one_line_not_a_list_of_failed_items(script: Path, tmp_path: Path, monkeypatch,
                                                             caplog) -> None:
    from shotgraph.errors import StoreError

    real_put = ArtifactStore.put

    def put(self, key, suffix, write, *, stage, backend, **options):
        if stage == "keyframe":  # the disk fills up in the shoot
            raise StoreError(f"{self.root}: disk full while writing a {stage} artifact; nothing was lost")
        return real_put(self, key, suffix, write, stage=stage, backend=backend, **options)

    monkeypatch.setattr(ArtifactStore, "put", put)
    with pytest.raises(StoreError, match="disk full while writing a keyframe artifact"):
        Director(script, profile=small_profile(tmp_path), workdir=tmp_path / "work").make()
    assert [r for r in caplog.records if r.levelname == "ERROR"] == []  # no item reported failed before it


def test_a_film_with_no_dialogue_is_made_without_a_subtitle_track(tmp_path: Path) -> None:
    from shotgraph.media.ffmpeg import probe

    silent = tmp_path / "silent.fountain"
    silent.write_text("EXT. FIELD - DAY\n\nWind moves the grass. A DOG BARKS.\n\nINT. BARN - NIGHT\n\n"
                      "An old man sits alone.\n", encoding="utf-8")
    report = Director(silent, profile=small_profile(tmp_path), workdir=tmp_path / "work").make()
    assert report.ok and report.shots == 4
    assert [s.kind for s in probe(report.outputs["film"]).streams if s.kind != "data"] == ["video", "audio"]
    assert Path(report.outputs["srt"]).read_text(encoding="utf-8") == ""


def test_ctrl_c_is_one_line_exit_130_no_failures_and_the_same_command_resumes(script: Path, tmp_path: Path) -> None:
    import signal
    import sqlite3
    import subprocess
    import sys
    import time

    command = [sys.executable, "-m", "shotgraph", "make", str(script), "--workdir", str(tmp_path / "work"),
               "--resolution", "320x180", "--fps", "12"]
    run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    index = tmp_path / "work" / "store" / "index.sqlite"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # interrupt once the shoot has begun
        try:
            with sqlite3.connect(index, timeout=1) as db:
                if db.execute("SELECT COUNT(*) FROM artifacts WHERE stage = 'keyframe'").fetchone()[0]:
                    break
        except sqlite3.Error:
            pass
        time.sleep(0.02)
    run.send_signal(signal.SIGINT)
    out, err = run.communicate(timeout=120)
    assert run.returncode == 130, err
    assert err.strip().splitlines()[-1] == "interrupted: run the same command again to resume where it stopped"
    assert "failed" not in err and "Traceback" not in err
    again = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and "failed" not in again.stderr
