"""Loaders for temporal gold (TempEval-3 platinum TimeML, MEANTIME CAT XML) -> TimeItem."""

from __future__ import annotations

import datetime as dt
import glob
import html
import os
import re
import xml.etree.ElementTree as ET
from typing import Iterator

from .items import GoldTimeEvent, GoldTimex, TimeItem

_TAG_RE = re.compile(r"<(/?)(\w+)([^>]*?)(/?)>")
_ATTR_RE = re.compile(r'(\w+)="([^"]*)"')
# TLINK relation of an event to the document time -> does the event lie after it?
_FUTURE_REL = {"AFTER": True, "BEFORE": False, "IS_INCLUDED": False, "ENDED_BY": False, "BEGUN_BY": False}
_INVERSE = {"AFTER": "BEFORE", "BEFORE": "AFTER", "IS_INCLUDED": "INCLUDES", "INCLUDES": "IS_INCLUDED"}


def _strip_inline(markup: str) -> tuple[str, list[tuple[str, dict, int, int]]]:
    """Plain text of inline TimeML plus (tag, attrs, start, end) for each TIMEX3/EVENT element."""
    out: list[str] = []
    pos, length = 0, 0
    open_tags: list[tuple[str, dict, int]] = []
    elements = []
    for m in _TAG_RE.finditer(markup):
        chunk = html.unescape(markup[pos:m.start()])
        out.append(chunk)
        length += len(chunk)
        pos = m.end()
        closing, tag, attrs = m.group(1), m.group(2), dict(_ATTR_RE.findall(m.group(3)))
        if tag not in ("TIMEX3", "EVENT"):
            continue
        if closing:
            for i in range(len(open_tags) - 1, -1, -1):
                if open_tags[i][0] == tag:
                    t, a, s = open_tags.pop(i)
                    elements.append((t, a, s, length))
                    break
        else:
            open_tags.append((tag, attrs, length))
    out.append(html.unescape(markup[pos:]))
    return "".join(out), elements


def parse_timeml(raw: str, doc_id: str) -> TimeItem:
    dct = re.search(r'functionInDocument="CREATION_TIME"[^>]*value="([^"]+)"', raw) or \
        re.search(r'<DCT>.*?value="([^"]+)"', raw, re.S)
    published = dt.date.fromisoformat(dct.group(1)[:10])
    body = re.search(r"<TEXT>(.*?)</TEXT>", raw, re.S).group(1)
    text, elements = _strip_inline(body)
    instances = {a["eiid"]: a["eventID"] for a in
                 (dict(_ATTR_RE.findall(m)) for m in re.findall(r"<MAKEINSTANCE([^>]*)>", raw))
                 if "eiid" in a and "eventID" in a}
    dct_tid = re.search(r'<TIMEX3[^>]*functionInDocument="CREATION_TIME"[^>]*tid="(\w+)"', raw)
    dct_tid = dct_tid.group(1) if dct_tid else "t0"
    future: dict[str, bool] = {}
    for attrs in (dict(_ATTR_RE.findall(m)) for m in re.findall(r"<TLINK([^>]*)>", raw)):
        rel = attrs.get("relType")
        if attrs.get("relatedToTime") == dct_tid and "eventInstanceID" in attrs:
            eiid = attrs["eventInstanceID"]
        elif attrs.get("timeID") == dct_tid and "relatedToEventInstance" in attrs:
            eiid, rel = attrs["relatedToEventInstance"], _INVERSE.get(rel, rel)
        else:
            continue
        if rel in _FUTURE_REL and eiid in instances:
            future[instances[eiid]] = _FUTURE_REL[rel]
    timexes, events = [], []
    for tag, attrs, start, end in elements:
        if tag == "TIMEX3" and attrs.get("type") == "DATE" and attrs.get("value"):
            timexes.append(GoldTimex(start, end, text[start:end], attrs["value"], "DATE"))
        elif tag == "EVENT" and attrs.get("eid") in future:
            events.append(GoldTimeEvent(start, end, text[start:end], future=future[attrs["eid"]]))
    return TimeItem(id=doc_id, text=text, published=published, timexes=timexes, events=events)


def load_tempeval3(data_dir: str) -> Iterator[TimeItem]:
    for path in sorted(glob.glob(os.path.join(data_dir, "tempeval3-platinum", "*.tml"))):
        with open(path, encoding="utf-8") as fh:
            yield parse_timeml(fh.read(), os.path.basename(path)[:-4])


def parse_cat(root: ET.Element, doc_id: str) -> TimeItem | None:
    """MEANTIME CAT XML: tokens joined by spaces (sentences by newlines); markables anchor to tokens."""
    parts, offsets, prev_sent = [], {}, None
    length = 0
    for tok in root.iter("token"):
        sep = "" if prev_sent is None else ("\n" if tok.get("sentence") != prev_sent else " ")
        prev_sent = tok.get("sentence")
        length += len(sep)
        word = tok.text or ""
        offsets[tok.get("t_id")] = (length, length + len(word))
        parts.append(sep + word)
        length += len(word)
    text = "".join(parts)

    def span(el: ET.Element) -> tuple[int, int] | None:
        ids = [a.get("t_id") for a in el.iter("token_anchor") if a.get("t_id") in offsets]
        if not ids:
            return None
        return min(offsets[i][0] for i in ids), max(offsets[i][1] for i in ids)

    published, timexes, events = None, [], []
    for tx in root.iter("TIMEX3"):
        if tx.get("functionInDocument") == "CREATION_TIME" and re.match(r"\d{4}-\d\d-\d\d", tx.get("value", "")):
            published = dt.date.fromisoformat(tx.get("value")[:10])
            continue
        s = span(tx)
        if s and tx.get("type") == "DATE" and tx.get("value"):
            timexes.append(GoldTimex(s[0], s[1], text[s[0]:s[1]], tx.get("value"), "DATE"))
    for ev in root.iter("EVENT_MENTION"):
        s = span(ev)
        if s is None or not ev.get("time"):
            continue
        events.append(GoldTimeEvent(s[0], s[1], text[s[0]:s[1]], future=ev.get("time") == "FUTURE",
                                    certain=(ev.get("certainty") == "CERTAIN") if ev.get("certainty") else None))
    if published is None:
        return None
    return TimeItem(id=doc_id, text=text, published=published, timexes=timexes, events=events)


def load_meantime(data_dir: str) -> Iterator[TimeItem]:
    pattern = os.path.join(data_dir, "meantime-english", "intra_cross-doc_annotation", "*", "*.xml")
    for path in sorted(glob.glob(pattern)):
        item = parse_cat(ET.parse(path).getroot(), os.path.basename(path)[:-4])
        if item is not None:
            yield item
