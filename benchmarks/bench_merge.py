"""Benchmark: merging 10,000 event reports vs extracting them (the merge must cost < 10%).

Extraction time per report is measured on the project's own texts (tests/texts/merge and
tests/texts/events.yaml) with the real pipeline. Every article has a publication date, as news
does (a fixture without one is given PUBLISHED), so an undated sentence gets the pipeline's
publication-week date. The 10,000 reports are copies of those reports spread over a year and a
region (three copies per incident, so two writes in three join an event), written into a fresh
SQLite store in transactions of --batch articles (`Store.write_many`, as `eventcoder ingest`
does; --batch 1 is one `Store.write` per article): insert + candidate lookup by (family, cell,
week) + scoring + event rebuild. Then they are clustered once more in memory with
`merge.cluster_reports` (the batch form). Not a test: timings depend on the machine.

--undated keeps the fixtures without a date undated, as the benchmark did before: their
copies cannot be spread over the year, so each template's ~85 copies become one event, and
every join rebuilds an event of up to 85 reports (a stress case, not the news the target is for).

    python benchmarks/bench_merge.py [--reports N] [--batch N] [--undated]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import glob
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)


PUBLISHED = dt.date(2022, 3, 18)  # for the fixtures that give no publication date


def load_articles(undated: bool = False):
    import yaml

    from eventcoder.ingest import read_text

    articles = []
    for path in sorted(glob.glob(os.path.join(ROOT, "examples", "*.txt")) +
                       glob.glob(os.path.join(ROOT, "tests", "texts", "merge", "*.txt"))):
        with open(path, encoding="utf-8") as fh:
            articles.append(read_text(fh.read()))
    with open(os.path.join(ROOT, "tests", "texts", "events.yaml"), encoding="utf-8") as fh:
        for case in yaml.safe_load(fh):
            published = case.get("published") or (None if undated else PUBLISHED)
            articles.append(read_text(case["text"], published=published, source="Fixture"))
    return articles


def synthetic(templates, n: int):
    """n reports, three per incident (one template told by three outlets), each incident moved
    to its own day and place: the first report of an incident makes an event, the other two
    join it (so did the old generator intend; it took three different templates per incident)."""
    from eventcoder.model import Article, ArticleResult

    out = []
    for i in range(n):
        incident = i // 3
        t = templates[incident % len(templates)]
        shift = dt.timedelta(days=incident % 365)
        dlat, dlon = (incident * 0.37) % 12 - 6, (incident * 0.53) % 16 - 8
        aid = f"bench{i:06d}"
        date = t.date and dataclasses.replace(t.date, start=t.date.start + shift, end=t.date.end + shift)
        places = [dataclasses.replace(p, lat=p.lat + dlat if p.lat is not None else None,
                                      lon=p.lon + dlon if p.lon is not None else None) for p in t.locations]
        evidence = [dataclasses.replace(e, article_id=aid) for e in t.evidence]
        sources = [dataclasses.replace(s, article_id=aid, source=f"Outlet {i % 3}") for s in t.sources]
        report = dataclasses.replace(t, id=f"{aid}-r", date=date, locations=places, evidence=evidence,
                                     sources=sources)
        article = Article(id=aid, text=f"synthetic article {i}", source=f"Outlet {i % 3}",
                          published=(date.end if date else None))
        out.append(ArticleResult(article=article, events=[report]))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=10_000)
    ap.add_argument("--batch", type=int, default=50, help="articles per transaction (1: one write each)")
    ap.add_argument("--undated", action="store_true", help="leave fixtures without a date undated (stress)")
    args = ap.parse_args()

    from eventcoder import merge
    from eventcoder.api import get_extractor
    from eventcoder.store import open_store

    articles = load_articles(args.undated)
    ex = get_extractor()
    ex.extract(articles[0])  # warm-up: model and resources loaded
    start, cpu = time.perf_counter(), time.process_time()
    results = list(ex.extract_many(articles))
    extract_s, extract_cpu = time.perf_counter() - start, time.process_time() - cpu
    templates = [e for r in results for e in r.events]
    per_report = extract_s / len(templates)
    extract_total = per_report * args.reports
    extract_cpu_total = extract_cpu / len(templates) * args.reports

    batch = synthetic(templates, args.reports)
    with tempfile.TemporaryDirectory() as tmp:
        with open_store(os.path.join(tmp, "bench.db")) as store:
            start, cpu = time.perf_counter(), time.process_time()
            if args.batch <= 1:
                merged = sum(store.write(r).merged for r in batch)
            else:
                merged = sum(o.merged for i in range(0, len(batch), args.batch)
                             for o in store.write_many(batch[i:i + args.batch]))
            store_s, store_cpu = time.perf_counter() - start, time.process_time() - cpu
            n_events = store.count_events()
    start = time.perf_counter()
    clusters = merge.cluster_reports([r.events[0] for r in batch])
    batch_s = time.perf_counter() - start

    print(f"extraction: {len(templates)} reports from {len(articles)} articles in {extract_s:.2f} s "
          f"({per_report * 1000:.1f} ms/report) -> {extract_total:.1f} s for {args.reports:,} reports")
    sizes = sorted(len(c) for c in clusters)
    print(f"undated reports: {sum(e.date is None for e in templates)} of {len(templates)} templates; "
          f"largest events: {sizes[-3:]} reports")
    print(f"merge in the store ({'one write per article' if args.batch <= 1 else f'write_many of {args.batch}'}): "
          f"{args.reports:,} reports -> {n_events:,} events ({merged:,} joined one) "
          f"in {store_s:.2f} s ({store_s / args.reports * 1000:.2f} ms/report), "
          f"{100 * store_s / extract_total:.1f}% of extraction")
    print(f"CPU time (fairer on a shared machine): extraction {extract_cpu_total:.1f} s, store merge "
          f"{store_cpu:.1f} s = {100 * store_cpu / extract_cpu_total:.1f}%")
    print(f"merge in memory (cluster_reports): {len(clusters):,} events in {batch_s:.2f} s, "
          f"{100 * batch_s / extract_total:.1f}% of extraction")
    verdict = "OK" if store_s < 0.1 * extract_total else "OVER BUDGET"
    print(f"target: store merge < 10% of extraction -> {verdict}")


if __name__ == "__main__":
    main()
