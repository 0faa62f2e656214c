"""Run the stages in order over parsed articles: Article -> ArticleResult.

Resources (spaCy model, actor KB, gazetteer, trigger lexicon) are loaded once per `Extractor`
and reused for every article; articles are parsed in batches with `nlp.pipe`.

The fast path (the default) parses only what can matter: a cheap splitter cuts the article into
rough sentences, the trigger prefilter keeps those holding a lexicon word, the tagger alone (run
over a few words around each such word) confirms the word has its entry's part of speech, and
each confirmed sentence is parsed with the article's first sentence (the headline or lede that
names the main place and country) and, when it holds a pronoun or a definite description
(coreference: "he", "the group"), the sentences before it that coreference may reach. Everything
else is blanked to spaces,
so token offsets stay those of the article and every stage reads the Doc as before. An article
without a trigger word is not parsed at all. `fast=False` (or EVENTCODER_FAST=0) parses all.
"""

from __future__ import annotations

import bisect
import gc
import hashlib
import os
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Optional

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
               context: int = 1, needs_context: Optional[Callable[[str], bool]] = None,
               candidates: Optional[Iterable[int]] = None,
               sentences: Optional[tuple[tuple[int, int], ...]] = None) -> ParsePlan:
    """Choose the sentences to parse: trigger candidates, the `context` sentences before each
    (only for those where `needs_context(sentence)` holds, when given), and the first sentence.
    No candidate: nothing is kept. `candidates` and `sentences`, when given, replace the
    prefilter's own choice (the tagged confirmation of `Extractor` passes them)."""
    from .nlp import split_sentences

    if sentences is None:
        sentences = tuple(split_sentences(text, abbreviations))
    if candidates is None:
        candidates = [i for i, (a, b) in enumerate(sentences) if trigger_filter.matches(text[a:b])]
    candidates = list(candidates)
    if not candidates:
        return ParsePlan(sentences, ())
    kept = {0}
    for i in candidates:
        kept.add(i)
        if context and (needs_context is None or needs_context(text[slice(*sentences[i])])):
            kept.update(range(max(0, i - context), i))
    return ParsePlan(sentences, tuple(sorted(kept)))


class ContextRule:
    """Says whether a trigger sentence needs the sentence before it: only when it holds what
    actors.py resolves backwards (a pronoun, or a definite word before a description noun:
    "the group", "the two sides", "the statement"). The word lists are actors.py's and the
    actor KB's own, read at run time."""

    def __init__(self, pronouns: Iterable[str], definite: Iterable[str],
                 descriptions: Iterable[str], reach: int = 4):
        self.pronouns = frozenset(w.lower() for w in pronouns)
        self.definite = frozenset(w.lower() for w in definite)
        self.descriptions = frozenset(w.lower() for w in descriptions)
        self.reach = reach  # words from the definite word to its noun ("the two armed groups")

    @classmethod
    def from_kb(cls, kb) -> "ContextRule":
        from . import actors

        pronouns = actors.PRONOUNS_PERSON | actors.PRONOUNS_IT | actors.PRONOUNS_THEY
        descriptions = {w for words in kb.descriptions.values() for w in words}
        return cls(pronouns, actors.DEFINITE, descriptions)

    def __call__(self, sentence: str) -> bool:
        from .nlp import _WORD

        words = [m.group().lower() for m in _WORD.finditer(sentence)]
        if not self.pronouns.isdisjoint(words):
            return True
        return any(w in self.definite and not self.descriptions.isdisjoint(words[i + 1:i + 1 + self.reach])
                   for i, w in enumerate(words))


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
                 batch_size: Optional[int] = None, fast: Optional[bool] = None,
                 context: Optional[int] = None):
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
        # Sentences kept before a trigger sentence that has something to resolve backwards:
        # as far as actors.py's coreference reaches (COREF_WINDOW), so both paths see the same.
        if context is None:
            from .actors import COREF_WINDOW as context
        self.context = context
        self.trigger_filter = TriggerFilter.from_lexicon(self.lexicon, self.nlp) if self.fast else None
        self.abbreviations = abbreviations(self.nlp)
        self.context_rule = ContextRule.from_kb(self.kb) if self.fast else None
        # The tagger confirms the prefilter's candidates by part of speech; it needs only the
        # pipes up to itself (tok2vec + tagger, a fifth of the pipeline's cost).
        names = self.nlp.pipe_names
        self.tag_disable = names[names.index("tagger") + 1:] if self.fast and "tagger" in names else None
        _freeze_resources()

    def extract(self, article: Article) -> ArticleResult:
        return next(self.extract_many([article]))

    def extract_many(self, articles: Iterable[Article]) -> Iterator[ArticleResult]:
        if self.fast:
            stream = self._planned(articles)
        else:
            stream = ((a.text, (a, None)) for a in articles)
        for doc, (article, plan) in self.nlp.pipe(stream, as_tuples=True, batch_size=self.batch_size):
            if plan is not None and not plan.kept:
                yield ArticleResult(article=article, events=[])
            else:
                yield self.extract_doc(doc, article, plan)

    def _planned(self, articles: Iterable[Article]) -> Iterator[tuple[str, tuple[Article, ParsePlan]]]:
        """(text to parse, (article, plan)) per article, in input order, planned a batch at a
        time ("" when nothing needs parsing: an empty text costs the pipeline nothing)."""
        batch: list[Article] = []
        for article in articles:
            batch.append(article)
            if len(batch) >= self.batch_size:
                yield from self._plan_batch(batch)
                batch = []
        if batch:
            yield from self._plan_batch(batch)

    def _plan_batch(self, articles: list[Article]) -> Iterator[tuple[str, tuple[Article, ParsePlan]]]:
        """Prefilter every rough sentence by its words, confirm the candidates by the tagger's
        parts of speech (one tagging pass over the candidates only), then add the first
        sentence and the context the confirmed ones need."""
        from .nlp import mask_text, split_sentences

        rough = []
        for article in articles:
            text = article.text
            sentences = tuple(split_sentences(text, self.abbreviations))
            rough.append((sentences, [i for i, (a, b) in enumerate(sentences)
                                      if self.trigger_filter.matches(text[a:b])]))
        confirmed = self._confirm(articles, rough) if self.tag_disable is not None \
            else [c for _s, c in rough]
        for article, (sentences, _c), found in zip(articles, rough, confirmed):
            plan = plan_parse(article.text, self.trigger_filter, context=self.context,
                              needs_context=self.context_rule, candidates=found, sentences=sentences)
            yield mask_text(article.text, plan.spans()), (article, plan)

    def _confirm(self, articles: list[Article], rough: list) -> list[list[int]]:
        """The candidate sentences whose trigger word has the part of speech of its lexicon
        entry, read from one tagger pass over a few words around each possible trigger word
        (trigger_windows; everything else blanked). A sentence whose trigger lemma fits as verb
        and as noun alike ("attacked", "the attack") is kept untagged."""
        from .nlp import mask_text

        f = self.trigger_filter
        sure, unsure, texts = [], [], []
        for article, (sentences, cands) in zip(articles, rough):
            yes = {i for i in cands if f.matches_any_pos(article.text[slice(*sentences[i])])}
            rest = [i for i in cands if i not in yes]
            sure.append(yes)
            unsure.append(rest)
            texts.append(mask_text(article.text, [w for i in rest
                                                  for w in f.trigger_windows(article.text, *sentences[i])])
                         if rest else "")
        out: list[list[int]] = []
        docs = self.nlp.pipe(texts, batch_size=self.batch_size, disable=self.tag_disable)
        for doc, article, (sentences, _c), yes, cands in zip(docs, articles, rough, sure, unsure):
            if not cands:
                out.append(sorted(yes))
                continue
            tagged: dict[int, list[tuple[str, str]]] = {i: [] for i in cands}
            ends = [sentences[i][1] for i in cands]
            for tok in doc:
                if not tok.is_space:
                    k = bisect.bisect_right(ends, tok.idx)
                    if k < len(cands):
                        tagged[cands[k]].append((tok.text, tok.tag_))
            out.append(sorted(yes.union(i for i in cands if f.matches_tagged(
                tagged[i], article.text[slice(*sentences[i])]))))
        return out

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


def _freeze_resources() -> None:
    """Move the objects alive now (model, KB, gazetteer: ~600k objects that live as long as
    the process) out of the cyclic garbage collector's reach, so its full collections stop
    rescanning them while articles stream (~5% of the fast path's CPU time). Garbage left from
    loading is collected first, so it is not frozen with them."""
    gc.collect()
    gc.freeze()


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

