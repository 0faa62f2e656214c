"""The records that flow between stages and out of the package.

`Event.to_dict()` is the event record of SCHEMA.md (a contract: field names never change without
a migration). `EventDraft` is the internal, pre-resolution form a detector hands to later stages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Optional

PLOVER_TYPES = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)
MODES = ("occurred", "threatened", "planned", "demanded", "denied", "hypothetical")
DATE_PRECISIONS = ("day", "week", "month", "year")
PLACE_PRECISIONS = ("point", "city", "district", "region", "country")
QUALIFIERS = ("exact", "at_least", "about", "up_to", "more_than")
ACTOR_KINDS = (
    "state_forces", "government", "rebel_group", "political_militia", "identity_militia",
    "political_party", "protesters", "rioters", "civilians", "external",
    "international_organization", "media", "other",
)


@dataclass(slots=True)
class Article:
    """One input document. `id` is derived from the normalised text (see ingest.normalize)."""

    id: str
    text: str
    source: Optional[str] = None
    published: Optional[dt.date] = None
    url: Optional[str] = None
    title: Optional[str] = None
    path: Optional[str] = None  # where it was read from, for error messages and provenance
    line: Optional[int] = None  # line (JSONL/CSV row) it was read from

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "published": self.published.isoformat() if self.published else None,
            "url": self.url,
            "title": self.title,
        }


@dataclass(slots=True)
class ActorRef:
    text: str
    name: Optional[str] = None
    id: Optional[str] = None
    country: Optional[str] = None
    kind: Optional[str] = None
    rule: Optional[str] = None  # how it was resolved, e.g. "kb:alias", "kb:nationality+role", "ner:ORG"

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "name": self.name, "id": self.id,
                "country": self.country, "kind": self.kind}


@dataclass(slots=True)
class Place:
    text: str
    name: str
    country: Optional[str] = None
    admin1: Optional[str] = None
    lat: Optional[float] = None
    lon: Optional[float] = None
    geonames_id: Optional[int] = None
    precision: str = "city"
    start: Optional[int] = None  # character offsets of `text` in the article
    end: Optional[int] = None
    score: Optional[float] = None
    reason: Optional[str] = None  # why this candidate won, for reviewers

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "name": self.name, "country": self.country,
                "admin1": self.admin1, "lat": self.lat, "lon": self.lon,
                "geonames_id": self.geonames_id, "precision": self.precision}


@dataclass(slots=True)
class DateSpan:
    start: dt.date
    end: dt.date
    precision: str  # one of DATE_PRECISIONS
    basis: str  # human-readable: "'On Tuesday', relative to publication on Friday 2022-03-18"
    text: Optional[str] = None  # the expression, if any
    rule: Optional[str] = None  # e.g. "weekday-relative", "explicit", "publication-date"

    def to_dict(self) -> dict[str, Any]:
        # `text` and `rule` are kept so that a record read back from a store is the record that
        # was written (the merge treats a date that is only the publication date differently).
        return {"start": self.start.isoformat(), "end": self.end.isoformat(),
                "precision": self.precision, "basis": self.basis, "text": self.text, "rule": self.rule}


@dataclass(slots=True)
class Count:
    count: int
    qualifier: str  # one of QUALIFIERS
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"count": self.count, "qualifier": self.qualifier, "text": self.text}


@dataclass(slots=True)
class Evidence:
    article_id: str
    sentence_index: int
    start: int
    end: int
    text: str
    trigger: str

    def to_dict(self) -> dict[str, Any]:
        # By hand, not dataclasses.asdict (which deep-copies every value): the store serialises
        # every report and event record on each merge. Same keys, same order.
        return {"article_id": self.article_id, "sentence_index": self.sentence_index,
                "start": self.start, "end": self.end, "text": self.text, "trigger": self.trigger}


@dataclass(slots=True)
class SourceRef:
    article_id: str
    source: Optional[str]
    published: Optional[str]

    def to_dict(self) -> dict[str, Any]:
        return {"article_id": self.article_id, "source": self.source, "published": self.published}


@dataclass(slots=True)
class EventDraft:
    """What a detector finds in one sentence, before actors, places, dates and counts resolve.

    Token indices are into the article's spaCy Doc (doc[i]); spans are half-open [start, end).
    """

    type: str
    sentence_index: int
    trigger: tuple[int, int]  # token span of the trigger ("shot", "called on", "airstrike")
    trigger_text: str
    mode: str = "occurred"
    negated: bool = False
    historical: bool = False
    source_spans: list[tuple[int, int]] = field(default_factory=list)  # token spans
    target_spans: list[tuple[int, int]] = field(default_factory=list)
    attributed_to: Optional[str] = None  # the speaker/source of reported speech, as written
    cameo_root: Optional[str] = None
    acled: Optional[dict[str, str]] = None
    confidence: float = 0.7
    fields: dict[str, str] = field(default_factory=dict)  # field -> rule that set it


@dataclass(slots=True)
class Event:
    id: str
    type: str
    mode: str
    historical: bool
    cameo_root: Optional[str]
    acled: Optional[dict[str, str]]
    source_actors: list[ActorRef]
    target_actors: list[ActorRef]
    date: Optional[DateSpan]
    locations: list[Place]
    fatalities: Optional[Count]
    injuries: Optional[Count]
    arrests: Optional[Count]
    attributed_to: Optional[str]
    evidence: list[Evidence]
    sources: list[SourceRef]
    extractor: dict[str, Any]
    confidence: float
    # Merged-event fields (docs/merging.md). A per-article report is an event of one source.
    n_sources: int = 1
    n_reports: int = 1
    fatalities_by_source: list[dict[str, Any]] = field(default_factory=list)
    injuries_by_source: list[dict[str, Any]] = field(default_factory=list)
    arrests_by_source: list[dict[str, Any]] = field(default_factory=list)
    fatalities_range: Optional[dict[str, int]] = None  # {"low": n, "high": m} over all sources
    review_status: str = "unreviewed"  # unreviewed, accepted, rejected, edited

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "mode": self.mode,
            "historical": self.historical,
            "cameo_root": self.cameo_root,
            "acled": self.acled,
            "source_actors": [a.to_dict() for a in self.source_actors],
            "target_actors": [a.to_dict() for a in self.target_actors],
            "date": self.date.to_dict() if self.date else None,
            "locations": [p.to_dict() for p in self.locations],
            "fatalities": self.fatalities.to_dict() if self.fatalities else None,
            "injuries": self.injuries.to_dict() if self.injuries else None,
            "arrests": self.arrests.to_dict() if self.arrests else None,
            "attributed_to": self.attributed_to,
            "evidence": [e.to_dict() for e in self.evidence],
            "sources": [s.to_dict() for s in self.sources],
            "extractor": self.extractor,
            "confidence": self.confidence,
            "n_sources": self.n_sources,
            "n_reports": self.n_reports,
            "fatalities_by_source": self.fatalities_by_source,
            "injuries_by_source": self.injuries_by_source,
            "arrests_by_source": self.arrests_by_source,
            "fatalities_range": self.fatalities_range,
            "review_status": self.review_status,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Event":
        def count(c):
            return Count(**c) if c else None

        date = d.get("date")
        return cls(
            id=d["id"], type=d["type"], mode=d["mode"], historical=d["historical"],
            cameo_root=d.get("cameo_root"), acled=d.get("acled"),
            source_actors=[ActorRef(**a) for a in d.get("source_actors", [])],
            target_actors=[ActorRef(**a) for a in d.get("target_actors", [])],
            date=DateSpan(start=dt.date.fromisoformat(date["start"]),
                          end=dt.date.fromisoformat(date["end"]),
                          precision=date["precision"], basis=date["basis"],
                          text=date.get("text"), rule=date.get("rule")) if date else None,
            locations=[Place(**p) for p in d.get("locations", [])],
            fatalities=count(d.get("fatalities")), injuries=count(d.get("injuries")),
            arrests=count(d.get("arrests")), attributed_to=d.get("attributed_to"),
            evidence=[Evidence(**e) for e in d.get("evidence", [])],
            sources=[SourceRef(**s) for s in d.get("sources", [])],
            extractor=d.get("extractor", {}), confidence=d.get("confidence", 0.0),
            n_sources=d.get("n_sources", 1), n_reports=d.get("n_reports", 1),
            fatalities_by_source=d.get("fatalities_by_source", []),
            injuries_by_source=d.get("injuries_by_source", []),
            arrests_by_source=d.get("arrests_by_source", []),
            fatalities_range=d.get("fatalities_range"),
            review_status=d.get("review_status", "unreviewed"),
        )


@dataclass(slots=True)
class ArticleResult:
    """Everything extracted from one article: the SCHEMA.md document."""

    article: Article
    events: list[Event]

    def to_dict(self) -> dict[str, Any]:
        return {"article": self.article.to_dict(), "events": [e.to_dict() for e in self.events]}
