"""`shotgraph doctor`, `models list|download`, `--profile auto`, and files a plan names kept inside the project."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shotgraph.cli import app
from shotgraph.config import load_profile
from shotgraph.errors import ShotgraphError
from shotgraph.production.crew import Crew, OutputPaths
from shotgraph.production.doctor import auto_profile, needs
from shotgraph.production.work import user_file


def test_doctor_json_names_every_backend_and_what_each_profile_needs() -> None:
    result = CliRunner().invoke(app, ["doctor", "--json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    names = {(b["stage"], b["name"]) for b in found["backends"]}
    assert {("keyframe", "flux2"), ("video", "ltx2"), ("video", "wan"), ("upscale", "realesrgan")} <= names
    cannot = {b["name"]: b["problem"] for b in found["backends"] if not b["imports"]}
    assert list(cannot) == ["xtts"]  # torch, diffusers, transformers and pocket-tts load here; coqui-tts does not
    assert cannot["xtts"].endswith("pip install coqui-tts 'transformers<=5.23'; here use dialogue = \"pocket-tts\"")
    profiles = {p["name"]: p for p in found["profiles"]}
    assert profiles["draft"]["models"] == [] and profiles["draft"]["vram_gb"] == 0
    preview = profiles["preview"]
    assert [m["stage"] for m in preview["models"]] == ["look", "keyframe", "video", "upscale", "music", "foley"]
    assert preview["disk_gb"] == 59.5  # klein counted once for looks and keyframes; LTX 13B, MusicGen small ...
    assert found["auto"]["profile"] == "draft" and "no CUDA GPU" in found["auto"]["why"]


@pytest.mark.parametrize(("memory", "profile"), [(0, "draft"), (16, "draft"), (24, "preview"), (80, "cinema")])
def test_auto_picks_the_profile_the_gpu_can_hold_and_says_why(memory: float, profile: str) -> None:
    name, why = auto_profile(memory)
    assert name == profile and why


def test_models_list_says_what_is_missing_and_offline_download_names_every_repo(monkeypatch) -> None:
    listed = CliRunner().invoke(app, ["models", "list", "--profile", "cinema"])
    assert listed.exit_code == 0
    assert "video  Lightricks/LTX-2  missing  62 GB" in listed.output
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    fetched = CliRunner().invoke(app, ["models", "download", "--profile", "cinema"])
    assert fetched.exit_code == 1
    assert fetched.output.startswith("error: 7 model(s) are not in the Hugging Face cache and downloads are off")
    for repo in ("black-forest-labs/FLUX.2-dev", "Lightricks/LTX-2", "ai-forever/Real-ESRGAN RealESRGAN_x4.pth",
                 "coqui/XTTS-v2", "facebook/musicgen-large", "facebook/audiogen-medium", "google-t5/t5-large"):
        assert f"hf download {repo}" in fetched.output


def test_an_offline_make_with_missing_weights_stops_before_any_work(tmp_path: Path, monkeypatch) -> None:
    script = tmp_path / "s.fountain"
    script.write_text("INT. ROOM - DAY\n\nA chair.\n", encoding="utf-8")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    result = CliRunner().invoke(app, ["make", str(script), "--profile", "preview", "--workdir", str(tmp_path / "w")])
    assert result.exit_code == 1
    assert "FLUX.2-klein-4B" in result.output and "LTX-Video-0.9.7-distilled" in result.output
    assert not (tmp_path / "w").exists()
    assert needs(load_profile("preview")).models[2].present is False


def test_files_a_plan_names_stay_inside_the_project_folder(tmp_path: Path) -> None:
    project = tmp_path / "film"
    project.mkdir()
    (project / "script.fountain").write_text("x", encoding="utf-8")
    (project / "refs").mkdir()
    (project / "refs" / "ann.png").write_bytes(b"\x89PNG")
    (tmp_path / "secret.txt").write_text("no", encoding="utf-8")
    crew = Crew(script=project / "script.fountain", workdir=project / ".shotgraph",
                outputs=OutputPaths(project / "f.mp4"), profile=load_profile("draft"))
    assert user_file(crew, Path("refs/ann.png")) == (project / "refs" / "ann.png").resolve()
    with pytest.raises(ShotgraphError, match=r"^\.\./secret.txt: outside the project folder .*film; reference"):
        user_file(crew, Path("../secret.txt"))
    with pytest.raises(ShotgraphError, match=r"^/etc/passwd: outside the project folder"):
        user_file(crew, Path("/etc/passwd"))
    with pytest.raises(ShotgraphError, match=r"^refs: not a regular file"):
        user_file(crew, Path("refs"))
    with pytest.raises(ShotgraphError, match=r"^refs/bob.png: cannot read this reference file: No such file"):
        user_file(crew, Path("refs/bob.png"))
