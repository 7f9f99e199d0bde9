"""shotgraph parse | plan: read a screenplay, and plan its film without making it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from shotgraph.cli.common import app, check_planner_flags, friendly_errors
from shotgraph.config import load_profile
from shotgraph.errors import ConfigError


@app.command("parse")
@friendly_errors
def parse_command(
    script: Path = typer.Argument(..., help="the screenplay (.fountain, .fdx or plain text)"),
    as_json: bool = typer.Option(False, "--json", help="print the parsed Screenplay as JSON"),
    to: str | None = typer.Option(None, "--to", metavar="FORMAT", help="convert the screenplay; FORMAT: fountain"),
) -> None:
    """Read a screenplay and show what shotgraph understood: scenes, characters, running time."""
    from shotgraph.director.screenplay.reader import read_screenplay

    # 1. Check the flags before reading anything
    if as_json and to:
        raise ConfigError("choose one of --json and --to FORMAT, not both")
    if to is not None and to != "fountain":
        raise ConfigError(f"unknown --to format '{to}'; known formats: fountain")

    # 2. Read; warnings go to stderr so stdout stays clean for --json and --to
    screenplay = read_screenplay(script)
    for warning in screenplay.warnings:
        typer.echo(f"warning: {warning}", err=True)

    # 3. Print what was asked for
    if to == "fountain":
        from shotgraph.director.screenplay.fountain_writer import to_fountain

        text = to_fountain(screenplay)
        typer.echo(text, nl=not text.endswith("\n"))
    elif as_json:
        typer.echo(screenplay.model_dump_json(indent=2))
    else:
        typer.echo(_screenplay_summary(screenplay))


def _screenplay_summary(screenplay: Any) -> str:
    from shotgraph.director.screenplay.pages import estimate_pages

    by = screenplay.title_page_value("Author") or screenplay.title_page_value("Authors")
    out = [f"{screenplay.title}" + (f" by {' '.join(by.split())}" if by else ""),
           f"{screenplay.source} ({screenplay.format})", "", f"Scenes ({len(screenplay.scenes)})"]
    for scene in screenplay.scenes:
        heading = scene.heading.text if scene.heading else "(before the first scene heading)"
        # the script's own scene number where it has one, else the position (sc003 -> 3)
        number = (scene.heading.number if scene.heading else None) or str(int(scene.id[2:]))
        count = len(scene.elements)
        out.append(f"  {number:>4}  {heading:<48} {count:>3} element{'s' if count != 1 else ''}")
    out += ["", f"Characters ({len(screenplay.characters)})"]
    for character in screenplay.characters:
        out.append(f"  {character.name:<24} {character.lines:>3} line{'s' if character.lines != 1 else ''}")
    pages = estimate_pages(screenplay)
    seconds = round(pages * 60)
    out += ["", f"Estimated length: {pages:.1f} pages, about {seconds // 60}:{seconds % 60:02d} "
                "at one page per minute"]
    return "\n".join(out)


@app.command("plan")
@friendly_errors
def plan_command(
    script: Path = typer.Argument(..., help="the screenplay (.fountain, .fdx or plain text)"),
    rules: bool = typer.Option(False, "--rules", help="use the offline rule-based director"),
    llm: str | None = typer.Option(None, "--llm", metavar="MODEL", help="plan with this chat model"),
    base_url: str | None = typer.Option(None, "--base-url", help="OpenAI-compatible endpoint for --llm"),
    profile: str = typer.Option("draft", "--profile", help="profile name or .toml path"),
    output: Path | None = typer.Option(None, "-o", "--output", help="write the plan JSON here (then only a "
                                       "summary is printed; default: no file, the shot list is printed)"),
    table: bool = typer.Option(False, "--table", help="print the shot list even when writing the plan"),
) -> None:
    """Break the screenplay into scenes and shots; print the shot list, or write the plan and a summary."""
    from shotgraph.director.planning import plan_with_outcome
    from shotgraph.director.screenplay.reader import read_screenplay
    from shotgraph.director.validate import save_plan
    from shotgraph.production.places import default_workdir

    # 1. Settings: the profile's planner, overridden by the flags
    check_planner_flags(rules, llm, base_url)
    settings = load_profile(profile).planner
    if rules:
        settings = settings.model_copy(update={"mode": "rules"})
    elif llm:
        settings = settings.model_copy(update={"mode": "llm", "model": llm, "base_url": base_url or settings.base_url})

    # 2. Read and plan
    screenplay = read_screenplay(script)
    outcome = plan_with_outcome(screenplay, settings, cache_dir=default_workdir(script) / "llm")

    # 3. The shot list (unless the plan goes to a file), a summary, the LLM's report; then the plan
    console = Console()
    if output is None or table:
        console.print(_shot_table(outcome.plan, screenplay))
    seconds = outcome.plan.estimated_seconds
    names = ", ".join(c.name for c in outcome.plan.characters)
    console.print(f"{len(outcome.plan.shots)} shots in {len(outcome.plan.scenes)} scenes; "
                  f"estimated running time {int(seconds // 60)}:{int(seconds % 60):02d}; "
                  f"{len(outcome.plan.characters)} characters: {names}", markup=False)
    if outcome.mode == "llm":
        for note in outcome.report:
            console.print(f"  {note}", markup=False)
        console.print(f"LLM: {outcome.calls} call(s), {outcome.cached_calls} from cache; tokens: "
                      f"{outcome.prompt_tokens} prompt + {outcome.completion_tokens} completion")
    if output is not None:
        save_plan(outcome.plan, output)
        console.print(f"plan written to {output}", markup=False)


def _shot_table(plan: Any, screenplay: Any) -> Table:
    from rich.markup import (
        escape,  # screenplay words may hold [brackets]: print them as written
    )

    words = {line.id: line.text.split() for line in screenplay.dialogue()}
    table = Table(title=escape(plan.title), show_lines=False)
    for column in ("scene", "shot", "size", "move", "characters", "sec", "shows", "dialogue"):
        table.add_column(column, justify="right" if column == "sec" else "left")
    for shot in plan.shots:
        first = words.get(shot.dialogue[0], []) if shot.dialogue else []
        said = " ".join(first[:6]) + (" …" if len(first) > 6 else "")
        if len(shot.dialogue) > 1:
            said += f" (+{len(shot.dialogue) - 1})"
        shows = shot.description if len(shot.description) <= 40 else shot.description[:39] + "…"
        table.add_row(shot.scene, shot.id.split("-")[-1], shot.size.value, shot.move.value,
                      ", ".join(shot.characters), f"{shot.min_duration:.1f}", escape(shows), escape(said))
    return table


