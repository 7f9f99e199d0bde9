"""`shotgraph plan`: the shot list, the running time, the plan file, the LLM report, the errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shotgraph.cli import app
from shotgraph.director.validate import load_plan

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SCRIPT = EXAMPLES / "last_ferry.fountain"

pytest.importorskip("shotgraph.director.screenplay.reader")
from shotgraph.director.screenplay.reader import read_screenplay  # noqa: E402


@pytest.fixture
def runner():
    return CliRunner(env={"COLUMNS": "220", "NO_COLOR": "1"})


def test_rules_prints_the_shot_list_and_writes_the_plan(runner, tmp_path):
    out = tmp_path / "plan.json"
    result = runner.invoke(app, ["plan", str(SCRIPT), "--rules", "-o", str(out), "--table"])
    assert result.exit_code == 0, result.output
    assert "sc001" in result.output and "sh01" in result.output
    assert "Is this the last one? To …" in result.output  # first words of the line, looked up by id
    assert "estimated running time" in result.output
    plan = load_plan(out, read_screenplay(SCRIPT))
    assert f"{len(plan.shots)} shots in {len(plan.scenes)} scenes" in result.output


def test_writing_the_plan_prints_a_summary_not_the_table(runner, tmp_path):
    out = tmp_path / "plan.json"
    result = runner.invoke(app, ["plan", str(SCRIPT), "--rules", "-o", str(out)])
    assert result.exit_code == 0, result.output
    plan = load_plan(out, read_screenplay(SCRIPT))
    names = ", ".join(c.name for c in plan.characters)
    lines = result.output.strip().splitlines()
    assert len(lines) <= 4 and "sh01" not in result.output  # a summary, not a shot per line
    assert " ".join(result.output.split()).startswith(
        f"{len(plan.shots)} shots in {len(plan.scenes)} scenes; estimated running time ")
    assert f"{len(plan.characters)} characters: {names}" in " ".join(result.output.split())


def test_same_script_same_plan_file(runner, tmp_path):
    paths = [tmp_path / "a.json", tmp_path / "b.json"]
    for path in paths:
        assert runner.invoke(app, ["plan", str(SCRIPT), "-o", str(path)]).exit_code == 0
    assert paths[0].read_bytes() == paths[1].read_bytes()


def test_llm_prints_report_and_tokens(runner, tmp_path):
    from fake_openai import FakeOpenAI, Reply

    script = tmp_path / SCRIPT.name  # the answer cache goes beside the script: keep it out of examples/
    shutil.copy(SCRIPT, script)
    out = tmp_path / "plan.json"
    with FakeOpenAI() as fake:
        fake.queue("sc002", *[Reply(refusal="No.")] * 3)
        args = ["plan", str(script), "--llm", "test-director", "--base-url", fake.base_url, "-o", str(out)]
        result = runner.invoke(app, args)
        again = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "sc002: fell back to rules after 3 invalid answers: the model refused: No." in result.output
    assert "LLM: 8 call(s), 0 from cache; tokens: 800 prompt + 400 completion" in result.output
    assert "LLM: 0 call(s), 8 from cache" in again.output
    assert list((tmp_path / ".shotgraph" / "llm").glob("*.json"))
    assert json.loads(out.read_text())["style"] == "35mm film, muted teal and amber"


@pytest.mark.parametrize("args, message", [
    (["--rules", "--llm", "m"], "choose one of --rules and --llm MODEL, not both"),
    (["--base-url", "http://localhost:1/v1"], "--base-url needs --llm MODEL"),
    (["--profile", "nonesuch"], "profile 'nonesuch' not found"),
])
def test_bad_options_are_one_line_errors(runner, args, message):
    result = runner.invoke(app, ["plan", str(SCRIPT), *args])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_missing_script_is_a_one_line_error(runner, tmp_path):
    result = runner.invoke(app, ["plan", str(tmp_path / "nothing.fountain")])
    assert result.exit_code == 1
    assert result.output.startswith("error: ") and "nothing.fountain" in result.output
