"""How a node works through its items: in a bounded pool, each failure kept to its item (invariant 6)."""

from __future__ import annotations

import hashlib
import logging
import os
import stat
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from shotgraph.errors import BackendError, ShotgraphError, StoreError
from shotgraph.production.crew import Crew
from shotgraph.production.events import ItemFailed
from shotgraph.store import artifact_key

log = logging.getLogger(__name__)

POOL_SIZE = max(1, os.cpu_count() or 1)  # CPU stages run in a bounded pool; ffmpeg runs as subprocesses

T = TypeVar("T")


def in_pool(items: Iterable[T], work: Callable[[T], Any], advance: Callable[[], None]) -> list[Any]:
    def run(item: T) -> Any:
        try:
            return work(item)
        finally:
            advance()

    pool = ThreadPoolExecutor(max_workers=POOL_SIZE)
    try:
        return list(pool.map(run, items))
    except KeyboardInterrupt:  # Ctrl-C: start nothing more; what is running finishes or dies with the process
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True)


def attempt(crew: Crew, failures: dict[str, str], work: Callable[[], T], *, stage: str, backend: Any, item: str,
            instead: str, stand_in: Callable[[], T | None] = lambda: None, label: str = "") -> T | None:
    """`work()` for one item of a stage; if it fails, `failures[item]` says why and `stand_in()` takes its place.

    One item's failure must not sink the film (invariant 6); `--strict` makes it stop the run instead.
    """
    try:
        return work()
    except StoreError:
        raise  # a full disk or a damaged index is the whole run's problem, not this item's: one line, at once
    except Exception as exc:
        if crew.strict:
            raise BackendError(stage, backend.name, f"{label or item}: {exc}") from exc
        failures[item] = f"{stage} ({backend.name}): {exc}; {instead}"
        crew.events(ItemFailed(stage, item, failures[item]))
        log.error("%s failed in %s: %s", label or item, stage, exc)
        return stand_in()


def silence(crew: Crew, seconds: float, rate: int, stage: str) -> Path:
    from shotgraph.audio.wav import write_wav

    samples = round(seconds * rate)
    key = artifact_key({"stage": "silence", "samples": samples, "rate": rate})
    return crew.store.fetch_or_make(key, ".wav", lambda tmp: write_wav(tmp, np.zeros(samples, np.float32), rate),
                                    stage=stage, backend="silence")


MAX_USER_FILE = 200 * 1024**2  # a look reference or voice sample; anything larger is not one


def user_file(crew: Crew, path: Path | None) -> Path | None:
    """A file the plan names (a look reference, a voice sample), resolved against the project folder (the
    screenplay's) and confined to it: a plan is data, and must not make the run read /etc/passwd or /dev/zero."""
    if path is None:
        return None
    project = crew.script.resolve().parent
    full = (project / Path(path).expanduser()).resolve()
    if not full.is_relative_to(project):
        raise ShotgraphError(f"{path}: outside the project folder {project}; reference files must be inside it")
    try:
        status = full.stat()
    except OSError as exc:
        raise ShotgraphError(f"{path}: cannot read this reference file: {exc.strerror or exc}") from None
    if not stat.S_ISREG(status.st_mode):
        raise ShotgraphError(f"{path}: not a regular file; a reference must be an image or sound file")
    if status.st_size > MAX_USER_FILE:
        raise ShotgraphError(f"{path}: {status.st_size / 1024**2:.0f} MB; a reference file may be at most "
                             f"{MAX_USER_FILE // 1024**2} MB")
    return full


def file_identity(path: Path | None) -> str | None:
    """A user-supplied file enters a key by its content, so replacing it in place is noticed."""
    if path is None:
        return None
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError as exc:
        raise ShotgraphError(f"{path}: cannot read this reference file: {exc.strerror or exc}") from None
