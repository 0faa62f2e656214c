"""HTML page -> Article: main text, title, date and site name via trafilatura.

trafilatura is imported when the first page is read, not when eventcoder is imported, so text
and corpus users never pay for lxml. Values found in the page win; the caller's published date
and source only fill what the page lacks.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from eventcoder.errors import InputError
from eventcoder.ingest.records import make_article, parse_published
from eventcoder.model import Article


def parse_html(html: str, *, path: Optional[str] = None, published: Optional[dt.date] = None,
               source: Optional[str] = None, url: Optional[str] = None) -> Article:
    """Raises InputError when trafilatura finds no main text."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                      include_tables=False)
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or not text.strip():
        raise InputError(path, "no main text found in the HTML page")
    title = (doc.title or "").strip() or None
    # trafilatura puts one block element per line; make each a paragraph so sentences never run
    # across a headline or caption, and drop a leading headline that repeats the title.
    blocks = [b.strip() for b in text.split("\n") if b.strip()]
    if title and len(blocks) > 1 and blocks[0].casefold() == title.casefold():
        blocks = blocks[1:]
    try:
        page_date = parse_published(doc.date)
    except ValueError:
        page_date = None
    return make_article("\n\n".join(blocks), path=path, published=page_date or published,
                        source=doc.sitename or doc.hostname or source, url=doc.url or url,
                        title=title)
