"""WARC and Parquet readers: one Article per HTML response / row, streamed, errors per record."""

import datetime as dt
import gzip
import io
import tracemalloc

import pytest

from eventcoder.errors import InputError
from eventcoder.ingest import read_paths

warcio = pytest.importorskip("warcio")
pa = pytest.importorskip("pyarrow")
import pyarrow.parquet as pq  # noqa: E402

PAGE = """<!doctype html><html><head><title>Dam talks stall</title></head><body>
<nav>Home | World | Sport</nav>
<article><h1>Dam talks stall</h1>
<p>Negotiators from Egypt and Ethiopia met in Addis Ababa on Monday to discuss the filling of the
dam, officials said, but the talks ended without a deal after six hours.</p>
<p>A second round of talks is planned for next month, according to the foreign ministry, which
said both sides had agreed to keep the channel open.</p></article>
<footer>Copyright Example Wire</footer></body></html>"""


def _warc(path, pages, gz=False):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=gz)
        for url, body, ctype in pages:
            req = writer.create_warc_record(url, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n"))
            writer.write_record(req)
            headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            rec = writer.create_warc_record(url, "response", payload=io.BytesIO(body.encode("utf-8")),
                                            http_headers=headers,
                                            warc_headers_dict={"WARC-Date": "2022-03-18T06:00:00Z"})
            writer.write_record(rec)


@pytest.mark.parametrize("name,gz", [("news.warc", False), ("news.warc.gz", True)])
def test_ingest_warc_html_responses(tmp_path, name, gz):
    path = tmp_path / name
    _warc(path, [("https://example.org/dam", PAGE, "text/html; charset=utf-8"),
                 ("https://example.org/logo.png", "not an image", "image/png"),
                 ("https://example.org/empty", "<html><body></body></html>", "text/html")], gz=gz)
    items = list(read_paths([str(path)]))
    articles = [i for i in items if not isinstance(i, InputError)]
    errors = [i for i in items if isinstance(i, InputError)]
    assert len(articles) == 1
    art = articles[0]
    assert art.url == "https://example.org/dam"
    assert "Negotiators from Egypt and Ethiopia met in Addis Ababa" in art.text
    assert "Copyright" not in art.text and "Home | World" not in art.text
    assert art.published == dt.date(2022, 3, 18)  # from WARC-Date: the page names none
    # The empty page is an error naming its record number (6: request+response per page).
    assert len(errors) == 1 and errors[0].line == 6 and "example.org/empty" in errors[0].reason


def test_ingest_warc_sniffed_without_suffix(tmp_path):
    path = tmp_path / "crawl-00001"
    _warc(path, [("https://example.org/dam", PAGE, "text/html")])
    (article,) = [i for i in read_paths([str(path)]) if not isinstance(i, InputError)]
    assert article.title == "Dam talks stall"


def test_ingest_parquet_rows(tmp_path):
    path = tmp_path / "corpus.parquet"
    table = pa.table({
        "text": ["Police in Lagos arrested 14 protesters on Monday.", "", "Rebels shelled Goma."],
        "date": ["2022-03-14", "2022-03-15", "2022-03-16"],
        "source": ["Wire A", "Wire B", None],
        "extra": [1, 2, 3],
    })
    pq.write_table(table, path, row_group_size=2)
    items = list(read_paths([str(path)], source="Fallback"))
    assert isinstance(items[1], InputError) and items[1].line == 2
    first, third = items[0], items[2]
    assert first.text.startswith("Police in Lagos") and first.published == dt.date(2022, 3, 14)
    assert first.source == "Wire A" and third.source == "Fallback"


def test_ingest_parquet_field_mapping_and_sniffing(tmp_path):
    path = tmp_path / "part-0000"  # no suffix: found by its PAR1 magic bytes
    pq.write_table(pa.table({"body_text": ["Troops withdrew from the border town."]}), path)
    (article,) = list(read_paths([str(path)], fields={"text": "body_text"}))
    assert article.text == "Troops withdrew from the border town."


def test_ingest_parquet_not_parquet(tmp_path):
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 this is not really parquet")
    (err,) = list(read_paths([str(path)]))
    assert isinstance(err, InputError) and "Parquet" in err.reason


def _archive(tmp_path, kind, n):
    text = "Ministers met in Accra to discuss trade. " * 200
    if kind == "warc":
        path = tmp_path / f"big{n}.warc.gz"
        _warc(path, [(f"https://example.org/{i}", f"<html><body><article><p>Story {i}. {text}</p>"
                      "</article></body></html>", "text/html") for i in range(n)], gz=True)
    else:
        path = tmp_path / f"big{n}.parquet"
        pq.write_table(pa.table({"text": [f"Story {i}. {text}" for i in range(n)]}), path,
                       row_group_size=10)
    return str(path)


def _peak(path):
    tracemalloc.start()
    count = sum(1 for item in read_paths([path]) if not isinstance(item, InputError))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return count, peak


@pytest.mark.parametrize("kind", ["warc", "parquet"])
def test_ingest_archives_stream(tmp_path, kind, monkeypatch):
    """Memory held while reading grows with one record, not with the file: ten times the
    records must not need much more memory than a tenth of them."""
    from eventcoder.ingest import parquet, warc

    monkeypatch.setattr(warc, "CACHE_RESET_PAGES", 10)
    monkeypatch.setattr(parquet, "BATCH_ROWS", 10)
    small, big = _archive(tmp_path, kind, 20), _archive(tmp_path, kind, 200)
    _peak(small)  # warm-up: imports and caches are not the reader's per-record memory
    n_small, peak_small = _peak(small)
    n_big, peak_big = _peak(big)
    assert (n_small, n_big) == (20, 200)
    assert peak_big < 1.5 * peak_small + 200_000, (peak_small, peak_big)
