"""SQLite store: articles, their reports, and the events merged from them (docs/store-api.md).

One transaction per article (`write`) or per batch of articles (`write_many`): the article, its
reports, and each report's merge into an event (eventcoder/merge.py). An event's record is
derived from its reports plus the analysts' reviews, so it can always be rebuilt; the reports
themselves are never rewritten. WAL mode.

SQL discipline (so that PostgresStore can subclass this code): every statement goes through
`_execute`/`_query` with `?` placeholders; SQLite-only features sit in small named methods
(`_begin`, `_executemany`, `_fts_insert`, `_fts_delete`, `_text_condition`, `_place_filter`).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Iterator, Optional, Sequence

from .. import merge as merging
from ..errors import StoreError
from ..gazetteer import haversine_km
from ..model import ArticleResult, Event
from .migrations import apply_migrations

REVIEW_ACTIONS = ("accept", "reject", "edit")
REVIEW_STATUS = {"accept": "accepted", "reject": "rejected", "edit": "edited"}
# Fields an analyst may not edit: they are the event's identity and provenance.
_NOT_EDITABLE = frozenset({"id", "evidence", "sources", "n_sources", "n_reports", "review_status",
                           "fatalities_by_source", "injuries_by_source", "arrests_by_source"})


@dataclass(slots=True)
class WriteOutcome:
    article_id: str
    status: str  # "new" or "unchanged"
    events: int  # reports written
    merged: int = 0  # of them, how many joined an existing event


@dataclass(slots=True)
class EventFilter:
    type: Optional[str] = None
    mode: Optional[str] = None
    country: Optional[str] = None  # ISO3: where it happened (a location), else an actor's country
    actor: Optional[str] = None  # canonical id or a substring of a name
    place: Optional[str] = None  # substring of a place name
    since: Optional[dt.date] = None
    until: Optional[dt.date] = None
    historical: Optional[bool] = None
    text: Optional[str] = None  # full-text search over the evidence
    min_sources: Optional[int] = None
    review_status: Optional[str] = None  # unreviewed, accepted, rejected, edited
    near: Optional[tuple] = None  # (lat, lon, km)
    bbox: Optional[tuple] = None  # (west, south, east, north)
    limit: Optional[int] = None
    offset: int = 0


_JSON = json.JSONEncoder(ensure_ascii=False)  # json.dumps(x, ensure_ascii=False) without a new encoder each call


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _haversine(lat1, lon1, lat2, lon2):
    if None in (lat1, lon1, lat2, lon2):
        return None
    return haversine_km(lat1, lon1, lat2, lon2)


class SQLiteStore:
    """The default store. `path` may be ':memory:' for tests."""

    dialect = "sqlite"
    FEATURE_CACHE = 50_000  # reports whose matching features stay in memory
    PARSED_CACHE = 5_000  # report records whose parsed Event stays in memory (for rebuilds)

    def __init__(self, path: str):
        self.path = path
        self._init_session()
        try:
            self.conn = sqlite3.connect(path, isolation_level=None)
            self.conn.row_factory = sqlite3.Row
            if path != ":memory:":
                self.conn.execute("PRAGMA journal_mode=WAL")
                # In WAL mode NORMAL never corrupts the file; a power cut may lose the last commits.
                self.conn.execute("PRAGMA synchronous=NORMAL")
                # Checkpoint (and fsync) every ~40 MB of WAL instead of every 4 MB: one article's
                # transaction dirties ~30 pages, so the default synced every ~30 articles.
                self.conn.execute("PRAGMA wal_autocheckpoint=10000")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.execute("PRAGMA busy_timeout=30000")
            self.conn.create_function("haversine_km", 4, _haversine, deterministic=True)
            self.applied = apply_migrations(self.conn)
            self._rebuild_stale()
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: cannot open the SQLite store ({exc})") from exc

    # -- plumbing ---------------------------------------------------------------------------

    def _init_session(self) -> None:
        """Per-connection state: caches of immutable report data, and work deferred to commit."""
        self._features: OrderedDict[str, merging.Features] = OrderedDict()
        self._index_keys: dict[str, frozenset] = {}  # report id -> merge.index_keys, beside _features
        # event id -> (evidence text, or None to drop; True if the event had no text row before
        # this transaction): full-text rows are written once per transaction, see _flush_fts.
        self._fts_pending: dict[str, tuple[Optional[str], bool]] = {}
        self._terms_known: set[tuple[str, str]] = set()  # filter_terms rows known committed
        self._terms_new: set[tuple[str, str]] = set()  # written by the open transaction
        # Inside an ingest transaction: which of the analysts' tables ("reviews", "merge_links")
        # are empty. Ingest never adds their first row, so an empty one stays empty till commit.
        self._empty: dict[str, bool] = {}

    def close(self) -> None:
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _execute(self, sql: str, params: Sequence[Any] = ()):
        return self.conn.execute(sql, tuple(params))

    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.conn.executemany(sql, [tuple(r) for r in rows])

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list:
        return self.conn.execute(sql, tuple(params)).fetchall()

    def _begin(self) -> None:
        self._execute("BEGIN IMMEDIATE")

    def _transaction(self, fn, what: str):
        """Run `fn()` in one write transaction; any failure leaves nothing half-written."""
        try:
            out = self._attempt(fn)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot {what} ({exc})") from exc
        self._committed()
        return out

    def _attempt(self, fn):
        """One try of a write transaction: commit `fn()`'s writes, or roll all of them back."""
        self._begin()
        try:
            out = fn()
            self._flush_fts()
            self._execute("COMMIT")
        except BaseException:
            # Any failure, KeyboardInterrupt included, leaves nothing half-written.
            self._rollback()
            self._forget_cache()  # the caches may hold rows that were rolled back
            raise
        return out

    def _rollback(self) -> None:
        if self.conn.in_transaction:
            self._execute("ROLLBACK")

    def _committed(self) -> None:
        self._terms_known |= self._terms_new
        self._terms_new.clear()
        if len(self._terms_known) > 200_000:
            self._terms_known.clear()

    def _fts_insert(self, rows: Sequence[tuple[str, str]]) -> None:
        """(event id, text) rows, 200 to a statement: FTS5 writes a new index segment per
        statement (each opens a savepoint), and merging segments is what made it slow."""
        for i in range(0, len(rows), 200):
            chunk = rows[i:i + 200]
            self._execute("INSERT INTO event_fts (event_id, text) VALUES " + ",".join(["(?, ?)"] * len(chunk)),
                          [x for row in chunk for x in row])

    def _fts_delete(self, event_ids: Sequence[str]) -> None:
        for i in range(0, len(event_ids), 500):
            chunk = event_ids[i:i + 500]
            self._execute(f"DELETE FROM event_fts WHERE event_id IN ({','.join('?' * len(chunk))})", chunk)

    def _fts_set(self, event_id: str, text: Optional[str], absent: bool = False) -> None:
        """Set (or with None drop) an event's full-text row at commit. `absent`: it has none yet."""
        self._fts_pending[event_id] = (text, absent and self._fts_pending.get(event_id, (None, True))[1])

    def _flush_fts(self) -> None:
        """Write the transaction's full-text changes in two statements: the deletes, the inserts.

        SQLite's FTS5 writes a new segment of its index per statement, and merging segments
        cost more than the rest of a write; one row per statement made one segment per event.
        """
        pending, self._fts_pending = self._fts_pending, {}
        ids = sorted(pending)
        old = {eid for eid in ids if not pending[eid][1]}
        same = set()
        stored = sorted(old)
        for i in range(0, len(stored), 500):
            chunk = stored[i:i + 500]
            for r in self._query(f"SELECT event_id, text FROM event_fts WHERE event_id IN"
                                 f" ({','.join('?' * len(chunk))})", chunk):
                if r[1] == pending[r[0]][0]:
                    same.add(r[0])
        self._fts_delete([eid for eid in ids if eid in old and eid not in same])
        self._fts_insert([(eid, pending[eid][0]) for eid in ids if pending[eid][0] is not None and eid not in same])

    def _text_condition(self, text: str) -> tuple[str, list]:
        """FTS5: every word must occur (each quoted, so user input is never FTS syntax)."""
        words = [w.replace('"', '""') for w in text.split() if w.strip()]
        query = " ".join(f'"{w}"' for w in words) or '""'
        return ("e.id IN (SELECT event_id FROM event_fts WHERE fts_id IN"
                " (SELECT rowid FROM event_fts_index WHERE event_fts_index MATCH ?))"), [query]

    def _place_filter(self, f: EventFilter) -> tuple[list[str], list]:
        where, params = [], []
        if f.near:
            lat, lon, km = (float(x) for x in f.near)
            where.append("e.id IN (SELECT event_id FROM event_places WHERE haversine_km(lat, lon, ?, ?) <= ?)")
            params += [lat, lon, km]
        if f.bbox:
            w, s, e, n = (float(x) for x in f.bbox)
            lon_test = "lon BETWEEN ? AND ?" if w <= e else "(lon >= ? OR lon <= ?)"
            where.append(f"e.id IN (SELECT event_id FROM event_places WHERE lat BETWEEN ? AND ? AND {lon_test})")
            params += [s, n, w, e]
        return where, params

    # -- writing ----------------------------------------------------------------------------

    def has_article(self, article_id: str) -> bool:
        return bool(self._query("SELECT 1 FROM articles WHERE id = ?", (article_id,)))

    def write(self, result: ArticleResult) -> WriteOutcome:
        """Store the article and its reports, merging each report into an event, atomically.

        An article already stored is left as is (idempotent re-ingest). The report Events are
        kept in memory as their records' parse (see `_report_event`): do not change them after.
        """
        return self._transaction(lambda: self._ingest([result])[0], f"write article {result.article.id}")

    def write_many(self, results: Sequence[ArticleResult]) -> list[WriteOutcome]:
        """`write` for several articles in one transaction: all of them or none (an interrupted
        batch leaves no article, so never half of one). Ingest batches articles this way because
        a commit per article cost about as much as merging it. Same events as one `write` each."""
        results = list(results)
        if not results:
            return []
        return self._transaction(lambda: self._ingest(results),
                                 f"write {len(results)} articles ({results[0].article.id} ...)")

    def _ingest(self, results: Sequence[ArticleResult]) -> list[WriteOutcome]:
        self._empty = self._empty_tables()
        try:
            return [self._write_article(r) for r in results]
        finally:
            self._empty = {}

    def _write_article(self, result: ArticleResult) -> WriteOutcome:
        art = result.article
        reports = list({e.id: e for e in result.events}.values())  # one report per id
        if not self._execute(  # one statement: an article already stored is left as it is
                "INSERT INTO articles (id, source, published, url, title, path, text, ingested_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                (art.id, art.source, art.published.isoformat() if art.published else None,
                 art.url, art.title, art.path, art.text, _now())).rowcount:
            return WriteOutcome(art.id, "unchanged", 0)
        merged = 0
        for report in reports:
            merged += self._merge_report(report, art.id)
        return WriteOutcome(art.id, "new", len(reports), merged)

    def _report_features(self, report_id: str, record: Optional[str] = None) -> merging.Features:
        f = self._features.get(report_id)
        if f is None:
            if record is None:
                record = self._query("SELECT record FROM reports WHERE id = ?", (report_id,))[0]["record"]
            f = merging.features(self._report_event(record))
            self._cache_features(f)
        return f

    def _cache_features(self, f: merging.Features) -> None:
        self._features[f.id] = f
        if len(self._features) > self.FEATURE_CACHE:
            self._index_keys.pop(self._features.popitem(last=False)[0], None)

    def _report_index_keys(self, report_id: str, record: Optional[str] = None) -> frozenset:
        keys = self._index_keys.get(report_id)
        if keys is None:
            keys = self._index_keys[report_id] = frozenset(merging.index_keys(self._report_features(report_id, record)))
        return keys

    def _forget_cache(self) -> None:
        """After a rollback: the caches may hold rows that were never committed."""
        self._features.clear()
        self._index_keys.clear()
        self._fts_pending.clear()
        self._terms_new.clear()

    def _members_features(self, event_ids: Sequence[str]) -> dict[str, list[merging.Features]]:
        """The matching features of every report of `event_ids`, by event, in report id order.

        Ids come from the (event_id, id) index in one query; records are read only for reports
        whose features are not cached.
        """
        by_event: dict[str, list[str]] = {}
        for i in range(0, len(event_ids), 500):
            chunk = event_ids[i:i + 500]
            for r in self._query(f"SELECT event_id, id FROM reports WHERE event_id IN ({','.join('?' * len(chunk))})"
                                 " ORDER BY event_id, id", chunk):
                by_event.setdefault(r[0], []).append(r[1])
        missing = [rid for ids in by_event.values() for rid in ids if rid not in self._features]
        for i in range(0, len(missing), 500):
            chunk = missing[i:i + 500]
            for r in self._query(f"SELECT id, record FROM reports WHERE id IN ({','.join('?' * len(chunk))})", chunk):
                self._report_features(r[0], r[1])
        return {eid: [self._report_features(rid) for rid in ids] for eid, ids in by_event.items()}

    def _report_event(self, record: str, written: Optional[Event] = None) -> Event:
        """A stored report's Event, parsed once: keyed by the record's JSON text itself, so a
        rolled-back or rewritten row can never be served stale. Callers must not mutate it.

        `written`: the Event that `record` was just encoded from, kept as its parse (a record
        reads back equal, tests/test_model.py), so the rebuild after a join parses nothing."""
        cache = self.__dict__.setdefault("_parsed_reports", OrderedDict())
        event = cache.get(record)
        if event is None:
            event = cache[record] = written if written is not None else Event.from_dict(json.loads(record))
            if len(cache) > self.PARSED_CACHE:
                cache.popitem(last=False)
        return event

    def _candidate_events(self, f: merging.Features) -> list[str]:
        keys = merging.query_keys(f)
        cells = sorted({c for c, _ in keys})
        weeks = sorted({w for _, w in keys})
        rows = self._query(
            f"SELECT DISTINCT event_id FROM event_cells WHERE cell IN ({','.join('?' * len(cells))})"
            f" AND week IN ({','.join('?' * len(weeks))}) ORDER BY event_id", [*cells, *weeks])
        return [r[0] for r in rows]

    def _empty_tables(self) -> dict[str, bool]:
        """Which of the analysts' tables are empty, read once per ingest transaction."""
        return {t: not self._query(f"SELECT 1 FROM {t} LIMIT 1") for t in ("reviews", "merge_links")}

    def _cannot_link(self, report_id: str) -> set[str]:
        if self._empty.get("merge_links"):
            return set()
        rows = self._query("SELECT report_a, report_b FROM merge_links WHERE kind = 'cannot'"
                           " AND (report_a = ? OR report_b = ?)", (report_id, report_id))
        return {r[0] if r[1] == report_id else r[1] for r in rows}

    def _merge_report(self, report: Event, article_id: str) -> int:
        """Insert one report and merge it into the stored events; 1 if it joined one.

        A report joins every event it matches (single linkage), except that no two reports of
        one event may `conflict` (merge.compatible) or have been split apart by an analyst.
        Candidates are ranked by `merge.match_score`; only the chosen match's reasons are
        composed. The report row is inserted with its decision, after the decision is made.
        """
        f = merging.features(report)
        forbidden = None  # the analysts' splits, read once there is a match to veto
        matches = []  # (score, event id, partner report, member features)
        candidates = self._candidate_events(f)
        by_event = self._members_features(candidates) if candidates else {}
        for event_id in candidates:
            members = [m for m in by_event.get(event_id, ()) if m.id != report.id]
            best = merging.best_match(f, members) if members else None
            if best is None:
                continue
            if forbidden is None:
                forbidden = self._cannot_link(report.id)
            if not any(m.id in forbidden for m in members):
                matches.append((best[0], event_id, best[1], members))
        record = _JSON.encode(report.to_dict())
        self._report_event(record, written=report)
        self._cache_features(f)
        if not matches:
            self._execute(
                "INSERT INTO reports (id, article_id, event_id, type, record, merge_score, merge_reasons)"
                " VALUES (?, ?, ?, ?, ?, NULL, ?)",
                (report.id, article_id, report.id, report.type, record, '["no stored event matched"]'))
            self._rebuild_event(report.id, fresh=report)
            return 0
        matches.sort(key=lambda m: (-m[0], m[1]))
        keep = [matches[0]]
        joined = list(matches[0][3])
        cannot: dict[str, set[str]] = {}
        for m in matches[1:]:
            for y in joined:
                if y.id not in cannot:
                    cannot[y.id] = self._cannot_link(y.id)
            if any(x.id in cannot[y.id] or not merging.compatible(x, y) for x in m[3] for y in joined):
                continue
            keep.append(m)
            joined += m[3]
        score, _, partner, members = keep[0]
        decision = merging.match(f, next(m for m in members if m.id == partner))
        # The surviving event is the one with the smallest id: the new report's own, or a
        # matched event's, whose cell rows are its reports' keys (they only grow by a join).
        ids = [m[1] for m in keep] + [report.id]
        survivor = min(ids)
        cells = frozenset().union(*(self._report_index_keys(m.id) for k in keep if k[1] == survivor for m in k[3]))
        # Usually the report joins one event and that event keeps its id: the report is filed
        # under it at once, with nothing to rename (what `_join` would find and do).
        direct = len(keep) == 1 and survivor != report.id
        self._execute(
            "INSERT INTO reports (id, article_id, event_id, type, record, merge_score, merge_reasons, matched_report)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (report.id, article_id, survivor if direct else report.id, report.type, record, score,
             json.dumps(list(decision.reasons)), partner))
        if direct:
            self._rebuild_event(survivor, grown=cells)
        else:
            self._join(ids, by="eventcoder", action="auto_merge", cells=cells)
        return 1

    def _event_report_ids(self, event_id: str) -> list[str]:
        return [r[0] for r in self._query("SELECT id FROM reports WHERE event_id = ? ORDER BY id", (event_id,))]

    def _join(self, event_ids: Sequence[str], by: str, action: str, cells: Optional[frozenset] = None) -> str:
        """Make one event of `event_ids`; its id is the smallest report id it holds.

        `cells`: the index keys the surviving event is filed under now, when the caller knows
        them (see `_rebuild_event`'s `grown`)."""
        members: list[str] = []
        for eid in event_ids:
            members += self._event_report_ids(eid)
        new_id = min(members)
        for eid in sorted(set(event_ids)):
            if eid == new_id:
                continue
            self._execute("UPDATE reports SET event_id = ? WHERE event_id = ?", (new_id, eid))
            if self._query("SELECT 1 FROM events WHERE id = ?", (eid,)):
                self._move_reviews(eid, new_id)
                self._drop_event(eid)
                self._alias(eid, new_id)
                self._audit(new_id, action, None, {"absorbed": eid}, {"event": new_id}, by)
        self._rebuild_event(new_id, grown=cells)
        return new_id

    def _alias(self, old_id: str, new_id: str) -> None:
        self._execute("UPDATE event_aliases SET event_id = ? WHERE event_id = ?", (new_id, old_id))
        self._execute("INSERT INTO event_aliases (old_id, event_id, at) VALUES (?, ?, ?)"
                      " ON CONFLICT (old_id) DO UPDATE SET event_id = excluded.event_id, at = excluded.at",
                      (old_id, new_id, _now()))

    def _move_reviews(self, old_id: str, new_id: str) -> None:
        """The surviving event keeps its own reviews; the absorbed event's fill the gaps."""
        for row in self._query("SELECT field, action, value, by_whom, at FROM reviews WHERE event_id = ?", (old_id,)):
            if not self._query("SELECT 1 FROM reviews WHERE event_id = ? AND field = ?", (new_id, row["field"])):
                self._execute("INSERT INTO reviews (event_id, field, action, value, by_whom, at)"
                              " VALUES (?, ?, ?, ?, ?, ?)",
                              (new_id, row["field"], row["action"], row["value"], row["by_whom"], row["at"]))
        self._execute("DELETE FROM reviews WHERE event_id = ?", (old_id,))

    def _drop_event(self, event_id: str) -> None:
        self._fts_set(event_id, None)
        self._execute("DELETE FROM events WHERE id = ?", (event_id,))  # cascades to side tables

    def _rebuild_event(self, event_id: str, fresh: Optional[Event] = None,
                       grown: Optional[frozenset] = None) -> Optional[Event]:
        """Recompute an event's record and index rows from its reports and reviews.

        `fresh`: the event is new, made of this one report just inserted (its features cached),
        so nothing needs reading back and there are no old rows to delete.
        `grown`: the event has just gained reports, and these are the (cell, week) keys it is
        filed under: its record has changed, and no key can have gone, so the cells are only added.
        """
        if fresh is not None:
            reports, keys = [fresh], set(self._report_index_keys(fresh.id))
        else:
            rows = self._query("SELECT id, record FROM reports WHERE event_id = ? ORDER BY id", (event_id,))
            if not rows:
                self._drop_event(event_id)
                return None
            reports = [self._report_event(r["record"]) for r in rows]
            keys = set().union(*(self._report_index_keys(r["id"], r["record"]) for r in rows))
        event = self._apply_reviews(merging.build_event(event_id, reports))
        record = _JSON.encode(event.to_dict())
        date, fat = event.date, event.fatalities
        if fresh is not None or grown is not None or not self._query(
                "SELECT 1 FROM events WHERE id = ? AND record = ? AND stale = 0",
                                    (event.id, record)):
            self._execute(
                "INSERT INTO events (id, type, mode, historical, cameo_root, date_start, date_end,"
                " date_precision, fatalities, confidence, n_sources, review_status, stale, record)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)"
                " ON CONFLICT (id) DO UPDATE SET type = excluded.type, mode = excluded.mode,"
                " historical = excluded.historical, cameo_root = excluded.cameo_root,"
                " date_start = excluded.date_start, date_end = excluded.date_end,"
                " date_precision = excluded.date_precision, fatalities = excluded.fatalities,"
                " confidence = excluded.confidence, n_sources = excluded.n_sources,"
                " review_status = excluded.review_status, stale = 0, record = excluded.record",
                (event.id, event.type, event.mode, int(event.historical), event.cameo_root,
                 date.start.isoformat() if date else None, date.end.isoformat() if date else None,
                 date.precision if date else None, fat.count if fat else None, event.confidence,
                 event.n_sources, event.review_status, record))
        if fresh is None and grown is None:  # a live event (one that grew) is never an alias
            self._execute("DELETE FROM event_aliases WHERE old_id = ?", (event_id,))
        places = [(event.id, p.name, p.country, p.admin1, p.lat, p.lon, p.precision) for p in event.locations]
        actors = [(event.id, role, a.id, a.name, a.text, a.country, a.kind)
                  for role, group in (("source", event.source_actors), ("target", event.target_actors))
                  for a in group]
        wrote = self._sync_rows("event_places", ("event_id", "name", "country", "admin1", "lat", "lon", "precision"),
                                event.id, places, fresh is not None)
        wrote |= self._sync_rows("event_actors", ("event_id", "role", "actor_id", "name", "text", "country", "kind"),
                                 event.id, actors, fresh is not None)
        if wrote:
            terms = ({("actor", t) for a in (*event.source_actors, *event.target_actors) for t in (a.name, a.text) if t}
                     | {("place", t) for p in event.locations for t in (p.name, p.admin1) if t})
            terms -= self._terms_known  # filter_terms rows are never deleted
            self._executemany(
                "INSERT INTO filter_terms (kind, term) VALUES (?, ?) ON CONFLICT (kind, term) DO NOTHING",
                sorted(terms))
            self._terms_new |= terms
        if fresh is not None:
            old_keys = set()
        elif grown is not None:
            old_keys = grown
        else:
            old_keys = {(r[0], r[1]) for r in self._query("SELECT cell, week FROM event_cells WHERE event_id = ?",
                                                          (event.id,))}
            for cell, week in sorted(old_keys - keys):
                self._execute("DELETE FROM event_cells WHERE cell = ? AND week = ? AND event_id = ?",
                              (cell, week, event.id))
        # ON CONFLICT: with `grown`, a key of an absorbed event's report may already be filed.
        self._executemany("INSERT INTO event_cells (cell, week, event_id) VALUES (?, ?, ?)"
                          " ON CONFLICT (cell, week, event_id) DO NOTHING",
                          [(cell, week, event.id) for cell, week in sorted(keys - old_keys)])
        self._fts_set(event.id, "\n".join(e.text for e in event.evidence), absent=fresh is not None)
        return event

    def _sync_rows(self, table: str, cols: tuple[str, ...], event_id: str, rows: list[tuple], fresh: bool) -> bool:
        """Make `table`'s rows of the event equal `rows`, writing only when they differ (a new
        report often leaves an event's places or actors as they were); True if it wrote."""
        if not fresh:
            old = self._query(f"SELECT {', '.join(cols)} FROM {table} WHERE event_id = ?", (event_id,))
            if sorted(map(repr, map(tuple, old))) == sorted(map(repr, rows)):
                return False
            self._execute(f"DELETE FROM {table} WHERE event_id = ?", (event_id,))
        self._executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows)
        return True

    def _rebuild_stale(self) -> None:
        """Events a migration marked stale (e.g. 0002) get their derived rows rebuilt once, and
        an index of an older key form is rebuilt (`_reindex_cells`)."""
        self._reindex_cells()
        stale = [r[0] for r in self._query("SELECT id FROM events WHERE stale = 1 ORDER BY id")]
        if stale:
            self._transaction(lambda: [self._rebuild_event(eid) for eid in stale], "rebuild migrated events")

    def _reindex_cells(self) -> None:
        """Rebuild `event_cells` when it holds keys of the form before merge.index_keys carried
        the type family and mode class (they start with "#"): new lookups would never meet them.
        A store holds one form only (this runs in one transaction), so one row tells."""
        row = self._query("SELECT cell FROM event_cells LIMIT 1")
        if not row or row[0][0].startswith("#"):
            return

        def run():
            self._execute("DELETE FROM event_cells")
            cells = set()
            for r in self._query("SELECT id, event_id, record FROM reports"):
                f = merging.features(self._report_event(r["record"]))
                cells.update((cell, week, r["event_id"]) for cell, week in merging.index_keys(f))
            self._executemany("INSERT INTO event_cells (cell, week, event_id) VALUES (?, ?, ?)", sorted(cells))

        self._transaction(run, "re-index events for merging")

    # -- reviews ----------------------------------------------------------------------------

    def _apply_reviews(self, event: Event) -> Event:
        if self._empty.get("reviews"):
            return event
        rows = self._query("SELECT field, action, value FROM reviews WHERE event_id = ? ORDER BY field", (event.id,))
        if not rows:
            return event
        d = event.to_dict()
        for row in rows:
            if row["field"] == "":
                d["review_status"] = REVIEW_STATUS[row["action"]]
            else:
                d[row["field"]] = json.loads(row["value"])
        return Event.from_dict(d)

    def _audit(self, event_id, action, field, before, after, by) -> None:
        self._execute(
            "INSERT INTO audit_log (event_id, action, field, before, after, by_whom, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (event_id, action, field, json.dumps(before, ensure_ascii=False, default=str),
             json.dumps(after, ensure_ascii=False, default=str), by, _now()))

    def resolve_event_id(self, event_id: str) -> Optional[str]:
        """The live id of an event, following the aliases left by merges."""
        if self._query("SELECT 1 FROM events WHERE id = ?", (event_id,)):
            return event_id
        row = self._query("SELECT event_id FROM event_aliases WHERE old_id = ?", (event_id,))
        return row[0][0] if row else None

    def _require_event(self, event_id: str) -> str:
        live = self.resolve_event_id(event_id)
        if live is None:
            raise StoreError(f"no event {event_id!r} in {self.path}")
        return live

    def review_event(self, event_id: str, action: str, by: str, field: Optional[str] = None,
                     value: Any = None) -> Event:
        """Accept, reject, or edit one field (value: the new JSON value); survives re-merge."""
        if action not in REVIEW_ACTIONS:
            raise StoreError(f"review action must be one of {', '.join(REVIEW_ACTIONS)}, not {action!r}")
        if action == "edit":
            known = set(Event.__dataclass_fields__) - _NOT_EDITABLE
            if field not in known:
                raise StoreError(f"cannot edit field {field!r}; editable fields: {', '.join(sorted(known))}")

        def run():
            eid = self._require_event(event_id)
            before = self.get_event(eid).to_dict()
            now = _now()
            if action == "edit":
                trial = dict(before, **{field: value})
                try:
                    Event.from_dict(json.loads(json.dumps(trial))).to_dict()
                except (TypeError, ValueError, KeyError, AttributeError) as exc:
                    raise StoreError(f"value {value!r} does not fit field {field!r} ({exc})") from exc
                self._upsert_review(eid, field, "edit", json.dumps(value, ensure_ascii=False), by, now)
                if not self._query("SELECT 1 FROM reviews WHERE event_id = ? AND field = ''", (eid,)):
                    self._upsert_review(eid, "", "edit", None, by, now)
            else:
                self._upsert_review(eid, "", action, None, by, now)
            event = self._rebuild_event(eid)
            key = field if action == "edit" else "review_status"
            self._audit(eid, action, key, before.get(key), event.to_dict().get(key), by)
            return event

        return self._transaction(run, f"review event {event_id}")

    def _upsert_review(self, event_id, field, action, value, by, at) -> None:
        self._execute("INSERT INTO reviews (event_id, field, action, value, by_whom, at) VALUES (?, ?, ?, ?, ?, ?)"
                      " ON CONFLICT (event_id, field) DO UPDATE SET action = excluded.action,"
                      " value = excluded.value, by_whom = excluded.by_whom, at = excluded.at",
                      (event_id, field, action, value, by, at))

    def _link(self, a: str, b: str, kind: str, by: str) -> None:
        a, b = min(a, b), max(a, b)
        self._execute("INSERT INTO merge_links (report_a, report_b, kind, by_whom, at) VALUES (?, ?, ?, ?, ?)"
                      " ON CONFLICT (report_a, report_b) DO UPDATE SET kind = excluded.kind,"
                      " by_whom = excluded.by_whom, at = excluded.at", (a, b, kind, by, _now()))

    def split_report(self, report_id: str, by: str) -> str:
        """Take one report out of its event into an event of its own; it never re-merges with them."""
        def run():
            row = self._query("SELECT event_id FROM reports WHERE id = ?", (report_id,))
            if not row:
                raise StoreError(f"no report {report_id!r} in {self.path}")
            old = row[0][0]
            others = [r for r in self._event_report_ids(old) if r != report_id]
            if not others:
                return old
            for other in others:
                self._link(report_id, other, "cannot", by)
            rest_id = min(others)
            self._execute("UPDATE reports SET event_id = ? WHERE id = ?", (report_id, report_id))
            self._execute("UPDATE reports SET event_id = ? WHERE event_id = ?", (rest_id, old))
            self._execute("UPDATE reports SET merge_score = NULL, merge_reasons = ? WHERE id = ?",
                          (json.dumps([f"split out of {old} by {by}"]), report_id))
            if rest_id != old:
                self._move_reviews(old, rest_id)
                if old != report_id:
                    self._drop_event(old)
                    self._alias(old, rest_id)
            self._rebuild_event(rest_id)
            self._rebuild_event(report_id)
            self._audit(old, "split", None, {"event": old, "reports": [report_id, *others]},
                        {"split_out": {"event": report_id, "report": report_id}, "rest": rest_id}, by)
            return report_id

        return self._transaction(run, f"split report {report_id}")

    def merge_events(self, keep_id: str, other_id: str, by: str) -> str:
        """Join two events by hand; returns the surviving id (the smallest report id, as always).

        On a field reviewed in both, `keep_id`'s review wins.
        """
        def run():
            keep, other = self._require_event(keep_id), self._require_event(other_id)
            if keep == other:
                return keep
            for ra in self._event_report_ids(keep):
                for rb in self._event_report_ids(other):
                    self._link(ra, rb, "must", by)
            # keep's reviews win: other's review of the same field goes before the join.
            for row in self._query("SELECT field FROM reviews WHERE event_id = ?", (keep,)):
                self._execute("DELETE FROM reviews WHERE event_id = ? AND field = ?", (other, row["field"]))
            new_id = self._join([keep, other], by=by, action="merge")
            return new_id

        return self._transaction(run, f"merge events {keep_id} and {other_id}")

    def remerge(self, by: str = "eventcoder") -> dict:
        """Recluster every stored report from scratch (analysts' splits and merges kept).

        Gives the same events whatever order the articles came in; reviews follow the event ids.
        """
        def run():
            rows = self._query("SELECT id, record FROM reports ORDER BY id")
            feats = [self._report_features(r["id"], r["record"]) for r in rows]
            links = self._query("SELECT report_a, report_b, kind FROM merge_links")
            clusters = merging.cluster_features(
                feats, must=[(r[0], r[1]) for r in links if r[2] == "must"],
                cannot=[(r[0], r[1]) for r in links if r[2] == "cannot"])
            before = {r[0] for r in self._query("SELECT id FROM events")}
            after = {c[0] for c in clusters}
            for cluster in clusters:
                marks = ",".join("?" * len(cluster))
                self._execute(f"UPDATE reports SET event_id = ? WHERE id IN ({marks})", [cluster[0], *cluster])
            for gone in sorted(before - after):
                new = self._query("SELECT event_id FROM reports WHERE id = ?", (gone,))
                if new:
                    self._move_reviews(gone, new[0][0])
                    self._alias(gone, new[0][0])
                self._drop_event(gone)
            for cluster in clusters:
                self._rebuild_event(cluster[0])
            return {"events": len(clusters), "reports": len(feats), "changed": len(before ^ after)}

        return self._transaction(run, "re-merge events")

    # -- reading ----------------------------------------------------------------------------

    def get_event(self, event_id: str) -> Optional[Event]:
        live = self.resolve_event_id(event_id)
        if live is None:
            return None
        rows = self._query("SELECT record FROM events WHERE id = ?", (live,))
        return Event.from_dict(json.loads(rows[0]["record"])) if rows else None

    def event_reports(self, event_id: str) -> list[dict]:
        live = self.resolve_event_id(event_id)
        if live is None:
            return []
        rows = self._query(
            "SELECT r.id, r.article_id, a.source, a.published, r.record, r.merge_score, r.merge_reasons,"
            " r.matched_report FROM reports r JOIN articles a ON a.id = r.article_id"
            " WHERE r.event_id = ? ORDER BY a.published, r.id", (live,))
        return [{"id": r["id"], "article_id": r["article_id"], "source": r["source"], "published": r["published"],
                 "record": json.loads(r["record"]), "merge_score": r["merge_score"],
                 "merge_reasons": json.loads(r["merge_reasons"]) if r["merge_reasons"] else [],
                 "matched_report": r["matched_report"]} for r in rows]

    def get_article(self, article_id: str) -> Optional[dict]:
        rows = self._query("SELECT id, source, published, url, title, path, text, ingested_at FROM articles"
                           " WHERE id = ?", (article_id,))
        if not rows:
            return None
        out = {k: rows[0][k] for k in rows[0].keys()}
        reports = self._query("SELECT id, event_id FROM reports WHERE article_id = ? ORDER BY id", (article_id,))
        out["reports"] = [{"id": r["id"], "event_id": r["event_id"]} for r in reports]
        return out

    def list_articles(self, limit: int = 50, offset: int = 0) -> list[dict]:
        rows = self._query(
            "SELECT a.id, a.source, a.published, a.url, a.title, a.ingested_at,"
            " (SELECT count(*) FROM reports r WHERE r.article_id = a.id) AS n_reports"
            " FROM articles a ORDER BY a.published DESC, a.id LIMIT ? OFFSET ?", (limit, offset))
        return [{k: r[k] for k in r.keys()} for r in rows]

    def list_actors(self, limit: int = 50, offset: int = 0) -> list[dict]:
        rows = self._query(
            "SELECT actor_id, max(name) AS name, max(country) AS country, max(kind) AS kind,"
            " count(DISTINCT event_id) AS events FROM event_actors WHERE actor_id IS NOT NULL"
            " GROUP BY actor_id ORDER BY events DESC, actor_id LIMIT ? OFFSET ?", (limit, offset))
        return [{"id": r["actor_id"], "name": r["name"], "country": r["country"], "kind": r["kind"],
                 "events": r["events"]} for r in rows]

    def audit_log(self, event_id: Optional[str] = None, limit: int = 100) -> list[dict]:
        if event_id is None:
            rows = self._query("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", (limit,))
        else:
            live = self.resolve_event_id(event_id) or event_id
            rows = self._query(
                "SELECT * FROM audit_log WHERE event_id = ? OR event_id = ?"
                " OR event_id IN (SELECT old_id FROM event_aliases WHERE event_id = ?)"
                " ORDER BY id DESC LIMIT ?", (event_id, live, live, limit))
        return [{"id": r["id"], "event_id": r["event_id"], "action": r["action"], "field": r["field"],
                 "before": json.loads(r["before"]) if r["before"] else None,
                 "after": json.loads(r["after"]) if r["after"] else None,
                 "by": r["by_whom"], "at": r["at"]} for r in rows]

    def query_events(self, flt: Optional[EventFilter] = None) -> Iterator[Event]:
        sql, params = self._select(flt or EventFilter())
        for row in self._query(sql, params):
            yield Event.from_dict(json.loads(row["record"]))

    def count_events(self, flt: Optional[EventFilter] = None) -> int:
        sql, params = self._select(flt or EventFilter(), count=True)
        return self._query(sql, params)[0][0]

    def _select(self, f: EventFilter, count: bool = False) -> tuple[str, list]:
        where, params = [], []
        if f.type:
            where.append("e.type = ?")
            params.append(f.type.upper())
        if f.mode:
            where.append("e.mode = ?")
            params.append(f.mode)
        if f.historical is not None:
            where.append("e.historical = ?")
            params.append(int(f.historical))
        if f.since:
            where.append("e.date_end >= ?")
            params.append(f.since.isoformat())
        if f.until:
            where.append("e.date_start <= ?")
            params.append(f.until.isoformat())
        # Each set filter below is one `e.id IN (...)` over indexed side rows, never an OR over
        # the events: the ids come from an index and the events are looked up by primary key.
        if f.country:
            # Where it happened, else (an event with no place) an actor's country.
            where.append(
                "e.id IN (SELECT event_id FROM event_places WHERE country = ?"
                " UNION SELECT a.event_id FROM event_actors a WHERE a.country = ?"
                " AND NOT EXISTS (SELECT 1 FROM event_places p WHERE p.event_id = a.event_id))")
            params += [f.country.upper(), f.country.upper()]
        if f.actor:
            # Substrings are matched against the distinct names (filter_terms), not every row.
            where.append(
                "e.id IN (SELECT event_id FROM event_actors WHERE actor_id = ?"
                " UNION SELECT a.event_id FROM filter_terms t JOIN event_actors a ON a.name = t.term"
                " WHERE t.kind = 'actor' AND t.term LIKE ?"
                " UNION SELECT a.event_id FROM filter_terms t JOIN event_actors a ON a.text = t.term"
                " WHERE t.kind = 'actor' AND t.term LIKE ?)")
            params += [f.actor, f"%{f.actor}%", f"%{f.actor}%"]
        if f.place:
            where.append(
                "e.id IN (SELECT p.event_id FROM filter_terms t JOIN event_places p ON p.name = t.term"
                " WHERE t.kind = 'place' AND t.term LIKE ?"
                " UNION SELECT p.event_id FROM filter_terms t JOIN event_places p ON p.admin1 = t.term"
                " WHERE t.kind = 'place' AND t.term LIKE ?)")
            params += [f"%{f.place}%", f"%{f.place}%"]
        if f.text:
            cond, p = self._text_condition(f.text)
            where.append(cond)
            params += p
        if f.min_sources:
            where.append("e.n_sources >= ?")
            params.append(int(f.min_sources))
        if f.review_status:
            where.append("e.review_status = ?")
            params.append(f.review_status)
        more, p = self._place_filter(f)
        where += more
        params += p
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        if count:
            return "SELECT count(*) FROM events e" + clause, params
        if f.limit is None:
            return "SELECT e.record FROM events e" + clause + " ORDER BY e.date_start, e.id", params
        # A page: its ids first, in list order from the (date_start, id) indexes, then only
        # those records; sorting every matching record before the LIMIT is what made it slow.
        # `e.id || ''` keeps the planner from driving the page by an id set (all its matches
        # looked up, then sorted): it walks events_page in order, tests each id against the
        # set, and stops at the page's end. Counts keep the plain form (probe by id).
        clause = " WHERE " + " AND ".join(
            "e.id || '' IN (" + w[len("e.id IN ("):] if w.startswith("e.id IN (") else w
            for w in where) if where else ""
        sql = ("SELECT o.record FROM events o WHERE o.id IN (SELECT e.id FROM events e" + clause +
               " ORDER BY e.date_start, e.id LIMIT ? OFFSET ?) ORDER BY o.date_start, o.id")
        return sql, params + [f.limit, f.offset]

    def stats(self) -> dict:
        one = lambda sql: self._query(sql)[0][0]  # noqa: E731
        return {
            "articles": one("SELECT count(*) FROM articles"),
            "reports": one("SELECT count(*) FROM reports"),
            "events": one("SELECT count(*) FROM events"),
            "multi_source_events": one("SELECT count(*) FROM events WHERE n_sources > 1"),
            "by_type": {r[0]: r[1] for r in self._query(
                "SELECT type, count(*) FROM events GROUP BY type ORDER BY 2 DESC, 1")},
            "by_review_status": {r[0]: r[1] for r in self._query(
                "SELECT review_status, count(*) FROM events GROUP BY review_status ORDER BY 1")},
        }

