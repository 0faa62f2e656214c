"""Mode classification from the parse, and historical markers from a sentence's words."""

import pytest

from eventcoder.modes import classify_mode, historical_marker_at, historical_markers


def mode_of(nlp, text, word):
    doc = nlp(text)
    idx = next(t.i for t in doc if t.text == word)
    return classify_mode(doc, idx)


@pytest.mark.parametrize("expected,text,word", [
    ("occurred", "Troops attacked the village on Monday.", "attacked"),
    ("denied", "Troops did not attack the village.", "attack"),
    ("denied", "Troops never attacked the village.", "attacked"),
    ("denied", "The army denied shelling the village.", "shelling"),
    ("planned", "Settlers are planning to storm the compound.", "storm"),
    ("planned", "The army will deploy more troops.", "deploy"),
    ("threatened", "The group threatened to kill the hostages.", "kill"),
    ("threatened", "The commander vowed to retaliate against the rebels.", "retaliate"),
    ("demanded", "The council urged the army to withdraw.", "withdraw"),
    ("demanded", "Leaders called on supporters to boycott the vote.", "boycott"),
    ("hypothetical", "If talks collapse, the rebels could attack the port.", "attack"),
    ("hypothetical", "They stressed the need to confront the militias.", "confront"),
    ("occurred", "The ministry said troops killed two gunmen.", "killed"),
    ("planned", "Police thwarted the planned attack.", "attack"),
    ("hypothetical", "The strike goes on until the wage demands are met.", "met"),  # a condition
    ("occurred", "The guards fired until the crowd dispersed.", "dispersed"),  # a past clause
])
def test_modes_classify(nlp, expected, text, word):
    mode, rule = mode_of(nlp, text, word)
    assert mode == expected, rule
    assert rule


def test_modes_reported_threat_itself_occurred(nlp):
    assert mode_of(nlp, "The group threatened to kill the hostages.", "threatened")[0] == "occurred"


@pytest.mark.parametrize("expected,text", [
    ("marker:back-in", "Back in May 2021, the war killed hundreds."),
    ("marker:last-year", "The protests recalled last year's unrest."),
    ("marker:during-the-war", "The town was shelled during the war of independence."),
    ("marker:20th-century-year", "The land was occupied in 1967."),
    ("marker:anniversary", "Crowds marked the anniversary of the massacre."),
    ("marker:since-year", "Tensions have simmered since the 2014 war."),
    (None, "Police arrested three men on Tuesday."),
])
def test_modes_historical_markers(nlp, expected, text):
    sent = next(nlp(text).sents)
    assert historical_markers(sent) == expected


@pytest.mark.parametrize("expected,text,word", [
    # an adverbial clause is an adjunct: the main verb's governor mode does not reach it
    ("occurred", "The airline ordered ten new jets, while its rival signed a leasing deal.", "signed"),
    # "forced to" happened
    ("occurred", "The carmakers were forced to seek emergency loans.", "seek"),
    # a conjoined purpose infinitive is as unrealised as the first
    ("planned", "Negotiators flew in to arrange the truce and settle the border question.", "settle"),
])
def test_modes_issue3_rules(nlp, expected, text, word):
    mode, rule = mode_of(nlp, text, word)
    assert mode == expected, rule


@pytest.mark.parametrize("expected,text,word", [
    (None, "Tunisia offered to hand over two men suspected of bombing a ferry in 1991.", "offered"),
    ("marker:20th-century-year", "Tunisia offered to hand over two men suspected of bombing a ferry in 1991.", "bombing"),
    ("marker:years-ago", "Years ago the militia shelled the port, the mayor recalled.", "shelled"),
    (None, "The minister resigned on Monday over a scandal that began years ago.", "resigned"),
])
def test_modes_historical_marker_scoped_to_clause(nlp, expected, text, word):
    doc = nlp(text)
    idx = next(t.i for t in doc if t.text == word)
    assert historical_marker_at(doc, idx) == expected
