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
