"""MEANTIME cross-document event instances -> per-article reports with gold event ids; pairwise scorer.

The unit: every event mention the annotators linked to a cross-document instance (1,382 mentions,
1,063 instances, 35 of them in more than one document). Mentions of one instance within one
document are one report (linking inside an article is the extractor's job), so a gold pair is two
reports from two documents with the same instance; single-document instances stay in as the
distractors a merge must not swallow. Scored over all reports of a split: pairwise precision and
recall of "same event".

An item is one MEANTIME topic (corpus_airbus, corpus_apple, corpus_gm, corpus_stock): instances
never cross topics, so a split by topic keeps every gold pair whole (a split by document would cut
them), as ECB+-style cross-document coreference evaluations do. See docs/merging.md.

Three variants, all scored the same way:

- `load_meantime_merge_gold` ("meantime-merge-gold"): each report takes its date from the TIMEX the
  annotators TLINKed it to (else the publication date at week precision), and no place;
- `load_meantime_merge` ("meantime-merge", the headline figure): the same gold mentions, but date
  and places are what eventcoder's own stages give that trigger in that document
  (`dates.date_for_event`, `geocode.places_for_event`, the article's main place as fallback);
- "meantime-merge-e2e": eventcoder's own extraction (`match_extracted`): its reports are matched
  to gold mentions by sentence and trigger word; a gold mention it does not report joins nothing.

What every report takes from the annotation: participants (the cross-document entity instance of
each HAS_PARTICIPANT argument, standing in for our actor KB's canonical ids; Arg0 as source);
mode (`planned` for a FUTURE mention, `denied` for a negated one); type: `SPEECH` for a reporting
verb, else `PRED:` and the trigger's crude stem (`_stem`: filed/filing/file -> fil), as our
detector types an event by its trigger word.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import glob
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, Iterator, Optional

from ..model import ActorRef, DateSpan, Event, EventDraft, Evidence, SourceRef
from .scoring import prf

_SPEECH = frozenset("""say tell announce state report comment claim add note confirm deny explain
reveal warn argue insist suggest predict expect statement announcement remark ask""".split())

_RANK = {"day": 0, "week": 1, "month": 2, "year": 3}
# Derivational and inflectional endings, longest first: a noun and its verb share a stem.
_SUFFIXES = ("ations", "ation", "itions", "ition", "ments", "ment", "ings", "ing", "ies", "ed", "es", "s")


@dataclass(slots=True)
class MergeItem:
    """One document (`parse_cat_merge`) or one topic of documents (`docs` set): reports and, for
    each report id, the gold cross-document instance."""

    id: str
    text: str
    published: Optional[dt.date]
    reports: list[Event] = field(default_factory=list)
    gold: dict[str, str] = field(default_factory=dict)
    # report id -> char spans (start, end) in `text` of each of its mentions' triggers
    anchors: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    docs: list["MergeItem"] = field(default_factory=list)


def _stem(word: str) -> str:
    """A crude stem (declaration/declared -> declar, deliveries -> deliver): MEANTIME's `pred` is
    not always a lemma, and one event is named by a verb in one article and its noun in another."""
    word = word.lower()
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: -len(suffix)]
            if suffix in ("ed", "ing") and len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]  # dropped -> drop, but shelled -> shell
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def _event_type(pred: str) -> str:
    """The stand-in for a PLOVER type: reporting verbs form one class, any other predicate its own
    (our detector likewise types an event by its trigger word)."""
    words = re.findall(r"[a-z]+", pred.lower())
    if pred in _SPEECH or (words and (words[-1] in _SPEECH or _stem(words[-1]) in {_stem(w) for w in _SPEECH})):
        return "SPEECH"
    return "PRED:" + " ".join(_stem(w) for w in words)


def _timex_span(value: str, dct: Optional[dt.date]) -> Optional[DateSpan]:
    m = re.fullmatch(r"(\d{4})(?:-(\d\d))?(?:-(\d\d))?", value or "")
    if not m:
        return None
    y, mo, d = int(m[1]), m[2] and int(m[2]), m[3] and int(m[3])
    try:
        if d:
            day = dt.date(y, mo, d)
            return DateSpan(day, day, "day", f"TIMEX3 {value}")
        if mo:
            start = dt.date(y, mo, 1)
            end = (dt.date(y + (mo == 12), mo % 12 + 1, 1) - dt.timedelta(days=1))
            return DateSpan(start, end, "month", f"TIMEX3 {value}")
        return DateSpan(dt.date(y, 1, 1), dt.date(y, 12, 31), "year", f"TIMEX3 {value}")
    except ValueError:
        return None


def _publication_week(published: Optional[dt.date]) -> Optional[DateSpan]:
    """What the pipeline gives a sentence without a date of its own (None without a date at all)."""
    if published is None:
        return None
    return DateSpan(published, published, "week", "publication date", rule="publication-date")


def parse_cat_merge(root: ET.Element, doc_id: str) -> MergeItem:
    """One MEANTIME CAT document -> MergeItem of its reports (undated when it has no creation time).

    Its `text` is one sentence a paragraph, tokens joined by spaces; `anchors` locate each
    mention's trigger in it, so that the pipeline's stages can be run on the same text.
    """
    tokens, sent_of, offsets = {}, {}, {}
    sentences: dict[str, list[str]] = {}
    for tok in root.iter("token"):
        tokens[tok.get("t_id")] = tok.text or ""
        sent_of[tok.get("t_id")] = tok.get("sentence")
        sentences.setdefault(tok.get("sentence"), []).append(tok.get("t_id"))
    parts, pos = [], 0
    for ids in sentences.values():
        if parts:
            parts.append("\n\n")
            pos += 2
        for k, t_id in enumerate(ids):
            if k:
                parts.append(" ")
                pos += 1
            offsets[t_id] = (pos, pos + len(tokens[t_id]))
            parts.append(tokens[t_id])
            pos += len(tokens[t_id])
    text = "".join(parts)
    markables = root.find("Markables")
    by_id = {el.get("m_id"): el for el in (markables if markables is not None else [])}
    dct = None
    for tx in root.iter("TIMEX3"):
        if tx.get("functionInDocument") == "CREATION_TIME" and re.match(r"\d{4}-\d\d-\d\d", tx.get("value", "")):
            dct = dt.date.fromisoformat(tx.get("value")[:10])
    refers: dict[str, str] = {}  # mention m_id -> instance id
    for rel in root.iter("REFERS_TO"):
        target = by_id.get(rel.find("target").get("m_id"))
        inst = target.get("instance_id") if target is not None else None
        if inst:
            for src in rel.findall("source"):
                refers[src.get("m_id")] = inst
    participants: dict[str, list[tuple[str, str]]] = {}
    for rel in root.iter("HAS_PARTICIPANT"):
        ev, ent = rel.find("source").get("m_id"), rel.find("target").get("m_id")
        if ent in refers:
            participants.setdefault(ev, []).append((rel.get("sem_role") or "", refers[ent]))
    dates: dict[str, DateSpan] = {}
    for rel in root.iter("TLINK"):
        if rel.get("reltype") not in ("INCLUDES", "IS_INCLUDED", "SIMULTANEOUS"):
            continue
        a, b = rel.find("source").get("m_id"), rel.find("target").get("m_id")
        for ev, tx in ((a, b), (b, a)):
            el = by_id.get(tx)
            if el is not None and el.tag == "TIMEX3" and el.get("type") == "DATE" \
                    and el.get("functionInDocument") != "CREATION_TIME":
                span = _timex_span(el.get("value"), dct)
                if span and (ev not in dates or _RANK[span.precision] < _RANK[dates[ev].precision]):
                    dates[ev] = span
    item = MergeItem(id=doc_id, text=text, published=dct)
    seen: dict[str, Event] = {}
    for men in root.iter("EVENT_MENTION"):
        m_id = men.get("m_id")
        inst = refers.get(m_id)
        anchors = [a.get("t_id") for a in men.iter("token_anchor") if a.get("t_id") in tokens]
        if inst is None or not anchors:
            continue
        sentence = " ".join(tokens[t] for t in sentences[sent_of[anchors[0]]])
        trigger = " ".join(tokens[t] for t in anchors)
        span = (offsets[anchors[0]][0], offsets[anchors[-1]][1])
        roles = participants.get(m_id, [])
        if inst in seen:  # another mention of the same instance in this document
            report = seen[inst]
            item.anchors[report.id].append(span)
            report.evidence.append(Evidence(doc_id, int(sent_of[anchors[0]]), 0, 0, sentence, trigger))
            known = {a.id for a in report.source_actors + report.target_actors}
            for role, ent in roles:
                if ent not in known:
                    (report.source_actors if role == "Arg0" else report.target_actors).append(ActorRef(ent, id=ent))
            if m_id in dates and (report.date is None or report.date.rule == "publication-date"):
                report.date = dates[m_id]
            continue
        pred = (men.get("pred") or trigger).lower()
        mode = "planned" if men.get("time") == "FUTURE" else ("denied" if men.get("polarity") == "NEG" else "occurred")
        report = Event(
            id=f"{doc_id}-{m_id}", type=_event_type(pred), mode=mode, historical=False,
            cameo_root=None, acled=None,
            source_actors=[ActorRef(ent, id=ent) for role, ent in roles if role == "Arg0"],
            target_actors=[ActorRef(ent, id=ent) for role, ent in roles if role != "Arg0"],
            date=dates.get(m_id) or _publication_week(dct), locations=[], fatalities=None, injuries=None,
            arrests=None, attributed_to=None,
            evidence=[Evidence(doc_id, int(sent_of[anchors[0]]), 0, 0, sentence, trigger)],
            sources=[SourceRef(doc_id, "Wikinews", dct.isoformat() if dct else None)],
            extractor={"name": "meantime-gold-mentions"}, confidence=1.0)
        seen[inst] = report
        item.reports.append(report)
        item.gold[report.id] = inst
        item.anchors[report.id] = [span]
    return item


def _topic(docs: list[MergeItem], topic: str) -> MergeItem:
    item = MergeItem(id=topic, text="\n\n".join(d.text for d in docs), published=None, docs=docs)
    for d in docs:
        item.reports += d.reports
        item.gold.update(d.gold)
    return item


def load_meantime_merge_gold(data_dir: str) -> Iterator[MergeItem]:
    """One item per MEANTIME topic, its documents' reports with the annotated dates."""
    root = os.path.join(data_dir, "meantime-english", "intra_cross-doc_annotation")
    for folder in sorted(glob.glob(os.path.join(root, "*"))):
        paths = sorted(glob.glob(os.path.join(folder, "*.xml")))
        if paths:
            docs = [parse_cat_merge(ET.parse(p).getroot(), os.path.basename(p).split("_")[0]) for p in paths]
            yield _topic(docs, os.path.basename(folder))


def load_meantime_merge(data_dir: str) -> Iterator[MergeItem]:
    """The same items; the runner gives their reports the pipeline's dates and places."""
    return load_meantime_merge_gold(data_dir)


def load_meantime_merge_e2e(data_dir: str) -> Iterator[MergeItem]:
    """The same items; the runner replaces their reports by eventcoder's own extraction."""
    return load_meantime_merge_gold(data_dir)


def _documents(item: MergeItem) -> list[MergeItem]:
    return item.docs or [item]


def attribute_with_pipeline(item: MergeItem, nlp, gazetteer) -> list[Event]:
    """The gold reports with the date and places eventcoder's stages give each trigger.

    Each document is parsed once; a report of several mentions takes the first mention's date
    unless a later one has a date of its own (as the gold variant does with TLINKs).
    """
    from ..dates import date_for_event, find_dates
    from ..geocode import find_places, main_place, places_for_event

    out: list[Event] = []
    for d in _documents(item):
        doc = nlp(d.text)
        sents = list(doc.sents)
        starts = [s.start_char for s in sents]
        mentions = find_dates(doc, d.published)
        places = find_places(doc, gazetteer)
        fallback = main_place(places) if places else None
        drafts: dict[str, list[EventDraft]] = {}
        for r in d.reports:
            for a, b in d.anchors.get(r.id, []):
                span = doc.char_span(a, b, alignment_mode="expand")
                if span is None:
                    continue
                index = max(i for i, s in enumerate(starts) if s <= span.start_char)
                drafts.setdefault(r.id, []).append(EventDraft(type=_event_type(span.lemma_), sentence_index=index,
                                                              trigger=(span.start, span.end),
                                                              trigger_text=span.text))
        everyone = [x for xs in drafts.values() for x in xs]
        for r in d.reports:
            date, locations = _publication_week(d.published), []
            for k, draft in enumerate(drafts.get(r.id, [])):
                found = date_for_event(doc, draft, mentions, d.published)
                if k == 0 or (found is not None and found.rule != "publication-date"
                              and (date is None or date.rule == "publication-date")):
                    date = found
                locations = locations or places_for_event(doc, draft, places, others=everyone)
            if not locations and fallback is not None:
                locations = [fallback]
            # typed by the parser's lemma of the trigger, as the detector types (flew -> fly)
            etype = drafts[r.id][0].type if drafts.get(r.id) else r.type
            out.append(dataclasses.replace(r, type=etype, date=date, locations=list(locations),
                                           extractor={"name": "meantime-gold-mentions+pipeline"}))
    return out


def _words(text: str) -> set[str]:
    return {_stem(w) for w in re.findall(r"[a-z]+", text.lower())}


def match_extracted(item: MergeItem, extract) -> list[Event]:
    """eventcoder's own reports of each document, each renamed to the gold report whose trigger
    lies in its sentence and shares a stemmed word with its trigger; the others are dropped
    (they have no gold instance). `extract(text, published) -> list[Event]`."""
    out: list[Event] = []
    for d in _documents(item):
        taken: set[str] = set()
        for ev in extract(d.text, d.published):
            if not ev.evidence:
                continue
            e = ev.evidence[0]
            for r in d.reports:
                if r.id in taken:
                    continue
                hit = any(e.start <= a < max(e.end, e.start + len(e.text)) for a, _ in d.anchors.get(r.id, []))
                if hit and _words(e.trigger) & _words(" ".join(x.trigger for x in r.evidence)):
                    taken.add(r.id)
                    out.append(dataclasses.replace(ev, id=r.id))
                    break
    return out


class MergeScorer:
    """Pairwise cluster precision/recall/F1 of `merge.cluster_reports` over all items added.

    Gold pairs are over every gold report added; a gold report missing from the predictions
    (the end-to-end variant's misses) loses its pairs.
    """

    def __init__(self) -> None:
        self.reports: list[Event] = []
        self.gold: dict[str, str] = {}

    def add(self, item: MergeItem, predicted: list[Event]) -> None:
        self.reports += predicted
        self.gold.update(item.gold)

    def result(self) -> dict[str, Any]:
        from ..merge import cluster_reports

        if not self.gold:
            return {"merge_pairs": prf(0, 0, 0)}
        clusters = cluster_reports(self.reports)
        gold_groups: dict[str, list[str]] = {}
        for rid, inst in self.gold.items():
            gold_groups.setdefault(inst, []).append(rid)
        gold_pairs = {tuple(sorted(p)) for g in gold_groups.values() for p in combinations(g, 2)}
        pred_pairs = {tuple(sorted(p)) for g in clusters for p in combinations(g, 2)}
        tp = len(gold_pairs & pred_pairs)
        out = {"merge_pairs": prf(tp, len(pred_pairs) - tp, len(gold_pairs) - tp)}
        out["merge_pairs"].update({"reports": len(self.reports), "gold_reports": len(self.gold),
                                   "gold_events": len(gold_groups), "events": len(clusters)})
        return out
