"""Reading and planning the worst shapes a screenplay under the 5 MiB limit can take: time and peak memory.

    python bench/worst.py [SHAPE ...]      shapes: caps line emph blank scenes lines (default: all)

Each shape runs in its own process (peak RSS is per process): one long run of capital words, one huge line of
short sentences, a line of `*a` emphasis marks, millions of blank lines, tiny scenes, dialogue blocks in one scene.
Each prints the time to read and to plan, then what one full collection of Python's cycle collector costs with
all of it alive (reading and planning freeze what a huge script built; see shotgraph/director/acyclic.py), and the
process's peak memory. tests/test_worst_shapes.py bounds each shape's memory by 15x what goes in and comes out
(the screenplay and its plan as JSON): 20x the input alone cannot hold where the plan is 45x it (tiny scenes).
"""

from __future__ import annotations

import gc
import resource
import subprocess
import sys
import time

MB = 1 << 20
SHAPES = {
    "caps": lambda: "INT. ROOM - DAY\n\n" + " ".join(["WORD"] * (5 * MB // 5)) + "\n",
    "line": lambda: "INT. ROOM - DAY\n\n" + ("a b. " * (5 * MB // 5)) + "\n",
    "emph": lambda: "INT. ROOM - DAY\n\n" + ("*a" * (5 * MB // 2)) + "\n",
    "blank": lambda: "INT. ROOM - DAY\n\nA chair.\n" + "\n" * (5 * MB - 30),
    "scenes": lambda: "".join(f"INT. R{i} - DAY\n\nA.\n\n" for i in range(5 * MB // 22)),
    "lines": lambda: "INT. ROOM - DAY\n\n" + "".join(f"ANNA\nHi {i}.\n\n" for i in range(5 * MB // 16)),
}


def measure(shape: str) -> None:
    from shotgraph.director.planning import plan as plan_film
    from shotgraph.director.screenplay.fountain import parse_fountain

    text = SHAPES[shape]()
    start = time.perf_counter()
    screenplay = parse_fountain(text, f"{shape}.fountain")
    read = time.perf_counter() - start
    plan_film(screenplay)  # the whole way `plan` and `make` plan: the rules, title cards, checks
    plan = time.perf_counter() - start - read
    start = time.perf_counter()
    gc.collect()  # what the collector pays for all that is still alive, each time it runs a full collection
    collect = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"{shape:<7} {len(text) / MB:>5.1f} MiB  read {read:>6.1f} s  plan {plan:>6.1f} s  "
          f"full gc {collect:>4.1f} s  peak {peak / MB:>6.0f} MB  ({peak / len(text):.0f}x the input)", flush=True)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        measure(sys.argv[2])
        return
    for shape in sys.argv[1:] or SHAPES:
        subprocess.run([sys.executable, __file__, "--one", shape], check=False)


if __name__ == "__main__":
    main()
