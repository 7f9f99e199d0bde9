"""The command line: shotgraph make | parse | plan | cache. Errors print one line, no traceback."""

from __future__ import annotations

import logging
import sqlite3
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, Optional

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from shotgraph.config import Profile, load_profile
from shotgraph.errors import ConfigError, ShotgraphError

app = typer.Typer(help="Turn a screenplay into a finished film.", no_args_is_help=True, add_completion=False)


def friendly_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Print a ShotgraphError, an OS error or a database error as one line on stderr and exit 1."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ShotgraphError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
        except OSError as exc:  # a file the user named cannot be read or written
            where = f"{exc.filename}: " if exc.filename else ""
            typer.echo(f"error: {where}{exc.strerror or exc}", err=True)
            raise typer.Exit(1) from None
        except sqlite3.Error as exc:  # a work-folder database that no layer above could name
            typer.echo(f"error: a database in the work folder failed: {exc}", err=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:  # Ctrl-C: stopped on purpose, nothing failed; the checkpoint keeps the run
            typer.echo("interrupted: run the same command again to resume where it stopped", err=True)
            raise typer.Exit(130) from None

    return wrapper


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="log progress details")) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")


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
    from shotgraph.production.places import default_workdir
    from shotgraph.director.screenplay.reader import read_screenplay
    from shotgraph.director.validate import save_plan

    # 1. Settings: the profile's planner, overridden by the flags
    _check_planner_flags(rules, llm, base_url)
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
    from rich.markup import escape  # screenplay words may hold [brackets]: print them as written

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


def _check_planner_flags(rules: bool, llm: str | None, base_url: str | None) -> None:
    if rules and llm:
        raise ConfigError("choose one of --rules and --llm MODEL, not both")
    if base_url and not llm:
        raise ConfigError("--base-url needs --llm MODEL")


def _resolution(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    width, sep, height = value.lower().partition("x")
    if not sep or not width.isdigit() or not height.isdigit():
        raise ConfigError(f"--resolution {value!r}: expected WIDTHxHEIGHT, e.g. 1280x720")
    return int(width), int(height)


def _profile_with(name: str, **overrides: Any) -> Profile:
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
) -> None:
    """Make the film: plan, cast, record, shoot, score, mix and cut, resuming any interrupted run."""
    from shotgraph.production.director import Director

    _check_planner_flags(rules, llm, base_url)
    profile = _auto_profile(profile)
    size = _resolution(resolution)
    mode = "llm" if llm else ("rules" if rules else None)
    chosen = _profile_with(
        profile,
        **{"output.width": size and size[0], "output.height": size and size[1], "output.fps": fps,
           "output.loudness_lufs": loudness, "output.burn_subtitles": burn_subtitles,
           "planner.mode": mode, "planner.model": llm, "planner.base_url": base_url},
    )
    director = Director(script, profile=chosen, output=output, workdir=workdir, plan_file=plan_file,
                        strict=strict, show_progress=True)
    report = director.make()
    _print_report(report)
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


def _auto_profile(profile: str) -> str:
    if profile != "auto":
        return profile
    from shotgraph.production.doctor import auto_profile

    name, why = auto_profile()
    typer.echo(f"profile: {name} ({why})", err=True)
    return name


@app.command()
@friendly_errors
def doctor(as_json: bool = typer.Option(False, "--json", help="print the report as JSON")) -> None:
    """What this machine can run: GPU, libraries, backends, models present, what each profile needs."""
    import json

    from shotgraph.production.doctor import report

    found = report()
    if as_json:
        typer.echo(json.dumps(found, indent=1))
        return
    gpu, libraries = found["machine"]["gpu"], found["machine"]["libraries"]
    typer.echo(f"python {found['machine']['python']}; GPU: {gpu['name']}"
               + (f", {gpu['memory_gb']} GB, CUDA {gpu.get('cuda')}" if gpu["device"] == "cuda" else " (none)"))
    typer.echo("libraries: " + ", ".join(f"{name} {v or 'missing'}" for name, v in libraries.items()))
    for backend in found["backends"]:
        state = "ok" if backend["imports"] else f"cannot run: {backend['problem']}"
        typer.echo(f"  {backend['stage']:>9} {backend['name']:<13} {state}")
    for profile in found["profiles"]:
        typer.echo(f"profile {profile['name']}: {profile['description']}")
        if profile["problem"]:
            typer.echo(f"  problem: {profile['problem']}")
        for model in profile["models"]:
            typer.echo(f"  {model['stage']:>9} {model['model']}: {'here' if model['present'] else 'missing'}, "
                       f"{model['gigabytes']:g} GB")
        if profile["models"]:
            typer.echo(f"  needs {profile['disk_gb']:g} GB of disk; {profile['vram_gb']:g} GB of GPU memory to run "
                       "each model whole (less with offload, slower)")
    typer.echo(f"--profile auto: {found['auto']['profile']} ({found['auto']['why']})")


models_app = typer.Typer(help="The model weights a profile uses.", no_args_is_help=True)
app.add_typer(models_app, name="models")


@models_app.command("list")
@friendly_errors
def models_list(profile: str = typer.Option("preview", "--profile", "-p", help="profile name or .toml path")) -> None:
    """Each model the profile loads, and whether it is here."""
    from shotgraph.production.doctor import needs

    found = needs(load_profile(_auto_profile(profile)))
    if found.problem:
        raise ShotgraphError(found.problem)
    for model in found.models:
        typer.echo(f"{model.stage:>9}  {model.model}  {'here' if model.present else 'missing'}  {model.gigabytes:g} GB")
    if not found.models:
        typer.echo(f"profile {found.name} loads no models")


@models_app.command("download")
@friendly_errors
def models_download(profile: str = typer.Option("preview", "--profile", "-p", help="profile name or .toml path")
                    ) -> None:
    """Fetch every model the profile loads into the Hugging Face cache (needs the network)."""
    from shotgraph.models.source import MissingModelError, is_present, missing_message, offline, resolve
    from shotgraph.production.crew import profile_models

    chosen = load_profile(_auto_profile(profile))
    refs = profile_models(chosen)
    if offline(chosen.models):
        missing = list(dict.fromkeys(r for r in refs.values() if not is_present(r, chosen.models)))
        if missing:
            raise MissingModelError(missing_message(missing))
    for stage, ref in refs.items():
        found = resolve(ref, chosen.models, download=True)
        typer.echo(f"{stage:>9}  {ref}  {found.path}")


cache_app = typer.Typer(help="Inspect and clean the artifact store.", no_args_is_help=True)
app.add_typer(cache_app, name="cache")


TARGET_HELP = "a script, its folder, or a work folder"


def _open_store(target: Path) -> tuple[Path, Any]:
    """The work folder for `target` and its artifact store; an error if nothing was made there yet."""
    from shotgraph.production.places import default_workdir
    from shotgraph.store import ArtifactStore

    if target.is_file():
        workdir = default_workdir(target)
    elif (target / "store").is_dir():
        workdir = target
    else:
        workdir = target / ".shotgraph"
    if not (workdir / "store").is_dir():
        raise ShotgraphError(f"{workdir}: no artifact store here; run `shotgraph make` first")
    return workdir, ArtifactStore(workdir / "store")


@cache_app.command("stats")
@friendly_errors
def cache_stats(target: Path = typer.Argument(Path("."), help=TARGET_HELP)) -> None:
    """What the store holds, per stage."""
    workdir, store = _open_store(target)
    table = Table("stage", "artifacts", "size")
    for stage, stats in store.stats().items():
        table.add_row(stage, str(stats.count), _megabytes(stats.bytes))
    Console().print(table)
    Console().print(f"{store.root}: {_megabytes(sum(s.bytes for s in store.stats().values()))}")


@cache_app.command("gc")
@friendly_errors
def cache_gc(target: Path = typer.Argument(Path("."), help=TARGET_HELP)) -> None:
    """Remove every artifact that no film made in this work folder still uses."""
    import json

    from shotgraph.production.director import interrupted_keys

    workdir, store = _open_store(target)
    keep = interrupted_keys(workdir)  # an interrupted run resumes from what its checkpoint names
    for manifest in (workdir / "films").glob("*.json"):
        keep.update(json.loads(manifest.read_text(encoding="utf-8"))["keys"])
    freed = store.gc(keep)
    Console().print(f"removed {freed.count} artifacts, {_megabytes(freed.bytes)} freed; kept {len(keep)}")


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"
