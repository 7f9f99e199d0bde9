"""shotgraph: turn a screenplay into a finished film.

The public API. Names load on first use, so `import shotgraph` stays fast and never imports torch.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "read_screenplay": "shotgraph.director.screenplay.reader",
    "to_fountain": "shotgraph.director.screenplay.fountain_writer",
    "Screenplay": "shotgraph.director.screenplay.model",
    "FilmPlan": "shotgraph.director.plan",
    "plan": "shotgraph.director.planning",
    "plan_with_outcome": "shotgraph.director.planning",
    "PlanOutcome": "shotgraph.director.planning",
    "validate": "shotgraph.director.validate",
    "load_plan": "shotgraph.director.validate",
    "Director": "shotgraph.production.director",
    "Film": "shotgraph.production.report",
    "FilmReport": "shotgraph.production.report",
    "ShotView": "shotgraph.production.shots",
    "LineView": "shotgraph.production.shots",
    "Estimate": "shotgraph.production.shots",
    "StageStarted": "shotgraph.production.events",
    "ItemDone": "shotgraph.production.events",
    "ItemFailed": "shotgraph.production.events",
    "ReviewWaiting": "shotgraph.production.events",
    "FilmDelivered": "shotgraph.production.events",
    "Event": "shotgraph.production.events",
    "load_profile": "shotgraph.config",
    "Profile": "shotgraph.config",
    "ShotgraphError": "shotgraph.errors",
    "ScreenplayError": "shotgraph.errors",
    "PlanError": "shotgraph.errors",
    "UnknownShotError": "shotgraph.errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'shotgraph' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
