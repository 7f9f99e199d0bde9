"""Where a run keeps its work and puts its film by default: beside the screenplay. Kept light (no LangGraph), so
commands that only need the work folder, such as `plan` and `cache`, start fast."""

from __future__ import annotations

from pathlib import Path


def default_workdir(script: Path) -> Path:
    return script.resolve().parent / ".shotgraph"


def default_output(script: Path) -> Path:
    return script.resolve().with_suffix(".mp4")
