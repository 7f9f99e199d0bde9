"""The Python director API, end to end, offline: plan, render, look at the shots, reshoot one, lock one, render
again, and watch the progress events.

    .venv/bin/python examples/api.py [SCRIPT]        (default: examples/last_ferry.fountain)

The example keeps its decisions in a file of its own, so `shotgraph make` of the same script is not changed by it;
the artifact store is shared, so what `make` already rendered is reused.
"""

from __future__ import annotations

import sys
from pathlib import Path

import shotgraph


def main(script: Path) -> None:
    workdir = script.resolve().parent / ".shotgraph"
    director = shotgraph.Director(script, workdir=workdir, output=script.with_suffix(".api.mp4"),
                                  decisions=workdir / "api-decisions.json")

    # 1. Read and plan: the screenplay as written, and the shots the film is made of.
    screenplay = director.read()
    plan = director.plan()
    print(f"{screenplay.title}: {len(screenplay.scenes)} scenes, {len(plan.shots)} shots, "
          f"about {plan.estimated_seconds / 60:.1f} minutes")

    # 2. Render, watching the progress events as they come.
    for event in director.events():
        if isinstance(event, shotgraph.StageStarted):
            print(f"  {event.stage}: {event.total} items")
        elif isinstance(event, shotgraph.ItemFailed):
            print(f"  {event.item} failed: {event.reason}")
        elif isinstance(event, shotgraph.FilmDelivered):
            print(f"  delivered {event.outputs['film']} ({event.seconds:.1f} s)")

    # 3. The shots as review shows them: plan entry, words as written, picture, status.
    shots = director.shots()
    speaking = next(shot for shot in shots if shot.lines)
    line = speaking.lines[0]
    print(f"{speaking.id} ({speaking.status}): {speaking.plan.size.value}, {line.character}: {line.text!r}")
    print(f"  keyframe {speaking.keyframe}")

    # 4. A reshoot with a new seed: what it will recompute, from the store, before anything is rendered.
    print(f"reshoot {speaking.id}: {director.estimate(speaking.id, seed=7)}")
    director.reshoot(speaking.id, seed=7)
    director.lock(shots[0].id)  # the opening shot stays as it is, whatever changes around it
    director.approve_all()

    film = director.render()
    print(f"{film.film}: {film.report.shots} shots, made {film.report.computed or 'nothing new'}")
    for note in film.report.notes:
        print(f"  note: {note}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("last_ferry.fountain"))
