"""The Python director API: `Director(script).make()` runs the production graph and reports what it did.

A run is a LangGraph thread checkpointed in `<workdir>/checkpoints.sqlite`. The thread is named by what the
run is asked to make (script bytes, profile, plan file, output path), so a run that was killed and is started
again with the same request resumes where it stopped; a changed request starts a new thread, and the artifact
store makes that re-render only what the change touched.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langgraph.checkpoint.sqlite import SqliteSaver

from shotgraph.config import Profile, load_profile
from shotgraph.production.crew import Crew, OutputPaths
from shotgraph.production.places import default_output, default_workdir
from shotgraph.production.graph import build_graph
from shotgraph.errors import PlanError, ShotgraphError
from shotgraph.render.timing import Timing
from shotgraph.store import database_problem

CHECKPOINTS = "checkpoints.sqlite"


@contextmanager
def checkpointed_graph(workdir: Path) -> Iterator[Any]:
    """The production graph with the work folder's checkpointer.

    A damaged or full checkpoint file is a ShotgraphError that names it and says what to do.
    """
    database = workdir / CHECKPOINTS
    try:
        with SqliteSaver.from_conn_string(str(database)) as saver:
            yield build_graph().compile(checkpointer=saver)
    except sqlite3.Error as exc:
        raise ShotgraphError(database_problem(
            database, exc, "checkpoint file", "delete it to start the run over; what was made stays in the store "
            "and is reused")) from exc


@dataclass
class FilmReport:
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

    @property
    def ok(self) -> bool:
        return not self.failures


class Director:
    """Make a film from a screenplay file.

    >>> report = Director("examples/last_ferry.fountain").make()   # doctest: +SKIP
    """

    def __init__(
        self,
        script: str | Path,
        *,
        profile: Profile | str = "draft",
        output: str | Path | None = None,
        workdir: str | Path | None = None,
        plan_file: str | Path | None = None,
        strict: bool = False,
        show_progress: bool = False,
    ):
        self.script = Path(script)
        if self.script.is_dir():
            raise ShotgraphError(f"{self.script}: is a directory; give the screenplay file inside it")
        if not self.script.is_file():
            raise ShotgraphError(f"{self.script}: no such screenplay file")
        self.profile = load_profile(profile) if isinstance(profile, (str, Path)) else profile
        if plan_file is not None and not Path(plan_file).is_file():
            raise PlanError([f"{plan_file}: no such plan file"], source=str(plan_file))
        film = Path(output) if output is not None else default_output(self.script)
        if film.suffix.lower() != ".mp4":
            raise ShotgraphError(f"{film}: the film is written as MP4; give an output path ending in .mp4")
        self.crew = Crew(
            script=self.script,
            workdir=Path(workdir) if workdir is not None else default_workdir(self.script),
            outputs=OutputPaths(film=film.resolve()),
            profile=self.profile,
            strict=strict,
            plan_file=Path(plan_file) if plan_file is not None else None,
            show_progress=show_progress,
        )
        self.crew.check_backends()

    def thread_id(self) -> str:
        request = {
            "script": hashlib.sha256(self.script.read_bytes()).hexdigest(),
            "profile": self.profile.model_dump(mode="json"),
            "plan": hashlib.sha256(self.crew.plan_file.read_bytes()).hexdigest() if self.crew.plan_file else None,
            "output": str(self.crew.outputs.film),
        }
        return hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()[:24]

    def make(self) -> FilmReport:
        started = time.perf_counter()
        self._check_output_writable()
        self._check_workdir_writable()
        config = {"configurable": {"thread_id": self.thread_id()}}
        notes: list[str] = []
        with checkpointed_graph(self.crew.workdir) as graph:
            snapshot = graph.get_state(config)
            resumed = bool(snapshot.next)
            if resumed and (gone := self._missing_inputs(snapshot.values)):
                # a file the interrupted run made is gone: run again from the start; the store reuses the rest
                notes.append(f"resume: artifact {gone} was gone or damaged; the run started over and made only "
                             "what was missing")
                resumed = False
            try:
                state = graph.invoke(None if resumed else {}, config, context=self.crew)
            finally:
                self.crew.models.free_all()  # the GPU's memory back to whoever runs next
        timing = Timing.model_validate_json(Path(state["timing"]).read_text(encoding="utf-8"))
        self._remember(state)
        counters = self.crew.store.counters
        return FilmReport(
            outputs=state["delivered"],
            shots=len(timing.shots),
            seconds=timing.duration,
            failures=state.get("failures", {}),
            reused=dict(counters.reused),
            computed=dict(counters.computed),
            resumed=resumed,
            wall_seconds=time.perf_counter() - started,
            notes=state.get("notes", []) + notes + self._damage_notes(),
            models=self.crew.models.report(),
        )

    def _missing_inputs(self, values: dict) -> str:
        """The first stored file an interrupted run's checkpoint names that is gone or damaged, or ''."""
        for key in sorted(referenced_keys(values)):
            if self.crew.store.get(key) is None:  # checks size and hash, and drops a damaged one
                return key
        return ""

    def _damage_notes(self) -> list[str]:
        damaged = self.crew.store.counters.damaged
        if not damaged:
            return []
        return [f"store: {sum(damaged.values())} damaged artifacts (" + ", ".join(
            f"{stage} {n}" for stage, n in sorted(damaged.items())) + ") were made again, never reused"]

    def _check_workdir_writable(self) -> None:
        """A work folder the run cannot write to is one line that says so and what to do."""
        workdir = self.crew.workdir
        try:
            workdir.mkdir(parents=True, exist_ok=True)
            probe = workdir / f".shotgraph-write-test-{time.time_ns()}"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise ShotgraphError(f"{workdir}: cannot write the work folder ({exc.strerror or exc}); give a folder "
                                 "you can write to with --workdir") from None

    def _check_output_writable(self) -> None:
        """Refuse an unwritable output folder before any work is done."""
        folder = self.crew.outputs.film.parent
        probe = folder / f".shotgraph-write-test-{time.time_ns()}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise ShotgraphError(f"{folder}: cannot write the film there ({exc.strerror or exc})") from None

    def _remember(self, state: dict) -> None:
        """Record which artifacts this film uses, so `shotgraph cache gc` keeps them."""
        keys = referenced_keys(state)
        manifests = self.crew.workdir / "films"
        manifests.mkdir(exist_ok=True)
        name = hashlib.sha256(str(self.crew.outputs.film).encode()).hexdigest()[:16]
        (manifests / f"{name}.json").write_text(
            json.dumps({"film": str(self.crew.outputs.film), "keys": sorted(keys)}, indent=1), encoding="utf-8"
        )


def referenced_keys(state: dict) -> set[str]:
    """Every store key named in a finished run's state (paths are <store>/objects/xx/<key>.<suffix>)."""
    keys: set[str] = set()

    def visit(value: object) -> None:
        if isinstance(value, dict):
            for item in value.values():
                visit(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                visit(item)
        elif isinstance(value, str) and "/objects/" in value:
            keys.add(Path(value).name.split(".", 1)[0])

    visit({k: v for k, v in state.items() if k != "delivered"})
    return keys


def interrupted_keys(workdir: Path) -> set[str]:
    """Keys named by the latest checkpoint of every run in `workdir` that has not finished."""
    if not (workdir / CHECKPOINTS).is_file():
        return set()
    keys: set[str] = set()
    with checkpointed_graph(workdir) as graph:
        threads = {c.config["configurable"]["thread_id"] for c in graph.checkpointer.list(None)}
        for thread in threads:
            snapshot = graph.get_state({"configurable": {"thread_id": thread}})
            if snapshot.next:
                keys |= referenced_keys(snapshot.values)
    return keys
