"""WARC archives (Common Crawl News style) -> one Article per HTML response, record by record.

warcio reads the archive as a stream (gzip members included), so a multi-gigabyte WARC never sits
in memory; each response body is bounded by the size limit. The main text comes from the same
trafilatura path as a single .html file (ingest/html.py). The record's WARC-Target-URI is the
article URL and its WARC-Date fills the publication date when the page names none.
"""

from __future__ import annotations

import datetime as dt
from typing import IO, Iterator, Optional

from eventcoder.errors import InputError
from eventcoder.ingest.html import parse_html
from eventcoder.ingest.records import Options
from eventcoder.ingest.sniff import decode_bytes, too_big
from eventcoder.model import Article

HTML_TYPES = ("text/html", "application/xhtml+xml")
# trafilatura keeps LRU caches of recent lines (about 1,000 entries each, whole paragraphs):
# clearing them every so many pages keeps a long archive's memory flat.
CACHE_RESET_PAGES = 200


def read_warc(stream: IO[bytes], opts: Options, *, path: Optional[str]
              ) -> Iterator[Article | InputError]:
    """Yield an Article or InputError per HTML response record; `line` is the record's number
    in the archive (1-based, counting every record). Other records (request, metadata, non-HTML
    responses) are skipped silently: they are no articles."""
    try:
        from warcio.archiveiterator import ArchiveIterator
        from warcio.exceptions import ArchiveLoadFailed
    except ImportError:
        yield InputError(path, "reading WARC needs warcio: pip install 'eventcoder[archives]'")
        return
    number = pages = 0
    try:
        for record in ArchiveIterator(stream):
            number += 1
            if record.rec_type != "response" or record.http_headers is None:
                continue
            ctype = (record.http_headers.get_header("Content-Type") or "").lower()
            if not ctype.startswith(HTML_TYPES):
                continue
            pages += 1
            if pages % CACHE_RESET_PAGES == 0:
                _reset_caches()
            yield _article(record, ctype, opts, path, number)
    except ArchiveLoadFailed as exc:
        yield InputError(path, f"not a readable WARC archive: {exc}", number + 1)


def _article(record, ctype: str, opts: Options, path: Optional[str], number: int
             ) -> Article | InputError:
    body = record.content_stream().read(opts.max_bytes + 1)
    if len(body) > opts.max_bytes:
        return InputError(path, too_big(len(body), opts.max_bytes, "record"), number)
    charset = ctype.split("charset=", 1)[1].split(";")[0].strip(" \"'") if "charset=" in ctype else None
    url = record.rec_headers.get_header("WARC-Target-URI")
    try:
        try:
            html = decode_bytes(body, path, charset)
        except InputError:
            html = decode_bytes(body, path)  # a wrong charset header: guess as for a file
        return parse_html(html, path=path, url=url, source=opts.source,
                          published=opts.published or _warc_date(record))
    except InputError as err:
        return InputError(path, f"{err.reason} ({url})" if url else err.reason, number)
    except Exception as exc:  # lxml/trafilatura failures on one malformed page: skip the page
        return InputError(path, f"HTML could not be parsed ({url}): {exc}", number)


def _reset_caches() -> None:
    try:
        from trafilatura.meta import reset_caches
    except ImportError:  # an older trafilatura without it: its caches are bounded anyway
        return
    reset_caches()


def _warc_date(record) -> Optional[dt.date]:
    value = record.rec_headers.get_header("WARC-Date") or ""
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


__all__ = ["read_warc"]
