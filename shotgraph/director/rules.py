"""The rule-based director: a FilmPlan from the screenplay alone. Deterministic, offline, fast.

It reads the screenplay the way a first assistant director breaks it down: each scene gets a mood, light,
music and ambience from its heading and action; each action paragraph becomes a shot sized by what it
describes; each dialogue block is covered exactly once, in order (invariant 1), by singles, over-the-shoulders
or two-shots. Timing follows the words (invariant 7) at the rates below.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from shotgraph.director.lexicon import (
    AGE_NUMBER,
    AMBIENCE_WORDS,
    BUILD_WORDS,
    CAMERA_WORDS,
    CAPS_RUN,
    CLOSE_WORDS,
    CLOTHES,
    CONTINUING_TIMES,
    DEFAULT_MOOD,
    DETERMINERS,
    EMOTIONAL_WORDS,
    FEMALE_WORDS,
    HAIR_PATTERN,
    INSERT_OBJECTS,
    MALE_WORDS,
    MOOD_WORDS,
    MOVE_DIRECTIONS,
    MUSIC_BY_MOOD,
    NOT_SOUNDS,
    PAN_VERBS,
    PERSON_NOUNS,
    POSSESSIVES,
    PRONOUNS,
    RETURN_DIRECTION,
    SIZE_DIRECTION,
    SIZE_DIRECTIONS,
    SOUND_PARTICLES,
    SOUND_WORDS,
    STANDALONE_TRANSITION,
    TIMBRE_WORDS,
    TIME_OF_DAY,
    TRACKING_VERBS,
    TRANSITIONS,
    WARDROBE_PATTERN,
    base_forms,
    location_is_inside,
)
from shotgraph.director.nonspeaking import film_characters
from shotgraph.director.plan import (
    CameraAngle,
    CameraMove,
    CharacterPlan,
    FilmPlan,
    FoleyCue,
    MusicCue,
    ScenePlan,
    Shot,
    ShotSize,
    TransitionKind,
    Voice,
)
from shotgraph.director.screenplay.model import (
    Action,
    Character,
    Dialogue,
    DialoguePart,
    Lyrics,
    Scene,
    SceneHeading,
    Screenplay,
    Transition,
)

# --- Timing. A screenplay page plays for about one minute; these rates land the plan there. ---
# Conversational film dialogue runs at about 150 words per minute.
SPEAKING_WORDS_PER_SECOND = 150 / 60
# Breathing room after every dialogue block (cue pickup, reaction), seconds.
PAUSE_PER_LINE = 0.4
# A parenthetical ("(beat)", "(softly)") marks a pause or a performed beat, seconds.
PAUSE_PER_PARENTHETICAL = 0.6
# Action plays for as long as a reader takes to see it: silent reading, about 240 words per minute (Brysbaert
# 2019 puts adults at 238 silently and 183 aloud). An audience takes in a picture, not a reading of it.
ACTION_WORDS_PER_SECOND = 240 / 60
# Sung lyrics are slower than speech: about 90 words per minute.
SINGING_WORDS_PER_SECOND = 90 / 60
# An establishing shot holds long enough to read the place.
ESTABLISHING_SECONDS = 3.0
# No shot shorter than this: below it a cut reads as a flash.
MIN_SHOT_SECONDS = 1.5
# An action paragraph longer than this (words) is split at sentence ends into several shots.
MAX_ACTION_WORDS_PER_SHOT = 30
# A dialogue block this short (words) may be grouped into a two-shot with its neighbours.
SHORT_LINE_WORDS = 8
# At most this many short lines share one two-shot.
MAX_LINES_PER_TWO_SHOT = 6

DEFAULT_STYLE = "cinematic film still, 35mm photograph, natural color grading, shallow depth of field"

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")

def plan_by_rules(screenplay: Screenplay, style: str | None = None) -> FilmPlan:
    """Break the screenplay into characters, scenes and shots. Same input, same plan, byte for byte."""
    return breakdown(screenplay, style).plan


@dataclass
class Breakdown:
    plan: FilmPlan
    # scene id -> the transition the screenplay writes into the scene's first shot; scenes it leaves to the
    # director are absent (their first shot cuts in)
    entries: dict[str, TransitionKind]


def breakdown(screenplay: Screenplay, style: str | None = None) -> Breakdown:
    """The rule-based plan, and which of its transitions the screenplay itself wrote."""
    style = style or DEFAULT_STYLE
    characters = _character_plans(screenplay)
    cast = _Cast(characters, silent={c.name for c in characters} - {c.name for c in screenplay.characters})
    scenes: list[ScenePlan] = []
    shots: list[Shot] = []
    pending = _Pending()
    previous_time = "unspecified"
    for scene in screenplay.scenes:
        scene_plan = _scene_plan(scene, previous_time)
        previous_time = scene_plan.time_of_day
        scenes.append(scene_plan)
        shots += _SceneBreakdown(scene, scene_plan, cast, style, pending).shots()
    # A transition left over after the last shot ("FADE OUT.") closes the film; only a fade can do that.
    ending = TransitionKind.FADE_OUT if pending.transition is TransitionKind.FADE_OUT else TransitionKind.CUT
    plan = FilmPlan(title=screenplay.title, style=style, characters=characters, scenes=scenes, shots=shots,
                    ending=ending)
    return Breakdown(plan=plan, entries=pending.entries)


# --- characters -------------------------------------------------------------------------------------------


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "character"


def _character_plans(screenplay: Screenplay) -> list[CharacterPlan]:
    plans: list[CharacterPlan] = []
    used: set[str] = set()
    actions = [e.text for e in screenplay.elements() if isinstance(e, Action)]
    for character in film_characters(screenplay):
        base = slug(character.name)
        cid, n = base, 2
        while cid in used:
            cid, n = f"{base}-{n}", n + 1
        used.add(cid)
        voice = _voice(character, actions)
        plans.append(CharacterPlan(id=cid, name=character.name, look=_look(character, voice), voice=voice))
    return plans


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


_SENTENCE = re.compile(r"(?<=[.!?])\s+")
# "her" is possessive (counts) unless an object: then a stop word or the sentence end follows it
_OBJECT_FOLLOWERS = frozenset("and as to with at in on from for up down off out back a the but or".split())


def _gender_votes(character: Character, actions: list[str]) -> tuple[int, int]:
    """(female, male) pronoun votes that point at this character, not at whoever they are with.

    Counted: the introduction sentence; possessive his / her and subject he / she after the name in a sentence
    that names them; a sentence opening with He / She right after one that names them; a gendered name
    (MRS. HALE, WAITRESS) thrice.
    """
    name = re.compile(rf"\b{re.escape(character.name)}\b", re.IGNORECASE)
    texts = [character.introduction or ""]
    for paragraph in actions:
        previous_named = False
        for sentence in _SENTENCE.split(paragraph):
            match = name.search(sentence)
            if match:
                texts.append(sentence[match.end():])
            elif previous_named and re.match(r"(?:She|He)\b", sentence):
                texts.append(sentence.split()[0])
            previous_named = match is not None
    female = male = 0
    for text in texts:
        words = _words(text)
        for i, w in enumerate(words):
            if w == "her":
                following = words[i + 1] if i + 1 < len(words) else ""
                female += bool(following) and following not in _OBJECT_FOLLOWERS
            elif w in {"him"}:
                continue  # an object pronoun usually points at someone else
            else:
                female += w in FEMALE_WORDS
                male += w in MALE_WORDS
    named = _words(character.name)  # "MRS. HALE", "OLD MAN", "WAITRESS": the name itself says
    female += 3 * sum(w in FEMALE_WORDS for w in named)
    male += 3 * sum(w in MALE_WORDS for w in named)
    return female, male


def _voice(character: Character, actions: list[str]) -> Voice:
    female, male = _gender_votes(character, actions)
    gender = "female" if female > male else "male" if male > female else "neutral"
    intro = character.introduction or ""
    intro_words = set(_words(intro))
    timbre = next((t for t, cues in TIMBRE_WORDS.items() if intro_words & set(cues)), "")
    return Voice(gender=gender, age=_age_group(intro), timbre=timbre)


def _age_number(intro: str) -> int | None:
    match = AGE_NUMBER.search(intro)
    if match is None:
        return None
    return int(match.group(1) or match.group(2))


def _age_group(intro: str) -> str:
    age = _age_number(intro)
    words = set(_words(intro))
    if age is not None:
        return "child" if age < 13 else "young" if age < 30 else "adult" if age < 60 else "elderly"
    if words & {"kid", "child", "boy", "girl", "toddler"}:
        return "child"
    if words & {"teen", "teenager", "young", "youthful"}:
        return "young"
    if words & {"old", "elderly", "aging", "ageing", "aged", "grey-haired", "gray-haired", "white-haired"}:
        return "elderly"
    return "adult"


def _wardrobe(phrase: str) -> str:
    """'a yellow oilskin and a wool hat older than most' -> 'yellow oilskin and a wool hat'; '' if no clothes."""
    words = phrase.lower().split()
    last = max((i for i, w in enumerate(words) if w.strip("'’s") in CLOTHES or w in CLOTHES), default=None)
    return " ".join(words[: last + 1]) if last is not None else ""


def _look(character: Character, voice: Voice) -> str:
    """An image-prompt description from the introduction sentence; a neutral one when there is none."""
    intro = character.introduction or ""
    person = {"female": "woman", "male": "man"}.get(voice.gender, "person")
    age = _age_number(intro)
    if age is not None and age >= 20:
        pronoun = {"woman": "her", "man": "his"}.get(person, "their")
        head = f"{person} in {pronoun} {(age // 10) * 10}s"
    elif age is not None:
        head = f"teenage {person}" if age >= 13 else {"woman": "girl", "man": "boy"}.get(person, "child")
    else:
        head = {"child": f"young {person}", "young": f"young {person}", "elderly": f"elderly {person}"}.get(
            voice.age, f"adult {person}"
        )
    intro_lower = intro.lower()
    parts = [head]
    parts += [w for w in BUILD_WORDS if re.search(rf"\b{re.escape(w)}\b", intro_lower)]
    parts += [m.group(0).lower() for m in HAIR_PATTERN.finditer(intro)]
    parts += [w for w in (_wardrobe(m.group(2)) for m in WARDROBE_PATTERN.finditer(intro)) if w][:2]
    if len(parts) == 1:
        parts.append("plain everyday clothes, neutral expression")
    return ", ".join(dict.fromkeys(p for p in parts if p))


# --- scenes -----------------------------------------------------------------------------------------------


def _scene_text(scene: Scene) -> str:
    """The heading and the action: what the place looks and sounds like. Dialogue is the actors', not the
    weather's: a character who says "storm" brings no rain, and rewording a line must not relight the scene."""
    texts = [scene.heading.text if scene.heading else ""]
    texts += [element.text for element in scene.elements if isinstance(element, Action)]
    return " ".join(texts)


def _mood(words: list[str]) -> str:
    counts = {mood: sum(w in cues for w in words) for mood, cues in MOOD_WORDS.items()}
    best = max(counts.values(), default=0)
    return next((m for m, n in counts.items() if n == best), DEFAULT_MOOD) if best else DEFAULT_MOOD


def _time_of_day(scene: Scene, previous: str) -> str:
    time = (scene.heading.time if scene.heading else "").upper().strip()
    if time in TIME_OF_DAY:
        return TIME_OF_DAY[time]
    if time and time.startswith(CONTINUING_TIMES):
        return previous
    return next((v for k, v in TIME_OF_DAY.items() if k in time), "unspecified")


def _interior(heading: SceneHeading | None) -> bool | None:
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
        overcast = words & set(AMBIENCE_WORDS["rain"]) or "fog" in words
        light = {True: "soft window daylight", None: "soft daylight"}.get(
            inside, "overcast daylight" if overcast else "natural daylight")
    else:
        light = "soft motivated light"
    tint = {"eerie": "cold desaturated tones", "tense": "hard contrast", "warm": "warm tones",
            "melancholy": "muted colors"}.get(mood)
    return f"{light}, {tint}" if tint else light


# The bed under a scene whose words name no place sound: inside a room, outside, or (not knowing which) quiet.
_BASE_AMBIENCE = {True: "room tone", False: "outdoor air", None: "quiet"}


def _ambience(scene: Scene, words: set[str], time: str) -> str:
    inside = _interior(scene.heading)
    layers = ["room tone"] if inside else []
    layers += [name for name, cues in AMBIENCE_WORDS.items() if words & set(cues)]
    if not layers:
        layers = ["night"] if time == "night" and inside is False else [_BASE_AMBIENCE[inside]]
    return ", ".join(layers)


def _scene_plan(scene: Scene, previous_time: str) -> ScenePlan:
    words = _words(_scene_text(scene))
    word_set = set(words)
    mood = _mood(words)
    time = _time_of_day(scene, previous_time)
    tempo, instruments, intensity = MUSIC_BY_MOOD[mood]
    if time == "night":
        intensity = round(max(0.0, intensity - 0.05), 2)
    return ScenePlan(
        id=scene.id,
        mood=mood,
        lighting=_lighting(_interior(scene.heading), time, mood, word_set),
        time_of_day=time,
        music=MusicCue(mood=mood, tempo_bpm=tempo, instrumentation=list(instruments), intensity=intensity),
        ambience=_ambience(scene, word_set, time),
    )


# --- shots ------------------------------------------------------------------------------------------------


@dataclass
class _Pending:
    """A transition waiting for the next shot (it may cross a scene boundary), and the scenes it opened."""

    transition: TransitionKind | None = None
    entries: dict[str, TransitionKind] = field(default_factory=dict)


class _Cast:
    """The film's characters as the breakdown looks for them: ids by name, looks, and their names in action."""

    def __init__(self, characters: list[CharacterPlan], silent: set[str]):
        self.ids = {c.name: c.id for c in characters}
        self.by_caps = {c.name.upper(): c.id for c in characters}
        self.names = {c.id: c.name for c in characters}
        self.looks = {c.id: c.look for c in characters}
        # A speaker is found in any case ("Mara", "MARA"). A non-speaking one only in capitals or capitalised,
        # as introduced: a lower-case "the waitress" may be anyone's waitress.
        self.patterns = [
            (c.id, re.compile(rf"\b(?:{re.escape(c.name)}|{re.escape(c.name.title())})\b") if c.name in silent
             else re.compile(rf"\b{re.escape(c.name)}\b", re.IGNORECASE))
            for c in sorted(characters, key=lambda c: len(c.name), reverse=True)
        ]
        self.name_words = {w.strip(".'’") for name in self.ids for w in name.upper().split()}

    def is_name_word(self, token: str) -> bool:
        return re.sub(r"['’]S$", "", token.upper()).strip(".'’") in self.name_words


@dataclass
class _Draft:
    size: ShotSize
    description: str
    characters: list[str] = field(default_factory=list)
    move: CameraMove = CameraMove.STATIC
    angle: CameraAngle = CameraAngle.EYE_LEVEL
    dialogue: list[Dialogue] = field(default_factory=list)
    action_words: int = 0
    foley: list[FoleyCue] = field(default_factory=list)
    fixed_seconds: float | None = None
    is_action: bool = False
    transition: TransitionKind = TransitionKind.CUT
    pov_of: str | None = None  # whose eyes the camera is, for a POV shot

    def seconds(self) -> float:
        if self.fixed_seconds is not None:
            return self.fixed_seconds
        action = self.action_words / ACTION_WORDS_PER_SECOND
        speech = sum(line_seconds(line) for line in self.dialogue)
        return round(max(MIN_SHOT_SECONDS, action, speech), 2)


def line_seconds(line: Dialogue) -> float:
    """How long a dialogue block plays: spoken words at speaking rate, sung ones at singing rate, a pause per
    line and one per parenthetical."""
    seconds = PAUSE_PER_LINE
    for part in line.parts or [DialoguePart(kind="speech", text=line.text, line=line.line)]:
        if part.kind == "parenthetical":
            seconds += PAUSE_PER_PARENTHETICAL
        else:
            rate = SINGING_WORDS_PER_SECOND if part.kind == "lyrics" else SPEAKING_WORDS_PER_SECOND
            seconds += len(_WORD.findall(part.text)) / rate
    return seconds


def transition_kind(text: str) -> TransitionKind:
    upper = text.upper()
    return next((kind for key, kind in TRANSITIONS if key in upper), TransitionKind.CUT)


def _emotional(text: str) -> bool:
    lower = text.lower()
    return any(cue in lower for cue in EMOTIONAL_WORDS)


def _close_subject(words: list[str]) -> bool:
    """Someone's body part early in the sentence: "His hands shake.", "A tear runs down her cheek."."""
    return any(w in CLOSE_WORDS and (words[i - 1] in POSSESSIVES or words[i - 1].endswith(("'s", "’s")))
               for i, w in enumerate(words[:6]) if i > 0)


# Longer phrases first: "PAN LEFT" before "PAN".
_MOVES = sorted(MOVE_DIRECTIONS.items(), key=lambda item: len(item[0].split()), reverse=True)
_PRONOUN_SUBJECTS = {"he", "she", "they", "his", "her", "their"}
_PANS = (CameraMove.PAN_LEFT, CameraMove.PAN_RIGHT)


class _SceneBreakdown:
    """Turns one scene's elements into shots, in order."""

    def __init__(self, scene: Scene, plan: ScenePlan, cast: _Cast, style: str, pending: _Pending):
        self.scene = scene
        self.plan = plan
        self.cast = cast
        self.ids = cast.ids
        self.style = style
        self.pending = pending
        self.drafts: list[_Draft] = []
        self.present: list[str] = []  # character ids seen on screen in this scene, in order of appearance

    # 1. Walk the elements, turning each into drafts.
    def shots(self) -> list[Shot]:
        if self.scene.heading is not None:
            self._establishing()
        elements = self.scene.elements
        i = 0
        while i < len(elements):
            element = elements[i]
            if isinstance(element, Transition):
                self.pending.transition = transition_kind(element.text)
            elif isinstance(element, Action):
                if STANDALONE_TRANSITION.match(element.text.strip().upper()):
                    self.pending.transition = transition_kind(element.text)
                else:
                    self._action(element)
            elif isinstance(element, Lyrics):
                j = i
                while j < len(elements) and isinstance(elements[j], Lyrics):
                    j += 1
                self._lyrics(elements[i:j])
                i = j
                continue
            elif isinstance(element, Dialogue):
                run = [element]
                j = i + 1
                while j < len(elements) and elements[j].type in {"dialogue", "note", "synopsis", "section",
                                                                   "page_break"}:
                    if isinstance(elements[j], Dialogue):
                        run.append(elements[j])
                    j += 1
                self._dialogue_run(run)
                i = j
                continue
            i += 1
        return number_shots(self.scene.id, [self._shot(draft) for draft in self.drafts])

    def _add(self, draft: _Draft) -> _Draft:
        if self.pending.transition is not None:
            draft.transition = self.pending.transition
            if not self.drafts:
                self.pending.entries[self.scene.id] = draft.transition
            self.pending.transition = None
        self.drafts.append(draft)
        return draft

    def _see(self, characters: list[str]) -> None:
        for c in characters:
            if c not in self.present:
                self.present.append(c)

    # 2. The establishing shot, sized from the heading.
    def _establishing(self) -> None:
        heading = self.scene.heading
        assert heading is not None
        location_words = set(_words(heading.location))
        vast = location_words & {"harbour", "harbor", "city", "sea", "ocean", "desert", "field", "fields", "valley",
                                 "mountains", "coast", "skyline", "town", "highway", "bay", "lake", "plains"}
        cramped = location_words & {"car", "bathroom", "closet", "booth", "cab", "elevator", "lift", "cupboard",
                                    "cell", "truck", "van", "phone", "toilet", "cockpit"}
        if _interior(heading) is False:
            size = ShotSize.EXTREME_WIDE if vast else ShotSize.WIDE
            move = CameraMove.CRANE if vast else CameraMove.PAN_RIGHT
            angle = CameraAngle.HIGH if vast else CameraAngle.EYE_LEVEL
        else:
            size = ShotSize.MEDIUM if cramped else ShotSize.WIDE
            move, angle = CameraMove.STATIC, CameraAngle.EYE_LEVEL
        self._add(_Draft(size=size, description=heading.text, move=move, angle=angle,
                         fixed_seconds=ESTABLISHING_SECONDS))

    # 3. Action: a shot per paragraph (or per few sentences of a long one), framed as the screenplay's camera
    #    directions say ("CLOSE ON ...", "MARA'S POV", "We PULL BACK"), or else sized by what it describes.
    def _action(self, element: Action) -> None:
        for chunk in _chunks(element.text):
            if returned := RETURN_DIRECTION.match(chunk):  # "BACK TO SCENE": the master again, not a shot
                chunk = chunk[returned.end():]
                if not chunk:
                    continue
            direction = SIZE_DIRECTION.match(chunk)
            subject = chunk[direction.end():] if direction else chunk  # what the direction points at
            size = SIZE_DIRECTIONS[direction["direction"]] if direction else None
            pov_of = self.cast.by_caps.get(direction["owner"] or "") if size is ShotSize.POV else None
            characters = [c for c in self._named(chunk) if c != pov_of]
            words = _words(chunk)
            subject_words = _words(subject)
            last = self.drafts[-1] if self.drafts else None
            if (not characters and last and subject_words and subject_words[0] in _PRONOUN_SUBJECTS
                    and size not in (ShotSize.POV, ShotSize.INSERT)):
                # "He sits." or "CLOSE ON her eye." keeps whoever we were watching, or through whose eyes
                characters = list(last.characters) or ([last.pov_of] if last.pov_of else [])
            written_move = self._camera_move(chunk)
            move = written_move or self._move_from_verbs(set(words))
            if size is ShotSize.CLOSE_UP and not characters and set(subject_words[:4]) & INSERT_OBJECTS:
                size = ShotSize.INSERT  # "CLOSE ON the letter": a close-up of a thing is an insert
            if size is None and not characters and len(words) <= 15 and set(words[:4]) & INSERT_OBJECTS:
                size = ShotSize.INSERT
            if size is ShotSize.INSERT:
                move = written_move or CameraMove.STATIC
            elif size is None:  # no camera direction: sized by what it shows
                size, move = self._framing(chunk, words, characters, move, written_move)
            if move is CameraMove.STATIC and not written_move and self.plan.mood == "tense" and characters:
                move = CameraMove.HANDHELD
            draft = self._add(_Draft(size=size, description=chunk, characters=characters, move=move,
                                     action_words=len(words), is_action=True, pov_of=pov_of))
            draft.foley = self._foley(chunk, draft.seconds())
            self._see(characters + ([pov_of] if pov_of else []))

    def _framing(self, chunk: str, words: list[str], characters: list[str], move: CameraMove,
                 written_move: CameraMove | None) -> tuple[ShotSize, CameraMove]:
        if any(c not in self.present for c in characters):  # a character's entrance: medium on them
            return ShotSize.MEDIUM, CameraMove.PUSH_IN if move is CameraMove.STATIC else move
        if _close_subject(words):  # "His hands shake." "Her eyes fill."
            return ShotSize.CLOSE_UP, written_move or (CameraMove.PUSH_IN if _emotional(chunk) else CameraMove.STATIC)
        if move is not CameraMove.STATIC:
            return (ShotSize.MEDIUM if len(characters) == 1 else ShotSize.WIDE), move
        return {2: ShotSize.TWO_SHOT, 1: ShotSize.MEDIUM}.get(len(characters), ShotSize.WIDE), move

    def _move_from_verbs(self, words: set[str]) -> CameraMove:
        if words & TRACKING_VERBS:
            return CameraMove.TRACKING
        if words & PAN_VERBS:
            # the other way from the scene's last pan, so two pans don't repeat; not from the shot's position,
            # which a line that splits a shot before it would change
            last = next((d.move for d in reversed(self.drafts) if d.move in _PANS), CameraMove.PAN_LEFT)
            return CameraMove.PAN_LEFT if last is CameraMove.PAN_RIGHT else CameraMove.PAN_RIGHT
        return CameraMove.STATIC

    def _camera_move(self, text: str) -> CameraMove | None:
        """The first camera move written in capitals ("Camera TILTS UP", "We PULL BACK"), if any."""
        for run in CAPS_RUN.finditer(text):
            tokens = run.group(0).split()
            for i, token in enumerate(tokens):
                if self.cast.is_name_word(token):
                    continue
                forms = base_forms(token)
                following = [t.lower() for t in tokens[i + 1:]]
                for phrase, move in _MOVES:
                    first, *rest = phrase.split()
                    if first in forms and following[: len(rest)] == rest:
                        return move
        return None

    def _lyrics(self, verses: list[Lyrics]) -> None:
        """Consecutive lyric lines: one shot on whoever we were watching, long enough to sing them."""
        characters = list(self.drafts[-1].characters) if self.drafts else []
        words = sum(len(_WORD.findall(v.text)) for v in verses)
        seconds = round(max(MIN_SHOT_SECONDS, words / SINGING_WORDS_PER_SECOND), 2)
        who = ", ".join(self._name_of(c) for c in characters) or "someone"
        self._add(_Draft(size=ShotSize.MEDIUM if characters else ShotSize.WIDE, description=f"{who} sings",
                         characters=characters, move=CameraMove.PUSH_IN, fixed_seconds=seconds))

    def _named(self, text: str) -> list[str]:
        """Characters named in the text, in order; "Mara's sister" alone does not put Mara in frame."""
        found: dict[str, tuple[int, bool]] = {}
        for cid, pattern in self.cast.patterns:
            for match in pattern.finditer(text):
                possessive = text[match.end(): match.end() + 2] in {"'s", "’s", "'S", "’S"}
                if cid not in found or (found[cid][1] and not possessive):
                    found[cid] = (match.start(), possessive)
        if any(not possessive for _, possessive in found.values()):
            found = {c: v for c, v in found.items() if not v[1]}
        return [c for c, _ in sorted(found.items(), key=lambda item: item[1][0])]

    def _sound_runs(self, text: str) -> Iterator[tuple[int, int]]:
        """Spans of capitalised words, split where a character's name stands: "JANE SLAMS" holds "SLAMS"."""
        for match in CAPS_RUN.finditer(text):
            start = end = None
            for word in re.finditer(r"\S+", match.group(0)):
                if self.cast.is_name_word(word.group(0)):
                    if start is not None:
                        yield start, end
                    start = None
                else:
                    start = match.start() + word.start() if start is None else start
                    end = match.start() + word.end()
            if start is not None:
                yield start, end

    def _foley(self, text: str, seconds: float) -> list[FoleyCue]:
        """Sounds written in capitals ("The SCREEN DOOR slides open", "A DOG BARKS", "Thunder RUMBLES",
        "JANE SLAMS the door") at their reading position in the shot."""
        cues: list[FoleyCue] = []
        total = max(1, len(_WORD.findall(text)))
        for start, end in self._sound_runs(text):
            tokens = text[start:end].split()
            if all(t.strip("'’-.") in NOT_SOUNDS or t.strip("'’-.") in CAMERA_WORDS for t in tokens):
                continue
            after = text[end:]
            if re.match(r"\s*\(", after):  # "A DOCKHAND (20s)": an extra being introduced, not a sound
                continue
            if tokens[-1].lower().rstrip("s") in PERSON_NOUNS or tokens[-1].lower() in PERSON_NOUNS:
                continue
            phrase = [t.lower() for t in tokens]
            sound = any(base_forms(t) & SOUND_WORDS for t in phrase)
            if len(tokens) == 1 and sound:  # "Gulls SCREAM": the caps word is the verb; say what makes the sound
                subject = re.search(r"\b([A-Za-z]+)\s+(?:(?:is|are|was|were)\s+)?$", text[:start])
                who = subject.group(1) if subject else ""
                thing = re.match(r"\s+(?:the|a|an|his|her|their|its|my)\s+([a-z]+)", after)
                if who and (self.cast.is_name_word(who) or who.lower() in PRONOUNS):
                    if thing:  # "JANE SLAMS the door": the door slams
                        phrase.insert(0, thing.group(1))
                elif who and who.lower() not in DETERMINERS:
                    phrase.insert(0, who.lower())
            following = re.match(r"\s+([a-z]+)(?:\s+([a-z]+))?", after)
            verb = following.group(1) if following else None
            if verb and (verb.endswith(("s", "ed")) and verb not in {"is", "was", "as", "this", "his", "its"}):
                phrase.append(verb)
                if following.group(2) in SOUND_PARTICLES:
                    phrase.append(following.group(2))
            elif not sound:
                continue
            before = len(_WORD.findall(text[:start]))
            at = round(min(seconds * before / total, max(0.0, seconds - 0.5)), 2)
            cues.append(FoleyCue(what=" ".join(phrase), at=at))
        return cues

    # 4. Dialogue coverage: every block once, in order.
    def _dialogue_run(self, run: list[Dialogue]) -> None:
        on_screen = [self.ids[d.character] for d in run if not d.off_screen and d.character in self.ids]
        speakers = list(dict.fromkeys(on_screen))
        i = 0
        previous_speaker: str | None = None
        while i < len(run):
            line = run[i]
            speaker = self.ids.get(line.character)
            # dual dialogue: both sides in one two-shot
            if line.dual is not None and i + 1 < len(run) and run[i + 1].dual is not None:
                pair = run[i: i + 2]
                chars = [self.ids[d.character] for d in pair if d.character in self.ids and not d.off_screen]
                self._add(_Draft(size=ShotSize.TWO_SHOT, description=self._says(pair), characters=chars,
                                 dialogue=list(pair)))
                self._see(chars)
                previous_speaker = chars[-1] if chars else previous_speaker
                i += 2
                continue
            if line.off_screen:
                self._voice_over(line, speaker)
                i += 1
                continue
            # short back-and-forth between the same two people: one two-shot
            group = self._short_exchange(run, i)
            if len(group) >= 2:
                chars = self._screen_order(list(dict.fromkeys(self.ids[d.character] for d in group)))
                self._add(_Draft(size=ShotSize.TWO_SHOT, description=self._says(group), characters=chars,
                                 dialogue=group))
                self._see(chars)
                previous_speaker = self.ids[group[-1].character]
                i += len(group)
                continue
            listener = self._listener(speaker, speakers)
            emotional = any(_emotional(p) for p in line.parentheticals)
            long_line = len(_WORD.findall(line.text)) > 40
            if emotional:
                size, move = ShotSize.CLOSE_UP, CameraMove.PUSH_IN
            elif listener and previous_speaker and previous_speaker != speaker:
                size, move = ShotSize.OVER_THE_SHOULDER, CameraMove.STATIC
            elif long_line:
                size, move = ShotSize.MEDIUM_CLOSE_UP, CameraMove.PUSH_IN
            else:
                size, move = ShotSize.MEDIUM_CLOSE_UP, CameraMove.STATIC
            if move is CameraMove.STATIC and self.plan.mood == "tense":
                move = CameraMove.HANDHELD
            chars = [speaker] if speaker else []
            if size is ShotSize.OVER_THE_SHOULDER and listener:
                chars.append(listener)
            self._add(_Draft(size=size, description=self._says([line]), characters=chars, move=move,
                             dialogue=[line]))
            self._see(chars)
            previous_speaker = speaker
            i += 1

    def _screen_order(self, characters: list[str]) -> list[str]:
        """Left to right as the scene first showed them, not as they speak: the two keep their sides of the
        frame (the 180-degree rule), and a line that leaves the exchange does not swap them."""
        return sorted(characters, key=lambda c: self.present.index(c) if c in self.present else len(self.present))

    def _short_exchange(self, run: list[Dialogue], start: int) -> list[Dialogue]:
        group: list[Dialogue] = []
        pair: set[str] = set()
        for line in run[start:]:
            short = len(_WORD.findall(line.text)) <= SHORT_LINE_WORDS
            if (not short or line.off_screen or line.dual is not None or line.character not in self.ids
                    or any(_emotional(p) for p in line.parentheticals) or len(group) >= MAX_LINES_PER_TWO_SHOT):
                break
            if len(pair | {line.character}) > 2 or (group and group[-1].character == line.character):
                break
            pair.add(line.character)
            group.append(line)
        return group if len(pair) == 2 else []

    def _listener(self, speaker: str | None, speakers: list[str]) -> str | None:
        others = [c for c in speakers if c != speaker] or [c for c in reversed(self.present) if c != speaker]
        return others[0] if others else None

    def _voice_over(self, line: Dialogue, speaker: str | None) -> None:
        """A V.O. / O.S. speaker is heard, not seen: over the last action shot, or over a reaction shot."""
        last = self.drafts[-1] if self.drafts else None
        if last is not None and last.is_action and self.pending.transition is None:
            last.dialogue.append(line)
            return
        watching = [c for c in (last.characters if last else self.present) if c != speaker]
        size = ShotSize.MEDIUM_CLOSE_UP if len(watching) == 1 else ShotSize.MEDIUM if watching else ShotSize.WIDE
        what = f"{', '.join(self._name_of(c) for c in watching)} listens" if watching else self._location()
        self._add(_Draft(size=size, description=f"{what}; {line.cue} is heard", characters=watching,
                         move=CameraMove.PUSH_IN if watching else CameraMove.STATIC, dialogue=[line]))

    def _name_of(self, cid: str) -> str:
        return self.cast.names[cid]

    def _location(self) -> str:
        return self.scene.heading.location if self.scene.heading else "the scene"

    @staticmethod
    def _says(lines: list[Dialogue]) -> str:
        """A caption for a dialogue shot: who speaks and how; never the words themselves (invariant 1)."""
        parts = []
        for line in lines:
            how = " ".join(p.strip("()") for p in line.parentheticals)
            parts.append(f"{line.cue} speaks" + (f" ({how})" if how else ""))
        return "; ".join(parts)

    # 5. Drafts become shots: prompts and durations here, ids and seeds in number_shots.
    def _shot(self, draft: _Draft) -> Shot:
        seconds = draft.seconds()
        foley = [cue for cue in draft.foley if cue.at < seconds]
        return Shot(
            id="pending",
            scene=self.scene.id,
            size=draft.size,
            angle=draft.angle,
            move=draft.move,
            characters=draft.characters,
            description=draft.description,
            prompt=self._prompt(draft),
            dialogue=[line.id for line in draft.dialogue],
            foley=foley,
            transition=draft.transition,
            min_duration=seconds,
            seed=0,
        )

    def _prompt(self, draft: _Draft) -> str:
        heading = self.scene.heading
        place = ""
        if heading is not None:
            kind = "interior and exterior" if heading.place == "INT/EXT" else {
                True: "interior", False: "exterior", None: ""}[_interior(heading)]
            place = f"{kind} {heading.location.lower()}".strip()
        time = self.plan.time_of_day if self.plan.time_of_day != "unspecified" else ""
        light = ", ".join(p for p in (time, self.plan.lighting) if p)
        looks = "; ".join(f"{self._name_of(c).title()}: {self.cast.looks[c]}" for c in draft.characters)
        size = draft.size.value if draft.size.value.endswith("shot") else f"{draft.size.value} shot"
        parts = [self.style, size, f"{draft.angle.value} angle", place, light, looks,
                 draft.description]
        return ", ".join(p for p in parts if p)


def number_shots(scene_id: str, shots: list[Shot]) -> list[Shot]:
    """One scene's shots, in order, with their ids and seeds; both directors number their shots here.

    Ids stay ordinal (sc012-sh01, sh02, ... with no gaps) because people read them: the shot list, OTIO clip
    names, slates and review notes. Anchoring them to screenplay elements would buy little: element ids are
    positional too, and the ids would skip numbers and need suffixes where one paragraph makes several shots.
    What renders a shot must not depend on its ordinal instead: the seed comes from what the shot is (its
    scene, size, characters, description and the lines it covers), so when a lengthened line splits a two-shot
    and renumbers the shots after it, they keep their seeds and their frames.
    """
    out = []
    seen: dict[str, int] = {}
    for n, shot in enumerate(shots, start=1):
        identity = json.dumps([scene_id, shot.size.value, shot.characters, shot.description, shot.dialogue])
        seen[identity] = seen.get(identity, 0) + 1
        if seen[identity] > 1:  # the same shot again ("He waits." twice): another take, not the same frame
            identity += f"#{seen[identity]}"
        out.append(shot.model_copy(update={"id": f"{scene_id}-sh{n:02d}", "scene": scene_id,
                                           "seed": zlib.crc32(identity.encode())}))
    return out


def _chunks(text: str) -> list[str]:
    """An action paragraph as shot-sized pieces: whole sentences, at most MAX_ACTION_WORDS_PER_SHOT words each;
    a sentence that opens with a camera direction ("CLOSE ON ...", "BACK TO SCENE") starts a new shot."""
    text = " ".join(text.split())
    sentences = [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"'(])", text) if s]
    chunks: list[str] = []
    current: list[str] = []
    count = 0
    for sentence in sentences:
        n = len(_WORD.findall(sentence))
        if current and (count + n > MAX_ACTION_WORDS_PER_SHOT or SIZE_DIRECTION.match(sentence)
                        or RETURN_DIRECTION.match(sentence)):
            chunks.append(" ".join(current))
            current, count = [], 0
        current.append(sentence)
        count += n
    if current:
        chunks.append(" ".join(current))
    return chunks or [text]
