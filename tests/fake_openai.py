"""A real HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions protocol, for planner tests.

It records every request body and answers each from a per-key queue of scripted replies ("bible" for the
character-bible call, the scene id for a scene call); when a queue is empty it answers like a competent director:
a valid bible, or one establishing shot plus one shot per dialogue block, built from the request itself.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted answer. `content` may be a dict (sent as JSON) or a raw string (e.g. broken JSON)."""

    content: Any = None
    refusal: str | None = None
    status: int = 200
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    raw: str | None = None  # an HTTP 200 body sent as it is (a cut-off JSON body, an HTML error page)
    content_type: str = "application/json"


def data_block(text: str, tag: str) -> Any:
    """The JSON inside <tag>...</tag> of a user message."""
    start = text.index(f"<{tag}>\n") + len(tag) + 2
    return json.loads(text[start : text.index(f"\n</{tag}>", start)])


def request_key(body: dict[str, Any]) -> str:
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    data = data_block(user, "screenplay")
    return data["scene"] if "scene" in data else "bible"


def bible_answer(body: dict[str, Any]) -> dict[str, Any]:
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    names = [c["name"] for c in data_block(user, "screenplay")["characters"]]
    voice = {"gender": "neutral", "age": "adult", "timbre": "warm", "accent": "neutral"}
    return {
        "style": "35mm film, muted teal and amber",
        "characters": [{"name": n, "look": f"{n.title()}, weathered coat, dark hair", "voice": voice} for n in names],
    }


def scene_answer(body: dict[str, Any]) -> dict[str, Any]:
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    scene = data_block(user, "screenplay")
    ids = {c["name"]: c["id"] for c in data_block(user, "film")["characters"]}
    shot = {"angle": "eye level", "move": "static", "foley": [], "transition": "cut", "min_duration": 3.0}
    shots = [{**shot, "size": "wide", "characters": [], "description": f"The {scene['location'].lower() or 'place'}.",
              "prompt": f"wide establishing shot of {scene['location'].lower() or 'the place'}", "dialogue": []}]
    for element in scene["elements"]:
        if element["type"] == "dialogue":
            who = [ids[element["speaker"]]] if element["speaker"] in ids else []
            name = element["speaker"].title()
            shots.append({**shot, "size": "medium close-up", "characters": who, "description": f"{name} speaks.",
                          "prompt": f"medium close-up of {name}", "dialogue": [element["id"]],
                          "min_duration": 2.0 + 0.4 * len(element["text"].split())})
    look = {"mood": "quiet", "lighting": "overcast daylight", "time_of_day": "day", "ambience": "sea",
            "music": {"mood": "quiet", "tempo_bpm": 70, "instrumentation": ["piano"], "intensity": 0.3}}
    return {"scene": look, "shots": shots}


class FakeOpenAI:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.script: dict[str, deque[Reply]] = defaultdict(deque)
        self.in_flight = self.max_in_flight = 0  # requests being answered at once
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def queue(self, key: str, *replies: Reply) -> None:
        with self._lock:
            self.script[key].extend(replies)

    def requests_for(self, key: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if request_key(r) == key]

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _answer(self, body: dict[str, Any]) -> Reply:
        key = request_key(body)
        with self._lock:
            self.requests.append(body)
            if self.script[key]:
                return self.script[key].popleft()
        return Reply(content=bible_answer(body) if key == "bible" else scene_answer(body))

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                if self.path != "/v1/chat/completions":
                    return self._send(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                try:
                    reply = fake._answer(body)
                except Exception as exc:  # a broken test script: a 400 surfaces as LLMError, never retried
                    return self._send(400, {"error": {"message": f"fake server: {exc!r}", "type": "invalid_request"}})
                # The request counts as in flight while it is being "thought about"; the window closes before the
                # answer leaves, because the client may send its next request the moment it reads this one.
                with fake._lock:
                    fake.in_flight += 1
                    fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
                try:
                    time.sleep(reply.delay)
                finally:
                    with fake._lock:
                        fake.in_flight -= 1
                self._reply(body, reply)

            def _reply(self, body: dict[str, Any], reply: Reply) -> None:
                if reply.raw is not None:
                    return self._send_bytes(200, reply.raw.encode(), reply.content_type)
                if reply.status != 200:
                    error = {"error": {"message": "scripted failure", "type": "server_error"}}
                    return self._send(reply.status, error, reply.headers)
                content = reply.content
                if content is not None and not isinstance(content, str):
                    content = json.dumps(content)
                message = {"role": "assistant", "content": content, "refusal": reply.refusal}
                self._send(200, {
                    "id": f"chatcmpl-{len(fake.requests)}",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": body.get("model", ""),
                    "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
                }, reply.headers)

            def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
                self._send_bytes(status, json.dumps(payload).encode(), "application/json", headers)

            def _send_bytes(self, status: int, data: bytes, content_type: str,
                            headers: dict[str, str] | None = None) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

        return Handler
