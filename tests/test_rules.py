"""The rule-based director on synthetic edge cases and on the example screenplays."""

from __future__ import annotations

import random
import re
from bisect import bisect_left
from pathlib import Path

import pytest
from plan_helpers import action, line, screenplay, transition

from shotgraph.director.lexicon import CAPS_RUN
from shotgraph.director.plan import CameraMove, ShotSize, TransitionKind
from shotgraph.director.rules.breakdown import plan_by_rules
from shotgraph.director.rules.timing import (
    ESTABLISHING_SECONDS,
    MIN_SHOT_SECONDS,
    PAUSE_PER_LINE,
    PAUSE_PER_PARENTHETICAL,
    SPEAKING_WORDS_PER_SECOND,
    WORD,
    WordsBefore,
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
    assert plan.ending is TransitionKind.CUT  # nothing written after the last shot


@pytest.mark.parametrize("closing", ["FADE OUT.", "FADE TO BLACK."])
def test_a_closing_fade_out_is_the_films_ending(closing):
    sp = screenplay(("INT. ROOM - DAY", [action("ANNA sleeps."), action(closing)]))
    plan = _planned(sp)
    assert plan.ending is TransitionKind.FADE_OUT
    assert [s.transition for s in plan.shots] == [TransitionKind.CUT, TransitionKind.CUT]
    assert plan.shots[-1].description == "ANNA sleeps."  # the fade is no shot of its own


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
    assert len({s.seed for s in plan.shots}) == 3
    assert all(s.prompt.startswith("hand-drawn storyboard, pencil, ") for s in plan.shots)
    assert all(s.min_duration >= MIN_SHOT_SECONDS for s in plan.shots)
    assert "exterior pier" in plan.shots[0].prompt and "dusk" in plan.shots[0].prompt
    assert plan.title == "Pier" and plan.style == "hand-drawn storyboard, pencil"


def test_a_split_two_shot_renumbers_the_shots_after_it_and_changes_nothing_else():
    def kitchen(first_line: str):
        return screenplay(("INT. KITCHEN - NIGHT", [
            line("ANNA", first_line), line("BEN", "No."), line("ANNA", "Liar."),
            action("He turns to the window."),  # whoever the two-shot showed, panning
            line("BEN", "I was dreaming about the sea again, the grey one, with the ferry on it."),
            action("Ben stares at the kettle."),
            action("Ben stares at the kettle."),  # the same shot twice: two takes, two seeds
            action("Anna crosses to the door."),
        ]))

    before = _planned(kitchen("Awake?")).shots
    after = _planned(kitchen("Are you awake, or are you pretending again tonight?")).shots
    assert before[1].size is ShotSize.TWO_SHOT and len(before[1].dialogue) == 3
    assert [s.size for s in after[1:3]] == [ShotSize.MEDIUM_CLOSE_UP, ShotSize.TWO_SHOT]  # the line now stands alone
    assert after[2].characters == before[1].characters == ["anna", "ben"]  # Ben speaks first now; same sides
    assert [s.move for s in after[3:]] == [CameraMove.PAN_RIGHT, CameraMove.STATIC, CameraMove.STATIC,
                                           CameraMove.STATIC, CameraMove.PAN_LEFT]
    # new ids, the same shots: sizes, moves, who is in frame, seeds
    assert [s.id for s in after[3:]] == [f"sc001-sh{n:02d}" for n in range(4, 9)]
    assert [s.model_dump(exclude={"id"}) for s in after[3:]] == [s.model_dump(exclude={"id"}) for s in before[2:]]
    assert len({s.seed for s in after}) == len(after)


def test_a_scene_inserted_before_others_renumbers_them_and_keeps_their_seeds():
    kitchen = ("INT. KITCHEN - NIGHT", [action("Anna fills the kettle."), line("ANNA", "Tea?"), line("BEN", "Yes.")])
    garden = ("EXT. GARDEN - DAY", [action("Ben waits by the gate."), line("BEN", "Coming?")])
    hall = ("INT. HALL - NIGHT", [action("Rain on the skylight."), line("BEN", "Anyone home?")])
    before = plan_by_rules(screenplay(kitchen, garden, kitchen)).shots
    after = plan_by_rules(screenplay(hall, kitchen, garden, kitchen)).shots
    inserted = [s for s in after if s.scene == "sc001"]
    assert [s.scene for s in after[len(inserted):]] == [f"sc{int(s.scene[2:]) + 1:03d}" for s in before]  # renumbered
    assert [s.seed for s in after[len(inserted):]] == [s.seed for s in before]
    # the kitchen's second visit is another scene: the same shots, other seeds
    first_visit = [s.seed for s in before if s.scene == "sc001"]
    second_visit = [s.seed for s in before if s.scene == "sc003"]
    assert len(first_visit) == len(second_visit) and not set(first_visit) & set(second_visit)
    assert not {s.seed for s in inserted} & {s.seed for s in before}


def test_a_line_taken_out_leaves_the_other_speakers_later_shots_alone():
    more = " and then a good many more words, so that every speech here needs a shot of its own"
    lines = [("ANNA", "Is the tea ready yet"), ("BEN", "Nearly ready now"), ("ANNA", "Milk in it this time"),
             ("BEN", "No milk left in the fridge"), ("ANNA", "Then sugar, two spoons"), ("BEN", "Two spoons it is")]

    def kitchen(spoken):
        return plan_by_rules(screenplay(("INT. KITCHEN - NIGHT", [
            action("Anna waits by the stove."), *(line(who, words + more) for who, words in spoken)]))).shots

    before, after = kitchen(lines), kitchen(lines[:2] + lines[3:])  # Anna's second line cut
    assert len(after) == len(before) - 1
    # Ben's last line is his third either way: its shot keeps its seed, though every element after the cut line
    # was renumbered (counted over the scene's lines, it would have moved up one)
    assert after[-1].dialogue == ["sc001-e006"] and before[-1].dialogue == ["sc001-e007"]
    assert after[-1].model_dump(exclude={"id", "dialogue"}) == before[-1].model_dump(exclude={"id", "dialogue"})
    assert [s.seed for s in after[:4]] == [s.seed for s in before[:4]]  # the shots before the cut


def test_dialogue_words_leave_the_scene_look_and_sound_alone():
    def garden(words: str):
        return plan_by_rules(screenplay(("EXT. GARDEN - DAY", [
            action("Ben waits by the gate."), line("BEN", words), line("ANNA", "Go home.")]))).scenes

    assert garden("The rain, the storm, the dark. It gets into everything.") == garden("It gets into everything.")


def test_plan_never_carries_dialogue_words():
    secret = "Zanzibar marmalade quixotic"
    sp = screenplay(("INT. ROOM - DAY", [line("AMY", secret), line("BO", secret + " again, truly, madly, deeply.")]))
    assert "Zanzibar" not in plan_by_rules(sp).model_dump_json()


def _example_paths() -> list[Path]:
    return sorted(EXAMPLES.glob("*.fountain"))


@pytest.fixture(scope="module")
def examples():
    reader = pytest.importorskip("shotgraph.director.screenplay.reader")
    paths = _example_paths()
    if not paths:
        pytest.skip("examples/*.fountain not written yet")
    return [reader.read_screenplay(p) for p in paths]


def test_examples_plan_valid_and_deterministic(examples):
    for sp in examples:
        first = plan_by_rules(sp).model_dump_json()
        assert plan_by_rules(sp).model_dump_json() == first
        assert validate(plan_by_rules(sp), sp) == []


def test_examples_run_within_ten_percent_of_a_minute_per_page(examples):
    pages = pytest.importorskip("shotgraph.director.screenplay.pages")
    for sp in examples:
        minutes = plan_by_rules(sp).estimated_seconds / 60
        estimate = pages.estimate_pages(sp)
        assert 0.9 * estimate <= minutes <= 1.1 * estimate, (sp.source, minutes, estimate)


def test_unbroken_speech_runs_about_two_minutes_a_page():
    """A minute a page is an average over action and dialogue. A page of nothing but speech holds 320 to 350
    words, and saying them at the speaking rate takes over two minutes: the plan follows the words, not the rule."""
    pages = pytest.importorskip("shotgraph.director.screenplay.pages")
    speech = " ".join(["I remember the summer my father built the boat in the yard and nobody helped."] * 100)
    sp = screenplay(("INT. CHURCH - NIGHT", [line("OLD MAN", speech)]))
    minutes_per_page = plan_by_rules(sp).estimated_seconds / 60 / pages.estimate_pages(sp)
    assert 2.0 <= minutes_per_page <= 2.5


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


@pytest.mark.parametrize("written, cue", [
    ("A DOG BARKS in the distance.", "dog barks"),
    ("Thunder RUMBLES overhead.", "thunder rumbles"),
    ("Footsteps ECHO down the hall.", "footsteps echo"),
    ("A TRUCK ROARS past.", "truck roars"),
    ("A BRANCH CRACKS somewhere.", "branch cracks"),
    ("The radio CRACKLES.", "radio crackles"),
    ("Water DRIPS from the tap.", "water drips"),
    ("The kettle WHISTLES.", "kettle whistles"),
    ("Somewhere, a dog is BARKING.", "dog barking"),
    ("The door SLAMMED.", "door slammed"),
    ("JANE SLAMS the door.", "door slams"),
    ("JANE'S PHONE RINGS.", "phone rings"),
])
def test_sounds_in_capitals_in_any_inflection_are_foley(written, cue):
    sp = screenplay(("INT. HOUSE - NIGHT", [action("JANE (30s) waits."), action(written),
                                            line("JANE", "Who's there?")]))
    plan = _planned(sp)
    assert [c.what for s in plan.shots for c in s.foley] == [cue]


def test_a_non_speaking_character_gets_a_look_and_is_in_frame():
    sp = screenplay(("INT. DINER - NIGHT", [
        action("SAM (40s), a huge man in a trucker cap, eats alone. A WAITRESS (20s) refills his cup."),
        action("RUTH (60s) enters and sits across from Sam."),
        action("The waitress leaves."),
        line("RUTH", "You look terrible."),
    ]))
    plan = _planned(sp)
    assert [c.name for c in plan.characters] == ["RUTH", "SAM", "WAITRESS"]
    sam, waitress = plan.character("sam"), plan.character("waitress")
    assert sam.look == "man in his 40s, trucker cap" and sam.voice.gender == "male"
    assert waitress.look.startswith("woman in her 20s")
    in_frame = [s.characters for s in plan.shots[1:4]]
    assert in_frame == [["sam", "waitress"], ["ruth", "sam"], []]  # "the waitress" in lower case is anyone's
    assert "Sam: man in his 40s, trucker cap" in plan.shots[2].prompt
    assert all(not s.foley for s in plan.shots)  # an introduction is no sound


def test_camera_directions_in_action_frame_the_shot():
    sp = screenplay(("INT. ATTIC - NIGHT", [
        action("MARA'S POV - the trunk, its lock rusted shut."),
        action("EXTREME CLOSE ON her eye."),
        action("Mara climbs the ladder."),
        line("MARA", "Nobody's been up here in years."),
        action("ANGLE ON the window. CLOSE ON the key in her palm."),
        action("BACK TO SCENE"),
        action("Camera TILTS UP to the rafters. We PULL BACK to reveal the attic."),
        action("WIDE ON the attic. INSERT - a yellowed photograph."),
        action("TRACKING with Mara as she crosses to the door. She PANS her torch across the wall."),
        action("Mara stops. We PUSH IN on her face."),
    ]))
    plan = _planned(sp)
    framed = [(s.size, s.move, s.characters) for s in plan.shots[1:]]
    assert framed == [
        (ShotSize.POV, CameraMove.STATIC, []),  # through Mara's eyes: she is not in frame
        (ShotSize.EXTREME_CLOSE_UP, CameraMove.STATIC, ["mara"]),
        (ShotSize.MEDIUM, CameraMove.PAN_RIGHT, ["mara"]),
        (ShotSize.MEDIUM_CLOSE_UP, CameraMove.STATIC, ["mara"]),
        (ShotSize.MEDIUM, CameraMove.STATIC, []),
        (ShotSize.INSERT, CameraMove.STATIC, []),
        (ShotSize.WIDE, CameraMove.TILT_UP, []),  # BACK TO SCENE made no shot
        (ShotSize.WIDE, CameraMove.STATIC, []),
        (ShotSize.INSERT, CameraMove.STATIC, []),
        (ShotSize.MEDIUM, CameraMove.TRACKING, ["mara"]),
        (ShotSize.MEDIUM, CameraMove.PUSH_IN, ["mara"]),
    ]
    assert all("BACK TO SCENE" not in s.description for s in plan.shots)
    assert all(not s.foley for s in plan.shots)  # directions are no sounds


def test_fdx_shot_paragraphs_are_read_as_camera_directions():
    fdx = pytest.importorskip("shotgraph.director.screenplay.fdx")
    path = Path(__file__).parent / "fixtures" / "harbour.fdx"
    sp = fdx.parse_fdx(path.read_bytes(), str(path))
    plan = _planned(sp)
    radio = next(s for s in plan.shots if s.description == "CLOSE ON THE RADIO")
    assert radio.size is ShotSize.INSERT and radio.characters == []
    assert radio.dialogue and all(d.startswith(radio.scene) for d in radio.dialogue)  # Dev heard over it


@pytest.mark.parametrize("written, size", [
    ("Wind tears through the pines.", ShotSize.WIDE),
    ("She hands him the ticket.", ShotSize.TWO_SHOT),  # on whoever we were watching
    ("His hands shake.", ShotSize.CLOSE_UP),
    ("A tear runs down Mara's cheek.", ShotSize.CLOSE_UP),
])
def test_close_ups_come_from_body_parts_not_verbs(written, size):
    sp = screenplay(("EXT. PINE FOREST - DAY", [action("MARA (30s) and JONAH (20s) stand apart."), action(written),
                                                line("MARA", "Go.")]))
    assert _planned(sp).shots[2].size is size


@pytest.mark.parametrize("heading, inside, ambience", [
    (".THE BACK ROOM - LATER", True, "room tone"),
    (".INSIDE THE ALL-NIGHT CHEMIST", True, "room tone"),
    (".THE PIER - NIGHT", False, "sea"),
    (".SOMEWHERE ELSE - NIGHT", None, "quiet"),
])
def test_forced_headings_guess_inside_or_outside_from_the_place(heading, inside, ambience):
    plan = _planned(screenplay((heading, [action("A cup on a table.")])))
    scene = plan.scenes[0]
    assert scene.ambience == ambience
    place = {True: "interior ", False: "exterior ", None: ""}[inside]
    assert f"{place}{heading.removeprefix('.').split(' - ')[0].lower()}," in plan.shots[0].prompt
    night = "moonlight" in scene.lighting
    assert night is (inside is False and "NIGHT" in heading)


def test_a_shouted_paragraph_in_capitals_is_no_sound_but_a_sentence_naming_one_is():
    shout = "WE " + "REALLY " * 30 + "CANNOT STAY HERE."
    sentence = "THE FLUORESCENT TUBES BUZZ OVER THREE AISLES OF COUGH SYRUP AND PHONE CHARGERS."
    sp = screenplay(("INT. SHOP - NIGHT", [action(shout), action(sentence)]))
    cues = [c.what for s in _planned(sp).shots for c in s.foley]
    assert cues == ["the fluorescent tubes buzz over three aisles of cough syrup and phone chargers"]


def test_runs_of_capitals_are_found_as_a_plain_backtracking_search_finds_them():
    plain = re.compile(r"\b[A-Z][A-Z'’-]+(?:\s+[A-Z][A-Z'’-]+)*\b")  # what CAPS_RUN does without its fast path
    pieces = ["A", "B", "Z", "'", "’", "-", " ", "  ", "\n", "a", "s", "1", "_", ".", "é", "É"]
    rng = random.Random(7)
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))
        assert [m.span() for m in CAPS_RUN.finditer(text)] == [m.span() for m in plain.finditer(text)], text


def test_words_before_an_offset_asked_in_any_order():
    text = "A dog barks. Then the door slams, twice!"
    words_before = WordsBefore(text)
    starts = [m.start() for m in WORD.finditer(text)]
    offsets = [0, 5, 13, 13, 40, 2, 22, 100]
    assert [words_before(o) for o in offsets] == [bisect_left(starts, o) for o in offsets]
    assert words_before.total == 8 and WordsBefore("").total == 1
