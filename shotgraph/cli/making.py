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
    export: Optional[str] = typer.Option(None, "--export", metavar="FORMATS", help="also write the cut for an "
                                         "editor: edl, fcp7xml, fcpxml, comma-separated (default: none)"),
    watch: bool = typer.Option(False, "--watch", help="then make it again each time the screenplay (or --plan, "
                               "--decisions file) is saved, until Ctrl-C (default: no)"),
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
    formats = _formats(export)
    if decisions is not None and not decisions.is_file():
        raise ShotgraphError(f"{decisions}: no such decisions file")

    def make_once() -> int:
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
            return 3
        for kind in formats:
            typer.echo(f"{kind:>14}  {_export(Path(report.outputs['otio']), kind)}")
        return 0 if report.ok else 2

    if watch:
        from shotgraph.cli import watching

        watching.watch([p for p in (script, plan_file, decisions) if p is not None], make_once)
    elif code := make_once():
        raise typer.Exit(code)


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


@app.command("export")
@friendly_errors
def export_command(
    script: Path = typer.Argument(..., help="the screenplay whose film was made"),
    to: str = typer.Option(..., "--to", metavar="FORMATS", help="edl, fcp7xml or fcpxml (comma-separated)"),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="the film's path, as given to make "
                                          "(default: beside the script)"),
) -> None:
    """Write the made film's cut for an editor's tool: CMX 3600 EDL, Final Cut Pro 7 XML or FCPXML, beside the
    film, with its media linked into a folder beside it and referenced relatively."""
    from shotgraph.production.places import default_output

    formats = _formats(to)
    otio_file = (output or default_output(script)).with_suffix(".otio")
    if not otio_file.is_file():
        raise ShotgraphError(f"{otio_file}: no cut here yet; run `shotgraph make {script}` first")
    for kind in formats:
        typer.echo(f"{kind:>8}  {_export(otio_file, kind)}")


def _formats(value: str | None) -> list[str]:
    from shotgraph.render.handoff import EXPORTS

    formats = [f.strip().lower() for f in (value or "").split(",") if f.strip()]
    unknown = [f for f in formats if f not in EXPORTS]
    if unknown:
        raise ShotgraphError(f"--export/--to: no format {unknown[0]!r}; the formats are {', '.join(EXPORTS)}")
    return formats


def _export(otio_file: Path, kind: str) -> Path:
    import opentimelineio as otio

    from shotgraph.render.handoff import EXPORTS, export_cut

    return export_cut(otio.adapters.read_from_file(str(otio_file)), kind, otio_file.with_suffix(EXPORTS[kind][1]))
