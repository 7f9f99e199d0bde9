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

import hashlib
import ipaddress
import json
import logging
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypedDict
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError

from shotgraph.config import PlannerSettings
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
from shotgraph.director.llm.prompts import (
    PROMPT_VERSION,
    BibleAnswer,
    SceneAnswer,
    bible_messages,
    response_format,
    retry_message,
    scene_messages,
    schema_instruction,
)
from shotgraph.director.rules import breakdown, line_seconds, number_shots
from shotgraph.director.screenplay.model import Dialogue, Scene, Screenplay
from shotgraph.director.validate import validate
from shotgraph.errors import LLMError, PlanError

log = logging.getLogger(__name__)

LOCAL_KEY = "not-needed"  # local servers (Ollama, llama.cpp, vLLM) accept any key
MAX_PROBLEMS = 12  # per re-ask: enough to fix an answer, short enough to keep the conversation small


class TokenUsage(TypedDict):
    prompt_tokens: int
    completion_tokens: int


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
    chat = _Chat(_client(settings, client), settings, _Cache(cache_dir) if cache_dir else None)

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
        cast = [{"id": c.id, "name": c.name, "look": c.look} for c in characters]
        context = _SceneContext(chat, screenplay, baseline, rules.entries, film_style, cast, known_problems)
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


# --- the endpoint ------------------------------------------------------------------------------------------


def _is_local(base_url: str) -> bool:
    host = urlsplit(base_url).hostname or ""
    if host == "localhost" or host.endswith((".localhost", ".local")) or "." not in host:
        return True  # "." absent: a container or LAN name such as http://ollama:11434
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private


def _client(settings: PlannerSettings, client: Any) -> Any:
    if client is None:
        from openai import OpenAI

        key = os.environ.get(settings.api_key_env)
        if not key:
            if settings.base_url is None or not _is_local(settings.base_url):
                endpoint = settings.base_url or "api.openai.com"
                raise LLMError(
                    f"planner: environment variable {settings.api_key_env} is not set; {endpoint} needs an API key "
                    "(set it, or name another variable with planner.api_key_env)"
                )
            key = LOCAL_KEY
        client = OpenAI(api_key=key, base_url=settings.base_url)
    # The settings rule either way: the SDK retries 408/409/429/5xx and timeouts with exponential backoff.
    return client.with_options(timeout=settings.timeout_s, max_retries=settings.http_retries)


class _CallFailed(Exception):
    """The endpoint gave no answer after the client's retries: the caller falls back to rules."""


@dataclass
class _Reply:
    content: str | None
    refusal: str | None
    finish_reason: str | None = None


class _Cache:
    """Answers stored as JSON files named by the hash of the request. Writes are atomic (temp file + rename)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def get(self, key: str) -> _Reply | None:
        path = self.folder / f"{key}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return _Reply(content=data["content"], refusal=data["refusal"], finish_reason=data.get("finish_reason"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("planner cache: ignoring unreadable %s (%s)", path, exc)
            return None

    def put(self, key: str, reply: _Reply, usage: TokenUsage) -> None:
        text = json.dumps({**asdict(reply), "usage": usage}, ensure_ascii=False)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=self.folder, suffix=".tmp", delete=False) as f:
            f.write(text)
        os.replace(f.name, self.folder / f"{key}.json")


class _Chat:
    """Sends chat requests (or answers them from the cache) and keeps the counts. Shared by the scene threads."""

    def __init__(self, client: Any, settings: PlannerSettings, cache: _Cache | None):
        self.client = client
        self.settings = settings
        self.cache = cache
        self.calls = self.cached_calls = self.prompt_tokens = self.completion_tokens = 0
        self._lock = threading.Lock()

    def ask(self, label: str, messages: list[dict[str, str]], answer: type[BaseModel]) -> _Reply:
        s = self.settings
        request = {
            "model": s.model,
            "messages": messages,
            "temperature": s.temperature,
            "response_format": response_format(answer, s.strict_schema),
        }
        key_fields = {"prompt_version": PROMPT_VERSION, "base_url": s.base_url, **request}
        key = hashlib.sha256(json.dumps(key_fields, sort_keys=True).encode("utf-8")).hexdigest()[:40]
        if self.cache and (cached := self.cache.get(key)) is not None:
            with self._lock:
                self.cached_calls += 1
            log.debug("planner %s: cached answer %s", label, key)
            return cached

        with self._lock:
            self.calls += 1
        completion = self._send(label, request)
        usage = TokenUsage(
            prompt_tokens=getattr(completion.usage, "prompt_tokens", 0) or 0,
            completion_tokens=getattr(completion.usage, "completion_tokens", 0) or 0,
        )
        with self._lock:
            self.prompt_tokens += usage["prompt_tokens"]
            self.completion_tokens += usage["completion_tokens"]
        log.info("planner %s: %d prompt + %d completion tokens", label, *usage.values())
        choice = completion.choices[0] if completion.choices else None
        message = getattr(choice, "message", None)
        reply = _Reply(
            content=getattr(message, "content", None),
            refusal=getattr(message, "refusal", None),
            finish_reason=getattr(choice, "finish_reason", None),
        )
        if self.cache:
            self.cache.put(key, reply, usage)
        return reply

    def _send(self, label: str, request: dict[str, Any]) -> Any:
        import openai

        s = self.settings
        endpoint = s.base_url or "api.openai.com"
        retries = f"{s.http_retries} {'retry' if s.http_retries == 1 else 'retries'}"
        try:
            return self.client.chat.completions.create(**request)
        except openai.APITimeoutError:
            raise _CallFailed(f"{endpoint} did not answer within {s.timeout_s:g} s ({retries})") from None
        except openai.APIConnectionError as exc:
            raise LLMError(f"planner: cannot reach {endpoint} ({retries}): {exc}") from None
        except openai.APIStatusError as exc:
            body = exc.body if isinstance(exc.body, dict) else {}
            detail = body.get("message") or exc.message  # the server's own words, without the SDK's prefix
            if exc.status_code in (408, 409, 429) or exc.status_code >= 500:
                raise _CallFailed(f"{endpoint} answered HTTP {exc.status_code} ({retries}): {detail}") from None
            hint = ""
            if exc.status_code == 400 and s.strict_schema:
                hint = " (if the server lacks json_schema structured output, set planner.strict_schema = false)"
            raise LLMError(
                f"planner: {endpoint} rejected the request for {label}: HTTP {exc.status_code} {detail}{hint}"
            ) from None


# --- checking answers --------------------------------------------------------------------------------------

# A file path or URL in a text field: nothing the director writes may point outside the plan.
_PATH = re.compile(r"(?:^|[\s\"'(=])(?:~?/|\.\.?/|[A-Za-z]:\\)[\w.~-]|[A-Za-z][A-Za-z0-9+.-]*://|\\\\\w")


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _strings(getattr(value, name), f"{where}.{name}" if where else name)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, f"{where}[{i}]")


def _path_problems(answer: BaseModel) -> list[str]:
    return [
        f"{where}: contains a file path or URL ({text.strip()[:60]!r}); text fields describe pictures and sounds only"
        for where, text in _strings(answer, "")
        if _PATH.search(text)
    ]


_WORD = re.compile(r"[\w']+")
# This many consecutive words of a dialogue line in a text field count as quoting it. Shorter runs ("I know",
# "come on") occur in any description; four words rarely do by chance.
QUOTE_WORDS = 4


def _grams(text: str) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    return {tuple(words[i : i + QUOTE_WORDS]) for i in range(len(words) - QUOTE_WORDS + 1)}


def _quote_problems(scene: Scene, answer: SceneAnswer) -> list[str]:
    """Dialogue copied, whole or in part, into the answer's text fields (invariant 1: the plan never holds words)."""
    lines = [(e.id, _grams(e.text)) for e in scene.elements if isinstance(e, Dialogue)]
    problems = []
    for where, text in _strings(answer, ""):
        grams = _grams(text)
        problems += [
            f"{where}: quotes dialogue {line_id}; never write dialogue, refer to it by id only"
            for line_id, line_grams in lines
            if grams & line_grams
        ]
    return problems


def _parse(reply: _Reply, answer: type[BaseModel]) -> tuple[BaseModel | None, list[str]]:
    """The answer model, or the problems to send back."""
    if reply.refusal:
        return None, [f"the model refused: {reply.refusal.strip()[:200]}"]
    if not reply.content or not reply.content.strip():
        return None, ["the answer was empty; a JSON object was expected"]
    try:
        parsed = answer.model_validate_json(reply.content)
    except ValidationError as exc:
        problems = [f"{'.'.join(map(str, e['loc'])) or 'answer'}: {e['msg']}" for e in exc.errors()]
        if reply.finish_reason == "length":
            problems.insert(0, "the answer was cut off at the token limit; answer more briefly")
        return None, problems[:MAX_PROBLEMS]
    problems = _path_problems(parsed)
    return (None, problems) if problems else (parsed, [])


def _ask_until_valid(
    chat: _Chat,
    label: str,
    messages: list[dict[str, str]],
    answer: type[BaseModel],
    accept: Callable[[Any], tuple[Any, list[str]]],
    note: str = "",
) -> tuple[Any, list[str], int]:
    """Ask, check with `accept(parsed) -> (result, problems)`, re-ask with the problems up to `retries` times.
    Returns (result or None, last problems, answers received). Raises _CallFailed."""
    if not chat.settings.strict_schema:
        messages = [*messages[:-1], {**messages[-1], "content": messages[-1]["content"] + schema_instruction(answer)}]
    problems: list[str] = []
    for attempt in range(1, chat.settings.retries + 2):
        reply = chat.ask(f"{label} (answer {attempt})", messages, answer)
        parsed, problems = _parse(reply, answer)
        if parsed is not None:
            result, problems = accept(parsed)
            if not problems:
                return result, [], attempt
        log.info("planner %s: answer %d rejected: %s", label, attempt, "; ".join(problems))
        said = reply.content if reply.content is not None else (reply.refusal or "")
        messages = [*messages, {"role": "assistant", "content": said}, retry_message(problems[:MAX_PROBLEMS], note)]
    return None, problems, chat.settings.retries + 1


# --- the bible ---------------------------------------------------------------------------------------------


def _plan_bible(
    chat: _Chat, screenplay: Screenplay, baseline: FilmPlan, style: str | None, report: list[str]
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
        result, problems, answers = _ask_until_valid(chat, "bible", messages, BibleAnswer, accept)
    except _CallFailed as exc:
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
    chat: _Chat
    screenplay: Screenplay
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
            result, problems, answers = _ask_until_valid(
                self.chat, scene_id, messages, SceneAnswer, lambda a: self._accept(scene, a), note
            )
        except _CallFailed as exc:
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
        if problems := _quote_problems(scene, answer):
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
                foley=[FoleyCue(what=f.what, at=f.at) for f in s.foley],
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
        shots = number_shots(scene.id, shots)
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
