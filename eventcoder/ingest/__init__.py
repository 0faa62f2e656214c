"""Files, folders and standard input -> a stream of Article (or InputError for a bad input).

One reader per format (seedtext, plaintext, jsonl, csvfile, html, warc, parquet); this module
walks paths, picks a reader by extension and content sniffing, enforces the size limit, and
turns every failure of one input into an InputError so that a batch always goes on.

Example:
    >>> for item in read_paths(["news/"], source="Example Wire"):
    ...     print(item if isinstance(item, InputError) else item.id)
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import os
import sys
from typing import IO, Iterable, Iterator, Optional

from eventcoder.errors import ConfigError, InputError
from eventcoder.ingest.csvfile import read_csv
from eventcoder.ingest.html import parse_html
from eventcoder.ingest.jsonl import read_json, read_jsonl
from eventcoder.ingest.normalize import article_id, normalize_text
from eventcoder.ingest.parquet import read_parquet
from eventcoder.ingest.plaintext import parse_plain
from eventcoder.ingest.records import Options, check_fields
from eventcoder.ingest.seedtext import parse_seed
from eventcoder.ingest.warc import read_warc
from eventcoder.ingest.sniff import (BINARY, PARQUET_MAGIC, decode_bytes, is_seed_start,
                                     looks_binary, sniff_format, too_big)
from eventcoder.model import Article

FORMATS = ("seed", "text", "jsonl", "json", "csv", "tsv", "html", "warc", "parquet")
_FORMAT_ALIASES = {"txt": "text", "plain": "text", "ndjson": "jsonl", "htm": "html"}
# None: a .txt file is a seed file or plain text, decided by its first line.
SUFFIXES: dict[str, Optional[str]] = {
    ".txt": None, ".text": None, ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json",
    ".csv": "csv", ".tsv": "tsv", ".html": "html", ".htm": "html", ".warc": "warc",
    ".parquet": "parquet", ".pq": "parquet",
}
_STREAMED = ("jsonl", "csv", "tsv", "warc", "parquet")  # record by record; the limit is per record
_HEAD = 8192
STDIN = "<stdin>"


def read_paths(paths: Iterable[str], *, fmt: str | None = None, published: dt.date | None = None,
               source: str | None = None, fields: dict[str, str] | None = None,
               encoding: str | None = None, max_bytes: int = 20_000_000
               ) -> Iterator[Article | InputError]:
    """Yield the articles in files, folders (recursive, sorted, hidden files skipped) and "-"
    (standard input). Never raises for one bad input: it yields InputError and carries on.

    `published`/`source` fill plain text and records that lack them (a seed header wins);
    `fields` maps our field names (text, published, source, url, title, id) to corpus columns.
    Raises ConfigError at once for an unknown `fmt` or field name.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]  # a lone path, not an iterable of one-character paths
    if fmt is not None:
        fmt = _FORMAT_ALIASES.get(fmt.lower(), fmt.lower())
        if fmt not in FORMATS:
            raise ConfigError(f"unknown input format {fmt!r}; use one of {', '.join(FORMATS)}")
    if max_bytes <= 0:
        raise ConfigError("max_bytes must be a positive number of bytes")
    opts = Options(published=published, source=source, fields=check_fields(fields),
                   encoding=encoding, max_bytes=max_bytes)
    return _read_all([os.fspath(p) for p in paths], opts, fmt)


def read_text(text: str, *, published: dt.date | None = None, source: str | None = None,
              path: str | None = None) -> Article:
    """One article from a string: a seed header ('date YYYY-MM-DD Source - ...') is used when
    present, otherwise the whole string is the body. Raises InputError for empty text or a
    malformed seed header."""
    if not text or not text.strip():
        raise InputError(path, "empty text: nothing to read")
    if is_seed_start(text):
        return parse_seed(text, path=path, source=source)
    return parse_plain(text, path=path, published=published, source=source)


def _read_all(paths: list[str], opts: Options, fmt: Optional[str]
              ) -> Iterator[Article | InputError]:
    for path in paths:
        if path == "-":
            yield from _read_stdin(opts, fmt)
        elif os.path.isdir(path):
            files = walk(path)
            if not files:
                yield InputError(path, "folder has no readable files ("
                                       f"{', '.join(SUFFIXES)}, optionally .gz)")
            for file in files:
                yield from _read_file(file, opts, fmt)
        elif not os.path.exists(path):
            yield InputError(path, "no such file or folder")
        else:
            yield from _read_file(path, opts, fmt)


def _hidden(name: str) -> bool:
    return name.startswith(".") or name.endswith("~")


def _suffix(path: str) -> tuple[str, bool]:
    """('.jsonl', True) for 'corpus.jsonl.gz'."""
    name = os.path.basename(path).lower()
    gz = name.endswith(".gz")
    return os.path.splitext(name[:-3] if gz else name)[1], gz


def walk(folder: str) -> list[str]:
    """Readable files under a folder: known suffixes only, no hidden files or folders, sorted by
    path components so the order is the same on every machine."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not _hidden(d)]
        for name in files:
            if not _hidden(name) and _suffix(name)[0] in SUFFIXES:
                found.append(os.path.join(root, name))
    return sorted(found, key=lambda p: os.path.relpath(p, folder).split(os.sep))


def _read_file(path: str, opts: Options, fmt: Optional[str]) -> Iterator[Article | InputError]:
    suffix, gz = _suffix(path)
    kind = fmt or SUFFIXES.get(suffix, "sniff")
    if kind == "sniff" and not gz and _is_parquet(path):
        kind = "parquet"
    if kind == "parquet":  # pyarrow needs the file itself: it seeks to the footer
        yield from read_parquet(path, opts)
        return
    try:
        size = None if gz else os.path.getsize(path)
        if size is not None and size > opts.max_bytes and kind not in _STREAMED:
            yield InputError(path, too_big(size, opts.max_bytes))
            return
        with (gzip.open(path, "rb") if gz else open(path, "rb")) as stream:
            yield from _read_stream(stream, path, kind, opts)
    except (OSError, EOFError) as exc:
        yield InputError(path, f"cannot read: {getattr(exc, 'strerror', None) or exc}")


def _is_parquet(path: str) -> bool:
    with open(path, "rb") as fh:
        return fh.read(4) == PARQUET_MAGIC


def _read_stdin(opts: Options, fmt: Optional[str]) -> Iterator[Article | InputError]:
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # a text stream (e.g. replaced in tests): re-encode what it holds
        buffer = io.BytesIO(sys.stdin.read().encode("utf-8"))
    yield from _read_stream(io.BufferedReader(_Prefixed(b"", buffer)), STDIN, fmt or "sniff", opts)


class _Prefixed(io.RawIOBase):
    """A raw stream that replays already-read head bytes, then reads on (for unseekable input);
    closing it leaves the wrapped stream (e.g. sys.stdin) open."""

    def __init__(self, head: bytes, rest: IO[bytes]):
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        if self._head:
            n = min(len(b), len(self._head))
            b[:n], self._head = self._head[:n], self._head[n:]
            return n
        data = self._rest.read(len(b))
        b[:len(data)] = data
        return len(data)


def _read_stream(stream: IO[bytes], path: str, kind: str, opts: Options
                 ) -> Iterator[Article | InputError]:
    head = stream.read(_HEAD)
    if not head:
        yield InputError(path, "empty file")
        return
    if kind == "sniff":
        kind = sniff_format(head)
    if kind == "parquet":
        yield InputError(path, "Parquet is read from a file on disk, not gzipped or from stdin")
        return
    if kind == "warc":
        yield from read_warc(io.BufferedReader(_Prefixed(head, stream)), opts, path=path)
        return
    if kind in _STREAMED:
        if looks_binary(head):
            yield InputError(path, BINARY)
            return
        rest = io.BufferedReader(_Prefixed(head, stream))
        if kind == "jsonl":
            yield from read_jsonl(rest, opts, path=path)
        else:
            yield from read_csv(rest, opts, path=path, delimiter="\t" if kind == "tsv" else None)
        return
    data = head
    if len(head) <= opts.max_bytes:  # read one byte past the limit to know it was passed
        data += stream.read(opts.max_bytes + 1 - len(head))
    if len(data) > opts.max_bytes:
        size = len(data) + sum(len(c) for c in iter(lambda: stream.read(1 << 20), b""))
        yield InputError(path, too_big(size, opts.max_bytes))
        return
    try:
        text = decode_bytes(data, path, opts.encoding)
    except InputError as err:
        yield err
        return
    if not text.strip():
        yield InputError(path, "file has only whitespace, no text")
        return
    yield from _parse_whole(text, path, kind, opts)


def _parse_whole(text: str, path: str, kind: Optional[str], opts: Options
                 ) -> Iterator[Article | InputError]:
    if kind == "json":
        yield from read_json(text, opts, path=path)
        return
    try:
        if kind == "html":
            yield _html(text, path, opts)
        elif kind == "seed" or (kind is None and is_seed_start(text)):
            yield parse_seed(text, path=path, source=opts.source)
        else:
            yield parse_plain(text, path=path, published=opts.published, source=opts.source)
    except InputError as err:
        yield err


def _html(text: str, path: str, opts: Options) -> Article:
    try:
        return parse_html(text, path=path, published=opts.published, source=opts.source)
    except InputError:
        raise
    except Exception as exc:  # lxml/trafilatura failures on a malformed page are input errors
        raise InputError(path, f"HTML could not be parsed: {exc}") from None


__all__ = ["FORMATS", "STDIN", "article_id", "normalize_text", "read_paths", "read_text", "walk"]
