"""Renders in the background for the review page, one run at a time, and fans its events out to the pages."""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass, field
from typing import Any

from shotgraph.errors import ShotgraphError
from shotgraph.production.director import Director
from shotgraph.production.events import Event, as_dict

log = logging.getLogger(__name__)


@dataclass
class Hub:
    """Each open page's event stream is a queue; every event goes to all of them."""

    _queues: list[queue.Queue[dict[str, Any]]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def subscribe(self) -> queue.Queue[dict[str, Any]]:
        q: queue.Queue[dict[str, Any]] = queue.Queue(maxsize=10_000)
        with self._lock:
            self._queues.append(q)
        return q

    def unsubscribe(self, q: queue.Queue[dict[str, Any]]) -> None:
        with self._lock:
            if q in self._queues:
                self._queues.remove(q)

    def publish(self, message: dict[str, Any]) -> None:
        with self._lock:
            queues = list(self._queues)
        for q in queues:
            try:
                q.put_nowait(message)
            except queue.Full:  # a page that stopped reading: drop it rather than hold the run
                self.unsubscribe(q)

    def __call__(self, event: Event) -> None:
        self.publish(as_dict(event))


class RenderWorker:
    """Runs `director.make()` in a thread. Asked again while running, it runs once more when done, so the
    latest decisions are always rendered."""

    def __init__(self, director: Director, hub: Hub):
        self.director = director
        self.hub = hub
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._again = False
        self.status: dict[str, Any] = {"running": False, "waiting": None, "pending": [], "error": None,
                                       "film": None, "notes": []}
        director.crew.events.listeners.append(hub)

    def start(self) -> bool:
        """Start a run; False when one is running (it runs again after)."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                self._again = True
                return False
            self.status.update(running=True, error=None)
            self._thread = threading.Thread(target=self._run, name="shotgraph-review-render", daemon=True)
            self._thread.start()
        self._announce()
        return True

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            try:
                report = self.director.make()
                self.status.update(waiting=report.waiting, pending=report.pending, notes=report.notes,
                                   film=report.outputs.get("film"), failures=report.failures)
            except ShotgraphError as exc:
                self.status.update(error=str(exc))
            except Exception as exc:  # noqa: BLE001 - shown on the page; the page stays up
                log.exception("review: the run failed")
                self.status.update(error=f"{type(exc).__name__}: {exc}")
            with self._lock:
                if not self._again:
                    self.status["running"] = False
                    break
                self._again = False
        self._announce()

    def _announce(self) -> None:
        self.hub.publish({"kind": "Status", **self.status})
