"""Stores: `open_store(url)` picks the implementation from the URL (SQLite by default)."""

from __future__ import annotations

from ..errors import ConfigError
from .sqlite import EventFilter, SQLiteStore, WriteOutcome

__all__ = ["EventFilter", "SQLiteStore", "WriteOutcome", "open_store"]


def open_store(url: str) -> SQLiteStore:
    """Open `url`: a file path or sqlite:///path for SQLite; postgresql:// is not supported yet."""
    if url.startswith(("postgresql://", "postgres://")):
        raise ConfigError("PostgreSQL stores are not available yet; use a SQLite file path")
    if url.startswith("sqlite:///"):
        url = url[len("sqlite:///"):]
    return SQLiteStore(url)
