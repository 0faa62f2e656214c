"""Named, ordered schema migrations, recorded in `_eventcoder_migrations` (sqlite-utils style)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Callable

MIGRATIONS: list[tuple[str, Callable[[], str]]] = []  # name -> function returning SQL


def migration(name: str):
    def register(fn):
        MIGRATIONS.append((name, fn))
        return fn
    return register


@migration("0001_initial")
def _initial() -> str:
    return (
        """
        CREATE TABLE articles (
            id TEXT PRIMARY KEY, source TEXT, published TEXT, url TEXT, title TEXT,
            path TEXT, text TEXT NOT NULL, ingested_at TEXT NOT NULL
        );
        CREATE TABLE events (
            id TEXT PRIMARY KEY,
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            type TEXT NOT NULL, mode TEXT NOT NULL, historical INTEGER NOT NULL,
            cameo_root TEXT, date_start TEXT, date_end TEXT, date_precision TEXT,
            fatalities INTEGER, confidence REAL, record TEXT NOT NULL
        );
        CREATE INDEX events_type ON events(type);
        CREATE INDEX events_date ON events(date_start, date_end);
        CREATE INDEX events_article ON events(article_id);
        CREATE TABLE event_places (
            event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
            name TEXT, country TEXT, admin1 TEXT, lat REAL, lon REAL, precision TEXT
        );
        CREATE INDEX event_places_country ON event_places(country);
        CREATE INDEX event_places_event ON event_places(event_id);
        CREATE TABLE event_actors (
            event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
            role TEXT NOT NULL, actor_id TEXT, name TEXT, text TEXT, country TEXT, kind TEXT
        );
        CREATE INDEX event_actors_actor ON event_actors(actor_id);
        CREATE INDEX event_actors_country ON event_actors(country);
        CREATE INDEX event_actors_event ON event_actors(event_id);
        """
    )


@migration("0002_merged_events")
def _merged_events(dialect: str = "sqlite") -> str:
    """Per-article `events` rows become `reports`, each the single report of its own event.

    The event's side tables (places, actors, the (cell, week) candidate index, full text) are
    derived data: the store rebuilds every event marked `stale` when it opens (SQLiteStore).
    """
    if dialect == "sqlite":
        fts = "CREATE VIRTUAL TABLE event_fts USING fts5(event_id UNINDEXED, text);"
    else:
        fts = ("CREATE TABLE event_fts (event_id TEXT PRIMARY KEY, text TEXT NOT NULL,"
               " tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED);\n"
               "CREATE INDEX event_fts_tsv ON event_fts USING GIN (tsv);")
    return (
        """
        CREATE TABLE reports (
            id TEXT PRIMARY KEY,
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            event_id TEXT NOT NULL,
            type TEXT NOT NULL,
            record TEXT NOT NULL,
            merge_score REAL,
            merge_reasons TEXT,
            matched_report TEXT
        );
        CREATE INDEX reports_event ON reports(event_id);
        CREATE INDEX reports_article ON reports(article_id);
        INSERT INTO reports (id, article_id, event_id, type, record, merge_score, merge_reasons)
            SELECT id, article_id, id, type, record, NULL,
                   '["migrated from 0001: the single report of its event"]' FROM events;
        DROP TABLE event_places;
        DROP TABLE event_actors;
        ALTER TABLE events RENAME TO events_0001;
        CREATE TABLE events (
            id TEXT PRIMARY KEY,
            type TEXT NOT NULL, mode TEXT NOT NULL, historical INTEGER NOT NULL,
            cameo_root TEXT, date_start TEXT, date_end TEXT, date_precision TEXT,
            fatalities INTEGER, confidence REAL,
            n_sources INTEGER NOT NULL DEFAULT 1,
            review_status TEXT NOT NULL DEFAULT 'unreviewed',
            stale INTEGER NOT NULL DEFAULT 0,
            record TEXT NOT NULL
        );
        INSERT INTO events (id, type, mode, historical, cameo_root, date_start, date_end,
                            date_precision, fatalities, confidence, stale, record)
            SELECT id, type, mode, historical, cameo_root, date_start, date_end, date_precision,
                   fatalities, confidence, 1, record FROM events_0001;
        DROP TABLE events_0001;
        CREATE INDEX events_type ON events(type);
        CREATE INDEX events_date ON events(date_start, date_end);
        CREATE INDEX events_stale ON events(stale);
        CREATE TABLE event_places (
            event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
            name TEXT, country TEXT, admin1 TEXT, lat REAL, lon REAL, precision TEXT
        );
        CREATE INDEX event_places_country ON event_places(country);
        CREATE INDEX event_places_event ON event_places(event_id);
        CREATE TABLE event_actors (
            event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
            role TEXT NOT NULL, actor_id TEXT, name TEXT, text TEXT, country TEXT, kind TEXT
        );
        CREATE INDEX event_actors_actor ON event_actors(actor_id);
        CREATE INDEX event_actors_country ON event_actors(country);
        CREATE INDEX event_actors_event ON event_actors(event_id);
        CREATE TABLE event_cells (
            cell TEXT NOT NULL, week INTEGER NOT NULL,
            event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
            PRIMARY KEY (cell, week, event_id)
        );
        CREATE INDEX event_cells_event ON event_cells(event_id);
        CREATE TABLE event_aliases (
            old_id TEXT PRIMARY KEY, event_id TEXT NOT NULL, at TEXT NOT NULL
        );
        CREATE INDEX event_aliases_event ON event_aliases(event_id);
        CREATE TABLE merge_links (
            report_a TEXT NOT NULL, report_b TEXT NOT NULL, kind TEXT NOT NULL,
            by_whom TEXT, at TEXT NOT NULL,
            PRIMARY KEY (report_a, report_b)
        );
        CREATE INDEX merge_links_b ON merge_links(report_b);
        CREATE TABLE reviews (
            event_id TEXT NOT NULL, field TEXT NOT NULL, action TEXT NOT NULL, value TEXT,
            by_whom TEXT, at TEXT NOT NULL,
            PRIMARY KEY (event_id, field)
        );
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            event_id TEXT, action TEXT NOT NULL, field TEXT, before TEXT, after TEXT,
            by_whom TEXT, at TEXT NOT NULL
        );
        CREATE INDEX audit_log_event ON audit_log(event_id, id);
        """ + fts
    )


@migration("0003_fast_filters")
def _fast_filters(dialect: str = "sqlite") -> str:
    """Indexes and lookup tables so that every list filter answers without a scan of `events`.

    - `events_page`: list order plus every scalar filter column, so a page is read in order from
      one index and a count scans that index, never the records; the side tables' indexes carry
      `event_id` and `reports_event` the report id, so id lookups never read rows. Each index
      costs every write, so there is one per access path, not one per filter.
    - `filter_terms`: the distinct actor and place names, so that a substring filter runs LIKE
      over the names once, then follows indexes to the events (not LIKE over every side row).
    - SQLite: `event_fts` becomes an ordinary table keyed by an integer id with the FTS5 index
      `event_fts_index` over it (external content, kept in step by triggers), so deleting an
      event's text is an index lookup; the old FTS5 table could only delete by a full scan.
    """
    common = """
        DROP INDEX events_type;
        DROP INDEX events_date;
        CREATE INDEX events_page ON events(date_start, id, date_end, type, mode, historical,
                                           n_sources, review_status);
        CREATE INDEX events_type_page ON events(type, date_start, id);
        DROP INDEX reports_event;
        CREATE INDEX reports_event ON reports(event_id, id);
        DROP INDEX event_places_country;
        DROP INDEX event_places_event;
        DROP INDEX event_actors_actor;
        DROP INDEX event_actors_country;
        CREATE INDEX event_places_country ON event_places(country, event_id);
        CREATE INDEX event_places_event ON event_places(event_id, country);
        CREATE INDEX event_places_name ON event_places(name, event_id);
        CREATE INDEX event_places_admin1 ON event_places(admin1, event_id);
        CREATE INDEX event_actors_actor ON event_actors(actor_id, event_id);
        CREATE INDEX event_actors_country ON event_actors(country, event_id);
        CREATE INDEX event_actors_name ON event_actors(name, event_id);
        CREATE INDEX event_actors_text ON event_actors(text, event_id);
        CREATE TABLE filter_terms (
            kind TEXT NOT NULL, term TEXT NOT NULL,
            PRIMARY KEY (kind, term)
        );
        INSERT INTO filter_terms (kind, term)
            SELECT 'actor', name FROM event_actors WHERE name IS NOT NULL
            UNION SELECT 'actor', text FROM event_actors WHERE text IS NOT NULL
            UNION SELECT 'place', name FROM event_places WHERE name IS NOT NULL
            UNION SELECT 'place', admin1 FROM event_places WHERE admin1 IS NOT NULL;
        """
    if dialect != "sqlite":
        return common  # PostgreSQL's event_fts is already keyed by event_id (a tsvector column)
    return common + """
        ALTER TABLE event_fts RENAME TO event_fts_0002;
        CREATE TABLE event_fts (
            fts_id INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, text TEXT NOT NULL
        );
        CREATE VIRTUAL TABLE event_fts_index USING fts5(text, content='event_fts', content_rowid='fts_id');
        CREATE TRIGGER event_fts_ai AFTER INSERT ON event_fts BEGIN
            INSERT INTO event_fts_index (rowid, text) VALUES (new.fts_id, new.text);
        END;
        CREATE TRIGGER event_fts_ad AFTER DELETE ON event_fts BEGIN
            INSERT INTO event_fts_index (event_fts_index, rowid, text) VALUES ('delete', old.fts_id, old.text);
        END;
        CREATE TRIGGER event_fts_au AFTER UPDATE ON event_fts BEGIN
            INSERT INTO event_fts_index (event_fts_index, rowid, text) VALUES ('delete', old.fts_id, old.text);
            INSERT INTO event_fts_index (rowid, text) VALUES (new.fts_id, new.text);
        END;
        -- One row per event (the old table could hold a duplicate): the last one written wins.
        INSERT INTO event_fts (event_id, text)
            SELECT event_id, text FROM event_fts_0002 WHERE rowid IN
                (SELECT max(rowid) FROM event_fts_0002 GROUP BY event_id) ORDER BY event_id;
        DROP TABLE event_fts_0002;
        """


def apply_migrations(conn: sqlite3.Connection) -> list[str]:
    """Apply the migrations not yet recorded, in name order, each in its own transaction."""
    conn.execute("CREATE TABLE IF NOT EXISTS _eventcoder_migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    done = {r[0] for r in conn.execute("SELECT name FROM _eventcoder_migrations")}
    applied = []
    for name, fn in sorted(MIGRATIONS, key=lambda m: m[0]):
        if name in done:
            continue
        # executescript() commits whatever is open before it runs, so the migration's own
        # statements and its record go into one script between BEGIN and COMMIT.
        when = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        try:
            conn.executescript(
                "BEGIN IMMEDIATE;\n" + fn() +
                f"\nINSERT INTO _eventcoder_migrations VALUES ('{name}', '{when}');\nCOMMIT;")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        applied.append(name)
    return applied
