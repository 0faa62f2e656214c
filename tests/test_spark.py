"""`eventcoder spark` on local[2]: the Parquet output equals the local run on the same input."""

import json
import shutil

import pytest

pytest.importorskip("pyspark")
pa = pytest.importorskip("pyarrow")
import pyarrow.parquet as pq  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java 17 (no java found)")

ARTICLES = [
    ("Police in Lagos arrested 14 protesters on Monday after a rally outside the governor's office.", "2022-03-14"),
    ("Gunmen attacked a village near Maiduguri on Sunday, killing six farmers, the army said.", "2022-03-14"),
    ("The weather in Nairobi was mild and dry this week.", "2022-03-15"),
    ("Ministers from Kenya and Uganda met in Kampala on Tuesday and signed a trade agreement. "
     "They said talks would resume in May.", "2022-03-16"),
    ("Militants attacked an army post near Maiduguri on Sunday, killing six soldiers.", "2022-03-15"),
]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    from eventcoder.spark import run_spark

    root = tmp_path_factory.mktemp("spark")
    inputs = root / "in"
    inputs.mkdir()
    for part in range(2):  # a partitioned JSONL corpus plus one Parquet part
        with open(inputs / f"part-{part}.jsonl", "w", encoding="utf-8") as fh:
            for text, day in ARTICLES[part * 2:part * 2 + 2]:
                fh.write(json.dumps({"text": text, "published": day, "source": f"Wire {part}"}) + "\n")
    pq.write_table(pa.table({"text": [ARTICLES[4][0]], "date": [ARTICLES[4][1]], "source": ["Wire 2"]}),
                   inputs / "part-2.parquet")
    out = root / "out"
    counts = run_spark([str(inputs)], str(out), master="local[2]", partitions=2)
    return inputs, out, counts


def test_spark_output_equals_local_run(run):
    from eventcoder.api import extract_paths

    inputs, out, counts = run
    local = sorted((r.to_dict() for r in extract_paths([str(inputs)])), key=lambda d: d["article"]["id"])
    rows = pq.read_table(out / "articles").to_pylist()
    spark = sorted((json.loads(r["record"]) for r in rows), key=lambda d: d["article"]["id"])
    assert spark == local
    assert counts["articles"] == len(ARTICLES) and counts["input_errors"] == 0
    assert counts["events"] == sum(len(d["events"]) for d in local) >= 4
    # The nested columns carry the SCHEMA.md layout too.
    by_id = {r["article"]["id"]: r for r in rows}
    for doc in local:
        row = by_id[doc["article"]["id"]]
        assert row["article"] == doc["article"]
        assert [e["id"] for e in row["events"]] == [e["id"] for e in doc["events"]]
        assert [e["type"] for e in row["events"]] == [e["type"] for e in doc["events"]]
        assert [[a["name"] for a in e["source_actors"]] for e in row["events"]] == \
            [[a["name"] for a in e["source_actors"]] for e in doc["events"]]


def test_spark_merge_stage_equals_local_merge(run):
    from eventcoder.api import extract_paths
    from eventcoder.spark import merge_group, week_key

    inputs, out, counts = run
    groups: dict = {}
    for result in extract_paths([str(inputs)]):
        for event in result.to_dict()["events"]:
            groups.setdefault(week_key(event), []).append(json.dumps(event))
    local = sorted(row["reports"] for group in groups.values() for row in merge_group(group))
    rows = pq.read_table(out / "events").to_pylist()
    assert sorted(r["reports"] for r in rows) == local
    assert counts["merged_events"] == len(rows) <= counts["events"]
