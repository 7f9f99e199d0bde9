"""Wordless sounds a character makes become foley cues where the screenplay puts them, in both directors."""

from __future__ import annotations

import re

from shotgraph.director.lexicon import word_alternation
from shotgraph.director.nonverbal import SOUND_OF, action_cues, spoken_cues, vocal_sound, with_vocal
from shotgraph.director.plan import FoleyCue
from shotgraph.director.rules.breakdown import plan_by_rules
from shotgraph.director.screenplay.fountain import parse_fountain

SCRIPT = """\
INT. KITCHEN - NIGHT

ANNA (40s) stands at the sink. She quietly sighs.

ANNA
You said that last year.
(laughing)
And the year before.

BEN
(coughs)
I meant it.

The laughter dies. A TAP drips.
"""


def test_the_forms_a_script_writes_are_one_sound_each() -> None:
    assert [vocal_sound(t) for t in ("(laughing)", "(laughs)", "(coughs, then)", "(beat)", "(pants)")] == [
        "laughs", "laughs", "coughs", None, None]  # "pants" may be trousers: only "panting" is breath


def test_the_rules_plan_puts_each_sound_at_its_moment_in_the_shot() -> None:
    screenplay = parse_fountain(SCRIPT, "kitchen.fountain")
    plan = plan_by_rules(screenplay)
    cues = {(shot.id, cue.what): cue.at for shot in plan.shots for cue in shot.foley}
    sighs = [at for (shot, what), at in cues.items() if what == "Anna sighs"]
    laughs = [at for (shot, what), at in cues.items() if what == "Anna laughs"]
    coughs = [at for (shot, what), at in cues.items() if what == "Ben coughs"]
    assert len(sighs) == len(laughs) == len(coughs) == 1
    assert 0 < sighs[0]  # after "She quietly", in the action shot
    assert abs(laughs[0] - 5 / 2.5) < 0.01  # after the 5 words of "You said that last year." at 150 a minute
    assert not any("laughter" in what.lower() for _, what in cues)  # "The laughter dies" is no one's laugh


def test_the_llm_directors_shots_get_the_same_sounds_without_doubling_its_own() -> None:
    screenplay = parse_fountain(SCRIPT, "kitchen.fountain")
    lines = list(screenplay.dialogue())
    own = [FoleyCue(what="Anna laughs softly", at=1.7)]  # the model's own cue for the same laugh
    merged = with_vocal(own, spoken_cues(lines))
    assert [c.what for c in merged] == ["Anna laughs softly", "Ben coughs"]
    assert action_cues("He coughs. JONAH gasps.", ["MARA", "JONAH"], 4.0) == [FoleyCue(what="Jonah gasps",
                                                                                       at=3.0)]


def test_the_vocal_sounds_are_found_as_whole_words_in_any_case_exactly_as_a_plain_list_of_them_would() -> None:
    plain = re.compile(r"\b(" + "|".join(sorted(SOUND_OF, key=len, reverse=True)) + r")\b", re.IGNORECASE)
    trie = re.compile(r"\b(" + word_alternation(SOUND_OF) + r")\b", re.IGNORECASE)
    near = [w + tail for w in SOUND_OF for tail in ("", "s", "ed", "x")] + [w[:-1] for w in SOUND_OF]
    text = " ".join(near + [w.upper() for w in near] + [w.title() + "." for w in near])
    assert trie.findall(text) == plain.findall(text)
    assert {w.lower() for w in trie.findall(text)} == set(SOUND_OF)
