"""The library entry points; the CLI (and later the web app) are thin shells over these."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import time
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
                 workers: int = 1, batch: int = 32, batch_seconds: float = 2.0,
                 **read_options) -> IngestSummary:
    """Extract every article under `paths` and write it to the store `db`.

    Articles are written `batch` at a time (or whatever has waited `batch_seconds`), each batch
    in one transaction (`store.write_many`): a commit per article cost as much as merging it,
    and an interrupted batch still leaves no half-written article. Articles already stored
    (same normalised text, same id) are skipped before parsing. With `workers` > 1, N processes
    extract (each loading the model once) and this process writes the results in input order,
    so the store ends up the same as with one.
    """
    from .ingest import read_paths

    summary = IngestSummary()
    store = open_store(db)
    pool = None
    try:
        items = read_paths(paths, **read_options)
        skip = lambda article: store.has_article(article.id)  # noqa: E731
        if workers > 1:
            from .parallel import ParallelExtractor

            pool = ParallelExtractor(workers, model=model)
            stream = pool.extract_many(items, skip=skip)
        else:
            stream = _extract_stream(items, get_extractor(model), skip=skip)
        pending: list = []  # items in input order; their results not yet written
        since = 0.0

        def flush():
            results = [item for item in pending if not isinstance(item, (InputError, Article))]
            outcomes = iter(store.write_many(results))
            for item in pending:
                if isinstance(item, InputError):
                    summary.skipped += 1
                    summary.errors.append(str(item))
                elif isinstance(item, Article):
                    summary.articles_unchanged += 1
                elif (outcome := next(outcomes)).status == "new":
                    summary.articles_new += 1
                    summary.events += outcome.events
                else:
                    summary.articles_unchanged += 1
                if progress is not None:
                    progress(summary, item)
            pending.clear()

        for item in stream:
            if not pending:
                since = time.monotonic()
            pending.append(item)
            if len(pending) >= max(1, batch) or time.monotonic() - since >= batch_seconds:
                flush()
        flush()
    finally:
        if pool is not None:
            pool.close()
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


# --- Reading and reviewing a store: the REST API (eventcoder/web) calls these. -----------------
# Each takes a store URL/path (opened and closed here) or an open store (left open).

@contextlib.contextmanager
def _opened(db):
    if not isinstance(db, str):
        yield db
        return
    store = open_store(db)
    try:
        yield store
    finally:
        store.close()


def count_events(db, **filters) -> int:
    """How many events match `filters` (limit/offset ignored), for pagination."""
    filters = {k: v for k, v in filters.items() if k not in ("limit", "offset")}
    with _opened(db) as store:
        return store.count_events(EventFilter(**filters))


def get_event(db, event_id: str) -> Optional[Event]:
    with _opened(db) as store:
        return store.get_event(event_id)


def event_reports(db, event_id: str) -> list[dict]:
    """The per-article reports merged into one event, with merge scores and reasons."""
    with _opened(db) as store:
        return store.event_reports(event_id)


def get_article(db, article_id: str) -> Optional[dict]:
    with _opened(db) as store:
        return store.get_article(article_id)


def list_articles(db, limit: int = 50, offset: int = 0) -> list[dict]:
    with _opened(db) as store:
        return store.list_articles(limit, offset)


def list_actors(db, limit: int = 50, offset: int = 0) -> list[dict]:
    with _opened(db) as store:
        return store.list_actors(limit, offset)


def review_event(db, event_id: str, action: str, by: str, field: Optional[str] = None,
                 value=None) -> Event:
    """Accept, reject or edit one field of an event; the change goes to the audit log."""
    with _opened(db) as store:
        return store.review_event(event_id, action, by, field=field, value=value)


def split_report(db, report_id: str, by: str) -> str:
    """Move one report out of its event into a new event; returns the new event's id."""
    with _opened(db) as store:
        return store.split_report(report_id, by)


def merge_events(db, keep_id: str, other_id: str, by: str) -> str:
    """Fold `other_id` into `keep_id`; returns the surviving event's id."""
    with _opened(db) as store:
        return store.merge_events(keep_id, other_id, by)


def audit_log(db, event_id: Optional[str] = None, limit: int = 100) -> list[dict]:
    with _opened(db) as store:
        return store.audit_log(event_id=event_id, limit=limit)


def store_stats(db) -> dict:
    with _opened(db) as store:
        return store.stats()


def ingest_text(db, text: str, published: Optional[dt.date] = None, source: Optional[str] = None,
                url: Optional[str] = None, title: Optional[str] = None,
                model: Optional[str] = None):
    """Extract one article given as text and write it to the store; returns (result, outcome)."""
    from dataclasses import replace

    from .ingest import read_text

    article = read_text(text, published=published, source=source)
    article = replace(article, url=url or article.url, title=title or article.title)
    result = get_extractor(model).extract(article)
    with _opened(db) as store:
        return result, store.write(result)


__all__ += ["audit_log", "count_events", "event_reports", "get_article", "get_event", "ingest_text",
            "list_actors", "list_articles", "merge_events", "review_event", "split_report",
            "store_stats"]


def remerge(db, by: str = "eventcoder") -> dict:
    """Recluster every stored report into events (see docs/merging.md); reviews are kept."""
    with _opened(db) as store:
        return store.remerge(by=by)


__all__ += ["remerge"]
