"""What a run tells whoever watches it: typed progress events, one stream for the CLI's bars, a notebook's
callback and the review page's live view, so all three show the same thing."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Union

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn


@dataclass(frozen=True)
class StageStarted:
    stage: str
    total: int  # items the stage will go through (shots, lines, cues ...)


@dataclass(frozen=True)
class ItemDone:
    stage: str
    done: int
    total: int


@dataclass(frozen=True)
class ItemFailed:
    stage: str
    item: str  # a shot id, line id, "look <character>" ...
    reason: str  # what failed and what stands in for it


@dataclass(frozen=True)
class ReviewWaiting:
    point: str  # "plan" or "shots"
    pending: list[str]  # what waits for a decision: "plan", or shot ids


@dataclass(frozen=True)
class FilmDelivered:
    outputs: dict[str, str]  # kind -> path, as in FilmReport.outputs
    seconds: float


Event = Union[StageStarted, ItemDone, ItemFailed, ReviewWaiting, FilmDelivered]
Listener = Callable[[Event], None]


def as_dict(event: Event) -> dict[str, Any]:
    """An event as JSON for the review page: its kind and fields."""
    return {"kind": type(event).__name__, **event.__dict__}


@dataclass
class Broadcast:
    """Sends each event to every listener; a listener that raises is dropped rather than stopping the run."""

    listeners: list[Listener] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, event: Event) -> None:
        with self._lock:
            listeners = list(self.listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:  # noqa: BLE001 - a broken page or notebook must not sink the film
                with self._lock:
                    if listener in self.listeners:
                        self.listeners.remove(listener)


class ProgressBars:
    """The CLI's progress bars, drawn from the events: one bar per stage while it runs."""

    def __init__(self, console: Console):
        self.console = console
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def __call__(self, event: Event) -> None:
        if isinstance(event, StageStarted):
            self._close()
            columns = (TextColumn(f"{event.stage:>9}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
            self._progress = Progress(*columns, console=self.console, transient=False)
            self._progress.start()
            self._task = self._progress.add_task(event.stage, total=event.total)
        elif isinstance(event, ItemDone) and self._progress is not None and self._task is not None:
            self._progress.update(self._task, completed=event.done)
            if event.done >= event.total:
                self._close()
        elif isinstance(event, (ReviewWaiting, FilmDelivered)):
            self._close()

    def _close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
