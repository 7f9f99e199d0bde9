"""Shot ids and seeds: ordinal ids people read, seeds from what a shot is; both directors number shots here."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from shotgraph.director.plan import Shot, ShotSize
from shotgraph.director.screenplay.model import Dialogue, Screenplay


@dataclass(frozen=True)
class SceneAnchor:
    """Where a scene's seeds start: what stays of it when scenes or lines around it come, go or move."""

    heading: str  # its heading, and which scene of that heading it is: "INT. KITCHEN - NIGHT#2"
    lines: dict[str, str]  # dialogue id -> its speaker, and which of their lines in the scene it is: "MARA#2"


def scene_occurrences(screenplay: Screenplay) -> dict[str, tuple[str, int]]:
    """Each scene's heading ('' for the opening before any) and which scene of that heading it is (1, 2, ...)."""
    seen: dict[str, int] = {}
    found = {}
    for scene in screenplay.scenes:
        heading = scene.heading.text if scene.heading else ""
        seen[heading] = seen.get(heading, 0) + 1
        found[scene.id] = (heading, seen[heading])
    return found


def scene_anchors(screenplay: Screenplay) -> dict[str, SceneAnchor]:
    """Each scene's anchor, by scene id.

    Scene ids are ordinal (sc003), and so are element ids (sc003-e007): a scene inserted before renumbers every
    later scene, a line inserted renumbers the later elements. Seeds start from the anchor instead, so an inserted
    scene leaves the pictures and sounds of the others alone, and an inserted line only the shots of its
    speaker's later lines in that scene.
    """
    occurrences = scene_occurrences(screenplay)
    anchors = {}
    for scene in screenplay.scenes:
        heading, n = occurrences[scene.id]
        spoken: dict[str, int] = {}
        lines = {}
        for element in scene.elements:
            if isinstance(element, Dialogue):
                spoken[element.character] = spoken.get(element.character, 0) + 1
                lines[element.id] = f"{element.character}#{spoken[element.character]}"
        anchors[scene.id] = SceneAnchor(f"{heading}#{n}", lines)
    return anchors


def scene_seed(anchor: SceneAnchor) -> int:
    """The seed of a scene's music and ambience, from its anchor."""
    return zlib.crc32(json.dumps(["scene", anchor.heading]).encode())


def number_shots(scene_id: str, anchor: SceneAnchor, shots: list[Shot]) -> list[Shot]:
    """One scene's shots, in order, with their ids and seeds (shot_numbers); both directors number them here."""
    numbers = shot_numbers(scene_id, anchor, [(s.size, s.characters, s.description, s.dialogue) for s in shots])
    return [shot.model_copy(update={"id": shot_id, "scene": scene_id, "seed": seed})
            for shot, (shot_id, seed) in zip(shots, numbers)]


def shot_numbers(scene_id: str, anchor: SceneAnchor, shots: Iterable[tuple[ShotSize, list[str], str, list[str]]]
                 ) -> list[tuple[str, int]]:
    """The id and seed of each of one scene's shots, given in order as (size, characters, description, dialogue
    ids); `anchor` is the scene's (scene_anchors).

    Ids stay ordinal (sc012-sh01, sh02, ... with no gaps) because people read them: the shot list, OTIO clip
    names, slates and review notes. Anchoring them to screenplay elements would buy little: element ids are
    positional too, and the ids would skip numbers and need suffixes where one paragraph makes several shots.
    What renders a shot must not depend on any ordinal instead: the seed comes from what the shot is (its
    scene's anchor, size, characters, description and the lines it covers, each as its speaker's n-th line in
    the scene), so when a lengthened line splits a two-shot and renumbers the shots after it, or a scene is
    inserted before it, it keeps its seed and its frames.
    """
    out = []
    seen: dict[str, int] = {}
    for n, (size, characters, description, dialogue) in enumerate(shots, start=1):
        covered = [anchor.lines.get(line, line) for line in dialogue]
        identity = json.dumps([anchor.heading, size.value, characters, description, covered])
        seen[identity] = seen.get(identity, 0) + 1
        if seen[identity] > 1:  # the same shot again ("He waits." twice): another take, not the same frame
            identity += f"#{seen[identity]}"
        out.append((f"{scene_id}-sh{n:02d}", zlib.crc32(identity.encode())))
    return out
