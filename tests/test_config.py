"""Profiles: the shipped draft profile loads; a typo or a bad value is a ConfigError naming the file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from shotgraph.config import load_profile
from shotgraph.errors import ConfigError


def test_draft_is_the_default_profile() -> None:
    profile = load_profile()
    assert profile.name == "draft"
    assert (profile.output.width, profile.output.height, profile.output.fps) == (1280, 720, 24)
    assert profile.output.loudness_lufs == -16.0
    assert profile.planner.mode == "rules"


def test_unknown_profile_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"profile 'cinemaa' not found; available profiles = \[.*'draft'.*\]"):
        load_profile("cinemaa")


def test_misspelled_key_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text("[output]\nwidht = 640\n")
    with pytest.raises(ConfigError, match=r"mine.toml: output.widht: Extra inputs are not permitted"):
        load_profile(path)


def test_odd_width_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "odd.toml"
    path.write_text("[output]\nwidth = 641\n")
    with pytest.raises(ConfigError, match=r"odd.toml: output.width: .*multiple of 2"):
        load_profile(path)


def test_broken_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[output\n")
    with pytest.raises(ConfigError, match=r"broken.toml: not valid TOML"):
        load_profile(path)


def test_an_installed_wheel_carries_every_subpackage_and_the_profiles() -> None:
    """pyproject.toml lists the packages by hand (configs/ installs as shotgraph.configs): none may be missing."""
    import tomllib

    root = Path(__file__).resolve().parent.parent
    listed = set(tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(root).parts) for p in (root / "shotgraph").rglob("__init__.py")}
    assert listed == on_disk | {"shotgraph.configs"}
    assert (root / "configs" / "draft.toml").is_file()
