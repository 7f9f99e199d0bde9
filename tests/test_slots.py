"""Cast slots: a character's colour and voice come from its name, and adding a character recasts only colliders."""

from __future__ import annotations

import random

from shotgraph.audio.espeak import choose_voice
from shotgraph.characters.card import palette_colour
from shotgraph.characters.slots import SLOTS_PER_ROUND, cast_slots, preferred_slot
from shotgraph.director.plan import Voice

POOL = [f"{first} {last}" for first in ("ANNA", "BEN", "CARA", "DEV", "ELI", "FAY", "GUS", "HAL")
        for last in ("SMITH", "OKONJO", "PATEL", "NOVAK")]


def test_slots_depend_on_the_names_not_their_order():
    names = POOL[:6]
    assert cast_slots(names) == cast_slots(list(reversed(names)))


def test_slots_are_distinct_and_a_round_fills_before_the_next_starts():
    for count in (3, SLOTS_PER_ROUND, 20):
        slots = cast_slots(POOL[:count])
        assert len(set(slots.values())) == count
        if count <= SLOTS_PER_ROUND:
            assert max(slots.values()) < SLOTS_PER_ROUND  # every one a hue of its own
        else:
            assert set(slots.values()) >= set(range(SLOTS_PER_ROUND))
    slots = cast_slots(POOL[:20]).values()
    assert len({palette_colour(s) for s in slots}) == 20
    assert len({choose_voice(Voice(gender="male", age="adult"), s) for s in slots}) == 20


def test_different_slots_never_share_a_voice_whatever_the_genders():
    settings = [(choose_voice(Voice(gender=g, age="adult"), slot), slot)
                for slot in range(SLOTS_PER_ROUND) for g in ("male", "female", "neutral")]
    for voice, slot in settings:
        assert {s for v, s in settings if v == voice} == {slot}


def test_adding_a_character_moves_only_the_characters_it_collides_with():
    rng = random.Random(4)
    for _ in range(300):
        cast = rng.sample(POOL, rng.randint(1, 9))
        new = rng.choice([n for n in POOL if n not in cast])
        before, after = cast_slots(cast), cast_slots(cast + [new])
        moved = {n for n in cast if before[n] != after[n]}
        colliders = {n for n in cast if preferred_slot(n) == preferred_slot(new) or before[n] != preferred_slot(n)}
        assert moved <= colliders, (cast, new)
