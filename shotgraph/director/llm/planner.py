"""The LLM director: plans a film through any OpenAI-compatible chat endpoint.

One call writes the character bible (looks, voices, the film's style); then one call per scene, run
`settings.concurrency` at a time, returns that scene's look and shots as structured output. Our code assigns
every id and seed, and checks each answer against the screenplay with `validate()`; a rejected answer goes back
to the model with the problems for `settings.retries` re-asks, after which that scene (or the bible) falls back
to the rule-based director and `report` says so. Answers are cached by the exact request, so planning the same
script again costs no calls.

Where the screenplay writes a transition into a scene (DISSOLVE TO:, SMASH CUT TO:, FADE IN:), the scene's first
shot takes it whatever the model answered; the film's ending (FADE OUT.) is the rule-based director's reading.
A shot's min_duration is never less than the speaking time of its lines at the rule-based director's documented
rates (`line_seconds`): a shorter number from the model is raised to it, so the estimated running time follows
the words. A scene with nothing to film (an opening of only FADE IN: or notes) costs no call.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shotgraph.config import PlannerSettings
from shotgraph.director.llm.chat import (
    AnswerCache,
    CallFailed,
    Chat,
    TokenUsage,
    ask_until_valid,
    make_client,
)
from shotgraph.director.llm.checks import quote_problems, speech_problems
from shotgraph.director.llm.prompts import (
    BibleAnswer,
    SceneAnswer,
    bible_messages,
    scene_messages,
)
from shotgraph.director.nonverbal import spoken_cues, with_vocal
from shotgraph.director.plan import (
    CharacterPlan,
    FilmPlan,
    FoleyCue,
    MusicCue,
    ScenePlan,
    Shot,
    TransitionKind,
    Voice,
)
from shotgraph.director.rules.breakdown import breakdown
from shotgraph.director.rules.numbering import SceneAnchor, number_shots, scene_anchors
from shotgraph.director.rules.timing import line_seconds
from shotgraph.director.screenplay.model import Dialogue, Scene, Screenplay
from shotgraph.director.validate import validate
from shotgraph.errors import LLMError, PlanError

log = logging.getLogger(__name__)

@dataclass
class LLMPlanResult:
    plan: FilmPlan
    report: list[str] = field(default_factory=list)
    calls: int = 0  # requests sent to the endpoint (the client's own HTTP retries not counted)
    cached_calls: int = 0  # answers taken from the cache instead
    usage: TokenUsage = field(default_factory=lambda: TokenUsage(prompt_tokens=0, completion_tokens=0))


def plan_with_llm(
    screenplay: Screenplay,
    settings: PlannerSettings,
    *,
    cache_dir: Path | None = None,
    style: str | None = None,
    client: Any = None,
) -> LLMPlanResult:
    """Plan `screenplay` with the chat model in `settings`; `client` is an `openai.OpenAI` to use instead of one
    built from the settings."""
    # 1. Check inputs and connect
    if not settings.model:
        raise LLMError("planner.model is not set: name the chat model, e.g. model = \"gpt-4.1-mini\"")
    chat = Chat(make_client(settings, client), settings, AnswerCache(cache_dir) if cache_dir else None)

    # 2. The rule-based plan: character ids, the scenes to plan, the written transitions, and every fallback
    rules = breakdown(screenplay, style=style)
    baseline = rules.plan
    known_problems = set(validate(baseline, screenplay))
    report: list[str] = []

    pool = ThreadPoolExecutor(max_workers=settings.concurrency, thread_name_prefix="planner")
    try:
        # 3. The character bible
        characters, film_style = _plan_bible(chat, screenplay, baseline, style, report)

        # 4. One call per scene, a bounded number at once
        # by name, not by first appearance: a scene inserted before leaves every other scene's question as it was
        cast = [{"id": c.id, "name": c.name, "look": c.look} for c in sorted(characters, key=lambda c: c.name)]
        context = _SceneContext(chat, screenplay, scene_anchors(screenplay), baseline, rules.entries, film_style, cast,
                                known_problems)
        outcomes = list(pool.map(context.plan_scene, [s.id for s in baseline.scenes]))
    finally:
        pool.shutdown(cancel_futures=True)  # an LLMError in one scene stops the scenes not yet started
        if client is None:
            chat.client.close()  # the connections of the client we opened

    # 5. Assemble and check the whole film
    plan = FilmPlan(
        title=baseline.title,
        style=film_style,
        characters=characters,
        scenes=[o.scene for o in outcomes],
        shots=[shot for o in outcomes for shot in o.shots],
        ending=baseline.ending,
    )
    for outcome in outcomes:
        report.extend(outcome.notes)
    log.info("planner: %d calls, %d cached, %d prompt + %d completion tokens",
             chat.calls, chat.cached_calls, chat.prompt_tokens, chat.completion_tokens)
    problems = validate(plan, screenplay)
    if problems:
        raise PlanError(problems, source=f"{screenplay.source} (LLM plan)")
    return LLMPlanResult(
        plan=plan,
        report=report,
        calls=chat.calls,
        cached_calls=chat.cached_calls,
        usage=TokenUsage(prompt_tokens=chat.prompt_tokens, completion_tokens=chat.completion_tokens),
    )


# --- the bible ---------------------------------------------------------------------------------------------


def _plan_bible(
    chat: Chat, screenplay: Screenplay, baseline: FilmPlan, style: str | None, report: list[str]
) -> tuple[list[CharacterPlan], str]:
    """Looks and voices for the rule-based director's characters (keeping their ids), and the film's style."""
    names = {c.name: c for c in baseline.characters}

    def accept(answer: BibleAnswer) -> tuple[tuple[list[CharacterPlan], str] | None, list[str]]:
        given: dict[str, Any] = {}
        problems = []
        for c in answer.characters:
            if c.name not in names:
                problems.append(f"characters: {c.name!r} is not a character of the screenplay; use {sorted(names)}")
            elif c.name in given:
                problems.append(f"characters: {c.name} appears twice")
            given[c.name] = c
        problems += [f"characters: {name} is missing" for name in names if name not in given]
        if problems:
            return None, problems
        characters = [
            CharacterPlan(id=base.id, name=name, look=given[name].look, voice=Voice(**given[name].voice.model_dump()))
            for name, base in names.items()  # reference_image and voice_sample are the user's, never the model's
        ]
        return (characters, style or answer.style), []

    if not names and style:
        return [], style  # nothing to ask
    try:
        messages = bible_messages(screenplay, style)
        result, problems, answers = ask_until_valid(chat, "bible", messages, BibleAnswer, accept)
    except CallFailed as exc:
        note = f"bible: fell back to rules: {exc}"
    else:
        if result is not None:
            if answers > 1:
                report.append(f"bible: accepted answer {answers} after re-asking")
            return result
        note = f"bible: fell back to rules after {answers} invalid answers: {problems[-1]}"
    log.warning("planner %s", note)
    report.append(note)
    return baseline.characters, baseline.style


# --- the scenes --------------------------------------------------------------------------------------------


@dataclass
class _SceneOutcome:
    scene: ScenePlan
    shots: list[Shot]
    notes: list[str]


@dataclass
class _SceneContext:
    chat: Chat
    screenplay: Screenplay
    anchors: dict[str, SceneAnchor]  # scene id -> where its seeds start
    baseline: FilmPlan
    entries: dict[str, TransitionKind]  # the screenplay's transitions into scenes
    style: str
    cast: list[dict[str, str]]
    known_problems: set[str]  # the rule-based plan's own, if any: not this scene's doing

    def plan_scene(self, scene_id: str) -> _SceneOutcome:
        scene = next(s for s in self.screenplay.scenes if s.id == scene_id)
        if not any(s.scene == scene_id for s in self.baseline.shots):
            # Nothing to film (every dialogue line gets a shot, so no dialogue either): FADE IN:, notes, a title.
            return self._fallback(scene_id, None)
        messages = scene_messages(scene, self.baseline.title, self.style, self.cast, self.entries.get(scene_id))
        try:
            note = f"Shot '{scene_id}-shNN' is shots[NN-1] of your answer."
            result, problems, answers = ask_until_valid(
                self.chat, scene_id, messages, SceneAnswer, lambda a: self._accept(scene, a), note, scope=scene_id
            )
        except CallFailed as exc:
            return self._fallback(scene_id, f"{scene_id}: fell back to rules: {exc}")
        if result is None:
            reason = f"after {answers} invalid answers: {problems[-1]}"
            return self._fallback(scene_id, f"{scene_id}: fell back to rules {reason}")
        scene_plan, shots = result
        notes = [f"{scene_id}: accepted answer {answers} after re-asking"] if answers > 1 else []
        return _SceneOutcome(scene_plan, shots, notes)

    def _accept(self, scene: Scene, answer: SceneAnswer) -> tuple[tuple[ScenePlan, list[Shot]] | None, list[str]]:
        if not answer.shots:
            return None, ["shots: the scene needs at least one shot"]
        if problems := quote_problems(scene, answer) + speech_problems(answer):
            return None, problems
        look = answer.scene
        lines = {e.id: e for e in scene.elements if isinstance(e, Dialogue)}
        scene_plan = ScenePlan(
            id=scene.id,
            mood=look.mood,
            lighting=look.lighting,
            time_of_day=look.time_of_day,
            music=MusicCue(**look.music.model_dump()),
            ambience=look.ambience,
        )
        shots = [
            Shot(
                id="pending",
                scene=scene.id,
                size=s.size,
                angle=s.angle,
                move=s.move,
                characters=s.characters,
                description=s.description,
                prompt=s.prompt,
                dialogue=s.dialogue,
                foley=with_vocal([FoleyCue(what=f.what, at=f.at) for f in s.foley], spoken_cues(
                    [lines[i] for i in s.dialogue if i in lines])),
                transition=s.transition,
                # never shorter than its lines take to say: the running time follows the words
                min_duration=max(s.min_duration, round(sum(line_seconds(lines[i]) for i in s.dialogue
                                                           if i in lines), 2)),
                seed=0,
            )
            for s in answer.shots
        ]
        if (entry := self.entries.get(scene.id)) is not None and shots[0].transition is not entry:
            log.info("planner %s: the screenplay's %s into the scene replaces the answer's %s",
                     scene.id, entry.value, shots[0].transition.value)
            shots[0] = shots[0].model_copy(update={"transition": entry})
        shots = number_shots(scene.id, self.anchors[scene.id], shots)
        found = validate(self._with_scene(scene_plan, shots), self.screenplay)
        problems = [p for p in found if p not in self.known_problems]
        return ((scene_plan, shots), []) if not problems else (None, problems)

    def _with_scene(self, scene_plan: ScenePlan, shots: list[Shot]) -> FilmPlan:
        """The rule-based film with this one scene replaced: what validate() finds wrong is this scene's doing."""
        scenes = [scene_plan if s.id == scene_plan.id else s for s in self.baseline.scenes]
        order = {s.id: i for i, s in enumerate(self.screenplay.scenes)}
        others = [s for s in self.baseline.shots if s.scene != scene_plan.id]
        # in screenplay order, also where the rule-based plan gave this scene no shots to stand in for
        position = next((i for i, s in enumerate(others) if order[s.scene] > order[scene_plan.id]), len(others))
        shots = others[:position] + shots + others[position:]
        return self.baseline.model_copy(update={"scenes": scenes, "shots": shots})

    def _fallback(self, scene_id: str, note: str | None) -> _SceneOutcome:
        if note:
            log.warning("planner %s", note)
        shots = [s for s in self.baseline.shots if s.scene == scene_id]  # numbered as the rules number them
        return _SceneOutcome(self.baseline.scene(scene_id), shots, [note] if note else [])
