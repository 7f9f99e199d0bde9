"""The Python director API: read, plan, render and review a film, shot by shot.

    director = Director("last_ferry.fountain")
    director.make()                          # the whole film
    director.reshoot("sc003-sh02", seed=7)   # a decision, kept in the work folder's decisions.json
    director.make()                          # re-renders that shot and the cut, nothing else

A run is a LangGraph thread checkpointed in `<workdir>/checkpoints.sqlite`. The thread is named by what the run
is asked to make (script bytes, profile, plan file, output path, the decisions that change the film), so a run
that was killed and is started again with the same request resumes where it stopped; a changed request starts a
new thread, and the artifact store makes that re-render only what the change touched. A reviewing director
(`review=True`) stops at the graph's review points until what waits there is decided.
"""

from __future__ import annotations

import functools
import hashlib
import json
import queue
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from langgraph.types import Command

from shotgraph.config import Profile, load_profile
from shotgraph.director.plan import CameraMove, FilmPlan, ShotSize
from shotgraph.director.screenplay.model import Screenplay
from shotgraph.errors import PlanError, ShotgraphError, UnknownShotError
from shotgraph.production.checkpoints import checkpointed_graph, missing_input, referenced_keys
from shotgraph.production.crew import Crew, OutputPaths
from shotgraph.production.decisions import (DECISIONS, Applied, Decisions, HistoryEntry, Lock, PlanEdit, Reshoot,
                                            ShotDecision, anchors, apply_decisions, now)
from shotgraph.production.events import Event, FilmDelivered, ReviewWaiting
from shotgraph.production.places import check_writable, default_output, default_workdir
from shotgraph.production.reading import planned_film
from shotgraph.production.report import Film, FilmReport, film_report
from shotgraph.production.review_points import pending
from shotgraph.production.shots import Estimate, ShotView, estimate, read_last_render, shot_views, write_last_render
from shotgraph.production.state import key_of
from shotgraph.store import StoreCounters

REVIEW_NODES = {"review_plan": "plan", "review_shots": "shots"}


def _deciding(method: Callable[..., Any]) -> Callable[..., Any]:
    """One decision at a time, each read, changed and saved whole."""

    @functools.wraps(method)
    def decide(self: Director, *args: Any, **kwargs: Any) -> Any:
        with self._deciding:
            return method(self, *args, **kwargs)

    return decide


class Director:
    """Make and review a film from a screenplay file.

    >>> film = Director("examples/last_ferry.fountain").render()   # doctest: +SKIP
    """

    def __init__(
        self,
        script: str | Path,
        *,
        profile: Profile | str = "draft",
        output: str | Path | None = None,
        workdir: str | Path | None = None,
        plan_file: str | Path | None = None,
        decisions: str | Path | None = None,
        review: bool = False,
        strict: bool = False,
        show_progress: bool = False,
        on_event: Callable[[Event], None] | None = None,
    ):
        """`decisions`: the decisions file (default `<workdir>/decisions.json`); `review`: stop at the review
        points for what is not yet approved; `on_event`: called with every progress event."""
        self.script = Path(script)
        if self.script.is_dir():
            raise ShotgraphError(f"{self.script}: is a directory; give the screenplay file inside it")
        if not self.script.is_file():
            raise ShotgraphError(f"{self.script}: no such screenplay file")
        self.profile = load_profile(profile) if isinstance(profile, (str, Path)) else profile
        if plan_file is not None and not Path(plan_file).is_file():
            raise PlanError([f"{plan_file}: no such plan file"], source=str(plan_file))
        film = Path(output) if output is not None else default_output(self.script)
        if film.suffix.lower() != ".mp4":
            raise ShotgraphError(f"{film}: the film is written as MP4; give an output path ending in .mp4")
        workdir = Path(workdir) if workdir is not None else default_workdir(self.script)
        self.decisions_file = Path(decisions) if decisions is not None else workdir / DECISIONS
        self.crew = Crew(
            script=self.script,
            workdir=workdir,
            outputs=OutputPaths(film=film.resolve()),
            profile=self.profile,
            strict=strict,
            plan_file=Path(plan_file) if plan_file is not None else None,
            show_progress=show_progress,
            decisions=Decisions.load(self.decisions_file),  # a run's own copy, taken as it starts
            review=review,
        )
        self._decisions = self.crew.decisions.model_copy(deep=True)  # what review methods change and save
        self._deciding = threading.RLock()  # the review page decides from several threads while a run goes on
        self._planned_from: tuple[tuple[bytes, bytes], tuple[Screenplay, FilmPlan]] | None = None
        if on_event is not None:
            self.crew.events.listeners.append(on_event)
        self.crew.check_backends()

    @property
    def decisions(self) -> Decisions:
        """The review decisions as this director holds them (saved to `decisions_file` as they are made)."""
        return self._decisions

    # reading and planning -----------------------------------------------------------------------------------

    def read(self) -> Screenplay:
        """The screenplay as read, with its warnings."""
        from shotgraph.director.screenplay.reader import read_screenplay

        return read_screenplay(self.script)

    def plan(self) -> FilmPlan:
        """The plan the film is made from: the director's, with the review decisions on it."""
        return self._applied()[2].plan

    def _applied(self, decisions: Decisions | None = None) -> tuple[Screenplay, FilmPlan, Applied]:
        """The screenplay, the director's plan, and that plan with `decisions` (this director's) on it."""
        screenplay, planned = self._planned()
        chosen = decisions if decisions is not None else self.decisions
        return screenplay, planned, apply_decisions(chosen, planned, screenplay, str(self.decisions_file))

    def _planned(self) -> tuple[Screenplay, FilmPlan]:
        """The screenplay and the director's plan, read and planned again only when the script or plan file
        changed: review asks for them on every request."""
        inputs = (self.script.read_bytes(), self.crew.plan_file.read_bytes() if self.crew.plan_file else b"")
        with self._deciding:
            if self._planned_from is None or self._planned_from[0] != inputs:
                screenplay = self.read()
                self._planned_from = (inputs, (screenplay, planned_film(self.crew, screenplay)[0]))
            return self._planned_from[1]

    # making -------------------------------------------------------------------------------------------------

    def thread_id(self) -> str:
        """The checkpoint thread of this request: the same request resumes it, a changed one starts anew."""
        request = {
            "script": hashlib.sha256(self.script.read_bytes()).hexdigest(),
            "profile": self.profile.model_dump(mode="json"),
            "plan": hashlib.sha256(self.crew.plan_file.read_bytes()).hexdigest() if self.crew.plan_file else None,
            "output": str(self.crew.outputs.film),
            "decisions": self.crew.decisions.render_fingerprint(),
        }
        return hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()[:24]

    def make(self) -> FilmReport:
        """Run the production to the delivered film, or (reviewing) to the first review point that waits."""
        started = time.perf_counter()
        check_writable(self.crew.outputs.film.parent, "cannot write the film there ({problem})")
        check_writable(self.crew.workdir, "cannot write the work folder ({problem}); give a folder you can write "
                                          "to with --workdir")
        self.crew.store.counters = StoreCounters()  # this run's own report
        with self._deciding:  # as decided now, by this process or another
            self._decisions = Decisions.load(self.decisions_file)
            self.crew.decisions = self._decisions.model_copy(deep=True)
        config = {"configurable": {"thread_id": self.thread_id()}}
        notes: list[str] = []
        with checkpointed_graph(self.crew.workdir) as graph:
            snapshot = graph.get_state(config)
            resumed = bool(snapshot.next)
            if resumed and (gone := missing_input(self.crew.store, snapshot.values)):
                # a file the interrupted run made is gone: run again from the start; the store reuses the rest
                notes.append(f"resume: artifact {gone} was gone or damaged; the run started over and made only "
                             "what was missing")
                resumed = False
            request: Any = None if resumed else {}
            if resumed and snapshot.interrupts:  # stopped at a review point: go on once nothing waits there
                point = REVIEW_NODES[snapshot.next[0]]
                if self.crew.review and (waiting := pending(self.crew, point, snapshot.values)):
                    self.crew.events(ReviewWaiting(point, waiting))
                    return film_report(self.crew, snapshot.values, started, resumed, notes, (point, waiting))
                request = Command(resume="decided")
            try:
                graph.invoke(request, config, context=self.crew)
            finally:
                self.crew.models.free_all()  # the GPU's memory back to whoever runs next
            after = graph.get_state(config)
        state = after.values
        if "segments" in state:
            write_last_render(self.crew.workdir, state)
        if after.next:  # stopped at a review point
            point = REVIEW_NODES[after.next[0]]
            return film_report(self.crew, state, started, resumed, notes, (point, pending(self.crew, point, state)))
        self._remember(state)
        report = film_report(self.crew, state, started, resumed, notes)
        self.crew.events(FilmDelivered(report.outputs, report.seconds))
        return report

    def render(self) -> Film:
        """Make the film, passing every review point, and return the delivered files."""
        review, self.crew.review = self.crew.review, False
        try:
            report = self.make()
        finally:
            self.crew.review = review
        out = {kind: Path(path) for kind, path in report.outputs.items()}
        return Film(film=out["film"], srt=out["srt"], vtt=out["vtt"], otio=out["otio"], plan=out["plan"],
                    stems={k.removesuffix(" stem"): p for k, p in out.items() if k.endswith(" stem")}, report=report)

    def events(self) -> Iterator[Event]:
        """Make the film in the background and yield its progress events as they happen; the last is
        FilmDelivered (or ReviewWaiting when a reviewing run stops). `last_report` then holds the report."""
        events: queue.Queue[Any] = queue.Queue()
        done = object()
        outcome: dict[str, Any] = {}

        def run() -> None:
            try:
                outcome["report"] = self.make()
            except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
                outcome["error"] = exc
            finally:
                events.put(done)

        self.crew.events.listeners.append(events.put)
        worker = threading.Thread(target=run, name="shotgraph-make", daemon=True)
        worker.start()
        try:
            while (event := events.get()) is not done:
                yield event
        finally:
            self.crew.events.listeners.remove(events.put)
        worker.join()
        if "error" in outcome:
            raise outcome["error"]
        self.last_report: FilmReport = outcome["report"]

    # reviewing ----------------------------------------------------------------------------------------------

    def shots(self) -> list[ShotView]:
        """Every shot as review shows it: plan entry, words as written, picture once rendered, status, history."""
        screenplay, _, applied = self._applied()
        return shot_views(self.crew, applied.plan, screenplay, read_last_render(self.crew.workdir), applied.by_shot)

    def shot(self, shot_id: str) -> ShotView:
        """One shot as review shows it; UnknownShotError (listing the plan's shots) if there is none."""
        views = self.shots()
        for view in views:
            if view.id == shot_id:
                return view
        raise UnknownShotError(f"no shot {shot_id!r} in the plan; its shots are {_id_range([v.id for v in views])}")

    def decision_notes(self) -> list[str]:
        """What the decisions do to the plan now: reshoots, locks, and decisions that match no shot."""
        return self._applied()[2].notes()

    @_deciding
    def approve_plan(self) -> None:
        """Approve the plan: a reviewing run goes on past it to record and shoot."""
        self.decisions.plan_approved = True
        self._save()

    @_deciding
    def approve(self, shot_id: str) -> None:
        """Keep the shot as it is; a reviewing run no longer waits for it."""
        self._decide(shot_id, "approve", lambda d: setattr(d, "approved", True))

    @_deciding
    def approve_all(self) -> None:
        """Approve the plan and every shot."""
        for decision in self._decisions_for().values():
            if not decision.approved:
                decision.approved = True
                decision.history.append(HistoryEntry(at=now(), action="approve"))
        self.decisions.plan_approved = True
        self._save()

    @_deciding
    def lock(self, shot_id: str) -> None:
        """Keep the shot's rendered picture whatever changes around it, until unlocked."""
        view = self.shot(shot_id)
        if view.segment is None or view.frames is None:
            raise ShotgraphError(f"shot {shot_id} has no rendered picture to lock; render it first")
        lock = Lock(keyframe=key_of(view.keyframe) if view.keyframe else None,
                    clip=key_of(view.clip) if view.clip else None, segment=key_of(view.segment), frames=view.frames)
        self._decide(shot_id, "lock", lambda d: setattr(d, "lock", lock), {"segment": lock.segment})

    @_deciding
    def unlock(self, shot_id: str) -> None:
        """Let the shot follow its inputs again: the next run re-renders it if they changed."""
        self._decide(shot_id, "unlock", lambda d: setattr(d, "lock", None))

    @_deciding
    def reshoot(self, shot_id: str, *, seed: int | None = None, prompt: str | None = None,
                size: ShotSize | str | None = None, move: CameraMove | str | None = None,
                duration: float | None = None) -> Estimate:
        """Decide to shoot the shot again with what is given (a new random seed when nothing is); returns what
        the next run will recompute. The shot's approval is withdrawn until the new take is seen."""
        change = Reshoot.asked(shot_id, seed=seed, prompt=prompt, size=size, move=move, duration=duration)

        def decide(decision: Any) -> None:
            if decision.lock is not None:
                raise ShotgraphError(f"shot {shot_id} is locked; unlock it before reshooting it")
            decision.reshoot = change
            decision.approved = False

        self._decide(shot_id, "reshoot", decide, change.model_dump(mode="json", exclude_none=True))
        return self.estimate()

    def estimate(self, shot_id: str | None = None, **changes: Any) -> Estimate:
        """What the next run will recompute, by stage, from the store. With `shot_id` (and changes as for
        `reshoot`): what deciding that reshoot would add to it. Decides nothing."""
        last = read_last_render(self.crew.workdir)

        def next_run(decisions: Decisions) -> Estimate:
            screenplay, _, applied = self._applied(decisions)
            return estimate(self.crew, applied.plan, screenplay, last, applied.by_shot)

        base = next_run(self.decisions)
        if shot_id is None:
            return base
        trial = self.decisions.model_copy(deep=True)
        change = Reshoot.asked(shot_id, **changes)
        self._decisions_for([shot_id], trial)[shot_id].reshoot = change
        more = next_run(trial).recompute
        return Estimate({stage: n - base.recompute.get(stage, 0) for stage, n in more.items()
                         if n > base.recompute.get(stage, 0)})

    @_deciding
    def edit_plan(self, *, split: str | None = None, after_line: int | None = None, merge: str | None = None,
                  characters: tuple[str, list[str]] | None = None) -> FilmPlan:
        """Change the plan's shots: split a shot after one of its lines, merge a shot with the next one in its
        scene, or set the characters in frame. An edit that breaks the plan's contract is refused (PlanError)
        and nothing is kept. Returns the plan with the edit."""
        asked = [op for op, value in (("split", split), ("merge", merge), ("characters", characters)) if value]
        if len(asked) != 1:
            raise ShotgraphError("edit_plan: give exactly one of split=, merge= or characters=")
        op = asked[0]
        shot_id = characters[0] if op == "characters" and characters else (split or merge or "")
        screenplay, planned, applied = self._applied()
        found = anchors(applied.plan, screenplay)
        if shot_id not in found:
            self.shot(shot_id)
        edit = PlanEdit(op=op, shot=found[shot_id], shot_id=shot_id, after_line=after_line,
                        characters=list(characters[1]) if characters else None)
        trial = self.decisions.model_copy(deep=True)
        trial.edits.append(edit)
        plan = apply_decisions(trial, planned, screenplay, f"edit {op} {shot_id}").plan  # raises if invalid
        self.decisions.edits.append(edit)
        self._save()
        return plan

    # inside -------------------------------------------------------------------------------------------------

    def _decide(self, shot_id: str, action: str, change: Callable[[Any], None],
                detail: dict[str, Any] | None = None) -> None:
        decision = self._decisions_for([shot_id])[shot_id]
        change(decision)
        decision.history.append(HistoryEntry(at=now(), action=action, detail=detail or {}))  # type: ignore[arg-type]
        self._save()

    def _decisions_for(self, shot_ids: list[str] | None = None, decisions: Decisions | None = None
                       ) -> dict[str, ShotDecision]:
        """The decision about each shot (all when None) in `decisions` (this director's by default), made if
        there is none yet. Each is anchored afresh to its shot as it is now, so it follows the shot through later
        edits of the screenplay."""
        decisions = decisions if decisions is not None else self.decisions
        screenplay, _, applied = self._applied(decisions)
        found = anchors(applied.plan, screenplay)
        wanted = list(found) if shot_ids is None else shot_ids
        out = {}
        for shot_id in wanted:
            if shot_id not in found:
                self.shot(shot_id)  # the error that lists the shots
            decision = applied.by_shot.get(shot_id)
            if decision is None:
                decision = ShotDecision(shot=found[shot_id], shot_id=shot_id)
                decisions.shots.append(decision)
            decision.shot, decision.shot_id = found[shot_id], shot_id
            out[shot_id] = decision
        return out

    def _save(self) -> None:
        self.decisions.save(self.decisions_file)

    def _remember(self, state: dict) -> None:
        """Record which artifacts this film uses, so `shotgraph cache gc` keeps them."""
        keys = referenced_keys(state)
        manifests = self.crew.workdir / "films"
        manifests.mkdir(exist_ok=True)
        name = hashlib.sha256(str(self.crew.outputs.film).encode()).hexdigest()[:16]
        (manifests / f"{name}.json").write_text(
            json.dumps({"film": str(self.crew.outputs.film), "keys": sorted(keys)}, indent=1), encoding="utf-8"
        )


def _id_range(ids: list[str]) -> str:
    return f"{ids[0]} ... {ids[-1]}" if len(ids) > 2 else ", ".join(ids) or "none"
