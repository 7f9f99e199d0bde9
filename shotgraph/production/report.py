"""What a run hands back: the report of what it made, and the delivered film's files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class FilmReport:
    """What a run made: the delivered files by kind, and what was computed, reused, failed or held."""

    outputs: dict[str, str]
    shots: int
    seconds: float
    failures: dict[str, str]
    reused: dict[str, int]
    computed: dict[str, int]
    resumed: bool
    wall_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    models: dict[str, Any] = field(default_factory=dict)  # loads per model, where each ran, what each shot needed
    waiting: str | None = None  # a reviewing run stopped at this review point ("plan" or "shots")
    pending: list[str] = field(default_factory=list)  # what waits there for a decision

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass(frozen=True)
class Film:
    """The delivered film and what comes with it."""

    film: Path
    srt: Path
    vtt: Path
    otio: Path
    plan: Path
    stems: dict[str, Path]  # "dialogue", "music", "effects" -> WAV
    report: FilmReport
