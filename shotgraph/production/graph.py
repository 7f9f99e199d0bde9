"""The production graph: one LangGraph StateGraph from screenplay to delivered film.

    read -> plan -> review_plan -> record -> time -> cast -> shoot -> review_shots -> score -> mix -> cut -> deliver

Dialogue is recorded before the picture is shot because the words set each shot's length (invariant 7): the
video stage must know its exact frame count. The looks are drawn right before the keyframes, so one image model
serves both without being loaded twice. Every node is a plain function `State -> partial State`; the
state holds ids and paths only (invariant 3); the heavy lifting is cached in the artifact store, so a node that
re-runs after a kill reuses everything already made (invariant 2). Each stage runs over all its items before
the next starts, so each model loads at most once (invariant 4). The review points (review_points.py) stop a
reviewing run with `interrupt()` after `plan` and after `shoot`.

The nodes live by what they do: reading.py (read, plan), picture.py (cast, shoot), sound.py (record, score,
mix), cutting.py (time, cut, deliver).
"""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from shotgraph.production import cutting, picture, reading, review_points, sound
from shotgraph.production.crew import Crew
from shotgraph.production.state import ProductionState


def build_graph() -> StateGraph:
    graph = StateGraph(ProductionState, context_schema=Crew)
    steps = [("read", reading.read), ("plan", reading.plan), ("review_plan", review_points.review_plan),
             ("record", sound.record), ("time", cutting.time_shots), ("cast", picture.cast), ("shoot", picture.shoot),
             ("review_shots", review_points.review_shots), ("score", sound.score), ("mix", sound.mix),
             ("cut", cutting.cut), ("deliver", cutting.deliver)]
    previous = START
    for name, node in steps:
        graph.add_node(name, node)
        graph.add_edge(previous, name)
        previous = name
    graph.add_edge(previous, END)
    return graph
