"""shotgraph make: the film, from the screenplay, resuming any interrupted run."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer

from shotgraph.cli.common import (app, check_planner_flags, chosen_profile, friendly_errors, parse_resolution,
                                  profile_with)
from shotgraph.errors import ShotgraphError


@app.command()
@friendly_errors
def make(
    script: Path = typer.Argument(..., help="screenplay: .fountain, .fdx or plain text"),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="film path (default: beside the script)"),
    profile: str = typer.Option("draft", "--profile", "-p", help="draft, preview, cinema, a .toml path, or auto "
                                "(chosen by the GPU's memory)"),
    resolution: Optional[str] = typer.Option(None, help="WIDTHxHEIGHT, e.g. 1920x1080 (default: the profile's, "
                                             "1280x720 in draft)"),
    fps: Optional[int] = typer.Option(None, help="frames per second (default: the profile's, 24)"),
    rules: bool = typer.Option(False, "--rules", help="plan with the rule-based director (offline; the default)"),
    llm: Optional[str] = typer.Option(None, "--llm", help="plan with this chat model (default: the profile's "
                                      "planner, rules in draft)"),
    base_url: Optional[str] = typer.Option(None, "--base-url", help="OpenAI-compatible endpoint for --llm"),
    plan_file: Optional[Path] = typer.Option(None, "--plan", help="use this (hand-edited) plan.json"),
    loudness: Optional[float] = typer.Option(None, help="integrated loudness target in LUFS, -23 for broadcast "
                                             "(default: the profile's, -16)"),
    burn_subtitles: Optional[bool] = typer.Option(None, "--burn-subtitles/--no-burn-subtitles",
                                                  help="draw the subtitles into the picture too (default: no)"),
    workdir: Optional[Path] = typer.Option(None, help="work folder (default: <script dir>/.shotgraph)"),
    strict: bool = typer.Option(False, "--strict", help="stop at the first failed shot"),
    decisions: Optional[Path] = typer.Option(None, "--decisions", help="replay this review decisions file, and "
                                             "stop where it leaves the plan or a shot unapproved (default: the "
                                             "work folder's decisions.json, without stopping)"),
    approve_all: bool = typer.Option(False, "--approve-all", help="approve the plan and every shot, and run "
                                     "without stopping (default: no)"),
) -> None:
    """Make the film: plan, cast, record, shoot, score, mix and cut, resuming any interrupted run."""
    from shotgraph.production.director import Director

    check_planner_flags(rules, llm, base_url)
    profile = chosen_profile(profile)
    size = parse_resolution(resolution)
    mode = "llm" if llm else ("rules" if rules else None)
    chosen = profile_with(
        profile,
        **{"output.width": size and size[0], "output.height": size and size[1], "output.fps": fps,
           "output.loudness_lufs": loudness, "output.burn_subtitles": burn_subtitles,
           "planner.mode": mode, "planner.model": llm, "planner.base_url": base_url},
    )
    if decisions is not None and not decisions.is_file():
        raise ShotgraphError(f"{decisions}: no such decisions file")
    director = Director(script, profile=chosen, output=output, workdir=workdir, plan_file=plan_file,
                        decisions=decisions, review=decisions is not None and not approve_all, strict=strict,
                        show_progress=True)
    if approve_all:
        director.approve_all()
    report = director.make()
    _print_report(report)
    if report.waiting:
        typer.echo(f"waiting for review of the {report.waiting}: " + (
            "the plan is not approved" if report.waiting == "plan" else
            f"{len(report.pending)} shots neither approved nor locked ({', '.join(report.pending[:6])}"
            + (", ..." if len(report.pending) > 6 else "") + ")")
            + f"; decide in `shotgraph review` or {director.decisions_file}, or pass --approve-all", err=True)
        raise typer.Exit(3)
    if not report.ok:
        raise typer.Exit(2)


def _print_report(report: Any) -> None:
    for kind, path in report.outputs.items():  # plain lines: a path is never wrapped or cut
        typer.echo(f"{kind:>14}  {path}")
    minutes, seconds = divmod(round(report.seconds), 60)
    typer.echo(f"{report.shots} shots, {minutes}:{seconds:02d} running time, made in {report.wall_seconds:.1f} s"
               + (" (resumed an interrupted run)" if report.resumed else ""))
    for note in report.notes:
        typer.echo(f"    note: {note}")
    for label, counts in (("made", report.computed), ("reused", report.reused)):
        if counts:
            typer.echo(f"{label:>8}: " + ", ".join(f"{stage} {n}" for stage, n in sorted(counts.items())))
    for model, loads in report.models.get("loads", {}).items():
        where = report.models["placements"].get(model, "")
        typer.echo(f"   model: {model} loaded {loads}x ({where})")
    for item, rungs in report.models.get("needs", {}).items():
        typer.echo(f"  memory: {item} ran out of GPU memory; it needed {', '.join(rungs)}")
    for item, why in report.failures.items():
        typer.echo(f"  failed  {item}: {why}", err=True)




@app.command()
@friendly_errors
def review(
    script: Path = typer.Argument(..., help="screenplay: .fountain, .fdx or plain text"),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="film path (default: beside the script)"),
    profile: str = typer.Option("draft", "--profile", "-p", help="draft, preview, cinema, a .toml path, or auto"),
    workdir: Optional[Path] = typer.Option(None, help="work folder (default: <script dir>/.shotgraph)"),
    host: str = typer.Option("127.0.0.1", help="address to serve on (default: this machine only)"),
    port: int = typer.Option(8765, help="port (default: 8765, or a free one when it is taken)"),
    browser: bool = typer.Option(True, "--browser/--no-browser", help="open the page in a browser (default: yes)"),
) -> None:
    """Review the film shot by shot in a local web page: approve the plan, play each shot with its lines,
    reshoot, lock, and render, with live progress. Decisions are kept; the same command continues."""
    from shotgraph.production.director import Director
    from shotgraph.review.server import serve

    director = Director(script, profile=chosen_profile(profile), output=output, workdir=workdir, review=True)
    serve(director, host=host, port=port, open_browser=browser, announce=typer.echo)
