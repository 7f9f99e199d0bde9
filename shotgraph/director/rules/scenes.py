"""Each scene's mood, light, time of day, music and ambience, from its heading and action (never its dialogue)."""

from __future__ import annotations

from collections import Counter

from shotgraph.director.lexicon import (
    AMBIENCE_WORDS,
    CONTINUING_TIMES,
    DEFAULT_MOOD,
    MOOD_WORDS,
    MUSIC_BY_MOOD,
    TIME_OF_DAY,
    location_is_inside,
)
from shotgraph.director.plan import (
    MusicCue,
    ScenePlan,
)
from shotgraph.director.rules.timing import WORD
from shotgraph.director.screenplay.model import (
    Action,
    Scene,
    SceneHeading,
)


def _scene_text(scene: Scene) -> str:
    """The heading and the action: what the place looks and sounds like. Dialogue is the actors', not the
    weather's: a character who says "storm" brings no rain, and rewording a line must not relight the scene."""
    texts = [scene.heading.text if scene.heading else ""]
    texts += [element.text for element in scene.elements if isinstance(element, Action)]
    return " ".join(texts)


def _moods_of_words() -> dict[str, list[str]]:
    """word -> the moods it cues: a scene's few words are looked up, not every mood's whole list."""
    moods: dict[str, list[str]] = {}
    for mood, cues in MOOD_WORDS.items():
        for cue in set(cues):
            moods.setdefault(cue, []).append(mood)
    return moods


_MOODS_OF = _moods_of_words()


def _mood(words: Counter[str]) -> str:
    counts = dict.fromkeys(MOOD_WORDS, 0)
    for word in words.keys() & _MOODS_OF.keys():
        for mood in _MOODS_OF[word]:
            counts[mood] += words[word]
    best = max(counts.values(), default=0)
    return next((m for m, n in counts.items() if n == best), DEFAULT_MOOD) if best else DEFAULT_MOOD


def _time_of_day(scene: Scene, previous: str) -> str:
    time = (scene.heading.time if scene.heading else "").upper().strip()
    if time in TIME_OF_DAY:
        return TIME_OF_DAY[time]
    if time and time.startswith(CONTINUING_TIMES):
        return previous
    return next((v for k, v in TIME_OF_DAY.items() if k in time), "unspecified")


def interior_of(heading: SceneHeading | None) -> bool | None:
    """True inside, False outside, None where neither the heading nor its location's words tell.

    No heading (the opening before any) counts as inside; a forced heading without INT./EXT. is guessed from
    its words: ".THE BACK ROOM" is inside, ".THE PIER" outside.
    """
    if heading is None:
        return True
    if heading.place:
        return heading.place != "EXT" and heading.place != "EST"
    return location_is_inside(heading.location)


def _lighting(inside: bool | None, time: str, mood: str, words: set[str]) -> str:
    windows = " through the windows" if inside else ""
    if time == "night":
        light = {True: "warm tungsten practicals, deep shadows", None: "low light, deep shadows",
                 False: "moonlight and sodium streetlight, high contrast"}[inside]
    elif time == "dawn":
        light = "cool blue pre-dawn light" + windows
    elif time == "dusk":
        light = "low golden sun" + (windows if inside is not False else ", long shadows")
    elif time == "day":
        overcast = words & _AMBIENCE_CUES["rain"] or "fog" in words
        light = {True: "soft window daylight", None: "soft daylight"}.get(
            inside, "overcast daylight" if overcast else "natural daylight")
    else:
        light = "soft motivated light"
    tint = {"eerie": "cold desaturated tones", "tense": "hard contrast", "warm": "warm tones",
            "melancholy": "muted colors"}.get(mood)
    return f"{light}, {tint}" if tint else light


_AMBIENCE_CUES = {name: frozenset(cues) for name, cues in AMBIENCE_WORDS.items()}

# The bed under a scene whose words name no place sound: inside a room, outside, or (not knowing which) quiet.
_BASE_AMBIENCE = {True: "room tone", False: "outdoor air", None: "quiet"}


def _ambience(scene: Scene, words: set[str], time: str) -> str:
    inside = interior_of(scene.heading)
    layers = ["room tone"] if inside else []
    layers += [name for name, cues in _AMBIENCE_CUES.items() if words & cues]
    if not layers:
        layers = ["night"] if time == "night" and inside is False else [_BASE_AMBIENCE[inside]]
    return ", ".join(layers)


def plan_scene(scene: Scene, previous_time: str) -> ScenePlan:
    words = Counter(map(str.lower, WORD.findall(_scene_text(scene))))
    word_set = set(words)
    mood = _mood(words)
    time = _time_of_day(scene, previous_time)
    tempo, instruments, intensity = MUSIC_BY_MOOD[mood]
    if time == "night":
        intensity = round(max(0.0, intensity - 0.05), 2)
    return ScenePlan(
        id=scene.id,
        mood=mood,
        lighting=_lighting(interior_of(scene.heading), time, mood, word_set),
        time_of_day=time,
        music=MusicCue(mood=mood, tempo_bpm=tempo, instrumentation=list(instruments), intensity=intensity),
        ambience=_ambience(scene, word_set, time),
    )
