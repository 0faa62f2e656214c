"""MEANTIME cross-document event instances -> per-article reports with gold event ids; pairwise scorer.

The merge stage is measured on its own: each document's annotated event mentions become the
reports our extractor would hand it (trigger, sentence, date, participants), and `merge` must
group them across documents as the annotators' cross-document instances do. What each report
takes from the annotation:

- participants: the cross-document entity instance of each HAS_PARTICIPANT argument (the role of
  our actor KB's canonical ids), Arg0 as source and the others as targets;
- date: the DATE TIMEX the mention is TLINKed to, else the publication date at week precision
  (what the pipeline does when a sentence has no date);
- mode: `planned` for a FUTURE mention, `denied` for a negated one, else `occurred`;
- type: `SPEECH` for a reporting verb (a small lexicon on the trigger's lemma), else the lemma
  itself, as our detector types an event by its trigger.

Mentions of one instance within one document are one report (linking within an article is the
extractor's job). Pairs are scored across the whole split: precision and recall of "same event".
"""

from __future__ import annotations

import datetime as dt
import glob
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, Iterator, Optional

from ..model import ActorRef, DateSpan, Event, Evidence, SourceRef
from .scoring import prf

_SPEECH = frozenset("""say tell announce state report comment claim add note confirm deny explain
reveal warn argue insist suggest predict expect statement announcement remark ask""".split())


_RANK = {"day": 0, "week": 1, "month": 2, "year": 3}


@dataclass(slots=True)
class MergeItem:
    """One document: its reports and, for each report id, the gold cross-document instance."""

    id: str
    text: str
    published: Optional[dt.date]
    reports: list[Event] = field(default_factory=list)
    gold: dict[str, str] = field(default_factory=dict)


def _event_type(pred: str) -> str:
    """The stand-in for a PLOVER type: reporting verbs form one class, any other predicate its own
    (our detector likewise types an event by its trigger's lemma)."""
    words = [_lemma(w) for w in re.findall(r"[a-z]+", pred.lower())]
    return "SPEECH" if pred in _SPEECH or (words and words[-1] in _SPEECH) else "PRED:" + " ".join(words)


def _lemma(word: str) -> str:
    """A crude lemma (deliveries -> delivery, defeated -> defeat): MEANTIME's `pred` is not always one."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    for suffix in ("ed", "es", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 3 and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def _timex_span(value: str, dct: dt.date) -> Optional[DateSpan]:
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


def parse_cat_merge(root: ET.Element, doc_id: str) -> Optional[MergeItem]:
    """One MEANTIME CAT document -> MergeItem (None when it has no creation time)."""
    tokens, sent_of = {}, {}
    sentences: dict[str, list[str]] = {}
    for tok in root.iter("token"):
        tokens[tok.get("t_id")] = tok.text or ""
        sent_of[tok.get("t_id")] = tok.get("sentence")
        sentences.setdefault(tok.get("sentence"), []).append(tok.text or "")
    markables = root.find("Markables")
    by_id = {el.get("m_id"): el for el in (markables if markables is not None else [])}
    dct = None
    for tx in root.iter("TIMEX3"):
        if tx.get("functionInDocument") == "CREATION_TIME" and re.match(r"\d{4}-\d\d-\d\d", tx.get("value", "")):
            dct = dt.date.fromisoformat(tx.get("value")[:10])
    if dct is None:
        return None
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
    text = "\n".join(" ".join(words) for words in sentences.values())
    item = MergeItem(id=doc_id, text=text, published=dct)
    seen: dict[str, Event] = {}
    for men in root.iter("EVENT_MENTION"):
        m_id = men.get("m_id")
        inst = refers.get(m_id)
        anchors = [a.get("t_id") for a in men.iter("token_anchor") if a.get("t_id") in tokens]
        if inst is None or not anchors:
            continue
        sentence = " ".join(sentences[sent_of[anchors[0]]])
        trigger = " ".join(tokens[t] for t in anchors)
        roles = participants.get(m_id, [])
        if inst in seen:  # another mention of the same instance in this document
            report = seen[inst]
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
        date = dates.get(m_id) or DateSpan(dct, dct, "week", "publication date", rule="publication-date")
        report = Event(
            id=f"{doc_id}-{m_id}", type=_event_type(pred), mode=mode, historical=False,
            cameo_root=None, acled=None,
            source_actors=[ActorRef(ent, id=ent) for role, ent in roles if role == "Arg0"],
            target_actors=[ActorRef(ent, id=ent) for role, ent in roles if role != "Arg0"],
            date=date, locations=[], fatalities=None, injuries=None, arrests=None, attributed_to=None,
            evidence=[Evidence(doc_id, int(sent_of[anchors[0]]), 0, 0, sentence, pred)],
            sources=[SourceRef(doc_id, "Wikinews", dct.isoformat())],
            extractor={"name": "meantime-gold-mentions"}, confidence=1.0)
        seen[inst] = report
        item.reports.append(report)
        item.gold[report.id] = inst
    return item


def load_meantime_merge(data_dir: str) -> Iterator[MergeItem]:
    pattern = os.path.join(data_dir, "meantime-english", "intra_cross-doc_annotation", "*", "*.xml")
    for path in sorted(glob.glob(pattern)):
        item = parse_cat_merge(ET.parse(path).getroot(), os.path.basename(path).split("_")[0])
        if item is not None:
            yield item


class MergeScorer:
    """Pairwise cluster precision/recall/F1 of `merge.cluster_reports` over all items added."""

    def __init__(self) -> None:
        self.reports: list[Event] = []
        self.gold: dict[str, str] = {}

    def add(self, item: MergeItem, predicted: list[Event]) -> None:
        self.reports += predicted
        self.gold.update(item.gold)

    def result(self) -> dict[str, Any]:
        from ..merge import cluster_reports

        if not self.reports:
            return {"merge_pairs": prf(0, 0, 0)}
        predicted = {rid: i for i, cluster in enumerate(cluster_reports(self.reports)) for rid in cluster}
        gold_groups: dict[str, list[str]] = {}
        for rid, inst in self.gold.items():
            gold_groups.setdefault(inst, []).append(rid)
        gold_pairs = {tuple(sorted(p)) for g in gold_groups.values() for p in combinations(g, 2)}
        pred_groups: dict[int, list[str]] = {}
        for rid, c in predicted.items():
            pred_groups.setdefault(c, []).append(rid)
        pred_pairs = {tuple(sorted(p)) for g in pred_groups.values() for p in combinations(g, 2)}
        tp = len(gold_pairs & pred_pairs)
        out = {"merge_pairs": prf(tp, len(pred_pairs) - tp, len(gold_pairs) - tp)}
        out["merge_pairs"].update({"reports": len(self.reports), "gold_events": len(gold_groups),
                                   "events": len(pred_groups)})
        return out
