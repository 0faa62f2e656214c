"""SQLite store: one transaction per article, idempotent by content-derived ids, WAL mode.

The full SCHEMA.md record of each event is kept as JSON (`record`), and the fields people filter
on (type, mode, dates, places, actors) are copied into indexed columns and side tables.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from typing import Iterator, Optional

from ..errors import StoreError
from ..model import ArticleResult, Event
from .migrations import apply_migrations


@dataclass(slots=True)
class WriteOutcome:
    article_id: str
    status: str  # "new" or "unchanged"
    events: int


@dataclass(slots=True)
class EventFilter:
    type: Optional[str] = None
    mode: Optional[str] = None
    country: Optional[str] = None  # ISO3: where it happened (a location), else an actor's country
    actor: Optional[str] = None  # canonical id or a substring of a name
    since: Optional[dt.date] = None
    until: Optional[dt.date] = None
    historical: Optional[bool] = None
    limit: Optional[int] = None
    offset: int = 0


class SQLiteStore:
    """The default store. `path` may be ':memory:' for tests."""

    def __init__(self, path: str):
        self.path = path
        try:
            self.conn = sqlite3.connect(path, isolation_level=None)
            self.conn.row_factory = sqlite3.Row
            if path != ":memory:":
                self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.execute("PRAGMA busy_timeout=30000")
            apply_migrations(self.conn)
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: cannot open the SQLite store ({exc})") from exc

    def close(self) -> None:
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def has_article(self, article_id: str) -> bool:
        row = self.conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row is not None

    def write(self, result: ArticleResult) -> WriteOutcome:
        """Write one article and its events atomically; an article already stored is left as is."""
        art = result.article
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                if self.has_article(art.id):
                    self.conn.execute("ROLLBACK")
                    return WriteOutcome(art.id, "unchanged", 0)
                self.conn.execute(
                    "INSERT INTO articles (id, source, published, url, title, path, text, ingested_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (art.id, art.source, art.published.isoformat() if art.published else None,
                     art.url, art.title, art.path, art.text,
                     dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")),
                )
                for event in result.events:
                    self._insert_event(art.id, event)
                self.conn.execute("COMMIT")
            except BaseException:
                # Any failure, KeyboardInterrupt included, leaves no half-written article.
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot write article {art.id} ({exc})") from exc
        return WriteOutcome(art.id, "new", len(result.events))

    def _insert_event(self, article_id: str, event: Event) -> None:
        d = event.to_dict()
        date = event.date
        fat = event.fatalities
        self.conn.execute(
            "INSERT OR REPLACE INTO events (id, article_id, type, mode, historical, cameo_root,"
            " date_start, date_end, date_precision, fatalities, confidence, record)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (event.id, article_id, event.type, event.mode, int(event.historical), event.cameo_root,
             date.start.isoformat() if date else None, date.end.isoformat() if date else None,
             date.precision if date else None, fat.count if fat else None, event.confidence,
             json.dumps(d, ensure_ascii=False)),
        )
        self.conn.execute("DELETE FROM event_places WHERE event_id = ?", (event.id,))
        self.conn.execute("DELETE FROM event_actors WHERE event_id = ?", (event.id,))
        for p in event.locations:
            self.conn.execute(
                "INSERT INTO event_places (event_id, name, country, admin1, lat, lon, precision)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (event.id, p.name, p.country, p.admin1, p.lat, p.lon, p.precision))
        for role, actors in (("source", event.source_actors), ("target", event.target_actors)):
            for a in actors:
                self.conn.execute(
                    "INSERT INTO event_actors (event_id, role, actor_id, name, text, country, kind)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (event.id, role, a.id, a.name, a.text, a.country, a.kind))

    def query_events(self, flt: Optional[EventFilter] = None) -> Iterator[Event]:
        sql, params = self._select(flt or EventFilter())
        for row in self.conn.execute(sql, params):
            yield Event.from_dict(json.loads(row["record"]))

    def count_events(self, flt: Optional[EventFilter] = None) -> int:
        sql, params = self._select(flt or EventFilter(), count=True)
        return self.conn.execute(sql, params).fetchone()[0]

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
        if f.country:
            where.append(
                "(e.id IN (SELECT event_id FROM event_places WHERE country = ?)"
                " OR (NOT EXISTS (SELECT 1 FROM event_places p WHERE p.event_id = e.id)"
                " AND e.id IN (SELECT event_id FROM event_actors WHERE country = ?)))")
            params += [f.country.upper(), f.country.upper()]
        if f.actor:
            where.append("e.id IN (SELECT event_id FROM event_actors WHERE actor_id = ?"
                         " OR name LIKE ? OR text LIKE ?)")
            params += [f.actor, f"%{f.actor}%", f"%{f.actor}%"]
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        if count:
            return "SELECT count(*) FROM events e" + clause, params
        sql = ("SELECT e.record FROM events e JOIN articles a ON a.id = e.article_id" + clause +
               " ORDER BY e.date_start, a.published, e.id")
        if f.limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [f.limit, f.offset]
        return sql, params

    def stats(self) -> dict:
        c = self.conn
        return {
            "articles": c.execute("SELECT count(*) FROM articles").fetchone()[0],
            "events": c.execute("SELECT count(*) FROM events").fetchone()[0],
            "by_type": dict(c.execute("SELECT type, count(*) FROM events GROUP BY type ORDER BY 2 DESC").fetchall()),
        }
