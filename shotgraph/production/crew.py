"""The production's fixed context: profile, store, output paths, and the backends, each loaded at most once.

It is LangGraph's run-scoped context, kept apart from the (small, checkpointed) graph state.
"""

from __future__ import annotations

import importlib
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from rich.console import Console

from shotgraph.backend import check_known, load_backend
from shotgraph.config import Profile
from shotgraph.models.manager import ModelManager
from shotgraph.production.decisions import Decisions
from shotgraph.production.events import Broadcast, ItemDone, ProgressBars, StageStarted
from shotgraph.models.source import MissingModelError, ModelRef, is_present, missing_message, offline, resolve
from shotgraph.store import ArtifactStore, artifact_key

STAGE_REGISTRIES: dict[str, tuple[str, str]] = {
    # stage -> (module holding the registry, registry name); imported only when the stage runs
    "look": ("shotgraph.characters.look", "LOOK_BACKENDS"),
    "keyframe": ("shotgraph.stages.keyframe", "KEYFRAME_BACKENDS"),
    "video": ("shotgraph.stages.video", "VIDEO_BACKENDS"),
    "upscale": ("shotgraph.stages.upscale", "UPSCALE_BACKENDS"),
    "dialogue": ("shotgraph.audio.dialogue", "DIALOGUE_BACKENDS"),
    "music": ("shotgraph.audio.music", "MUSIC_BACKENDS"),
    "foley": ("shotgraph.audio.foley", "FOLEY_BACKENDS"),
}


@dataclass(frozen=True)
class OutputPaths:
    """Where `deliver` puts the film and what a post-production house expects beside it."""

    film: Path

    @property
    def srt(self) -> Path:
        return self.film.with_suffix(".srt")

    @property
    def vtt(self) -> Path:
        return self.film.with_suffix(".vtt")

    @property
    def otio(self) -> Path:
        return self.film.with_suffix(".otio")

    @property
    def plan(self) -> Path:
        return self.film.with_suffix(".plan.json")

    @property
    def stems(self) -> Path:
        return self.film.with_suffix(".stems")


def registry(stage: str) -> dict[str, str]:
    """The backends of `stage`, by name. Imports only the stage's interface module, never a model library."""
    module_name, registry_name = STAGE_REGISTRIES[stage]
    return getattr(importlib.import_module(module_name), registry_name)


def profile_models(profile: Profile) -> dict[str, ModelRef]:
    """The weights each model backend of `profile` loads, by stage (the draft crew loads none)."""
    refs: dict[str, ModelRef] = {}
    for stage in STAGE_REGISTRIES:
        name = profile.stages.choice(stage).backend
        check_known(stage, name, registry(stage))
        backend = load_backend(stage, name, registry(stage), profile)
        for i, ref in enumerate(getattr(backend, "model_refs", list)()):
            refs[stage if i == 0 else f"{stage} {i + 1}"] = ref
    return refs


def json_params(value: Any) -> Any:
    """Pydantic models, paths and containers of them made JSON-able for a cache key, at any depth."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {str(k): json_params(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_params(v) for v in value]
    return value


def _json_text(model: BaseModel | dict[str, Any]) -> str:
    return model.model_dump_json(indent=1) if isinstance(model, BaseModel) else json.dumps(model, indent=1)


@dataclass
class Crew:
    script: Path
    workdir: Path
    outputs: OutputPaths
    profile: Profile
    strict: bool = False
    plan_file: Path | None = None
    show_progress: bool = True
    console: Console = field(default_factory=lambda: Console(stderr=True))
    events: Broadcast = field(default_factory=Broadcast)  # progress for the CLI's bars, notebooks, the review page
    decisions: Decisions = field(default_factory=Decisions)  # review decisions, applied on top of the plan
    review: bool = False  # stop at the review points for what is not yet approved
    _backends: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @cached_property
    def store(self) -> ArtifactStore:
        return ArtifactStore(self.workdir / "store")

    @cached_property
    def models(self) -> ModelManager:
        """Loads each model once per run and places it within the GPU's memory (invariant 4)."""
        return ModelManager(self.profile.models)

    def check_backends(self) -> None:
        """Refuse a backend name no registry knows, and (offline) weights that are not here, before any stage has
        done work: one error that lists every model to fetch, not a failure when its stage comes up."""
        for stage in STAGE_REGISTRIES:
            check_known(stage, self.profile.stages.choice(stage).backend, registry(stage))
        refs = dict.fromkeys(profile_models(self.profile).values())  # a model two stages share, once
        missing = [ref for ref in refs if not is_present(ref, self.profile.models)]
        if missing and offline(self.profile.models):
            raise MissingModelError(missing_message(missing))
        problems = []
        for ref in missing:  # online: fetched now, so a model that cannot be had stops the run before any work
            try:
                resolve(ref, self.profile.models)
            except MissingModelError as exc:
                problems.append(str(exc))
        if problems:
            raise MissingModelError("; ".join(problems))

    def backend(self, stage: str) -> Any:
        """The profile's backend for `stage`, instantiated once per run (invariant 4)."""
        with self._lock:
            if stage not in self._backends:
                name = self.profile.stages.choice(stage).backend
                self._backends[stage] = load_backend(stage, name, registry(stage), self.profile, self.models)
            return self._backends[stage]

    def key(self, backend: Any, request: dict[str, Any], inputs: list[str] = (), seed: int | None = None) -> str:
        fields = {**backend.key_fields(), "request": {k: json_params(v) for k, v in request.items()}}
        return artifact_key(fields, inputs, seed)

    def json_key(self, stage: str, model: BaseModel | dict[str, Any]) -> str:
        """The key `save_json` stores `model` under."""
        return artifact_key({"stage": stage, "content": _json_text(model)})

    def save_json(self, stage: str, model: BaseModel | dict[str, Any]) -> Path:
        """Store a small JSON document (screenplay, plan, timing) under the hash of its content."""
        text = _json_text(model)
        key = self.json_key(stage, model)
        return self.store.fetch_or_make(
            key, ".json", lambda tmp: tmp.write_text(text, encoding="utf-8"), stage=stage, backend="json"
        )

    def __post_init__(self) -> None:
        if self.show_progress:
            self.events.listeners.append(ProgressBars(self.console))

    @contextmanager
    def track(self, stage: str, total: int) -> Iterator[Callable[[], None]]:
        """Announce a stage of `total` items; yields the function that marks one item done."""
        if total == 0:
            yield lambda: None
            return
        self.events(StageStarted(stage, total))
        lock = threading.Lock()
        done = 0

        def advance() -> None:
            nonlocal done
            with lock:
                done += 1
                self.events(ItemDone(stage, done, total))

        yield advance
