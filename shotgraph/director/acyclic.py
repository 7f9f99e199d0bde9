"""Reading and planning build hundreds of thousands of small acyclic objects; Python's cycle collector would
rescan them over and over while they pile up, which makes a long script cost more than its length. Both turn
it off while they work (a script with 10x the scenes took 13x as long to read and 18x to plan with it on).

Turning it back on is not enough for a huge script: the first collections after the stretch scan everything it
built, and a full collection soon scans it again (about 11 s after planning 5 MiB of tiny scenes, 7.6 million
objects). A stretch that built that much is frozen instead: moved where the collector never looks. What it
built holds no cycles, so reference counting still frees it. Freezing takes whatever else is alive at that
moment too, so each stretch first gives back what the last one froze: a long-running process (the review page)
keeps objects out of the collector's reach only until its next reading, and only after a huge script. A program
that freezes objects itself (a pre-forking server) keeps its freeze: nothing is frozen or given back over it.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# Objects built in one stretch above which it is frozen. A collection scans about a million objects a second
# here; under this, collecting after the stretch costs a tenth of a second at most.
FREEZE_ABOVE = 100_000

_lock = threading.Lock()
_frozen = 0  # how many objects were frozen when a stretch last froze them; 0 when nothing frozen is ours


@contextmanager
def without_cyclic_gc() -> Iterator[None]:
    global _frozen
    enabled = gc.isenabled()
    gc.disable()
    with _lock:
        if gc.get_freeze_count() <= _frozen:  # ours alone (some may have been freed since), or none
            gc.unfreeze()
            _frozen = 0
    try:
        yield
    finally:
        with _lock:
            if gc.get_count()[0] > FREEZE_ABOVE and gc.get_freeze_count() <= _frozen:  # none, or ours alone
                gc.freeze()
                _frozen = gc.get_freeze_count()
        if enabled:
            gc.enable()
