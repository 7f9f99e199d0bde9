"""Reading and planning: the screenplay in, a validated FilmPlan out."""

from __future__ import annotations

import logging

from langgraph.runtime import Runtime

from shotgraph.director.plan import FilmPlan
from shotgraph.director.screenplay.model import Screenplay
from shotgraph.production.crew import Crew
from shotgraph.production.decisions import apply_decisions
from shotgraph.production.state import ProductionState, screenplay_at

log = logging.getLogger(__name__)


# 1. read ---------------------------------------------------------------------------------------------------


def read(state: ProductionState, runtime: Runtime[Crew]) -> ProductionState:
    from shotgraph.director.screenplay.reader import read_screenplay

    crew = runtime.context
    screenplay = read_screenplay(crew.script)
    for warning in screenplay.warnings:
        log.warning(warning)
    # a new run on a finished thread would otherwise inherit that run's failures
    return {"screenplay": str(crew.save_json("read", screenplay)), "failures": {}}


# 2. plan ---------------------------------------------------------------------------------------------------


def plan(state: ProductionState, runtime: Runtime[Crew]) -> ProductionState:
    crew = runtime.context
    screenplay = screenplay_at(state["screenplay"])
    planned, notes = planned_film(crew, screenplay)
    applied = apply_decisions(crew.decisions, planned, screenplay)
    return {"plan": str(crew.save_json("plan", applied.plan)), "notes": notes + applied.notes()}


def planned_film(crew: Crew, screenplay: Screenplay) -> tuple[FilmPlan, list[str]]:
    """The plan before review decisions: the user's plan file, or the director's (rules or LLM, its calls
    cached in the work folder), with notes on how it was made."""
    from shotgraph.director.planning import plan_with_outcome
    from shotgraph.director.validate import load_plan

    if crew.plan_file is not None:
        return load_plan(crew.plan_file, screenplay), [f"plan: {crew.plan_file}, as edited"]
    outcome = plan_with_outcome(screenplay, crew.profile.planner, cache_dir=crew.workdir / "llm")
    notes = list(outcome.report)
    if outcome.mode == "llm":
        notes.append(f"LLM: {outcome.calls} calls, {outcome.cached_calls} from cache, "
                     f"{outcome.prompt_tokens} prompt + {outcome.completion_tokens} completion tokens")
    return outcome.plan, notes
