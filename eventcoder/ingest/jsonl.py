"""JSON Lines streams and JSON documents -> Articles, one record at a time.

JSONL is read line by line from a binary stream, so a 2 GB corpus never sits in memory, and the
size limit applies to each record. A .json file (a list of objects, one object, or an object
holding one list of objects) must be parsed whole, so the limit applies to the file.
"""

from __future__ import annotations

import json
from typing import IO, Any, Iterator, Optional

from eventcoder.errors import InputError
from eventcoder.ingest.records import Options, record_to_article
from eventcoder.ingest.sniff import BINARY, FALLBACK_ERRORS, register_fallback, too_big
from eventcoder.model import Article

_CHUNK = 1 << 20


def _skip_rest_of_line(stream: IO[bytes], size: int) -> int:
    """Consume an over-long line without holding it; returns its full length in bytes."""
    while True:
        chunk = stream.readline(_CHUNK)
        size += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            return size


def read_jsonl(stream: IO[bytes], opts: Options, *, path: Optional[str]
               ) -> Iterator[Article | InputError]:
    """Yield one Article or InputError per non-blank line; line numbers count from 1."""
    register_fallback()
    encoding = opts.encoding or "utf-8"
    errors = "strict" if opts.encoding else FALLBACK_ERRORS
    lineno = 0
    while True:
        raw = stream.readline(opts.max_bytes + 1)
        if not raw:
            return
        lineno += 1
        if len(raw) > opts.max_bytes and not raw.endswith(b"\n"):
            size = _skip_rest_of_line(stream, len(raw))
            yield InputError(path, too_big(size, opts.max_bytes, "record"), lineno)
            continue
        if lineno == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        if not raw.strip():
            continue
        if b"\x00" in raw:
            yield InputError(path, BINARY, lineno)
            return
        try:
            line = raw.decode(encoding, errors=errors)
        except (UnicodeDecodeError, LookupError) as exc:
            yield InputError(path, f"cannot be decoded as {encoding}: {exc}", lineno)
            continue
        yield from _one(line, opts, path=path, lineno=lineno)


def _one(line: str, opts: Options, *, path: Optional[str], lineno: int
         ) -> Iterator[Article | InputError]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        yield InputError(path, f"invalid JSON at column {exc.colno}: {exc.msg}", lineno)
        return
    if not isinstance(record, dict):
        yield InputError(path, f"expected a JSON object, got {_kind(record)}", lineno)
        return
    try:
        yield record_to_article(record, opts, path=path, line=lineno, where="record")
    except InputError as err:
        yield err


def _kind(value: Any) -> str:
    return {list: "a list", str: "a string", type(None): "null", bool: "a boolean"}.get(
        type(value), "a number")


def read_json(text: str, opts: Options, *, path: Optional[str]) -> Iterator[Article | InputError]:
    """A list of objects, one object, or an object with a single list of objects under a key
    (e.g. {"articles": [...]}). Errors name the item as 'item N' (1-based)."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        yield InputError(path, f"invalid JSON at column {exc.colno}: {exc.msg}", exc.lineno)
        return
    items: list[Any]
    if isinstance(doc, dict):
        lists = [v for v in doc.values() if isinstance(v, list)]
        text_keys = opts.names("text")
        has_text = any(k.lower() in {t.lower() for t in text_keys} for k in map(str, doc))
        if not has_text and len(lists) == 1:
            items = lists[0]
        else:
            items = [doc]
    elif isinstance(doc, list):
        items = doc
    else:
        yield InputError(path, f"expected a JSON object or a list of objects, got {_kind(doc)}", 1)
        return
    if not items:
        yield InputError(path, "JSON list is empty: no articles")
        return
    for n, item in enumerate(items, start=1):
        where = f"item {n}" if len(items) > 1 or isinstance(doc, list) else "object"
        if not isinstance(item, dict):
            yield InputError(path, f"{where} is {_kind(item)}, not a JSON object")
            continue
        try:
            yield record_to_article(item, opts, path=path, line=None, where=where)
        except InputError as err:
            yield err
