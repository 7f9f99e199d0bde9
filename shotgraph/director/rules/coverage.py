"""Coverage: one scene's elements turned into shots, in order; every dialogue block covered exactly once
(invariant 1) by singles, over-the-shoulders, two-shots or voice-over.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shotgraph.director.lexicon import (
    INSERT_OBJECTS,
    PAN_VERBS,
    RETURN_DIRECTION,
    SIZE_DIRECTION,
    SIZE_DIRECTIONS,
    STANDALONE_TRANSITION,
    TRACKING_VERBS,
)
from shotgraph.director.nonverbal import action_cues, spoken_cues, with_vocal
from shotgraph.director.plan import (
    CameraAngle,
    CameraMove,
    FoleyCue,
    ScenePlan,
    Shot,
    ShotSize,
    TransitionKind,
)
from shotgraph.director.rules.cast import Cast
from shotgraph.director.rules.directions import (
    camera_move,
    close_subject,
    foley_cues,
    is_emotional,
    named,
    transition_kind,
)
from shotgraph.director.rules.numbering import SceneAnchor, shot_numbers
from shotgraph.director.rules.scenes import interior_of
from shotgraph.director.rules.timing import (
    ACTION_WORDS_PER_SECOND,
    ESTABLISHING_SECONDS,
    MAX_LINES_PER_TWO_SHOT,
    MIN_SHOT_SECONDS,
    SHORT_LINE_WORDS,
    SINGING_WORDS_PER_SECOND,
    WORD,
    first_words,
    line_seconds,
    shot_chunks,
    word_list,
)
from shotgraph.director.screenplay.model import (
    Action,
    Dialogue,
    Lyrics,
    Scene,
    Transition,
)


@dataclass
class Pending:
    """A transition waiting for the next shot (it may cross a scene boundary), and the scenes it opened."""

    transition: TransitionKind | None = None
    entries: dict[str, TransitionKind] = field(default_factory=dict)


@dataclass
class Draft:
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


_PRONOUN_SUBJECTS = {"he", "she", "they", "his", "her", "their"}
_VAST_PLACES = frozenset({"harbour", "harbor", "city", "sea", "ocean", "desert", "field", "fields", "valley",
                          "mountains", "coast", "skyline", "town", "highway", "bay", "lake", "plains"})
_CRAMPED_PLACES = frozenset({"car", "bathroom", "closet", "booth", "cab", "elevator", "lift", "cupboard", "cell",
                             "truck", "van", "phone", "toilet", "cockpit"})
_PANS = (CameraMove.PAN_LEFT, CameraMove.PAN_RIGHT)



class SceneBreakdown:
    """Turns one scene's elements into shots, in order."""

    def __init__(self, scene: Scene, anchor: SceneAnchor, plan: ScenePlan, cast: Cast, style: str,
                 pending: Pending):
        self.scene = scene
        self.anchor = anchor  # the scene's seeds start here (numbering.scene_anchors)
        self.plan = plan
        self.cast = cast
        self.ids = cast.ids
        self.style = style
        self.pending = pending
        self.drafts: list[Draft] = []
        self.present: list[str] = []  # character ids seen on screen in this scene, in order of appearance
        self.setting = self._setting()

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
        numbers = shot_numbers(self.scene.id, self.anchor, ((d.size, d.characters, d.description,
                                                             [ln.id for ln in d.dialogue]) for d in self.drafts))
        return [self._shot(draft, shot_id, seed) for draft, (shot_id, seed) in zip(self.drafts, numbers)]

    def _add(self, draft: Draft) -> Draft:
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
        location_words = set(word_list(heading.location))
        vast = location_words & _VAST_PLACES
        cramped = location_words & _CRAMPED_PLACES
        if interior_of(heading) is False:
            size = ShotSize.EXTREME_WIDE if vast else ShotSize.WIDE
            move = CameraMove.CRANE if vast else CameraMove.PAN_RIGHT
            angle = CameraAngle.HIGH if vast else CameraAngle.EYE_LEVEL
        else:
            size = ShotSize.MEDIUM if cramped else ShotSize.WIDE
            move, angle = CameraMove.STATIC, CameraAngle.EYE_LEVEL
        self._add(Draft(size=size, description=heading.text, move=move, angle=angle,
                         fixed_seconds=ESTABLISHING_SECONDS))

    # 3. Action: a shot per paragraph (or per few sentences of a long one), framed as the screenplay's camera
    #    directions say ("CLOSE ON ...", "MARA'S POV", "We PULL BACK"), or else sized by what it describes.
    def _action(self, element: Action) -> None:
        for chunk in shot_chunks(element.text):
            if returned := RETURN_DIRECTION.match(chunk):  # "BACK TO SCENE": the master again, not a shot
                chunk = chunk[returned.end():]
                if not chunk:
                    continue
            direction = SIZE_DIRECTION.match(chunk)
            subject = chunk[direction.end():] if direction else chunk  # what the direction points at
            size = SIZE_DIRECTIONS[direction["direction"]] if direction else None
            pov_of = self.cast.by_caps.get(direction["owner"] or "") if size is ShotSize.POV else None
            characters = [c for c in named(chunk, self.cast) if c != pov_of]
            words = word_list(chunk)
            subject_words = first_words(subject, 4)
            last = self.drafts[-1] if self.drafts else None
            if (not characters and last and subject_words and subject_words[0] in _PRONOUN_SUBJECTS
                    and size not in (ShotSize.POV, ShotSize.INSERT)):
                # "He sits." or "CLOSE ON her eye." keeps whoever we were watching, or through whose eyes
                characters = list(last.characters) or ([last.pov_of] if last.pov_of else [])
            written_move = camera_move(chunk, self.cast)
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
            draft = self._add(Draft(size=size, description=chunk, characters=characters, move=move,
                                     action_words=len(words), is_action=True, pov_of=pov_of))
            draft.foley = with_vocal(foley_cues(chunk, draft.seconds(), self.cast), action_cues(
                chunk, [self._name_of(c) for c in characters + ([pov_of] if pov_of else [])], draft.seconds()))
            self._see(characters + ([pov_of] if pov_of else []))

    def _framing(self, chunk: str, words: list[str], characters: list[str], move: CameraMove,
                 written_move: CameraMove | None) -> tuple[ShotSize, CameraMove]:
        if any(c not in self.present for c in characters):  # a character's entrance: medium on them
            return ShotSize.MEDIUM, CameraMove.PUSH_IN if move is CameraMove.STATIC else move
        if close_subject(words):  # "His hands shake." "Her eyes fill."
            return ShotSize.CLOSE_UP, written_move or (CameraMove.PUSH_IN if is_emotional(chunk) else CameraMove.STATIC)
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

    def _lyrics(self, verses: list[Lyrics]) -> None:
        """Consecutive lyric lines: one shot on whoever we were watching, long enough to sing them."""
        characters = list(self.drafts[-1].characters) if self.drafts else []
        words = sum(len(WORD.findall(v.text)) for v in verses)
        seconds = round(max(MIN_SHOT_SECONDS, words / SINGING_WORDS_PER_SECOND), 2)
        who = ", ".join(self._name_of(c) for c in characters) or "someone"
        self._add(Draft(size=ShotSize.MEDIUM if characters else ShotSize.WIDE, description=f"{who} sings",
                         characters=characters, move=CameraMove.PUSH_IN, fixed_seconds=seconds))




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
                self._add(Draft(size=ShotSize.TWO_SHOT, description=self._says(pair), characters=chars,
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
                self._add(Draft(size=ShotSize.TWO_SHOT, description=self._says(group), characters=chars,
                                 dialogue=group))
                self._see(chars)
                previous_speaker = self.ids[group[-1].character]
                i += len(group)
                continue
            listener = self._listener(speaker, speakers)
            emotional = any(is_emotional(p) for p in line.parentheticals)
            long_line = len(WORD.findall(line.text)) > 40
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
            self._add(Draft(size=size, description=self._says([line]), characters=chars, move=move,
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
        for line in run[start: start + MAX_LINES_PER_TWO_SHOT + 1]:  # never the rest of a long run: linear
            short = len(WORD.findall(line.text)) <= SHORT_LINE_WORDS
            if (not short or line.off_screen or line.dual is not None or line.character not in self.ids
                    or any(is_emotional(p) for p in line.parentheticals) or len(group) >= MAX_LINES_PER_TWO_SHOT):
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
        self._add(Draft(size=size, description=f"{what}; {line.cue} is heard", characters=watching,
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

    # 5. Drafts become shots: prompts and durations here, ids and seeds from shot_numbers.
    def _shot(self, draft: Draft, shot_id: str, seed: int) -> Shot:
        seconds = draft.seconds()
        foley = [cue for cue in with_vocal(draft.foley, spoken_cues(draft.dialogue)) if cue.at < seconds]
        return Shot(
            id=shot_id,
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
            seed=seed,
        )

    def _prompt(self, draft: Draft) -> str:
        looks = "; ".join(f"{self._name_of(c).title()}: {self.cast.looks[c]}" for c in draft.characters)
        size = draft.size.value if draft.size.value.endswith("shot") else f"{draft.size.value} shot"
        parts = [self.style, size, f"{draft.angle.value} angle", self.setting, looks, draft.description]
        return ", ".join(p for p in parts if p)

    def _setting(self) -> str:
        """The scene's place and light, the same in each of its shots' prompts."""
        heading = self.scene.heading
        place = ""
        if heading is not None:
            kind = "interior and exterior" if heading.place == "INT/EXT" else {
                True: "interior", False: "exterior", None: ""}[interior_of(heading)]
            place = f"{kind} {heading.location.lower()}".strip()
        time = self.plan.time_of_day if self.plan.time_of_day != "unspecified" else ""
        return ", ".join(p for p in (place, time, self.plan.lighting) if p)
