"""`shotgraph make --watch`: each saved edit makes the film again in the same process; a bad edit says where and
the watch goes on; Ctrl-C while waiting stops it cleanly."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from test_make import SCRIPT

from shotgraph.cli.watching import contents, next_change


def test_a_change_is_its_bytes_once_settled_and_there_even_if_saved_during_the_run(tmp_path: Path) -> None:
    script = tmp_path / "s.fountain"
    script.write_text("one", encoding="utf-8")
    made = contents([script])
    script.write_text("one", encoding="utf-8")  # the same bytes again (a run delivering a plan as it was): no change
    script.write_text("two", encoding="utf-8")  # saved while the film was being made: taken at once
    started = time.monotonic()
    assert next_change([script], made, poll_s=0.05) == contents([script])
    assert time.monotonic() - started < 1.0
    made = contents([script])

    def save_in_steps() -> None:  # as some editors do: the file removed, then written anew under its name
        time.sleep(0.2)
        script.write_text("two", encoding="utf-8")  # rewritten as it was: still no change
        time.sleep(0.2)
        script.unlink()
        time.sleep(0.3)  # longer than a look: the watcher sees the file missing, and waits
        script.write_text("three, longer", encoding="utf-8")

    saver = threading.Thread(target=save_in_steps)
    saver.start()
    after = next_change([script], made, poll_s=0.05)
    saver.join()
    assert after == contents([script]) and script.read_text(encoding="utf-8") == "three, longer"


class Watching:
    """`shotgraph make --watch` in a child process, its output read line by line as it comes."""

    def __init__(self, script: Path, workdir: Path):
        command = [sys.executable, "-m", "shotgraph", "make", str(script), "--workdir", str(workdir),
                   "--resolution", "320x180", "--fps", "12", "--watch"]
        # Ctrl-C as a terminal sends it, even where this test runs with SIGINT ignored (a background job)
        self.run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                    preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
                                    env={**os.environ, "COLUMNS": "200"})
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [self.lines.put(line) for line in self.run.stdout], daemon=True).start()

    def until_watching(self, timeout: float = 120) -> list[str]:
        """The lines printed up to the next 'watching ...' line."""
        got = []
        deadline = time.monotonic() + timeout
        while not got or not got[-1].startswith("watching "):
            got.append(self.lines.get(timeout=max(0.1, deadline - time.monotonic())).rstrip("\n"))
        return got


def test_watch_makes_each_saved_edit_and_survives_a_bad_one(tmp_path: Path) -> None:
    script = tmp_path / "kettle.fountain"
    script.write_text(SCRIPT, encoding="utf-8")
    watching = Watching(script, tmp_path / "work")
    try:
        first = watching.until_watching()
        assert any(line.startswith("    made: ") and "keyframe" in line for line in first)
        film = tmp_path / "kettle.mp4"
        made_first = film.stat().st_mtime_ns

        script.write_text(SCRIPT.replace("Only one.", "Only one, and then home."), encoding="utf-8")
        edited = watching.until_watching()
        assert edited[0] == f"changed: {script}"
        made = next(line for line in edited if line.startswith("    made: "))
        assert "dialogue 1," in made and "keyframe" not in made  # the line re-recorded; no picture redrawn
        assert film.stat().st_mtime_ns > made_first

        script.write_text(SCRIPT + "\n/* a note never closed\n", encoding="utf-8")
        broken = watching.until_watching()
        lines = SCRIPT.count("\n") + 2
        assert f"error: {script}:{lines}:1: boneyard '/*' is never closed with '*/'" in broken
        assert film.is_file()  # the film last made is still there

        script.write_text(SCRIPT, encoding="utf-8")  # back as it was first: that film, all of it reused
        mended = watching.until_watching()
        assert any(line.startswith("  reused: ") for line in mended)
        assert not any(line.startswith("    made: ") or "error" in line for line in mended)
    finally:
        watching.run.send_signal(signal.SIGINT)
        watching.run.wait(timeout=60)
    rest = []
    while not watching.lines.empty():
        rest.append(watching.lines.get().rstrip("\n"))
    assert watching.run.returncode == 0 and rest[-1] == "stopped watching"
