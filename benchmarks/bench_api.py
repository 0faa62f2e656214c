"""Print how fast GET /api/events answers with 100,000 events in the store (not a test).

The store is filled with synthetic ArticleResults written through `store.write()` (no NLP), spread
over places, dates and types so that most reports stay events of their own. The requests go
through the whole ASGI app in-process (FastAPI's TestClient): routing, validation, store, JSON.

    .venv/bin/python benchmarks/bench_api.py [--events 100000] [--db /tmp/bench_api.db]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import time

from eventcoder.model import (PLOVER_TYPES, ActorRef, Article, ArticleResult, Count, DateSpan, Event,
                              Evidence, Place, SourceRef)
from eventcoder.store import open_store

WORDS = ("forces shelled attacked protesters marched officials met village convoy police raided "
         "clashes erupted near market bridge checkpoint camp district border port airport").split()
ACTORS = [("police", "Police forces", "xx-police", "state_forces"),
          ("rebels", "Rebel group", "xx-rebels", "rebel_group"),
          ("villagers", "Civilians", "xx-civilians", "civilians"),
          ("protesters", "Protesters", "xx-protesters", "protesters")]
COUNTRIES = ("NGA", "KEN", "MLI", "PSE", "SDN", "SYR", "YEM", "UKR", "COL", "MMR")
PER_ARTICLE = 20


def synthetic(rng: random.Random, n_article: int) -> ArticleResult:
    """One made-up article with PER_ARTICLE events at random places and dates."""
    published = dt.date(2021, 1, 1) + dt.timedelta(days=rng.randrange(1200))
    aid = f"{n_article:016x}"
    sentences, events, offset = [], [], 0
    for i in range(PER_ARTICLE):
        words = rng.sample(WORDS, 8)
        sentence = " ".join(words).capitalize() + f" number {n_article}-{i}."
        sentences.append(sentence)
        src, tgt = rng.sample(ACTORS, 2)
        day = published - dt.timedelta(days=rng.randrange(30))
        lat, lon = rng.uniform(-40, 60), rng.uniform(-80, 120)
        dead = rng.choice([None, None, rng.randrange(1, 40)])
        events.append(Event(
            id=f"{aid}{i:04x}", type=rng.choice(PLOVER_TYPES), mode="occurred",
            historical=rng.random() < 0.05, cameo_root="19", acled=None,
            source_actors=[ActorRef(src[0], src[1], src[2], rng.choice(COUNTRIES), src[3])],
            target_actors=[ActorRef(tgt[0], tgt[1], tgt[2], rng.choice(COUNTRIES), tgt[3])],
            date=DateSpan(day, day, "day", "synthetic"),
            locations=[Place(text=f"Place {i}", name=f"Place {rng.randrange(5000)}",
                             country=rng.choice(COUNTRIES), lat=lat, lon=lon)],
            fatalities=Count(dead, "exact", f"{dead} killed") if dead else None,
            injuries=None, arrests=None, attributed_to=None,
            evidence=[Evidence(aid, i, offset, offset + len(sentence), sentence, words[1])],
            sources=[SourceRef(aid, "Bench Wire", published.isoformat())],
            extractor={"name": "bench", "fields": {}}, confidence=0.5))
        offset += len(sentence) + 1
    article = Article(id=aid, text=" ".join(sentences), source="Bench Wire", published=published)
    return ArticleResult(article=article, events=events)


def build(path: str, n_events: int) -> None:
    store = open_store(path)
    have = store.stats()["events"]
    rng = random.Random(7)
    t = time.perf_counter()
    n_articles = (n_events + PER_ARTICLE - 1) // PER_ARTICLE
    for n in range(n_articles):
        result = synthetic(rng, n)  # generated even when stored, so the sequence stays the same
        if have < n_events:
            store.write(result)
        if n and n % 500 == 0 and have < n_events:
            print(f"  {n * PER_ARTICLE:,} events written, {time.perf_counter() - t:.0f} s", flush=True)
    stats = store.stats()
    store.close()
    print(f"store: {stats['events']:,} events, {stats['reports']:,} reports "
          f"(build {time.perf_counter() - t:.1f} s)")


def measure(path: str, repeat: int) -> bool:
    from fastapi.testclient import TestClient

    from eventcoder.web.app import create_app

    client = TestClient(create_app(path))
    cases = [
        ("first page (limit 100)", {}),
        ("type=ASSAULT", {"type": "ASSAULT"}),
        ("country=NGA", {"country": "NGA"}),
        ("actor=xx-police", {"actor": "xx-police"}),
        ("place=Place 12", {"place": "Place 12"}),
        ("since/until one month", {"since": "2022-03-01", "until": "2022-03-31"}),
        ("text=checkpoint convoy", {"text": "checkpoint convoy"}),
        ("min_sources=2", {"min_sources": 2}),
        ("review_status=unreviewed", {"review_status": "unreviewed"}),
        ("page 200 (offset 20,000)", {"offset": 20000}),
        ("summary view, limit 100", {"view": "summary"}),
        ("summary view, limit 2000 (the page)", {"view": "summary", "limit": 2000}),
    ]
    ok = True
    print(f"{'GET /api/events':<40} {'median ms':>10} {'p95 ms':>8} {'total':>8}")
    for label, params in cases:
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            r = client.get("/api/events", params=params)
            times.append(1000 * (time.perf_counter() - t))
            assert r.status_code == 200, r.text
        total = r.json()["total"]
        med = statistics.median(times)
        p95 = sorted(times)[max(0, int(0.95 * len(times)) - 1)]
        limit = 100 if params.get("limit", 100) <= 100 else None
        flag = "" if limit is None or med < limit else "  SLOW (> 100 ms)"
        ok = ok and not flag
        print(f"{label:<40} {med:>10.1f} {p95:>8.1f} {total:>8,}{flag}")
    return ok


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--db", default="/tmp/eventcoder_bench_api.db", help="reused if it already holds the events")
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    build(args.db, args.events)
    ok = measure(args.db, args.repeat)
    print("list endpoint under 100 ms for pages of 100:", "yes" if ok else "NO")
    print(f"(store file: {args.db}, {os.path.getsize(args.db) / 1e6:.0f} MB)")


if __name__ == "__main__":
    main()
