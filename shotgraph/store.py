"""The content-addressed artifact store (invariant 2).

An artifact's key is a hash of what produced it: stage, backend name and version, model id and revision, the
parameters that change output, the keys of its inputs and the seed. The same key means the stored file is
reused. Files are written to a temporary name in the same folder and renamed into place, so a kill never leaves
a half-written file under a valid key. A small SQLite index records what exists and what produced it.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import re
import shutil
import os
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shotgraph.errors import StoreError

log = logging.getLogger(__name__)

KEY_LENGTH = 32  # hex characters of sha256; 128 bits is plenty for a film's artifacts
HASH_BELOW = 64 * 1024**2  # files up to this size are checked against their content hash on every reuse
ALWAYS_HASHED = frozenset({"film", "mix", "subtitles", "otio", "plan"})  # what is delivered: checked whatever size
BUSY_TIMEOUT_S = 30.0  # how long a run waits for another that is writing a database both use
STRAY_AGE_SECONDS = 3600  # gc removes temporary files older than this: no write takes an hour


def artifact_key(fields: dict[str, Any], inputs: Iterable[str] = (), seed: int | None = None) -> str:
    """Hash of a backend's key fields, its inputs' keys (order matters) and the seed."""
    payload = {"fields": fields, "inputs": list(inputs), "seed": seed}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:KEY_LENGTH]


def scratch_dir(parent: Path, kind: str) -> tempfile.TemporaryDirectory:
    """A scratch folder in `parent`, named with this process's id: if the process is killed, the next store
    opened on the work folder (or `cache gc`) sees its owner is gone and removes it."""
    return tempfile.TemporaryDirectory(prefix=f".{kind}-{os.getpid()}-", suffix=".tmp", dir=parent)


def _owner_gone(folder: Path) -> bool:
    match = re.match(r"\.[a-z]+-(\d+)-.*\.tmp$", folder.name)
    if match is None:
        return False
    try:
        os.kill(int(match.group(1)), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, someone else's
        return False
    return False


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def use_wal(database: Path) -> None:
    """Put an SQLite file that several runs share into WAL mode (it stays so: readers never wait for a writer).

    The switch needs the file to itself, and SQLite answers 'database is locked' at once, without waiting, while
    another run holds it (two runs opening a new work folder together): so it is tried again, BUSY_TIMEOUT_S long.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            db = sqlite3.connect(database, timeout=BUSY_TIMEOUT_S)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                return
            finally:
                db.close()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def database_problem(database: Path, exc: sqlite3.Error, what: str, remedy: str) -> str:
    """One line for an SQLite failure on `database`: a full disk, a damaged file and what to do, or SQLite's words."""
    reason = getattr(exc, "sqlite_errorname", None)  # None on errors the sqlite3 module raises itself
    if reason == "SQLITE_FULL":
        return f"{database}: disk full while updating the {what}; nothing was lost"
    if reason in ("SQLITE_CORRUPT", "SQLITE_NOTADB"):
        return f"{database}: the {what} is damaged ({exc}); {remedy}"
    if reason and reason.startswith("SQLITE_IOERR"):  # a write refused: a full disk or a file-size limit
        return f"{database}: cannot write the {what} ({exc}); check that the disk has room; nothing was lost"
    return f"{database}: cannot use the {what}: {exc}"


@dataclass
class StageStats:
    count: int = 0
    bytes: int = 0


@dataclass
class StoreCounters:
    """What this process reused and computed, per stage, for the run report."""

    reused: dict[str, int] = field(default_factory=dict)
    computed: dict[str, int] = field(default_factory=dict)
    damaged: dict[str, int] = field(default_factory=dict)  # found truncated or changed, dropped and made again


class ArtifactStore:
    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.objects = self.root / "objects"
        self.counters = StoreCounters()
        self._lock = threading.Lock()
        self._making: dict[str, threading.Lock] = {}  # one lock per key being fetched or made
        self.index = self.root / "index.sqlite"
        self.locks = self.root / "locks"  # one file per key being made, shared by every process on the folder
        try:
            self.objects.mkdir(parents=True, exist_ok=True)
            self.locks.mkdir(exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{self.root}: cannot open the artifact store: {exc}") from exc
        self.remove_abandoned_scratch()
        try:
            use_wal(self.index)
        except sqlite3.Error as exc:
            raise StoreError(database_problem(self.index, exc, "artifact index", f"delete the folder {self.root} to "
                                              "start the store over (what it held is made again)")) from exc
        with self._index() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS artifacts (key TEXT PRIMARY KEY, path TEXT NOT NULL, stage TEXT NOT NULL,"
                " backend TEXT NOT NULL, size INTEGER NOT NULL, created REAL NOT NULL, meta TEXT NOT NULL, sha256 TEXT)"
            )
            # One row per computation: proves that a resumed or repeated run never computes a key twice.
            db.execute("CREATE TABLE IF NOT EXISTS computed (key TEXT NOT NULL, stage TEXT NOT NULL, at REAL NOT NULL)")
            columns = {row[1] for row in db.execute("PRAGMA table_info(artifacts)")}
            if "sha256" not in columns:  # an index from before content hashes: its rows are checked by size
                try:
                    db.execute("ALTER TABLE artifacts ADD COLUMN sha256 TEXT")
                except sqlite3.OperationalError as exc:  # another process added it a moment ago
                    if "duplicate column" not in str(exc):
                        raise

    def remove_abandoned_scratch(self) -> StageStats:
        """Scratch folders of runs that were killed (their process is gone), anywhere in the store."""
        freed = StageStats()
        for folder in [*self.objects.glob(".*.tmp"), *self.objects.glob("*/.*.tmp")]:
            if folder.is_dir() and _owner_gone(folder):
                freed.count += 1
                freed.bytes += sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
                shutil.rmtree(folder, ignore_errors=True)
        return freed

    @contextmanager
    def _index(self) -> Iterator[sqlite3.Connection]:
        """One transaction on the index, committed and closed; an SQLite failure is a StoreError naming the file."""
        try:
            db = sqlite3.connect(self.index, timeout=BUSY_TIMEOUT_S)
            try:
                with db:
                    yield db
            finally:
                db.close()
        except sqlite3.Error as exc:
            raise StoreError(database_problem(self.index, exc, "artifact index", f"delete the folder {self.root} to "
                                              "start the store over (what it held is made again)")) from exc

    def path_for(self, key: str, suffix: str) -> Path:
        return self.objects / key[:2] / f"{key}{suffix}"

    def get(self, key: str, stage: str = "") -> Path | None:
        """The stored file for `key`, or None. A file that is gone, or no longer what was stored (its size, and
        its content hash where that is cheap or the file is delivered), is dropped: the caller makes it again."""
        with self._index() as db:
            row = db.execute("SELECT path, size, sha256, stage FROM artifacts WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        path, size, digest, kind = self.root / row[0], row[1], row[2], row[3]
        problem = self._damage(path, size, digest, kind)
        if problem:
            if problem != "missing":
                log.warning("store: %s artifact %s is %s; it is made again", kind, key, problem)
                with self._lock:
                    self.counters.damaged[kind] = self.counters.damaged.get(kind, 0) + 1
            with self._index() as db:
                db.execute("DELETE FROM artifacts WHERE key = ?", (key,))
            path.unlink(missing_ok=True)
            return None
        if stage:
            with self._lock:
                self.counters.reused[stage] = self.counters.reused.get(stage, 0) + 1
        return path

    @staticmethod
    def _damage(path: Path, size: int, digest: str | None, kind: str) -> str:
        """'' when the file is as stored; else what is wrong with it."""
        try:
            found = path.stat().st_size
        except OSError:
            return "missing"
        if found != size:
            return f"{found} bytes where {size} were stored"
        if digest and (size <= HASH_BELOW or kind in ALWAYS_HASHED) and file_sha256(path) != digest:
            return "changed since it was stored"
        return ""

    def put(
        self,
        key: str,
        suffix: str,
        write: Callable[[Path], None],
        *,
        stage: str,
        backend: str,
        meta: dict[str, Any] | None = None,
        may_be_empty: bool = False,
    ) -> Path:
        """Run `write(tmp_path)`, then move the file under `key` atomically and index it. An empty file is a
        backend that wrote nothing, unless `may_be_empty` (the subtitles of a film with no dialogue)."""
        final = self.path_for(key, suffix)
        tmp: Path | None = None
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f".{key}.", suffix=f".tmp{suffix}", dir=final.parent)
            os.close(fd)
            tmp = Path(name)
            write(tmp)
            if not tmp.is_file() or (tmp.stat().st_size == 0 and not may_be_empty):
                raise StoreError(f"{stage} backend '{backend}' wrote nothing for artifact {key}")
            with open(tmp, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(tmp, final)
            tmp = None
            os.chmod(final, 0o444)  # artifacts never change; delivered files are hard links to them
            size = final.stat().st_size
            digest = file_sha256(final)
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise StoreError(f"{self.root}: disk full while writing a {stage} artifact; nothing was lost") from exc
            raise StoreError(f"{self.root}: cannot write a {stage} artifact: {exc}") from exc
        finally:
            if tmp is not None:
                tmp.unlink(missing_ok=True)
        try:
            with self._index() as db:
                db.execute(
                    "INSERT OR REPLACE INTO artifacts (key, path, stage, backend, size, created, meta, sha256) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (key, str(final.relative_to(self.root)), stage, backend, size, time.time(),
                     json.dumps(meta or {}, default=str), digest),
                )
                db.execute("INSERT INTO computed VALUES (?, ?, ?)", (key, stage, time.time()))
        except StoreError:
            final.unlink(missing_ok=True)  # a file the index does not name would be neither reused nor collected
            raise
        with self._lock:
            self.counters.computed[stage] = self.counters.computed.get(stage, 0) + 1
        return final

    def fetch_or_make(
        self,
        key: str,
        suffix: str,
        write: Callable[[Path], None],
        *,
        stage: str,
        backend: str,
        meta: dict[str, Any] | None = None,
        may_be_empty: bool = False,
    ) -> Path:
        """The stored artifact for `key`, made by `write` only if it is not there yet.

        Threads asking for the same key at once (two identical lines of dialogue) wait for one to make it.
        """
        with self._lock:
            key_lock = self._making.setdefault(key, threading.Lock())
        with key_lock, self.exclusive(key, stage):
            found = self.get(key, stage)
            if found is not None:
                return found
            return self.put(key, suffix, write, stage=stage, backend=backend, meta=meta, may_be_empty=may_be_empty)

    @contextmanager
    def exclusive(self, key: str, stage: str) -> Iterator[None]:
        """Another process making the same key (two runs into one work folder): wait for it, then reuse its work."""
        from filelock import FileLock, Timeout

        lock = FileLock(self.locks / f"{key}.lock")
        try:
            lock.acquire(timeout=0)
        except Timeout:
            log.warning("store: another run is making %s artifact %s; waiting for it", stage, key)
            lock.acquire()
        try:
            yield
        finally:
            lock.release()

    def meta(self, key: str) -> dict[str, Any] | None:
        with self._index() as db:
            row = db.execute("SELECT meta FROM artifacts WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def stats(self) -> dict[str, StageStats]:
        with self._index() as db:
            rows = db.execute("SELECT stage, COUNT(*), SUM(size) FROM artifacts GROUP BY stage ORDER BY stage").fetchall()
        return {stage: StageStats(count, size or 0) for stage, count, size in rows}

    def computations(self) -> dict[str, int]:
        """How many times each key has been computed over the store's life."""
        with self._index() as db:
            return dict(db.execute("SELECT key, COUNT(*) FROM computed GROUP BY key").fetchall())

    def has(self, key: str) -> bool:
        """Whether `key` is stored (as the index says; `get` also checks the file)."""
        with self._index() as db:
            return db.execute("SELECT 1 FROM artifacts WHERE key = ?", (key,)).fetchone() is not None

    def keys(self) -> set[str]:
        with self._index() as db:
            return {row[0] for row in db.execute("SELECT key FROM artifacts")}

    def gc(self, keep: set[str]) -> StageStats:
        """Remove every artifact whose key is not in `keep`, and stray temporary files. Returns what was freed."""
        freed = StageStats()
        with self._index() as db:
            rows = db.execute("SELECT key, path, size FROM artifacts").fetchall()
            for key, rel, size in rows:
                if key in keep:
                    continue
                (self.root / rel).unlink(missing_ok=True)
                (self.locks / f"{key}.lock").unlink(missing_ok=True)
                db.execute("DELETE FROM artifacts WHERE key = ?", (key,))
                db.execute("DELETE FROM computed WHERE key = ?", (key,))
                freed.count += 1
                freed.bytes += size
        for stray in self.objects.glob("*/.*.tmp*"):  # left by a kill; a younger one may still be in writing
            if stray.is_file() and time.time() - stray.stat().st_mtime > STRAY_AGE_SECONDS:
                freed.bytes += stray.stat().st_size
                stray.unlink(missing_ok=True)
        freed.bytes += self.remove_abandoned_scratch().bytes
        return freed
