"""Where a model's weights are: a Hugging Face repo (pinned by revision, found in the local cache or downloaded)
or a local folder or file. A missing model is one error that says exactly what to fetch.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from shotgraph.config import ModelSettings
from shotgraph.errors import ConfigError

SMALL_FILE = 1 << 20  # config and tokenizer files enter a local model's fingerprint by content; weights by size


class MissingModelError(ConfigError):
    """Weights that are neither in a local folder nor in the Hugging Face cache, and may not be downloaded."""


@dataclass(frozen=True)
class ModelRef:
    model: str  # a repo id ("Lightricks/LTX-Video-0.9.8-13B-distilled") or a local folder or file
    revision: str | None = None  # a commit, branch or tag of the repo; None: main
    weights: str | None = None  # one file inside the repo or folder, for single-file weights

    @property
    def is_local(self) -> bool:
        return self.model.startswith(("/", "./", "../", "~")) or Path(self.model).expanduser().exists()

    def __str__(self) -> str:
        name = self.model + (f"@{self.revision}" if self.revision else "")
        return name + (f" ({self.weights})" if self.weights else "")

    def fetch_command(self) -> str:
        revision = f" --revision {self.revision}" if self.revision else ""
        return f"hf download {self.model}{' ' + self.weights if self.weights else ''}{revision}"


@dataclass(frozen=True)
class ResolvedModel:
    ref: ModelRef
    path: Path  # the folder (save_pretrained layout) or the weights file
    identity: str  # what enters cache keys: the hub commit, or a fingerprint of the local files


def offline(settings: ModelSettings) -> bool:
    if settings.offline is not None:
        return settings.offline
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def resolve(ref: ModelRef, settings: ModelSettings, *, download: bool | None = None) -> ResolvedModel:
    """The files of `ref`. From the hub they come from the cache, or are downloaded unless offline."""
    if ref.is_local:
        path = Path(ref.model).expanduser().resolve()
        if ref.weights:
            path = path / ref.weights
        if not path.exists():
            raise MissingModelError(f"model {ref}: {path} does not exist")
        return ResolvedModel(ref, path, _fingerprint(path))
    allowed = not offline(settings) if download is None else download
    try:
        from huggingface_hub.errors import LocalEntryNotFoundError
    except ImportError as exc:
        raise ImportError("hub models need huggingface_hub: pip install 'shotgraph[models]'") from exc
    try:
        path, commit = _from_hub(ref, settings, local_only=True)  # the cache first: no network when it is there
    except LocalEntryNotFoundError:
        if not allowed:
            raise MissingModelError(missing_message([ref])) from None
        try:
            path, commit = _from_hub(ref, settings, local_only=False)
        except Exception as exc:  # the hub unreachable, a repo or file that is not there, no access
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise MissingModelError(f"model {ref} is not in the Hugging Face cache and cannot be fetched "
                                    f"({reason}); fetch it where you are online: {ref.fetch_command()}") from None
    return ResolvedModel(ref, path, f"hub:{ref.model}@{commit}")


def _from_hub(ref: ModelRef, settings: ModelSettings, *, local_only: bool) -> tuple[Path, str]:
    """The repo's snapshot folder (or the one file) and its commit."""
    from huggingface_hub import hf_hub_download, snapshot_download

    if ref.weights:
        path = Path(hf_hub_download(ref.model, ref.weights, revision=ref.revision, cache_dir=settings.cache_dir,
                                    local_files_only=local_only))
        return path, path.parent.name
    path = Path(snapshot_download(ref.model, revision=ref.revision, cache_dir=settings.cache_dir,
                                  local_files_only=local_only))
    return path, path.name


def missing_message(refs: list[ModelRef]) -> str:
    listed = "; ".join(f"{ref} (fetch: {ref.fetch_command()})" for ref in refs)
    return (f"{len(refs)} model(s) are not in the Hugging Face cache and downloads are off (HF_HUB_OFFLINE or "
            f"models.offline): {listed}. Online, `shotgraph models download --profile NAME` fetches them all")


def is_present(ref: ModelRef, settings: ModelSettings) -> bool:
    try:
        resolve(ref, settings, download=False)
    except MissingModelError:
        return False
    return True


def size_on_disk(path: Path) -> int:
    """Bytes of weights under `path` (what a model will take in memory, near enough, in its stored precision)."""
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and f.suffix in (".safetensors", ".bin",
                                                                                      ".pth", ".pt", ".gguf"))


def _fingerprint(path: Path) -> str:
    """A local model's identity: small files by content, weights by name and size (hashing GBs per run is not
    worth it; a retrained checkpoint of the same size under the same name is the one change it misses)."""
    digest = hashlib.sha256()
    files = [path] if path.is_file() else sorted(f for f in path.rglob("*") if f.is_file())
    for file in files:
        size = file.stat().st_size
        digest.update(f"{file.relative_to(path) if file != path else file.name}:{size}\n".encode())
        if size <= SMALL_FILE and file.suffix in (".json", ".txt", ".model", ".yaml", ".toml"):
            digest.update(file.read_bytes())
    return f"local:{digest.hexdigest()[:24]}"
