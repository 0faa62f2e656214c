"""Run the stages in order over parsed articles: Article -> ArticleResult.

Resources (spaCy model, actor KB, gazetteer, trigger lexicon) are loaded once per `Extractor`
and reused for every article; articles are parsed in batches with `nlp.pipe`.

The fast path (the default) parses only what can matter: a cheap splitter cuts the article into
rough sentences, the trigger prefilter keeps those holding a lexicon word, and each is parsed with
its previous sentence (coreference: "he", "the group") and the article's first sentence (the
headline or lede that names the main place and country). Everything else is blanked to spaces,
so token offsets stay those of the article and every stage reads the Doc as before. An article
without a trigger word is not parsed at all. `fast=False` (or EVENTCODER_FAST=0) parses all.
"""

from __future__ import annotations

import bisect
import hashlib
import os
from dataclasses import dataclass
from typing import Iterable, Iterator, Optional

from . import __version__
from .model import Article, ArticleResult, Event, EventDraft, Evidence, SourceRef

EXTRACTOR_NAME = "rules.v1"
FAST_ENV = "EVENTCODER_FAST"


def fast_default() -> bool:
    """The fast path unless EVENTCODER_FAST is 0/false/no/off."""
    return os.environ.get(FAST_ENV, "1").strip().lower() not in ("0", "false", "no", "off")


@dataclass(frozen=True, slots=True)
class ParsePlan:
    """What the fast path parses of one article: the rough sentences and the kept ones."""

    sentences: tuple[tuple[int, int], ...]  # (start, end) of every rough sentence
    kept: tuple[int, ...]  # indices into `sentences`, sorted

    def spans(self) -> list[tuple[int, int]]:
        """Character spans to parse: runs of consecutive kept sentences joined into one."""
        out: list[list[int]] = []
        for i in self.kept:
            start, end = self.sentences[i]
            if out and out[-1][2] == i - 1:
                out[-1][1], out[-1][2] = end, i
            else:
                out.append([start, end, i])
        return [(a, b) for a, b, _ in out]

    def full_index(self, doc_sents: list, index: int) -> int:
        """The sentence's index in the whole article: rough sentences before the one it starts
        in, plus the parsed sentences that start earlier inside that same rough sentence."""
        start = doc_sents[index].start_char
        starts = [a for a, _ in self.sentences]
        rough = max(0, bisect.bisect_right(starts, start) - 1)
        inner = sum(1 for s in doc_sents[:index]
                    if starts[rough] <= s.start_char and s.text.strip())
        return rough + inner


def plan_parse(text: str, trigger_filter, abbreviations: frozenset[str] = frozenset(),
               context: int = 1) -> ParsePlan:
    """Choose the sentences to parse: trigger candidates, the `context` sentences before each,
    and the first sentence. No candidate: nothing is kept."""
    from .nlp import split_sentences

    sentences = tuple(split_sentences(text, abbreviations))
    candidates = [i for i, (a, b) in enumerate(sentences) if trigger_filter.matches(text[a:b])]
    if not candidates:
        return ParsePlan(sentences, ())
    kept = {0}
    for i in candidates:
        kept.update(range(max(0, i - context), i + 1))
    return ParsePlan(sentences, tuple(sorted(kept)))


def event_id(article_id: str, draft: EventDraft, sent_start: int, doc=None) -> str:
    """Stable id: the same article and the same evidence (trigger, type) give the same id.

    With the Doc given, the trigger is keyed by character offsets, which the fast path keeps
    (its token indices differ from a whole-text parse); without it, by token indices."""
    if doc is not None:
        start, end = draft.trigger
        trigger = f"c{doc[start].idx}|{doc[end - 1].idx + len(doc[end - 1])}"
    else:
        trigger = f"{draft.trigger[0]}|{draft.trigger[1]}"
    key = f"{article_id}|{sent_start}|{trigger}|{draft.type}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


class Extractor:
    """Holds the loaded resources; `extract` and `extract_many` turn articles into events."""

    def __init__(self, model: Optional[str] = None, kb=None, gazetteer=None, lexicon=None,
                 batch_size: Optional[int] = None, fast: Optional[bool] = None, context: int = 1):
        from .actors import ActorKB
        from .detect import Lexicon
        from .gazetteer import Gazetteer
        from .nlp import DEFAULT_MODEL, TriggerFilter, abbreviations, load_nlp

        self.model = model or os.environ.get("EVENTCODER_MODEL") or DEFAULT_MODEL
        self.nlp = load_nlp(self.model)
        self.kb = kb if kb is not None else ActorKB.load()
        self.gazetteer = gazetteer if gazetteer is not None else Gazetteer.load()
        self.lexicon = lexicon if lexicon is not None else Lexicon.load()
        self.fast = fast_default() if fast is None else fast
        # Masked texts are short, so bigger batches pay; the whole-text path keeps the old size.
        self.batch_size = batch_size or (64 if self.fast else 16)
        self.context = context
        self.trigger_filter = TriggerFilter.from_lexicon(self.lexicon, self.nlp) if self.fast else None
        self.abbreviations = abbreviations(self.nlp)

    def extract(self, article: Article) -> ArticleResult:
        return next(self.extract_many([article]))

    def extract_many(self, articles: Iterable[Article]) -> Iterator[ArticleResult]:
        stream = (self._prepare(a) for a in articles)
        for doc, (article, plan) in self.nlp.pipe(stream, as_tuples=True, batch_size=self.batch_size):
            if plan is not None and not plan.kept:
                yield ArticleResult(article=article, events=[])
            else:
                yield self.extract_doc(doc, article, plan)

    def _prepare(self, article: Article) -> tuple[str, tuple[Article, Optional[ParsePlan]]]:
        """The text to parse and the plan behind it ("" when nothing needs parsing: an empty
        text costs the pipeline nothing and keeps the batch in input order)."""
        if not self.fast:
            return article.text, (article, None)
        from .nlp import mask_text

        plan = plan_parse(article.text, self.trigger_filter, self.abbreviations, self.context)
        return mask_text(article.text, plan.spans()), (article, plan)

    def extract_doc(self, doc, article: Article, plan: Optional[ParsePlan] = None) -> ArticleResult:
        """The stages over one parsed Doc. While they run, `doc.sents` is served from a list
        computed once (spaCy's user_hooks["sents"]): the stages ask for it per event, and
        spaCy otherwise rescans every token each time."""
        sents = tuple(doc.sents)
        doc.user_hooks["sents"] = lambda _doc: iter(sents)
        try:
            return self._extract_doc(doc, article, plan)
        finally:
            del doc.user_hooks["sents"]  # the hook holds spans of the Doc: break the cycle

    def _extract_doc(self, doc, article: Article, plan: Optional[ParsePlan]) -> ArticleResult:
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
            eid = event_id(article.id, draft, sent.start_char, doc)
            index = plan.full_index(sents, draft.sentence_index) if plan is not None else draft.sentence_index
            if eid in seen:
                continue
            seen.add(eid)
            events.append(Event(
                id=eid, type=draft.type, mode=draft.mode, historical=historical,
                cameo_root=draft.cameo_root, acled=draft.acled,
                source_actors=source_actors, target_actors=target_actors, date=date,
                locations=locations, fatalities=counts.fatalities, injuries=counts.injuries,
                arrests=counts.arrests, attributed_to=draft.attributed_to,
                evidence=[Evidence(article_id=article.id, sentence_index=index,
                                   start=sent.start_char,
                                   end=sent.start_char + len(sent.text.rstrip()), text=sent.text.strip(),
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

