"""Files on a Spark cluster -> Parquet of SCHEMA.md records, plus merged events (second stage).

Stage 1 distributes the input files (JSONL, Parquet, WARC, any format `read_paths` reads) over
the executors; each partition is read record by record and extracted with one Extractor per
executor Python process (loaded on first use, reused by every later task there), so the model
loads once per process, not once per task. Output: OUTPUT/articles, one row per article in the
SCHEMA.md layout (`article`, `events`) plus `record`, the exact JSON `extract --json` prints.
Stage 2 (`merge=True`) groups event reports by ISO week and clusters each group with
merge.cluster_reports / merge.build_event into OUTPUT/events, one row per merged event.

The unit of parallelism is the input file: split a big corpus into many files (as Common
Crawl's WARC files and partitioned Parquet already are). Recipe (docs/performance.md):

    pip install 'eventcoder[spark]'   # on every node, with the spaCy model (or ship a packed venv)
    spark-submit --master yarn --conf spark.python.worker.reuse=true \\
        "$(python -c 'import eventcoder.spark as m; print(m.__file__)')" hdfs:///news/ hdfs:///out/

Example:
    >>> run_spark(["corpus/"], "out/", master="local[2]")
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from typing import Iterable, Iterator, Optional

from eventcoder.errors import ConfigError

ACTOR = "struct<text:string,name:string,id:string,country:string,kind:string>"
PLACE = ("struct<text:string,name:string,country:string,admin1:string,lat:double,lon:double,"
         "geonames_id:bigint,precision:string>")
COUNT = "struct<count:bigint,qualifier:string,text:string>"
EVENT = (
    "struct<id:string,type:string,mode:string,historical:boolean,cameo_root:string,"
    "acled:struct<event_type:string,sub_event_type:string>,"
    f"source_actors:array<{ACTOR}>,target_actors:array<{ACTOR}>,"
    "date:struct<start:string,end:string,precision:string,basis:string>,"
    f"locations:array<{PLACE}>,fatalities:{COUNT},injuries:{COUNT},arrests:{COUNT},"
    "attributed_to:string,"
    "evidence:array<struct<article_id:string,sentence_index:bigint,start:bigint,end:bigint,"
    "text:string,trigger:string>>,"
    "sources:array<struct<article_id:string,source:string,published:string>>,"
    "extractor:struct<name:string,version:string,model:string,fields:map<string,string>>,"
    "confidence:double>")
ARTICLE = "struct<id:string,source:string,published:string,url:string,title:string>"
# The SCHEMA.md fields as Spark columns; `record` keeps the whole document (fields added to the
# model later included), so nothing is lost between a local run and a Spark run.
ARTICLES_DDL = f"article {ARTICLE}, events array<{EVENT}>, record string"
EVENTS_DDL = f"event {EVENT}, reports array<string>, record string"

_EXTRACTOR = None  # one per executor Python process


def _extractor(model: Optional[str], fast: Optional[bool]):
    global _EXTRACTOR
    if _EXTRACTOR is None:
        from eventcoder.pipeline import Extractor

        _EXTRACTOR = Extractor(model=model, fast=fast)
    return _EXTRACTOR


def input_files(paths: Iterable[str]) -> list[str]:
    """Files under `paths` (folders walked as read_paths walks them), sorted, on the driver."""
    from eventcoder.ingest import walk

    files: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            files.extend(walk(path))
        elif os.path.exists(path):
            files.append(path)
        else:
            raise ConfigError(f"{path}: no such file or folder")
    return files


def extract_partition(files: Iterable[str], model: Optional[str] = None, fast: Optional[bool] = None,
                      read_options: Optional[dict] = None, errors=None) -> Iterator[dict]:
    """One partition: the articles in `files` -> article rows (dicts in the ARTICLES_DDL layout).

    Pure of Spark, so the local run and a test can call exactly what the executors run."""
    from eventcoder.errors import InputError
    from eventcoder.ingest import read_paths

    items = read_paths(list(files), **(read_options or {}))
    extractor = _extractor(model, fast)

    def articles():
        for item in items:
            if isinstance(item, InputError):
                if errors is not None:
                    errors.add(1)
                continue
            yield item

    for result in extractor.extract_many(articles()):
        record = result.to_dict()
        yield {"article": record["article"], "events": record["events"],
               "record": json.dumps(record, sort_keys=True, ensure_ascii=False)}


def merge_group(records: Iterable[str]) -> Iterator[dict]:
    """Stage 2 on one group of event records (JSON): merge.cluster_reports, then build_event."""
    from eventcoder.merge import build_event, cluster_reports
    from eventcoder.model import Event

    reports = {e.id: e for e in (Event.from_dict(json.loads(r)) for r in records)}
    for ids in cluster_reports(list(reports.values())):
        merged = build_event(ids[0], [reports[i] for i in ids]).to_dict()
        yield {"event": merged, "reports": ids,
               "record": json.dumps(merged, sort_keys=True, ensure_ascii=False)}


def week_key(event: dict) -> str:
    """ISO week of the event's start date, else of its publication: the merge group."""
    day = (event.get("date") or {}).get("start") or next(
        (s.get("published") for s in event.get("sources") or [] if s.get("published")), None)
    if not day:
        return "undated"
    year, week, _ = dt.date.fromisoformat(day[:10]).isocalendar()
    return f"{year}-W{week:02d}"


def coerce(value, dtype):
    """A to_dict() value made to fit a Spark type (ints where doubles go, dropped extra keys)."""
    from pyspark.sql import types as T

    if value is None:
        return None
    if isinstance(dtype, T.StructType):
        return {f.name: coerce(value.get(f.name), f.dataType) for f in dtype.fields}
    if isinstance(dtype, T.ArrayType):
        return [coerce(v, dtype.elementType) for v in value]
    if isinstance(dtype, T.MapType):
        return {str(k): None if v is None else str(v) for k, v in value.items()}
    if isinstance(dtype, T.DoubleType):
        return float(value)
    if isinstance(dtype, (T.LongType, T.IntegerType)):
        return int(value)
    if isinstance(dtype, T.BooleanType):
        return bool(value)
    return str(value)


def run_spark(paths: Iterable[str], output: str, *, master: Optional[str] = None,
              partitions: Optional[int] = None, model: Optional[str] = None,
              fast: Optional[bool] = None, merge: bool = True, read_options: Optional[dict] = None,
              spark=None) -> dict:
    """Run both stages; returns counts {files, articles, events, input_errors, merged_events}."""
    try:
        from pyspark.sql import SparkSession
        from pyspark.sql.types import StructType
    except ImportError:
        raise ConfigError("eventcoder spark needs PySpark and Java 17: pip install 'eventcoder[spark]'") from None
    files = input_files(paths)
    if not files:
        raise ConfigError("no readable input files under the given paths")
    own = spark is None
    if own:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # executors run this Python
        builder = (SparkSession.builder.appName("eventcoder")
                   .config("spark.ui.enabled", "false")
                   .config("spark.sql.shuffle.partitions", str(max(2, partitions or 2))))
        if master:
            builder = builder.master(master)
        spark = builder.getOrCreate()
    try:
        sc = spark.sparkContext
        errors = sc.accumulator(0)
        article_schema = StructType.fromDDL(ARTICLES_DDL)
        n = min(len(files), partitions or sc.defaultParallelism)
        opts = dict(read_options or {})
        rows = (sc.parallelize(files, n)
                .mapPartitions(lambda part: extract_partition(part, model, fast, opts, errors))
                .map(lambda row: coerce(row, article_schema)))
        articles = spark.createDataFrame(rows, article_schema)
        articles.write.mode("overwrite").parquet(os.path.join(output, "articles"))
        stored = spark.read.parquet(os.path.join(output, "articles"))
        counts = {"files": len(files), "articles": stored.count(), "input_errors": errors.value}
        records = stored.select("record").rdd.flatMap(lambda r: json.loads(r.record)["events"])
        counts["events"] = records.count()
        if merge:
            event_schema = StructType.fromDDL(EVENTS_DDL)
            merged = (records.map(lambda e: (week_key(e), json.dumps(e)))
                      .groupByKey()
                      .flatMap(lambda kv: merge_group(kv[1]))
                      .map(lambda row: coerce(row, event_schema)))
            events = spark.createDataFrame(merged, event_schema)
            events.write.mode("overwrite").parquet(os.path.join(output, "events"))
            counts["merged_events"] = spark.read.parquet(os.path.join(output, "events")).count()
        return counts
    finally:
        if own:
            spark.stop()


def main(argv: Optional[list[str]] = None) -> None:
    """`spark-submit eventcoder/spark.py INPUT... OUTPUT` (the CLI's `eventcoder spark` twin)."""
    # Run as a script (spark-submit), this file is __main__: call the installed module's
    # functions, which executors can import by name.
    from eventcoder.spark import run_spark as run

    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 2:
        raise SystemExit("usage: spark.py INPUT... OUTPUT")
    print(json.dumps(run(args[:-1], args[-1])))


if __name__ == "__main__":
    main()


__all__ = ["ARTICLES_DDL", "EVENTS_DDL", "extract_partition", "input_files", "merge_group",
           "run_spark", "week_key"]
