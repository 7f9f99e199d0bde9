"""validate / check / load_plan / save_plan: every violation named, all reported at once."""

from __future__ import annotations

import json

import pytest
from plan_helpers import action, line, screenplay

from shotgraph.director.plan import SCHEMA_VERSION, FilmPlan, FoleyCue, Shot, ShotSize, TransitionKind
from shotgraph.director.rules.breakdown import plan_by_rules
from shotgraph.director.validate import check, load_plan, save_plan, validate
from shotgraph.errors import PlanError


@pytest.fixture(scope="module")
def script():
    return screenplay(
        ("INT. KITCHEN - NIGHT", [
            action("MARA (30s) stands at the sink. EDWARD (60s) watches her."),
            line("MARA", "You kept the letter for thirty years and never said a word about it to anyone."),
            line("EDWARD", "I meant to. Every single winter I meant to, and every winter I lost my nerve."),
            line("MARA", "That is not an answer, and you know it is not."),
        ]),
        ("EXT. HARBOUR - DAY", [
            action("Gulls wheel over the water."),
            line("EDWARD", "She left on the morning ferry."),
        ]),
    )


def _shot(shot_id: str, scene: str, dialogue: list[str], **extra) -> Shot:
    return Shot(id=shot_id, scene=scene, size=ShotSize.MEDIUM, prompt="p", dialogue=dialogue, min_duration=2.0,
                seed=1, **extra)


def _plan(script, shots: list[Shot], **extra) -> FilmPlan:
    base = plan_by_rules(script)
    return base.model_copy(update={"shots": shots, **extra})


def test_rule_plan_is_valid(script):
    assert validate(plan_by_rules(script), script) == []


def test_missing_line(script):
    plan = _plan(script, [_shot("sc001-sh01", "sc001", ["sc001-e002", "sc001-e003"]),
                          _shot("sc002-sh01", "sc002", ["sc002-e002"])])
    assert validate(plan, script) == ["dialogue 'sc001-e004' (MARA, line 9) is not covered by any shot"]


def test_duplicate_line(script):
    plan = _plan(script, [_shot("sc001-sh01", "sc001", ["sc001-e002", "sc001-e003"]),
                          _shot("sc001-sh02", "sc001", ["sc001-e003", "sc001-e004"]),
                          _shot("sc002-sh01", "sc002", ["sc002-e002"])])
    assert validate(plan, script) == [
        "shot 'sc001-sh02': dialogue 'sc001-e003' is already covered by shot 'sc001-sh01'"
    ]


def test_unknown_line(script):
    plan = _plan(script, [_shot("sc001-sh01", "sc001", ["sc001-e002", "sc001-e003", "sc001-e004", "sc001-e001"]),
                          _shot("sc002-sh01", "sc002", ["sc002-e002", "sc009-e001"])])
    assert validate(plan, script) == [
        "shot 'sc001-sh01': dialogue 'sc001-e001' is not a dialogue line of the screenplay",
        "shot 'sc002-sh01': dialogue 'sc009-e001' is not a dialogue line of the screenplay",
    ]


def test_wrong_scene(script):
    plan = _plan(script, [_shot("sc001-sh01", "sc001", ["sc001-e002", "sc001-e003", "sc001-e004", "sc002-e002"])])
    assert validate(plan, script) == [
        "shot 'sc001-sh01': dialogue 'sc002-e002' belongs to scene 'sc002', not to the shot's scene 'sc001'"
    ]


def test_out_of_order(script):
    plan = _plan(script, [_shot("sc001-sh01", "sc001", ["sc001-e003"]),
                          _shot("sc001-sh02", "sc001", ["sc001-e002", "sc001-e004"]),
                          _shot("sc002-sh01", "sc002", ["sc002-e002"])])
    assert validate(plan, script) == [
        "shot 'sc001-sh02': dialogue 'sc001-e002' is out of order: it comes before 'sc001-e003' "
        "(shot 'sc001-sh01') in the screenplay"
    ]


def test_ids_and_references(script):
    base = plan_by_rules(script)
    shots = [_shot("sc001-sh01", "sc001", ["sc001-e002", "sc001-e003", "sc001-e004"], characters=["nobody"]),
             _shot("sc001-sh01", "sc001", []),
             _shot("shot-7", "sc002", ["sc002-e002"]),
             _shot("sc001-sh09", "sc002", []),
             _shot("sc003-sh01", "sc003", [])]
    scenes = base.scenes + [base.scenes[0].model_copy(update={"id": "sc003"}), base.scenes[1]]
    characters = base.characters + [base.characters[0]]
    plan = base.model_copy(update={"shots": shots, "scenes": scenes, "characters": characters,
                                   "schema_version": SCHEMA_VERSION + 1})
    assert validate(plan, script) == [
        f"schema_version is {SCHEMA_VERSION + 1}, expected {SCHEMA_VERSION}",
        f"character id '{base.characters[0].id}' is used 2 times",
        "scene id 'sc002' is used 2 times",
        "shot id 'sc001-sh01' is used 2 times",
        "scene 'sc003' is not a scene of the screenplay",
        "shot 'sc001-sh01': character 'nobody' is not in the plan's characters",
        "shot 'shot-7': id does not match 'scNNN-shNN'",
        "shot 'sc001-sh09': id does not start with its scene 'sc002'",
    ]


def test_unplanned_scene_and_nonpositive_duration(script):
    base = plan_by_rules(script)
    bad = base.shots[-1].model_copy(update={"min_duration": 0.0})  # model_copy skips field validation
    plan = base.model_copy(update={"scenes": base.scenes[:1], "shots": base.shots[:-1] + [bad]})
    problems = validate(plan, script)
    assert f"shot '{bad.id}': scene 'sc002' is not in the plan's scenes" in problems
    assert f"shot '{bad.id}': min_duration must be a positive number of seconds, got 0.0" in problems


@pytest.mark.parametrize("value", [float("inf"), float("nan")])
def test_non_finite_duration_is_refused(script, value):
    base = plan_by_rules(script)
    bad = base.shots[0].model_copy(update={"min_duration": value})
    problems = validate(base.model_copy(update={"shots": [bad, *base.shots[1:]]}), script)
    assert problems == [f"shot '{bad.id}': min_duration must be a positive number of seconds, got {value}"]


def test_foley_cue_outside_its_shot_is_refused(script):
    base = plan_by_rules(script)
    shot = base.shots[0]
    cues = [FoleyCue(what="door slams", at=shot.min_duration), FoleyCue(what="gunshot", at=shot.min_duration + 0.5)]
    bad = shot.model_copy(update={"foley": cues})
    assert validate(base.model_copy(update={"shots": [bad, *base.shots[1:]]}), script) == [
        f"shot '{shot.id}': foley[1] ('gunshot') at {shot.min_duration + 0.5} s is outside the shot "
        f"(0 to its min_duration {shot.min_duration} s)"
    ]


def test_check_raises_every_violation_at_once(script):
    plan = _plan(script, [_shot("sc001-sh01", "sc001", ["sc001-e003", "sc001-e002", "sc001-e003"])])
    with pytest.raises(PlanError) as info:
        check(plan, script, source="edited.json")
    assert info.value.source == "edited.json"
    assert len(info.value.violations) == 4  # out of order, duplicate, two missing
    assert str(info.value).startswith("edited.json: 4 problem(s) in the film plan:")


def test_save_and_load_round_trip(script, tmp_path):
    plan = plan_by_rules(script)
    path = save_plan(plan, tmp_path / "out" / "plan.json")
    assert load_plan(path, script) == plan
    assert [p.name for p in path.parent.iterdir()] == ["plan.json"]  # no temp file left behind


@pytest.mark.parametrize("edit, expected", [
    ("drop", "is not covered by any shot"),
    ("duplicate", "is already covered by shot"),
    ("reorder", "is out of order"),
])
def test_hand_edited_plan_is_rejected_on_load(script, tmp_path, edit, expected):
    data = json.loads(plan_by_rules(script).model_dump_json())
    with_lines = [s for s in data["shots"] if s["dialogue"]]
    first, second = with_lines[0], with_lines[1]
    if edit == "drop":
        first["dialogue"] = first["dialogue"][1:] if len(first["dialogue"]) > 1 else []
    elif edit == "duplicate":
        second["dialogue"] = first["dialogue"][:1] + second["dialogue"]
    else:
        first["dialogue"], second["dialogue"] = second["dialogue"], first["dialogue"]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data))
    with pytest.raises(PlanError) as info:
        load_plan(path, script)
    assert info.value.source == str(path)
    assert any(expected in v for v in info.value.violations)


def test_load_names_file_and_field(script, tmp_path):
    path = tmp_path / "plan.json"
    path.write_text('{"title": "x",')
    with pytest.raises(PlanError, match=r"(?s)plan\.json: 1 problem.*not valid JSON at line 1, column 15"):
        load_plan(path, script)
    data = json.loads(plan_by_rules(script).model_dump_json())
    data["shots"][0]["size"] = "gigantic"
    del data["style"]
    path.write_text(json.dumps(data))
    with pytest.raises(PlanError) as info:
        load_plan(path, script)
    assert info.value.violations[0] == "field 'style': Field required"
    shot = data["shots"][0]["id"]
    assert info.value.violations[1].startswith(f"shot '{shot}': field 'size': Input should be 'extreme wide'")
    with pytest.raises(PlanError, match="cannot read the plan"):
        load_plan(tmp_path / "missing.json", script)


def test_a_speaker_without_a_character_entry_is_refused(script):
    plan = plan_by_rules(script)
    renamed = [c.model_copy(update={"name": "Mara"}) if c.name == "MARA" else c for c in plan.characters]
    assert validate(plan.model_copy(update={"characters": renamed}), script) == [
        "character 'MARA' speaks in the screenplay but has no entry in the plan's characters"]


def test_shots_run_scene_by_scene_in_screenplay_order(script):
    plan = plan_by_rules(script)
    first, second = [s for s in plan.shots if s.scene == "sc001"], [s for s in plan.shots if s.scene == "sc002"]
    interleaved = [first[0], second[0], *first[1:], *second[1:]]
    problems = validate(plan.model_copy(update={"shots": interleaved}), script)
    assert f"shot '{first[1].id}': scene 'sc001' resumes after other scenes; keep its shots together" in problems
    swapped = validate(plan.model_copy(update={"shots": [*second, *first]}), script)
    assert f"shot '{first[0].id}': scene 'sc001' comes before 'sc002' in the screenplay" in swapped


def test_a_scene_of_more_than_99_shots_is_valid():
    beats = [action(f"The clock strikes {i} and the hall falls silent again.") for i in range(110)]
    long_scene = screenplay(("INT. HALL - DAY", beats))
    plan = plan_by_rules(long_scene)
    assert len(plan.shots) >= 100 and validate(plan, long_scene) == []


@pytest.mark.parametrize("written, message", [
    ("Infinity", "field 'min_duration': Input should be a finite number"),
    ("NaN", "field 'min_duration': Input should be a finite number"),
    ("-1", "field 'min_duration': Input should be greater than 0"),
])
def test_load_refuses_impossible_durations_naming_the_shot(script, tmp_path, written, message):
    data = json.loads(plan_by_rules(script).model_dump_json())
    shot = data["shots"][1]
    shot["min_duration"] = "@"
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data).replace('"@"', written))  # as a hand edit (or json.dumps) writes them
    with pytest.raises(PlanError) as info:
        load_plan(path, script)
    assert info.value.violations == [f"shot '{shot['id']}': {message}"]


def test_load_reports_field_errors_and_plan_errors_together(script, tmp_path):
    data = json.loads(plan_by_rules(script).model_dump_json())
    speaking = [s for s in data["shots"] if s["dialogue"]]
    speaking[0]["size"] = "gigantic"
    speaking[0]["min_duration"] = float("nan")
    speaking[1]["dialogue"] = []  # a line dropped as well
    speaking[1]["foley"] = [{"what": "thunder", "at": 999}]
    data["scenes"][0]["music"]["tempo_bpm"] = "fast"
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data))
    with pytest.raises(PlanError) as info:
        load_plan(path, script)
    problems = info.value.violations
    assert problems[:3] == [
        "scene 'sc001': field 'music.tempo_bpm': Input should be a valid integer, unable to parse string as an integer",
        f"shot '{speaking[0]['id']}': field 'size': Input should be 'extreme wide', 'wide', 'medium', "
        "'medium close-up', 'close-up', 'extreme close-up', 'over-the-shoulder', 'two-shot', 'pov' or 'insert'",
        f"shot '{speaking[0]['id']}': field 'min_duration': Input should be a finite number",
    ]
    late = f"shot '{speaking[1]['id']}': foley[0] ('thunder') at 999.0 s is outside"
    assert any(p.startswith(late) for p in problems)
    assert any("is not covered by any shot" in p for p in problems)


def test_ending_is_a_cut_or_a_fade_out(script, tmp_path):
    plan = plan_by_rules(script)
    assert plan.ending is TransitionKind.CUT
    faded = plan.model_copy(update={"ending": TransitionKind.FADE_OUT})
    assert load_plan(save_plan(faded, tmp_path / "plan.json"), script).ending is TransitionKind.FADE_OUT
    assert validate(plan.model_copy(update={"ending": TransitionKind.DISSOLVE}), script) == [
        "ending is 'dissolve'; a film ends on a 'cut' or a 'fade out'"]
