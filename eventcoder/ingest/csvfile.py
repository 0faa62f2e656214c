"""CSV/TSV streams -> Articles, one row at a time (the header names the fields).

Rows stream from a binary file through a decoding wrapper, so a huge corpus never sits in
memory; the size limit is per row, enforced through csv's field size limit so that a stray
unclosed quote cannot swallow the rest of a file.
"""

from __future__ import annotations

import csv
import io
import itertools
from typing import IO, Iterator, Optional

from eventcoder.errors import InputError
from eventcoder.ingest.normalize import human_size
from eventcoder.ingest.records import Options, get_field, record_to_article
from eventcoder.ingest.sniff import FALLBACK_ERRORS, register_fallback, too_big
from eventcoder.model import Article

_DELIMITERS = ",;\t|"


def _delimiter(header: str) -> str:
    """The candidate that splits the header line most often (',' when none does)."""
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _next_row(reader, limit: int) -> list[str]:
    """next(reader) under our field size limit, restoring the process-wide setting after."""
    previous = csv.field_size_limit(limit)
    try:
        return next(reader)
    finally:
        csv.field_size_limit(previous)


def read_csv(stream: IO[bytes], opts: Options, *, path: Optional[str],
             delimiter: Optional[str] = None) -> Iterator[Article | InputError]:
    """Yield one Article or InputError per data row; `line` is the row's first physical line."""
    register_fallback()
    text = io.TextIOWrapper(stream, encoding=opts.encoding or "utf-8-sig", newline="",
                            errors="strict" if opts.encoding else FALLBACK_ERRORS)
    try:
        first = text.readline()
    except UnicodeDecodeError as exc:
        yield InputError(path, f"cannot be decoded as {opts.encoding}: {exc.reason}", 1)
        return
    if not first.strip():
        yield InputError(path, "CSV file has no header line", 1)
        return
    reader = csv.reader(itertools.chain([first], text),
                        delimiter=delimiter or _delimiter(first.splitlines()[0]))
    header = [h.strip().lstrip("\ufeff") for h in _next_row(reader, opts.max_bytes)]
    probe = dict.fromkeys(header, "")
    if get_field(probe, opts, "text")[0] is None:
        wanted = " or ".join(repr(n) for n in opts.names("text"))
        yield InputError(path, f"no text column: expected {wanted}; columns found: "
                               f"{', '.join(header)} (map one with fields={{'text': NAME}})", 1)
        return
    rows = 0
    while True:
        start = reader.line_num + 1
        try:
            row = _next_row(reader, opts.max_bytes)
        except StopIteration:
            break
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                yield InputError(path, f"record has a field over the {human_size(opts.max_bytes)}"
                                       " limit; raise --max-bytes to read it", start)
                if reader.line_num < start:  # no progress: stop rather than loop
                    return
                continue
            yield InputError(path, f"malformed CSV: {exc}", start)
            return
        except UnicodeDecodeError as exc:
            yield InputError(path, f"cannot be decoded as {opts.encoding}: {exc.reason}", start)
            return
        if not any(cell.strip() for cell in row):
            continue
        rows += 1
        size = sum(len(cell) for cell in row)
        if size > opts.max_bytes:
            yield InputError(path, too_big(size, opts.max_bytes, "record"), start)
            continue
        try:
            yield record_to_article(dict(zip(header, row)), opts, path=path, line=start,
                                    where="row")
        except InputError as err:
            yield err
    if rows == 0:
        yield InputError(path, "CSV file has a header but no rows", 1)
