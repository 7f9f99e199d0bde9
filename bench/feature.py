"""A feature-length screenplay for the benchmarks, built from the examples.

The bodies of examples/*.fountain (title pages and forced scene numbers removed, so repeats stay unique) are
repeated; `feature_script(20)` is about 120 pages.
"""

from __future__ import annotations

import re
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _body(text: str) -> str:
    """The script without its title page (everything before the first blank line, when it starts with 'Key:')."""
    if re.match(r"^[A-Za-z ]+:", text):
        text = text.split("\n\n", 1)[1] if "\n\n" in text else ""
    return re.sub(r"[ \t]+#[\w.-]+#[ \t]*$", "", text, flags=re.MULTILINE)  # never the blank line after


def feature_script(repeat: int = 20) -> str:
    """Fountain text of the examples repeated `repeat` times, under one title page."""
    bodies = [_body(p.read_text(encoding="utf-8")) for p in sorted(EXAMPLES.glob("*.fountain"))]
    if not bodies:
        raise FileNotFoundError(f"no examples/*.fountain in {EXAMPLES}")
    parts = ["Title: Feature Benchmark\nAuthor: shotgraph bench\n"]
    for _ in range(repeat):
        parts += [b.strip() + "\n" for b in bodies]
    return "\n".join(parts)
