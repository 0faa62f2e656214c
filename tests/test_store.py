import datetime as dt
import json
import sqlite3

import pytest

from eventcoder.model import (ActorRef, Article, ArticleResult, Count, DateSpan, Event, Evidence,
                              Place, SourceRef)
from eventcoder.store import EventFilter, open_store


def make_result(text="Troops shelled the village of Kafr Nabl on Monday.", article_id="a1",
                events=1, country="SYR", etype="ASSAULT", day=dt.date(2022, 3, 14)):
    article = Article(id=article_id, text=text, source="Test Wire", published=dt.date(2022, 3, 18))
    out = []
    for i in range(events):
        out.append(Event(
            id=f"{article_id}-e{i}", type=etype, mode="occurred", historical=False, cameo_root="19",
            acled=None,
            source_actors=[ActorRef(text="Troops", name="Syrian security forces", id="syr-security-forces",
                                    country="SYR", kind="state_forces")],
            target_actors=[],
            date=DateSpan(start=day, end=day, precision="day", basis="'on Monday'"),
            locations=[Place(text="Kafr Nabl", name="Kafr Nabl", country=country, lat=35.6, lon=36.6)],
            fatalities=Count(count=2, qualifier="exact", text="two dead"), injuries=None, arrests=None,
            attributed_to=None,
            evidence=[Evidence(article_id=article_id, sentence_index=0, start=0, end=len(text), text=text,
                               trigger="shelled")],
            sources=[SourceRef(article_id=article_id, source="Test Wire", published="2022-03-18")],
            extractor={"name": "rules.v1", "version": "0.1.0", "fields": {"type": "lexicon:shell"}},
            confidence=0.8))
    return ArticleResult(article=article, events=out)


def test_store_write_is_idempotent(tmp_path):
    db = str(tmp_path / "e.db")
    with open_store(db) as store:
        assert "new" == store.write(make_result()).status
        assert "unchanged" == store.write(make_result()).status
        assert {"articles": 1, "events": 1, "by_type": {"ASSAULT": 1}} == store.stats()


def test_store_round_trips_the_schema_record(tmp_path):
    result = make_result()
    with open_store(str(tmp_path / "e.db")) as store:
        store.write(result)
        (back,) = list(store.query_events())
    assert result.events[0].to_dict() == back.to_dict()


@pytest.mark.parametrize(
    "flt,expected",
    [
        (EventFilter(type="ASSAULT"), 2),
        (EventFilter(type="protest"), 1),
        (EventFilter(country="SYR"), 2),
        (EventFilter(country="UKR"), 1),
        (EventFilter(since=dt.date(2022, 3, 15)), 1),
        (EventFilter(until=dt.date(2022, 3, 15)), 2),
        (EventFilter(actor="syr-security-forces"), 3),
        (EventFilter(actor="Syrian"), 3),
        (EventFilter(historical=True), 0),
        (EventFilter(limit=1), 1),
    ],
)
def test_store_filters(tmp_path, flt, expected):
    with open_store(str(tmp_path / "e.db")) as store:
        store.write(make_result(article_id="a1", events=2))
        store.write(make_result(text="Protesters rallied in Kharkiv.", article_id="a2", country="UKR",
                                etype="PROTEST", day=dt.date(2022, 3, 16)))
        assert expected == len(list(store.query_events(flt)))


def test_store_failed_write_leaves_no_partial_article(tmp_path):
    db = str(tmp_path / "e.db")
    result = make_result(events=2)
    result.events[1].id = result.events[0].id  # same id twice is fine (replace) ...
    bad = make_result(article_id="b1", events=2)
    bad.events[1].type = None  # ... but a NOT NULL violation mid-article must roll back
    with open_store(db) as store:
        with pytest.raises(Exception):
            store.write(bad)
        assert not store.has_article("b1")
        assert 0 == store.count_events()
    conn = sqlite3.connect(db)
    assert [] == conn.execute("SELECT id FROM articles").fetchall()


def test_store_records_migrations(tmp_path):
    db = str(tmp_path / "e.db")
    open_store(db).close()
    open_store(db).close()
    conn = sqlite3.connect(db)
    assert [("0001_initial",)] == conn.execute("SELECT name FROM _eventcoder_migrations").fetchall()
    assert "wal" == conn.execute("PRAGMA journal_mode").fetchone()[0]


def test_store_rejects_postgres_until_supported():
    from eventcoder.errors import ConfigError

    with pytest.raises(ConfigError, match="PostgreSQL"):
        open_store("postgresql://localhost/events")
