"""eventcoder eval: loaders on hand-made files in each data set's layout, scorers, split, gate."""

import datetime as dt
import os
import shutil
import zipfile

import pytest

from eventcoder.errors import EvalError
from eventcoder.evaluate import events_data, format_report, places_data, run_eval, time_data
from eventcoder.evaluate.gate import check
from eventcoder.evaluate.scoring import haversine_km, timex_interval
from eventcoder.evaluate.split import in_split, split_of
from eventcoder.model import ActorRef, Count, DateSpan, Event, Evidence, Place

FIXTURES = os.path.join(os.path.dirname(__file__), "texts", "eval", "shared")


@pytest.fixture
def data_dir(tmp_path):
    """A copy of the fixture tree with the event-location JSON zipped as the real file is."""
    shared = tmp_path / "shared"
    shutil.copytree(FIXTURES, shared)
    folder = shared / "data" / "event-location-geolocating-political-events"
    with zipfile.ZipFile(folder / "labeled_text.jsonl.zip", "w") as zf:
        zf.write(folder / "labeled_text.json", "labeled_text.jsonl")
        zf.writestr("__MACOSX/._labeled_text.jsonl", "junk")
    return str(shared / "data")


def event(type_, text="", trigger="", *, start=0, sources=(), targets=(), places=(), date=None, dead=None,
          historical=False, mode="occurred", cameo_root=None):
    return Event(id="x", type=type_, mode=mode, historical=historical, cameo_root=cameo_root, acled=None,
                 source_actors=list(sources), target_actors=list(targets), date=date, locations=list(places),
                 fatalities=Count(dead, "exact", str(dead)) if dead is not None else None, injuries=None,
                 arrests=None, attributed_to=None,
                 evidence=[Evidence("a", 0, start, len(text), text, trigger)] if trigger else [],
                 sources=[], extractor={}, confidence=0.5)


def day(d):
    return DateSpan(d, d, "day", "test")


# --- loaders -----------------------------------------------------------------------------------

def test_evaluate_plover_maps_old_names_sectors_and_counts(data_dir):
    items = {i.id: i for i in events_data.load_plover_gsr(data_dir)}
    assert [i.events[0].type for i in items.values()] == ["ASSAULT", "ACCUSE", "REQUEST", "ACCUSE"]
    fight = items["FIX-FIGHT-0001"].events[0]
    assert [(a.country, a.kind) for a in fight.sources] == [(None, "state_forces"), ("FRA", "government")]
    assert fight.targets[0].kind == "rebel_group"
    assert (fight.fatalities, fight.fatalities_stated) == (12, True)
    assert fight.places[0].country == "FRA"  # eventLoc gives ISO2
    assert items["FIX-DISAPPROVE-0001"].events[0].targets == ()  # target "" in the file
    assert items["FIX-DEMAND-0001"].events[0].sources[0].kind == "civilians"  # CVLedu


def test_evaluate_petrarch_blocks_codes_and_actor_codes(data_dir):
    items = list(events_data.load_petrarch2_gsr(data_dir))
    assert [i.id for i in items] == ["FIX_1", "FIX_2", "FIX_3"]
    first = items[0]
    assert first.text == "The American envoy flew to Tokyo & met officials."
    assert first.published == dt.date(2008, 8, 6)
    assert [(e.type, e.cameo_root) for e in first.events] == [("CONSULT", "04"), ("ACCUSE", "11")]
    assert (first.events[0].sources[0].country, first.events[0].sources[0].kind) == ("USA", "government")
    assert items[1].no_events and items[1].events == []
    reb = items[2].events[0]
    assert (reb.sources[0].country, reb.sources[0].kind) == (None, "rebel_group")
    assert (reb.targets[0].country, reb.targets[0].kind) == ("COL", "state_forces")


def test_evaluate_cameo_codebook_latin1_and_root_without_plover(data_dir):
    items = list(events_data.load_cameo_codebook(data_dir))
    assert [(i.id, i.events[0].type, i.events[0].cameo_root) for i in items] == [
        ("cameo-042", "CONSULT", "04"), ("cameo-112", "ACCUSE", "11")]
    assert events_data.plover_for_cameo("013", data_dir) is None  # root 01: no PLOVER event


def test_evaluate_ucdp_sides_counts_and_dates(data_dir):
    items = list(events_data.load_ucdp(data_dir))
    assert len(items) == 2  # the row without a headline is skipped
    mali, niger = items[0].events[0], items[1].events[0]
    assert (mali.sources[0].country, mali.sources[0].kind, mali.targets[0].kind) == ("MLI", "state", "rebel_group")
    assert mali.fatalities_stated and mali.fatalities == 7 and not niger.fatalities_stated
    assert items[0].published == dt.date(2020, 5, 2)
    assert (mali.date_start, mali.date_precision) == (dt.date(2020, 5, 1), "day")
    assert niger.targets[0].kind == "civilians" and niger.places[0].is_country


@pytest.mark.parametrize("expected,text", [
    (True, "Seven soldiers killed in ambush"), (True, "At least 30 dead"), (True, "Dozens of rebels die"),
    (False, "Thursday 3 January 2013"), (False, "Clashes in 2014 near the border"), (False, "Fighting resumes"),
])
def test_evaluate_states_number(expected, text):
    assert events_data.states_number(text) is expected


def test_evaluate_wikievents_and_gold_articles(data_dir):
    doc = next(events_data.load_wikievents(data_dir))
    assert doc.text == "A car bomb exploded in Kabul.\nPolice arrested two men."
    assert [(e.type, [p.name for p in e.places]) for e in doc.events] == [("ASSAULT", ["Kabul"]), ("COERCE", [])]
    assert doc.events[1].targets[0].text == "men"
    gold = next(events_data.load_gold_articles(data_dir))
    assert gold.text.startswith("date 2021-09-10") and gold.published == dt.date(2021, 9, 10)
    assert [(e.type, e.historical) for e in gold.events] == [("ASSAULT", False), ("ASSAULT", True)]
    assert gold.events[1].date_start == dt.date(1999, 1, 1) and gold.events[0].places[0].country == "GRC"


def test_evaluate_toponym_loaders_fix_offsets_and_filter_types(data_dir):
    tr = next(places_data.load_tr_news(data_dir))
    assert [tr.text[t.start:t.end] for t in tr.toponyms] == ["Lyon", "France", "Paris"]  # France was 2 off
    assert [t.is_country for t in tr.toponyms] == [False, True, False]
    gwn = next(places_data.load_geowebnews(data_dir))
    assert [t.name for t in gwn.toponyms] == ["Ohio", "Boston"]  # Non_Toponym and no-coordinate rows dropped
    gv = next(places_data.load_geovirus(data_dir))
    assert [gv.text[t.start:t.end] for t in gv.toponyms] == ["Peru", "Lima"]  # 1-based offset repaired
    assert [t.is_country for t in gv.toponyms] == [True, False]


def test_evaluate_event_location_zip_tokens_and_order(data_dir):
    items = list(places_data.load_event_location(data_dir))
    assert [i.id for i in items] == ["fix-b", "fix-a", "fix-c"]  # adjudicated first, rejected dropped
    c = items[2]
    assert c.text[c.verb[0]:c.verb[1]] == "shelled"  # start == end in the file: token indices used
    assert [c.text[s:e] for s, e in c.locations] == ["Homs", "Hama"]


def test_evaluate_timeml_and_meantime(data_dir):
    te = next(time_data.load_tempeval3(data_dir))
    assert te.published == dt.date(2013, 3, 22) and "Wednesday & will meet" in te.text
    assert [(t.text, t.value) for t in te.timexes] == [
        ("Wednesday", "2013-03-20"), ("next week", "2013-W13"), ("2012", "2012"), ("now", "PRESENT_REF")]
    assert [(e.text, e.future) for e in te.events] == [("voted", False), ("meet", True)]
    mt = next(time_data.load_meantime(data_dir))
    assert mt.text == "Shares fell on Tuesday\nTraders may sell in May 2009"
    assert mt.published == dt.date(2009, 3, 5)
    assert [(t.text, t.value) for t in mt.timexes] == [("Tuesday", "2009-03-03"), ("May 2009", "2009-05")]
    assert [(e.text, e.future, e.certain) for e in mt.events] == [("fell", False, True), ("sell", True, False)]


# --- scoring helpers and split ---------------------------------------------------------------

@pytest.mark.parametrize("value,expected", [
    ("2013-03-20", (dt.date(2013, 3, 20), dt.date(2013, 3, 20))),
    ("2013-W13", (dt.date(2013, 3, 25), dt.date(2013, 3, 31))),
    ("2012-02", (dt.date(2012, 2, 1), dt.date(2012, 2, 29))),
    ("2013-Q4", (dt.date(2013, 10, 1), dt.date(2013, 12, 31))),
    ("1967", (dt.date(1967, 1, 1), dt.date(1967, 12, 31))),
    ("PRESENT_REF", (None, None)),
])
def test_evaluate_timex_interval(value, expected):
    assert timex_interval(value) == expected


def test_evaluate_haversine_paris_london():
    assert 340 < haversine_km(48.8566, 2.3522, 51.5074, -0.1278) < 348


def test_evaluate_split_is_stable_and_balanced():
    sides = [split_of("plover-gsr-cameo", f"id-{n}") for n in range(400)]
    assert sides == [split_of("plover-gsr-cameo", f"id-{n}") for n in range(400)]
    assert 160 < sides.count("dev") < 240
    with pytest.raises(ValueError):
        in_split("x", "y", "train")


# --- run_eval with injected pipeline parts --------------------------------------------------

def fake_petrarch_extractor(text, published=None):
    if "envoy" in text:
        return [event("CONSULT", text, "flew", cameo_root="04",
                      sources=[ActorRef("envoy", country="USA", kind="government")],
                      targets=[ActorRef("Tokyo", country="JPN", kind="government")])]
    if "Rain" in text:
        return [event("PROTEST", text, "fell")]
    return []


def test_evaluate_run_events_exact_figures(data_dir):
    report = run_eval("petrarch2-gsr-validation", data_dir=data_dir, extractor=fake_petrarch_extractor)
    f = report["fields"]
    assert report["items"] == 3 and report["errors"] == 0
    assert (f["event_detection"]["tp"], f["event_detection"]["fp"], f["event_detection"]["fn"]) == (1, 1, 1)
    assert (f["plover_type"]["tp"], f["plover_type"]["fp"], f["plover_type"]["fn"]) == (1, 1, 2)
    assert f["cameo_root"] == {"acc": 0.3333, "n": 3}
    assert f["source_actor_country"] == {"acc": 0.5, "n": 2}  # USA right, JPN (2nd event) wrong
    assert f["actor_pair"]["tp"] == 1 and f["actor_pair"]["fn"] == 1
    assert f["fatalities_exact"]["acc"] == "n/a" and f["place_coords_subnational"]["acc161"] == "n/a"
    assert ["ASSAULT", "none", 1] in f["confusion"]
    assert set(report["by_split"]) == {"dev", "test"}
    assert "n/a" in format_report(report) and "most common type errors" in format_report(report)


def test_evaluate_run_gold_article_counts_places_dates_historical(data_dir):
    def extractor(text, published=None):
        return [event("ASSAULT", text, "shot", sources=[ActorRef("Soldiers", name="Soldiers")],
                      places=[Place("Arcadia", "Arcadia", country="GRC", lat=37.6, lon=22.2)],
                      date=day(dt.date(2021, 9, 8)), dead=2),
                event("ASSAULT", text, "attacked", date=DateSpan(dt.date(1999, 1, 1), dt.date(1999, 12, 31),
                                                                 "year", "t"), historical=True)]
    f = run_eval("gold-articles", data_dir=data_dir, extractor=extractor)["fields"]
    assert f["plover_type"]["f1"] == 1.0
    assert f["fatalities_exact"] == {"acc": 1.0, "n": 1}
    assert f["date_exact_day"] == {"acc": 1.0, "n": 1}
    assert f["place_coords_subnational"]["acc161"] == 1.0 and f["place_country"]["acc"] == 1.0
    assert f["source_actor_text"]["acc"] == 1.0 and f["target_actor_text"]["acc"] == 0.0
    assert f["historical"]["acc"] == 1.0 and f["historical"]["n"] == 2


def test_evaluate_run_toponyms_recall_and_distance(data_dir):
    def geocoder(text):
        lyon = text.index("Lyon")
        paris = text.index("Paris")
        return [Place("Lyon", "Lyon", lat=45.76, lon=4.84, start=lyon, end=lyon + 4),
                Place("Paris", "Paris", lat=33.66, lon=-95.55, start=paris, end=paris + 5),  # Paris, Texas
                Place("on", "On", start=0, end=2)]
    f = run_eval("tr-news", data_dir=data_dir, geocoder=geocoder, split="all")["fields"]
    assert f["toponym_recall"]["acc"] == round(2 / 3, 4)
    assert f["toponym_precision"]["p"] == round(2 / 3, 4)
    sub = f["place_coords_subnational"]
    assert (sub["acc161"], sub["resolved"], sub["n"]) == (0.5, 2, 2)
    assert f["place_coords_country"]["acc161_all"] == 0.0


def test_evaluate_run_event_location(data_dir):
    def extractor(text, published=None):
        if "killed" in text:
            k = text.index("Kidal")
            return [event("ASSAULT", text, "killed", places=[Place("Kidal", "Kidal", start=k, end=k + 5)])]
        if "marched" in text:
            return [event("PROTEST", text, "marched", places=[Place("capital", "X", start=30, end=37)])]
        return []
    f = run_eval("event-location-geolocating-political-events", data_dir=data_dir, extractor=extractor)["fields"]
    assert f["event_verb_found"] == {"acc": round(2 / 3, 4), "n": 3}
    assert f["event_location"] == {"r": 1.0, "p": 0.5, "n": 1}
    assert f["event_no_location"] == {"acc": 0.0, "n": 1}


def test_evaluate_run_dates_and_modes(data_dir):
    class Mention:
        def __init__(self, text, word, span):
            self.start = text.index(word)
            self.end, self.span = self.start + len(word), span

    def finder(text, published):
        return [Mention(text, "Wednesday", day(dt.date(2013, 3, 20))),
                Mention(text, "next week", DateSpan(dt.date(2013, 3, 25), dt.date(2013, 3, 31), "week", "t"))]

    def resolver(text, published):
        return day(dt.date(2013, 3, 20)) if text == "Wednesday" else None

    def extractor(text, published=None):
        return [event("CONSULT", text, "meet", mode="planned"), event("AGREE", text, "voted")]
    f = run_eval("tempeval3-platinum", data_dir=data_dir, date_finder=finder, resolver=resolver,
                 extractor=extractor)["fields"]
    assert f["date_found"] == {"acc": round(2 / 3, 4), "n": 3}  # PRESENT_REF has no interval: not counted
    assert f["date_exact_interval"]["acc"] == round(2 / 3, 4)
    assert f["date_exact_day"] == {"acc": 1.0, "n": 1}
    assert f["date_resolve_exact"]["acc"] == round(1 / 3, 4)
    assert f["mode"] == {"acc": 1.0, "n": 2, "precision": 1.0}


def test_evaluate_errors_are_clear(data_dir, tmp_path, monkeypatch):
    with pytest.raises(EvalError, match="not found"):
        run_eval("plover-gsr-cameo", data_dir=str(tmp_path / "nowhere"))
    with pytest.raises(EvalError, match="unknown data set"):
        run_eval("imdb", data_dir=data_dir)
    monkeypatch.setenv("EVENTCODER_SHARED", os.path.dirname(data_dir))
    report = run_eval("cameo-codebook-examples", split="dev", extractor=lambda t, published=None: [])
    assert report["split"] == "dev" and report["items"] + run_eval(
        "cameo-codebook-examples", split="test", extractor=lambda t, published=None: [])["items"] == 2


def test_evaluate_gate_flags_only_real_drops():
    report = {"datasets": {"tr-news": {"dataset": "tr-news", "throughput": {"articles_per_s": 9.0},
                                       "fields": {"toponym_recall": {"r": 0.70}, "cameo_root": {"acc": "n/a"}}}}}
    floors = {"tr-news": {"toponym_recall.r": 0.715, "throughput.articles_per_s": 10.0, "cameo_root.acc": 0.2},
              "geovirus": {"toponym_recall.r": 0.9}}
    failures = check(report, floors)
    assert len(failures) == 2
    assert failures[0].startswith("tr-news throughput.articles_per_s: 9.000 < floor 10.000")
    assert "cameo_root.acc: n/a" in failures[1]
    assert check(report, {"tr-news": {"toponym_recall.r": 0.72}}) == []  # within 2 points
