"""Run `eventcoder eval` on every data set and write docs/accuracy.md; optionally raise floors.

    python scripts/write_accuracy.py [--pin-floors] [--allow-regression]

The table shows each field's headline figure on the dev split (rules may be studied there), the
test split (only measured) and both. `--pin-floors` sets eventcoder/evaluate/floors.json from the
test split; a floor is only ever raised unless `--allow-regression` is given.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys

from eventcoder.evaluate import REGISTRY, run_eval

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FLOORS = os.path.join(ROOT, "eventcoder", "evaluate", "floors.json")
OUT = os.path.join(ROOT, "docs", "accuracy.md")
# The figure that speaks for a field, in order of preference.
HEADLINE = ("f1", "acc161", "acc", "r", "p")
# Fields worth a regression floor (the others are diagnostics).
GATED = {"event_detection", "plover_type", "cameo_root", "actor_pair", "source_actor_country",
         "target_actor_country", "toponym_recall", "place_coords_subnational", "place_coords_country",
         "date_exact_day", "date_within_precision", "date_resolve_exact", "date_resolve_within",
         "fatalities_exact", "historical", "mode", "event_place", "place_coords", "toponym_country"}

# Mordecai 3's published figures on the same corpora (Halterman 2023, "Mordecai 3: A Neural
# Geoparser and Event Geocoder"): a neural ranker over a GeoNames Elasticsearch index.
MORDECAI3 = {"tr-news": {"place_coords": 0.873, "toponym_country": "0.97-0.98"},
             "geowebnews": {"place_coords": 0.941, "toponym_country": "0.97-0.98"}}


def mordecai_table(reports: dict) -> list[str]:
    """Toponym figures beside Mordecai 3's published ones, same corpora (issue 4)."""
    rows = ["## Geoparsing beside Mordecai 3", "",
            "Mordecai 3 needs a GeoNames Elasticsearch server and a transformer; eventcoder runs in-process "
            "with the shipped gazetteer.", "",
            "| corpus | figure | Mordecai 3 (published) | eventcoder dev | eventcoder test |", "|---|---|---|---|---|"]
    figures = (("place_coords", "acc161", "acc@161 km"), ("toponym_country", "acc", "correct country"),
               ("toponym_recall", "acc", "toponym recall"))
    for name in ("tr-news", "geowebnews"):
        rep = reports.get(name)
        if not rep:
            continue
        for field, key, label in figures:
            cells = []
            for split in ("dev", "test"):
                value = rep.get("by_split", {}).get(split, {}).get(field, {}).get(key)
                cells.append(f"{value:.3f}" if isinstance(value, (int, float)) else "n/a")
            theirs = MORDECAI3.get(name, {}).get(field, "–")
            rows.append(f"| {name} | {label} | {theirs} | {cells[0]} | {cells[1]} |")
    return rows + [""]


def headline(stats) -> tuple[str | None, object]:
    if not isinstance(stats, dict):
        return None, "n/a"
    for key in HEADLINE:
        if key in stats:
            return key, stats[key]
    return None, "n/a"


def fmt(value) -> str:
    return f"{value:.3f}" if isinstance(value, (int, float)) else str(value)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pin-floors", action="store_true")
    ap.add_argument("--allow-regression", action="store_true")
    ap.add_argument("--data", default=None)
    args = ap.parse_args()

    reports = {name: run_eval(name, split="all", data_dir=args.data) for name in REGISTRY}
    lines = [
        "# Accuracy",
        "",
        f"Last run: {dt.date.today().isoformat()}, eventcoder {__import__('eventcoder').__version__}, "
        "with `python scripts/write_accuracy.py` (which runs `eventcoder eval DATASET --split all` "
        "for every data set in ../shared/data and ../shared/gold).",
        "",
        "Each data set is split once by a fixed seed (sha256 of its item ids): **dev** may be studied "
        "when improving rules, **test** is only measured. `n/a`: the data set has no gold for "
        "that field. What each data set measures: ../shared/data/README.md; how each figure is "
        "scored: docs/evaluation.md.",
        "",
    ]
    for name, rep in reports.items():
        lines += [f"## {name}", "",
                  f"{rep['items']} items, {rep['seconds']:.1f} s, "
                  f"{rep['throughput'].get('articles_per_s', 'n/a')} articles/s, {rep['errors']} errors", "",
                  "| field | figure | dev | test | all | n |", "|---|---|---|---|---|---|"]
        by = rep.get("by_split", {})
        for field, stats in rep["fields"].items():
            key, value = headline(stats)
            if key is None:
                continue
            dev = headline(by.get("dev", {}).get(field))[1]
            test = headline(by.get("test", {}).get(field))[1]
            if all(not isinstance(v, (int, float)) for v in (dev, test, value)):
                continue  # no gold for this field in this data set (`eventcoder eval` shows n/a)
            n = stats.get("n", stats.get("tp", 0) + stats.get("fn", 0)) if isinstance(stats, dict) else ""
            lines.append(f"| {field} | {key} | {fmt(dev)} | {fmt(test)} | {fmt(value)} | {n} |")
        lines.append("")
    lines += mordecai_table(reports)
    with open(OUT, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))
    print(f"wrote {OUT}")

    if args.pin_floors:
        with open(FLOORS, encoding="utf-8") as fh:
            floors = json.load(fh)
        for name, rep in reports.items():
            test = rep.get("by_split", {}).get("test", {})
            for field, stats in test.items():
                key, value = headline(stats)
                if field not in GATED or not isinstance(value, (int, float)):
                    continue
                dotted = f"{field}.{key}"
                old = floors.get(name, {}).get(dotted)
                if old is not None and value < old and not args.allow_regression:
                    print(f"keeping floor {name} {dotted} = {old} (now {value}); "
                          "--allow-regression lowers it", file=sys.stderr)
                    continue
                floors.setdefault(name, {})[dotted] = round(value, 4)
        with open(FLOORS, "w", encoding="utf-8") as fh:
            json.dump(floors, fh, indent=1, sort_keys=True)
            fh.write("\n")
        print(f"wrote {FLOORS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
