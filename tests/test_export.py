import csv
import io
import json

import pytest

from eventcoder import export
from test_store import make_result


def test_export_csv_has_acled_like_columns():
    buf = io.StringIO()
    assert 1 == export.write(make_result().events, "csv", buf)
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert 1 == len(rows)
    row = rows[0]
    assert "2022-03-14" == row["event_date"]
    assert "ASSAULT" == row["event_type"]
    assert "Syrian security forces" == row["actor1"]
    assert "SYR" == row["country"]
    assert "2" == row["fatalities"]
    assert "1" == row["n_sources"]
    assert "Troops shelled the village of Kafr Nabl on Monday." == row["notes"]


def test_export_jsonl_is_the_schema_record():
    buf = io.StringIO()
    events = make_result(events=2).events
    assert 2 == export.write(events, "jsonl", buf)
    lines = buf.getvalue().splitlines()
    first = json.loads(lines[0])
    assert events[0].to_dict().items() <= first.items()
    assert 1 == first["n_sources"]


def test_export_geojson_points_are_lon_lat():
    buf = io.StringIO()
    assert 1 == export.write(make_result().events, "geojson", buf)
    doc = json.loads(buf.getvalue())
    assert "FeatureCollection" == doc["type"]
    (feature,) = doc["features"]
    assert [36.6, 35.6] == feature["geometry"]["coordinates"]
    assert "Kafr Nabl" == feature["properties"]["location"]


def test_export_geojson_skips_events_without_coordinates():
    result = make_result()
    result.events[0].locations[0].lat = None
    buf = io.StringIO()
    assert 0 == export.write(result.events, "geojson", buf)
    assert [] == json.loads(buf.getvalue())["features"]


def test_export_unknown_format():
    with pytest.raises(ValueError, match="unknown export format 'xml'"):
        export.write([], "xml", io.StringIO())


def test_export_merged_event_carries_sources_and_figures(tmp_path):
    from eventcoder.store import open_store

    with open_store(str(tmp_path / "e.db")) as store:
        store.write(make_result(article_id="a1", source="Wire A", dead=2))
        store.write(make_result(article_id="a2", source="Wire B", dead=5))
        events = list(store.query_events())
    buf = io.StringIO()
    export.write(events, "csv", buf)
    (row,) = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert ("2", "2", "Wire A; Wire B", "a1; a2") == (row["n_sources"], row["n_reports"], row["source"], row["article_ids"])
    assert ("2", "2", "5") == (row["fatalities"], row["fatalities_low"], row["fatalities_high"])
    buf = io.StringIO()
    export.write(events, "jsonl", buf)
    record = json.loads(buf.getvalue())
    assert 2 == record["n_sources"]
    assert ["Wire A", "Wire B"] == [s["source"] for s in record["sources"]]
    assert [2, 5] == [x["count"] for x in record["fatalities_by_source"]]
    buf = io.StringIO()
    export.write(events, "geojson", buf)
    assert 2 == json.loads(buf.getvalue())["features"][0]["properties"]["n_sources"]
