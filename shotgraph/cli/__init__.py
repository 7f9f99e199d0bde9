"""The command line: shotgraph make | review | parse | plan | doctor | models | cache. Errors print one line, no
traceback."""

from shotgraph.cli import making, reading, upkeep  # noqa: F401 - each registers its commands on the app
from shotgraph.cli.common import app

__all__ = ["app"]
