"""Bytes -> text (UTF-8 first, legacy encodings after) and bytes -> format name by content."""

from __future__ import annotations

import codecs
import json
import re
from typing import Optional

from eventcoder.errors import InputError
from eventcoder.ingest.normalize import human_size

BINARY = "binary file, not text"
PARQUET_MAGIC = b"PAR1"
FALLBACK_ERRORS = "eventcoder-cp1252"  # codec error handler name, see register_fallback()

_SEED_START = re.compile(r"\s*date\s+\S+")
_HTML_START = re.compile(rb"\s*(<!doctype\s+html|<html|<head|<body|<!--|<meta|<div|<p[\s>])", re.I)
# C0/C1 control characters that never occur in text (tab, newlines, form feed excluded).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def too_big(size: int, limit: int, what: str = "file") -> str:
    """The over-the-limit message, with exact byte counts when rounding would hide the excess."""
    shown, shown_limit = human_size(size), human_size(limit)
    if shown == shown_limit:
        shown, shown_limit = f"{size:,} bytes", f"{limit:,} bytes"
    return f"{what} is {shown}, over the {shown_limit} limit; raise --max-bytes to read it"


def looks_binary(data: bytes) -> bool:
    """NUL bytes never occur in text files in any 8-bit encoding or UTF-8."""
    return b"\x00" in data


def _mostly_control(text: str) -> bool:
    sample = text[:8192]
    return bool(sample) and len(_CONTROL.findall(sample)) > max(2, len(sample) // 50)


def decode_bytes(data: bytes, path: Optional[str], encoding: Optional[str] = None) -> str:
    """Decode a whole file: the given encoding, else UTF-16 (by BOM), UTF-8 (with or without BOM),
    then cp1252 and Latin-1, so a legacy 'caf\\xe9' file reads as 'café'. Raises InputError."""
    if encoding:
        try:
            return data.decode(encoding)
        except LookupError:
            raise InputError(path, f"unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as exc:
            raise InputError(path, f"cannot be decoded as {encoding} (byte {exc.start}); "
                                   "check --encoding") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(path, BINARY) from None
    if looks_binary(data):
        raise InputError(path, BINARY)
    for codec in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if _mostly_control(text):
            raise InputError(path, BINARY)
        return text
    raise InputError(path, BINARY)  # unreachable: latin-1 decodes any byte string


def _legacy_char(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined: read them as Latin-1
        return chr(byte)


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Decode the bytes UTF-8 rejected as cp1252, one by one."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return "".join(_legacy_char(b) for b in exc.object[exc.start:exc.end]), exc.end


def register_fallback() -> None:
    """Register the per-byte cp1252 fallback used when decoding streamed corpora line by line
    (a whole-file guess is impossible without reading the whole file)."""
    codecs.register_error(FALLBACK_ERRORS, _cp1252_fallback)


def sniff_format(head: bytes, suffix: str = "") -> str:
    """Guess a reader from the first bytes: 'warc', 'parquet', 'html', 'json', 'jsonl', 'seed'
    or 'text'."""
    if head.startswith(b"WARC/"):
        return "warc"
    if head.startswith(PARQUET_MAGIC):
        return "parquet"
    if _HTML_START.match(head):
        return "html"
    stripped = head.lstrip(codecs.BOM_UTF8).lstrip()
    if stripped.startswith(b"["):
        return "json"
    if stripped.startswith(b"{"):
        first = stripped.split(b"\n", 1)[0].strip()
        try:
            json.loads(first)
        except ValueError:
            return "json"  # an object spread over several lines
        return "jsonl"
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff")
    if is_seed_start(text):
        return "seed"
    return "text"


def is_seed_start(text: str) -> bool:
    """A seed file's first line is 'date VALUE Source - text' (lower-case 'date', so a plain
    sentence such as 'Date palms burned ...' is not mistaken for a header)."""
    first = text.lstrip().split("\n", 1)[0]
    if not _SEED_START.match(first):
        return False
    value = first.split()[1]
    return " - " in first or first.rstrip().endswith(" -") or any(c.isdigit() for c in value)


__all__ = ["BINARY", "PARQUET_MAGIC", "decode_bytes", "is_seed_start", "looks_binary", "register_fallback",
           "sniff_format", "too_big"]
