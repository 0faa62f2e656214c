"""The library entry points; the CLI (and later the web app) are thin shells over these."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import IO, Iterable, Iterator, Optional, Union

from .errors import InputError
from .model import Article, ArticleResult, Event
from .store import EventFilter, SQLiteStore, open_store

__all__ = ["IngestSummary", "export_events", "extract_paths", "extract_text", "get_extractor",
           "ingest_paths", "open_store", "query_events"]


@functools.lru_cache(maxsize=2)
def get_extractor(model: Optional[str] = None):
    """One Extractor (model, actor KB, gazetteer, lexicon) per process and model name."""
    from .pipeline import Extractor

    return Extractor(model=model)


def extract_text(text: str, published: Optional[dt.date] = None, source: Optional[str] = None,
                 model: Optional[str] = None) -> ArticleResult:
    """Extract the events of one article given as text (a seed-format header is recognised)."""
    from .ingest import read_text

    if isinstance(published, str):
        published = dt.date.fromisoformat(published)
    article = read_text(text, published=published, source=source)
    return get_extractor(model).extract(article)


def extract_articles(articles: Iterable[Article], model: Optional[str] = None) -> Iterator[ArticleResult]:
    return get_extractor(model).extract_many(articles)


def extract_paths(paths: Iterable[str], model: Optional[str] = None,
                  **read_options) -> Iterator[Union[ArticleResult, InputError]]:
    """Read files/folders/stdin and yield one result per article, or an InputError per bad input.

    Bad inputs never stop the batch.
    """
    from .ingest import read_paths

    for item in _extract_stream(read_paths(paths, **read_options), get_extractor(model)):
        yield item


def _extract_stream(items, extractor, skip=None):
    """Feed the articles among `items` to the extractor in batches, passing errors through.

    An article for which `skip(article)` is true is yielded as is, unparsed (already stored).
    """
    pending: list = []

    def articles_only():
        for item in items:
            if isinstance(item, InputError) or (skip is not None and skip(item)):
                pending.append(item)
            else:
                yield item

    for result in extractor.extract_many(articles_only()):
        # What was set aside while the parser filled its batch comes out as soon as possible.
        while pending:
            yield pending.pop(0)
        yield result
    while pending:
        yield pending.pop(0)


@dataclass
class IngestSummary:
    articles_new: int = 0
    articles_unchanged: int = 0
    events: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


def ingest_paths(paths: Iterable[str], db: str, model: Optional[str] = None, progress=None,
                 **read_options) -> IngestSummary:
    """Extract every article under `paths` and write it to the store `db`, one transaction each.

    Articles already stored (same normalised text, same id) are skipped before parsing.
    """
    from .ingest import read_paths

    summary = IngestSummary()
    store = open_store(db)
    try:
        stream = _extract_stream(read_paths(paths, **read_options), get_extractor(model),
                                 skip=lambda article: store.has_article(article.id))
        for item in stream:
            if isinstance(item, InputError):
                summary.skipped += 1
                summary.errors.append(str(item))
            elif isinstance(item, Article):
                summary.articles_unchanged += 1
            else:
                outcome = store.write(item)
                if outcome.status == "new":
                    summary.articles_new += 1
                    summary.events += outcome.events
                else:
                    summary.articles_unchanged += 1
            if progress is not None:
                progress(summary, item)
    finally:
        store.close()
    return summary


def query_events(db: Union[str, SQLiteStore], **filters) -> list[Event]:
    """Events in the store matching `filters` (see store.EventFilter)."""
    store = open_store(db) if isinstance(db, str) else db
    try:
        return list(store.query_events(EventFilter(**filters)))
    finally:
        if isinstance(db, str):
            store.close()


def export_events(db: str, fmt: str, fp: IO[str], **filters) -> int:
    from . import export

    store = open_store(db)
    try:
        return export.write(store.query_events(EventFilter(**filters)), fmt, fp)
    finally:
        store.close()
