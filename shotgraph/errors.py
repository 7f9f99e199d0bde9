"""The error hierarchy. Every user-facing failure is one of these; the CLI prints its message, no traceback."""

from __future__ import annotations

from pathlib import Path


class ShotgraphError(Exception):
    """Base class for every error shotgraph raises on purpose."""


class ScreenplayError(ShotgraphError):
    """A screenplay that cannot be read: names the file, the line (and column) and what was expected."""

    def __init__(self, message: str, path: str | Path, line: int | None = None, column: int | None = None):
        self.path = str(path)
        self.line = line
        self.column = column
        self.reason = message
        where = self.path
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {message}")


class ConfigError(ShotgraphError):
    """A profile or setting that is missing, misspelled or out of range."""


class PlanError(ShotgraphError):
    """A film plan that breaks the contract with the screenplay. Lists every violation at once."""

    def __init__(self, violations: list[str], source: str = "plan"):
        self.violations = list(violations)
        self.source = source
        lines = "\n".join(f"  - {v}" for v in self.violations)
        super().__init__(f"{source}: {len(self.violations)} problem(s) in the film plan:\n{lines}")


class LLMError(ShotgraphError):
    """The language-model endpoint failed in a way retries could not fix."""


class BackendError(ShotgraphError):
    """A stage backend failed, is unknown, or lacks its optional dependencies."""

    def __init__(self, stage: str, backend: str, message: str):
        self.stage = stage
        self.backend = backend
        super().__init__(f"{stage} backend '{backend}': {message}")


class StoreError(ShotgraphError):
    """The artifact store cannot be read or written (full disk, permissions)."""


class RenderError(ShotgraphError):
    """Assembling or encoding the film failed (ffmpeg, unwritable output)."""


class UnknownShotError(ShotgraphError):
    """A shot id that the plan does not have."""
