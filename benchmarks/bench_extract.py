"""Benchmark: eventcoder extraction vs spaCy's pipeline alone, on the same articles, in one run.

Prints articles/s, tokens/s and peak memory (RSS) for each, each measured in its own process so
one's memory does not hide the other's. Not a test: timings depend on the machine.

    python benchmarks/bench_extract.py [PATH ...] [--repeat N]

With no PATH it uses the project's own texts (examples/ and the fixtures in tests/texts/events.yaml).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def load_articles(paths: list[str], repeat: int):
    from eventcoder.errors import InputError
    from eventcoder.ingest import read_paths, read_text

    articles = []
    if paths:
        articles = [a for a in read_paths(paths) if not isinstance(a, InputError)]
    else:
        import yaml

        articles = [a for a in read_paths([os.path.join(ROOT, "examples")]) if not isinstance(a, InputError)]
        with open(os.path.join(ROOT, "tests", "texts", "events.yaml"), encoding="utf-8") as fh:
            for case in yaml.safe_load(fh):
                articles.append(read_text(case["text"], published=case.get("published"), source="Fixture"))
    return articles * repeat


def measure(mode: str, paths: list[str], repeat: int) -> dict:
    """Run in a child process: load, warm up, then time one pass over every article."""
    articles = load_articles(paths, repeat)
    if mode == "spacy":
        from eventcoder.nlp import load_nlp

        nlp = load_nlp()
        list(nlp.pipe(["Warm-up sentence for the parser."]))
        start = time.perf_counter()
        events = sum(0 for _ in nlp.pipe((a.text for a in articles), batch_size=16))
    else:
        from eventcoder.api import get_extractor

        ex = get_extractor()
        ex.extract(articles[0])
        start = time.perf_counter()
        events = 0
        for result in ex.extract_many(articles):
            events += len(result.events)
    elapsed = time.perf_counter() - start
    # Tokens are counted the same way for both runs: whitespace-separated words of the input.
    tokens = sum(len(a.text.split()) for a in articles)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"mode": mode, "articles": len(articles), "tokens": tokens, "events": events,
            "seconds": elapsed, "peak_mb": peak_kb / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--repeat", type=int, default=5, help="pass over the articles this many times")
    parser.add_argument("--child", choices=["spacy", "eventcoder"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.paths, args.repeat)))
        return
    rows = []
    for mode in ("spacy", "eventcoder"):
        out = subprocess.run([sys.executable, __file__, "--child", mode, "--repeat", str(args.repeat), *args.paths],
                             check=True, capture_output=True, text=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"{'run':<32} {'articles':>8} {'articles/s':>11} {'tokens/s':>10} {'events':>7} {'peak MB':>8}")
    for r in rows:
        label = "spaCy pipeline alone (baseline)" if r["mode"] == "spacy" else "eventcoder extract (full)"
        print(f"{label:<32} {r['articles']:>8} {r['articles'] / r['seconds']:>11.1f} "
              f"{r['tokens'] / r['seconds']:>10.0f} {r['events']:>7} {r['peak_mb']:>8.0f}")
    ratio = (rows[1]["articles"] / rows[1]["seconds"]) / (rows[0]["articles"] / rows[0]["seconds"])
    print(f"eventcoder throughput / spaCy-alone throughput: {ratio:.2f}")


if __name__ == "__main__":
    main()
