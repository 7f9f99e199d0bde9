"""The rule-based director: a FilmPlan from the screenplay alone. Deterministic, offline, fast.

It reads the screenplay the way a first assistant director breaks it down: each scene gets a mood, light,
music and ambience from its heading and action; each action paragraph becomes a shot sized by what it
describes; each dialogue block is covered exactly once, in order (invariant 1), by singles, over-the-shoulders
or two-shots. Timing follows the words (invariant 7) at the rates below.
"""

from __future__ import annotations

from dataclasses import dataclass

from shotgraph.director.acyclic import without_cyclic_gc
from shotgraph.director.plan import (
    FilmPlan,
    ScenePlan,
    Shot,
    TransitionKind,
)
from shotgraph.director.rules.cast import Cast, character_plans
from shotgraph.director.rules.coverage import Pending, SceneBreakdown
from shotgraph.director.rules.numbering import scene_anchors
from shotgraph.director.rules.scenes import plan_scene
from shotgraph.director.screenplay.model import (
    Screenplay,
)

DEFAULT_STYLE = "cinematic film still, 35mm photograph, natural color grading, shallow depth of field"


def plan_by_rules(screenplay: Screenplay, style: str | None = None) -> FilmPlan:
    """Break the screenplay into characters, scenes and shots. Same input, same plan, byte for byte."""
    return breakdown(screenplay, style).plan


@dataclass
class Breakdown:
    plan: FilmPlan
    # scene id -> the transition the screenplay writes into the scene's first shot; scenes it leaves to the
    # director are absent (their first shot cuts in)
    entries: dict[str, TransitionKind]


def breakdown(screenplay: Screenplay, style: str | None = None) -> Breakdown:
    """The rule-based plan, and which of its transitions the screenplay itself wrote."""
    with without_cyclic_gc():
        return _breakdown(screenplay, style)


def _breakdown(screenplay: Screenplay, style: str | None) -> Breakdown:
    style = style or DEFAULT_STYLE
    characters = character_plans(screenplay)
    cast = Cast(characters, silent={c.name for c in characters} - {c.name for c in screenplay.characters})
    scenes: list[ScenePlan] = []
    shots: list[Shot] = []
    pending = Pending()
    previous_time = "unspecified"
    anchors = scene_anchors(screenplay)
    for scene in screenplay.scenes:
        scene_plan = plan_scene(scene, previous_time)
        previous_time = scene_plan.time_of_day
        scenes.append(scene_plan)
        shots += SceneBreakdown(scene, anchors[scene.id], scene_plan, cast, style, pending).shots()
    # A transition left over after the last shot ("FADE OUT.") closes the film; only a fade can do that.
    ending = TransitionKind.FADE_OUT if pending.transition is TransitionKind.FADE_OUT else TransitionKind.CUT
    plan = FilmPlan(title=screenplay.title, style=style, characters=characters, scenes=scenes, shots=shots,
                    ending=ending)
    return Breakdown(plan=plan, entries=pending.entries)
