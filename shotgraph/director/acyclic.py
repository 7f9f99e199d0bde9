"""Reading and planning build hundreds of thousands of small acyclic objects; Python's cycle collector would
rescan them over and over while they pile up, which makes a long script cost more than its length. Both turn
it off while they work (a script with 10x the scenes took 13x as long to read and 18x to plan with it on).

Turning it back on is not enough for a huge script: the first collections after the stretch scan everything it
built, and a full collection soon scans it again (11.5 s after planning 5 MiB of tiny scenes, 7.6 million
objects). A stretch that built that much is frozen instead: moved where the collector never looks. What it
built holds no cycles, so reference counting still frees it. Freezing takes whatever else is alive at that
moment too, so each stretch first gives the frozen objects back to the collector: a long-running process (the
review page) keeps objects out of its reach only until the next stretch, and only after a huge script.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Objects built in one stretch above which it is frozen. A collection scans about a million objects a second
# here; under this, collecting after the stretch costs a tenth of a second at most.
FREEZE_ABOVE = 100_000


@contextmanager
def without_cyclic_gc() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    gc.unfreeze()
    try:
        yield
    finally:
        if gc.get_count()[0] > FREEZE_ABOVE:
            gc.freeze()
        if enabled:
            gc.enable()
