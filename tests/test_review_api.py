"""The Python director API's review: reshoot, approve, lock, plan edits and review points, on the draft crew."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import opentimelineio as otio
import pytest
from typer.testing import CliRunner

from shotgraph.cli import app
from shotgraph.errors import PlanError, ShotgraphError
from shotgraph.production.director import Director
from shotgraph.production.events import FilmDelivered, ItemDone, ReviewWaiting, StageStarted
from shotgraph.store import ArtifactStore
from test_make import SCRIPT, kill_once_stored, long_script, small_profile, stored

PICTURE = ("keyframe", "video", "upscale")


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "kettle.fountain"
    path.write_text(SCRIPT, encoding="utf-8")
    return path


def director(script: Path, tmp_path: Path, **kwargs) -> Director:
    return Director(script, profile=small_profile(tmp_path), workdir=tmp_path / "work", **kwargs)


def otio_shots(path: str) -> list[str]:
    timeline = otio.adapters.read_from_file(path)
    return [c.metadata["shotgraph"]["shot_id"] for c in timeline.video_tracks()[0].find_clips()
            if c.metadata.get("shotgraph", {}).get("shot_id")]


def test_a_reshoot_with_a_new_seed_recomputes_that_shots_picture_and_the_cut_only(script: Path,
                                                                                   tmp_path: Path) -> None:
    first = director(script, tmp_path).render()
    before = {v.id: v for v in director(script, tmp_path).shots()}
    assert {v.status for v in before.values()} == {"rendered"}

    d = director(script, tmp_path)
    assert str(d.estimate("sc002-sh02", seed=4242)) == "recomputes keyframe 1, video 1, upscale 1, cut 1"
    promised = d.reshoot("sc002-sh02", seed=4242)
    assert promised.recompute == {"keyframe": 1, "video": 1, "upscale": 1, "cut": 1}
    assert d.shot("sc002-sh02").status == "planned" and d.shot("sc002-sh02").pending.seed == 4242

    report = director(script, tmp_path).make()
    assert {stage: report.computed.get(stage, 0) for stage in PICTURE} == {"keyframe": 1, "video": 1, "upscale": 1}
    assert set(report.computed) == {"keyframe", "video", "upscale", "film", "otio"}  # the mix is reused whole
    assert report.reused["keyframe"] == 8 and report.reused["mix"] == 4 and report.reused["dialogue"] == 5
    after = {v.id: v for v in director(script, tmp_path).shots()}
    assert after["sc002-sh02"].seed == 4242 and after["sc002-sh02"].keyframe != before["sc002-sh02"].keyframe
    assert all(after[i].keyframe == before[i].keyframe for i in before if i != "sc002-sh02")
    assert after["sc002-sh02"].history[-1].action == "reshoot"
    assert report.seconds == first.report.seconds  # a new seed is a new take, not a new length
    assert str(director(script, tmp_path).estimate()) == "nothing to recompute: every artifact is in the store"


def test_a_locked_shot_keeps_its_clip_when_its_line_is_edited_and_the_report_says_so(script: Path,
                                                                                      tmp_path: Path) -> None:
    director(script, tmp_path).make()
    d = director(script, tmp_path)
    locked = d.shot("sc001-sh03")
    assert [line.text for line in locked.lines] == ["Is it raining out there?"]
    d.lock("sc001-sh03")
    assert d.shot("sc001-sh03").status == "locked"

    script.write_text(SCRIPT.replace("Is it raining out there?",
                                     "Is it raining out there, or is that the neighbours' sprinkler again?"))
    report = director(script, tmp_path).make()
    assert report.computed.get("dialogue") == 1
    assert report.computed.get("keyframe", 0) == 0 and report.computed.get("video", 0) == 0
    held = [n for n in report.notes if n.startswith("locked sc001-sh03")]
    assert len(held) == 1 and "the stored clip was used, not made again" in held[0]
    assert "its last frame held" in held[0]  # the longer line lengthened the shot; the picture is the locked one
    view = director(script, tmp_path).shot("sc001-sh03")
    assert (view.keyframe, view.clip) == (locked.keyframe, locked.clip)
    assert [line.text for line in view.lines][0].startswith("Is it raining out there, or")

    with pytest.raises(ShotgraphError, match="sc001-sh03 is locked; unlock it before reshooting it"):
        director(script, tmp_path).reshoot("sc001-sh03", seed=1)
    # gc keeps what a lock keeps, even though no film names the old segment
    assert CliRunner().invoke(app, ["cache", "gc", str(tmp_path / "work")]).exit_code == 0
    assert director(script, tmp_path).shot("sc001-sh03").clip == locked.clip


def test_decisions_follow_their_shots_when_a_scene_is_inserted_before_them(script: Path, tmp_path: Path) -> None:
    director(script, tmp_path).make()
    d = director(script, tmp_path)
    d.reshoot("sc002-sh02", seed=77)
    d.lock("sc001-sh04")
    d.approve("sc002-sh04")

    opening = "INT. HALLWAY - NIGHT\n\nA COAT drips on its hook.\n\n"
    script.write_text(SCRIPT.replace("INT. KITCHEN - NIGHT", opening + "INT. KITCHEN - NIGHT"))
    views = {v.id: v for v in director(script, tmp_path).shots()}
    assert views["sc003-sh02"].seed == 77 and views["sc003-sh02"].plan.description.startswith("BEN (50s)")
    assert views["sc002-sh04"].status == "locked" and views["sc002-sh04"].lines[0].text == "Cats and dogs!"
    assert views["sc003-sh04"].history[-1].action == "approve"
    decided = {"sc003-sh02", "sc002-sh04", "sc003-sh04"}
    assert all(not v.history for i, v in views.items() if i not in decided)  # no decision moved to a neighbour

    report = director(script, tmp_path).make()
    assert any(n.startswith("locked sc002-sh04: the stored clip was used") for n in report.notes)
    after = {v.id: v for v in director(script, tmp_path).shots()}
    assert after["sc002-sh04"].clip == views["sc002-sh04"].clip and after["sc003-sh02"].status == "rendered"


def test_a_decision_whose_shot_is_gone_is_orphaned_and_applied_to_no_neighbour(script: Path, tmp_path: Path) -> None:
    director(script, tmp_path).make()
    director(script, tmp_path).reshoot("sc001-sh04", seed=9)  # ANNA listens; BEN (O.S.) is heard: "Cats and dogs!"
    shortened = SCRIPT.replace("BEN (O.S.)\n(shouting)\nCats and dogs!\n\n", "")
    script.write_text(shortened)
    report = director(script, tmp_path).make()
    orphan = [n for n in report.notes if "matches no shot now" in n]
    assert orphan == ["decisions: the decision about sc001-sh04 (INT. KITCHEN - NIGHT, shot 4: 'ANNA listens; "
                      "BEN (O.S.) is heard') matches no shot now; it is kept in the file and applied to none"]
    views = director(script, tmp_path).shots()
    assert [v.seed for v in views] == [v.plan.seed for v in views]  # no neighbour took the new seed
    assert json.loads((tmp_path / "work" / "decisions.json").read_text())["shots"][0]["reshoot"] == {"seed": 9}


def test_a_reviewing_run_stops_for_the_plan_then_the_shots_and_resumes_in_a_new_process(script: Path,
                                                                                        tmp_path: Path) -> None:
    seen: list = []
    first = director(script, tmp_path, review=True, on_event=seen.append).make()
    assert first.waiting == "plan" and first.pending == ["plan"] and first.outputs == {}
    assert "dialogue" not in first.computed  # nothing is recorded before the plan is approved
    assert seen[-1] == ReviewWaiting("plan", ["plan"])

    director(script, tmp_path, review=True).approve_plan()
    second = director(script, tmp_path, review=True).make()  # a new Director, as after quitting
    assert second.resumed and second.waiting == "shots" and len(second.pending) == 9
    assert second.computed["keyframe"] == 9 and "mix" not in second.computed

    d = director(script, tmp_path, review=True)
    d.approve_all()
    d.unlock("sc001-sh01")  # unlocking a shot that was never locked changes nothing but its history
    report = director(script, tmp_path, review=True).make()
    assert report.waiting is None and Path(report.outputs["film"]).is_file()
    assert report.computed.get("keyframe", 0) == 0  # the run went on from the review point
    assert "mix" in report.computed


def test_progress_events_reach_a_callback_and_an_iterator_alike(script: Path, tmp_path: Path) -> None:
    called: list = []
    d = director(script, tmp_path, on_event=called.append)
    streamed = list(d.events())
    assert streamed == called
    assert isinstance(streamed[-1], FilmDelivered) and streamed[-1].outputs == d.last_report.outputs
    started = [e for e in streamed if isinstance(e, StageStarted)]
    assert [e.stage for e in started] == ["record", "cast", "keyframe", "video", "upscale", "score", "mix", "cut"]
    keyframes = [e for e in streamed if isinstance(e, ItemDone) and e.stage == "keyframe"]
    assert [e.done for e in keyframes] == list(range(1, 10)) and {e.total for e in keyframes} == {9}


def test_plan_edits_merge_and_set_characters_and_an_invalid_edit_is_refused(script: Path, tmp_path: Path) -> None:
    d = director(script, tmp_path)
    merged = d.edit_plan(merge="sc001-sh04")
    assert [s.id for s in merged.shots if s.scene == "sc001"] == [f"sc001-sh0{i}" for i in range(1, 5)]
    assert len(merged.shots[3].dialogue) == 2  # "Cats and dogs!" and "Then you're not going anywhere."
    decisions = (tmp_path / "work" / "decisions.json").read_text()

    with pytest.raises(PlanError) as refused:
        d.edit_plan(characters=("sc001-sh02", ["anna", "nobody"]))
    assert "nobody" in str(refused.value)
    with pytest.raises(PlanError, match="sc002-sh04: it is the last shot of scene sc002"):
        d.edit_plan(merge="sc002-sh04")
    with pytest.raises(ShotgraphError, match="no shot 'sc009-sh01' in the plan"):
        d.edit_plan(merge="sc009-sh01")
    assert (tmp_path / "work" / "decisions.json").read_text() == decisions  # nothing refused was kept

    d.edit_plan(characters=("sc001-sh02", ["anna", "ben"]))
    report = director(script, tmp_path).make()
    assert len(otio_shots(report.outputs["otio"])) == 8
    plan = json.loads(Path(report.outputs["plan"]).read_text())
    assert plan["shots"][1]["characters"] == ["anna", "ben"]


def test_cli_make_replays_a_decisions_file_and_stops_where_it_leaves_shots_unapproved(script: Path,
                                                                                     tmp_path: Path) -> None:
    decisions = tmp_path / "decisions.json"
    decisions.write_text('{"version": 1, "plan_approved": true}\n')
    args = ["make", str(script), "--workdir", str(tmp_path / "work"), "--resolution", "320x180", "--fps", "12",
            "--decisions", str(decisions)]
    waiting = CliRunner().invoke(app, args)
    assert waiting.exit_code == 3, waiting.output
    assert "waiting for review of the shots: 9 shots neither approved nor locked (sc001-sh01" in waiting.output
    assert not script.with_suffix(".mp4").exists()

    done = CliRunner().invoke(app, [*args, "--approve-all"])
    assert done.exit_code == 0, done.output
    assert script.with_suffix(".mp4").is_file()
    assert all(shot["approved"] for shot in json.loads(decisions.read_text())["shots"])

    bad = CliRunner().invoke(app, ["make", str(script), "--decisions", str(tmp_path / "none.json")])
    assert bad.exit_code == 1 and f"{tmp_path / 'none.json'}: no such decisions file" in bad.output


def test_decisions_survive_a_kill_in_the_middle_of_a_reshoot(script: Path, tmp_path: Path) -> None:
    long_script_path = long_script(script, 4)
    workdir = tmp_path / "work"
    command = [sys.executable, "-m", "shotgraph", "make", str(long_script_path), "--workdir", str(workdir),
               "--resolution", "640x360"]
    assert subprocess.run(command, capture_output=True, timeout=300).returncode == 0
    d = Director(long_script_path, profile=small_profile(tmp_path).model_copy(update={
        "output": small_profile(tmp_path).output.model_copy(update={"width": 640, "height": 360, "fps": 24,
                                                                     "title_card_seconds": 3.0})}),
        workdir=workdir)
    shots = [v.id for v in d.shots()]
    for n, shot_id in enumerate(shots):
        d.reshoot(shot_id, seed=1000 + n)
    decisions = (workdir / "decisions.json").read_text()
    index = workdir / "store" / "index.sqlite"
    kill_once_stored(command, index, "video", stored(index, "video") + 3)  # a few of the new takes in
    assert (workdir / "decisions.json").read_text() == decisions

    resumed = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert "resumed an interrupted run" in resumed.stdout
    assert max(ArtifactStore(workdir / "store").computations().values()) == 1
    views = d.shots()
    assert [v.seed for v in views] == [1000 + n for n in range(len(shots))]
    assert {v.status for v in views} == {"rendered"}


def test_the_api_example_runs_offline_as_the_readme_shows(script: Path, tmp_path: Path) -> None:
    example = Path(__file__).parent.parent / "examples" / "api.py"
    done = subprocess.run([sys.executable, str(example), str(script)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "The Kettle: 2 scenes, 9 shots, about 0.4 minutes"
    assert "sc001-sh03 (rendered): medium close-up, ANNA: 'Is it raining out there?'" in lines
    assert "reshoot sc001-sh03: recomputes keyframe 1, video 1, upscale 1, cut 1" in lines
    assert any(line.endswith("made {'keyframe': 1, 'video': 1, 'upscale': 1, 'film': 1, 'otio': 1}") for line in lines)
    assert "  note: locked sc001-sh01: the stored clip was used, not made again" in lines
    assert script.with_suffix(".api.mp4").is_file()
    assert not (tmp_path / ".shotgraph" / "decisions.json").exists()  # make's decisions are not the example's


def test_every_public_name_and_director_method_says_what_it_does() -> None:
    import inspect
    import typing

    import shotgraph

    undocumented = [name for name in shotgraph.__all__
                    if typing.get_origin(getattr(shotgraph, name)) is None  # Event is a Union of the event types
                    and not (getattr(shotgraph, name).__doc__ or "").strip()]
    undocumented += [f"Director.{name}" for name, method in inspect.getmembers(Director, inspect.isfunction)
                     if not name.startswith("_") and not (method.__doc__ or "").strip()]
    assert undocumented == []


def test_a_damaged_decisions_file_is_one_line_naming_it_and_what_is_wrong(script: Path, tmp_path: Path) -> None:
    decisions = tmp_path / "decisions.json"
    decisions.write_text('{"version": 1, "shots": [{"shot_id": "sc001-sh01"}]}', encoding="utf-8")
    done = CliRunner().invoke(app, ["make", str(script), "--workdir", str(tmp_path / "work"),
                                    "--decisions", str(decisions)])
    assert done.exit_code == 1
    assert done.output.strip() == (f"error: {decisions}: not a shotgraph decisions file (shots.0.shot: Field "
                                   "required)")
