"""The chat with an OpenAI-compatible endpoint: the client, the answer cache, and asking until an answer is valid.

The endpoint's errors that a retry cannot fix raise LLMError; answers are cached by the exact request, so the
same question is never sent twice. A scene's question names its ordinal ids (sc004, sc004-e002); it is cached
with them written as SCENE, so the same scene asked about under another number (a scene inserted before it) is
the same question, and its answer comes back with the ids it has now.
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
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypedDict
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError

from shotgraph.config import PlannerSettings
from shotgraph.director.llm.checks import path_problems
from shotgraph.director.llm.prompts import (
    PROMPT_VERSION,
    response_format,
    retry_message,
    schema_instruction,
)
from shotgraph.errors import LLMError

log = logging.getLogger(__name__)

LOCAL_KEY = "not-needed"  # local servers (Ollama, llama.cpp, vLLM) accept any key
MAX_PROBLEMS = 12  # per re-ask: enough to fix an answer, short enough to keep the conversation small
SCENE = "{scene}"  # what a scene's own id is cached as


def _unscoped(text: str | None, scope: str | None) -> str | None:
    """`text` with the scene id `scope` written as SCENE (ids are letters and digits: never part of a longer one)."""
    if text is None or scope is None:
        return text
    return re.sub(rf"(?<!\w){re.escape(scope)}(?!\w)", SCENE, text)


def _scoped(text: str | None, scope: str | None) -> str | None:
    """The inverse of `_unscoped`: SCENE written as the scene id `scope`."""
    return text if text is None or scope is None else text.replace(SCENE, scope)


class TokenUsage(TypedDict):
    prompt_tokens: int
    completion_tokens: int


def _is_local(base_url: str) -> bool:
    host = urlsplit(base_url).hostname or ""
    if host == "localhost" or host.endswith((".localhost", ".local")) or "." not in host:
        return True  # "." absent: a container or LAN name such as http://ollama:11434
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private


def make_client(settings: PlannerSettings, client: Any) -> Any:
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


class CallFailed(Exception):
    """The endpoint gave no answer after the client's retries: the caller falls back to rules."""


@dataclass
class Reply:
    content: str | None
    refusal: str | None
    finish_reason: str | None = None


class AnswerCache:
    """Answers stored as JSON files named by the hash of the request. Writes are atomic (temp file + rename)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def get(self, key: str) -> Reply | None:
        path = self.folder / f"{key}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return Reply(content=data["content"], refusal=data["refusal"], finish_reason=data.get("finish_reason"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("planner cache: ignoring unreadable %s (%s)", path, exc)
            return None

    def put(self, key: str, reply: Reply, usage: TokenUsage) -> None:
        text = json.dumps({**asdict(reply), "usage": usage}, ensure_ascii=False)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=self.folder, suffix=".tmp", delete=False) as f:
            f.write(text)
        os.replace(f.name, self.folder / f"{key}.json")


class Chat:
    """Sends chat requests (or answers them from the cache) and keeps the counts. Shared by the scene threads."""

    def __init__(self, client: Any, settings: PlannerSettings, cache: AnswerCache | None):
        self.client = client
        self.settings = settings
        self.cache = cache
        self.calls = self.cached_calls = self.prompt_tokens = self.completion_tokens = 0
        self._lock = threading.Lock()

    def ask(self, label: str, messages: list[dict[str, str]], answer: type[BaseModel], scope: str | None = None
            ) -> Reply:
        """The answer to `messages`, from the cache or the endpoint; `scope`: the id of the scene asked about."""
        s = self.settings
        request = {
            "model": s.model,
            "messages": messages,
            "temperature": s.temperature,
            "response_format": response_format(answer, s.strict_schema),
        }
        asked = [{**m, "content": _unscoped(m["content"], scope)} for m in messages]
        key_fields = {"prompt_version": PROMPT_VERSION, "base_url": s.base_url, **request, "messages": asked}
        key = hashlib.sha256(json.dumps(key_fields, sort_keys=True).encode("utf-8")).hexdigest()[:40]
        if self.cache and (cached := self.cache.get(key)) is not None:
            with self._lock:
                self.cached_calls += 1
            log.debug("planner %s: cached answer %s", label, key)
            return Reply(_scoped(cached.content, scope), _scoped(cached.refusal, scope), cached.finish_reason)

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
        reply = Reply(
            content=getattr(message, "content", None),
            refusal=getattr(message, "refusal", None),
            finish_reason=getattr(choice, "finish_reason", None),
        )
        if self.cache:
            self.cache.put(key, Reply(_unscoped(reply.content, scope), _unscoped(reply.refusal, scope),
                                      reply.finish_reason), usage)
        return reply

    def _send(self, label: str, request: dict[str, Any]) -> Any:
        import openai

        s = self.settings
        endpoint = s.base_url or "api.openai.com"
        retries = f"{s.http_retries} {'retry' if s.http_retries == 1 else 'retries'}"
        for attempt in range(s.http_retries + 1):  # an unreadable 200 is retried like a 5xx, then given up
            try:
                completion = self._create(label, request)
            except (ValueError, openai.APIResponseValidationError) as exc:  # a cut-off or non-JSON body
                problem = f"{type(exc).__name__}: {str(exc)[:120]}"
                completion = None
            if completion is not None and hasattr(completion, "choices"):
                return completion
            if completion is not None:
                problem = f"{type(completion).__name__}: {str(completion)[:120]!r}"
            log.warning("planner %s: %s answered HTTP 200 with a body that is not a chat completion (%s)",
                        label, endpoint, problem)
        raise CallFailed(f"{endpoint} answered HTTP 200 with a body that is not a chat completion ({retries}): "
                         f"{problem}")

    def _create(self, label: str, request: dict[str, Any]) -> Any:
        """One request through the SDK (which retries 429 / 5xx / timeouts itself); its errors, as ours."""
        import openai

        s = self.settings
        endpoint = s.base_url or "api.openai.com"
        retries = f"{s.http_retries} {'retry' if s.http_retries == 1 else 'retries'}"
        try:
            return self.client.chat.completions.create(**request)
        except openai.APITimeoutError:
            raise CallFailed(f"{endpoint} did not answer within {s.timeout_s:g} s ({retries})") from None
        except openai.APIConnectionError as exc:
            raise LLMError(f"planner: cannot reach {endpoint} ({retries}): {exc}") from None
        except openai.APIStatusError as exc:
            body = exc.body if isinstance(exc.body, dict) else {}
            detail = body.get("message") or exc.message  # the server's own words, without the SDK's prefix
            if exc.status_code in (408, 409, 429) or exc.status_code >= 500:
                raise CallFailed(f"{endpoint} answered HTTP {exc.status_code} ({retries}): {detail}") from None
            hint = ""
            if exc.status_code == 400 and s.strict_schema:
                hint = " (if the server lacks json_schema structured output, set planner.strict_schema = false)"
            raise LLMError(
                f"planner: {endpoint} rejected the request for {label}: HTTP {exc.status_code} {detail}{hint}"
            ) from None


def parse_answer(reply: Reply, answer: type[BaseModel]) -> tuple[BaseModel | None, list[str]]:
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
    problems = path_problems(parsed)
    return (None, problems) if problems else (parsed, [])


def ask_until_valid(
    chat: Chat,
    label: str,
    messages: list[dict[str, str]],
    answer: type[BaseModel],
    accept: Callable[[Any], tuple[Any, list[str]]],
    note: str = "",
    scope: str | None = None,
) -> tuple[Any, list[str], int]:
    """Ask, check with `accept(parsed) -> (result, problems)`, re-ask with the problems up to `retries` times.
    Returns (result or None, last problems, answers received). Raises CallFailed. `scope`: as `Chat.ask`'s."""
    if not chat.settings.strict_schema:
        messages = [*messages[:-1], {**messages[-1], "content": messages[-1]["content"] + schema_instruction(answer)}]
    problems: list[str] = []
    for attempt in range(1, chat.settings.retries + 2):
        reply = chat.ask(f"{label} (answer {attempt})", messages, answer, scope)
        parsed, problems = parse_answer(reply, answer)
        if parsed is not None:
            result, problems = accept(parsed)
            if not problems:
                return result, [], attempt
        log.info("planner %s: answer %d rejected: %s", label, attempt, "; ".join(problems))
        said = reply.content if reply.content is not None else (reply.refusal or "")
        messages = [*messages, {"role": "assistant", "content": said}, retry_message(problems[:MAX_PROBLEMS], note)]
    return None, problems, chat.settings.retries + 1
