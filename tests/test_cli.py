"""The commands as a user runs them: extract, ingest, events, export, geocode."""

import csv
import io
import json
import os
import shutil

import pytest
from click.testing import CliRunner

from eventcoder.cli import cli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "examples", "article.txt")
SCHEMA_EVENT_KEYS = {"id", "type", "mode", "historical", "cameo_root", "acled", "source_actors",
                     "target_actors", "date", "locations", "fatalities", "injuries", "arrests",
                     "attributed_to", "evidence", "sources", "extractor", "confidence"}


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    (folder / "nested").mkdir(parents=True)
    shutil.copy(EXAMPLE, folder / "article.txt")
    (folder / "nested" / "second.txt").write_text(
        "date 2022-03-18 Fixture Wire - Police in Lagos arrested 25 protesters on Tuesday.\n", encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    return folder


def test_cli_extract_table(runner):
    result = runner.invoke(cli, ["extract", EXAMPLE])
    assert 0 == result.exit_code, result.output
    assert "Sahel Monitor 2024-05-17" in result.output
    assert "ASSAULT" in result.output
    assert "Djibo" in result.output


def test_cli_extract_json_is_the_schema_record(runner):
    result = runner.invoke(cli, ["extract", EXAMPLE, "--json"])
    assert 0 == result.exit_code, result.output
    doc = json.loads(result.output)
    assert {"id", "source", "published", "url", "title"} == set(doc["article"])
    assert "Sahel Monitor" == doc["article"]["source"]
    assert doc["events"]
    for event in doc["events"]:
        assert SCHEMA_EVENT_KEYS <= set(event)
        assert event["evidence"][0]["article_id"] == doc["article"]["id"]
    assault = [e for e in doc["events"] if e["type"] == "ASSAULT" and e["mode"] == "occurred"]
    assert assault and assault[0]["fatalities"] == {"count": 12, "qualifier": "at_least",
                                                    "text": assault[0]["fatalities"]["text"]}
    assert "2024-05-14" == assault[0]["date"]["start"]


def test_cli_extract_plain_text_from_stdin(runner):
    result = runner.invoke(cli, ["extract", "-", "--published", "2022-03-18", "--source", "Wire", "--json"],
                           input="Police in Lagos arrested 25 protesters on Tuesday.")
    assert 0 == result.exit_code, result.output
    doc = json.loads(result.output)
    assert "2022-03-18" == doc["article"]["published"]
    (event,) = [e for e in doc["events"] if e["type"] == "COERCE"]
    assert 25 == event["arrests"]["count"]


def test_cli_extract_bad_input_only_fails(runner, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = runner.invoke(cli, ["extract", str(empty)])
    assert 1 == result.exit_code
    assert str(empty) in result.output


def test_cli_ingest_events_export(runner, corpus, tmp_path):
    db = str(tmp_path / "events.db")
    first = runner.invoke(cli, ["ingest", str(corpus), "--db", db, "--quiet"])
    assert 0 == first.exit_code, first.output
    assert "2 new articles, 0 already stored" in first.output
    assert "1 inputs skipped" in first.output
    assert "empty.txt" in first.output
    again = runner.invoke(cli, ["ingest", str(corpus), "--db", db, "--quiet"])
    assert "0 new articles, 2 already stored, 0 events written" in again.output

    listed = runner.invoke(cli, ["events", "--db", db, "--type", "COERCE", "--json"])
    assert 0 == listed.exit_code, listed.output
    coerce = [json.loads(line) for line in listed.output.splitlines() if line.startswith("{")]
    assert {e["type"] for e in coerce} == {"COERCE"}
    assert len(coerce) >= 2

    by_country = runner.invoke(cli, ["events", "--db", db, "--country", "NGA", "--json"])
    lagos = [json.loads(line) for line in by_country.output.splitlines() if line.startswith("{")]
    assert lagos and all(any(p["country"] == "NGA" for p in e["locations"]) for e in lagos)

    out = runner.invoke(cli, ["export", "--db", db, "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert len(rows) >= 5
    assert {"event_id", "event_date", "event_type", "actor1", "latitude", "fatalities"} <= set(rows[0])

    geo = runner.invoke(cli, ["export", "--db", db, "--format", "geojson"])
    features = json.loads(geo.stdout)["features"]
    assert features and all(len(f["geometry"]["coordinates"]) == 2 for f in features)


def test_cli_events_missing_store(runner, tmp_path):
    result = runner.invoke(cli, ["events", "--db", str(tmp_path / "nope.db")])
    assert 1 == result.exit_code
    assert "no such store" in result.output


def test_cli_geocode(runner):
    result = runner.invoke(cli, ["geocode", "Clashes broke out in Kharkiv and in Mogadishu.", "--json"])
    assert 0 == result.exit_code, result.output
    places = {p["name"]: p["country"] for p in json.loads(result.output)}
    assert {"Kharkiv": "UKR", "Mogadishu": "SOM"}.items() <= places.items()


FAKE_DATA = os.path.join(ROOT, "tests", "texts", "eval", "shared", "data")


def test_cli_eval_runs_the_real_pipeline_on_a_data_set(runner):
    result = runner.invoke(cli, ["eval", "plover-gsr-cameo", "--data", FAKE_DATA, "--json"])
    assert 0 == result.exit_code, result.output
    report = json.loads(result.output)
    assert report["items"] > 0
    assert isinstance(report["fields"]["plover_type"]["f1"], float)
    assert "n/a" == report["fields"]["date_exact_day"]["acc"]


def test_cli_eval_table_and_unknown_data_set(runner):
    table = runner.invoke(cli, ["eval", "tr-news", "--data", FAKE_DATA])
    assert 0 == table.exit_code, table.output
    assert "toponym_recall" in table.output
    unknown = runner.invoke(cli, ["eval", "no-such-set", "--data", FAKE_DATA])
    assert 1 == unknown.exit_code
    assert "unknown data set 'no-such-set'" in unknown.output


def test_store_urls_are_printed_without_their_password():
    from eventcoder.cli import _safe_url

    assert _safe_url("postgresql://analyst:s3cret@db.example.org/events") == \
        "postgresql://analyst:***@db.example.org/events"
    assert _safe_url("postgresql://analyst@db.example.org/events") == "postgresql://analyst@db.example.org/events"
    assert _safe_url("events.db") == "events.db"


def test_cli_search_filters_and_parquet_export(runner, corpus, tmp_path):
    db = str(tmp_path / "events.db")
    assert 0 == runner.invoke(cli, ["ingest", str(corpus), "--db", db, "--quiet"]).exit_code

    def listed(*args):
        out = runner.invoke(cli, ["events", "--db", db, "--json", *args])
        assert 0 == out.exit_code, out.output
        return [json.loads(line) for line in out.output.splitlines() if line.startswith("{")]

    protesters = listed("--text", "protesters")
    assert protesters and all("protesters" in " ".join(ev["text"] for ev in e["evidence"]).lower()
                              for e in protesters)
    assert listed("--text", "zeppelin") == []
    lagos = listed("--place", "Lagos")
    assert lagos and all(any("Lagos" in p["name"] for p in e["locations"]) for e in lagos)
    assert listed("--min-sources", "2") == []  # each event here has one report
    assert len(listed("--min-sources", "1")) == len(listed())

    pq = pytest.importorskip("pyarrow.parquet")
    path = str(tmp_path / "events.parquet")
    missing = runner.invoke(cli, ["export", "--db", db, "--format", "parquet"])
    assert missing.exit_code != 0 and "--output" in missing.output
    out = runner.invoke(cli, ["export", "--db", db, "--format", "parquet", "--output", path])
    assert 0 == out.exit_code, out.output
    table = pq.read_table(path)
    assert table.num_rows == len(listed())
    rows = table.to_pylist()
    assert {r["event_type"] for r in rows} >= {"COERCE"}
    assert all(json.loads(r["record"])["id"] == r["event_id"] for r in rows)
    assert any(isinstance(r["latitude"], float) for r in rows)
