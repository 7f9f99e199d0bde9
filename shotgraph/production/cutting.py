"""The cut: shots timed by the words, the timeline rendered with its subtitles, the film delivered."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from langgraph.runtime import Runtime

from shotgraph.audio.cues import cue_spans
from shotgraph.errors import ShotgraphError
from shotgraph.production.crew import Crew
from shotgraph.production.state import ProductionState, plan_at, screenplay_at, timing_at


# 5. time: the words set the cut --------------------------------------------------------------------------------


def time_shots(state: ProductionState, runtime: Runtime[Crew]) -> ProductionState:
    from shotgraph.render.cut import compute_timing

    crew = runtime.context
    recordings = {line: (Path(path), seconds) for line, (path, seconds) in state["recordings"].items()}
    timing = compute_timing(plan_at(state["plan"]), screenplay_at(state["screenplay"]), recordings, crew.profile.output)
    return {"timing": str(crew.save_json("timing", timing))}


# 9. cut: the OTIO timeline, rendered; subtitles ------------------------------------------------------------------


def cut(state: ProductionState, runtime: Runtime[Crew]) -> ProductionState:
    from shotgraph.production.assemble import cut_film

    crew = runtime.context
    with crew.track("cut", 1) as advance:
        timing = timing_at(state["timing"])
        made, parts = cut_film(crew, screenplay_at(state["screenplay"]), plan_at(state["plan"]), timing, state,
                               cue_spans(timing))
        advance()
    return {"cut": {kind: str(path) for kind, path in made.items()}, "cut_parts": [str(p) for p in parts]}


# 10. deliver: the film and its sidecars where the user asked ----------------------------------------------------


def deliver(state: ProductionState, runtime: Runtime[Crew]) -> ProductionState:
    crew = runtime.context
    outputs = crew.outputs
    try:
        outputs.film.parent.mkdir(parents=True, exist_ok=True)
        outputs.stems.mkdir(exist_ok=True)
        delivered = {
            "film": _place(state["cut"]["film"], outputs.film),
            "srt": _place(state["cut"]["srt"], outputs.srt),
            "vtt": _place(state["cut"]["vtt"], outputs.vtt),
            "otio": _place(state["cut"]["otio"], outputs.otio),
            "plan": _place(state["plan"], outputs.plan),
        }
        for stem in ("dialogue", "music", "effects"):
            delivered[f"{stem} stem"] = _place(state["mix"][stem], outputs.stems / f"{stem}.wav")
    except OSError as exc:
        raise ShotgraphError(f"cannot write the film to {outputs.film.parent}: {exc}") from exc
    return {"delivered": delivered}


def _place(source: str, target: Path) -> str:
    """Put a stored artifact where the user wants it, atomically (temp name + rename).

    A hard link where the store and the output share a filesystem (a feature's stems are gigabytes), a copy
    otherwise. Stored artifacts are read-only, so a tool cannot change one in place through the link.
    """
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.unlink(missing_ok=True)
    if target.exists() and os.path.samefile(source, target):
        return str(target)  # delivered already (a link to this very artifact): renaming onto it would do nothing
    try:
        try:
            os.link(source, tmp)
        except OSError:
            shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)  # a full disk leaves a partial copy: never leave it beside the user's files
    return str(target)
