"""The rule-based director on synthetic edge cases and on the example screenplays."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest
from plan_helpers import action, line, screenplay, transition

from shotgraph.director.plan import CameraMove, ShotSize, TransitionKind
from shotgraph.director.rules import (
    ESTABLISHING_SECONDS,
    MIN_SHOT_SECONDS,
    PAUSE_PER_LINE,
    PAUSE_PER_PARENTHETICAL,
    SPEAKING_WORDS_PER_SECOND,
    plan_by_rules,
)
from shotgraph.director.validate import validate

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _planned(sp):
    plan = plan_by_rules(sp)
    assert validate(plan, sp) == []
    return plan


def test_scene_of_only_dialogue_without_heading():
    sp = screenplay((None, [line("ANNA", "Are you awake?"), line("BEN", "No."), line("ANNA", "Liar."),
                            line("BEN", "I was dreaming about the sea again, the grey one, with the ferry on it.")]))
    plan = _planned(sp)
    assert [d for s in plan.shots for d in s.dialogue] == [d.id for d in sp.dialogue()]
    assert plan.shots[0].size is ShotSize.TWO_SHOT  # the short back-and-forth shares one shot
    assert plan.shots[0].dialogue == ["sc000-e001", "sc000-e002", "sc000-e003"]
    assert plan.shots[1].size is ShotSize.OVER_THE_SHOULDER and plan.shots[1].characters == ["ben", "anna"]
    assert all(s.size is not ShotSize.EXTREME_WIDE for s in plan.shots)  # no heading, no establishing shot


def test_scene_of_only_action():
    sp = screenplay(("EXT. DESERT HIGHWAY - DAY", [action("Heat shimmers over the empty road."),
                                                   action("A truck thunders past and is gone.")]))
    plan = _planned(sp)
    establishing, *rest = plan.shots
    assert establishing.size is ShotSize.EXTREME_WIDE and establishing.min_duration == ESTABLISHING_SECONDS
    assert len(rest) == 2 and all(not s.dialogue and not s.characters for s in rest)
    assert plan.scenes[0].time_of_day == "day" and "traffic" in plan.scenes[0].ambience


def test_three_page_monologue_is_one_long_shot():
    speech = " ".join(["I remember the night the lights went out across the whole harbour and nobody came."] * 30)
    sp = screenplay(("INT. CHAPEL - NIGHT", [line("PRIEST", speech, "(quietly)")]))
    plan = _planned(sp)
    shot = plan.shots[-1]
    assert shot.dialogue == ["sc001-e001"] and shot.move is CameraMove.PUSH_IN
    words = len(speech.split())
    expected = words / SPEAKING_WORDS_PER_SECOND + PAUSE_PER_LINE + PAUSE_PER_PARENTHETICAL
    assert shot.min_duration == pytest.approx(expected, abs=0.01)
    assert 120 < shot.min_duration < 200  # about three minutes for three pages


def test_dual_dialogue_is_one_two_shot_covering_both():
    sp = screenplay(("INT. BAR - NIGHT", [
        action("JO and SAM sit at the counter."),
        line("JO", "I said it first.", dual="left"),
        line("SAM", "No, I said it first.", dual="right"),
    ]))
    plan = _planned(sp)
    dual = [s for s in plan.shots if s.dialogue]
    assert len(dual) == 1
    assert dual[0].size is ShotSize.TWO_SHOT
    assert dual[0].dialogue == ["sc001-e002", "sc001-e003"] and dual[0].characters == ["jo", "sam"]
    assert "crowd" in plan.scenes[0].ambience


def test_scene_with_no_characters():
    sp = screenplay(("EXT. FOREST - DAWN", [action("Mist hangs between the trees. Nothing moves.")]))
    plan = _planned(sp)
    assert plan.characters == [] and all(s.characters == [] for s in plan.shots)
    scene = plan.scenes[0]
    assert scene.time_of_day == "dawn" and "forest" in scene.ambience and scene.mood == "eerie"


def test_voice_over_speaker_is_not_in_frame():
    sp = screenplay(("INT. HOSPITAL ROOM - NIGHT", [
        action("LENA (40s), tired, in scrubs, sits by the empty bed. She holds a photograph."),
        line("MOTHER (V.O.)", "You always came home late."),
        line("LENA", "I know."),
        line("MOTHER (V.O.)", "I left the light on for you."),
    ]))
    plan = _planned(sp)
    covering = {d: s for s in plan.shots for d in s.dialogue}
    over_action = covering["sc001-e002"]
    assert over_action.dialogue == ["sc001-e002"] and over_action.description.startswith("LENA (40s)")
    reaction = covering["sc001-e004"]
    assert reaction.characters == ["lena"]  # we watch Lena hear her
    assert all("mother" not in s.characters for s in plan.shots)
    lena = plan.character("lena")
    assert lena.voice.gender == "female" and "woman in her 40s" in lena.look and "scrubs" in lena.look


def test_transitions_map_to_the_next_shot():
    sp = screenplay(
        (None, [transition("FADE IN:")]),
        ("INT. ROOM - DAY", [action("A clock ticks."), transition("CUT TO:")]),
        ("INT. HALL - DAY", [action("A door."), transition("DISSOLVE TO:")]),
        ("INT. STAIRS - DAY", [action("Steps."), transition("SMASH CUT TO:")]),
        ("EXT. ROOF - NIGHT", [action("Wind."), transition("MATCH CUT TO:")]),
        ("EXT. STREET - NIGHT", [action("Rain."), transition("FADE OUT.")]),
        ("INT. ROOM - LATER", [action("Dust.")]),
    )
    plan = _planned(sp)
    firsts = [next(s for s in plan.shots if s.scene == sc.id).transition for sc in plan.scenes if sc.id != "sc000"]
    assert firsts == [TransitionKind.FADE_IN, TransitionKind.CUT, TransitionKind.DISSOLVE, TransitionKind.SMASH_CUT,
                      TransitionKind.MATCH_CUT, TransitionKind.FADE_OUT]
    assert plan.scenes[-1].time_of_day == "night"  # LATER continues the previous scene's time


def test_caps_sounds_become_foley_cues_at_their_reading_position():
    sp = screenplay(("INT. KITCHEN - NIGHT", [
        action("The SCREEN DOOR slides open. Wind. Somewhere far off, a dog barks twice, and then A GUNSHOT."),
        action("MARA (30s) drops the cup."),
    ]))
    plan = _planned(sp)
    shot = next(s for s in plan.shots if s.foley)
    assert [c.what for c in shot.foley] == ["screen door slides open", "gunshot"]
    first, second = shot.foley
    assert 0 <= first.at < 1.0 < second.at < shot.min_duration
    assert all(not s.foley for s in plan.shots if s is not shot)  # MARA's introduction is no sound


def test_shot_sizes_follow_what_the_action_describes():
    sp = screenplay(("INT. STUDY - DAY", [
        action("EDWARD (70s), stooped, white-haired, in a cardigan, sits at the desk."),
        action("CLOSE ON the letter: a single line, unsigned."),
        action("Edward runs to the window."),
        action("His hands shake."),
        line("EDWARD", "No.", "(whispering)"),
    ]))
    plan = _planned(sp)
    sizes = [(s.size, s.move) for s in plan.shots[1:]]
    assert sizes == [(ShotSize.MEDIUM, CameraMove.PUSH_IN), (ShotSize.INSERT, CameraMove.STATIC),
                     (ShotSize.MEDIUM, CameraMove.TRACKING), (ShotSize.CLOSE_UP, CameraMove.PUSH_IN),
                     (ShotSize.CLOSE_UP, CameraMove.PUSH_IN)]
    edward = plan.character("edward")
    assert edward.voice.age == "elderly" and edward.voice.gender == "neutral"
    assert edward.look.startswith("elderly person") or edward.look.startswith("person in their 70s")


def test_ids_seeds_prompts_and_minimum_duration():
    sp = screenplay(("EXT. PIER - DUSK", [action("Gulls."), line("KIT", "Hi.")]), title="Pier")
    plan = plan_by_rules(sp, style="hand-drawn storyboard, pencil")
    assert [s.id for s in plan.shots] == ["sc001-sh01", "sc001-sh02", "sc001-sh03"]
    assert all(s.seed == zlib.crc32(s.id.encode()) for s in plan.shots)
    assert all(s.prompt.startswith("hand-drawn storyboard, pencil, ") for s in plan.shots)
    assert all(s.min_duration >= MIN_SHOT_SECONDS for s in plan.shots)
    assert "exterior pier" in plan.shots[0].prompt and "dusk" in plan.shots[0].prompt
    assert plan.title == "Pier" and plan.style == "hand-drawn storyboard, pencil"


def test_plan_never_carries_dialogue_words():
    secret = "Zanzibar marmalade quixotic"
    sp = screenplay(("INT. ROOM - DAY", [line("AMY", secret), line("BO", secret + " again, truly, madly, deeply.")]))
    assert "Zanzibar" not in plan_by_rules(sp).model_dump_json()


def _example_paths() -> list[Path]:
    return sorted(EXAMPLES.glob("*.fountain"))


@pytest.fixture(scope="module")
def examples():
    reader = pytest.importorskip("shotgraph.director.reader")
    paths = _example_paths()
    if not paths:
        pytest.skip("examples/*.fountain not written yet")
    return [reader.read_screenplay(p) for p in paths]


def test_examples_plan_valid_and_deterministic(examples):
    for sp in examples:
        first = plan_by_rules(sp).model_dump_json()
        assert plan_by_rules(sp).model_dump_json() == first
        assert validate(plan_by_rules(sp), sp) == []


def test_examples_run_about_a_minute_per_page(examples):
    pages = pytest.importorskip("shotgraph.director.pages")
    for sp in examples:
        minutes = plan_by_rules(sp).estimated_seconds / 60
        estimate = pages.estimate_pages(sp)
        assert 0.65 * estimate <= minutes <= 1.35 * estimate, (sp.source, minutes, estimate)


def test_same_screenplay_same_plan_json():
    def build():
        return screenplay(("INT. KITCHEN - NIGHT", [action("MARA (30s), in a red coat, pours tea. A KETTLE whistles."),
                                                    line("MARA", "Sit."), line("JO", "Thanks.")]))
    assert plan_by_rules(build()).model_dump_json() == plan_by_rules(build()).model_dump_json()


def test_last_ferry_breakdown(examples):
    sp = next(s for s in examples if s.source.endswith("last_ferry.fountain"))
    plan = plan_by_rules(sp)
    dual = [d for d in sp.dialogue() if d.dual]
    assert len(dual) == 2
    assert any(s.dialogue == [d.id for d in dual] and s.size is ShotSize.TWO_SHOT for s in plan.shots)
    assert all("dev" not in s.characters for s in plan.shots)  # heard on the radio, never seen
    cues = [c.what for s in plan.shots for c in s.foley]
    assert {"foghorn moans", "door slams", "engine deepens", "gulls scream"} <= set(cues)
    scenes = {s.id: s for s in plan.scenes}
    assert plan.shots[0].transition is TransitionKind.FADE_IN
    last_scene = sp.scenes[-1].id
    assert next(s for s in plan.shots if s.scene == last_scene).transition is TransitionKind.DISSOLVE
    assert scenes[last_scene].time_of_day == "day" and scenes["sc001"].time_of_day == "night"
    assert "rain" in scenes["sc001"].ambience and "sea" in scenes["sc001"].ambience
    assert plan.character("mara").voice.gender == "female" and plan.character("jonah").voice.gender == "male"
    assert plan.character("mara").look.startswith("woman in her 60s")
