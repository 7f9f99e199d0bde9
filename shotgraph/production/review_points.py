"""The graph's two review points: after the plan, and after the shots are shot (before the score, mix and cut).

Each stops the run with LangGraph's `interrupt()` when the run reviews (`crew.review`) and something there waits
for a decision. The checkpointer keeps the run where it stopped: quitting and starting again, by any means,
resumes at the same point with every decision kept (they live in the decisions file, not in memory). A run that
does not review (`make`, `--approve-all`) passes straight through.
"""

from __future__ import annotations

from langgraph.runtime import Runtime
from langgraph.types import interrupt

from shotgraph.production.crew import Crew
from shotgraph.production.decisions import assign
from shotgraph.production.events import ReviewWaiting
from shotgraph.production.state import ProductionState, plan_at, screenplay_at


def pending(crew: Crew, point: str, state: dict) -> list[str]:
    """What waits for a decision at `point`: ["plan"] until the plan is approved; the shots neither approved nor
    locked."""
    if point == "plan":
        return [] if crew.decisions.plan_approved else ["plan"]
    film_plan = plan_at(state["plan"])
    by_shot, _ = assign(crew.decisions, film_plan, screenplay_at(state["screenplay"]))
    return [s.id for s in film_plan.shots
            if not (s.id in by_shot and (by_shot[s.id].approved or by_shot[s.id].lock))]


def _review(point: str):
    def node(state: ProductionState, runtime: Runtime[Crew]) -> ProductionState:
        crew = runtime.context
        waiting = pending(crew, point, dict(state))
        if crew.review and waiting:
            crew.events(ReviewWaiting(point, waiting))
            interrupt({"review": point, "pending": waiting})  # resumed by Command(resume=...) once decided
        return {}

    node.__name__ = f"review_{point}"
    return node


review_plan = _review("plan")
review_shots = _review("shots")
