"""`make --watch`: the film made again each time the screenplay is saved, in one running process.

An edit made from a fresh command pays Python's and the libraries' start-up (about 2 s) before any work; a watching
process pays it once. A change is taken when two looks at the files agree, so an editor that saves in steps (a
temporary file, then a rename) makes one film, not two.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import typer

from shotgraph.cli.common import EXPECTED, error_line

POLL_S = 0.2  # how often the watched files are looked at

Seen = tuple[tuple[int, int, int] | None, ...]  # (mtime ns, size, inode) of each file; None while it is missing


def seen(paths: list[Path]) -> Seen:
    found = []
    for path in paths:
        try:
            stat = path.stat()
        except FileNotFoundError:  # an editor that saves by removing and renaming: gone for a moment
            found.append(None)
        else:
            found.append((stat.st_mtime_ns, stat.st_size, stat.st_ino))
    return tuple(found)


def next_change(paths: list[Path], since: Seen, poll_s: float = POLL_S) -> Seen:
    """Wait until the files differ from `since`, all exist, and look the same twice running; return that."""
    while True:
        time.sleep(poll_s)
        now = seen(paths)
        if now == since or None in now:
            continue
        time.sleep(poll_s)
        if seen(paths) == now:
            return now


def watch(paths: list[Path], make_once: Callable[[], None], poll_s: float = POLL_S) -> None:
    """Run `make_once` now and after every change to `paths`, until Ctrl-C while waiting.

    A run that fails says why in one line (the screenplay's file and line for a bad line) and the watch goes on:
    the film last made stays where it is. Ctrl-C during a run stops it as `make` does (resumable, status 130).
    """
    names = ", ".join(str(p) for p in paths)
    last = seen(paths)
    while True:
        try:
            make_once()
        except EXPECTED as exc:
            typer.echo(error_line(exc), err=True)
        typer.echo(f"watching {names}: each saved change makes the film again (Ctrl-C stops)")
        try:
            last = next_change(paths, last, poll_s)
        except KeyboardInterrupt:
            typer.echo("stopped watching", err=True)
            return
        typer.echo(f"changed: {names}")
