"""Stores: `open_store(url)` picks the implementation from the URL (SQLite by default)."""

from __future__ import annotations

from ..errors import ConfigError
from .sqlite import EventFilter, SQLiteStore, WriteOutcome

__all__ = ["EventFilter", "SQLiteStore", "WriteOutcome", "open_store"]


def open_store(url: str) -> SQLiteStore:
    """Open `url`: a file path or sqlite:///path for SQLite, postgresql://... for PostgreSQL."""
    if url.startswith(("postgresql://", "postgres://")):
        from .postgres import PostgresStore  # psycopg is an extra: imported only when asked for

        return PostgresStore(url)
    if url.startswith("sqlite:///"):
        url = url[len("sqlite:///"):]
    return SQLiteStore(url)
