"""The work folder's LangGraph checkpointer, and the store keys that finished and interrupted runs name."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langgraph.checkpoint.sqlite import SqliteSaver

from shotgraph.errors import ShotgraphError
from shotgraph.production.graph import build_graph
from shotgraph.production.state import key_of
from shotgraph.store import BUSY_TIMEOUT_S, ArtifactStore, database_problem, use_wal

CHECKPOINTS = "checkpoints.sqlite"


@contextmanager
def checkpointed_graph(workdir: Path) -> Iterator[Any]:
    """The production graph with the work folder's checkpointer.

    A damaged or full checkpoint file is a ShotgraphError that names it and says what to do.
    """
    database = workdir / CHECKPOINTS
    try:
        # two runs into one work folder share the file: wait for the other's write as long as the store does
        use_wal(database)  # before langgraph's setup switches it, which would not wait for the other run
        connection = sqlite3.connect(str(database), check_same_thread=False, timeout=BUSY_TIMEOUT_S)
        try:
            yield build_graph().compile(checkpointer=SqliteSaver(connection))
        finally:
            connection.close()
    except sqlite3.Error as exc:
        raise ShotgraphError(database_problem(
            database, exc, "checkpoint file", "delete it to start the run over; what was made stays in the store "
            "and is reused")) from exc


def referenced_keys(state: dict) -> set[str]:
    """Every store key named in a run's state (paths are <store>/objects/xx/<key>.<suffix>)."""
    keys: set[str] = set()

    def visit(value: object) -> None:
        if isinstance(value, dict):
            for item in value.values():
                visit(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                visit(item)
        elif isinstance(value, str) and "/objects/" in value:
            keys.add(key_of(value))

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


def missing_input(store: ArtifactStore, values: dict) -> str:
    """The first stored file an interrupted run's checkpoint names that is gone or damaged, or ''."""
    for key in sorted(referenced_keys(values)):
        if store.get(key) is None:  # checks size and hash, and drops a damaged one
            return key
    return ""
