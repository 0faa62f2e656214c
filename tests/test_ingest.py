"""Ingest: every input format, every kind of bad input, stable ids, folder order, stdin."""

import datetime as dt
import gzip
import io
import os
import sys

import pytest

from eventcoder.errors import ConfigError, InputError
from eventcoder.ingest import read_paths, read_text, walk
from eventcoder.ingest.normalize import article_id, normalize_text
from eventcoder.model import Article

HERE = os.path.join(os.path.dirname(__file__), "texts", "ingest")


def fixture(name):
    return os.path.join(HERE, name)


def split(items):
    items = list(items)
    return ([i for i in items if isinstance(i, Article)],
            [i for i in items if isinstance(i, InputError)])


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return str(path)


# --- normalisation and ids -------------------------------------------------------------------

@pytest.mark.parametrize("expected,raw", [
    ("Troops withdrew.\n\nTalks resumed.", "\ufeffTroops  withdrew.\r\n\r\n\r\n\r\nTalks\tresumed.  \r\n"),
    ("Protesters gathered in the caf\u00e9.", "Protesters gathered in the cafe\u0301."),  # NFC
    ("Line one\nline two", "Line one\rline two"),
    ("Police said\n\nno one was hurt.", "  Police\u00a0said \n \n \nno one was hurt. "),
])
def test_ingest_normalize_text(expected, raw):
    assert normalize_text(raw) == expected


def test_ingest_article_id_is_stable_across_line_endings_and_spacing():
    lf = "Police arrested four men in Tunis on Monday.\nThe men were released on bail.\n"
    crlf = lf.replace("\n", "\r\n")
    padded = "  Police arrested four men in Tunis on Monday.   \nThe men were released on bail.   \n\n"
    rewrapped = "Police arrested four men\nin Tunis on Monday. The men were released on bail."
    ids = {article_id(t) for t in (lf, crlf, padded, rewrapped)}
    assert len(ids) == 1
    (only,) = ids
    assert len(only) == 16 and int(only, 16) >= 0


def test_ingest_article_id_differs_for_different_text_and_case():
    base = article_id("Police arrested four men in Tunis on Monday.")
    assert base != article_id("Police arrested five men in Tunis on Monday.")
    assert base != article_id("police arrested four men in tunis on monday.")


def test_ingest_same_text_in_two_formats_gives_same_id(tmp_path):
    body = "Dock workers in Antwerp walked out on Tuesday over a pay dispute."
    txt = write(tmp_path, "a.txt", body.replace(" ", "  ") + "\r\n")
    jsonl = write(tmp_path, "b.jsonl", '{"text": "%s"}\n' % body)
    arts, errs = split(read_paths([txt, jsonl]))
    assert not errs
    assert arts[0].id == arts[1].id == article_id(body)
    assert arts[0].text == body


# --- seed format and plain text ----------------------------------------------------------------

def test_ingest_seed_file_with_hyphenated_source():
    (art,) = list(read_paths([fixture("seed_hyphen_source.txt")]))
    assert art.source == "Al-Monitor"
    assert art.published == dt.date(2023, 5, 2)
    assert art.text.startswith("Farmers in the Jordan Valley said on Monday")
    assert "\n\nThe village council" in art.text  # paragraph break kept
    assert "inquiry - but made no arrests" in art.text  # only the first ' - ' is the separator
    assert art.id == article_id(art.text)


def test_ingest_seed_header_wins_over_user_values_and_tolerates_leading_space():
    text = "  date 2022-03-18 Gulf Daily News - Two vessels collided off Bahrain on Tuesday.\n"
    art = read_text(text, published=dt.date(2000, 1, 1), source="User Source")
    assert (art.published, art.source) == (dt.date(2022, 3, 18), "Gulf Daily News")
    assert art.text == "Two vessels collided off Bahrain on Tuesday."


def test_ingest_seed_header_with_body_on_next_line():
    art = read_text("date 2021-07-04 Example Wire -\nCrowds gathered in the square on Sunday.")
    assert art.source == "Example Wire" and art.text == "Crowds gathered in the square on Sunday."


@pytest.mark.parametrize("header,bad", [
    ("date 2022-13-45 Example Wire - Soldiers left the base.", "2022-13-45"),
    ("date yesterday Example Wire - Soldiers left the base.", "yesterday"),
    ("date 18/03/2022 Example Wire - Soldiers left the base.", "18/03/2022"),
])
def test_ingest_malformed_seed_date_names_line_1_and_value(tmp_path, header, bad):
    path = write(tmp_path, "bad.txt", header + "\n")
    (err,) = list(read_paths([path]))
    assert isinstance(err, InputError)
    assert err.line == 1 and err.path == path
    assert repr(bad) in err.reason
    assert str(err).startswith(f"{path}:1: ")


def test_ingest_plain_text_takes_published_and_source_from_arguments():
    (art,) = list(read_paths([fixture("plain_article.txt")], published=dt.date(2022, 3, 18),
                             source="Radio Example"))
    assert (art.published, art.source) == (dt.date(2022, 3, 18), "Radio Example")
    assert art.text.startswith("Fishermen in the port of Sfax")
    assert art.path == fixture("plain_article.txt")


def test_ingest_sentence_starting_with_date_is_plain_text():
    art = read_text("Date palms were burned near Basra on Friday, farmers said.", source="X")
    assert art.text.startswith("Date palms") and art.published is None and art.source == "X"


def test_ingest_read_text_rejects_empty_text():
    with pytest.raises(InputError):
        read_text(" \n\t ")


# --- corpora: JSONL, JSON, CSV, TSV ------------------------------------------------------------

def test_ingest_jsonl_records_and_errors_with_line_numbers():
    arts, errs = split(read_paths([fixture("corpus.jsonl")], source="Fallback Source"))
    assert [a.line for a in arts] == [1, 2, 7]
    first, second, third = arts
    assert (first.published, first.source, first.url, first.title) == (
        dt.date(2021, 8, 1), "Example Wire", "https://example.org/a1", "Students march in Dhaka")
    assert second.text.startswith("The coast guard rescued 41 migrants")
    assert (second.published, second.source) == (dt.date(2021, 8, 6), "Fallback Source")
    assert third.text == ("Two soldiers were wounded when a roadside bomb struck their patrol near "
                          "Gao.\n\nThe army said it had launched a search operation.")
    assert third.source == "Sahel Daily"
    assert [(e.line, e.reason.split(" ")[0]) for e in errs] == [
        (4, "invalid"), (5, "record"), (6, "expected")]
    assert "'w-4'" in errs[1].reason and "no text field" in errs[1].reason


def test_ingest_jsonl_field_mapping_and_dotted_paths(tmp_path):
    path = write(tmp_path, "mapped.ndjson",
                 '{"doc": {"body_text": "Rebels seized a border post on Monday."}, "when": "2020-05-04 10:00"}\n')
    (art,) = list(read_paths([path], fields={"text": "doc.body_text", "published": "when"}))
    assert art.text == "Rebels seized a border post on Monday."
    assert art.published == dt.date(2020, 5, 4)


def test_ingest_jsonl_record_over_limit_is_skipped_and_next_read(tmp_path):
    big = '{"text": "%s"}\n' % ("Crowds chanted. " * 200_000)  # about 3.2 MB on one line
    path = write(tmp_path, "big.jsonl", big + '{"text": "A small record after the big one."}\n')
    err, art = list(read_paths([path], max_bytes=1_000_000))
    assert isinstance(err, InputError) and err.line == 1
    assert err.reason == "record is 3.2 MB, over the 1 MB limit; raise --max-bytes to read it"
    assert isinstance(art, Article) and art.line == 2


def test_ingest_json_list_under_a_key():
    arts, errs = split(read_paths([fixture("articles.json")]))
    assert [a.published for a in arts] == [dt.date(2022, 6, 7), dt.date(2022, 6, 9)]
    assert arts[0].source == "Pacific Desk"
    assert len(errs) == 1 and "item 2" in errs[0].reason


def test_ingest_json_single_object_and_invalid_json(tmp_path):
    one = write(tmp_path, "one.json", '{\n "title": "Port closed",\n "content": "The port closed."\n}')
    bad = write(tmp_path, "bad.json", '[\n {"text": "ok"},\n {"text": }\n]')
    (art,) = list(read_paths([one]))
    assert art.title == "Port closed" and art.text == "The port closed."
    (err,) = list(read_paths([bad]))
    assert err.line == 3 and err.reason.startswith("invalid JSON")


def test_ingest_csv_rows_multiline_fields_and_bad_rows():
    arts, errs = split(read_paths([fixture("corpus.csv")]))
    assert [a.line for a in arts] == [2, 3]
    assert arts[0].source == "Harbour News" and arts[0].published == dt.date(2022, 2, 1)
    assert arts[1].text.endswith("three neighbouring states in Nairobi on Wednesday.\n\n"
                                 "Officials said the talks focused on border security.")
    assert arts[1].source is None
    assert [e.line for e in errs] == [6, 7]
    assert "no text" in errs[0].reason and "'last Monday'" in errs[1].reason


def test_ingest_csv_missing_text_column_is_one_error_naming_columns():
    (err,) = list(read_paths([fixture("no_text_column.tsv")]))
    assert err.path == fixture("no_text_column.tsv") and err.line == 1
    assert "'text'" in err.reason and "columns found: id, headline, pub_date" in err.reason


def test_ingest_tsv_and_csv_field_mapping_and_semicolons(tmp_path):
    (tsv,) = list(read_paths([fixture("corpus.tsv")]))
    assert tsv.source == "Aegean Post" and tsv.published == dt.date(2021, 8, 14)
    path = write(tmp_path, "semi.csv", "Headline;Story;Day\nFire;A warehouse burned in Porto.;2022-01-09\n")
    (art,) = list(read_paths([path], fields={"text": "story", "published": "day", "title": "headline"}))
    assert (art.text, art.title, art.published) == (
        "A warehouse burned in Porto.", "Fire", dt.date(2022, 1, 9))


def test_ingest_csv_in_latin1_reads_accents(tmp_path):
    path = write(tmp_path, "legacy.csv",
                 "text\nUne manifestation a eu lieu devant le caf\u00e9 de la gare.\n".encode("latin-1"))
    (art,) = list(read_paths([path]))
    assert art.text == "Une manifestation a eu lieu devant le caf\u00e9 de la gare."


def test_ingest_gzipped_jsonl(tmp_path):
    path = tmp_path / "wire.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write('{"text": "Unions called a general strike for Monday.", "date": "2023-01-02"}\n')
    (art,) = list(read_paths([str(path)]))
    assert art.published == dt.date(2023, 1, 2) and art.line == 1


# --- HTML ---------------------------------------------------------------------------------------

def test_ingest_html_main_text_title_date_and_site():
    (art,) = list(read_paths([fixture("page.html")], source="Ignored When Page Has One"))
    assert art.title == "Fishing boats detained off Kerala"
    assert art.published == dt.date(2022, 11, 4)
    assert art.source == "Coastal Times"
    assert art.text.startswith("The coast guard detained six fishing boats")
    assert "\n\nA spokesman said" in art.text
    assert "Subscribe" not in art.text and "Sport" not in art.text


def test_ingest_html_without_main_text_is_an_error(tmp_path):
    path = write(tmp_path, "blank.html", "<html><head><title>x</title></head><body></body></html>")
    (err,) = list(read_paths([path]))
    assert isinstance(err, InputError) and "no main text" in err.reason


# --- bad input: each is one clear error, the batch goes on --------------------------------------

def test_ingest_bad_inputs_each_give_one_error_and_the_batch_goes_on(tmp_path):
    good = write(tmp_path, "good.txt", "Troops left the town on Sunday.")
    cases = {
        "empty.txt": (b"", "empty file"),
        "blank.txt": (b" \n\t\r\n  \n", "file has only whitespace, no text"),
        "image.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file, not text"),
        "noise.txt": (bytes([1, 2, 3, 4, 5, 6, 7, 14, 15, 16]) * 50, "binary file, not text"),
        "empty.jsonl": (b"", "empty file"),
        "binary.jsonl": (b"\x00\x01\x02{\n", "binary file, not text"),
    }
    paths = [write(tmp_path, name, data) for name, (data, _) in cases.items()]
    missing = str(tmp_path / "missing.txt")
    items = list(read_paths(paths[:3] + [good] + paths[3:] + [missing]))
    assert [type(i).__name__ for i in items] == ["InputError"] * 3 + ["Article"] + ["InputError"] * 4
    errors = [i for i in items if isinstance(i, InputError)]
    assert [(e.path, e.reason) for e in errors[:-1]] == [
        (p, reason) for p, (_, reason) in zip(paths, cases.values())]
    assert errors[-1].path == missing and "no such file" in errors[-1].reason


@pytest.mark.parametrize("data,expected", [
    ("Protesters gathered outside the caf\u00e9 in Li\u00e8ge.".encode("latin-1"),
     "Protesters gathered outside the caf\u00e9 in Li\u00e8ge."),
    ("The mayor said \u201cenough\u201d on Friday.".encode("cp1252"), "The mayor said \u201cenough\u201d on Friday."),
    ("\ufeffCaf\u00e9 owners protested.".encode("utf-8"), "Caf\u00e9 owners protested."),
    ("Caf\u00e9 owners protested.".encode("utf-16"), "Caf\u00e9 owners protested."),
])
def test_ingest_legacy_encodings_are_read_correctly(tmp_path, data, expected):
    (art,) = list(read_paths([write(tmp_path, "legacy.txt", data)]))
    assert isinstance(art, Article) and art.text == expected


def test_ingest_explicit_encoding_errors_are_input_errors(tmp_path):
    path = write(tmp_path, "x.txt", "caf\u00e9".encode("latin-1"))
    (err,) = list(read_paths([path], encoding="utf-8"))
    assert isinstance(err, InputError) and "utf-8" in err.reason


def test_ingest_file_over_the_limit_names_sizes(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as fh:
        fh.truncate(52_000_000)  # sparse: no 52 MB written to disk
    (err,) = list(read_paths([str(path)]))
    assert err.reason == "file is 52 MB, over the 20 MB limit; raise --max-bytes to read it"
    small = write(tmp_path, "small.txt", "Protesters marched on Monday. " * 100)
    (err,) = list(read_paths([small], max_bytes=1000))
    assert err.reason == "file is 3 kB, over the 1 kB limit; raise --max-bytes to read it"
    (art,) = list(read_paths([small], max_bytes=5000))
    assert isinstance(art, Article)


def test_ingest_bad_settings_raise_config_error_at_once():
    with pytest.raises(ConfigError):
        read_paths([fixture("corpus.csv")], fmt="docx")
    with pytest.raises(ConfigError):
        read_paths([fixture("corpus.csv")], fields={"txt": "body"})


def test_ingest_forced_format(tmp_path):
    path = write(tmp_path, "export.dat", '{"text": "Talks resumed in Doha."}\n{"text": "Talks ended."}\n')
    assert [a.text for a in read_paths([path], fmt="ndjson")] == ["Talks resumed in Doha.", "Talks ended."]
    (plain,) = list(read_paths([fixture("seed_hyphen_source.txt")], fmt="text"))
    assert plain.text.startswith("date 2023-05-02 Al-Monitor") and plain.published is None


# --- folders and standard input ----------------------------------------------------------------

def test_ingest_folder_recursion_is_sorted_and_skips_hidden_and_unknown():
    tree = fixture("tree")
    rel = [os.path.relpath(p, tree) for p in walk(tree)]
    assert rel == [os.path.join("a_folder", "10_first.txt"), os.path.join("a_folder", "2_second.txt"),
                   os.path.join("b_folder", "only.txt"), "z_last.jsonl"]
    arts = list(read_paths([tree]))
    assert [os.path.relpath(a.path, tree) for a in arts] == rel
    assert all(isinstance(a, Article) for a in arts)
    assert arts[0].source == "Example Wire" and arts[-1].published == dt.date(2022, 9, 4)
    assert not any("hidden" in a.text for a in arts)


def test_ingest_empty_folder_is_one_error(tmp_path):
    (tmp_path / "sub").mkdir()
    (err,) = list(read_paths([str(tmp_path)]))
    assert isinstance(err, InputError) and "no readable files" in err.reason


def test_ingest_read_paths_is_lazy(tmp_path):
    path = write(tmp_path, "a.txt", "Troops left the town on Sunday.")
    items = read_paths([path])
    os.remove(path)  # nothing was read yet
    (err,) = list(items)
    assert isinstance(err, InputError)


@pytest.mark.parametrize("stdin,expected", [
    ("date 2022-03-18 Example Wire - Protesters blocked a road on Wednesday.\n",
     ("Protesters blocked a road on Wednesday.", dt.date(2022, 3, 18), "Example Wire")),
    ("Protesters blocked a road on Wednesday.\n",
     ("Protesters blocked a road on Wednesday.", dt.date(2021, 1, 1), "Typed In")),
])
def test_ingest_stdin_seed_or_plain(monkeypatch, stdin, expected):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    (art,) = list(read_paths(["-"], published=dt.date(2021, 1, 1), source="Typed In"))
    assert (art.text, art.published, art.source) == expected
    assert art.path == "<stdin>"


def test_ingest_stdin_binary_buffer_jsonl(monkeypatch):
    raw = io.TextIOWrapper(io.BytesIO(b'{"text": "Clashes erupted in Tripoli."}\n{"bad": 1}\n'))
    monkeypatch.setattr(sys, "stdin", raw)
    art, err = list(read_paths(["-"]))
    assert art.text == "Clashes erupted in Tripoli." and art.line == 1
    assert isinstance(err, InputError) and err.line == 2 and err.path == "<stdin>"
