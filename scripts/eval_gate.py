"""Run the chosen evaluation data sets and exit 1 when a figure falls below its floor.

Example:
    python scripts/eval_gate.py plover-gsr-cameo tr-news
"""

from __future__ import annotations

import argparse
import json
import sys

from eventcoder.errors import EvalError
from eventcoder.evaluate import REGISTRY, format_report, run_eval
from eventcoder.evaluate.gate import check, load_floors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", nargs="*", help="data sets to run (default: those with floors)")
    parser.add_argument("--limit", type=int, default=None,
                        help="items per data set (floors are pinned on whole test splits)")
    parser.add_argument("--split", default="test", choices=("dev", "test", "all"))
    parser.add_argument("--data", default=None, help="the shared data folder (default ../shared/data)")
    parser.add_argument("--floors", default=None, help="floors JSON (default eventcoder/evaluate/floors.json)")
    parser.add_argument("--json", action="store_true", help="print the reports as JSON")
    args = parser.parse_args(argv)
    floors = load_floors(args.floors)
    names = args.datasets or [name for name in floors if name in REGISTRY]
    try:
        reports = {name: run_eval(name, limit=args.limit, split=args.split, data_dir=args.data) for name in names}
    except EvalError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    combined = {"datasets": reports}
    print(json.dumps(combined, indent=1, default=str) if args.json else format_report(combined))
    failures = check(combined, floors)
    for line in failures:
        print(f"REGRESSION {line}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
