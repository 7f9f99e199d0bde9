"""Shot ids and seeds: ordinal ids people read, seeds from what a shot is; both directors number shots here."""

from __future__ import annotations

import json
import zlib

from shotgraph.director.plan import Shot, ShotSize


def number_shots(scene_id: str, shots: list[Shot]) -> list[Shot]:
    """One scene's shots, in order, with their ids and seeds (shot_numbers); both directors number them here."""
    numbers = shot_numbers(scene_id, [(s.size, s.characters, s.description, s.dialogue) for s in shots])
    return [shot.model_copy(update={"id": shot_id, "scene": scene_id, "seed": seed})
            for shot, (shot_id, seed) in zip(shots, numbers)]


def shot_numbers(scene_id: str, shots: list[tuple[ShotSize, list[str], str, list[str]]]) -> list[tuple[str, int]]:
    """The id and seed of each of one scene's shots, given as (size, characters, description, dialogue ids).

    Ids stay ordinal (sc012-sh01, sh02, ... with no gaps) because people read them: the shot list, OTIO clip
    names, slates and review notes. Anchoring them to screenplay elements would buy little: element ids are
    positional too, and the ids would skip numbers and need suffixes where one paragraph makes several shots.
    What renders a shot must not depend on its ordinal instead: the seed comes from what the shot is (its
    scene, size, characters, description and the lines it covers), so when a lengthened line splits a two-shot
    and renumbers the shots after it, they keep their seeds and their frames.
    """
    out = []
    seen: dict[str, int] = {}
    for n, (size, characters, description, dialogue) in enumerate(shots, start=1):
        identity = json.dumps([scene_id, size.value, characters, description, dialogue])
        seen[identity] = seen.get(identity, 0) + 1
        if seen[identity] > 1:  # the same shot again ("He waits." twice): another take, not the same frame
            identity += f"#{seen[identity]}"
        out.append((f"{scene_id}-sh{n:02d}", zlib.crc32(identity.encode())))
    return out
