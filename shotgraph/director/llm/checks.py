"""Checks of what the model answers beyond its schema: no file paths or URLs, no quoting of the screenplay's lines.

The model may set only creative fields; a path in one is a sign of a prompt injection, and a quoted line is
dialogue put where the words must never go (invariant 1).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from shotgraph.director.llm.prompts import SceneAnswer
from shotgraph.director.screenplay.model import Dialogue, Scene

log = logging.getLogger(__name__)


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


def path_problems(answer: BaseModel) -> list[str]:
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


def quote_problems(scene: Scene, answer: SceneAnswer) -> list[str]:
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


# Words in a character's mouth: a quoted phrase of three or more words, or a verb of speech then a colon.
_QUOTED = re.compile(r"""(?:^|[\s:(\[—-])["“‘'«]([^"”’'»]+)["”’'»](?=$|[\s.,;:!?)\]—-])""")
_SPEECH_VERB = re.compile(r"\b(?:says?|said|asks?|asked|tells?|told|whispers?|shouts?|yells?|replies|replied|"
                          r"cries|cried|answers?|adds?|mutters?|murmurs?)\b[^.:;]{0,40}:\s*\S", re.IGNORECASE)


def speech_problems(answer: BaseModel) -> list[str]:
    """Invented speech in the answer's text fields: words no screenplay line holds, put in someone's mouth (the
    plan never holds words, whether copied or made up)."""
    problems = []
    for where, text in _strings(answer, ""):
        quoted = [q for q in _QUOTED.findall(text) if len(_WORD.findall(q)) >= 3]
        if quoted or _SPEECH_VERB.search(text):
            problems.append(f"{where}: puts words in a character's mouth; describe what we see and hear without "
                            "speech, the dialogue is the screenplay's alone")
    return problems
