"""The content-addressed store: keys, reuse, atomic writes, failures that leave it consistent, gc."""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from shotgraph.errors import StoreError
from shotgraph.store import ArtifactStore, artifact_key

FIELDS = {"stage": "keyframe", "backend": "storyboard", "version": "1", "model": "", "revision": "", "params": {}}


def test_key_changes_with_every_ingredient() -> None:
    base = artifact_key(FIELDS, ["abc"], seed=1)
    assert base == artifact_key(dict(FIELDS), ["abc"], seed=1)
    variants = [
        artifact_key({**FIELDS, "version": "2"}, ["abc"], seed=1),
        artifact_key({**FIELDS, "model": "flux-dev"}, ["abc"], seed=1),
        artifact_key({**FIELDS, "revision": "r2"}, ["abc"], seed=1),
        artifact_key({**FIELDS, "params": {"width": 640}}, ["abc"], seed=1),
        artifact_key(FIELDS, ["abd"], seed=1),
        artifact_key(FIELDS, ["abc"], seed=2),
    ]
    assert len({base, *variants}) == 7


def test_reuse_counts_and_computes_once(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    key = artifact_key(FIELDS, seed=0)
    calls = []

    def write(tmp: Path) -> None:
        calls.append(tmp)
        tmp.write_bytes(b"frame")

    first = store.fetch_or_make(key, ".png", write, stage="keyframe", backend="storyboard")
    second = store.fetch_or_make(key, ".png", write, stage="keyframe", backend="storyboard")
    assert first == second and first.read_bytes() == b"frame"
    assert first.stat().st_mode & 0o777 == 0o444  # read-only: delivered files are links to it
    assert len(calls) == 1
    assert store.counters.computed == {"keyframe": 1} and store.counters.reused == {"keyframe": 1}
    assert store.computations() == {key: 1}
    assert ArtifactStore(tmp_path).get(key) == first  # the index survives the process


def test_failed_write_leaves_no_artifact_and_no_temp_file(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    key = artifact_key(FIELDS, seed=3)

    def half_write(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise RuntimeError("killed mid-write")

    with pytest.raises(RuntimeError):
        store.put(key, ".mp4", half_write, stage="video", backend="camera")
    assert store.get(key) is None
    assert not any(p.is_file() for p in store.objects.rglob("*"))


def test_disk_full_is_a_clear_store_error(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)

    def full(tmp: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(StoreError, match="disk full while writing a video artifact; nothing was lost"):
        store.put(artifact_key(FIELDS, seed=4), ".mp4", full, stage="video", backend="camera")
    assert store.keys() == set()


def test_a_full_disk_while_indexing_is_a_store_error_and_removes_the_file(tmp_path: Path) -> None:
    ArtifactStore(tmp_path)
    # A reader holding the index open keeps its shared-memory file in place, so the write that fails is the
    # index insert itself, after the artifact was renamed under its key.
    reader = sqlite3.connect(tmp_path / "index.sqlite")
    reader.execute("SELECT COUNT(*) FROM artifacts").fetchone()
    writer = textwrap.dedent(f"""
        import resource, signal
        from shotgraph.store import ArtifactStore
        store = ArtifactStore({str(tmp_path)!r})
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails, as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))  # the artifact fits, the index's next page not
        store.put({"ab" * 16!r}, ".png", lambda tmp: tmp.write_bytes(b"x" * 100), stage="look", backend="card")
    """)
    result = subprocess.run([sys.executable, "-c", writer], capture_output=True, text=True, timeout=60)
    reader.close()
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"shotgraph.errors.StoreError: {tmp_path / 'index.sqlite'}: cannot write the artifact index")
    assert "check that the disk has room; nothing was lost" in last
    assert not any(p.is_file() for p in (tmp_path / "objects").rglob("*"))  # no file the index does not name
    assert ArtifactStore(tmp_path).keys() == set()


def test_a_damaged_index_is_a_store_error_that_says_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "index.sqlite").write_bytes(b"not a database, whatever happened to it" * 100)
    with pytest.raises(StoreError) as error:
        ArtifactStore(tmp_path)
    assert str(error.value).startswith(f"{tmp_path / 'index.sqlite'}: the artifact index is damaged")
    assert f"delete the folder {tmp_path} to start the store over" in str(error.value)


def test_empty_output_is_refused(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    with pytest.raises(StoreError, match="wrote nothing"):
        store.put(artifact_key(FIELDS, seed=5), ".wav", lambda tmp: None, stage="music", backend="procedural")


def test_file_deleted_by_hand_is_recomputed(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    key = artifact_key(FIELDS, seed=6)
    path = store.put(key, ".png", lambda tmp: tmp.write_bytes(b"x"), stage="look", backend="card")
    path.unlink()
    assert store.get(key) is None


def test_gc_keeps_what_is_referenced(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    keep = store.put(artifact_key(FIELDS, seed=7), ".png", lambda t: t.write_bytes(b"k"), stage="look", backend="card")
    drop = store.put(artifact_key(FIELDS, seed=8), ".png", lambda t: t.write_bytes(b"dd"), stage="look", backend="card")
    (store.objects / "ab").mkdir(exist_ok=True)
    orphan = store.objects / "ab" / ".abc.tmp.png"  # left by a kill mid-write, two hours ago
    orphan.write_bytes(b"orphan")
    os.utime(orphan, (time.time() - 7200, time.time() - 7200))
    writing = store.objects / "ab" / ".abd.tmp.png"  # a concurrent make is writing this one now
    writing.write_bytes(b"partial")
    freed = store.gc({keep.stem})
    assert freed.count == 1
    assert keep.is_file() and not drop.exists()
    assert not orphan.exists() and writing.exists()
    assert store.stats()["look"].count == 1


def test_unwritable_root_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot open the artifact store"):
        ArtifactStore(blocker / "store")


def test_threads_asking_for_one_key_compute_it_once(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    store = ArtifactStore(tmp_path)
    key = artifact_key(FIELDS, seed=9)

    def slow_write(tmp: Path) -> None:
        time.sleep(0.05)
        tmp.write_bytes(b"line")

    with ThreadPoolExecutor(max_workers=4) as pool:
        paths = list(pool.map(lambda _: store.fetch_or_make(key, ".wav", slow_write, stage="dialogue",
                                                            backend="espeak"), range(8)))
    assert len(set(paths)) == 1
    assert store.computations() == {key: 1}
    assert store.counters.computed == {"dialogue": 1} and store.counters.reused == {"dialogue": 7}


def test_a_new_store_waits_for_another_run_that_is_writing_its_index(tmp_path: Path) -> None:
    """Two runs opening a new work folder together: while one writes the index, the other's switch to WAL mode
    is answered 'database is locked' at once by SQLite; it must wait, as every other use of the index does."""
    import threading

    other = sqlite3.connect(tmp_path / "index.sqlite", isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE written_by_the_other_run (x)")
    other.execute("BEGIN IMMEDIATE")  # the other run is writing
    other.execute("INSERT INTO written_by_the_other_run VALUES (1)")
    threading.Timer(0.5, other.execute, ["COMMIT"]).start()
    started = time.monotonic()
    store = ArtifactStore(tmp_path)
    assert time.monotonic() - started >= 0.4  # it waited for the other run's write ...
    assert store.put("k", ".txt", lambda p: p.write_text("x"), stage="t", backend="b").read_text() == "x"  # ... and works
    other.close()
