"""Text meant to be seen: the screenplay's centered text (opening titles, `> THE END <`) becomes a title-card
shot, placed where the screenplay puts it and held for its reading time. Both directors' plans get the same
cards, after planning: the words are the screenplay's, never the planner's.
"""

from __future__ import annotations

from shotgraph.director.plan import CameraMove, FilmPlan, ScenePlan, Shot, ShotSize
from shotgraph.director.rules.numbering import SceneAnchor, number_shots, scene_anchors
from shotgraph.director.screenplay.model import Action, Centered, Dialogue, Scene, Screenplay

CARD_BASE_S = 1.5  # a card is on screen this long, plus its reading time
CARD_WORD_S = 0.4
CARD_MIN_S = 2.5


def with_cards(plan: FilmPlan, screenplay: Screenplay) -> FilmPlan:
    """`plan` with a card shot for every run of centered text in the screenplay, at its place in its scene."""
    scenes = {s.id: s for s in plan.scenes}
    shots: list[Shot] = []
    scene_plans: list[ScenePlan] = []
    by_scene: dict[str, list[Shot]] = {}
    for shot in plan.shots:
        by_scene.setdefault(shot.scene, []).append(shot)
    anchors: dict[str, SceneAnchor] | None = None  # only a film with cards numbers shots here
    for scene in screenplay.scenes:
        own = by_scene.get(scene.id, [])
        cards = _cards(scene, own)
        if cards and scene.id not in scenes:  # a scene of titles only (before the first heading): scored too
            scenes[scene.id] = _borrowed_scene(scene.id, plan)
        if scene.id in scenes and (own or cards):
            scene_plans.append(scenes[scene.id])
        if not cards:
            shots += own
            continue
        merged = list(own)
        for at, card in sorted(cards, key=lambda c: c[0], reverse=True):
            merged.insert(at, card)
        anchors = anchors if anchors is not None else scene_anchors(screenplay)
        shots += number_shots(scene.id, anchors[scene.id], merged)
    placed = {s.id for s in scene_plans}  # by id: comparing whole plans would be quadratic in the scenes
    scene_plans += [s for s in plan.scenes if s.id not in placed]
    return plan.model_copy(update={"shots": shots, "scenes": scene_plans})


def _cards(scene: Scene, shots: list[Shot]) -> list[tuple[int, Shot]]:
    """(index among the scene's shots, card shot) for each run of centered text in `scene`."""
    elements = scene.elements
    cards: list[tuple[int, Shot]] = []
    i = 0
    while i < len(elements):
        if not isinstance(elements[i], Centered):
            i += 1
            continue
        j = i
        rows: list[str] = []
        while j < len(elements) and (isinstance(elements[j], Centered) or elements[j].type in {"note", "page_break"}):
            if isinstance(elements[j], Centered):
                rows += [row.strip() for row in elements[j].text.split("\n") if row.strip()]
            j += 1
        if rows:
            cards.append((_place(elements[:i], elements[j:], shots), _card(scene.id, rows)))
        i = j
    return cards


def _place(before: list, after: list, shots: list[Shot]) -> int:
    """Where the card goes among the scene's shots: first when nothing is filmed before it; before the first
    shot of what comes after it (a line spoken after it, or an action written after it); else last."""
    if not any(isinstance(e, (Action, Dialogue)) for e in before):
        return 0
    later_lines = {e.id for e in after if isinstance(e, Dialogue)}
    later_action = {" ".join(e.text.split()) for e in after if isinstance(e, Action)}
    for n, shot in enumerate(shots):
        if later_lines & set(shot.dialogue) or " ".join(shot.description.split()) in later_action:
            return n
    return len(shots)


def _card(scene_id: str, rows: list[str]) -> Shot:
    words = sum(len(row.split()) for row in rows)
    seconds = max(CARD_MIN_S, CARD_BASE_S + CARD_WORD_S * words)
    text = " / ".join(rows)
    return Shot(id=f"{scene_id}-sh01", scene=scene_id, size=ShotSize.INSERT, move=CameraMove.STATIC,
                description=text, prompt=f"title card: {text}", min_duration=round(seconds, 2), seed=0, card=rows)


def _borrowed_scene(scene_id: str, plan: FilmPlan) -> ScenePlan:
    """A plan for a scene of titles only: the film's first scene's music and mood, quiet ambience."""
    first = plan.scenes[0] if plan.scenes else None
    if first is None:
        from shotgraph.director.plan import MusicCue

        return ScenePlan(id=scene_id, mood="neutral", lighting="", time_of_day="unspecified",
                         music=MusicCue(mood="neutral", tempo_bpm=80, intensity=0.3), ambience="room tone")
    return first.model_copy(update={"id": scene_id, "ambience": "room tone"})
