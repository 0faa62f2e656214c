"""Scorers: gold items + predictions -> per-field figures. A field with no gold gives "n/a", never 0."""

from __future__ import annotations

import datetime as dt
import math
import re
import statistics
from collections import Counter
from typing import Any, Iterable, Optional, Sequence

from .items import EventItem, GoldActor, GoldEvent, LocationItem, TimeItem, ToponymItem

NA = "n/a"
KM_THRESHOLD = 161.0  # 100 miles, the geocoding literature's accuracy radius
STATE_KINDS = {"government", "state_forces"}


def ratio(hits: int, n: int) -> Any:
    return round(hits / n, 4) if n else NA


def prf(tp: int, fp: int, fn: int) -> dict[str, Any]:
    if tp + fp + fn == 0:
        return {"p": NA, "r": NA, "f1": NA, "tp": 0, "fp": 0, "fn": 0}
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(f1, 4), "tp": tp, "fp": fp, "fn": fn}


def accuracy(hits: int, n: int) -> dict[str, Any]:
    return {"acc": ratio(hits, n), "n": n}


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def distance_stats(errors: Sequence[float], n_gold: int) -> dict[str, Any]:
    """acc@161 over resolved mentions and over all gold mentions (unresolved count as misses)."""
    if not n_gold:
        return {"acc161": NA, "acc161_all": NA, "mean_km": NA, "median_km": NA, "n": 0, "resolved": 0}
    hits = sum(1 for e in errors if e <= KM_THRESHOLD)
    return {"acc161": ratio(hits, len(errors)), "acc161_all": ratio(hits, n_gold),
            "mean_km": round(statistics.fmean(errors), 1) if errors else NA,
            "median_km": round(statistics.median(errors), 1) if errors else NA,
            "n": n_gold, "resolved": len(errors)}


def timex_interval(value: str) -> tuple[Optional[dt.date], Optional[dt.date]]:
    """TIMEX3/ISO value -> the calendar interval it names; (None, None) for PRESENT_REF, XXXX, durations."""
    value = value.strip()
    try:
        if m := re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)(T.*)?", value):
            d = dt.date(int(m[1]), int(m[2]), int(m[3]))
            return d, d
        if m := re.fullmatch(r"(\d{4})-W(\d\d)", value):
            start = dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)
            return start, start + dt.timedelta(days=6)
        if m := re.fullmatch(r"(\d{4})-(\d\d)", value):
            start = dt.date(int(m[1]), int(m[2]), 1)
            nxt = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
            return start, nxt - dt.timedelta(days=1)
        if m := re.fullmatch(r"(\d{4})-Q([1-4])", value):
            start = dt.date(int(m[1]), 3 * int(m[2]) - 2, 1)
            end_month = 3 * int(m[2])
            nxt = dt.date(start.year + (end_month == 12), end_month % 12 + 1, 1)
            return start, nxt - dt.timedelta(days=1)
        if m := re.fullmatch(r"(\d{4})", value):
            return dt.date(int(m[1]), 1, 1), dt.date(int(m[1]), 12, 31)
    except ValueError:
        pass
    return None, None


def overlaps(a: tuple[int, int], b: tuple[Optional[int], Optional[int]]) -> bool:
    return b[0] is not None and b[1] is not None and a[0] < b[1] and b[0] < a[1]


# --- events -------------------------------------------------------------------------------

def _active(events: Iterable[Any]) -> list[Any]:
    """Predicted events that claim something new happened (historical ones are background)."""
    return [e for e in events if not getattr(e, "historical", False)]


def _norm(text: Optional[str]) -> str:
    return re.sub(r"[^a-z0-9 ]", " ", (text or "").lower()).strip()


def text_match(gold: str, actor: Any) -> bool:
    """Gold phrase and predicted actor share a content word (names are written many ways)."""
    stop = {"the", "of", "and", "a", "an", "in", "s", "forces", "group"}
    g = set(_norm(gold).split()) - stop
    p = set(_norm(getattr(actor, "text", None)).split()) | set(_norm(getattr(actor, "name", None)).split())
    return bool(g & (p - stop))


def kind_match(gold_kind: str, kind: Optional[str]) -> bool:
    return kind in STATE_KINDS if gold_kind == "state" else kind == gold_kind


def _pick(gold: GoldEvent, preds: list[Any]) -> Optional[Any]:
    """The predicted event scored against a gold event: same type and mode first (gold codes the
    act that took place, so an occurred event before a demanded one of the same type), then same
    type, then any."""
    same = [e for e in preds if e.type == gold.type]
    same_mode = [e for e in same if getattr(e, "mode", "occurred") == (gold.mode or "occurred")]
    return (same_mode or same or preds or [None])[0]


class EventScorer:
    """Accumulates item by item so dev/test/all can share one extraction run."""

    def __init__(self) -> None:
        self.c: Counter = Counter()
        self.confusion: Counter = Counter()
        self.errors: dict[str, list[float]] = {"country": [], "subnational": []}
        self.n_coords: Counter = Counter()

    def add(self, item: EventItem, predicted: list[Any]) -> None:
        c = self.c
        preds = _active(predicted)
        current = [g for g in item.events if not g.historical]
        gold_types = {g.type for g in current if g.type}
        if gold_types or item.no_events:
            # The gold codes one act per sentence: the one that took place ("X threatened to
            # shell Y" is THREATEN). What an appeal or threat speaks of is a second, non-occurred
            # event in our output; it is scored only when the sentence has no occurred event.
            primary = [e for e in preds if getattr(e, "mode", "occurred") == "occurred"] or preds
            pred_types = {e.type for e in primary}
            c["det_tp"] += bool(gold_types) and bool(pred_types)
            c["det_fn"] += bool(gold_types) and not pred_types
            c["det_fp"] += not gold_types and bool(pred_types)
            c["type_tp"] += len(gold_types & pred_types)
            c["type_fp"] += len(pred_types - gold_types)
            c["type_fn"] += len(gold_types - pred_types)
            if len(gold_types) == 1 and not gold_types & pred_types:
                gold = next(iter(gold_types))
                for p in sorted(pred_types) or ["none"]:
                    self.confusion[(gold, p)] += 1
            self._pairs(current, preds)
        for g in item.events:
            match = _pick(g, preds) if not g.historical else None
            if g.cameo_root:
                c["cameo_n"] += 1
                c["cameo_hit"] += any(getattr(e, "cameo_root", None) == g.cameo_root for e in preds)
            if not g.historical:
                self._actors("source", g.sources, getattr(match, "source_actors", []) or [])
                self._actors("target", g.targets, getattr(match, "target_actors", []) or [])
                self._places(g, match)
                self._date(g, match)
                self._count(g, match)
            self._flags(g, predicted)

    def _pairs(self, gold: list[GoldEvent], preds: list[Any]) -> None:
        gp = {(s.country, t.country) for g in gold for s in g.sources for t in g.targets
              if s.country and t.country}
        if not gp:
            return
        pp = {(s.country, t.country) for e in preds for s in e.source_actors for t in e.target_actors
              if s.country and t.country}
        self.c["pair_tp"] += len(gp & pp)
        self.c["pair_fp"] += len(pp - gp)
        self.c["pair_fn"] += len(gp - pp)

    def _actors(self, role: str, gold: tuple[GoldActor, ...], pred: list[Any]) -> None:
        c = self.c
        for a in gold:
            if a.country:
                c[f"{role}_country_n"] += 1
                c[f"{role}_country_hit"] += any(p.country == a.country for p in pred)
            if a.kind:
                c[f"{role}_kind_n"] += 1
                c[f"{role}_kind_hit"] += any(kind_match(a.kind, p.kind) and (not a.country or p.country == a.country)
                                             for p in pred)
            if a.text and not a.country:
                c[f"{role}_text_n"] += 1
                c[f"{role}_text_hit"] += any(text_match(a.text, p) for p in pred)

    def _places(self, g: GoldEvent, match: Any) -> None:
        locs = list(getattr(match, "locations", []) or [])
        for place in g.places:
            if place.lat is not None and place.lon is not None:
                key = "country" if place.is_country else "subnational"
                self.n_coords[key] += 1
                dists = [haversine_km(place.lat, place.lon, p.lat, p.lon) for p in locs
                         if p.lat is not None and p.lon is not None]
                if dists:
                    self.errors[key].append(min(dists))
            if place.country:
                self.c["place_country_n"] += 1
                self.c["place_country_hit"] += any(p.country == place.country for p in locs)
            elif place.name and place.lat is None:
                self.c["place_text_n"] += 1
                self.c["place_text_hit"] += any(_norm(place.name) and _norm(place.name) in
                                                _norm(f"{p.text} {p.name}") for p in locs)

    def _date(self, g: GoldEvent, match: Any) -> None:
        if g.date_start is None:
            return
        d = getattr(match, "date", None)
        self.c["date_n"] += 1
        self.c["date_within"] += bool(d and g.date_start <= d.start and d.end <= (g.date_end or g.date_start))
        if g.date_precision == "day" or g.date_start == g.date_end:
            self.c["day_n"] += 1
            self.c["day_hit"] += bool(d and d.start == d.end == g.date_start)

    def _count(self, g: GoldEvent, match: Any) -> None:
        if g.fatalities is None or not g.fatalities_stated:
            return
        f = getattr(match, "fatalities", None)
        self.c["fat_n"] += 1
        self.c["fat_hit"] += bool(f and f.count == g.fatalities)

    def _flags(self, g: GoldEvent, predicted: list[Any]) -> None:
        """historical/mode where the gold has them, on predictions of the same type near the gold date."""
        cands = [e for e in predicted if e.type == g.type]
        if g.date_start and g.date_end:
            dated = [e for e in cands if e.date and e.date.start <= g.date_end and g.date_start <= e.date.end]
            cands = dated or ([] if g.historical else cands)
        if not cands:
            return
        e = cands[0]
        if g.historical is not None:
            self.c["hist_n"] += 1
            self.c["hist_hit"] += bool(e.historical) == g.historical
            if e.historical:
                self.c["hist_pred"] += 1
                self.c["hist_pred_ok"] += g.historical
        if g.mode:
            self.c["mode_n"] += 1
            self.c["mode_hit"] += e.mode == g.mode

    def result(self) -> dict[str, Any]:
        c = self.c
        fields: dict[str, Any] = {
            "event_detection": prf(c["det_tp"], c["det_fp"], c["det_fn"]),
            "plover_type": prf(c["type_tp"], c["type_fp"], c["type_fn"]),
            "cameo_root": accuracy(c["cameo_hit"], c["cameo_n"]),
            "actor_pair": prf(c["pair_tp"], c["pair_fp"], c["pair_fn"]),
        }
        for role in ("source", "target"):
            for what in ("country", "kind", "text"):
                fields[f"{role}_actor_{what}"] = accuracy(c[f"{role}_{what}_hit"], c[f"{role}_{what}_n"])
        fields["place_country"] = accuracy(c["place_country_hit"], c["place_country_n"])
        fields["place_text"] = accuracy(c["place_text_hit"], c["place_text_n"])
        for key in ("country", "subnational"):
            fields[f"place_coords_{key}"] = distance_stats(self.errors[key], self.n_coords[key])
        fields["date_within_precision"] = accuracy(c["date_within"], c["date_n"])
        fields["date_exact_day"] = accuracy(c["day_hit"], c["day_n"])
        fields["fatalities_exact"] = accuracy(c["fat_hit"], c["fat_n"])
        fields["historical"] = {**accuracy(c["hist_hit"], c["hist_n"]),
                                "precision": ratio(c["hist_pred_ok"], c["hist_pred"])}
        fields["mode"] = accuracy(c["mode_hit"], c["mode_n"])
        fields["confusion"] = [[g, p, n] for (g, p), n in self.confusion.most_common(10)]
        return fields


# --- toponyms -------------------------------------------------------------------------------

class ToponymScorer:
    def __init__(self) -> None:
        self.c: Counter = Counter()
        self.errors: dict[str, list[float]] = {"country": [], "subnational": []}
        self.n_coords: Counter = Counter()

    def add(self, item: ToponymItem, places: list[Any]) -> None:
        spans = [(p, (p.start, p.end)) for p in places if p.start is not None and p.end is not None]
        for g in item.toponyms:
            hits = [p for p, s in spans if overlaps((g.start, g.end), s)]
            self.c["gold"] += 1
            self.c["found"] += bool(hits)
            if g.lat is None or g.lon is None:
                continue
            key = "country" if g.is_country else "subnational"
            self.n_coords[key] += 1
            dists = [haversine_km(g.lat, g.lon, p.lat, p.lon) for p in hits if p.lat is not None and p.lon is not None]
            if dists:
                self.errors[key].append(min(dists))
            # "correct country" (Mordecai 3's figure): resolved gold toponyms whose country we got
            gold_country = getattr(g, "country", None)
            if gold_country and hits:
                self.c["country_n"] += 1
                self.c["country_hit"] += any(p.country == gold_country for p in hits)
        self.c["pred"] += len(spans)
        self.c["pred_ok"] += sum(any(overlaps((g.start, g.end), s) for g in item.toponyms) for _, s in spans)

    def result(self) -> dict[str, Any]:
        c = self.c
        return {"toponym_recall": accuracy(c["found"], c["gold"]) | {"r": ratio(c["found"], c["gold"])},
                "toponym_precision": {"p": ratio(c["pred_ok"], c["pred"]), "n": c["pred"]},
                "toponym_country": accuracy(c["country_hit"], c["country_n"]),
                "place_coords": distance_stats(self.errors["country"] + self.errors["subnational"],
                                               sum(self.n_coords.values())),
                **{f"place_coords_{k}": distance_stats(self.errors[k], self.n_coords[k])
                   for k in ("country", "subnational")}}


# --- event location ---------------------------------------------------------------------------

def trigger_span(event: Any, text: str) -> Optional[tuple[int, int]]:
    """Character span of an event's trigger: its first word searched inside the evidence span."""
    for ev in getattr(event, "evidence", []) or []:
        words = re.findall(r"[\w'-]+", ev.trigger or "")
        if not words:
            continue
        at = text.find(words[0], ev.start, ev.end)
        if at >= 0:
            return at, at + len(words[0])
    return None


class LocationScorer:
    def __init__(self) -> None:
        self.c: Counter = Counter()

    def add(self, item: LocationItem, predicted: list[Any]) -> None:
        c = self.c
        c["items"] += 1
        match = next((e for e in predicted if (s := trigger_span(e, item.text)) and overlaps(item.verb, s)), None)
        if match is None:
            return
        c["verb_found"] += 1
        locs = [(p.start, p.end) for p in match.locations if p.start is not None]
        right = [s for s in locs if any(overlaps(g, s) for g in item.locations)]
        if item.locations:
            c["gold_loc"] += 1
            c["gold_loc_found"] += bool(right)
        else:
            c["no_loc"] += 1
            c["no_loc_ok"] += not locs
        if locs:
            c["pred_loc"] += 1
            c["pred_loc_ok"] += bool(right)

    def result(self) -> dict[str, Any]:
        c = self.c
        return {"event_verb_found": accuracy(c["verb_found"], c["items"]),
                "event_location": {"r": ratio(c["gold_loc_found"], c["gold_loc"]),
                                   "p": ratio(c["pred_loc_ok"], c["pred_loc"]), "n": c["gold_loc"]},
                "event_no_location": accuracy(c["no_loc_ok"], c["no_loc"])}


# --- dates and modes on TimeML --------------------------------------------------------------

class TimeScorer:
    """Dates found in the text (find_dates) and dates resolved from the gold span (resolve_expression)."""

    def __init__(self) -> None:
        self.c: Counter = Counter()

    def add_dates(self, item: TimeItem, mentions: list[Any], resolve) -> None:
        c = self.c
        for g in item.timexes:
            gs, ge = timex_interval(g.value)
            if gs is None:
                continue
            c["timex"] += 1
            hit = next((m for m in mentions if overlaps((g.start, g.end), (m.start, m.end))), None)
            c["found"] += hit is not None
            day = gs == ge
            c["day_n"] += day
            span = getattr(hit, "span", None)
            if span is not None:
                c["within"] += gs <= span.start and span.end <= ge
                c["exact"] += span.start == gs and span.end == ge
                c["day_hit"] += day and span.start == span.end == gs
            resolved = resolve(g.text, item.published)
            if resolved is not None:
                c["res_within"] += gs <= resolved.start and resolved.end <= ge
                c["res_exact"] += resolved.start == gs and resolved.end == ge

    def add_modes(self, item: TimeItem, predicted: list[Any]) -> None:
        """A gold event after the document date, or not certain, should not come out as `occurred`."""
        for e in predicted:
            s = trigger_span(e, item.text)
            gold = next((g for g in item.events if s and overlaps((g.start, g.end), s)), None)
            if gold is None:
                continue
            not_occurred = bool(gold.future) or gold.certain is False
            self.c["mode_n"] += 1
            self.c["mode_hit"] += (e.mode != "occurred") == not_occurred
            if e.mode != "occurred":
                self.c["mode_pred"] += 1
                self.c["mode_pred_ok"] += not_occurred

    def result(self) -> dict[str, Any]:
        c = self.c
        n = c["timex"]
        return {"date_found": accuracy(c["found"], n),
                "date_exact_interval": accuracy(c["exact"], n),
                "date_within_precision": accuracy(c["within"], n),
                "date_exact_day": accuracy(c["day_hit"], c["day_n"]),
                "date_resolve_exact": accuracy(c["res_exact"], n),
                "date_resolve_within": accuracy(c["res_within"], n),
                "mode": {**accuracy(c["mode_hit"], c["mode_n"]),
                         "precision": ratio(c["mode_pred_ok"], c["mode_pred"])}}
