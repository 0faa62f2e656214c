"""Run the stages in order over parsed articles: Article -> ArticleResult.

Resources (spaCy model, actor KB, gazetteer, trigger lexicon) are loaded once per `Extractor`
and reused for every article; articles are parsed in batches with `nlp.pipe`.
"""

from __future__ import annotations

import hashlib
import os
from typing import Iterable, Iterator, Optional

from . import __version__
from .model import Article, ArticleResult, Event, EventDraft, Evidence, SourceRef

EXTRACTOR_NAME = "rules.v1"


def event_id(article_id: str, draft: EventDraft, sent_start: int) -> str:
    """Stable id: the same article and the same evidence (trigger, type) give the same id."""
    key = f"{article_id}|{sent_start}|{draft.trigger[0]}|{draft.trigger[1]}|{draft.type}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


class Extractor:
    """Holds the loaded resources; `extract` and `extract_many` turn articles into events."""

    def __init__(self, model: Optional[str] = None, kb=None, gazetteer=None, lexicon=None,
                 batch_size: int = 16):
        from .actors import ActorKB
        from .detect import Lexicon
        from .gazetteer import Gazetteer
        from .nlp import DEFAULT_MODEL, load_nlp

        self.model = model or os.environ.get("EVENTCODER_MODEL") or DEFAULT_MODEL
        self.nlp = load_nlp(self.model)
        self.kb = kb if kb is not None else ActorKB.load()
        self.gazetteer = gazetteer if gazetteer is not None else Gazetteer.load()
        self.lexicon = lexicon if lexicon is not None else Lexicon.load()
        self.batch_size = batch_size

    def extract(self, article: Article) -> ArticleResult:
        return next(self.extract_many([article]))

    def extract_many(self, articles: Iterable[Article]) -> Iterator[ArticleResult]:
        stream = ((a.text, a) for a in articles)
        for doc, article in self.nlp.pipe(stream, as_tuples=True, batch_size=self.batch_size):
            yield self.extract_doc(doc, article)

    def extract_doc(self, doc, article: Article) -> ArticleResult:
        from .actors import resolve_actors
        from .casualties import extract_counts
        from .dates import date_for_event, find_dates, is_historical
        from .detect import detect_events
        from .geocode import find_places, main_place, places_for_event

        sents = list(doc.sents)
        drafts = detect_events(doc, self.lexicon)
        places = find_places(doc, self.gazetteer) if drafts else []
        article_place = main_place(places) if places else None
        date_mentions = find_dates(doc, article.published) if drafts else []
        source_ref = SourceRef(article_id=article.id, source=article.source,
                               published=article.published.isoformat() if article.published else None)
        events: list[Event] = []
        seen: set[str] = set()
        for draft in drafts:
            sent = sents[draft.sentence_index]
            fields = dict(draft.fields)
            source_actors = _actors(doc, draft.source_spans, self.kb, resolve_actors)
            target_actors = _actors(doc, draft.target_spans, self.kb, resolve_actors)
            for role, actors in (("source_actors", source_actors), ("target_actors", target_actors)):
                rules = sorted({a.rule for a in actors if a.rule})
                if rules:
                    fields[role] = ",".join(rules)
            locations = places_for_event(doc, draft, places, others=drafts)
            if locations:
                fields["locations"] = "; ".join(f"{p.name}: {p.reason}" for p in locations if p.reason) or "sentence"
            elif article_place is not None:
                locations = [article_place]  # main_place() has already coarsened its precision
                fields["locations"] = f"article-main-place: {article_place.name}"
            date = date_for_event(doc, draft, date_mentions, article.published)
            if date is not None:
                fields["date"] = date.rule or "date"
            historical = draft.historical
            if not historical and date is not None and article.published is not None \
                    and is_historical(date, article.published):
                historical = True
                fields["historical"] = "date-before-publication"
            counts = extract_counts(doc, draft)
            for name in ("fatalities", "injuries", "arrests"):
                if getattr(counts, name) is not None:
                    fields.setdefault(name, "casualties:" + name)
            eid = event_id(article.id, draft, sent.start_char)
            if eid in seen:
                continue
            seen.add(eid)
            events.append(Event(
                id=eid, type=draft.type, mode=draft.mode, historical=historical,
                cameo_root=draft.cameo_root, acled=draft.acled,
                source_actors=source_actors, target_actors=target_actors, date=date,
                locations=locations, fatalities=counts.fatalities, injuries=counts.injuries,
                arrests=counts.arrests, attributed_to=draft.attributed_to,
                evidence=[Evidence(article_id=article.id, sentence_index=draft.sentence_index,
                                   start=sent.start_char, end=sent.end_char, text=sent.text.strip(),
                                   trigger=draft.trigger_text)],
                sources=[source_ref],
                extractor={"name": EXTRACTOR_NAME, "version": __version__, "model": self.model,
                           "fields": fields},
                confidence=draft.confidence,
            ))
        return ArticleResult(article=article, events=events)


def _actors(doc, spans, kb, resolve) -> list:
    """Resolve each span and drop repeats of the same canonical actor (by id, else by text)."""
    out, keys = [], set()
    for span in spans:
        for actor in resolve(doc, span, kb):
            key = actor.id or actor.text.lower()
            if key not in keys:
                keys.add(key)
                out.append(actor)
    return out

