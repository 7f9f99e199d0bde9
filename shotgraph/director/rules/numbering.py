"""Shot ids and seeds: ordinal ids people read, seeds from what a shot is; both directors number shots here."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable

from shotgraph.director.plan import Shot, ShotSize
from shotgraph.director.screenplay.model import Screenplay


def scene_occurrences(screenplay: Screenplay) -> dict[str, tuple[str, int]]:
    """Each scene's heading ('' for the opening before any) and which scene of that heading it is (1, 2, ...)."""
    seen: dict[str, int] = {}
    found = {}
    for scene in screenplay.scenes:
        heading = scene.heading.text if scene.heading else ""
        seen[heading] = seen.get(heading, 0) + 1
        found[scene.id] = (heading, seen[heading])
    return found


def scene_anchors(screenplay: Screenplay) -> dict[str, str]:
    """Each scene's anchor, by scene id: its heading, and which scene of that heading it is ("INT. KITCHEN#2").

    Scene ids are ordinal (sc003), so a scene inserted before it renumbers every later scene; its anchor stays.
    Seeds start from the anchor, so an inserted scene leaves the pictures and sounds of the others alone.
    """
    return {scene_id: f"{heading}#{n}" for scene_id, (heading, n) in scene_occurrences(screenplay).items()}


def scene_seed(anchor: str) -> int:
    """The seed of a scene's music and ambience, from its anchor (scene_anchors)."""
    return zlib.crc32(json.dumps(["scene", anchor]).encode())


def number_shots(scene_id: str, anchor: str, shots: list[Shot]) -> list[Shot]:
    """One scene's shots, in order, with their ids and seeds (shot_numbers); both directors number them here."""
    numbers = shot_numbers(scene_id, anchor, [(s.size, s.characters, s.description, s.dialogue) for s in shots])
    return [shot.model_copy(update={"id": shot_id, "scene": scene_id, "seed": seed})
            for shot, (shot_id, seed) in zip(shots, numbers)]


def shot_numbers(scene_id: str, anchor: str, shots: Iterable[tuple[ShotSize, list[str], str, list[str]]]
                 ) -> list[tuple[str, int]]:
    """The id and seed of each of one scene's shots, given in order as (size, characters, description, dialogue
    ids); `anchor` is the scene's (scene_anchors).

    Ids stay ordinal (sc012-sh01, sh02, ... with no gaps) because people read them: the shot list, OTIO clip
    names, slates and review notes. Anchoring them to screenplay elements would buy little: element ids are
    positional too, and the ids would skip numbers and need suffixes where one paragraph makes several shots.
    What renders a shot must not depend on any ordinal instead: the seed comes from what the shot is (its
    scene's anchor, size, characters, description and which of the scene's lines it covers, counted within
    the scene), so when a lengthened line splits a two-shot and renumbers the shots after it, or a scene is
    inserted before it, it keeps its seed and its frames.
    """
    out = []
    seen: dict[str, int] = {}
    lines = 0  # the scene's lines covered by the shots before this one: the plan covers each once, in order
    for n, (size, characters, description, dialogue) in enumerate(shots, start=1):
        covered = list(range(lines, lines + len(dialogue)))
        lines += len(dialogue)
        identity = json.dumps([anchor, size.value, characters, description, covered])
        seen[identity] = seen.get(identity, 0) + 1
        if seen[identity] > 1:  # the same shot again ("He waits." twice): another take, not the same frame
            identity += f"#{seen[identity]}"
        out.append((f"{scene_id}-sh{n:02d}", zlib.crc32(identity.encode())))
    return out
