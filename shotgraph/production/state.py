"""The graph's state (small: ids, keys and paths; invariant 3) and the documents it points to, read once."""

from __future__ import annotations

import zlib
from functools import lru_cache
from pathlib import Path

from typing_extensions import TypedDict

from shotgraph.director.plan import FilmPlan
from shotgraph.director.screenplay.model import Screenplay
from shotgraph.render.timing import Timing


class ProductionState(TypedDict, total=False):
    screenplay: str  # path of the parsed screenplay (JSON) in the store
    plan: str  # path of the validated FilmPlan (JSON)
    notes: list[str]  # what the planner wants the user to know (LLM fallbacks, calls, tokens)
    looks: dict[str, str]  # character id -> reference image
    recordings: dict[str, tuple[str, float]]  # dialogue id -> (WAV, seconds)
    timing: str  # path of the Timing (JSON)
    keyframes: dict[str, str]  # shot id -> keyframe
    clips: dict[str, str]  # shot id -> video clip
    segments: dict[str, str]  # shot id -> film segment (MP4 at the film's size)
    failures: dict[str, str]  # shot id, line id, "look <character>" or "<kind> <cue>" -> what failed and what stands in
    music: dict[str, str]  # scene id -> score cue
    ambience: dict[str, str]  # scene id -> ambience bed
    effects: dict[str, str]  # shot id -> effects
    mix: dict[str, str]  # "mix", "dialogue", "music", "effects" -> WAV
    cut: dict[str, str]  # "film", "srt", "vtt", "otio" -> files in the store
    cut_parts: list[str]  # segments the film was joined from (trimmed bodies and transitions included)
    delivered: dict[str, str]  # what the user gets, by kind


@lru_cache(maxsize=8)
def screenplay_at(path: str) -> Screenplay:
    return Screenplay.model_validate_json(Path(path).read_text(encoding="utf-8"))


@lru_cache(maxsize=8)
def plan_at(path: str) -> FilmPlan:
    return FilmPlan.model_validate_json(Path(path).read_text(encoding="utf-8"))


@lru_cache(maxsize=8)
def timing_at(path: str) -> Timing:
    return Timing.model_validate_json(Path(path).read_text(encoding="utf-8"))


def seed_of(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def key_of(path: str | Path) -> str:
    """Artifacts are stored as <key><suffix>: the key is the file name up to its first dot."""
    return Path(path).name.split(".", 1)[0]
