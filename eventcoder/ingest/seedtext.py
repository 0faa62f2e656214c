"""Seed-format text ('date YYYY-MM-DD Source - body...') -> Article.

The header is the first line: the word 'date', an ISO date, the source (which may contain spaces
and hyphens, as in 'Al-Monitor'), then ' - ' and the first words of the body on the same line.
The header's date and source win over anything the user passes; the user's values only fill a
missing source.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Optional

from eventcoder.errors import InputError
from eventcoder.ingest.records import make_article
from eventcoder.model import Article

_HEADER = re.compile(r"\s*date\s+(?P<date>\S+)(?P<rest>.*)", re.S)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
EXPECTED = "expected 'date YYYY-MM-DD Source - text' on line 1"


def parse_seed(text: str, *, path: Optional[str] = None, source: Optional[str] = None) -> Article:
    """Split the header from the body; raises InputError (line 1) for a malformed header."""
    text = text.lstrip("\ufeff")
    match = _HEADER.match(text)
    if match is None:
        raise InputError(path, f"not a seed header; {EXPECTED}", 1)
    value = match["date"]
    if not _ISO_DATE.fullmatch(value):
        raise InputError(path, f"bad date {value!r} in the seed header; {EXPECTED}", 1)
    try:
        published = dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InputError(path, f"bad date {value!r} in the seed header ({exc}); {EXPECTED}",
                         1) from None
    first, _, after = match["rest"].partition("\n")
    # Split on the first ' - ' after the date; a header line may also end in ' -' with the
    # body starting on the next line.
    first = " " + first.strip() + " "
    cut = first.find(" - ")
    if cut < 0:
        raise InputError(path, f"seed header has no ' - ' between source and text; {EXPECTED}", 1)
    header_source = first[:cut].strip() or None
    body = first[cut + 3:] + "\n" + after
    if not body.strip():
        raise InputError(path, "seed header is not followed by any article text", 1)
    return make_article(body, path=path, published=published, source=header_source or source)
