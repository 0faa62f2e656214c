"""The fast path: cheap sentence split, trigger prefilter, masked parse; same events as parsing all."""

import datetime as dt

import pytest

from eventcoder.ingest import read_text
from eventcoder.nlp import TriggerFilter, abbreviations, mask_text, split_sentences
from eventcoder.pipeline import Extractor, plan_parse

PUBLISHED = dt.date(2022, 3, 18)

# Multi-sentence news-style articles of our own: event sentences among background ones, with
# pronouns that need the previous sentence and a lede that names the country.
ARTICLES = [
    "Flooding closed roads across northern Nigeria this week.\n\n"
    "The state governor toured the worst-hit districts by helicopter. Residents described water "
    "reaching the rooftops. On Tuesday, gunmen attacked a village near Maiduguri, killing six "
    "farmers. The army said it had deployed troops to the area.\n\n"
    "Prices of grain have risen sharply since January.",
    "Kenya's foreign minister arrived in Kampala on Monday. The visit was his first since taking "
    "office. He met President Yoweri Museveni and the two men signed an agreement on border trade. "
    "Traders were busy in the city's markets. The weather was warm and dry. A spokesman said "
    "talks would resume in May.",
    "Gen. Ali Hassan gave a speech in Khartoum on Wednesday. The U.N. envoy listened from the front "
    "row. Police arrested 40 protesters outside the parliament on Thursday, witnesses said.",
    "The museum is popular with tourists. Visitors queued in the sun. Its new wing houses a "
    "collection of old maps.",
]


@pytest.fixture(scope="module")
def extractors(nlp):
    fast = Extractor(fast=True)
    slow = Extractor(fast=False, kb=fast.kb, gazetteer=fast.gazetteer, lexicon=fast.lexicon)
    return fast, slow


def _key(event):
    return (event.id, event.type, event.mode, event.historical,
            [a.name for a in event.source_actors], [a.name for a in event.target_actors],
            [p.name for p in event.locations], event.date and (event.date.start, event.date.end),
            event.fatalities and event.fatalities.count, event.arrests and event.arrests.count,
            event.evidence[0].start, event.evidence[0].end, event.evidence[0].text)


@pytest.mark.parametrize("text,expected", [
    ("Troops withdrew. Talks resumed on Monday.", ["Troops withdrew.", "Talks resumed on Monday."]),
    ("Gen. Smith spoke in Washington D.C. on Monday. He left.", ["Gen. Smith spoke in Washington D.C. on Monday.", "He left."]),
    ('"We will not retreat," he said. Crowds cheered.', ['"We will not retreat," he said.', "Crowds cheered."]),
    ("Headline without a stop\nBody starts here. It ends.", ["Headline without a stop", "Body starts here.", "It ends."]),
    ("Prices rose 2.5 percent. Markets fell.", ["Prices rose 2.5 percent.", "Markets fell."]),
])
def test_fastpath_split_sentences(nlp, text, expected):
    spans = split_sentences(text, abbreviations(nlp))
    assert [text[a:b] for a, b in spans] == expected


def test_fastpath_filter_inflections_and_constraints(nlp):
    # Lemmas and needs of our own, so the rule holds whatever triggers.yaml holds.
    f = TriggerFilter({"strike": [None], "hold": [frozenset({"talk", "talks"})]}, nlp)
    assert f.matches("Jets struck the depot.")  # irregular form, from spaCy's exception table
    assert f.matches("Drones are striking ports.")  # suffix rule
    assert f.matches("They held talks in Doha.")  # constrained entry with its object
    assert not f.matches("They held a party in Doha.")  # constrained entry without it
    assert not f.matches("The weather was mild.")


def test_fastpath_filter_reads_the_lexicon(extractors):
    fast, _ = extractors
    f = fast.trigger_filter
    assert len(f.requirements) >= len({lemma for _pos, lemma in fast.lexicon.index}) > 0
    assert f.matches("Police arrested twelve people.")
    assert not f.matches("Visitors queued in the sun.")


def test_fastpath_mask_keeps_offsets():
    text = "One. Two is here. Three."
    masked = mask_text(text, [(0, 4), (18, 24)])
    assert len(masked) == len(text)
    assert masked[0:4] == "One." and masked[18:24] == "Three."
    assert masked[4:18].strip() == "" and masked[17] == "\n"


def test_fastpath_plan_keeps_context(extractors):
    fast, _ = extractors
    text = ARTICLES[1]
    plan = plan_parse(text, fast.trigger_filter, fast.abbreviations)
    kept = [text[a:b] for a, b in (plan.sentences[i] for i in plan.kept)]
    assert kept[0].startswith("Kenya's foreign minister")  # the lede
    assert any(s.startswith("He met President") for s in kept)  # the trigger sentence
    assert any(s.startswith("The visit was") for s in kept)  # its previous sentence, for "He"
    assert any(s.startswith("The weather") for s in kept)  # before "talks would resume"
    assert not any(s.startswith("Traders were") for s in kept)  # two before: dropped


def test_fastpath_same_events_as_full_parse(extractors):
    fast, slow = extractors
    articles = [read_text(t, published=PUBLISHED, source="Fixture Wire") for t in ARTICLES]
    fast_results = list(fast.extract_many(articles))
    slow_results = list(slow.extract_many(articles))
    assert sum(len(r.events) for r in slow_results) >= 4
    for f, s in zip(fast_results, slow_results):
        assert [_key(e) for e in f.events] == [_key(e) for e in s.events]
        assert [e.evidence[0].sentence_index for e in f.events] == \
            [e.evidence[0].sentence_index for e in s.events]


def test_fastpath_article_without_trigger_is_not_parsed(extractors):
    fast, _ = extractors
    article = read_text(ARTICLES[3], published=PUBLISHED)
    plan = plan_parse(article.text, fast.trigger_filter, fast.abbreviations)
    assert plan.kept == ()
    assert fast.extract(article).events == []


def test_fastpath_setting(monkeypatch, extractors):
    fast, _ = extractors
    monkeypatch.setenv("EVENTCODER_FAST", "0")
    from eventcoder.pipeline import fast_default

    assert fast_default() is False
    monkeypatch.setenv("EVENTCODER_FAST", "1")
    assert fast_default() is True


def _tagged(nlp, text):
    names = nlp.pipe_names
    doc = nlp(text, disable=names[names.index("tagger") + 1:])
    return [(t.text, t.tag_) for t in doc]


def test_fastpath_tagged_filter_needs_part_of_speech(nlp):
    # Lemmas of our own: "station" only as a verb entry, "ceasefire" only as a noun entry.
    f = TriggerFilter({"station": [None], "ceasefire": [None]}, nlp,
                      by_pos={("v", "station"): [None], ("n", "ceasefire"): [None]})
    noun_use = "Local radio stations play music all day."
    verb_use = "The army stationed troops along the border."
    assert f.matches(noun_use) and f.matches(verb_use)  # words alone cannot tell them apart
    assert not f.matches_tagged(_tagged(nlp, noun_use), noun_use)
    assert f.matches_tagged(_tagged(nlp, verb_use), verb_use)
    assert f.matches_tagged(_tagged(nlp, "The ceasefire held."), "The ceasefire held.")


def test_fastpath_tagged_filter_keeps_constraints(nlp):
    f = TriggerFilter({"hold": [frozenset({"talk", "talks"})]}, nlp,
                      by_pos={("v", "hold"): [frozenset({"talk", "talks"})]})
    with_obj = "The two sides held talks in Doha."
    without = "The two sides held a party in Doha."
    assert f.matches_tagged(_tagged(nlp, with_obj), with_obj)
    assert not f.matches_tagged(_tagged(nlp, without), without)
    # the constraint word may lie outside the tagged words (a trigger window)
    assert f.matches_tagged([("held", "VBD")], with_obj)


def test_fastpath_both_parts_of_speech_need_no_tagger(nlp):
    both = TriggerFilter({"attack": [None, None]}, nlp,
                         by_pos={("v", "attack"): [None], ("n", "attack"): [None]})
    verb_only = TriggerFilter({"attack": [None]}, nlp, by_pos={("v", "attack"): [None]})
    assert both.matches_any_pos("The attack came at dawn.")
    assert not verb_only.matches_any_pos("The attack came at dawn.")
    assert not both.matches_any_pos("The weather was mild.")


def test_fastpath_trigger_window_gives_the_sentence_tag(nlp):
    f = TriggerFilter({"station": [None], "fund": [None]}, nlp)
    for text in ["In the north of the country, the local radio stations that serve farming "
                 "villages broadcast news in four languages every single morning.",
                 "A group of donors from several wealthy Gulf states agreed last week to fund "
                 "the construction of three new schools near the coast."]:
        windows = f.trigger_windows(text, 0, len(text))
        assert len(windows) == 1 and windows[0] != (0, len(text))  # a window, not the sentence
        a, b = windows[0]
        word = next(w for w in ("stations", "fund") if w in text)
        assert a < text.index(word) < b
        whole = dict(_tagged(nlp, text))
        assert dict(_tagged(nlp, mask_text(text, windows)))[word] == whole[word]


def test_fastpath_context_rule():
    from eventcoder.pipeline import ContextRule

    rule = ContextRule({"he", "they", "its"}, {"the", "both"}, {"group", "sides"})
    assert rule("He met the minister in Accra.")
    assert rule("The armed group claimed the attack.")  # definite word, then a description
    assert rule("Both warring sides signed the deal.")
    assert not rule("Police arrested 40 protesters in Kano.")
    assert not rule("A group of farmers marched on Friday.")  # indefinite: nothing to resolve


def test_fastpath_context_only_where_needed(extractors):
    fast, _ = extractors
    article = read_text(ARTICLES[1], published=PUBLISHED)
    (_text, (_a, plan)), = list(fast._plan_batch([article]))
    kept = [article.text[a:b] for a, b in (plan.sentences[i] for i in plan.kept)]
    assert kept[0].startswith("Kenya's foreign minister")  # the lede
    assert any(s.startswith("He met President") for s in kept)  # trigger sentence
    assert any(s.startswith("The visit was") for s in kept)  # before "He": a pronoun
    assert any(s.startswith("A spokesman said") for s in kept)  # trigger sentence
    assert not any(s.startswith("The weather") for s in kept)  # nothing in it to resolve back


def test_fastpath_resources_frozen_out_of_gc(extractors):
    # The loaded resources are moved out of the cyclic collector's scans (pipeline._freeze_resources).
    import gc

    assert gc.get_freeze_count() > 100_000  # model, actor KB, gazetteer: hundreds of thousands


def test_fastpath_place_text_is_the_article_slice(nlp, extractors):
    # geocode reads doc.text once per article: every place's text is still the text between
    # its offsets, multi-word and Arabic-article names included.
    from eventcoder.geocode import find_places

    text = ("Police in Port Harcourt arrested 12 protesters on Monday. Crowds later marched "
            "from al-Quds towards Gaza, officials in New York said.")
    places = find_places(nlp(text), extractors[0].gazetteer)
    assert {"Port Harcourt", "Jerusalem"} <= {p.name for p in places}
    assert len(places) >= 3
    assert all(p.text == text[p.start:p.end] and p.text for p in places)


@pytest.mark.parametrize("text,field,count,qualifier", [
    ("Between 12 and 15 people were killed in the clashes on Friday.", "fatalities", 12, "at_least"),
    ("Police said 40 or more protesters were arrested in the capital.", "arrests", 40, "at_least"),
    ("At least twenty-three people were wounded when the bridge collapsed.", "injuries", 23, "at_least"),
])
def test_fastpath_casualty_figures_read_from_one_word_list(nlp, text, field, count, qualifier):
    # casualties._numbers lower-cases the sentence once and hands the list to _parse_number.
    from eventcoder.casualties import counts_in_sentence

    found = getattr(counts_in_sentence(next(nlp(text).sents)), field)
    assert found is not None and (found.count, found.qualifier) == (count, qualifier)
