"""Where a run keeps its work and puts its film by default: beside the screenplay. Kept light (no LangGraph), so
commands that only need the work folder, such as `plan` and `cache`, start fast."""

from __future__ import annotations

import time
from pathlib import Path

from shotgraph.errors import ShotgraphError


def default_workdir(script: Path) -> Path:
    return script.resolve().parent / ".shotgraph"


def default_output(script: Path) -> Path:
    return script.resolve().with_suffix(".mp4")


def check_writable(folder: Path, problem: str) -> None:
    """Refuse a folder the run cannot write to before any work is done: `<folder>: <problem>`, where `{problem}`
    in `problem` is what the system said."""
    probe = folder / f".shotgraph-write-test-{time.time_ns()}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ShotgraphError(f"{folder}: " + problem.format(problem=exc.strerror or exc)) from None
