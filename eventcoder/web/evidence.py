"""Event + article text -> highlighted segments: where the evidence, trigger, actors, places, date
and counts of an event sit in the article, and which rule coded each.

The record keeps the evidence sentence's character offsets but only the *text* of actors, places
and counts, so those are found again inside the evidence sentence (whole words, exact case first).
"""

from __future__ import annotations

import re
from typing import Any, Optional

from ..model import Event

# Highlight kinds, drawn in this order (later kinds on top).
KINDS = ("evidence", "trigger", "source", "target", "place", "date", "fatalities", "injuries", "arrests")

_QUOTED = re.compile(r"'([^']+)'")


def _find(text: str, phrase: str, lo: int, hi: int) -> Optional[tuple[int, int]]:
    """First whole-word occurrence of `phrase` in text[lo:hi], exact case before any case."""
    phrase = phrase.strip()
    if not phrase:
        return None
    pattern = re.escape(phrase)
    if phrase[0].isalnum():
        pattern = r"(?<!\w)" + pattern
    if phrase[-1].isalnum():
        pattern += r"(?!\w)"
    for flags in (0, re.IGNORECASE):
        m = re.compile(pattern, flags).search(text, lo, hi)
        if m:
            return m.start(), m.end()
    return None


def marks(text: str, event: Event, article_id: Optional[str] = None) -> list[dict[str, Any]]:
    """Highlight marks {start, end, kind, label, rule} for `event` in the article `text`."""
    rules = (event.extractor or {}).get("fields", {}) or {}
    out: list[dict[str, Any]] = []

    def add(kind, span, label, rule):
        if span:
            out.append({"start": span[0], "end": span[1], "kind": kind, "label": label, "rule": rule})

    for ev in event.evidence:
        if article_id is not None and ev.article_id != article_id:
            continue
        lo, hi = max(0, ev.start), min(len(text), ev.end)
        if lo >= hi:
            continue
        add("evidence", (lo, hi), "evidence sentence", rules.get("evidence") or rules.get("type"))
        # A split trigger such as "shot … dead" is highlighted part by part.
        for part in re.split(r"\s*(?:…|\.\.\.)\s*", ev.trigger or ""):
            add("trigger", _find(text, part, lo, hi), f"trigger of {event.type}", rules.get("type"))
        for kind, actors, field in (("source", event.source_actors, "source_actors"),
                                    ("target", event.target_actors, "target_actors")):
            for a in actors:
                add(kind, _find(text, a.text, lo, hi), f"{kind}: {a.name or a.text}",
                    a.rule or rules.get(field))
        for p in event.locations:
            add("place", _find(text, p.text, lo, hi), f"place: {p.name} ({p.country or '?'})",
                p.reason or rules.get("locations"))
        if event.date is not None:
            expr = event.date.text or next(iter(_QUOTED.findall(event.date.basis or "")), None)
            if expr:
                add("date", _find(text, expr, lo, hi), f"date: {event.date.start.isoformat()}"
                    f" ({event.date.precision})", event.date.rule or rules.get("date"))
        for kind in ("fatalities", "injuries", "arrests"):
            count = getattr(event, kind)
            if count is not None:
                add(kind, _find(text, count.text, lo, hi), f"{kind}: {count.count} ({count.qualifier})",
                    rules.get(kind))
    return out


def segments(text: str, marks_: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cut `text` at every mark boundary: [{text, kinds, labels}] that a page renders with textContent."""
    cuts = sorted({0, len(text), *(m["start"] for m in marks_), *(m["end"] for m in marks_)})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        if a >= b:
            continue
        cover = [m for m in marks_ if m["start"] <= a and m["end"] >= b]
        cover.sort(key=lambda m: KINDS.index(m["kind"]))
        out.append({"text": text[a:b], "kinds": [m["kind"] for m in cover],
                    "labels": [m["label"] + (f" [{m['rule']}]" if m.get("rule") else "") for m in cover]})
    return out
