"""`python -m shotgraph` is the `shotgraph` command."""

from shotgraph.cli import app

app(prog_name="shotgraph")
