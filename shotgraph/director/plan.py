"""FilmPlan: the contract between the director and every later stage.

The plan never carries dialogue text: shots refer to the screenplay's dialogue blocks by id (invariant 1).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=False)


class ShotSize(StrEnum):
    EXTREME_WIDE = "extreme wide"
    WIDE = "wide"
    MEDIUM = "medium"
    MEDIUM_CLOSE_UP = "medium close-up"
    CLOSE_UP = "close-up"
    EXTREME_CLOSE_UP = "extreme close-up"
    OVER_THE_SHOULDER = "over-the-shoulder"
    TWO_SHOT = "two-shot"
    POV = "pov"
    INSERT = "insert"


class CameraAngle(StrEnum):
    EYE_LEVEL = "eye level"
    HIGH = "high"
    LOW = "low"
    OVERHEAD = "overhead"
    DUTCH = "dutch"


class CameraMove(StrEnum):
    STATIC = "static"
    PUSH_IN = "push in"
    PULL_OUT = "pull out"
    PAN_LEFT = "pan left"
    PAN_RIGHT = "pan right"
    TILT_UP = "tilt up"
    TILT_DOWN = "tilt down"
    DOLLY = "dolly"
    TRACKING = "tracking"
    HANDHELD = "handheld"
    CRANE = "crane"


class TransitionKind(StrEnum):
    CUT = "cut"
    DISSOLVE = "dissolve"
    FADE_IN = "fade in"
    FADE_OUT = "fade out"
    SMASH_CUT = "smash cut"
    MATCH_CUT = "match cut"


class Voice(_Model):
    gender: str = Field(description="'female', 'male' or 'neutral'")
    age: str = Field(description="'child', 'young', 'adult' or 'elderly'")
    timbre: str = Field(default="", description="e.g. 'warm', 'gravelly', 'bright'")
    accent: str = Field(default="", description="e.g. 'neutral American', 'Scottish'")


class CharacterPlan(_Model):
    id: str = Field(description="stable id, e.g. 'edward'")
    name: str = Field(description="canonical screenplay name, e.g. 'EDWARD'")
    look: str = Field(description="age, build, hair, wardrobe: usable as an image prompt")
    voice: Voice
    reference_image: Path | None = Field(default=None, description="user-supplied look reference")
    voice_sample: Path | None = Field(default=None, description="user-supplied voice to clone")


class MusicCue(_Model):
    mood: str = Field(description="e.g. 'tense', 'warm', 'melancholy'")
    tempo_bpm: int = Field(ge=30, le=240)
    instrumentation: list[str] = Field(default_factory=list)
    intensity: float = Field(ge=0.0, le=1.0, allow_inf_nan=False)


class ScenePlan(_Model):
    id: str = Field(description="same as the screenplay scene id, e.g. 'sc003'")
    mood: str
    lighting: str = Field(description="e.g. 'warm tungsten interior', 'overcast daylight'")
    time_of_day: str = Field(description="'day', 'night', 'dawn', 'dusk' or 'unspecified'")
    music: MusicCue
    ambience: str = Field(description="room tone, street, forest, rain, wind, traffic, crowd, sea, night ...")


class FoleyCue(_Model):
    what: str = Field(description="the sound, e.g. 'screen door slides open'")
    at: float = Field(ge=0.0, allow_inf_nan=False, description="seconds from the start of the shot, within its "
                                                              "min_duration")


class Shot(_Model):
    id: str = Field(description="'sc012-sh03' style: scene id + shot number within it")
    scene: str = Field(description="ScenePlan id")
    size: ShotSize
    angle: CameraAngle = CameraAngle.EYE_LEVEL
    move: CameraMove = CameraMove.STATIC
    characters: list[str] = Field(default_factory=list, description="CharacterPlan ids in frame")
    description: str = Field(default="", description="what happens, in the screenplay's words (caption, slate)")
    prompt: str = Field(description="visual prompt for an image/video model, in the film's style")
    dialogue: list[str] = Field(default_factory=list, description="ids of the screenplay dialogue blocks it covers")
    foley: list[FoleyCue] = Field(default_factory=list)
    transition: TransitionKind = Field(default=TransitionKind.CUT, description="the transition into this shot")
    min_duration: float = Field(gt=0.0, allow_inf_nan=False,
                                description="seconds; the cut may lengthen it to fit the dialogue audio")
    seed: int = Field(ge=0)
    card: list[str] = Field(default_factory=list, description="text the screenplay centres (> THE END <), shown "
                                                              "as a title card instead of a picture; one row each")


class FilmPlan(_Model):
    """The plan of a film: characters, scenes and shots, referring to the screenplay's lines by id."""

    schema_version: int = SCHEMA_VERSION
    title: str
    style: str = Field(description="one visual style for the whole film, prefixed to every prompt")
    characters: list[CharacterPlan] = Field(default_factory=list)
    scenes: list[ScenePlan] = Field(default_factory=list)
    shots: list[Shot] = Field(default_factory=list)
    ending: TransitionKind = Field(
        default=TransitionKind.CUT,
        description="the transition out of the last shot: 'fade out' (to black) where the screenplay ends on "
                    "FADE OUT. or FADE TO BLACK., else 'cut'",
    )

    def character(self, character_id: str) -> CharacterPlan:
        return next(c for c in self.characters if c.id == character_id)

    def scene(self, scene_id: str) -> ScenePlan:
        return next(s for s in self.scenes if s.id == scene_id)

    @property
    def estimated_seconds(self) -> float:
        return sum(s.min_duration for s in self.shots)
