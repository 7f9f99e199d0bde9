"""The review page's server: the page, and a REST API over the Director that the page uses.

Every request needs the session's token (as Jupyter does): the URL that `shotgraph review` prints carries it; the
page then keeps it in a same-site cookie, so its images, clips and event stream carry it too. The schema is served
at /openapi.json. Files are served only from inside the project (the screenplay's folder, the work folder and the
film's folder), and only files.
"""

from __future__ import annotations

import json
import queue
import secrets
import socket
import threading
import webbrowser
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from shotgraph.director.plan import CameraMove, ShotSize
from shotgraph.errors import PlanError, ShotgraphError
from shotgraph.production.director import Director, UnknownShotError
from shotgraph.production.shots import Estimate, ShotView
from shotgraph.review.worker import Hub, RenderWorker

COOKIE = "shotgraph_token"
TOKEN_HEADER = "x-shotgraph-token"
PAGE_FILES = {"review.js": "text/javascript", "review.css": "text/css"}


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReshootBody(_Body):
    """What to change; nothing at all reshoots with a new random seed."""

    seed: int | None = Field(default=None, ge=0, le=2**32 - 1)
    prompt: str | None = Field(default=None, min_length=1, max_length=4000)
    size: ShotSize | None = None
    move: CameraMove | None = None
    duration: float | None = Field(default=None, gt=0.0, le=600.0, description="seconds at least")


class PlanEditBody(_Body):
    op: Literal["split", "merge", "characters"]
    shot: str = Field(description="the shot's id, e.g. sc002-sh03")
    after_line: int | None = Field(default=None, ge=1, description="split: the new shot starts after this line")
    characters: list[str] | None = Field(default=None, description="characters: the character ids in frame")


def create_app(director: Director, token: str | None = None, *, worker: RenderWorker | None = None) -> FastAPI:
    """The review app for `director`; `token` (random when None) is what every request must carry."""
    token = token or secrets.token_urlsafe(24)
    hub = Hub()
    worker = worker or RenderWorker(director, hub)
    app = FastAPI(title="shotgraph review", version="1", docs_url=None, redoc_url=None,
                  description="Review a film shot by shot: approve, reshoot, lock, edit the plan, render.")
    app.state.token, app.state.worker, app.state.director = token, worker, director
    roots = _project_roots(director)

    @app.middleware("http")
    async def require_token(request: Request, call_next: Any) -> Response:
        given = (request.query_params.get("token") or request.headers.get(TOKEN_HEADER)
                 or request.cookies.get(COOKIE))
        if not given:
            return JSONResponse({"detail": "token: missing; open the URL that `shotgraph review` printed "
                                           "(it ends in ?token=...)"}, status_code=401)
        if not secrets.compare_digest(given, token):
            return JSONResponse({"detail": "token: wrong token for this review session"}, status_code=403)
        response = await call_next(request)
        if request.query_params.get("token"):
            response.set_cookie(COOKIE, token, httponly=True, samesite="strict")
        return response

    @app.exception_handler(PlanError)
    async def plan_refused(request: Request, exc: PlanError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.exception_handler(UnknownShotError)
    async def no_such_shot(request: Request, exc: UnknownShotError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(ShotgraphError)
    async def refused(request: Request, exc: ShotgraphError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=409)

    def media(path: Path | None) -> str | None:
        return f"/api/media?path={quote(str(path))}" if path is not None else None

    def shot_json(view: ShotView) -> dict[str, Any]:
        plan = view.plan
        fps = director.profile.output.fps
        return {
            "id": view.id, "scene": view.scene, "heading": view.heading, "status": view.status,
            "description": plan.description, "prompt": plan.prompt, "seed": view.seed, "size": plan.size.value,
            "angle": plan.angle.value, "move": plan.move.value, "characters": plan.characters,
            "min_duration": plan.min_duration, "seconds": view.frames / fps if view.frames else None,
            "lines": [{"id": line.id, "character": line.character, "text": line.text, "audio": media(line.audio)}
                      for line in view.lines],
            "keyframe": media(view.keyframe), "clip": media(view.segment), "failure": view.failure,
            "pending": view.pending.model_dump(mode="json", exclude_none=True) if view.pending else None,
            "made_by": view.made_by, "history": [h.model_dump(mode="json") for h in view.history],
        }

    def estimate_json(estimate: Estimate) -> dict[str, Any]:
        return {"recompute": estimate.recompute, "summary": str(estimate)}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> HTMLResponse:
        return HTMLResponse(_page_file("index.html"))

    @app.get("/page/{name}", include_in_schema=False)
    def page_file(name: str) -> Response:
        if name not in PAGE_FILES:
            return JSONResponse({"detail": f"name: no page file {name!r}"}, status_code=404)
        return Response(_page_file(name), media_type=PAGE_FILES[name])

    @app.get("/api/plan", summary="The plan: scenes, their shots and dialogue as written, and what was decided")
    def get_plan() -> dict[str, Any]:
        views = director.shots()
        scenes: dict[str, dict[str, Any]] = {}
        for view in views:
            scene = scenes.setdefault(view.scene, {"id": view.scene, "heading": view.heading, "shots": []})
            scene["shots"].append(shot_json(view))
        plan = director.plan()
        return {"title": plan.title, "approved": director.decisions.plan_approved, "scenes": list(scenes.values()),
                "characters": [{"id": c.id, "name": c.name} for c in plan.characters],
                "sizes": [s.value for s in ShotSize], "moves": [m.value for m in CameraMove],
                "notes": director.decision_notes(), "status": worker.status}

    @app.get("/api/shots", summary="Every shot as review shows it")
    def get_shots() -> list[dict[str, Any]]:
        return [shot_json(view) for view in director.shots()]

    @app.get("/api/shots/{shot_id}", summary="One shot")
    def get_shot(shot_id: str) -> dict[str, Any]:
        return shot_json(director.shot(shot_id))

    @app.post("/api/plan/approve", summary="Approve the plan; the run goes on to record and shoot")
    def approve_plan() -> dict[str, Any]:
        director.approve_plan()
        return {"approved": True, "estimate": estimate_json(director.estimate())}

    @app.post("/api/plan/edit", summary="Split or merge shots, or set who is in frame; refused if it breaks the plan")
    def edit_plan(body: PlanEditBody) -> dict[str, Any]:
        if body.op == "characters":
            if body.characters is None:
                return JSONResponse({"detail": "characters: required for op 'characters'"}, status_code=422)
            plan = director.edit_plan(characters=(body.shot, body.characters))
        elif body.op == "split":
            if body.after_line is None:
                return JSONResponse({"detail": "after_line: required for op 'split'"}, status_code=422)
            plan = director.edit_plan(split=body.shot, after_line=body.after_line)
        else:
            plan = director.edit_plan(merge=body.shot)
        return {"shots": [s.id for s in plan.shots], "estimate": estimate_json(director.estimate())}

    @app.post("/api/approve-all", summary="Approve the plan and every shot")
    def approve_all() -> dict[str, Any]:
        director.approve_all()
        return {"approved": True}

    @app.post("/api/shots/{shot_id}/approve", summary="Keep the shot as it is")
    def approve(shot_id: str) -> dict[str, Any]:
        director.approve(shot_id)
        return shot_json(director.shot(shot_id))

    @app.post("/api/shots/{shot_id}/lock", summary="Keep the shot's picture whatever changes, until unlocked")
    def lock(shot_id: str) -> dict[str, Any]:
        director.lock(shot_id)
        return shot_json(director.shot(shot_id))

    @app.post("/api/shots/{shot_id}/unlock", summary="Let the shot follow its inputs again")
    def unlock(shot_id: str) -> dict[str, Any]:
        director.unlock(shot_id)
        return shot_json(director.shot(shot_id))

    @app.post("/api/shots/{shot_id}/estimate", summary="What a reshoot would recompute, deciding nothing")
    def estimate(shot_id: str, body: ReshootBody) -> dict[str, Any]:
        return estimate_json(director.estimate(shot_id, **body.model_dump(exclude_none=True)))

    @app.post("/api/shots/{shot_id}/reshoot", summary="Decide a reshoot; returns what the next run recomputes")
    def reshoot(shot_id: str, body: ReshootBody) -> dict[str, Any]:
        estimate = director.reshoot(shot_id, **body.model_dump(exclude_none=True))
        return {"shot": shot_json(director.shot(shot_id)), "estimate": estimate_json(estimate)}

    @app.get("/api/estimate", summary="What the next run will recompute, by stage, from the store")
    def next_run() -> dict[str, Any]:
        return estimate_json(director.estimate())

    @app.post("/api/render", status_code=202, summary="Run to the next review point or the film")
    def render() -> dict[str, Any]:
        started = worker.start()
        return {"started": started, "queued": not started}

    @app.get("/api/status", summary="Whether a run is going, where it waits, the film once delivered")
    def status() -> dict[str, Any]:
        return {**worker.status, "film_url": media(Path(worker.status["film"])) if worker.status["film"] else None}

    @app.get("/api/events", summary="Progress as server-sent events (JSON: kind and fields)")
    def events() -> StreamingResponse:
        stream = hub.subscribe()

        def send() -> Any:
            try:
                yield "retry: 2000\n\n"
                yield f"data: {json.dumps({'kind': 'Status', **worker.status})}\n\n"
                while True:
                    try:
                        message = stream.get(timeout=10)
                    except queue.Empty:
                        yield ": still here\n\n"
                        continue
                    yield f"data: {json.dumps(message, default=str)}\n\n"
            finally:
                hub.unsubscribe(stream)

        return StreamingResponse(send(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})

    @app.get("/api/media", summary="A file of the project (keyframe, clip, line, film)")
    def get_media(path: str) -> Response:
        wanted = Path(path)
        full = wanted.resolve() if wanted.is_absolute() else (roots[0] / wanted).resolve()
        if not any(full.is_relative_to(root) for root in roots):
            return JSONResponse({"detail": f"path: {path} is outside the project"}, status_code=403)
        if not full.is_file():
            return JSONResponse({"detail": f"path: {path} is not a file here"}, status_code=404)
        return FileResponse(full)

    return app


def _project_roots(director: Director) -> list[Path]:
    crew = director.crew
    return list(dict.fromkeys([director.script.resolve().parent, crew.workdir.resolve(),
                               crew.outputs.film.parent.resolve()]))


def _page_file(name: str) -> str:
    return resources.files("shotgraph.review").joinpath("page", name).read_text(encoding="utf-8")


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on `host`:`port`, or on a free port when that one is taken."""
    try:
        return _listening(host, port)
    except OSError:
        return _listening(host, 0)


def _listening(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(64)
    except OSError:
        sock.close()
        raise
    return sock


def serve(director: Director, *, host: str = "127.0.0.1", port: int = 8765, open_browser: bool = True,
          announce: Any = print) -> None:
    """Serve the review page until Ctrl-C; the run starts at once and stops at the first review point."""
    import uvicorn

    app = create_app(director)
    sock = bind(host, port)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{sock.getsockname()[1]}/?token={app.state.token}"
    announce(f"review {director.script.name} at {url}")
    announce("decisions are kept in " + str(director.decisions_file) + "; Ctrl-C stops, and the same command "
             "continues where you left off")
    app.state.worker.start()
    if open_browser:
        threading.Timer(0.5, webbrowser.open, [url]).start()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=1))
    server.run(sockets=[sock])
    announce(f"stopped; `shotgraph review {director.script}` continues where you left off")
