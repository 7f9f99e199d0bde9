"""Profiles: typed settings loaded from configs/<name>.toml. A misspelled key is an error, never ignored."""

from __future__ import annotations

import tomllib
from importlib.resources import files
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_serializer, field_validator

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


class StageChoice(_Settings):
    """One stage's backend and, for a model backend, which weights it loads and how it runs them.

    In a profile either a name (`keyframe = "storyboard"`) or a table (`[stages.keyframe]` with `backend = "flux2"`,
    `model = ...`). A model backend names its weights by a Hugging Face repo id (with an optional pinned
    `revision`) or by a local folder (the `save_pretrained` layout) or file; each backend documents its default.
    """

    backend: str = Field(description="registered backend name, e.g. 'storyboard' or 'flux2'")
    model: str | None = Field(default=None,
                              description="repo id, or a local folder or file; None: the backend's default")
    revision: str | None = Field(default=None,
                                 description="commit, branch or tag of the repo; None: its main branch")
    weights: str | None = Field(default=None,
                                description="file inside `model` for single-file weights (Real-ESRGAN .pth)")
    steps: int | None = Field(default=None, ge=1,
                              description="denoising steps; None: the backend's default for the model")
    guidance: float | None = Field(default=None, ge=0.0, description="guidance scale; None: the backend's default")
    dtype: Literal["auto", "bfloat16", "float16", "float32"] = Field(
        default="auto", description="weights' precision; auto: bfloat16 on a GPU that has it, else float32")
    max_frames: int | None = Field(default=None, ge=1, description="video: frames per generation; a longer shot "
                                   "is extended from the last frames of the one before")
    generate_width: int | None = Field(default=None, ge=16, description="video/keyframe: width the model generates "
                                       "at (then scaled to the film's); None: the backend's default")
    generate_height: int | None = Field(default=None, ge=16, description="height, likewise")
    tile: int | None = Field(default=None, ge=32, description="upscale: tile size in input pixels; None: whole frames")


_STAGE_DEFAULTS = {"look": "card", "keyframe": "storyboard", "video": "camera", "upscale": "lanczos",
                   "dialogue": "espeak", "music": "procedural", "foley": "procedural"}


class StageSettings(_Settings):
    """Which backend runs each stage. Names are looked up in each stage's registry."""

    look: StageChoice = StageChoice(backend="card")
    keyframe: StageChoice = StageChoice(backend="storyboard")
    video: StageChoice = StageChoice(backend="camera")
    upscale: StageChoice = StageChoice(backend="lanczos")
    dialogue: StageChoice = StageChoice(backend="espeak")
    music: StageChoice = StageChoice(backend="procedural")
    foley: StageChoice = StageChoice(backend="procedural")

    @field_validator(*_STAGE_DEFAULTS, mode="before")
    @classmethod
    def _name_alone(cls, value: object) -> object:
        return {"backend": value} if isinstance(value, str) else value

    @field_serializer(*_STAGE_DEFAULTS, mode="wrap")
    def _dump_name_alone(self, value: object, handler) -> object:
        return handler(StageChoice(backend=value)) if isinstance(value, str) else handler(value)

    def choice(self, stage: str) -> StageChoice:
        """The stage's choice; a bare name set with model_copy(update=...) (no validation) counts too."""
        value = getattr(self, stage)
        return StageChoice(backend=value) if isinstance(value, str) else value


class ModelSettings(_Settings):
    """How model backends load and place their models (ignored by the draft crew)."""

    device: Literal["auto", "cuda", "cpu", "mps"] = Field(default="auto", description="auto: cuda, then mps, then cpu")
    vram_gb: float | None = Field(default=None, gt=0, description="memory budget on the GPU; None: what it has free")
    offload: Literal["auto", "none", "model", "group", "sequential"] = Field(
        default="auto", description="auto: none if a model fits the budget, else the least offload that fits")
    oom_ladder: list[Literal["model_offload", "vae_tiling", "group_offload", "sequential_offload",
                             "lower_resolution", "fewer_frames"]] = Field(
        default=["vae_tiling", "model_offload", "group_offload", "sequential_offload", "lower_resolution",
                 "fewer_frames"],
        description="what a shot that runs out of GPU memory tries next, in order")
    offline: bool | None = Field(default=None, description="never download; None: follow HF_HUB_OFFLINE")
    cache_dir: str | None = Field(default=None, description="Hugging Face cache folder; None: HF_HOME's default")


class MixSettings(_Settings):
    duck_db: float = Field(default=-10.0, le=0.0, description="music gain under dialogue (sidechain depth)")
    music_db: float = Field(default=-8.0, le=6.0, description="music level before ducking, relative to dialogue")
    effects_db: float = Field(default=-6.0, le=6.0, description="effects level relative to dialogue")


class Profile(_Settings):
    """A production profile (configs/*.toml): the backend of each stage, output, mix, planner and models."""

    name: str = "draft"
    description: str = ""
    language: str = Field(default="en", description="the screenplay's language (ISO 639-1) for model voices; a line "
                          "in another script or language is detected")
    output: OutputSettings = Field(default_factory=OutputSettings)
    planner: PlannerSettings = Field(default_factory=PlannerSettings)
    stages: StageSettings = Field(default_factory=StageSettings)
    mix: MixSettings = Field(default_factory=MixSettings)
    models: ModelSettings = Field(default_factory=ModelSettings)


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
