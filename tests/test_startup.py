"""Start-up: a command pays only for what it uses. Checking the profile's backends must not import the libraries
their work needs (scipy.signal alone takes most of a second), so a make with nothing to do, `plan` or the review
page start quickly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "night_shift.fountain"

OPEN_A_FILM = """
import sys
from shotgraph import Director
Director(sys.argv[1], workdir=sys.argv[2])
print(" ".join(name for name in ("scipy.signal", "torch", "diffusers", "transformers") if name in sys.modules))
"""


def test_opening_a_film_imports_no_signal_processing_or_model_library(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", OPEN_A_FILM, str(EXAMPLE), str(tmp_path / "work")],
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
