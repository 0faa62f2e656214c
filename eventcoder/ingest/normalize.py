"""Raw article text -> normalised text and a content-derived article id.

Every character offset downstream (spaCy token.idx, evidence start/end, place start/end) is into
the normalised text, so normalisation happens once, here, before anything else sees the text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85\x0b\x0c]")
# Horizontal whitespace: tabs, no-break and other Unicode spaces, but not newlines.
_HSPACE = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_ZERO_WIDTH = re.compile(r"[\ufeff\u200b\u2060]")
_ANY_SPACE = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """NFC, one kind of line ending, no BOM or zero-width marks, single spaces, and at most one
    blank line between paragraphs; leading and trailing whitespace is stripped.

    Single line breaks are kept (they often separate a headline or a dateline from the body) and
    a paragraph break is exactly one blank line.
    """
    text = unicodedata.normalize("NFC", text)
    text = _ZERO_WIDTH.sub("", text)
    text = _LINE_BREAKS.sub("\n", text)
    text = _HSPACE.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def article_id(text: str) -> str:
    """First 16 hex digits of sha256 over the normalised text with every whitespace run made one
    space (case kept), so re-wrapping or CRLF/LF differences never create a second article."""
    key = _ANY_SPACE.sub(" ", normalize_text(text)).strip()
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def human_size(n: int) -> str:
    """Byte count for messages: '52 MB', '20.5 MB', '900 kB', '12 bytes' (decimal units)."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if n >= scale:
            value = f"{n / scale:.1f}".removesuffix(".0")
            return f"{value} {unit}"
    return f"{n} bytes"
