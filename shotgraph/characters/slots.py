"""Cast slots: the place of each character in the look palette and the voice pool, stable under edits.

A slot picks a character's colour (`card.palette_colour`) and its espeak voice (`espeak.choose_voice`). It comes
from the character's name, never from where the character first speaks, so adding a character early in the script
leaves the others' looks and voices, and every artifact keyed by them, as they were.

Each name hashes to a preferred slot among the first `SLOTS_PER_ROUND`. Among the names that prefer a slot, the one
with the lowest hash owns it; the rest, in hash order, take the next slot that nobody owns or has taken, past
their preferred one; when a round is full the next round starts (a darker shade of each hue, another pitch of each
voice). A new character can therefore move only the characters that prefer its slot and those that lost such a
collision earlier; every owner of an uncontested slot keeps it.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable

SLOTS_PER_ROUND = 8  # hues in the card palette; espeak variants per gender


def _hash(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big")


def preferred_slot(name: str) -> int:
    return _hash(name) % SLOTS_PER_ROUND


def cast_slots(names: Iterable[str]) -> dict[str, int]:
    """A distinct slot for every name, from the names alone (not their order)."""
    ordered = sorted(set(names), key=lambda n: (_hash(n), n))
    slots: dict[str, int] = {}
    taken: set[int] = set()
    for name in ordered:  # owners: the lowest hash that prefers each slot
        if preferred_slot(name) not in taken:
            slots[name] = preferred_slot(name)
            taken.add(slots[name])
    for name in (n for n in ordered if n not in slots):  # contenders: the next free slot past the preferred one
        first = preferred_slot(name)
        slots[name] = next(slot for k in itertools.count(1)
                           if (slot := (k // SLOTS_PER_ROUND) * SLOTS_PER_ROUND + (first + k) % SLOTS_PER_ROUND)
                           not in taken)
        taken.add(slots[name])
    return slots
