"""Throughput benchmark: eventcoder (1 and 2 workers, Spark local[2]) vs spaCy alone, one run.

The corpus is GENERATED from templates written for this benchmark (no real corpus ships with the
project): news-like articles of 8-14 sentences, where most sentences are background (weather,
prices, history, descriptions) and a few report events, as in real wire copy. Every run reads
the same corpus; each measurement runs in its own process, so peak memory is its own.

    python benchmarks/bench_throughput.py [--articles 2000] [--no-spark] [--exhaustive]

Prints articles/s and tokens/s (whitespace words of the input) for: spaCy's full pipeline alone
parsing every sentence (nlp.pipe over the whole texts, the obvious baseline), eventcoder's full
pipeline with 1 and 2 worker processes, optionally the exhaustive path (every sentence parsed),
and Spark local[2] (start-up included); the ratio to the baseline; peak resident memory per
worker. Not a test: timings depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

CITIES = [("Lagos", "Nigeria"), ("Kano", "Nigeria"), ("Nairobi", "Kenya"), ("Kampala", "Uganda"),
          ("Goma", "the Democratic Republic of the Congo"), ("Accra", "Ghana"), ("Khartoum", "Sudan"),
          ("Bamako", "Mali"), ("Dakar", "Senegal"), ("Harare", "Zimbabwe"), ("Lusaka", "Zambia"),
          ("Mombasa", "Kenya"), ("Kumasi", "Ghana"), ("Gao", "Mali")]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
NUMBERS = ["two", "three", "four", "six", "eight", "12", "15", "21", "30", "dozens of"]

HEADLINES = [
    "{city} residents count the cost of a difficult week",
    "Tension in {city} as officials weigh their next steps",
    "A week of uncertainty in {country}",
    "{city}: what we know so far",
]
EVENTS = [
    "On {day}, police in {city} arrested {n} protesters after a rally outside the governor's office.",
    "Gunmen attacked a village near {city} on {day}, killing {n} people, the army said.",
    "Ministers from {country} and its neighbours met in {city} on {day} to discuss border trade.",
    "Thousands of teachers marched through {city} on {day} to demand higher pay.",
    "Rebels shelled the outskirts of {city} overnight, residents said.",
    "The government of {country} signed an agreement with the World Bank on {day}.",
    "Soldiers clashed with armed men near {city} on {day}, leaving {n} dead.",
    "The opposition accused the ruling party of rigging the vote in {city}.",
    "Officials in {city} imposed a curfew on {day} after a night of unrest.",
    "The United Nations called on all sides in {country} to respect the ceasefire.",
]
BACKGROUND = [
    "The rainy season began late this year across much of {country}.",
    "Prices of maize and cooking oil have risen steadily since January.",
    "{city} is home to several million people and one of the busiest markets in the region.",
    "The city's main road was resurfaced two years ago with funds from a regional bank.",
    "Many residents work in small shops, workshops and the transport sector.",
    "Schools in the district reopen in September after the long holiday.",
    "The national football team plays its next qualifier in {city} next month.",
    "Electricity supply in the northern suburbs remains patchy, according to local traders.",
    "The river that runs through {city} often floods low-lying neighbourhoods.",
    "Bus fares in the capital were unchanged this month.",
    "A new hospital wing, built with local donations, serves families from nearby villages.",
    "Farmers in the surrounding districts grow cassava, sorghum and groundnuts.",
    "The central bank's next rate decision is due at the end of the quarter.",
    "Mobile money is now the most common way to pay for goods in the city.",
    "The population of {country} has nearly doubled in the past three decades.",
    "Local radio stations broadcast in several languages.",
]


def make_corpus(n: int, seed: int = 7) -> list[dict]:
    """`n` articles from the templates above, reproducibly (same seed, same corpus)."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        city, country = rnd.choice(CITIES)

        def fill(t: str) -> str:
            return t.format(city=city, country=country, day=rnd.choice(DAYS), n=rnd.choice(NUMBERS))

        body = [fill(rnd.choice(BACKGROUND)) for _ in range(rnd.randint(6, 11))]
        for _ in range(rnd.randint(1, 3)):
            body.insert(rnd.randint(0, len(body)), fill(rnd.choice(EVENTS)))
        paras = [" ".join(body[j:j + 3]) for j in range(0, len(body), 3)]
        text = fill(rnd.choice(HEADLINES)) + "\n\n" + "\n\n".join(paras)
        out.append({"id": f"bench-{i}", "text": text, "published": "2022-03-18",
                    "source": "Benchmark Wire"})
    return out


def _articles(path: str):
    from eventcoder.errors import InputError
    from eventcoder.ingest import read_paths

    return [a for a in read_paths([path]) if not isinstance(a, InputError)]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(mode: str, path: str) -> dict:
    """Run in a child process: load, warm up, then time one pass over every article."""
    articles = _articles(path)
    events = 0
    parsed = None
    workers_peak: list[float] = []
    if mode == "spacy":
        from eventcoder.nlp import load_nlp

        nlp = load_nlp()
        list(nlp.pipe([a.text for a in articles[:8]]))
        start = time.perf_counter()
        for _ in nlp.pipe((a.text for a in articles), batch_size=64):
            pass
        elapsed = time.perf_counter() - start
    elif mode in ("eventcoder", "exhaustive"):
        from eventcoder.pipeline import Extractor

        ex = Extractor(fast=mode == "eventcoder")
        list(ex.extract_many(articles[:8]))
        start = time.perf_counter()
        events = sum(len(r.events) for r in ex.extract_many(articles))
        elapsed = time.perf_counter() - start
        if ex.fast:  # after the timing: the share of rough sentences the fast path parsed
            plans = [plan for _text, (_a, plan) in ex._planned(articles)]
            parsed = (sum(len(p.kept) for p in plans), sum(len(p.sentences) for p in plans))
    elif mode == "workers2":
        from eventcoder.parallel import ParallelExtractor

        with ParallelExtractor(workers=2, chunk_size=32) as px:
            list(px.extract_many(articles[:64]))  # starts both workers and loads their models
            start = time.perf_counter()
            events = sum(len(r.events) for r in px.extract_many(articles))
            elapsed = time.perf_counter() - start
            workers_peak = sorted(px.peak_mb.values())
    elif mode == "spark":
        from eventcoder.spark import run_spark

        parts = os.path.join(os.path.dirname(path), "parts")
        start = time.perf_counter()
        counts = run_spark([parts], os.path.join(os.path.dirname(path), "spark-out"),
                           master="local[2]", partitions=4, merge=False)
        elapsed = time.perf_counter() - start
        events = counts["events"]
    else:
        raise ValueError(mode)
    tokens = sum(len(a.text.split()) for a in articles)
    return {"mode": mode, "articles": len(articles), "tokens": tokens, "events": events,
            "seconds": elapsed, "peak_mb": workers_peak or [_peak_mb()], "parsed": parsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--no-spark", action="store_true", help="skip the Spark local[2] run")
    parser.add_argument("--exhaustive", action="store_true",
                        help="also time eventcoder parsing every sentence (EVENTCODER_FAST=0)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.corpus)))
        return
    modes = ["spacy", "eventcoder", "workers2"] + (["exhaustive"] if args.exhaustive else [])
    if not args.no_spark:
        try:
            import pyspark  # noqa: F401
            modes.append("spark")
        except ImportError:
            print("Spark local[2]: skipped (pyspark is not installed: pip install 'eventcoder[spark]')")
    with tempfile.TemporaryDirectory() as tmp:
        corpus = make_corpus(args.articles)
        path = os.path.join(tmp, "corpus.jsonl")
        os.makedirs(os.path.join(tmp, "parts"))
        with open(path, "w", encoding="utf-8") as fh:
            for rec in corpus:
                fh.write(json.dumps(rec) + "\n")
        for p in range(4):  # the same corpus, partitioned for Spark
            with open(os.path.join(tmp, "parts", f"part-{p}.jsonl"), "w", encoding="utf-8") as fh:
                for rec in corpus[p::4]:
                    fh.write(json.dumps(rec) + "\n")
        words = sum(len(r["text"].split()) for r in corpus)
        print(f"corpus: {len(corpus)} articles GENERATED from this script's own templates "
              f"(no real corpus), {words:,} words, {words / len(corpus):.0f} words/article")
        rows = []
        for mode in modes:
            out = subprocess.run([sys.executable, __file__, "--child", mode, "--corpus", path],
                                 capture_output=True, text=True, cwd=ROOT)
            if out.returncode != 0:
                print(f"{mode}: failed\n{out.stderr[-2000:]}")
                continue
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    labels = {"spacy": "spaCy pipeline alone, every sentence", "eventcoder": "eventcoder, 1 worker",
              "workers2": "eventcoder, 2 workers", "exhaustive": "eventcoder exhaustive, 1 worker",
              "spark": "eventcoder on Spark local[2]*"}
    base = next((r for r in rows if r["mode"] == "spacy"), None)
    print(f"{'run':<38} {'articles/s':>10} {'tokens/s':>9} {'x spaCy':>8} {'events':>7} "
          f"{'peak MB/worker':>15}")
    for r in rows:
        rate = r["articles"] / r["seconds"]
        ratio = rate / (base["articles"] / base["seconds"]) if base else float("nan")
        peak = "/".join(f"{mb:.0f}" for mb in r["peak_mb"])
        print(f"{labels[r['mode']]:<38} {rate:>10.1f} {r['tokens'] / r['seconds']:>9.0f} "
              f"{ratio:>8.2f} {r['events']:>7} {peak:>15}")
    for r in rows:
        if r.get("parsed"):
            kept, total = r["parsed"]
            print(f"fast path: {kept:,} of {total:,} rough sentences parsed ({kept / total:.0%})")
    if any(r["mode"] == "spark" for r in rows):
        print("* Spark: wall time of the whole job, JVM start-up and Parquet writing included; "
              "Spark's executor memory is not counted in the peak column (driver only).")


if __name__ == "__main__":
    main()
