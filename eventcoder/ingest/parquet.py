"""Parquet corpora -> Articles, batch by batch (pyarrow), one record per row.

pyarrow reads a file in record batches, so only one batch of rows is in memory at a time; only
the columns the field mapping needs are read. Columns are found as for JSONL and CSV records
(text/body/content, published/date, source, url, title, id; see ingest/records.py). Line numbers
in errors are row numbers, from 1.
"""

from __future__ import annotations

from typing import Iterator, Optional

from eventcoder.errors import InputError
from eventcoder.ingest.records import Options, record_to_article
from eventcoder.model import Article

BATCH_ROWS = 64  # rows held at once: a batch of long articles stays a few MB


def read_parquet(path: str, opts: Options) -> Iterator[Article | InputError]:
    """Yield an Article or InputError per row of the Parquet file at `path`."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        yield InputError(path, "reading Parquet needs pyarrow: pip install 'eventcoder[archives]'")
        return
    try:
        pfile = pq.ParquetFile(path)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        yield InputError(path, f"not a readable Parquet file: {exc}")
        return
    wanted = {n.lower() for key in ("text", "published", "source", "url", "title", "id")
              for n in opts.names(key)}
    columns = [c for c in pfile.schema_arrow.names if c.lower() in wanted] or None
    row = 0
    try:
        for batch in pfile.iter_batches(batch_size=BATCH_ROWS, columns=columns):
            for record in batch.to_pylist():
                row += 1
                try:
                    yield record_to_article(record, opts, path=path, line=row, where="row")
                except InputError as err:
                    yield err
    except (OSError, ValueError) as exc:
        yield InputError(path, f"Parquet file is damaged after row {row}: {exc}", row + 1)


__all__ = ["read_parquet"]
