"""The house stays layered: `lint-imports` checks the layers contract in pyproject.toml on every test run."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_no_module_imports_from_a_floor_above_its_own() -> None:
    linter = Path(sys.executable).with_name("lint-imports")
    command = [str(linter)] if linter.exists() else [shutil.which("lint-imports") or "lint-imports"]
    result = subprocess.run(command + ["--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr  # names both modules of any upward import
    assert "1 kept, 0 broken" in result.stdout



def test_no_module_is_longer_than_one_sitting() -> None:
    """About 400 lines at most (DESIGN.md): a file a newcomer can read through."""
    long = {str(p.relative_to(ROOT)): n for p in (ROOT / "shotgraph").rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 410}
    assert long == {}
