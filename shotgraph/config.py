"""Profiles: typed settings loaded from configs/<name>.toml. A misspelled key is an error, never ignored."""

from __future__ import annotations

import tomllib
from importlib.resources import files
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shotgraph.errors import ConfigError

# configs/ at the repository root, installed as shotgraph.configs (see pyproject.toml)
CONFIG_DIR = Path(str(files("shotgraph.configs")))


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OutputSettings(_Settings):
    width: int = Field(default=1280, ge=16, multiple_of=2, description="film width in pixels (H.264 needs even)")
    height: int = Field(default=720, ge=16, multiple_of=2, description="film height in pixels")
    fps: int = Field(default=24, ge=1, le=120, description="frames per second of the film")
    sample_rate: int = Field(default=48000, ge=8000, le=192000, description="audio sample rate of every stem and the mix")
    loudness_lufs: float = Field(default=-16.0, ge=-40.0, le=-5.0, description="integrated loudness target (-23 broadcast)")
    true_peak_dbtp: float = Field(default=-1.0, le=0.0, description="true-peak ceiling of the mix")
    burn_subtitles: bool = Field(default=False, description="draw subtitles into the picture as well")
    title_card_seconds: float = Field(default=3.0, ge=0.0, description="length of the opening title card; 0 for none")


class PlannerSettings(_Settings):
    mode: Literal["rules", "llm"] = Field(default="rules", description="rule-based offline director or an LLM")
    model: str | None = Field(default=None, description="chat model name, e.g. 'gpt-4.1-mini' or 'qwen2.5:14b'")
    base_url: str | None = Field(default=None, description="OpenAI-compatible endpoint; None means api.openai.com")
    api_key_env: str = Field(default="OPENAI_API_KEY", description="environment variable holding the API key")
    temperature: float = Field(default=0.4, ge=0.0, le=2.0)
    concurrency: int = Field(default=4, ge=1, description="scenes planned at once")
    timeout_s: float = Field(default=120.0, gt=0, description="per request")
    retries: int = Field(default=2, ge=0, description="re-asks after a plan fails validation")
    http_retries: int = Field(default=3, ge=0, description="retries on 429 / 5xx / timeouts, with backoff")
    strict_schema: bool = Field(default=True, description="use json_schema structured output; False for JSON mode")


class StageSettings(_Settings):
    """Which backend runs each stage. Names are looked up in each stage's registry."""

    look: str = "card"
    keyframe: str = "storyboard"
    video: str = "camera"
    upscale: str = "lanczos"
    dialogue: str = "espeak"
    music: str = "procedural"
    foley: str = "procedural"


class MixSettings(_Settings):
    duck_db: float = Field(default=-10.0, le=0.0, description="music gain under dialogue (sidechain depth)")
    music_db: float = Field(default=-8.0, le=6.0, description="music level before ducking, relative to dialogue")
    effects_db: float = Field(default=-6.0, le=6.0, description="effects level relative to dialogue")


class Profile(_Settings):
    name: str = "draft"
    description: str = ""
    output: OutputSettings = Field(default_factory=OutputSettings)
    planner: PlannerSettings = Field(default_factory=PlannerSettings)
    stages: StageSettings = Field(default_factory=StageSettings)
    mix: MixSettings = Field(default_factory=MixSettings)


def available_profiles() -> list[str]:
    return sorted(p.stem for p in CONFIG_DIR.glob("*.toml"))


def load_profile(name_or_path: str | Path = "draft") -> Profile:
    """Load a profile by name (configs/<name>.toml) or from a TOML file path."""
    path = Path(name_or_path)
    if path.suffix != ".toml":
        path = CONFIG_DIR / f"{name_or_path}.toml"
        if not path.is_file():
            raise ConfigError(f"profile '{name_or_path}' not found; available profiles = {available_profiles()}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: profile file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    data.setdefault("name", path.stem)
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"{path}: {problems}") from None
