"""One entry point for planning a film: the rule-based director or an LLM, chosen by the planner settings.

Whatever made the plan, it is checked against the screenplay before it is returned (invariant 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from shotgraph.config import PlannerSettings
from shotgraph.director.plan import FilmPlan
from shotgraph.director.rules.breakdown import plan_by_rules
from shotgraph.director.screenplay.model import Screenplay
from shotgraph.director.cards import with_cards
from shotgraph.director.validate import check


@dataclass
class PlanOutcome:
    """A checked plan and how it was made. `report`, `calls` and the token counts are empty for the rules."""

    plan: FilmPlan
    mode: str
    report: list[str] = field(default_factory=list)
    calls: int = 0
    cached_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


def plan(
    screenplay: Screenplay,
    settings: PlannerSettings | None = None,
    *,
    cache_dir: str | Path | None = None,
    style: str | None = None,
) -> FilmPlan:
    """Plan `screenplay` (rules by default) and return the checked FilmPlan.

    An LLM's answers are cached in `cache_dir` (no cache if not given), so planning again costs no calls. Each
    scene (or the character bible) that fell back to the rule-based director is logged as a warning on the
    `shotgraph.director.llm.planner` logger; `plan_with_outcome` returns that report with the call and token counts.
    """
    return plan_with_outcome(screenplay, settings, cache_dir=cache_dir, style=style).plan


def plan_with_outcome(
    screenplay: Screenplay,
    settings: PlannerSettings | None = None,
    *,
    cache_dir: str | Path | None = None,
    style: str | None = None,
) -> PlanOutcome:
    """Like `plan`, also returning the LLM's report, call counts and token usage."""
    settings = settings or PlannerSettings()
    if settings.mode == "rules":
        outcome = PlanOutcome(plan=plan_by_rules(screenplay, style=style), mode="rules")
        source = "rule-based plan"
    else:
        from shotgraph.director.llm.planner import plan_with_llm  # the openai client loads only when asked for

        result = plan_with_llm(screenplay, settings, cache_dir=Path(cache_dir) if cache_dir else None, style=style)
        outcome = PlanOutcome(
            plan=result.plan,
            mode="llm",
            report=list(result.report),
            calls=result.calls,
            cached_calls=result.cached_calls,
            prompt_tokens=int(result.usage.get("prompt_tokens", 0)),
            completion_tokens=int(result.usage.get("completion_tokens", 0)),
        )
        source = f"LLM plan ({settings.model})"
    outcome.plan = with_cards(outcome.plan, screenplay)  # the screenplay's centered text, on screen
    check(outcome.plan, screenplay, source=source)
    return outcome
