"""Time the rule-based director on a feature-length script. Goal: under 0.5 s.

    python bench/plan.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from feature import feature_script  # noqa: E402

from shotgraph.director.screenplay.pages import estimate_pages  # noqa: E402
from shotgraph.director.screenplay.reader import parse_screenplay_text  # noqa: E402
from shotgraph.director.rules.breakdown import plan_by_rules  # noqa: E402
from shotgraph.director.validate import validate  # noqa: E402

GOAL_SECONDS = 0.5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20, help="copies of the examples (20 is about 120 pages)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs; the best is reported")
    args = parser.parse_args()

    screenplay = parse_screenplay_text(feature_script(args.repeat), "feature.fountain")
    lines = sum(1 for _ in screenplay.dialogue())
    timings = []
    for _ in range(args.runs):
        start = time.perf_counter()
        plan = plan_by_rules(screenplay)
        timings.append(time.perf_counter() - start)
    start = time.perf_counter()
    problems = validate(plan, screenplay)
    validate_s = time.perf_counter() - start

    best = min(timings)
    minutes = plan.estimated_seconds / 60
    print(f"feature script: {estimate_pages(screenplay)} pages, {len(screenplay.scenes)} scenes, {lines} dialogue blocks")
    print(f"rule-based plan: {len(plan.shots)} shots, {minutes:.1f} min estimated running time")
    print(f"plan_by_rules: best {best:.3f} s of {args.runs} (goal < {GOAL_SECONDS} s): "
          f"{'ok' if best < GOAL_SECONDS else 'SLOW'}")
    print(f"validate: {validate_s:.3f} s, {len(problems)} problem(s)")


if __name__ == "__main__":
    main()
