"""Write events as CSV (ACLED-like columns), JSONL (SCHEMA.md records), GeoJSON or Parquet."""

from __future__ import annotations

import csv
import json
from typing import IO, Iterable

from .model import Event

FORMATS = ("csv", "jsonl", "geojson", "parquet")
BINARY_FORMATS = ("parquet",)  # written to a path, not a text stream

# One row per event; column names echo ACLED's export where the meaning is the same.
CSV_COLUMNS = (
    "event_id", "event_date", "date_end", "date_precision", "year", "event_type", "mode",
    "historical", "cameo_root", "acled_event_type", "acled_sub_event_type",
    "actor1", "actor1_id", "actor1_country", "actor1_kind",
    "actor2", "actor2_id", "actor2_country", "actor2_kind",
    "country", "admin1", "location", "latitude", "longitude", "geo_precision",
    "fatalities", "fatalities_qualifier", "injuries", "arrests", "attributed_to",
    "source", "published", "article_id", "n_sources", "notes", "trigger", "confidence",
    "n_reports", "article_ids", "fatalities_low", "fatalities_high", "review_status",
)


def event_row(event: Event) -> dict:
    """Flatten one event into the CSV columns (first actor of each side, first location).

    A merged event's `source` lists every outlet and `article_ids` every article that reported it;
    `published`/`article_id` are the earliest report's.
    """
    a1 = event.source_actors[0] if event.source_actors else None
    a2 = event.target_actors[0] if event.target_actors else None
    loc = event.locations[0] if event.locations else None
    ev = event.evidence[0] if event.evidence else None
    src = event.sources[0] if event.sources else None

    def names(actors):
        return "; ".join(a.name or a.text for a in actors)

    return {
        "event_id": event.id,
        "event_date": event.date.start.isoformat() if event.date else "",
        "date_end": event.date.end.isoformat() if event.date else "",
        "date_precision": event.date.precision if event.date else "",
        "year": event.date.start.year if event.date else "",
        "event_type": event.type,
        "mode": event.mode,
        "historical": int(event.historical),
        "cameo_root": event.cameo_root or "",
        "acled_event_type": (event.acled or {}).get("event_type", ""),
        "acled_sub_event_type": (event.acled or {}).get("sub_event_type", ""),
        "actor1": names(event.source_actors),
        "actor1_id": a1.id or "" if a1 else "",
        "actor1_country": a1.country or "" if a1 else "",
        "actor1_kind": a1.kind or "" if a1 else "",
        "actor2": names(event.target_actors),
        "actor2_id": a2.id or "" if a2 else "",
        "actor2_country": a2.country or "" if a2 else "",
        "actor2_kind": a2.kind or "" if a2 else "",
        "country": loc.country or "" if loc else "",
        "admin1": loc.admin1 or "" if loc else "",
        "location": "; ".join(p.name for p in event.locations),
        "latitude": loc.lat if loc and loc.lat is not None else "",
        "longitude": loc.lon if loc and loc.lon is not None else "",
        "geo_precision": loc.precision if loc else "",
        "fatalities": event.fatalities.count if event.fatalities else "",
        "fatalities_qualifier": event.fatalities.qualifier if event.fatalities else "",
        "injuries": event.injuries.count if event.injuries else "",
        "arrests": event.arrests.count if event.arrests else "",
        "attributed_to": event.attributed_to or "",
        "source": "; ".join(sorted({s.source for s in event.sources if s.source})),
        "published": src.published or "" if src else "",
        "article_id": src.article_id if src else "",
        "n_sources": event.n_sources,
        "notes": ev.text if ev else "",
        "trigger": ev.trigger if ev else "",
        "confidence": event.confidence,
        "n_reports": event.n_reports,
        "article_ids": "; ".join(s.article_id for s in event.sources),
        "fatalities_low": (event.fatalities_range or {}).get("low", ""),
        "fatalities_high": (event.fatalities_range or {}).get("high", ""),
        "review_status": event.review_status,
    }


def write_csv(events: Iterable[Event], fp: IO[str]) -> int:
    writer = csv.DictWriter(fp, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    n = 0
    for event in events:
        writer.writerow(event_row(event))
        n += 1
    return n


def write_jsonl(events: Iterable[Event], fp: IO[str]) -> int:
    n = 0
    for event in events:
        record = event.to_dict()  # carries n_sources, sources and the figures per source
        fp.write(json.dumps(record, ensure_ascii=False) + "\n")
        n += 1
    return n


def write_geojson(events: Iterable[Event], fp: IO[str]) -> int:
    """One Point feature per event and located place; events without coordinates are left out."""
    fp.write('{"type": "FeatureCollection", "features": [')
    n = 0
    for event in events:
        for place in event.locations:
            if place.lat is None or place.lon is None:
                continue
            row = event_row(event)
            row.update({"location": place.name, "country": place.country or "",
                        "admin1": place.admin1 or "", "geo_precision": place.precision})
            for k in ("latitude", "longitude"):
                row.pop(k)
            feature = {"type": "Feature", "id": f"{event.id}:{n}",
                       "geometry": {"type": "Point", "coordinates": [place.lon, place.lat]},
                       "properties": row}
            fp.write(("," if n else "") + "\n" + json.dumps(feature, ensure_ascii=False))
            n += 1
    fp.write("\n]}\n")
    return n


PARQUET_INTS = ("year", "fatalities", "injuries", "arrests", "n_sources", "n_reports",
                 "fatalities_low", "fatalities_high")
PARQUET_FLOATS = ("latitude", "longitude", "confidence")


def write_parquet(events: Iterable[Event], path: str, batch_size: int = 10_000) -> int:
    """The CSV columns, typed, plus `record` (the SCHEMA.md JSON), in row groups of `batch_size`.

    Streams: at most one row group is held in memory. Needs pyarrow (extra `archives`).
    """
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise ValueError("Parquet export needs pyarrow: pip install 'eventcoder[archives]'") from exc

    def typed(name):
        if name in PARQUET_INTS:
            return pa.int64()
        if name in PARQUET_FLOATS:
            return pa.float64()
        if name == "historical":
            return pa.bool_()
        return pa.string()

    schema = pa.schema([(c, typed(c)) for c in CSV_COLUMNS] + [("record", pa.string())])

    def value(name, v):
        if v in ("", None):
            return None
        if name in PARQUET_INTS:
            return int(v)
        if name in PARQUET_FLOATS:
            return float(v)
        if name == "historical":
            return v if isinstance(v, bool) else str(v).lower() in ("1", "true")
        return str(v)

    n = 0
    rows: list[dict] = []
    with pq.ParquetWriter(path, schema) as writer:
        for event in events:
            row = event_row(event)
            rows.append({**{c: value(c, row.get(c)) for c in CSV_COLUMNS},
                         "record": json.dumps(event.to_dict(), ensure_ascii=False)})
            n += 1
            if len(rows) >= batch_size:
                writer.write_table(pa.Table.from_pylist(rows, schema=schema))
                rows = []
        if rows or n == 0:
            writer.write_table(pa.Table.from_pylist(rows, schema=schema))
    return n


WRITERS = {"csv": write_csv, "jsonl": write_jsonl, "geojson": write_geojson, "parquet": write_parquet}


def write(events: Iterable[Event], fmt: str, fp) -> int:
    """Write `events` to `fp` in `fmt` (a path for Parquet); returns how many records (features
    for GeoJSON) were written."""
    try:
        writer = WRITERS[fmt]
    except KeyError:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}") from None
    return writer(events, fp)
