"""Date expressions in a parsed article -> a DateSpan per event, against the publication date.

Our own rule layer runs first (fast, and each rule names itself in `DateSpan.rule` and explains
itself in `basis`); dateparser is only a fallback for odd absolute spellings with a month name.
Conventions (see docs/dates.md): a bare weekday is the most recent such day on or before
publication (the same weekday is the publication day), "last night" is the day before
publication, weeks run Monday-Sunday, and ambiguous numeric dates (10/05/2021) are read
day-first unless only the other reading is valid or lies on the right side of publication.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Callable, Optional

from .model import DateSpan, EventDraft

REQUIRES = ("doc", "article.published", "draft.trigger", "draft.sentence_index")
ASSIGNS = ("event.date",)

DAY = dt.timedelta(days=1)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
MONTHS["sept"] = 9
NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
           "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
           "a couple of": 2, "a few": 3, "several": 3, "few": 3}
UNITS = {"day": 1, "week": 7, "month": 30, "year": 365, "decade": 3650, "hour": 1 / 24}
QUARTERS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "final": 4}
# Reporting verbs: a date on "said on Wednesday" bounds the reported event but is not its date,
# so climbing through one costs more than through an ordinary governing clause.
REPORTING = {"say", "tell", "report", "announce", "state", "claim", "add", "confirm", "declare",
             "note", "write", "warn"}
FUTURE_HEADS = {"plan", "schedule", "expect", "intend", "due", "set", "prepare", "aim", "hope",
                "vow", "threaten", "pledge", "promise", "go"}

_WD = "|".join(WEEKDAYS)
_MON = "|".join(sorted(MONTHS, key=len, reverse=True))
_NUM = r"\d+|a couple of|a few|several|few|an|a|" + "|".join(
    k for k in NUMBERS if k not in ("a", "an", "a couple of", "a few", "several", "few"))
_UNIT = r"(day|week|month|year|decade|hour)s?"
_PARTS = r"(?:\s+(?:morning|afternoon|evening|night))?"
# Things that look numeric/date-like but are not dates: ages, durations as adjectives, clock times.
_TRAP = re.compile(r"\d+[- ](?:day|week|month|year|hour)s?[- ]old"
                   r"|\b\d+-(?:day|week|month|year|hour)"
                   r"|\d\s*(?:a\.m\.|p\.m\.|am\b|pm\b|o'clock)|\b\d{1,2}:\d{2}\b")


@dataclass(slots=True)
class DateMention:
    """One date expression in the article: character offsets into `doc.text` and its resolution."""

    start: int
    end: int
    text: str
    span: DateSpan


# ---------------------------------------------------------------------------------------------
# small calendar helpers

def _month_range(y: int, m: int) -> tuple[dt.date, dt.date]:
    return dt.date(y, m, 1), dt.date(y, m, calendar.monthrange(y, m)[1])


def _add_months(y: int, m: int, k: int) -> tuple[int, int]:
    n = y * 12 + (m - 1) + k
    return n // 12, n % 12 + 1


def _week(d: dt.date) -> tuple[dt.date, dt.date]:
    monday = d - d.weekday() * DAY
    return monday, monday + 6 * DAY


def _year(y: int) -> tuple[dt.date, dt.date]:
    return dt.date(y, 1, 1), dt.date(y, 12, 31)


def _num(word: str) -> Optional[int]:
    word = word.strip()
    if word.isdigit():
        return int(word)
    return NUMBERS.get(word)


def _precision(start: dt.date, end: dt.date) -> str:
    """Precision of a range that is not one calendar unit: the smallest unit it fits in."""
    days = (end - start).days + 1
    return "day" if days <= 1 else "week" if days <= 7 else "month" if days <= 31 else "year"


def _human(start: dt.date, end: dt.date, precision: str) -> str:
    if start == end:
        return start.isoformat()
    if precision == "month" and start.day == 1 and _month_range(start.year, start.month)[1] == end:
        return f"{calendar.month_name[start.month]} {start.year}"
    if precision == "year" and (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) \
            and start.year == end.year:
        return str(start.year)
    return f"{start.isoformat()} to {end.isoformat()}"


# A rule returns (start, end, precision, rule) or None.
Result = Optional[tuple[dt.date, dt.date, str, str]]


def _weekday(m: re.Match, pub: Optional[dt.date], future: bool) -> Result:
    if pub is None:
        return None
    mod, target = (m.group(1) or "").strip(), WEEKDAYS.index(m.group(2))
    back = (pub.weekday() - target) % 7  # days back to the most recent one, 0 = publication day
    if mod in ("last", "past", "this past"):
        back = back or 7
    elif mod in ("next", "coming", "this coming") or future:
        ahead = (target - pub.weekday()) % 7
        if mod and mod != "this":
            ahead = ahead or 7
        d = pub + ahead * DAY
        return d, d, "day", "weekday-relative"
    d = pub - back * DAY
    return d, d, "day", "weekday-relative"


def _day_word(m: re.Match, pub: Optional[dt.date], future: bool) -> Result:
    if pub is None:
        return None
    word = m.group(1)
    if word == "overnight":  # the night that ends on the publication morning
        return pub - DAY, pub, "day", "day-relative"
    offset = (-2 if "before yesterday" in word else -1 if word.startswith(("yesterday", "last"))
              else 2 if "after tomorrow" in word else 1 if word.startswith("tomorrow") else 0)
    d = pub + offset * DAY
    return d, d, "day", "day-relative"


def _unit_relative(m: re.Match, pub: Optional[dt.date], future: bool) -> Result:
    """this/last/next week|month|year, earlier/later this week|month|year."""
    if pub is None:
        return None
    mod, unit = m.group(1), m.group(2)
    step = {"last": -1, "past": -1, "previous": -1, "next": 1, "coming": 1,
            "following": 1}.get(mod, 0)
    if unit == "week":
        s, e = _week(pub + 7 * step * DAY)
    elif unit == "month":
        s, e = _month_range(*_add_months(pub.year, pub.month, step))
    else:
        s, e = _year(pub.year + step)
    precision = "year" if unit == "year" else unit
    if mod == "earlier this":
        e = pub
    elif mod == "later this":
        s = pub
    return s, e, precision, f"{unit}-relative"


def _ago(m: re.Match, pub: Optional[dt.date], future: bool) -> Result:
    if pub is None:
        return None
    n, unit = _num(m.group(1)), m.group(2)
    if n is None:
        return None
    vague = m.group(1) in ("a few", "several", "few", "a couple of")
    if unit == "day":
        if vague:
            return pub - 7 * DAY, pub - DAY, "week", "ago"
        d = pub - n * DAY
        return d, d, "day", "ago"
    if unit == "hour":
        return pub, pub, "day", "ago"
    if unit == "week":
        s, e = _week(pub - 7 * n * DAY)
        if vague:
            return pub - 35 * DAY, pub - 14 * DAY, "month", "ago"
        return s, e, "week", "ago"
    if unit == "month":
        s, e = _month_range(*_add_months(pub.year, pub.month, -n))
        return s, e, "month", "ago"
    years = n * (10 if unit == "decade" else 1)
    s, e = _year(pub.year - years)
    return s, e, "year", "ago"


def _past_span(m: re.Match, pub: Optional[dt.date], future: bool) -> Result:
    """'the past two weeks', 'recent days', 'the coming days': a range ending/starting at pub."""
    if pub is None:
        return None
    direction, count, unit = m.group(1), m.group(2), m.group(3)
    plural = m.group(0).endswith("s")
    n = _num(count) if count else (1 if not plural else 3 if unit != "hour" else 24)
    if n is None:
        return None
    days = max(1, round(n * UNITS[unit]))
    if direction in ("coming", "next", "following", "upcoming"):
        if not count and unit == "day":
            days = 7  # "the coming days": the week ahead
        s, e = pub + DAY, pub + days * DAY
    else:
        if not count and unit == "day":
            days = 7
        s, e = pub - (days - 1) * DAY, pub
    return s, e, _precision(s, e), "range-relative"


def _weekend(m: re.Match, pub: Optional[dt.date], future: bool) -> Result:
    if pub is None:
        return None
    mod = m.group(1) or ""
    sat = pub - ((pub.weekday() - 5) % 7) * DAY  # most recent Saturday on or before pub
    if mod in ("next", "coming", "the coming") or (future and mod in ("", "this", "the")):
        if sat + DAY < pub or mod in ("next", "coming", "the coming"):
            sat += 7 * DAY
    elif mod in ("last", "this past", "past") and pub - sat <= DAY:
        sat -= 7 * DAY  # "last weekend" said on a Saturday or Sunday is the one before
    return sat, sat + DAY, "week", "weekend"


def _month_name(m: re.Match, pub: Optional[dt.date], future: bool) -> Result:
    mod, month, year = (m.group(1) or "").strip(), MONTHS[m.group(2)], m.group(3)
    if year and year.isdigit():
        s, e = _month_range(int(year), month)
        return s, e, "month", "explicit"
    if pub is None:
        return None
    if year:
        y = pub.year + {"last year": -1, "this year": 0, "next year": 1}[year]
    elif mod == "this":
        y = pub.year
    elif mod in ("last", "past", "this past"):
        y = pub.year if month < pub.month else pub.year - 1
    elif mod in ("next", "coming", "this coming"):
        y = pub.year if month > pub.month else pub.year + 1
    elif future:
        y = pub.year if month >= pub.month else pub.year + 1
    else:
        y = pub.year if month <= pub.month else pub.year - 1
    s, e = _month_range(y, month)
    return s, e, "month", "month-name"


def _day_month(y: Optional[str], month: int, day: str, pub: Optional[dt.date],
               future: bool) -> Result:
    if y:
        try:
            d = dt.date(int(y), month, int(day))
        except ValueError:
            return None
        return d, d, "day", "explicit"
    if pub is None:
        return None
    try:
        d = dt.date(pub.year, month, int(day))
    except ValueError:
        return None
    if not future and d > pub:
        d = d.replace(year=pub.year - 1) if not (month == 2 and int(day) == 29) else None
    elif future and d < pub:
        d = d.replace(year=pub.year + 1) if not (month == 2 and int(day) == 29) else None
    return (d, d, "day", "month-day") if d else None


def _month_day(m: re.Match, pub, future) -> Result:
    return _day_month(m.group(3), MONTHS[m.group(1)], m.group(2), pub, future)


def _day_first(m: re.Match, pub, future) -> Result:
    return _day_month(m.group(3), MONTHS[m.group(2)], m.group(1), pub, future)


def _day_range(m: re.Match, pub, future) -> Result:
    """'March 22-23' / '22-23 March 2022': the days from first to last."""
    mon = m.group("m1") or m.group("m2")
    first = _day_month(m.group("y"), MONTHS[mon], m.group("a") or m.group("a2"), pub, future)
    if first is None:
        return None
    try:
        last = first[0].replace(day=int(m.group("b")))
    except ValueError:
        return None
    if last < first[0]:
        return None
    return first[0], last, _precision(first[0], last), first[3]


def _iso(m: re.Match, pub, future) -> Result:
    try:
        d = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    return d, d, "day", "explicit"


def _numeric(m: re.Match, pub: Optional[dt.date], future: bool) -> Result:
    """dd/mm/yyyy or mm/dd/yyyy: day-first unless only the month-first reading is valid or
    only it lies on the right side of publication."""
    a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if y < 100:
        y += 2000 if y < 50 else 1900
    readings = []
    for day, month in ((a, b), (b, a)):  # day-first first
        try:
            readings.append(dt.date(y, month, day))
        except ValueError:
            pass
    if not readings:
        return None
    if pub is not None:  # a reading on the wrong side of publication is impossible
        readings = [r for r in readings if (r >= pub if future else r <= pub)] or readings
    d = readings[0]
    return d, d, "day", "numeric-date"


def _year_rule(m: re.Match, pub, future) -> Result:
    y = int(m.group(1))
    if not 1000 <= y <= 2100:
        return None
    s, e = _year(y)
    return s, e, "year", "year"


def _short_year(m: re.Match, pub: Optional[dt.date], future: bool) -> Result:
    """'82: the latest such year not after publication (or this century without one)."""
    y = 2000 + int(m.group(1))
    if y > (pub.year if pub else dt.date.today().year):
        y -= 100
    s, e = _year(y)
    return s, e, "year", "year"


def _decade(m: re.Match, pub, future) -> Result:
    y = int(m.group(1))
    return dt.date(y, 1, 1), dt.date(y + 9, 12, 31), "year", "decade"


def _quarter(m: re.Match, pub: Optional[dt.date], future: bool) -> Result:
    q = QUARTERS.get(m.group(1) or "") or int(m.group(2) or 0)
    year = m.group(3)
    if year and year.isdigit():
        y = int(year)
    elif pub is None:
        return None
    else:
        y = pub.year + {"last year": -1, "this year": 0, None: 0}[year]
        if not year and q > (pub.month - 1) // 3 + 1 and not future:
            y -= 1
    s = dt.date(y, 3 * q - 2, 1)
    e = _month_range(y, 3 * q)[1]
    return s, e, "year", "quarter"


_ORD = r"(?:st|nd|rd|th)?"
_YEARWORD = r"(\d{4}|last year|this year|next year)"
_DAYWORDS = (r"today|now|currently|current|ongoing|at present|presently|right now|at the moment|"
             r"tonight|this morning|this afternoon|this evening|earlier today|later today|"
             r"yesterday" + _PARTS + r"|last night|overnight|the day before yesterday|"
             r"tomorrow" + _PARTS + r"|the day after tomorrow")
_DAY_RANGE = (r"^(?:(?P<m1>" + _MON + r")\.? (?P<a>\d{1,2})|(?P<a2>\d{1,2}))" + _ORD
              + r" ?(?:-|to|and) ?(?P<b>\d{1,2})" + _ORD + r"(?: (?:of )?(?P<m2>" + _MON
              + r")\.?)?(?:,? (?P<y>\d{4}))?$")
Handler = Callable[[re.Match, Optional[dt.date], bool], Result]
_RULES: list[tuple[re.Pattern, Handler]] = [(re.compile(p), f) for p, f in [
    (r"^(" + _DAYWORDS + r")$", _day_word),
    (r"^(last |past |this past |this coming |coming |next |this )?(" + _WD + r")" + _PARTS + "$",
     _weekday),
    (r"^(?:the )?(this|current|last|past|previous|next|coming|following|earlier this|"
     r"later this|early this|late this) (week|month|year)$", _unit_relative),
    (r"^(" + _NUM + r") " + _UNIT + r" ago$", _ago),
    (r"^(?:the )?(past|last|previous|recent|coming|next|following|upcoming)(?: (" + _NUM
     + r"))? " + _UNIT + r"$", _past_span),
    (r"^(?:(last|this|next|coming|the coming|this past|past|the) )?weekend$", _weekend),
    (r"^(?:(?:early|mid|late)[\s-]+)?(?:(last|this|next|this past|past|this coming|coming) )?("
     + _MON + r")\.?(?:,? (?:of )?" + _YEARWORD + r")?$", _month_name),
    (r"^(?:(?:" + _WD + r"),? )?(" + _MON + r")\.? (\d{1,2})" + _ORD + r"(?:,? (\d{4}))?$",
     _month_day),
    (r"^(?:(?:" + _WD + r"),? )?(?:the )?(\d{1,2})" + _ORD + r" (?:of )?(" + _MON
     + r")\.?,?(?: (\d{4}))?$", _day_first),
    (_DAY_RANGE, lambda m, p, f: _day_range(m, p, f) if bool(m["m1"]) != bool(m["m2"]) else None),
    (r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$", _iso),
    (r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})$", _numeric),
    (r"^(?:the year |fiscal |early |late |mid-?)?(\d{4})$", _year_rule),
    (r"^the (\d{3}0)'?s$", _decade),
    (r"^'(\d\d)$", _short_year),
    (r"^(?:the )?(?:(first|second|third|fourth|final) quarter|q([1-4]))"
     r"(?:,? (?:of )?(\d{4}|last year|this year))?$", _quarter),
]]

# Leading words that do not change the date ("On Tuesday", "Back in May 2021", "the night of").
_PREFIX = re.compile(r"^(?:back in|back on|earlier on|as of|on|in|during|at|over|from|of|"
                     r"around|the (?:night|morning|evening|afternoon|day) of|late on|early on|"
                     r"later on)\s+")
_MODIFIER = re.compile(r"^(?:the )?(?:end|beginning|start|middle|rest|remainder) of (?:the )?"
                       r"(?=\w)")
_SINCE = re.compile(r"^(?:ever )?since\s+")
_NO_VALUE = {"recently", "the past", "in the past", "at the time", "the day", "formerly",
             "lately", "previously", "these days", "once"}


def _normalise(text: str) -> str:
    t = text.replace("\u2019", "'").replace("\u2013", "-").lower()
    t = re.sub(r"\s+", " ", t).strip(" ,.;:()\"")
    t = re.sub(r"'s$", "", t).replace("fiscal year", "year")
    if len(t) > 1 and t[0] == t[-1] == "'":  # quoted
        t = t[1:-1].strip()
    return t


def _format_basis(text: str, rule: str, s: dt.date, e: dt.date, precision: str,
                  pub: Optional[dt.date]) -> str:
    if rule in ("weekday-relative", "day-relative") and pub is not None:
        return f"'{text}', relative to publication on {pub.strftime('%A')} {pub.isoformat()}"
    return f"'{text}': {_human(s, e, precision)}"


def resolve_expression(text: str, published: Optional[dt.date], *,
                       future: bool = False) -> Optional[DateSpan]:
    """Resolve one date expression against the publication date; None when it names no date.

    `future` picks the next matching weekday/month/day rather than the most recent one
    (the caller knows the tense). Relative expressions need `published`; absolute ones do not.
    """
    t = _normalise(text)
    if not t or _TRAP.search(t) or t in _NO_VALUE:
        return None
    since = bool(_SINCE.match(t))
    t = _SINCE.sub("", t)
    for _ in range(3):
        stripped = _PREFIX.sub("", t)
        if stripped == t:
            break
        t = stripped
    t = _MODIFIER.sub("", t)  # "the end of last year" is dated as "last year"
    if t in ("week", "month", "year"):
        t = "this " + t
    result = _apply_rules(t, published, future)
    if result is None:
        result = _dateparser_fallback(t, published, future)
    if result is None:
        return None
    s, e, precision, rule = result
    if since and published is not None:
        e = max(published, e)
        precision, rule = _precision(s, e), "since"
        basis = f"'{text}': from {s.isoformat()} to publication on {published.isoformat()}"
    else:
        basis = _format_basis(text.strip(), rule, s, e, precision, published)
    return DateSpan(start=s, end=e, precision=precision, basis=basis, text=text.strip(), rule=rule)


def _apply_rules(t: str, pub: Optional[dt.date], future: bool) -> Result:
    for pattern, handler in _RULES:
        m = pattern.match(t)
        if m:
            return handler(m, pub, future)
    return None


_HAS_MONTH = re.compile(r"\b(" + _MON + r")\b")


def _dateparser_fallback(t: str, pub: Optional[dt.date], future: bool) -> Result:
    """Odd absolute spellings ("the 3rd day of March, 2021"). Only tried when a month name is
    present, so durations and bare numbers never reach it."""
    if not _HAS_MONTH.search(t) or (pub is None and not re.search(r"\b\d{4}\b", t)):
        return None  # without a publication date only a written year anchors the date
    from dateparser.date import DateDataParser  # slow import, rarely needed

    settings = {"PREFER_DATES_FROM": "future" if future else "past", "STRICT_PARSING": False,
                "RETURN_AS_TIMEZONE_AWARE": False}
    if pub is not None:
        settings["RELATIVE_BASE"] = dt.datetime.combine(pub, dt.time())
    data = DateDataParser(languages=["en"], settings=settings).get_date_data(t)
    if data is None or data.date_obj is None:
        return None
    d = data.date_obj.date()
    years = re.findall(r"\b\d{4}\b", t)
    if (years and str(d.year) not in years) or (not years and abs((d - pub).days) > 366):
        return None  # dateparser read a day number as a year ("March 22-23" -> 1923)
    if data.period == "month":
        s, e = _month_range(d.year, d.month)
        return s, e, "month", "dateparser"
    if data.period == "year":
        s, e = _year(d.year)
        return s, e, "year", "dateparser"
    return d, d, "day", "dateparser"


# ---------------------------------------------------------------------------------------------
# finding expressions in a Doc

_MON_CAP = "|".join(m for m in calendar.month_name if m)
_MON_ABBR = "|".join(sorted({m for m in calendar.month_abbr if m} | {"Sept"}, key=len,
                           reverse=True))
_WD_CAP = "|".join(w.capitalize() for w in WEEKDAYS)
_FIND = re.compile("|".join([
    r"\b(?:(?:[Ll]ast|[Tt]his|[Nn]ext|[Pp]ast|[Cc]oming)\s+)?(?:" + _WD_CAP + r")\b"
    r"(?:,?\s+(?:" + _MON_CAP + r"|" + _MON_ABBR + r")\.?\s+\d{1,2}\b(?:,?\s+\d{4})?)?" + _PARTS,
    r"\b(?:" + _MON_CAP + r"|" + _MON_ABBR + r")\.?\s+\d{1,2}" + _ORD + r"\b(?:,?\s+\d{4}\b)?",
    r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:" + _MON_CAP + r")\b(?:,?\s+\d{4}\b)?",
    r"\b(?:" + _MON_CAP + r")\s+(?:of\s+)?\d{4}\b",
    r"\b(?:[Ii]n|[Ss]ince|[Dd]uring|[Ll]ast|[Tt]his|[Nn]ext|[Ee]arly|[Ll]ate|mid-)\s+(?:"
    + _MON_CAP + r")\b(?!,?\s+\d{4}\b)(?:\s+(?:last|this|next)\s+year)?",  # "since April 1997": Month YYYY wins
    r"\b(?:" + _MON_CAP + r")\s+(?:last|this|next)\s+year\b",
    r"\b\d{4}-\d{1,2}-\d{1,2}\b", r"\b\d{1,2}/\d{1,2}/\d{2,4}\b",
    r"(?i:\b(?:the\s+day\s+before\s+yesterday|yesterday|today|tomorrow|tonight|last\s+night|"
    r"now|currently|at\s+present|overnight|this\s+(?:morning|afternoon|evening))\b)",
    r"(?i:\b(?:(?:earlier|later)\s+)?(?:this|last|next|the\s+coming|the\s+past)\s+"
    r"(?:week|month|year)\b)",
    r"(?i:\b(?:the\s+)?(?:coming|past|last|next|recent)\s+(?:(?:" + _NUM + r")\s+)?"
    r"(?:days|weeks|months)\b)",
    r"(?i:\b(?:" + _NUM + r")\s+(?:day|week|month|year|decade)s?\s+ago\b)",
    r"(?i:\b(?:(?:over|during|at)\s+)?(?:the|this|last|next|this\s+past)\s+weekend\b)",
    r"\b(?:[Ii]n|[Ss]ince|[Dd]uring|[Bb]y|[Oo]f)\s+(?:1[6-9]\d\d|20\d\d)\b(?![-\d])",
    r"\bthe\s+(?:1[6-9]|20)\d0'?s\b",
]))
_DATE_LIKE = ("DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY")
# "between April and June", "from 2009 to 2011": each end is a date of its own (bare month
# names and years are otherwise only taken after a preposition).
_BOUND = r"(?:" + _MON_CAP + r"|1[6-9]\d\d|20\d\d)"
_RANGE = re.compile(r"\b(?:[Bb]etween|[Ff]rom)\s+(" + _BOUND + r")\b(?!-\d)\s+(?:and|to|until|through|till)\s+("
                    + _BOUND + r")\b(?!-\d)")
# "late in the day", "to end the day": the day the report is about (see _the_day).
_THE_DAY = re.compile(r"\b(?:(?:late|early|later|earlier)\s+)?(?:in\s+|during\s+)?the\s+day\b"
                      r"(?!\s+(?:before|after|of|when|that|on|in|he|she|they|it)\b)")
_LEFT = re.compile(r"(?i:(?:\b(?:back\s+in|back\s+on|on|in|during|since|over|earlier\s+on|"
                   r"the\s+(?:night|morning|evening|afternoon)\s+of))\s+)$")


def find_dates(doc, published: Optional[dt.date]) -> list[DateMention]:
    """Every resolvable date expression in `doc`: spaCy DATE/TIME entities plus our own patterns,
    widened to the preposition before them ("On Tuesday"). Non-overlapping, in text order."""
    text = doc.text
    spans = {(e.start_char, e.end_char) for e in doc.ents if e.label_ in ("DATE", "TIME")}
    # Our patterns never override a name: "Theresa May", "the Sunday Times", "Black Monday".
    names = [(e.start_char, e.end_char) for e in doc.ents if e.label_ not in _DATE_LIKE]
    spans.update(m.span() for m in _FIND.finditer(text)
                 if not any(a < m.end() and m.start() < b for a, b in names))
    for m in _RANGE.finditer(text):
        both = [m.span(1), m.span(2)]
        spans -= {sp for sp in spans if any(sp[0] < b and a < sp[1] for a, b in both)}
        spans.update(both)
    found: list[DateMention] = []
    for s, e in sorted(spans, key=lambda se: se[0] - se[1]):  # longest first
        mention = _resolve_in_doc(doc, text, s, e, published)
        if mention is None:
            continue
        if any(mention.start < f.end and f.start < mention.end for f in found):
            continue
        found.append(mention)
    found.sort(key=lambda f: f.start)
    return _the_day(text, found, published)


def _the_day(text: str, found: list[DateMention], published: Optional[dt.date]) -> list[DateMention]:
    """"late in the day", "to end the day": a market or news report's running day, i.e. the last
    day named before it, else the publication day. Only the bare phrase is read this way."""
    out = list(found)
    for m in _THE_DAY.finditer(text):
        s, e = m.span()
        if any(f.start < e and s < f.end for f in out):
            continue
        prior = [f for f in found if f.end <= s and f.span.precision == "day" and f.span.start == f.span.end]
        if prior:
            d, basis = prior[-1].span.start, f"'{m.group(0)}': the day named before it ({prior[-1].text!r})"
        elif published is not None:
            d, basis = published, f"'{m.group(0)}': the publication day {published.isoformat()}"
        else:
            continue
        out.append(DateMention(start=s, end=e, text=m.group(0),
                               span=DateSpan(start=d, end=d, precision="day", basis=basis,
                                             text=m.group(0), rule="the-day")))
    return sorted(out, key=lambda f: f.start)


def _resolve_in_doc(doc, text: str, s: int, e: int, published) -> Optional[DateMention]:
    widened = s
    for _ in range(2):
        m = _LEFT.search(text, max(0, widened - 40), widened)
        if not m:
            break
        widened = m.start()
    for start in ((widened, s) if widened != s else (s,)):
        expr = text[start:e]
        past = resolve_expression(expr, published)
        if past is None:
            continue
        span = past
        ahead = resolve_expression(expr, published, future=True)
        if ahead is not None and (ahead.start, ahead.end) != (past.start, past.end) \
                and _is_future_context(doc, s, e):
            span = ahead
        return DateMention(start=start, end=e, text=expr, span=span)
    return None


def _clause_verb(tok):
    """The verb a token's phrase hangs from (the token itself when it is a verb)."""
    for t in [tok, *tok.ancestors]:
        if t.pos_ in ("VERB", "AUX"):
            return t
    return None


def _is_future_context(doc, s: int, e: int) -> bool:
    """True when the expression modifies a verb with will/shall/would, 'going to', or a verb of
    planning ("plans to meet on Tuesday"): then a bare weekday or month points ahead."""
    span = doc.char_span(s, e, alignment_mode="expand")
    if span is None:
        return False
    verb = _clause_verb(span.root)
    if span.root.head.lower_ in ("until", "till", "through") and span.root.dep_ == "pobj" \
            and verb is not None and verb.tag_ != "VBD" and not _past_aux(verb):
        return True  # "stay closed until Friday", "has continued to hold ... until Friday"
    hops = 0
    while verb is not None and hops < 3:
        for child in verb.children:
            if child.dep_ == "aux" and child.lower_ in ("will", "shall", "'ll", "would", "wo", "should",
                                                         "must", "may", "might"):
                return True
        if any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children) and (
                verb.dep_ in ("acl", "relcl") or any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children)):
            return True  # "an event to be held on October 12", "a program to run through June"
        if verb.lemma_ in ("schedule", "slate", "set", "due") and verb.tag_ == "VBN" \
                and any(c.dep_ == "auxpass" for c in verb.children) and not _past_aux(verb):
            return True  # "a hearing has been scheduled", "talks are set for June 3"
        # "plans to meet on Tuesday" points ahead; "threatened on Thursday to strike" does not:
        # a date on a plan verb in the past tense dates the threat or pledge itself.
        if verb.lemma_ in FUTURE_HEADS and verb.tag_ not in ("VBD", "VBN") \
                and any(c.dep_ in ("xcomp", "ccomp") for c in verb.children):
            return True
        if verb.dep_ == "xcomp" and verb.head.lemma_ in FUTURE_HEADS:
            return True
        if verb.dep_ not in ("xcomp", "conj"):
            break
        verb, hops = verb.head, hops + 1
    return False


def _past_aux(verb) -> bool:
    """A simple-past or past-perfect auxiliary ("was scheduled", "had stayed closed until")."""
    return any(c.dep_ in ("aux", "auxpass") and c.lower_ in ("was", "were", "had", "did") for c in verb.children)


# ---------------------------------------------------------------------------------------------
# choosing an event's date

def _trigger_token(doc, draft: EventDraft):
    a, b = draft.trigger
    span = doc[a:max(b, a + 1)]
    return span.root


def _chain_costs(trigger) -> dict[int, float]:
    """Cost of reaching each ancestor of the trigger: a governing clause's date is a weaker
    claim than the trigger's own, and a reporting verb's date weaker still."""
    costs, cost = {trigger.i: 0.0}, 0.0
    for anc in trigger.ancestors:
        if anc.pos_ == "VERB":
            cost += 1.5 if anc.lemma_ in REPORTING else 1.0
        elif anc.pos_ in ("NOUN", "PROPN"):
            cost += 0.5
        costs[anc.i] = cost
    return costs


def _attachment_cost(root, chain: dict[int, float]) -> Optional[float]:
    """Walk up from a date phrase to where it joins the trigger's chain. Nouns on the way add a
    little ("the attack on Tuesday"); another clause with its own subject blocks it."""
    cost, tok = 0.0, root
    while tok.i not in chain:
        head = tok.head
        if head.i == tok.i:
            return None
        if head.i not in chain:
            if head.pos_ == "VERB":
                own_subject = any(c.dep_ in ("nsubj", "nsubjpass") for c in head.children)
                if head.dep_ != "conj" or own_subject:
                    return None
                cost += 1.0
            elif head.pos_ in ("NOUN", "PROPN"):
                cost += 0.5
        tok = head
    return cost + chain[tok.i]


def _linking_word(trigger):
    """The 'when' / 'during which' that ties the trigger's clause to a time named earlier."""
    verb = _clause_verb(trigger) or trigger
    for child in verb.children:
        if child.lower_ in ("when", "whereupon") and child.i < verb.i:
            return child
        if child.dep_ == "prep" and child.i < verb.i and any(
                g.lower_ == "which" for g in child.children):
            return child
    return None


def date_for_event(doc, draft: EventDraft, mentions: list[DateMention],
                   published: Optional[dt.date]) -> Optional[DateSpan]:
    """The date expression that belongs to the event (its own clause first, then a governing
    clause such as the one a 'during which'/'when' clause hangs from, then the nearest open one
    in the sentence); else the publication date with week precision; None without either."""
    sents = list(doc.sents)
    if 0 <= draft.sentence_index < len(sents):
        sent = sents[draft.sentence_index]
        trigger = _trigger_token(doc, draft)
        chain = _chain_costs(trigger)
        best: Optional[tuple[float, int, DateMention]] = None
        for m in mentions:
            if m.start < sent.start_char or m.end > sent.end_char:
                continue
            # the parser sometimes runs a sentence across a paragraph break; a date in the
            # other paragraph is not this event's
            lo, hi = min(m.start, trigger.idx), max(m.end, trigger.idx)
            if "\n\n" in doc.text[lo:hi]:
                continue
            span = doc.char_span(m.start, m.end, alignment_mode="expand")
            if span is None:
                continue
            cost = _attachment_cost(span.root, chain)
            if cost is None:
                continue
            key = (cost, min(abs(span.start - trigger.i), abs(span.end - 1 - trigger.i)), m)
            if best is None or key[:2] < best[:2]:
                best = key
        if best is not None:
            return best[2].span
        link = _linking_word(trigger)
        if link is not None:  # "..., when they launched ...": the date named before the link
            before = [m for m in mentions
                      if sent.start_char <= m.start and m.end <= link.idx
                      and "\n\n" not in doc.text[m.end:link.idx]]
            if before:
                return max(before, key=lambda m: m.start).span
    if published is None:
        return None
    return DateSpan(start=published, end=published, precision="week",
                    basis=f"no date in the sentence: publication date {published.isoformat()}, "
                          f"week precision", text=None, rule="publication-date")


def is_historical(span: DateSpan, published: Optional[dt.date], days: int = 30) -> bool:
    """True when the event ended more than `days` days before publication."""
    if published is None or span is None:
        return False
    return (published - span.end).days > days
