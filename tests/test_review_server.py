"""The review page's REST API through FastAPI's test client: tokens, confined paths, refused edits, a review."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shotgraph.production.director import Director
from shotgraph.review.server import bind, create_app
from test_make import SCRIPT, small_profile

TOKEN = "test-token-123"


@pytest.fixture
def app(tmp_path: Path):
    script = tmp_path / "kettle.fountain"
    script.write_text(SCRIPT, encoding="utf-8")
    director = Director(script, profile=small_profile(tmp_path), workdir=tmp_path / "work", review=True)
    return create_app(director, TOKEN)


@pytest.fixture
def client(app) -> TestClient:
    client = TestClient(app)
    client.headers["x-shotgraph-token"] = TOKEN
    return client


def finish(app) -> dict:
    app.state.worker.wait(300)
    return app.state.worker.status


def test_every_request_needs_the_token_and_the_url_token_becomes_a_cookie(app) -> None:
    anonymous = TestClient(app)
    for path in ("/", "/api/plan", "/openapi.json", "/page/review.js", "/api/media?path=kettle.fountain"):
        refused = anonymous.get(path)
        assert refused.status_code == 401 and refused.json()["detail"].startswith("token: missing"), path
    wrong = anonymous.get("/api/plan", headers={"x-shotgraph-token": "guess"})
    assert wrong.status_code == 403 and wrong.json() == {"detail": "token: wrong token for this review session"}
    assert anonymous.post("/api/render", params={"token": "guess"}).status_code == 403

    page = anonymous.get("/", params={"token": TOKEN})
    assert page.status_code == 200 and "<script src=\"/page/review.js\">" in page.text
    assert "http" not in page.text.replace("http-equiv", "")  # no asset from outside: the page works offline
    assert anonymous.get("/page/review.css").status_code == 200  # the cookie carries the token from here on
    assert "http://" not in anonymous.get("/page/review.js").text and "https://" not in anonymous.get(
        "/page/review.js").text


def test_the_api_is_documented_by_its_openapi_schema(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for path in ("/api/plan", "/api/shots/{shot_id}", "/api/shots/{shot_id}/reshoot", "/api/shots/{shot_id}/lock",
                 "/api/plan/edit", "/api/render", "/api/events", "/api/media"):
        assert path in paths, path
    assert paths["/api/shots/{shot_id}/reshoot"]["post"]["summary"].startswith("Decide a reshoot")


def test_the_plan_lists_each_scenes_shots_with_their_dialogue_as_written(client: TestClient) -> None:
    plan = client.get("/api/plan").json()
    assert plan["title"] == "The Kettle" and plan["approved"] is False
    assert [s["heading"] for s in plan["scenes"]] == ["INT. KITCHEN - NIGHT", "EXT. GARDEN - DAY"]
    lines = [(line["character"], line["text"]) for scene in plan["scenes"] for shot in scene["shots"]
             for line in shot["lines"]]
    assert lines == [("ANNA", "Is it raining out there?"), ("BEN", "Cats and dogs!"),
                     ("ANNA", "Then you're not going anywhere."), ("BEN", "Fine. I'll stay for one cup."),
                     ("ANNA", "Only one.")]
    assert {shot["status"] for scene in plan["scenes"] for shot in scene["shots"]} == {"planned"}


def test_paths_are_confined_to_the_project(client: TestClient, tmp_path: Path) -> None:
    secret = tmp_path.parent / f"{tmp_path.name}-secret.txt"
    secret.write_text("not yours", encoding="utf-8")
    (tmp_path / "link.txt").symlink_to(secret)
    for path in (f"../{secret.name}", str(secret), "/etc/passwd", "link.txt", "work/../../" + secret.name):
        refused = client.get("/api/media", params={"path": path})
        assert refused.status_code == 403, path
        assert refused.json()["detail"] == f"path: {path} is outside the project"
    assert client.get("/api/media", params={"path": "work"}).status_code == 404  # a folder is not a file
    assert client.get("/api/media", params={"path": "kettle.fountain"}).text == SCRIPT
    assert client.get("/page/..%2F..%2Fserver.py").status_code == 404


def test_bad_requests_get_4xx_naming_the_field(client: TestClient, tmp_path: Path) -> None:
    decisions = tmp_path / "work" / "decisions.json"
    invalid = client.post("/api/plan/edit", json={"op": "characters", "shot": "sc001-sh02",
                                                  "characters": ["anna", "nobody"]})
    assert invalid.status_code == 422 and "nobody" in invalid.json()["detail"]
    assert not decisions.exists()  # nothing refused is kept

    missing = client.post("/api/plan/edit", json={"shot": "sc001-sh02"})
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["body", "op"]
    split = client.post("/api/plan/edit", json={"op": "split", "shot": "sc001-sh03"})
    assert split.status_code == 422 and split.json()["detail"] == "after_line: required for op 'split'"
    negative = client.post("/api/shots/sc001-sh02/reshoot", json={"seed": -1})
    assert negative.status_code == 422 and negative.json()["detail"][0]["loc"] == ["body", "seed"]
    unknown_field = client.post("/api/shots/sc001-sh02/reshoot", json={"colour": "blue"})
    assert unknown_field.status_code == 422 and unknown_field.json()["detail"][0]["loc"] == ["body", "colour"]
    bad_size = client.post("/api/shots/sc001-sh02/reshoot", json={"size": "enormous"})
    assert bad_size.status_code == 422 and bad_size.json()["detail"][0]["loc"] == ["body", "size"]
    unknown = client.post("/api/shots/sc009-sh01/approve")
    assert unknown.status_code == 404 and unknown.json()["detail"].startswith("no shot 'sc009-sh01' in the plan")
    not_rendered = client.post("/api/shots/sc001-sh02/lock")
    assert not_rendered.status_code == 409
    assert not_rendered.json()["detail"] == "shot sc001-sh02 has no rendered picture to lock; render it first"


def test_a_review_through_the_api_from_plan_to_film(app, client: TestClient, tmp_path: Path) -> None:
    assert client.post("/api/render").json() == {"started": True, "queued": False}
    assert finish(app)["waiting"] == "plan"
    client.post("/api/plan/approve")
    client.post("/api/render")
    status = finish(app)
    assert status["waiting"] == "shots" and len(status["pending"]) == 9 and status["film"] is None

    shot = client.get("/api/shots/sc002-sh02").json()
    assert shot["status"] == "rendered" and shot["keyframe"].startswith("/api/media?path=")
    assert client.get(shot["keyframe"]).headers["content-type"] == "image/png"
    assert client.get(shot["clip"]).content[4:8] == b"ftyp"  # an MP4 the page can play
    guess = client.post("/api/shots/sc002-sh02/estimate", json={"prompt": "a wet garden gate at dawn"}).json()
    # what the reshoot adds: the score, mix and cut are still to come in any case at this review point
    assert guess == {"recompute": {"keyframe": 1, "video": 1, "upscale": 1},
                     "summary": "recomputes keyframe 1, video 1, upscale 1"}
    reshot = client.post("/api/shots/sc002-sh02/reshoot", json={}).json()
    assert reshot["shot"]["status"] == "planned" and "seed" in reshot["shot"]["pending"]
    next_run = reshot["estimate"]["recompute"]  # the whole next run, from this review point
    assert (next_run["keyframe"], next_run["video"], next_run["upscale"], next_run["music"]) == (1, 1, 1, 2)
    client.post("/api/render")
    assert finish(app)["waiting"] == "shots"
    assert client.get("/api/shots/sc002-sh02").json()["keyframe"] != shot["keyframe"]

    locked = client.post("/api/shots/sc001-sh01/lock").json()
    assert locked["status"] == "locked"
    client.post("/api/approve-all")
    client.post("/api/render")
    status = finish(app)
    assert status["waiting"] is None and status["error"] is None
    film = client.get("/api/status").json()["film_url"]
    assert client.get(film).content[4:8] == b"ftyp"
    assert os.path.getsize(tmp_path / "kettle.mp4") > 10_000


def test_a_port_already_taken_is_served_on_a_free_one_instead() -> None:
    taken = bind("127.0.0.1", 0)
    try:
        port = taken.getsockname()[1]
        other = bind("127.0.0.1", port)
        assert other.getsockname()[1] not in (0, port)
        other.close()
    finally:
        taken.close()
