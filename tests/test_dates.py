"""Date stage: expressions resolved against a fixed publication date (Friday 2022-03-18)."""

import datetime as dt
import time

import pytest

from eventcoder.dates import (DateMention, date_for_event, find_dates, is_historical,
                              resolve_expression)
from eventcoder.model import DateSpan, EventDraft

PUB = dt.date(2022, 3, 18)  # a Friday
D = dt.date


@pytest.mark.parametrize("expected, text", [
    # (start, end, precision)
    ((D(2022, 3, 15), D(2022, 3, 15), "day"), "On Tuesday"),
    ((D(2022, 3, 18), D(2022, 3, 18), "day"), "on Friday"),  # same weekday = publication day
    ((D(2022, 3, 12), D(2022, 3, 12), "day"), "Saturday"),
    ((D(2022, 3, 15), D(2022, 3, 15), "day"), "last Tuesday"),
    ((D(2022, 3, 11), D(2022, 3, 11), "day"), "last Friday"),
    ((D(2022, 3, 22), D(2022, 3, 22), "day"), "next Tuesday"),
    ((D(2022, 3, 16), D(2022, 3, 16), "day"), "Wednesday night"),
    ((D(2022, 3, 15), D(2022, 3, 15), "day"), "Tuesday's"),
    ((D(2022, 3, 18), D(2022, 3, 18), "day"), "today"),
    ((D(2022, 3, 18), D(2022, 3, 18), "day"), "now"),
    ((D(2022, 3, 18), D(2022, 3, 18), "day"), "currently"),
    ((D(2022, 3, 17), D(2022, 3, 17), "day"), "yesterday"),
    ((D(2022, 3, 17), D(2022, 3, 17), "day"), "yesterday afternoon"),
    ((D(2022, 3, 16), D(2022, 3, 16), "day"), "the day before yesterday"),
    ((D(2022, 3, 17), D(2022, 3, 17), "day"), "last night"),
    ((D(2022, 3, 19), D(2022, 3, 19), "day"), "tomorrow"),
    ((D(2022, 3, 14), D(2022, 3, 20), "week"), "this week"),
    ((D(2022, 3, 7), D(2022, 3, 13), "week"), "last week"),
    ((D(2022, 3, 7), D(2022, 3, 13), "week"), "the past week"),
    ((D(2022, 3, 21), D(2022, 3, 27), "week"), "next week"),
    ((D(2022, 3, 19), D(2022, 3, 25), "week"), "in the coming days"),
    ((D(2022, 3, 12), D(2022, 3, 18), "week"), "in recent days"),
    ((D(2022, 3, 12), D(2022, 3, 13), "week"), "over the weekend"),
    ((D(2022, 3, 19), D(2022, 3, 20), "week"), "next weekend"),
    ((D(2022, 2, 1), D(2022, 2, 28), "month"), "last month"),
    ((D(2022, 3, 1), D(2022, 3, 31), "month"), "this month"),
    ((D(2022, 4, 1), D(2022, 4, 30), "month"), "next month"),
    ((D(2021, 5, 1), D(2021, 5, 31), "month"), "in May"),
    ((D(2022, 3, 1), D(2022, 3, 31), "month"), "in March"),
    ((D(2021, 5, 1), D(2021, 5, 31), "month"), "in May last year"),
    ((D(2021, 5, 1), D(2021, 5, 31), "month"), "Back in May 2021"),
    ((D(2021, 5, 1), D(2021, 5, 31), "month"), "May 2021"),
    ((D(2021, 7, 1), D(2021, 7, 31), "month"), "late last July"),
    ((D(2021, 12, 1), D(2021, 12, 31), "month"), "early December"),
    ((D(2022, 3, 3), D(2022, 3, 3), "day"), "March 3"),
    ((D(2021, 4, 7), D(2021, 4, 7), "day"), "April 7"),  # after publication: the year before
    ((D(2022, 3, 3), D(2022, 3, 3), "day"), "3 March 2022"),
    ((D(2022, 3, 3), D(2022, 3, 3), "day"), "March 3, 2022"),
    ((D(2022, 3, 3), D(2022, 3, 3), "day"), "the 3rd of March"),
    ((D(2022, 2, 28), D(2022, 2, 28), "day"), "Feb. 28"),
    ((D(2022, 3, 15), D(2022, 3, 15), "day"), "Tuesday, March 15"),
    ((D(2022, 3, 5), D(2022, 3, 5), "day"), "on the night of March 5"),
    ((D(2001, 9, 11), D(2001, 9, 11), "day"), "Sept. 11, 2001"),
    ((D(2021, 5, 10), D(2021, 5, 10), "day"), "2021-05-10"),
    ((D(2021, 5, 10), D(2021, 5, 10), "day"), "10/05/2021"),  # ambiguous: day-first
    ((D(2021, 5, 13), D(2021, 5, 13), "day"), "05/13/2021"),  # only month-first is valid
    ((D(2022, 3, 2), D(2022, 3, 2), "day"), "02/03/2022"),
    ((D(1967, 1, 1), D(1967, 12, 31), "year"), "in 1967"),
    ((D(2012, 1, 1), D(2012, 12, 31), "year"), "2012"),
    ((D(1982, 1, 1), D(1982, 12, 31), "year"), "'82"),
    ((D(1990, 1, 1), D(1999, 12, 31), "year"), "the 1990s"),
    ((D(2021, 1, 1), D(2021, 12, 31), "year"), "last year"),
    ((D(2021, 1, 1), D(2021, 12, 31), "year"), "the end of last year"),
    ((D(2022, 1, 1), D(2022, 12, 31), "year"), "this year"),
    ((D(2022, 1, 1), D(2022, 3, 18), "year"), "earlier this year"),
    ((D(2023, 1, 1), D(2023, 12, 31), "year"), "next year"),
    ((D(2022, 3, 16), D(2022, 3, 16), "day"), "two days ago"),
    ((D(2022, 2, 21), D(2022, 2, 27), "week"), "three weeks ago"),
    ((D(2021, 1, 1), D(2021, 12, 31), "year"), "a year ago"),
    ((D(2022, 3, 14), D(2022, 3, 18), "week"), "since Monday"),
    ((D(2019, 1, 1), D(2022, 3, 18), "year"), "since 2019"),
    ((D(2021, 1, 1), D(2021, 3, 31), "year"), "the first quarter of 2021"),
    ((D(2022, 3, 18), D(2022, 3, 18), "day"), "the past 24 hours"),
    ((D(2022, 3, 10), D(2022, 3, 11), "week"), "March 10-11"),  # 2 days fit in a week
    ((D(2022, 1, 1), D(2022, 12, 31), "year"), "this fiscal year"),
    ((D(2021, 7, 1), D(2021, 9, 30), "year"), "the third quarter"),
])
def test_dates_resolve_expression(expected, text):
    span = resolve_expression(text, PUB)
    assert span is not None, text
    assert (span.start, span.end, span.precision) == expected
    assert span.text == text


@pytest.mark.parametrize("text", [
    "11-day", "an 11-day war", "a 16-year-old", "16-year-old", "10 a.m.", "at 9:30", "three years",
    "for five days", "48 hours", "260", "recently", "the past", "at the time", "the day", "",
])
def test_dates_resolve_expression_rejects_non_dates(text):
    assert resolve_expression(text, PUB) is None


@pytest.mark.parametrize("expected, text", [
    (D(2022, 3, 22), "on Tuesday"),
    (D(2022, 3, 18), "on Friday"),
    (D(2022, 5, 1), "in May"),
    (D(2022, 4, 7), "April 7"),
    (D(2023, 3, 3), "March 3"),
    (D(2022, 3, 19), "this weekend"),
])
def test_dates_resolve_expression_future(expected, text):
    assert resolve_expression(text, PUB, future=True).start == expected


@pytest.mark.parametrize("expected, text", [
    ("'On Tuesday', relative to publication on Friday 2022-03-18", "On Tuesday"),
    ("'in May last year': May 2021", "in May last year"),
    ("'last week': 2022-03-07 to 2022-03-13", "last week"),
    ("'in 1967': 1967", "in 1967"),
])
def test_dates_basis(expected, text):
    assert resolve_expression(text, PUB).basis == expected


@pytest.mark.parametrize("expected, text", [
    (None, "On Tuesday"), (None, "last week"), (None, "March 3"),
    ((D(2021, 5, 1), D(2021, 5, 31)), "May 2021"),
    ((D(2021, 5, 10), D(2021, 5, 10)), "2021-05-10"),
    ((D(1967, 1, 1), D(1967, 12, 31)), "in 1967"),
])
def test_dates_resolve_without_publication(expected, text):
    span = resolve_expression(text, None)
    assert (None if span is None else (span.start, span.end)) == expected


@pytest.mark.parametrize("expected, text", [
    (["On Tuesday"], "On Tuesday, soldiers shot two men near the checkpoint."),
    (["Back in May 2021"], "Back in May 2021, an 11-day war left the town in ruins."),
    (["in May last year", "in 1967"],
     "The truce held in May last year, unlike the one agreed in 1967."),
    (["last night"], "A 16-year-old was wounded at 10 a.m. and another boy last night."),
    (["in the coming days"], "Settlers plan to enter the compound in the coming days."),
    (["on the night of March 5"], "Rockets were fired on the night of March 5."),
    (["three weeks ago", "over the weekend"],
     "The talks collapsed three weeks ago and resumed over the weekend."),
    (["2021-05-10", "yesterday"], "The decree of 2021-05-10 was revoked yesterday."),
    ([], "The 11-day war killed 260 people, among them a 12-year-old girl."),
    ([], "About 1948 people marched for three days."),
    (["on Monday"], "The Sunday Times said Theresa May spoke on Monday."),
])
def test_dates_find_dates(expected, text, nlp):
    mentions = find_dates(nlp(text), PUB)
    assert [m.text for m in mentions] == expected
    for m in mentions:
        assert isinstance(m, DateMention) and text[m.start:m.end] == m.text


def test_dates_find_dates_future_tense(nlp):
    mentions = find_dates(nlp("The envoy will visit Amman on Tuesday."), PUB)
    assert [(m.text, m.span.start) for m in mentions] == [("on Tuesday", D(2022, 3, 22))]


def test_dates_find_dates_without_publication(nlp):
    doc = nlp("Troops withdrew on Tuesday. The accord was signed on 3 March 2021.")
    assert [(m.text, m.span.start) for m in find_dates(doc, None)] == [
        ("on 3 March 2021", D(2021, 3, 3))]


def _draft(doc, trigger: str) -> EventDraft:
    i = next(t.i for t in doc if t.text == trigger)
    index = next(k for k, s in enumerate(doc.sents) if s.start <= i < s.end)
    return EventDraft(type="ASSAULT", sentence_index=index, trigger=(i, i + 1), trigger_text=trigger)


@pytest.mark.parametrize("expected, text, trigger", [
    ((D(2022, 3, 16), "on Wednesday"), "Ministers met on Wednesday, a day after the attack on Tuesday.", "met"),
    ((D(2022, 3, 15), "on Tuesday"), "Ministers met on Wednesday, a day after the attack on Tuesday.", "attack"),
    ((D(2022, 3, 14), "on Monday"), "Police arrested two men on Monday and charged them on Thursday.", "arrested"),
    ((D(2022, 3, 17), "on Thursday"), "Police arrested two men on Monday and charged them on Thursday.", "charged"),
    ((D(2022, 3, 15), "on Tuesday"), "Soldiers shot a farmer on Tuesday, the ministry said on Thursday.", "shot"),
    ((D(2022, 3, 17), "on Thursday"), "Soldiers shot a farmer on Tuesday, the ministry said on Thursday.", "said"),
    ((D(2021, 5, 1), "Back in May 2021"),
     "Back in May 2021, clashes at the shrine led to a war, during which troops killed 40 people.", "killed"),
    ((D(2021, 5, 1), "in May last year"),
     "During the war in May last year, when rebels launched the offensive, hundreds fled.", "launched"),
    ((D(2022, 3, 14), "on Monday"), "The two leaders, who last met in 2019, signed a deal on Monday.", "signed"),
    ((D(2022, 3, 17), "last night"),
     "Troops were deployed last night after a bombing that killed six people on Sunday.", "deployed"),
    ((D(2022, 3, 13), "on Sunday"),
     "Troops were deployed last night after a bombing that killed six people on Sunday.", "killed"),
    ((D(2022, 3, 22), "on Tuesday"), "The envoy will visit Cairo on Tuesday.", "visit"),
    ((D(2022, 4, 1), "in April"), "The envoy plans to visit Cairo in April.", "visit"),
    # "when" ties the clause to the time named before it, even where the parse blocks it
    ((D(2021, 6, 1), "in June last year"),
     "The militia vowed to fight as it did during the siege in June last year, when its gunmen "
     "stormed the council building.", "stormed"),
])
def test_dates_date_for_event(expected, text, trigger, nlp):
    doc = nlp(text)
    span = date_for_event(doc, _draft(doc, trigger), find_dates(doc, PUB), PUB)
    assert (span.start, span.text) == expected


@pytest.mark.parametrize("text, trigger", [
    ("Protesters marched through the city centre.", "marched"),
    # the year belongs to the relative clause about the founding, not to the firing
    ("The group, which was founded in 1987, fired rockets at the town.", "fired"),
])
def test_dates_date_for_event_falls_back_to_publication(text, trigger, nlp):
    doc = nlp(text)
    span = date_for_event(doc, _draft(doc, trigger), find_dates(doc, PUB), PUB)
    assert (span.start, span.end, span.precision, span.rule) == (PUB, PUB, "week", "publication-date")
    assert span.basis == "no date in the sentence: publication date 2022-03-18, week precision"
    assert date_for_event(doc, _draft(doc, trigger), find_dates(doc, None), None) is None


def test_dates_date_for_event_ignores_next_paragraph(nlp):
    """A parse that runs one sentence across a paragraph break must not lend the next
    paragraph's date to the event (forced here by fixing the sentence boundaries)."""
    doc = nlp.make_doc("The cleric urged worshippers to stay calm.\n\n"
                       "Back in May 2021, clashes at the gate led to a week of riots.")
    for token in doc[1:]:
        token.is_sent_start = False
    for name, proc in nlp.pipeline:
        if name != "paragraph_breaks":  # nlp.py's own guard would split it
            doc = proc(doc)
    assert len(list(doc.sents)) == 1
    mentions = find_dates(doc, PUB)
    assert [m.text for m in mentions] == ["Back in May 2021"]
    assert date_for_event(doc, _draft(doc, "urged"), mentions, PUB).rule == "publication-date"


def test_dates_date_for_event_second_sentence(nlp):
    doc = nlp("Talks resumed on Monday. Troops opened fire on Wednesday, witnesses said.")
    span = date_for_event(doc, _draft(doc, "fire"), find_dates(doc, PUB), PUB)
    assert (span.start, span.rule) == (D(2022, 3, 16), "weekday-relative")


@pytest.mark.parametrize("expected, start, end", [
    (False, D(2022, 3, 15), D(2022, 3, 15)),
    (False, D(2022, 2, 16), D(2022, 2, 16)),  # exactly 30 days
    (True, D(2022, 2, 15), D(2022, 2, 15)),
    (True, D(2021, 5, 1), D(2021, 5, 31)),
    (False, D(2022, 1, 1), D(2022, 12, 31)),  # a year still running
])
def test_dates_is_historical(expected, start, end):
    span = DateSpan(start=start, end=end, precision="day", basis="test")
    assert is_historical(span, PUB) is expected


def test_dates_find_dates_timing(nlp):
    """Prints (does not assert) the cost of find_dates on a ~600-word article."""
    para = ("On Tuesday, soldiers shot two men near the checkpoint, officials said on Wednesday. "
            "Back in May 2021, an 11-day war left 260 dead, including a 16-year-old boy. "
            "Leaders will meet next week in the capital at 10 a.m. to discuss the truce signed "
            "on 3 March 2021, which collapsed three weeks ago and again over the weekend. ")
    doc = nlp(para * 10)
    assert 500 <= len([t for t in doc if not t.is_punct]) <= 700
    start = time.perf_counter()
    mentions = find_dates(doc, PUB)
    elapsed = (time.perf_counter() - start) * 1000
    print(f"\nfind_dates: {elapsed:.1f} ms for {len(doc)} tokens, {len(mentions)} mentions")
    assert len(mentions) == 70


@pytest.mark.parametrize(
    "text,expected",
    [
        ("The rebels threatened on Thursday to shell the airport.", dt.date(2022, 3, 17)),
        ("The minister vowed on Sunday to rebuild the bridge.", dt.date(2022, 3, 13)),
        ("The two leaders plan to meet on Tuesday in Geneva.", dt.date(2022, 3, 22)),
    ],
)
def test_dates_past_plan_verb_dates_the_pledge(nlp, text, expected):
    (mention,) = find_dates(nlp(text), PUB)
    assert expected == mention.span.start


@pytest.mark.parametrize("expected, text", [
    (D(2022, 3, 25), "Officials announced a summit to be held on March 25."),
    (D(2022, 4, 2), "A hearing has been scheduled for April 2 in the capital."),
    (D(2022, 3, 21), "The ministry has kept the crossing closed until Monday."),
    (D(2022, 3, 14), "The crossing was closed until Monday."),
    (D(2022, 5, 1), "The handover should be finished in May."),
    (D(2021, 5, 1), "The handover was finished in May."),
])
def test_dates_find_dates_future_markers(expected, text, nlp):
    """Infinitive relatives, scheduled passives, "until" on a non-past verb and modals point ahead."""
    mentions = find_dates(nlp(text), PUB)
    assert len(mentions) == 1 and mentions[0].span.start == expected


def test_dates_find_dates_range_ends_are_dates(nlp):
    mentions = find_dates(nlp("Exports fell between April and June, and grew from 2009 to 2011."), PUB)
    assert [(m.text, m.span.start, m.span.end) for m in mentions] == [
        ("April", D(2021, 4, 1), D(2021, 4, 30)), ("June", D(2021, 6, 1), D(2021, 6, 30)),
        ("2009", D(2009, 1, 1), D(2009, 12, 31)), ("2011", D(2011, 1, 1), D(2011, 12, 31))]


def test_dates_find_dates_since_month_year(nlp):
    mentions = find_dates(nlp("Prices have not been this high since April 2019."), PUB)
    assert [(m.text, m.span.start, m.span.rule) for m in mentions] == [
        ("since April 2019", D(2019, 4, 1), "since")]


@pytest.mark.parametrize("expected, text", [
    (D(2022, 3, 15), "On Tuesday the index opened higher but fell late in the day."),
    (PUB, "The index opened higher but dropped 2% to end the day at 7,100 points."),
])
def test_dates_the_day_is_the_running_day(expected, text, nlp):
    the_day = [m for m in find_dates(nlp(text), PUB) if m.span.rule == "the-day"]
    assert [(m.span.start, m.span.precision) for m in the_day] == [(expected, "day")]


def test_dates_the_day_after_something_is_not_read(nlp):
    assert not [m for m in find_dates(nlp("Troops left the day after the raid."), PUB) if m.span.rule == "the-day"]


def test_dates_infinitive_with_own_subject_points_ahead(nlp):
    doc = nlp("Officials said a hearing to be held on March 25 would review the detentions.")
    assert [m.span.start for m in find_dates(doc, PUB)] == [D(2022, 3, 25)]
