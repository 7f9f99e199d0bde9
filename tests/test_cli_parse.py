"""`shotgraph parse`: the summary, --json, --to fountain, and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from shotgraph.cli import app

ROOT = Path(__file__).parent.parent
LAST_FERRY = ROOT / "examples" / "last_ferry.fountain"
HARBOUR = Path(__file__).parent / "fixtures" / "harbour.fdx"

runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, ["parse", *map(str, args)])


def test_summary_of_the_example():
    result = _run(LAST_FERRY)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("THE LAST FERRY A Short Film by Ines Calloway\n")
    assert f"{LAST_FERRY} (fountain)" in out
    assert "Scenes (6)" in out  # sc000 holds FADE IN:
    assert "     0  (before the first scene heading)" in out
    assert "     1  EXT. PORT ASKE HARBOUR - NIGHT" in out
    assert "     5  EXT. SKERRY JETTY - DAY" in out  # unnumbered: its position
    for name in ("MARA", "JONAH", "DEV", "ELSPETH"):
        assert f"  {name} " in out
    assert "Estimated length: " in out and "at one page per minute" in out


def test_json_parses_back():
    result = _run(LAST_FERRY, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["format"] == "fountain"
    assert data["title_page"]["Author"] == "Ines Calloway"
    assert data["scenes"][0]["heading"] is None and data["scenes"][0]["elements"][0]["text"] == "FADE IN:"
    assert data["scenes"][1]["heading"]["text"] == "EXT. PORT ASKE HARBOUR - NIGHT"
    dialogue = [e for s in data["scenes"] for e in s["elements"] if e["type"] == "dialogue"]
    assert dialogue[0]["character"] == "JONAH" and dialogue[0]["text"] == "Is this the last one? To Skerry?"
    assert all(isinstance(e["line"], int) for s in data["scenes"] for e in s["elements"])
    duals = [(e["character"], e["dual"]) for e in dialogue if e["dual"]]
    assert duals == [("JONAH", "left"), ("MARA", "right")]


def test_fdx_to_fountain():
    result = _run(HARBOUR, "--to", "fountain")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "EXT. PORT ASKE HARBOUR - NIGHT" in out
    assert "DEV (V.O.)" in out and "Heron, this is Aske." in out
    assert "^" in out  # the dual dialogue survives
    assert "Range '9999,10000'" in result.stderr  # the reader's warning, on stderr only


def test_summary_of_an_fdx_file():
    result = _run(HARBOUR)
    assert result.exit_code == 0, result.output
    assert "THE LAST FERRY A Short Film by Ines Calloway" in result.stdout
    assert "    2A  INT. GREY HERON - WHEELHOUSE - CONTINUOUS" in result.stdout
    assert "warning:" not in result.stdout


def test_bad_file_is_one_line_and_exit_1(tmp_path):
    bad = tmp_path / "broken.fdx"
    bad.write_text('<FinalDraft DocumentType="Script">\n<Content>\n  <Paragraph><Text>x</Paragraph>\n</Content>\n')
    result = _run(bad)
    assert result.exit_code == 1
    assert result.stderr == f"error: {bad}:3:23: malformed XML: mismatched tag\n"
    assert "Traceback" not in result.output


def test_unknown_conversion_is_refused():
    result = _run(LAST_FERRY, "--to", "pdf")
    assert result.exit_code == 1
    assert result.stderr == "error: unknown --to format 'pdf'; known formats: fountain\n"


def test_title_page_keys_in_any_case_reach_the_summary(tmp_path):
    script = tmp_path / "caps.fountain"
    script.write_text("TITLE: _**Big Caps**_\nauthor: Jo Low\n\nINT. A - DAY\n\nHi.\n")
    result = _run(script)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Big Caps by Jo Low\n")


def test_a_warning_is_printed_once(tmp_path):
    script = tmp_path / "flat.fountain"
    script.write_text("Just some action.\n")
    # a real process: the CLI's logging setup would print a logged warning a second time on stderr
    result = subprocess.run([sys.executable, "-m", "shotgraph", "parse", str(script)], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stderr == (f"warning: {script}: no scene headings: the whole script is read as one opening "
                             "scene sc000\n")
