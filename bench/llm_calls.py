"""Chat calls the LLM director makes per film, against the fake OpenAI server from the tests.

Goals: planning a film costs at most one call for the character bible plus one per scene with something to film
(an opening of only FADE IN: or notes has nothing; a scene asked about before, under any number, is answered from
the cache: the feature repeats its scenes); planning it again with the same cache costs none; planning it with a
scene of action inserted before the first costs that scene's call, and one more where the screenplay's transition
into the old first scene (FADE IN:) now leads into the new one, however many scenes are renumbered.

    python bench/llm_calls.py [script.fountain ...]   (default: examples/*.fountain)
    python bench/llm_calls.py --feature 20            (the examples repeated: about 120 pages)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the fake server is a test helper, not part of the package
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from fake_openai import FakeOpenAI  # noqa: E402
from feature import feature_script  # noqa: E402
from make import with_a_scene_first  # noqa: E402

from shotgraph.config import PlannerSettings  # noqa: E402
from shotgraph.director.llm.planner import plan_with_llm  # noqa: E402
from shotgraph.director.screenplay.reader import parse_screenplay_text  # noqa: E402
from shotgraph.director.rules.breakdown import plan_by_rules  # noqa: E402

KEY_ENV = "SHOTGRAPH_BENCH_NO_KEY"  # unset: a local server needs no key


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scripts", nargs="*", type=Path, default=sorted((ROOT / "examples").glob("*.fountain")))
    parser.add_argument("--feature", type=int, metavar="N", help="plan the examples repeated N times instead")
    args = parser.parse_args()
    if args.feature:
        films = [(f"feature x{args.feature}", feature_script(args.feature))]
    else:
        films = [(p.name, p.read_text(encoding="utf-8")) for p in args.scripts]
    if not films:
        parser.error("no scripts given and none in examples/")
    os.environ.pop(KEY_ENV, None)

    columns = ("scenes", "calls", "goal", "re-plan", "cached", "inserted", "tokens", "seconds")
    print(f"{'script':<24}" + "".join(f"{c:>9}" for c in columns))
    failed = False
    for name, text in films:
        screenplay = parse_screenplay_text(text, name)
        scenes = len({shot.scene for shot in plan_by_rules(screenplay).shots})
        with FakeOpenAI() as fake, tempfile.TemporaryDirectory() as cache:
            settings = PlannerSettings(mode="llm", model="bench-director", base_url=fake.base_url, api_key_env=KEY_ENV)
            started = time.perf_counter()
            first = plan_with_llm(screenplay, settings, cache_dir=Path(cache))
            seconds = time.perf_counter() - started
            again = plan_with_llm(screenplay, settings, cache_dir=Path(cache))
            inserted = plan_with_llm(parse_screenplay_text(with_a_scene_first(text), name), settings,
                                     cache_dir=Path(cache))
        tokens = first.usage["prompt_tokens"] + first.usage["completion_tokens"]
        row = (scenes, first.calls, scenes + 1, again.calls, again.cached_calls, inserted.calls, tokens,
               f"{seconds:.2f}")
        print(f"{name:<24}" + "".join(f"{v:>9}" for v in row))
        for line in first.report:
            print(f"  {line}")
        failed |= first.calls > scenes + 1 or again.calls != 0 or inserted.calls > 2
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
