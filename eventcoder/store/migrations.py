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


def apply_migrations(conn: sqlite3.Connection) -> list[str]:
    """Apply the migrations not yet recorded, each in its own transaction; return their names."""
    conn.execute("CREATE TABLE IF NOT EXISTS _eventcoder_migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    done = {r[0] for r in conn.execute("SELECT name FROM _eventcoder_migrations")}
    applied = []
    for name, fn in MIGRATIONS:
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
