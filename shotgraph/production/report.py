"""What a run hands back: the report of what it made, and the delivered film's files."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shotgraph.production.state import plan_at, timing_at

if TYPE_CHECKING:
    from shotgraph.production.crew import Crew


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


def film_report(crew: Crew, state: dict, started: float, resumed: bool, notes: list[str],
                waiting: tuple[str, list[str]] | None = None) -> FilmReport:
    """The report of a run that delivered `state`, or stopped at the review point `waiting` (point, pending)."""
    if "timing" in state:
        timing = timing_at(state["timing"])
        shots, seconds = len(timing.shots), timing.duration
    else:
        plan = plan_at(state["plan"])
        shots, seconds = len(plan.shots), plan.estimated_seconds
    counters = crew.store.counters
    damaged = [f"store: {sum(counters.damaged.values())} damaged artifacts (" + ", ".join(
        f"{stage} {n}" for stage, n in sorted(counters.damaged.items())) + ") were made again, never reused"
               ] if counters.damaged else []
    return FilmReport(
        outputs=state.get("delivered", {}) if waiting is None else {},
        shots=shots, seconds=seconds, failures=state.get("failures", {}),
        reused=dict(counters.reused), computed=dict(counters.computed), resumed=resumed,
        wall_seconds=time.perf_counter() - started,
        notes=state.get("notes", []) + notes + damaged, models=crew.models.report(),
        waiting=waiting[0] if waiting else None, pending=waiting[1] if waiting else [])
