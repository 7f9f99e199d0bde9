"""shotgraph doctor | models | cache: what this machine can run, the model weights, the artifact store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from shotgraph.cli.common import app, chosen_profile, friendly_errors
from shotgraph.config import load_profile
from shotgraph.errors import ShotgraphError


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

    found = needs(load_profile(chosen_profile(profile)))
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
    from shotgraph.models.source import (
        MissingModelError,
        is_present,
        missing_message,
        offline,
        resolve,
    )
    from shotgraph.production.crew import profile_models

    chosen = load_profile(chosen_profile(profile))
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

    from shotgraph.production.checkpoints import interrupted_keys
    from shotgraph.production.decisions import DECISIONS, Decisions

    workdir, store = _open_store(target)
    keep = interrupted_keys(workdir)  # an interrupted run resumes from what its checkpoint names
    keep |= Decisions.load(workdir / DECISIONS).kept_keys()  # a locked shot's picture
    for manifest in (workdir / "films").glob("*.json"):
        keep.update(json.loads(manifest.read_text(encoding="utf-8"))["keys"])
    freed = store.gc(keep)
    Console().print(f"removed {freed.count} artifacts, {_megabytes(freed.bytes)} freed; kept {len(keep)}")


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"

