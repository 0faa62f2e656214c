"""The `eventcoder` command: thin click shells over eventcoder.api."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import time

import click

from . import __version__
from .errors import EventcoderError, InputError


def _date(ctx, param, value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD") from None


def _safe_url(db: str) -> str:
    """A store URL fit to print: a password in it is replaced by ***."""
    return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", db)


def _read_options(published, source, fmt, text_field, date_field, source_field, max_bytes):
    fields = {k: v for k, v in (("text", text_field), ("published", date_field),
                                 ("source", source_field)) if v}
    return {"published": published, "source": source, "fmt": fmt, "fields": fields or None,
            "max_bytes": max_bytes}


def input_options(fn):
    """Options shared by the commands that read articles."""
    options = [
        click.option("--published", callback=_date, help="Publication date (YYYY-MM-DD) for plain text."),
        click.option("--source", help="Source (outlet) name for plain text."),
        click.option("--format", "fmt", type=click.Choice(["seed", "text", "jsonl", "json", "csv", "html", "warc", "parquet"]),
                     help="Input format; guessed from the extension and content if not given."),
        click.option("--text-field", help="JSONL/CSV field holding the article text."),
        click.option("--date-field", help="JSONL/CSV field holding the publication date."),
        click.option("--source-field", help="JSONL/CSV field holding the source name."),
        click.option("--max-bytes", type=int, default=20_000_000, show_default=True,
                     help="Largest file (or JSONL/CSV record) read."),
        click.option("--model", envvar="EVENTCODER_MODEL", help="spaCy pipeline to load."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


@click.group()
@click.version_option(__version__, prog_name="eventcoder")
def cli():
    """Turn news articles into attributed, geocoded, dated events."""


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the SCHEMA.md record (one JSON document per article).")
@input_options
def extract(paths, as_json, published, source, fmt, text_field, date_field, source_field, max_bytes, model):
    """Print the events of each article in PATHS (files, folders, or - for stdin).

    Example:

        eventcoder extract examples/article.txt --json
    """
    from .api import extract_paths

    ok = failed = 0
    try:
        opts = _read_options(published, source, fmt, text_field, date_field, source_field, max_bytes)
        for item in extract_paths(paths, model=model, **opts):
            if isinstance(item, InputError):
                failed += 1
                click.echo(f"Error: {item}", err=True)
                continue
            ok += 1
            if as_json:
                click.echo(json.dumps(item.to_dict(), ensure_ascii=False, indent=2))
            else:
                click.echo(format_table(item))
    except EventcoderError as exc:
        raise click.ClickException(str(exc)) from exc
    if failed and not ok:
        sys.exit(1)
    if failed:
        sys.exit(2)


def format_table(result) -> str:
    """A readable table of one article's events."""
    a = result.article
    lines = [f"{a.source or '?'} {a.published or '?'}  article {a.id}  {len(result.events)} event(s)"]
    header = f"{'#':>2}  {'type':<9} {'mode':<11} {'date':<10} {'source':<28} {'target':<28} {'place':<22} {'dead':>5}"
    lines += [header, "-" * len(header)]
    for i, e in enumerate(result.events, 1):
        mode = e.mode + ("*" if e.historical else "")
        date = e.date.start.isoformat() if e.date else ""
        src = ", ".join(x.name or x.text for x in e.source_actors)[:28]
        tgt = ", ".join(x.name or x.text for x in e.target_actors)[:28]
        place = ", ".join(p.name for p in e.locations)[:22]
        dead = "" if e.fatalities is None else str(e.fatalities.count)
        lines.append(f"{i:>2}  {e.type:<9} {mode:<11} {date:<10} {src:<28} {tgt:<28} {place:<22} {dead:>5}")
        lines.append(f"    {e.evidence[0].trigger!r}: {e.evidence[0].text[:110]}")
    lines.append("(* historical: recalled background, not new)")
    return "\n".join(lines)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--db", default="events.db", show_default=True, help="Store: SQLite file (created if missing) or postgresql:// URL.")
@click.option("--quiet", is_flag=True, help="No progress line.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Extract on N processes (each loads the model once); writes stay in input order.")
@input_options
def ingest(paths, db, quiet, workers, published, source, fmt, text_field, date_field, source_field,
           max_bytes, model):
    """Extract every article under PATHS into the store, one transaction per article.

    Re-ingesting the same articles changes nothing. Example:

        eventcoder ingest corpus/ --db events.db
    """
    from .api import ingest_paths

    start = time.monotonic()

    def progress(summary, item):
        if isinstance(item, InputError):
            click.echo(f"\rError: {item}", err=True)
        if not quiet:
            n = summary.articles_new + summary.articles_unchanged + summary.skipped
            rate = n / max(time.monotonic() - start, 1e-6)
            click.echo(f"\r{n} inputs, {summary.articles_new} new, {summary.events} events, "
                       f"{summary.skipped} skipped ({rate:.1f}/s)", err=True, nl=False)

    try:
        opts = _read_options(published, source, fmt, text_field, date_field, source_field, max_bytes)
        summary = ingest_paths(paths, db, model=model, progress=progress, workers=workers, **opts)
    except EventcoderError as exc:
        raise click.ClickException(str(exc)) from exc
    if not quiet:
        click.echo("", err=True)
    elapsed = time.monotonic() - start
    click.echo(f"{summary.articles_new} new articles, {summary.articles_unchanged} already stored, "
               f"{summary.events} events written, {summary.skipped} inputs skipped, "
               f"{elapsed:.1f}s -> {_safe_url(db)}")
    if summary.skipped and not (summary.articles_new or summary.articles_unchanged):
        sys.exit(1)


def filter_options(fn):
    options = [
        click.option("--db", default="events.db", show_default=True, help="Store: SQLite file or postgresql:// URL."),
        click.option("--type", "type_", help="PLOVER type, e.g. ASSAULT."),
        click.option("--mode", help="occurred, threatened, planned, demanded, denied, hypothetical."),
        click.option("--country", help="ISO3 country where it happened (e.g. PSE)."),
        click.option("--actor", help="Actor id or part of a name."),
        click.option("--since", callback=_date, help="Events ending on or after this date."),
        click.option("--until", callback=_date, help="Events starting on or before this date."),
        click.option("--historical/--current", default=None, help="Only recalled history, or only current events."),
        click.option("--place", help="Part of a place name (e.g. Gaza)."),
        click.option("--text", help="Full-text search over the evidence sentences."),
        click.option("--min-sources", type=click.IntRange(min=1), help="Events reported by at least N outlets."),
        click.option("--review-status", type=click.Choice(["unreviewed", "accepted", "rejected", "edited"]),
                     help="Only events with this review status."),
        click.option("--limit", type=int, help="At most this many events."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _filters(type_=None, **filters) -> dict:
    """Click's option values -> EventFilter fields (options left out are not filters)."""
    filters["type"] = type_
    return {k: v for k, v in filters.items() if v is not None}


def _check_store(db: str) -> None:
    import os

    if "://" not in db and not os.path.exists(db):  # a postgresql:// URL is checked on connect
        raise click.ClickException(f"{db}: no such store; run 'eventcoder ingest ... --db {db}' first")


@cli.command()
@filter_options
@click.option("--json", "as_json", is_flag=True, help="One SCHEMA.md event record per line.")
def events(db, as_json, **filters):
    """List stored events matching the filters.

    Example:

        eventcoder events --db events.db --type ASSAULT --country PSE --since 2022-03-01
    """
    from .api import query_events

    _check_store(db)
    try:
        found = query_events(db, **_filters(**filters))
    except EventcoderError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        for e in found:
            click.echo(json.dumps(e.to_dict(), ensure_ascii=False))
        return
    header = f"{'date':<10} {'type':<9} {'mode':<10} {'source':<26} {'target':<26} {'place':<20} {'dead':>4} {'src':>3}"
    click.echo(header)
    click.echo("-" * len(header))
    for e in found:
        date = e.date.start.isoformat() if e.date else ""
        src = ", ".join(x.name or x.text for x in e.source_actors)[:26]
        tgt = ", ".join(x.name or x.text for x in e.target_actors)[:26]
        place = ", ".join(p.name for p in e.locations)[:20]
        dead = "" if e.fatalities is None else str(e.fatalities.count)
        mode_ = e.mode + ("*" if e.historical else "")
        n_src = e.n_sources  # distinct outlets behind the merged event
        click.echo(f"{date:<10} {e.type:<9} {mode_:<10} {src:<26} {tgt:<26} {place:<20} {dead:>4} {n_src:>3}")
    click.echo(f"{len(found)} event(s)", err=True)


@cli.command()
@filter_options
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "geojson", "parquet"]), default="csv",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              help="File to write (default stdout; Parquet needs a file).")
def export(db, fmt, output, **filters):
    """Export stored events as CSV (ACLED-like columns), JSONL, GeoJSON or Parquet.

    Example:

        eventcoder export --db events.db --format geojson > events.geojson
    """
    from .api import export_events
    from .export import BINARY_FORMATS

    _check_store(db)
    if fmt in BINARY_FORMATS and output == "-":
        raise click.UsageError(f"--format {fmt} writes a file: give --output PATH")
    try:
        if fmt in BINARY_FORMATS:
            n = export_events(db, fmt, output, **_filters(**filters))
        else:
            with click.open_file(output, "w", encoding="utf-8") as fp:
                n = export_events(db, fmt, fp, **_filters(**filters))
    except (EventcoderError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{n} {'features' if fmt == 'geojson' else 'events'} written", err=True)


@cli.command()
@click.argument("text")
@click.option("--json", "as_json", is_flag=True)
@click.option("--model", envvar="EVENTCODER_MODEL")
def geocode(text, as_json, model):
    """Print each toponym in TEXT, its resolution, coordinates and why.

    Example:

        eventcoder geocode "Clashes were reported in Rafah, in the southern Gaza Strip."
    """
    from .api import get_extractor
    from .geocode import geocode_text

    ex = get_extractor(model)
    places = geocode_text(text, ex.nlp, ex.gazetteer)
    if as_json:
        click.echo(json.dumps([{**p.to_dict(), "start": p.start, "end": p.end, "score": p.score,
                                "reason": p.reason} for p in places], ensure_ascii=False, indent=2))
        return
    for p in places:
        click.echo(f"{p.text!r} -> {p.name}, {p.admin1 or '-'}, {p.country or '-'} "
                   f"({p.lat}, {p.lon}) [{p.precision}] {p.reason or ''}")
    if not places:
        click.echo("no places found", err=True)




@cli.group()
def gazetteer():
    """Build or inspect gazetteers (the place lookup table)."""


@gazetteer.command(name="build")
@click.option("--geonames", required=True, type=click.Path(exists=True, dir_okay=False),
              help="GeoNames dump: allCountries.zip, cities500.zip, cities1000.zip or the .txt inside.")
@click.option("--output", default="gazetteer.tsv.gz", show_default=True, type=click.Path(dir_okay=False),
              help="Where to write the gazetteer.")
@click.option("--min-population", type=int, default=500, show_default=True,
              help="Smallest town kept (capitals and admin seats are always kept).")
@click.option("--admin1-codes", type=click.Path(exists=True, dir_okay=False),
              help="GeoNames admin1CodesASCII.txt: names of first-level divisions.")
@click.option("--alternate-names", type=click.Path(exists=True, dir_okay=False),
              help="GeoNames alternateNamesV2.zip (or .txt): English alternate names.")
def gazetteer_build(geonames, output, min_population, admin1_codes, alternate_names):
    """Build a gazetteer from a GeoNames dump, in the shipped format.

    Countries and curated places (regions, camps, crossings, landmarks) are merged in from the
    shipped gazetteer. Use the result with EVENTCODER_GAZETTEER=PATH.

    Example:

        eventcoder gazetteer build --geonames allCountries.zip --output ~/geo/gazetteer.tsv.gz
    """
    import os

    from .gazetteer_build import build_gazetteer

    started = time.perf_counter()
    try:
        n = build_gazetteer(geonames, output, min_population=min_population,
                            admin1_codes=admin1_codes, alternate_names=alternate_names)
    except EventcoderError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{n:,} entries -> {output} in {time.perf_counter() - started:.0f} s; "
               f"use it with: export EVENTCODER_GAZETTEER={os.path.abspath(output)}", err=True)


@cli.command(name="spark")
@click.argument("paths", nargs=-1, required=True)
@click.argument("output")
@click.option("--master", help="Spark master URL (default: spark-submit's, else local[*]).")
@click.option("--partitions", type=int, help="Partitions (default: the cluster's parallelism).")
@click.option("--no-merge", is_flag=True, help="Skip the cross-article merge stage.")
@click.option("--model", envvar="EVENTCODER_MODEL", help="spaCy pipeline to load.")
def spark_cmd(paths, output, master, partitions, no_merge, model):
    """Extract PATHS (JSONL, Parquet, WARC, ...) on Apache Spark into Parquet under OUTPUT.

    OUTPUT/articles holds one SCHEMA.md record per article, OUTPUT/events the merged events.
    Example:

        eventcoder spark corpus/ out/ --master "local[2]"
    """
    from .spark import run_spark

    try:
        counts = run_spark(list(paths), output, master=master, partitions=partitions,
                           model=model, merge=not no_merge)
    except EventcoderError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items()) + f" -> {output}")


@cli.command(name="merge")
@click.option("--db", default="events.db", show_default=True, help="SQLite file or postgresql:// URL.")
@click.option("--by", default="eventcoder", show_default=True, help="Name recorded in the audit log.")
def merge_cmd(db, by):
    """Re-merge every stored report into events from scratch (analysts' splits and merges kept).

    Ingest merges as it goes; this gives the canonical result after a change of merge rules or
    for a store migrated from before merging.

    Example:

        eventcoder merge --db events.db
    """
    from .api import remerge

    try:
        out = remerge(db, by=by)
    except EventcoderError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{out['reports']} reports -> {out['events']} events ({out['changed']} event ids changed)")


@cli.command(name="eval")
@click.argument("dataset")
@click.option("--limit", type=int, help="At most N items of the data set.")
@click.option("--split", type=click.Choice(["dev", "test", "all"]), default="all", show_default=True,
              help="dev: the part rules may be studied on; test: measured only; all: both, reported apart.")
@click.option("--data", "data_dir", help="Folder of the annotated data sets (default ../shared/data).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON for scripts.")
def eval_(dataset, limit, split, data_dir, as_json):
    """Score extraction against an annotated data set (or 'all'), field by field.

    Example:

        eventcoder eval plover-gsr-cameo --split test
    """
    from .evaluate import REGISTRY, format_report, run_eval

    if dataset != "all" and dataset not in REGISTRY:
        raise click.ClickException(f"unknown data set {dataset!r}; choose one of: all, {', '.join(sorted(REGISTRY))}")
    try:
        report = run_eval(dataset, limit=limit, split=split, data_dir=data_dir)
    except EventcoderError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps(report, indent=1, default=str) if as_json else format_report(report))


@cli.command()
@click.option("--db", default="events.db", show_default=True, help="Store: SQLite file or postgresql:// URL.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind; anything but loopback needs --token for writes.")
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--token", envvar="EVENTCODER_TOKEN",
              help="Writes (ingest, review) need 'Authorization: Bearer TOKEN' (env EVENTCODER_TOKEN).")
def serve(db, host, port, token):
    """Serve the analysts' page (map, timeline, table, evidence, review) and the REST API.

    Example:

        eventcoder serve --db events.db   # then open http://127.0.0.1:8000/
    """
    import os

    try:
        import uvicorn

        from .web.app import create_app, serve_options
    except ImportError as exc:
        raise click.ClickException(f"the web page needs FastAPI and uvicorn: pip install 'eventcoder[web]' ({exc})")
    if "://" not in db and not os.path.exists(db):
        raise click.ClickException(f"{db}: no such store; run 'eventcoder ingest ... --db {db}' first")
    opts = serve_options(host, token)
    if opts["read_only"]:
        click.echo(f"Warning: bound to {host} without --token: the page is read-only.", err=True)
    try:
        app = create_app(db, token=token, **opts)
    except EventcoderError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"eventcoder: http://{'[' + host + ']' if ':' in host else host}:{port}/ (Ctrl-C stops)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
