"""What every command shares: the app, one-line errors, the profile chosen on the command line."""

from __future__ import annotations

import logging
import sqlite3
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any

import typer
from pydantic import ValidationError

from shotgraph.config import Profile, load_profile
from shotgraph.errors import ConfigError, ShotgraphError

app = typer.Typer(help="Turn a screenplay into a finished film.", no_args_is_help=True, add_completion=False)


EXPECTED = (ShotgraphError, OSError, sqlite3.Error)  # what a command reports in one line, without a traceback


def error_line(exc: BaseException) -> str:
    """The one line a command prints for one of EXPECTED."""
    if isinstance(exc, OSError):  # a file the user named cannot be read or written
        where = f"{exc.filename}: " if exc.filename else ""
        return f"error: {where}{exc.strerror or exc}"
    if isinstance(exc, sqlite3.Error):  # a work-folder database that no layer above could name
        return f"error: a database in the work folder failed: {exc}"
    return f"error: {exc}"


def friendly_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Print a ShotgraphError, an OS error or a database error as one line on stderr and exit 1."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except EXPECTED as exc:
            typer.echo(error_line(exc), err=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:  # Ctrl-C: stopped on purpose, nothing failed; the checkpoint keeps the run
            typer.echo("interrupted: run the same command again to resume where it stopped", err=True)
            raise typer.Exit(130) from None

    return wrapper


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="log progress details")) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")


def check_planner_flags(rules: bool, llm: str | None, base_url: str | None) -> None:
    if rules and llm:
        raise ConfigError("choose one of --rules and --llm MODEL, not both")
    if base_url and not llm:
        raise ConfigError("--base-url needs --llm MODEL")


def parse_resolution(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    width, sep, height = value.lower().partition("x")
    if not sep or not width.isdigit() or not height.isdigit():
        raise ConfigError(f"--resolution {value!r}: expected WIDTHxHEIGHT, e.g. 1280x720")
    return int(width), int(height)


def profile_with(name: str, **overrides: Any) -> Profile:
    """The named profile with the command line's overrides, validated like the file itself."""
    data = load_profile(name).model_dump()
    for dotted, value in overrides.items():
        if value is None:
            continue
        section, _, field = dotted.partition(".")
        data[section][field] = value
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"command line: {problems}") from None


def chosen_profile(profile: str) -> str:
    if profile != "auto":
        return profile
    from shotgraph.production.doctor import auto_profile

    name, why = auto_profile()
    typer.echo(f"profile: {name} ({why})", err=True)
    return name
