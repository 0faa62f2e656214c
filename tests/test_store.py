import datetime as dt
import json
import sqlite3

import pytest

from eventcoder.errors import StoreError
from eventcoder.model import (ActorRef, Article, ArticleResult, Count, DateSpan, Event, Evidence,
                              Place, SourceRef)
from eventcoder.store import EventFilter, open_store


def make_result(text="Troops shelled the village of Kafr Nabl on Monday.", article_id="a1",
                events=1, country="SYR", etype="ASSAULT", day=dt.date(2022, 3, 14), source="Test Wire",
                place=("Kafr Nabl", 35.6, 36.6), dead=2, qualifier="exact",
                actor=("Syrian security forces", "syr-security-forces")):
    article = Article(id=article_id, text=text, source=source, published=dt.date(2022, 3, 18))
    out = []
    for i in range(events):
        out.append(Event(
            id=f"{article_id}-e{i}", type=etype, mode="occurred", historical=False, cameo_root="19",
            acled=None,
            source_actors=[ActorRef(text="Troops", name=actor[0], id=actor[1], country=country,
                                    kind="state_forces")],
            target_actors=[],
            # A second event of one article happens a week later, so that it is not the same incident.
            date=DateSpan(start=day + dt.timedelta(days=7 * i), end=day + dt.timedelta(days=7 * i),
                          precision="day", basis="'on Monday'"),
            locations=[Place(text=place[0], name=place[0], country=country, lat=place[1], lon=place[2])],
            fatalities=Count(count=dead, qualifier=qualifier, text=f"{dead} dead") if dead is not None else None,
            injuries=None, arrests=None,
            attributed_to=None,
            evidence=[Evidence(article_id=article_id, sentence_index=0, start=0, end=len(text), text=text,
                               trigger="shelled")],
            sources=[SourceRef(article_id=article_id, source=source, published="2022-03-18")],
            extractor={"name": "rules.v1", "version": "0.1.0", "fields": {"type": "lexicon:shell"}},
            confidence=0.8))
    return ArticleResult(article=article, events=out)


def other_town(article_id="b1", **kw):
    """The same kind of incident on the same day, in a town 60 km away (Hama): a different event."""
    return make_result(text="Shells hit Hama on Monday.", article_id=article_id, place=("Hama", 35.13, 36.75), **kw)


def test_store_write_is_idempotent(store_url):
    with open_store(store_url) as store:
        assert "new" == store.write(make_result()).status
        assert "unchanged" == store.write(make_result()).status
        stats = store.stats()
    assert (1, 1, 1, {"ASSAULT": 1}) == (stats["articles"], stats["reports"], stats["events"], stats["by_type"])


def test_store_keeps_each_report_as_extracted(store_url):
    result = make_result()
    with open_store(store_url) as store:
        store.write(result)
        (back,) = list(store.query_events())
        (report,) = store.event_reports(back.id)
    assert result.events[0].to_dict() == report["record"]
    assert "a1" == report["article_id"] and "Test Wire" == report["source"]
    core = {k: v for k, v in back.to_dict().items() if k not in ("extractor",)}
    expected = result.events[0].to_dict()
    assert {k: expected[k] for k in ("id", "type", "date", "locations", "fatalities", "evidence", "sources")} \
        == {k: core[k] for k in ("id", "type", "date", "locations", "fatalities", "evidence", "sources")}
    assert 1 == back.n_sources and "merge.v1" == back.extractor["merge"]


def test_store_merges_reports_of_one_incident_across_sources(store_url):
    with open_store(store_url) as store:
        store.write(make_result(article_id="a1", source="Wire A", dead=2))
        outcome = store.write(make_result(text="Two died as the army shelled Kafr Nabl.", article_id="a2",
                                          source="Wire B", dead=3, place=("Kafr Nabl", 35.61, 36.61)))
        store.write(other_town(source="Wire C"))
        assert 1 == outcome.merged
        events = list(store.query_events())
        assert 2 == len(events)
        merged = next(e for e in events if e.n_sources == 2)
        assert ["a1", "a2"] == [s.article_id for s in merged.sources]
        assert 2 == merged.fatalities.count  # the lowest credible figure
        assert {"low": 2, "high": 3} == merged.fatalities_range
        assert [("Wire A", 2), ("Wire B", 3)] == [(x["source"], x["count"]) for x in merged.fatalities_by_source]
        reports = store.event_reports(merged.id)
        assert 2 == len(reports)
        second = next(r for r in reports if r["id"] == "a2-e0")
        assert second["merge_score"] >= 0.55 and "a1-e0" == second["matched_report"]
        assert any(reason.startswith("place:") for reason in second["merge_reasons"])
        assert 2 == store.count_events(EventFilter(min_sources=1))
        assert [merged.id] == [e.id for e in store.query_events(EventFilter(min_sources=2))]


@pytest.mark.parametrize(
    "flt,expected",
    [
        (EventFilter(type="ASSAULT"), 2),
        (EventFilter(type="protest"), 1),
        (EventFilter(country="SYR"), 2),
        (EventFilter(country="UKR"), 1),
        (EventFilter(since=dt.date(2022, 3, 15)), 2),
        (EventFilter(until=dt.date(2022, 3, 15)), 1),
        (EventFilter(actor="syr-security-forces"), 2),
        (EventFilter(actor="Syrian"), 2),
        (EventFilter(place="kharkiv"), 1),
        (EventFilter(text="rallied"), 1),
        (EventFilter(text="village Nabl"), 2),
        (EventFilter(text="rallied village"), 0),
        (EventFilter(review_status="unreviewed"), 3),
        (EventFilter(review_status="accepted"), 0),
        (EventFilter(historical=True), 0),
        (EventFilter(near=(35.6, 36.6, 10)), 2),
        (EventFilter(bbox=(30, 45, 40, 55)), 1),
        (EventFilter(limit=1), 1),
    ],
)
def test_store_filters(store_url, flt, expected):
    with open_store(store_url) as store:
        store.write(make_result(article_id="a1", events=2))
        store.write(make_result(text="Protesters rallied in Kharkiv.", article_id="a2", country="UKR",
                                etype="PROTEST", day=dt.date(2022, 3, 16), place=("Kharkiv", 49.98, 36.25),
                                actor=("Ukrainian protesters", "ukr-protesters")))
        assert expected == len(list(store.query_events(flt)))
        assert expected == (store.count_events(flt) if flt.limit is None else 1)


def test_store_failed_write_leaves_no_partial_article(store_url):
    bad = make_result(article_id="b1", events=2)
    bad.events[1].type = None  # a NOT NULL violation mid-article must roll back
    with open_store(store_url) as store:
        with pytest.raises(Exception):
            store.write(bad)
        assert not store.has_article("b1")
        assert 0 == store.count_events()
        assert 0 == store.stats()["reports"]


def test_store_same_report_id_twice_in_one_article_is_stored_once(store_url):
    result = make_result(events=2)
    result.events[1].id = result.events[0].id
    with open_store(store_url) as store:
        assert 1 == store.write(result).events
        assert 1 == store.count_events()


def test_store_records_migrations_in_name_order(tmp_path):
    db = str(tmp_path / "e.db")
    open_store(db).close()
    open_store(db).close()
    conn = sqlite3.connect(db)
    assert [("0001_initial",), ("0002_merged_events",), ("0003_fast_filters",)] == \
        conn.execute("SELECT name FROM _eventcoder_migrations ORDER BY rowid").fetchall()
    assert "wal" == conn.execute("PRAGMA journal_mode").fetchone()[0]


def test_store_migrates_a_0001_store_to_single_report_events(tmp_path):
    """A store written before merging: its per-article events become reports of their own events."""
    from eventcoder.store import migrations

    db = str(tmp_path / "old.db")
    conn = sqlite3.connect(db, isolation_level=None)
    conn.executescript(migrations._initial())
    conn.execute("CREATE TABLE _eventcoder_migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    conn.execute("INSERT INTO _eventcoder_migrations VALUES ('0001_initial', '2022-03-18T00:00:00')")
    for result in (make_result(article_id="a1"), make_result(article_id="a2", source="Wire B")):
        art, ev = result.article, result.events[0]
        conn.execute("INSERT INTO articles VALUES (?, ?, ?, NULL, NULL, NULL, ?, '2022-03-18')",
                     (art.id, art.source, "2022-03-18", art.text))
        conn.execute("INSERT INTO events VALUES (?, ?, 'ASSAULT', 'occurred', 0, '19', '2022-03-14',"
                     " '2022-03-14', 'day', 2, 0.8, ?)", (ev.id, art.id, json.dumps(ev.to_dict())))
        conn.execute("INSERT INTO event_places VALUES (?, 'Kafr Nabl', 'SYR', NULL, 35.6, 36.6, 'city')", (ev.id,))
    conn.close()
    with open_store(db) as store:
        assert ["0002_merged_events", "0003_fast_filters"] == store.applied
        events = list(store.query_events())
        assert ["a1-e0", "a2-e0"] == [e.id for e in events]  # existing ids keep working
        assert all(1 == e.n_sources for e in events)
        assert ["a1-e0"] == [r["id"] for r in store.event_reports("a1-e0")]
        assert 2 == store.count_events(EventFilter(country="SYR", text="shelled"))
        # A re-merge joins them, as a fresh ingest would have.
        assert {"events": 1, "reports": 2} == {k: v for k, v in store.remerge().items() if k != "changed"}
        (merged,) = list(store.query_events())
        assert ("a1-e0", 2) == (merged.id, merged.n_sources)
        assert merged.id == store.get_event("a2-e0").id  # the absorbed id resolves to the survivor


def test_store_ids_do_not_depend_on_ingest_order(tmp_path):
    results = [make_result(article_id=a, source=f"Wire {a}") for a in ("a3", "a1", "a2")] + [other_town("b1")]
    shapes = []
    for order in (results, results[::-1]):
        with open_store(str(tmp_path / f"{len(shapes)}.db")) as store:
            for r in order:
                store.write(r)
            shapes.append(sorted((e.id, tuple(sorted(s.article_id for s in e.sources)))
                                 for e in store.query_events()))
    assert shapes[0] == shapes[1]
    assert [("a1-e0", ("a1", "a2", "a3")), ("b1-e0", ("b1",))] == shapes[0]


def test_store_event_id_change_leaves_an_alias(store_url):
    with open_store(store_url) as store:
        store.write(make_result(article_id="a2"))
        store.write(make_result(article_id="a1", source="Other"))  # a smaller id joins: the event is renamed
        assert "a1-e0" == store.get_event("a2-e0").id
        assert "auto_merge" == store.audit_log("a1-e0")[0]["action"]


def test_store_review_accept_reject_edit_and_audit(store_url):
    with open_store(store_url) as store:
        store.write(make_result())
        eid = "a1-e0"
        assert "accepted" == store.review_event(eid, "accept", by="ana").review_status
        edited = store.review_event(eid, "edit", by="ana", field="fatalities",
                                    value={"count": 4, "qualifier": "at_least", "text": "at least four"})
        assert (4, "at_least") == (edited.fatalities.count, edited.fatalities.qualifier)
        assert "accepted" == edited.review_status  # an edit keeps an earlier accept
        assert "rejected" == store.review_event(eid, "reject", by="bo").review_status
        assert 1 == store.count_events(EventFilter(review_status="rejected"))
        log = store.audit_log(eid)
        assert ["reject", "edit", "accept"] == [x["action"] for x in log]
        assert ("bo", "review_status", "accepted", "rejected") == \
            (log[0]["by"], log[0]["field"], log[0]["before"], log[0]["after"])
        assert 2 == log[1]["before"]["count"] and 4 == log[1]["after"]["count"]
        with pytest.raises(StoreError, match="cannot edit field"):
            store.review_event(eid, "edit", by="ana", field="evidence", value=[])
        with pytest.raises(StoreError, match="does not fit"):
            store.review_event(eid, "edit", by="ana", field="fatalities", value=5)
        with pytest.raises(StoreError, match="review action"):
            store.review_event(eid, "approve", by="ana")
        with pytest.raises(StoreError, match="no event"):
            store.review_event("nope", "accept", by="ana")


def test_store_edit_survives_new_reports_and_remerge(store_url):
    with open_store(store_url) as store:
        store.write(make_result(article_id="a2"))
        store.review_event("a2-e0", "edit", by="ana", field="type", value="COERCE")
        store.write(make_result(article_id="a3", source="Wire B"))  # joins the event
        event = store.get_event("a2-e0")
        assert ("COERCE", 2, "edited") == (event.type, event.n_sources, event.review_status)
        store.write(make_result(article_id="a1", source="Wire C"))  # renames it to a1-e0
        store.remerge()
        event = store.get_event("a1-e0")
        assert ("COERCE", 3) == (event.type, event.n_sources)


def test_store_split_report_and_merge_back(store_url):
    with open_store(store_url) as store:
        for a in ("a1", "a2", "a3"):
            store.write(make_result(article_id=a, source=f"Wire {a}"))
        (event,) = list(store.query_events())
        assert 3 == event.n_sources
        new_id = store.split_report("a2-e0", by="ana")
        assert "a2-e0" == new_id
        assert ["a2-e0"] == [r["id"] for r in store.event_reports(new_id)]
        assert ["a1-e0", "a3-e0"] == sorted(r["id"] for r in store.event_reports("a1-e0"))
        # The split holds through a re-merge and through a new matching report.
        store.remerge()
        store.write(make_result(article_id="a4", source="Wire a4"))
        assert ["a2-e0"] == [r["id"] for r in store.event_reports("a2-e0")]
        assert 2 == store.count_events()
        assert "split" == store.audit_log("a1-e0")[0]["action"]
        survivor = store.merge_events("a2-e0", "a1-e0", by="bo")
        assert "a1-e0" == survivor
        assert 4 == store.get_event("a2-e0").n_sources
        assert 1 == store.count_events()
        store.remerge()
        assert 1 == store.count_events()
        assert "merge" == store.audit_log(survivor)[0]["action"]


def test_store_merge_events_keeps_the_kept_events_review(store_url):
    with open_store(store_url) as store:
        store.write(make_result(article_id="a1"))
        store.write(other_town("b1"))
        store.review_event("a1-e0", "edit", by="ana", field="fatalities",
                           value={"count": 9, "qualifier": "exact", "text": "nine"})
        store.review_event("b1-e0", "edit", by="bo", field="fatalities",
                           value={"count": 1, "qualifier": "exact", "text": "one"})
        survivor = store.merge_events("b1-e0", "a1-e0", by="cy")
        assert "a1-e0" == survivor
        assert 1 == store.get_event(survivor).fatalities.count
        assert survivor == store.get_event("b1-e0").id


def test_store_articles_actors_and_stats(store_url):
    with open_store(store_url) as store:
        store.write(make_result(article_id="a1"))
        store.write(make_result(article_id="a2", source="Wire B"))
        store.write(other_town("b1"))
        article = store.get_article("a2")
        assert ("Wire B", [{"id": "a2-e0", "event_id": "a1-e0"}]) == (article["source"], article["reports"])
        assert article["text"].startswith("Troops shelled")
        assert store.get_article("zz") is None
        listed = store.list_articles(limit=2)
        assert 2 == len(listed) and {"id", "source", "published", "n_reports"} <= set(listed[0])
        assert 3 == len(store.list_articles(limit=10))
        assert [{"id": "syr-security-forces", "name": "Syrian security forces", "country": "SYR",
                 "kind": "state_forces", "events": 2}] == store.list_actors()
        stats = store.stats()
        assert (3, 3, 2, 1) == (stats["articles"], stats["reports"], stats["events"], stats["multi_source_events"])
        assert store.get_event("missing") is None and [] == store.event_reports("missing")


def test_store_audit_log_without_event_lists_newest_first(store_url):
    with open_store(store_url) as store:
        store.write(make_result(article_id="a1"))
        store.write(other_town("b1"))
        store.review_event("a1-e0", "accept", by="ana")
        store.review_event("b1-e0", "reject", by="ana")
        assert ["b1-e0", "a1-e0"] == [x["event_id"] for x in store.audit_log(limit=2)]


# --- speed work (migration 0003): the same answers through indexes, lookup tables and pages ---

def _without_place(result, country="NGA"):
    """The result's events with no place and an actor of `country` (country filter falls back)."""
    for ev in result.events:
        ev.locations = []
        for a in ev.source_actors:
            a.country = country
    return result


def test_store_pages_follow_the_list_order_for_every_filter(store_url):
    with open_store(store_url) as store:
        for i, (country, town) in enumerate([("SYR", ("Kafr Nabl", 35.6, 36.6)), ("UKR", ("Kharkiv", 49.98, 36.25)),
                                             ("SYR", ("Hama", 35.13, 36.75)), ("NGA", ("Maiduguri", 11.85, 13.16))]):
            store.write(make_result(text=f"Gunmen attacked a market in {town[0]} on Monday.", article_id=f"p{i}",
                                    events=3, country=country, place=town, day=dt.date(2022, 1, 3 + 9 * i)))
        store.write(_without_place(make_result(text="Soldiers clashed with herders near a river.",
                                               article_id="q1", day=dt.date(2022, 2, 2))))
        store.review_event("p1-e1", "accept", by="ana")
        cases = [{}, {"type": "ASSAULT"}, {"country": "SYR"}, {"country": "NGA"}, {"actor": "security"},
                 {"actor": "troop"}, {"place": "HAR"}, {"text": "market"}, {"min_sources": 1},
                 {"review_status": "unreviewed"}, {"review_status": "accepted"}, {"since": dt.date(2022, 1, 20)}]
        for kw in cases:
            full = [e.id for e in store.query_events(EventFilter(**kw))]
            assert store.count_events(EventFilter(**kw)) == len(full), kw
            paged = []
            for offset in range(0, len(full) + 2, 2):
                paged += [e.id for e in store.query_events(EventFilter(limit=2, offset=offset, **kw))]
            assert full == paged, kw
            dates = [store.get_event(i).date.start for i in full]
            assert dates == sorted(dates), kw
        assert 13 == store.count_events()
        assert ["p1-e1"] == [e.id for e in store.query_events(EventFilter(review_status="accepted"))]
        assert 3 == store.count_events(EventFilter(place="har"))  # Kharkiv: substring, any case
        assert 4 == store.count_events(EventFilter(country="NGA"))  # 3 in Maiduguri + 1 by its actor only


def test_store_country_falls_back_to_actors_only_for_events_without_a_place(store_url):
    with open_store(store_url) as store:
        # A Nigerian unit in Syria: the place's country counts, not the actor's.
        abroad = make_result(article_id="a1", actor=("Nigerian troops", "nga-army"))
        abroad.events[0].source_actors[0].country = "NGA"
        store.write(abroad)
        (ev,) = list(store.query_events())
        assert ("SYR", "NGA") == (ev.locations[0].country, ev.source_actors[0].country)
        store.write(_without_place(make_result(text="Soldiers clashed with herders.", article_id="b1",
                                               day=dt.date(2022, 5, 2)), country="NGA"))
        assert ["b1-e0"] == [e.id for e in store.query_events(EventFilter(country="NGA"))]
        assert ["a1-e0"] == [e.id for e in store.query_events(EventFilter(country="SYR", limit=5))]
        assert 1 == store.count_events(EventFilter(country="nga"))


def test_store_side_rows_follow_merges_and_splits(store_url):
    with open_store(store_url) as store:
        store.write(make_result(article_id="a1"))
        store.write(make_result(text="Two died as the army shelled Kafr Nabl.", article_id="a2", source="Wire B",
                                place=("Kafr Nabl", 35.61, 36.61), actor=("Syrian Arab Army", "syr-army")))
        (event,) = list(store.query_events())
        assert 2 == event.n_sources
        for kw in ({"actor": "syr-army"}, {"actor": "Arab Army"}, {"text": "army"}, {"text": "village"}):
            assert [event.id] == [e.id for e in store.query_events(EventFilter(limit=10, **kw))], kw
        store.split_report("a2-e0", by="ana")
        assert ["a2-e0"] == [e.id for e in store.query_events(EventFilter(actor="Arab Army"))]
        assert ["a1-e0"] == [e.id for e in store.query_events(EventFilter(text="village"))]
        assert ["a2-e0"] == [e.id for e in store.query_events(EventFilter(text="army"))]
        before = [e.to_dict() for e in store.query_events()]
        store.remerge()
        store.remerge()
        assert before == [e.to_dict() for e in store.query_events()]


def test_store_upgrades_a_0002_store(tmp_path):
    """A store written by the 0002 code (FTS5 table keyed by an unindexed column) opens, upgrades
    in place, answers every filter, and keeps one FTS row per event after a merge."""
    from eventcoder import merge
    from eventcoder.store import migrations

    db = str(tmp_path / "v2.db")
    conn = sqlite3.connect(db, isolation_level=None)
    conn.executescript(migrations._initial() + migrations._merged_events())
    conn.execute("CREATE TABLE _eventcoder_migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    conn.execute("INSERT INTO _eventcoder_migrations VALUES ('0001_initial', '2022-03-18'),"
                 " ('0002_merged_events', '2022-03-18')")
    result = make_result(article_id="a1")
    art, ev = result.article, result.events[0]
    event = merge.build_event(ev.id, [ev])
    conn.execute("INSERT INTO articles VALUES (?, ?, '2022-03-18', NULL, NULL, NULL, ?, '2022-03-18')",
                 (art.id, art.source, art.text))
    conn.execute("INSERT INTO reports (id, article_id, event_id, type, record) VALUES (?, ?, ?, 'ASSAULT', ?)",
                 (ev.id, art.id, ev.id, json.dumps(ev.to_dict())))
    conn.execute("INSERT INTO events (id, type, mode, historical, cameo_root, date_start, date_end, date_precision,"
                 " fatalities, confidence, n_sources, review_status, stale, record) VALUES"
                 " (?, 'ASSAULT', 'occurred', 0, '19', '2022-03-14', '2022-03-14', 'day', 2, 0.8, 1, 'unreviewed',"
                 " 0, ?)", (ev.id, json.dumps(event.to_dict())))
    conn.execute("INSERT INTO event_places VALUES (?, 'Kafr Nabl', 'SYR', 'Idlib', 35.6, 36.6, 'city')", (ev.id,))
    conn.execute("INSERT INTO event_actors VALUES (?, 'source', 'syr-security-forces', 'Syrian security forces',"
                 " 'Troops', 'SYR', 'state_forces')", (ev.id,))
    conn.executemany("INSERT INTO event_cells VALUES (?, ?, ?)",
                     [(c, w, ev.id) for c, w in merge.index_keys(merge.features(ev))])
    conn.execute("INSERT INTO event_fts (event_id, text) VALUES (?, ?)", (ev.id, art.text))
    conn.close()
    with open_store(db) as store:
        assert ["0003_fast_filters"] == store.applied
        for kw in ({"text": "shelled"}, {"actor": "security"}, {"actor": "troops"}, {"place": "idlib"},
                   {"place": "nabl"}, {"country": "SYR"}, {"type": "ASSAULT"}):
            assert ["a1-e0"] == [e.id for e in store.query_events(EventFilter(limit=10, **kw))], kw
            assert 1 == store.count_events(EventFilter(**kw)), kw
        assert 1 == store.write(make_result(text="Two died as the army shelled Kafr Nabl.", article_id="a2",
                                            source="Wire B", place=("Kafr Nabl", 35.61, 36.61))).merged
        assert ["a1-e0"] == [e.id for e in store.query_events(EventFilter(text="army village"))]
        assert [(1,)] == [tuple(r) for r in store._query("SELECT count(*) FROM event_fts")]
    conn = sqlite3.connect(db)
    assert 0 == conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'event_fts_0002'").fetchone()[0]


def test_hand_written_record_dicts_match_the_dataclass_fields():
    """Evidence and SourceRef serialise by hand for speed: same keys, same order as their fields."""
    from dataclasses import asdict

    evidence = Evidence(article_id="a1", sentence_index=2, start=5, end=40, text="Troops shelled a town.",
                        trigger="shelled")
    source = SourceRef(article_id="a1", source=None, published="2022-03-18")
    for obj in (evidence, source):
        assert list(asdict(obj).items()) == list(obj.to_dict().items())


def test_store_write_many_is_one_transaction(store_url):
    """A batch is all or nothing: one bad article leaves none of the batch, not half of one."""
    bad = make_result(article_id="c1", source="Wire C")
    bad.events[0].type = None  # NOT NULL column
    with open_store(store_url) as store:
        with pytest.raises(StoreError):
            store.write_many([make_result(article_id="a1", source="Wire A"), bad])
        assert not store.has_article("a1") and not store.has_article("c1")
        assert 0 == store.count_events(EventFilter(text="shelled"))
        outcomes = store.write_many([make_result(article_id="a1", source="Wire A"), other_town(),
                                     make_result(text="Two died as the army shelled Kafr Nabl.", article_id="a2",
                                                 source="Wire B", place=("Kafr Nabl", 35.61, 36.61))])
        assert [("new", 0), ("new", 0), ("new", 1)] == [(o.status, o.merged) for o in outcomes]
        assert [] == store.write_many([])
        assert {("a1-e0", 2), ("b1-e0", 1)} == {(e.id, e.n_sources) for e in store.query_events()}
        # The full-text rows written at commit hold every report's evidence.
        assert ["a1-e0"] == [e.id for e in store.query_events(EventFilter(text="army"))]


def test_store_reindexes_cells_of_the_old_key_form(store_url):
    """A store whose candidate index predates the type-family keys is re-keyed when opened,
    so a new report still finds the event it belongs to."""
    from eventcoder import merge

    with open_store(store_url) as store:
        store.write(make_result(article_id="a1", source="Wire A"))
        rows = store._query("SELECT cell, week, event_id FROM event_cells")
        new_form = sorted((r[0], r[1], r[2]) for r in rows)
        store._execute("DELETE FROM event_cells")
        store._executemany("INSERT INTO event_cells (cell, week, event_id) VALUES (?, ?, ?)",
                           [(c.split("|", 1)[1], w, e) for c, w, e in new_form])
    with open_store(store_url) as store:
        assert new_form == sorted(tuple(r) for r in store._query("SELECT cell, week, event_id FROM event_cells"))
        (event,) = store.query_events()
        assert {k for k in merge.index_keys(merge.features(event))} == {(c, w) for c, w, _ in new_form}
        assert 1 == store.write(make_result(text="Two died as the army shelled Kafr Nabl.", article_id="a2",
                                            source="Wire B", place=("Kafr Nabl", 35.61, 36.61))).merged


def test_store_join_reuses_the_written_report_and_matches_a_reread(store_url, tmp_path, monkeypatch):
    """A report joining an event is not parsed back from its own record (the Event it was
    encoded from stands in), and the merged record equals the one a store that does parse
    every record back builds (a fresh connection per article has nothing in memory)."""
    results = [make_result(text=text, article_id=aid, source=src, dead=dead, place=place)
               for text, aid, src, dead, place in (
                   ("Troops shelled the village of Kafr Nabl on Monday.", "a1", "Wire A", 2, ("Kafr Nabl", 35.6, 36.6)),
                   ("Two died as the army shelled Kafr Nabl.", "a2", "Wire B", 2, ("Kafr Nabl", 35.61, 36.61)),
                   ("Shelling killed three in Kafr Nabl, medics said.", "a3", "Wire C", 3, ("Kafr Nabl", 35.6, 36.6)))]
    parsed = []
    from_dict = Event.from_dict
    monkeypatch.setattr(Event, "from_dict", classmethod(lambda cls, d: parsed.append(d.get("id")) or from_dict(d)))
    with open_store(store_url) as store:
        outcomes = store.write_many(results)
        assert [0, 1, 1] == [o.merged for o in outcomes]
        assert [] == parsed
        monkeypatch.undo()
        (joined,) = list(store.query_events())
    assert (3, 3) == (joined.n_reports, joined.n_sources)
    reread_path = str(tmp_path / "reread.db")
    for result in results:
        with open_store(reread_path) as fresh:
            fresh.write(result)
    with open_store(reread_path) as fresh:
        (again,) = list(fresh.query_events())
    assert joined.to_dict() == again.to_dict()
