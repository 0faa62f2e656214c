"""Corpus record (JSON object or CSV row) -> Article, with configurable field names."""

from __future__ import annotations

import datetime as dt
import email.utils
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from eventcoder.errors import ConfigError, InputError
from eventcoder.ingest.normalize import article_id, normalize_text
from eventcoder.model import Article

# Our field -> the names tried, in order, when the user maps nothing. Matching ignores case.
DEFAULT_FIELDS: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "content"),
    "published": ("published", "date", "publish_date"),
    "source": ("source", "outlet"),
    "url": ("url",),
    "title": ("title",),
    "id": ("id",),
}


@dataclass(frozen=True, slots=True)
class Options:
    """What read_paths was asked for, handed to every reader."""

    published: Optional[dt.date] = None
    source: Optional[str] = None
    fields: Mapping[str, str] = field(default_factory=dict)
    encoding: Optional[str] = None
    max_bytes: int = 20_000_000

    def names(self, key: str) -> tuple[str, ...]:
        """Column/key names for one of our fields: the user's mapping alone, else the defaults."""
        if key in self.fields:
            return (self.fields[key],)
        return DEFAULT_FIELDS[key]


def check_fields(fields: Mapping[str, str] | None) -> dict[str, str]:
    """Reject a mapping for a field we do not know, so a typo is not silently ignored."""
    fields = dict(fields or {})
    unknown = sorted(set(fields) - set(DEFAULT_FIELDS))
    if unknown:
        raise ConfigError(f"unknown field name(s) {', '.join(unknown)} in the field mapping; "
                          f"known: {', '.join(DEFAULT_FIELDS)}")
    return fields


def make_article(text: str, *, path: Optional[str], line: Optional[int] = None,
                 published: Optional[dt.date] = None, source: Optional[str] = None,
                 url: Optional[str] = None, title: Optional[str] = None) -> Article:
    """Normalise the body and derive the id; raises InputError when nothing but whitespace."""
    body = normalize_text(text)
    if not body:
        raise InputError(path, "no text (only whitespace)", line)
    return Article(id=article_id(body), text=body, source=source or None, published=published,
                   url=url or None, title=normalize_text(title) if title else None,
                   path=path, line=line)


def parse_published(value: Any) -> Optional[dt.date]:
    """ISO date or datetime ('2022-03-18', '2022-03-18T09:30:00Z', '2022-03-18 09:30'), or an
    RFC 2822 date as RSS feeds write them. Raises ValueError for anything else."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        return dt.datetime.fromisoformat(iso).date()
    except ValueError:
        return _rfc2822(text)


def _rfc2822(text: str) -> dt.date:
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        parsed = None
    if parsed is None:
        raise ValueError(f"not an ISO date: {text!r}")
    return parsed.date()


def _lookup(record: Mapping[str, Any], name: str) -> tuple[bool, Any]:
    """Exact key, then case-insensitive key, then a dotted path into nested JSON objects."""
    if name in record:
        return True, record[name]
    lowered = {str(k).lower(): k for k in record}
    if name.lower() in lowered:
        return True, record[lowered[name.lower()]]
    if "." in name:
        head, rest = name.split(".", 1)
        found, inner = _lookup(record, head)
        if found and isinstance(inner, Mapping):
            return _lookup(inner, rest)
    return False, None


def get_field(record: Mapping[str, Any], opts: Options, key: str) -> tuple[Optional[str], Any]:
    """(name found, value) for one of our fields, trying the candidate names in order."""
    for name in opts.names(key):
        found, value = _lookup(record, name)
        if found:
            return name, value
    return None, None


def _as_text(value: Any) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "\n\n".join(value)  # a list of paragraphs
    if isinstance(value, (str, int, float)):
        return str(value)
    raise TypeError(type(value).__name__)


def record_to_article(record: Mapping[str, Any], opts: Options, *, path: Optional[str],
                      line: Optional[int], where: str = "record") -> Article:
    """One corpus record -> Article. Raises InputError naming the record when it has no text or
    an unreadable date; the caller yields it and goes on."""
    _, rid = get_field(record, opts, "id")
    label = f"{where} (id {rid!r})" if rid not in (None, "") else where
    name, raw = get_field(record, opts, "text")
    if name is None:
        raise InputError(path, f"{label} has no text field (looked for "
                               f"{', '.join(opts.names('text'))}; found "
                               f"{', '.join(map(str, record)) or 'no fields'})", line)
    try:
        text = _as_text(raw)
    except TypeError as exc:
        raise InputError(path, f"{label}: field {name!r} is a {exc}, not text", line) from None
    if not text or not text.strip():
        raise InputError(path, f"{label} has no text (field {name!r} is empty)", line)
    date_name, date_raw = get_field(record, opts, "published")
    try:
        published = parse_published(date_raw) or opts.published
    except ValueError:
        raise InputError(path, f"{label}: field {date_name!r} has {date_raw!r}, not an ISO date "
                               "(YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS)", line) from None
    values = {}
    for key in ("source", "url", "title"):
        try:
            values[key] = _as_text(get_field(record, opts, key)[1])
        except TypeError:
            values[key] = None
    return make_article(text, path=path, line=line, published=published,
                        source=values["source"] or opts.source, url=values["url"],
                        title=values["title"])
