"""eventcoder: news articles in, attributed, geocoded, dated events out (SCHEMA.md records)."""

import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

from .api import export_events, extract_paths, extract_text, ingest_paths, open_store, query_events  # noqa: E402
from .model import Article, ArticleResult, Event  # noqa: E402

__all__ = [
    "Article",
    "ArticleResult",
    "Event",
    "__version__",
    "export_events",
    "extract_paths",
    "extract_text",
    "ingest_paths",
    "open_store",
    "query_events",
]
