"""Validation of a FilmPlan against its screenplay: the gate that keeps invariant 1.

A plan refers to dialogue by id only, so it cannot change the words; what it could still do is drop, repeat,
reorder or misplace a line. `validate` lists every such problem (and every broken id or impossible number) at
once; `check` raises them as one PlanError; `load_plan` reads a plan.json and checks it before anything renders,
reporting the fields it cannot read together with what is wrong with the rest.
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
import tempfile
from collections import Counter
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, get_args, get_origin

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from shotgraph.director.plan import SCHEMA_VERSION, FilmPlan, TransitionKind
from shotgraph.director.screenplay.model import Screenplay
from shotgraph.errors import PlanError

SHOT_ID = re.compile(r"^(sc\d{3,})-sh\d{2,}$")


def validate(plan: FilmPlan, screenplay: Screenplay) -> list[str]:
    """Every way `plan` breaks its contract with `screenplay`; an empty list means the plan is valid."""
    violations: list[str] = []
    if plan.schema_version != SCHEMA_VERSION:
        violations.append(f"schema_version is {plan.schema_version}, expected {SCHEMA_VERSION}")
    violations += _unique_ids("character", [c.id for c in plan.characters])
    violations += _unique_ids("scene", [s.id for s in plan.scenes])
    violations += _unique_ids("shot", [s.id for s in plan.shots])
    violations += _scenes(plan, screenplay)
    violations += _shots(plan)
    if plan.ending not in (TransitionKind.CUT, TransitionKind.FADE_OUT):
        violations.append(f"ending is '{plan.ending.value}'; a film ends on a 'cut' or a 'fade out'")
    violations += _scene_order(plan, screenplay)
    violations += _speakers(plan, screenplay)
    violations += _dialogue_coverage(plan, screenplay)
    return violations


def check(plan: FilmPlan, screenplay: Screenplay, source: str = "plan") -> FilmPlan:
    """Return `plan` unchanged if it is valid; otherwise raise PlanError listing every violation."""
    violations = validate(plan, screenplay)
    if violations:
        raise PlanError(violations, source)
    return plan


def load_plan(path: str | Path, screenplay: Screenplay) -> FilmPlan:
    """Read a plan.json (perhaps hand-edited) and check it against the screenplay."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PlanError([f"cannot read the plan: {exc.strerror or exc}"], str(path)) from None
    except UnicodeDecodeError as exc:
        raise PlanError([f"not UTF-8 text: {exc.reason} at byte {exc.start}"], str(path)) from None
    except json.JSONDecodeError as exc:
        raise PlanError([f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"], str(path)) from None
    try:
        plan = FilmPlan.model_validate(data)
    except ValidationError as exc:
        violations = [_field_error(e, data) for e in exc.errors()]
        stand_in = _with_stand_ins(data, exc.errors())
        if stand_in is not None:  # what is wrong with the fields that did parse, in the same report
            known = set(violations)
            violations += [v for v in validate(stand_in, screenplay) if v not in known]
        raise PlanError(violations, str(path)) from None
    return check(plan, screenplay, source=str(path))


def save_plan(plan: FilmPlan, path: str | Path) -> Path:
    """Write the plan as JSON atomically: a temp file in the same folder, then a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = plan.model_dump_json(indent=2) + "\n"
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


_KINDS = {"shots": "shot", "scenes": "scene", "characters": "character"}


def _field_error(error: Any, data: Any) -> str:
    """'shot 'sc001-sh03': field 'min_duration': ...' where the item has a readable id, else the JSON path."""
    loc = error["loc"]
    if len(loc) > 2 and loc[0] in _KINDS and isinstance(loc[1], int) and isinstance(data, dict):
        items = data.get(loc[0])
        item = items[loc[1]] if isinstance(items, list) and loc[1] < len(items) else None
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            where = ".".join(str(part) for part in loc[2:])
            return f"{_KINDS[loc[0]]} '{item['id']}': field '{where}': {error['msg']}"
    where = ".".join(str(part) for part in loc) or "(top level)"
    return f"field '{where}': {error['msg']}"


def _with_stand_ins(data: Any, errors: list[Any]) -> FilmPlan | None:
    """The plan with every field pydantic refused replaced by a neutral value of its type (its default, the first
    choice of an enum, 1, ''), so the plan-wide checks can run on the rest; None where no stand-in fits."""
    patched = copy.deepcopy(data)
    for error in errors:
        *parents, name = error["loc"] or (None,)
        container = patched
        try:
            for part in parents:
                container = container[part]
            if error["type"] == "extra_forbidden":
                del container[name]
                continue
            info = _field_info(error["loc"])
            if info is None:
                return None
            container[name] = _stand_in(info)
        except (KeyError, IndexError, TypeError, ValueError):
            return None
    try:
        return FilmPlan.model_validate(patched)
    except ValidationError:
        return None


def _field_info(loc: tuple[Any, ...]) -> FieldInfo | None:
    """The declaration of the field at `loc` ('shots', 3, 'min_duration'), walking through lists of models."""
    model: Any = FilmPlan
    info = None
    for part in loc:
        if isinstance(part, int):
            continue  # an item of the list just named: its model is already `model`
        if model is None or part not in model.model_fields:
            return None
        info = model.model_fields[part]
        annotation = info.annotation
        if get_origin(annotation) is list:
            annotation = get_args(annotation)[0]
        model = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    return info


def _stand_in(info: FieldInfo) -> Any:
    if not info.is_required():
        return info.get_default(call_default_factory=True)
    annotation = info.annotation
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return next(iter(annotation)).value
    adapter = TypeAdapter(Annotated[annotation, *info.metadata] if info.metadata else annotation)
    bounds = [getattr(m, "ge", None) or getattr(m, "le", None) for m in info.metadata]  # tempo_bpm: 30 to 240
    for candidate in (*(b for b in bounds if b is not None), 1.0, 1, "", []):
        try:
            return adapter.dump_python(adapter.validate_python(candidate), mode="json")
        except ValidationError:
            continue
    raise ValueError(f"no stand-in for {annotation}")


def _unique_ids(kind: str, ids: list[str]) -> list[str]:
    return [f"{kind} id '{i}' is used {n} times" for i, n in Counter(ids).items() if n > 1]


def _scenes(plan: FilmPlan, screenplay: Screenplay) -> list[str]:
    known = {s.id for s in screenplay.scenes}
    return [f"scene '{s.id}' is not a scene of the screenplay" for s in plan.scenes if s.id not in known]


def _scene_order(plan: FilmPlan, screenplay: Screenplay) -> list[str]:
    """Shots run scene by scene, in the screenplay's order: the score and the chapters follow scenes."""
    order = {s.id: i for i, s in enumerate(screenplay.scenes)}
    violations: list[str] = []
    seen: set[str] = set()
    last: str | None = None
    for shot in plan.shots:
        if shot.scene == last:
            continue
        if shot.scene in seen:
            violations.append(f"shot '{shot.id}': scene '{shot.scene}' resumes after other scenes; keep its shots together")
        elif last is not None and shot.scene in order and last in order and order[shot.scene] < order[last]:
            violations.append(f"shot '{shot.id}': scene '{shot.scene}' comes before '{last}' in the screenplay")
        seen.add(shot.scene)
        last = shot.scene
    return violations


def _speakers(plan: FilmPlan, screenplay: Screenplay) -> list[str]:
    """Every speaking character needs a CharacterPlan of that name: it carries their voice."""
    named = {c.name for c in plan.characters}
    speakers = dict.fromkeys(line.character for line in screenplay.dialogue())
    return [f"character '{name}' speaks in the screenplay but has no entry in the plan's characters"
            for name in speakers if name not in named]


def _shots(plan: FilmPlan) -> list[str]:
    violations: list[str] = []
    scenes = {s.id for s in plan.scenes}
    characters = {c.id for c in plan.characters}
    for shot in plan.shots:
        match = SHOT_ID.match(shot.id)
        if match is None:
            violations.append(f"shot '{shot.id}': id does not match 'scNNN-shNN'")
        elif match.group(1) != shot.scene:
            violations.append(f"shot '{shot.id}': id does not start with its scene '{shot.scene}'")
        if shot.scene not in scenes:
            violations.append(f"shot '{shot.id}': scene '{shot.scene}' is not in the plan's scenes")
        for character in shot.characters:
            if character not in characters:
                violations.append(f"shot '{shot.id}': character '{character}' is not in the plan's characters")
        if not (math.isfinite(shot.min_duration) and shot.min_duration > 0):
            violations.append(f"shot '{shot.id}': min_duration must be a positive number of seconds, "
                              f"got {shot.min_duration}")
            continue
        for n, cue in enumerate(shot.foley):
            if not 0 <= cue.at <= shot.min_duration:  # NaN fails both
                violations.append(f"shot '{shot.id}': foley[{n}] ('{cue.what}') at {cue.at} s is outside the shot "
                                  f"(0 to its min_duration {shot.min_duration} s)")
    return violations


def _dialogue_coverage(plan: FilmPlan, screenplay: Screenplay) -> list[str]:
    """Each dialogue block covered exactly once, by a shot of its own scene, in screenplay order."""
    scene_of: dict[str, str] = {}
    position: dict[str, int] = {}
    for scene in screenplay.scenes:
        for element in scene.elements:
            if element.type == "dialogue":
                scene_of[element.id] = scene.id
                position[element.id] = len(position)

    violations: list[str] = []
    covered_by: dict[str, str] = {}
    previous: tuple[str, str] | None = None  # (line id, shot id) of the last line covered
    for shot in plan.shots:
        for line_id in shot.dialogue:
            if line_id not in position:
                violations.append(f"shot '{shot.id}': dialogue '{line_id}' is not a dialogue line of the screenplay")
                continue
            if line_id in covered_by:
                violations.append(
                    f"shot '{shot.id}': dialogue '{line_id}' is already covered by shot '{covered_by[line_id]}'"
                )
                continue
            covered_by[line_id] = shot.id
            if scene_of[line_id] != shot.scene:
                violations.append(
                    f"shot '{shot.id}': dialogue '{line_id}' belongs to scene '{scene_of[line_id]}', "
                    f"not to the shot's scene '{shot.scene}'"
                )
            if previous is not None and position[line_id] < position[previous[0]]:
                violations.append(
                    f"shot '{shot.id}': dialogue '{line_id}' is out of order: it comes before "
                    f"'{previous[0]}' (shot '{previous[1]}') in the screenplay"
                )
            previous = (line_id, shot.id)
    for line in screenplay.dialogue():
        if line.id not in covered_by:
            violations.append(f"dialogue '{line.id}' ({line.character}, line {line.line}) is not covered by any shot")
    return violations
