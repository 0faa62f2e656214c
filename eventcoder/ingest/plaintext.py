"""Plain text -> Article: the whole text is the body; date and source come from the caller."""

from __future__ import annotations

import datetime as dt
from typing import Optional

from eventcoder.ingest.records import make_article
from eventcoder.model import Article


def parse_plain(text: str, *, path: Optional[str] = None, published: Optional[dt.date] = None,
                source: Optional[str] = None) -> Article:
    """Raises InputError when the text is only whitespace."""
    return make_article(text, path=path, published=published, source=source)
