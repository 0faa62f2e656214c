"""Run one data set through the pipeline and score it: name -> report dict (see docs/evaluation.md)."""

from __future__ import annotations

import os
import time
from typing import Any, Callable, Iterator, Optional

from ..errors import EvalError
from . import events_data, merge_data, places_data, time_data
from .scoring import EventScorer, LocationScorer, TimeScorer, ToponymScorer
from .split import SPLITS, in_split, split_of

# name -> (loader, kind). The kind picks what is run (extract_text, geocode_text, find_dates) and how it is scored.
REGISTRY: dict[str, tuple[Callable[[str], Iterator[Any]], str]] = {
    "plover-gsr-cameo": (events_data.load_plover_gsr, "events"),
    "petrarch2-gsr-validation": (events_data.load_petrarch2_gsr, "events"),
    "cameo-codebook-examples": (events_data.load_cameo_codebook, "events"),
    "wikievents": (events_data.load_wikievents, "events"),
    "ucdp-ged-sample": (events_data.load_ucdp, "events"),
    "gold-articles": (events_data.load_gold_articles, "events"),
    "tr-news": (places_data.load_tr_news, "toponyms"),
    "geowebnews": (places_data.load_geowebnews, "toponyms"),
    "geovirus": (places_data.load_geovirus, "toponyms"),
    "event-location-geolocating-political-events": (places_data.load_event_location, "locations"),
    "tempeval3-platinum": (time_data.load_tempeval3, "dates"),
    "meantime-english": (time_data.load_meantime, "dates"),
    # Cross-document merging of MEANTIME's annotated event mentions (see merge_data.py): with
    # eventcoder's dates and places, with the annotated dates, and on eventcoder's own reports.
    "meantime-merge": (merge_data.load_meantime_merge, "merge"),
    "meantime-merge-gold": (merge_data.load_meantime_merge_gold, "merge-gold"),
    "meantime-merge-e2e": (merge_data.load_meantime_merge_e2e, "merge-e2e"),
}
# Variants of one data set split as that data set does, so that their dev/test parts agree.
SPLIT_AS = {"meantime-merge-gold": "meantime-merge", "meantime-merge-e2e": "meantime-merge"}
DATASETS: dict[str, Callable[[str], Iterator[Any]]] = {name: spec[0] for name, spec in REGISTRY.items()}
SCORERS = {"events": EventScorer, "toponyms": ToponymScorer, "locations": LocationScorer, "dates": TimeScorer,
           "merge": merge_data.MergeScorer, "merge-gold": merge_data.MergeScorer,
           "merge-e2e": merge_data.MergeScorer}


def resolve_data_dir(data_dir: Optional[str] = None) -> str:
    """--data, else $EVENTCODER_SHARED/data, else ../shared/data from the current directory."""
    if data_dir is None:
        shared = os.environ.get("EVENTCODER_SHARED")
        data_dir = os.path.join(shared, "data") if shared else os.path.join("..", "shared", "data")
    if not os.path.isdir(data_dir):
        raise EvalError(f"evaluation data not found at {data_dir!r}: pass --data DIR or set EVENTCODER_SHARED")
    return data_dir


def _default_extractor():
    from ..api import extract_text

    return extract_text


class _Tools:
    """The pipeline parts an evaluation calls, loaded only when a data set needs them."""

    def __init__(self, extractor=None, geocoder=None, date_finder=None, resolver=None):
        self._extractor, self._geocoder = extractor, geocoder
        self._date_finder, self._resolver = date_finder, resolver
        self._nlp = None

    @property
    def nlp(self):
        if self._nlp is None:
            from ..nlp import load_nlp

            self._nlp = load_nlp()
        return self._nlp

    def extract(self, text: str, published=None) -> list[Any]:
        if self._extractor is None:
            self._extractor = _default_extractor()
        result = self._extractor(text, published=published)
        return list(getattr(result, "events", result))

    def geocode(self, text: str) -> list[Any]:
        if self._geocoder is None:
            from ..gazetteer import Gazetteer
            from ..geocode import geocode_text

            gazetteer = Gazetteer.load()
            self._geocoder = lambda t: geocode_text(t, self.nlp, gazetteer)
        return list(self._geocoder(text))

    @property
    def gazetteer(self):
        if getattr(self, "_gazetteer", None) is None:
            from ..gazetteer import Gazetteer

            self._gazetteer = Gazetteer.load()
        return self._gazetteer

    def find_dates(self, text: str, published) -> list[Any]:
        if self._date_finder is None:
            from ..dates import find_dates

            self._date_finder = lambda t, p: find_dates(self.nlp(t), p)
        return list(self._date_finder(text, published))

    def resolve(self, text: str, published):
        if self._resolver is None:
            from ..dates import resolve_expression

            self._resolver = resolve_expression
        return self._resolver(text, published)


def _predict(kind: str, item: Any, tools: _Tools) -> Callable[[Any], None]:
    """Run the pipeline part on one item; returns a function that feeds one scorer."""
    if kind == "events":
        events = tools.extract(item.text, published=item.published)
        return lambda s: s.add(item, events)
    if kind == "toponyms":
        places = tools.geocode(item.text)
        return lambda s: s.add(item, places)
    if kind == "locations":
        events = tools.extract(item.text)
        return lambda s: s.add(item, events)
    if kind == "merge-gold":  # the reports are given; the scorer clusters them all at the end
        return lambda s: s.add(item, item.reports)
    if kind == "merge":  # the gold reports, dated and placed by eventcoder's own stages
        reports = merge_data.attribute_with_pipeline(item, tools.nlp, tools.gazetteer)
        return lambda s: s.add(item, reports)
    if kind == "merge-e2e":  # eventcoder's own reports, matched to the gold mentions
        reports = merge_data.match_extracted(item, tools.extract)
        return lambda s: s.add(item, reports)
    mentions = tools.find_dates(item.text, item.published)
    resolved = {t.text: tools.resolve(t.text, item.published) for t in item.timexes}
    events = tools.extract(item.text, published=item.published) if item.events else []

    def feed(s: TimeScorer) -> None:
        s.add_dates(item, mentions, lambda text, _published: resolved[text])
        s.add_modes(item, events)
    return feed


def run_eval(dataset: str, *, limit: Optional[int] = None, split: str = "all", data_dir: Optional[str] = None,
             extractor=None, geocoder=None, date_finder=None, resolver=None) -> dict[str, Any]:
    """Score one data set (or "all"); `split` picks dev/test/all items, `limit` caps items per data set.

    Example:
        >>> report = run_eval("plover-gsr-cameo", limit=50, split="dev")
        >>> report["fields"]["plover_type"]["f1"]
    """
    if split not in SPLITS:
        raise EvalError(f"--split must be one of {', '.join(SPLITS)}, not {split!r}")
    tools = _Tools(extractor, geocoder, date_finder, resolver)
    if dataset == "all":
        return {"datasets": {name: run_eval(name, limit=limit, split=split, data_dir=data_dir,
                                            extractor=tools.extract, geocoder=tools.geocode,
                                            date_finder=tools.find_dates, resolver=tools.resolve)
                             for name in REGISTRY}}
    if dataset not in REGISTRY:
        raise EvalError(f"unknown data set {dataset!r}; choose one of: all, {', '.join(REGISTRY)}")
    loader, kind = REGISTRY[dataset]
    data_dir = resolve_data_dir(data_dir)
    scorers = {name: SCORERS[kind]() for name in (("all", "dev", "test") if split == "all" else (split,))}
    n_items = n_chars = n_errors = 0
    first_error = None
    elapsed = 0.0
    try:
        items = loader(data_dir)
        for item in items:
            if limit is not None and n_items >= limit:
                break
            if not in_split(SPLIT_AS.get(dataset, dataset), item.id, split):
                continue
            n_items += 1
            n_chars += len(item.text)
            started = time.perf_counter()
            try:
                feed = _predict(kind, item, tools)
            except ImportError as exc:  # a pipeline part is missing: no item can be scored
                raise EvalError(f"{dataset}: the pipeline cannot run ({exc}); is eventcoder fully installed?") from exc
            except Exception as exc:  # one failing item is reported, not fatal: the rest still measure
                n_errors += 1
                first_error = first_error or f"{item.id}: {type(exc).__name__}: {exc}"
                continue
            finally:
                elapsed += time.perf_counter() - started
            feed(scorers[split if split != "all" else "all"])
            if split == "all":
                feed(scorers[split_of(SPLIT_AS.get(dataset, dataset), item.id)])
    except (OSError, ValueError, KeyError) as exc:
        raise EvalError(f"{dataset}: could not read the data under {data_dir}: {exc}") from exc
    report: dict[str, Any] = {
        "dataset": dataset, "kind": kind, "split": split, "items": n_items, "errors": n_errors,
        "first_error": first_error, "seconds": round(elapsed, 2),
        "throughput": {"articles_per_s": round(n_items / elapsed, 2) if elapsed else "n/a",
                       "chars_per_s": round(n_chars / elapsed) if elapsed else "n/a"},
        "fields": scorers[split].result(),
    }
    if split == "all":
        report["by_split"] = {name: scorers[name].result() for name in ("dev", "test")}
    return report
