"""The command line: shotgraph make | parse | plan | cache. Errors print one line, no traceback."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any

import typer

from shotgraph.errors import ShotgraphError

app = typer.Typer(help="Turn a screenplay into a finished film.", no_args_is_help=True, add_completion=False)


def friendly_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Print a ShotgraphError as one line on stderr and exit 1."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ShotgraphError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None

    return wrapper


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="log progress details")) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
