"""`ingest --workers N`: N processes, results in input order, the same store as one process."""

import datetime as dt
import json
import sqlite3

import pytest

from eventcoder.errors import ConfigError, InputError
from eventcoder.ingest import read_text
from eventcoder.parallel import ParallelExtractor

PUBLISHED = dt.date(2022, 3, 18)
TEXTS = [
    "Police in Lagos arrested 14 protesters on Monday after a rally outside the governor's office.",
    "The weather in Nairobi was mild and dry this week.",
    "Gunmen attacked a village near Maiduguri on Sunday, killing six farmers, the army said.",
    "Ministers from Kenya and Uganda met in Kampala on Tuesday and signed a trade agreement.",
    "Rebels shelled the outskirts of Goma overnight, residents said.",
    "Thousands of teachers marched through Accra on Friday to demand higher pay.",
    "The European Union imposed sanctions on three Malian officials on Wednesday.",
]


def _corpus(path):
    with open(path, "w", encoding="utf-8") as fh:
        for i, text in enumerate(TEXTS):
            fh.write(json.dumps({"text": text, "published": "2022-03-18", "source": f"Wire {i % 2}"}) + "\n")
        fh.write("this line is not JSON\n")
    return str(path)


def _events(db):
    con = sqlite3.connect(db)
    try:
        tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
        table = "events" if "events" in tables else sorted(t for t in tables if "event" in t)[0]
        return sorted(r[0] for r in con.execute(f"select id from {table}"))
    finally:
        con.close()


def test_parallel_same_results_in_input_order():
    from eventcoder.api import get_extractor

    articles = [read_text(t, published=PUBLISHED, source="Wire") for t in TEXTS]
    items = articles[:3] + [InputError("corpus.jsonl", "invalid JSON", 4)] + articles[3:]
    expected = [r.to_dict() for r in get_extractor().extract_many(articles)]
    get_extractor()  # loaded here, so forked workers start with it (spawn is tested below)
    with ParallelExtractor(workers=2, chunk_size=2, window=2, start_method="fork") as px:
        out = list(px.extract_many(iter(items), skip=lambda a: a.id == articles[1].id))
        # Forked workers report the parent's peak too; the 1 GiB budget is measured with spawn
        # (benchmarks/bench_throughput.py), here only that each worker reports one.
        assert 1 <= len(px.peak_mb) <= 2 and all(mb > 0 for mb in px.peak_mb.values())
    assert isinstance(out[3], InputError) and out[3].line == 4
    assert out[1] is articles[1]  # skipped (already stored): passed back unparsed
    results = [r.to_dict() for r in out if not isinstance(r, (InputError, type(articles[1])))]
    assert results == [e for i, e in enumerate(expected) if i != 1]
    assert sum(len(r["events"]) for r in results) >= 5


def test_parallel_rejects_zero_workers():
    with pytest.raises(ConfigError):
        ParallelExtractor(workers=0)


def test_parallel_ingest_matches_one_worker(tmp_path):
    from eventcoder.api import ingest_paths

    corpus = _corpus(tmp_path / "corpus.jsonl")
    one, two = str(tmp_path / "one.db"), str(tmp_path / "two.db")
    s1 = ingest_paths([corpus], one, workers=1)
    s2 = ingest_paths([corpus], two, workers=2)
    assert (s2.articles_new, s2.events, s2.skipped) == (s1.articles_new, s1.events, s1.skipped)
    assert s1.articles_new == len(TEXTS) and s1.skipped == 1 and s1.events >= 5
    assert _events(one) == _events(two) and len(_events(two)) == s2.events
    again = ingest_paths([corpus], two, workers=2)  # idempotent: nothing new (nor any worker)
    assert (again.articles_new, again.events, again.articles_unchanged) == (0, 0, len(TEXTS))
    assert _events(two) == _events(one)
