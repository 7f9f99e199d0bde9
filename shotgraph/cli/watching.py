"""`make --watch`: the film made again each time the screenplay is saved, in one running process.

An edit made from a fresh command pays Python's and the libraries' start-up (about 2 s) before any work; a watching
process pays it once. A change is taken when two looks at the files, SETTLE_S apart, agree, so an editor that saves
in steps (a temporary file, then a rename) makes one film, not two; a film made from a half-written file is made
again as soon as the file is whole.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import typer

from shotgraph.cli.common import EXPECTED, error_line
from shotgraph.store import file_sha256

POLL_S = 0.1  # how often the watched files are looked at: a save is noticed within this
SETTLE_S = 0.05  # and taken once they look the same again this much later

Seen = tuple[tuple[int, int, int] | None, ...]  # (mtime ns, size, inode) of each file; None while it is missing
Contents = tuple[str | None, ...]  # a digest of each file's bytes; None while it is missing


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


def contents(paths: list[Path]) -> Contents:
    found = []
    for path in paths:
        try:
            found.append(file_sha256(path))
        except FileNotFoundError:
            found.append(None)
    return tuple(found)


def next_change(paths: list[Path], made: Contents, poll_s: float = POLL_S, settle_s: float = SETTLE_S) -> Contents:
    """Wait until the files' contents differ from `made`, all of them exist and they look the same twice running;
    return those contents.

    Contents, not times: a file rewritten with the same bytes is no change. So the plan `make` delivers over the
    file given to --plan sets off one more run at most (it reuses everything), never a loop.
    """
    last: Seen | None = None  # the first look is at once: a save made while the film was being made counts
    while True:
        now = seen(paths)
        if now != last and None not in now:
            time.sleep(settle_s)
            if seen(paths) == now:  # else still being written: looked at again
                last = now
                found = contents(paths)
                if found != made and None not in found:
                    return found
        time.sleep(poll_s)


def watch(paths: list[Path], make_once: Callable[[], int]) -> None:
    """Run `make_once` now and after every change to `paths`, until Ctrl-C while waiting.

    A run that fails says why in one line (the screenplay's file and line for a bad line) and the watch goes on:
    the film last made stays where it is (a run's exit status is for a single make; the watch does not use it).
    Ctrl-C during a run stops it as `make` does (resumable, status 130).
    """
    names = ", ".join(str(p) for p in paths)
    made = contents(paths)  # before the run: a save while it runs is a change
    while True:
        try:
            make_once()
        except EXPECTED as exc:
            typer.echo(error_line(exc), err=True)
        typer.echo(f"watching {names}: each saved change makes the film again (Ctrl-C stops)")
        try:
            made = next_change(paths, made)
        except KeyboardInterrupt:
            typer.echo("stopped watching", err=True)
            return
        typer.echo(f"changed: {names}")
