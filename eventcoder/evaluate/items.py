"""Normalised gold items: every loader turns its format into these, so scorers never see raw files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Optional


@dataclass(slots=True, frozen=True)
class GoldActor:
    text: Optional[str] = None
    country: Optional[str] = None  # ISO 3166-1 alpha-3 (or None when the gold has no country)
    kind: Optional[str] = None  # our ACTOR_KINDS vocabulary, mapped from the gold's sector


@dataclass(slots=True, frozen=True)
class GoldPlace:
    name: Optional[str] = None
    country: Optional[str] = None  # ISO3
    lat: Optional[float] = None
    lon: Optional[float] = None
    is_country: Optional[bool] = None


@dataclass(slots=True)
class GoldEvent:
    type: Optional[str] = None  # PLOVER type (current names); None when the gold has none
    cameo_code: Optional[str] = None
    cameo_root: Optional[str] = None
    sources: tuple[GoldActor, ...] = ()
    targets: tuple[GoldActor, ...] = ()
    fatalities: Optional[int] = None
    fatalities_stated: bool = False  # the text itself gives a number we could read
    injuries: Optional[int] = None
    date_start: Optional[dt.date] = None
    date_end: Optional[dt.date] = None
    date_precision: Optional[str] = None
    places: tuple["GoldPlace", ...] = ()
    historical: Optional[bool] = None
    mode: Optional[str] = None  # our MODES vocabulary, only where the gold says


@dataclass(slots=True)
class EventItem:
    """A text (sentence, headline or article) with the events a human coded in it."""

    id: str
    text: str
    events: list[GoldEvent] = field(default_factory=list)
    published: Optional[dt.date] = None
    no_events: bool = False  # the gold says explicitly: nothing codable here


@dataclass(slots=True, frozen=True)
class GoldToponym:
    start: int
    end: int
    name: str
    lat: Optional[float] = None
    lon: Optional[float] = None
    is_country: Optional[bool] = None


@dataclass(slots=True)
class ToponymItem:
    id: str
    text: str
    toponyms: list[GoldToponym] = field(default_factory=list)


@dataclass(slots=True)
class LocationItem:
    """One sentence, one event verb, and the span(s) saying where that event happened (maybe none)."""

    id: str
    text: str
    verb: tuple[int, int]
    locations: list[tuple[int, int]] = field(default_factory=list)
    adjudicated: bool = False


@dataclass(slots=True, frozen=True)
class GoldTimex:
    start: int
    end: int
    text: str
    value: str  # TIMEX3 normalised value: 2013-03-22, 2013-W11, 2013-03, 2013, ...
    type: str = "DATE"


@dataclass(slots=True, frozen=True)
class GoldTimeEvent:
    start: int
    end: int
    text: str
    future: Optional[bool] = None  # after the document date (TLINK / MEANTIME time=FUTURE)
    certain: Optional[bool] = None  # MEANTIME certainty == CERTAIN


@dataclass(slots=True)
class TimeItem:
    id: str
    text: str
    published: dt.date
    timexes: list[GoldTimex] = field(default_factory=list)
    events: list[GoldTimeEvent] = field(default_factory=list)
