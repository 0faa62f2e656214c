"""Casualty counts on short self-written news sentences and headlines."""

import pytest

from eventcoder.casualties import Counts, counts_in_sentence, extract_counts
from eventcoder.model import EventDraft

# A stand-in for the real detector: the first token whose lemma is a violence or arrest verb.
TRIGGER_LEMMAS = {"kill", "shoot", "stab", "wound", "injure", "hurt", "die", "arrest", "detain",
                  "take", "claim", "lose", "leave", "murder", "behead", "execute", "toll", "blast",
                  "apprehend"}
TYPES = {"arrest": "COERCE", "detain": "COERCE", "take": "COERCE", "apprehend": "COERCE"}


def make_draft(doc, nth: int = 0) -> EventDraft:
    hits = [t for t in doc if t.lemma_.lower() in TRIGGER_LEMMAS]
    tok = hits[nth] if hits else next(iter(doc.sents)).root  # "gunned down", "no casualties"
    index = next(k for k, s in enumerate(doc.sents) if s.start <= tok.i < s.end)
    return EventDraft(type=TYPES.get(tok.lemma_.lower(), "ASSAULT"), sentence_index=index,
                      trigger=(tok.i, tok.i + 1), trigger_text=tok.text)


CASES = [
    # field, count, qualifier, sentence
    ("fatalities", 3, "exact", "On Monday, soldiers shot three farmers dead, including a boy, near the river."),
    ("fatalities", 180, "at_least", "The air campaign killed at least 180 people, including 41 children."),
    ("fatalities", 1, "exact", "A teenager was killed in the raid on the camp."),
    ("fatalities", 1, "exact", "Snipers killed a soldier near the border post."),
    ("fatalities", 2, "exact", "Two people were killed and five wounded in the ambush."),
    ("injuries", 5, "exact", "Two people were killed and five wounded in the ambush."),
    ("injuries", 24, "at_least", "Dozens were injured when riot police charged the march."),
    ("fatalities", 40, "at_least", "Scores of herders were killed by the raiders."),
    ("arrests", 200, "at_least", "Hundreds of students were arrested at the rally."),
    ("fatalities", 40, "more_than", "More than 40 miners died after the attack on the camp."),
    ("injuries", 30, "up_to", "Nearly 30 were hurt in the stampede at the checkpoint."),
    ("fatalities", 15, "about", "Around 15 villagers were killed in the overnight raid."),
    ("arrests", 200, "about", "Some 200 people were detained after the protest."),
    ("fatalities", 12, "up_to", "Up to 12 fighters were killed in the shelling."),
    ("injuries", 12, "at_least", "12 to 15 people were wounded in the clash."),
    ("fatalities", 12, "at_least", "Between 12 and 15 people were killed in the mortar fire."),
    ("fatalities", 12, "about", "A dozen guards were killed at the prison gate."),
    ("injuries", 6, "about", "Half a dozen officers were injured by stones."),
    ("arrests", 1200, "exact", "Police arrested 1,200 marchers in the capital."),
    ("fatalities", 23, "exact", "Twenty-three people were killed in the bombing."),
    ("fatalities", 105, "exact", "One hundred and five people died in the siege."),
    ("fatalities", 31, "exact", "The death toll from the market bombing rose to 31 on Friday."),
    ("fatalities", 45, "at_least", "The toll from the blast has climbed to at least 45."),
    ("fatalities", 4, "exact", "The car bomb left 4 dead and 12 injured."),
    ("injuries", 12, "exact", "The car bomb left 4 dead and 12 injured."),
    ("fatalities", 7, "exact", "The fire at the depot claimed the lives of 7 workers."),
    ("fatalities", 2, "exact", "Two fishermen lost their lives when the boat was shelled."),
    ("injuries", 9, "exact", "Gunmen shot at the bus, wounding 9 passengers."),
    ("injuries", 9, "exact", "A grenade was thrown into the market, injuring 9 shoppers."),
    ("arrests", 14, "exact", "Security forces arrested 14 activists in the town."),
    ("arrests", 14, "exact", "Police detained 14 students outside the university."),
    ("arrests", 3, "exact", "Officers took 3 men into custody after the clashes."),
    ("fatalities", 1, "exact", "A man was shot dead at a checkpoint."),
    ("fatalities", 1, "exact", "A woman was stabbed to death in the village."),
    ("fatalities", 1, "exact", "A child died of his wounds in hospital."),
    ("fatalities", 2, "exact", "The gunmen opened fire on the guards, killing both."),
    ("fatalities", 3, "exact", "The soldiers killed all three."),
    ("fatalities", 2, "exact", "On 3 March, gunmen killed two traders."),
    ("fatalities", 1, "exact", "A 16-year-old boy was killed in the crossfire."),
    ("fatalities", 250, "exact", "The 11-day war killed 250 people."),
    ("fatalities", 40, "exact", "The offensive in 2021 killed 40 civilians."),
    ("fatalities", 1, "exact", "Three gunmen killed a farmer on his land."),
    ("fatalities", 0, "exact", "No one was killed in the attack on the convoy."),
    ("injuries", 0, "exact", "Nobody was hurt when the rocket landed."),
    ("fatalities", 3, "exact", "Militants fired two rockets, killing three civilians."),
    ("fatalities", 1, "exact", "Militants burned three vehicles and killed a shepherd near the well, 50 km from the town."),
    ("fatalities", 5, "exact", "The raid killed 3 soldiers and 2 civilians."),
    ("fatalities", 1, "exact", "Israeli forces killed a Palestinian and wounded three others in Jenin."),
    ("injuries", 3, "exact", "Israeli forces killed a Palestinian and wounded three others in Jenin."),
    ("fatalities", 8, "exact", "Attackers killed 8 people, among them 3 children."),
    ("fatalities", 7, "exact", "The suicide bomber killed himself and 6 others."),
    ("arrests", 7, "exact", "Two suspects were apprehended and 5 others detained."),
    ("fatalities", 3, "exact", "Gunmen killed the village chief and his two sons."),
    ("fatalities", 9, "at_least", "Clashes in the city left at least 9 people dead and dozens injured."),
    ("injuries", 24, "at_least", "Clashes in the city left at least 9 people dead and dozens injured."),
    ("fatalities", 1, "exact", "He was killed by a sniper on Tuesday."),
    ("injuries", 50, "more_than", "The bombing killed 20 people, a security official said, and wounded more than 50."),
    ("fatalities", 2300, "exact", "The quake and the shelling that followed killed 2,300 people."),
    ("fatalities", 0, "exact", "There were no casualties in the overnight shelling."),
    ("injuries", 0, "exact", "There were no casualties in the overnight shelling."),
    ("fatalities", 0, "exact", "The mortar round killed no one."),
    ("injuries", 0, "exact", "The blast did not injure anyone."),
    ("fatalities", 0, "exact", "No deaths were reported after the raid."),
    ("arrests", 14, "exact", "There were 14 arrests after the match."),
    ("fatalities", 1, "exact", "A man aged 23 was killed at the market."),
    ("fatalities", 4, "exact", "A blast at the market killed 4 shoppers."),
    ("arrests", 30, "exact", "Police rounded up 30 youths in the district."),
    ("fatalities", 5, "exact", "Five people were gunned down at a wedding."),
    ("fatalities", 12, "more_than", "Troops killed more than a dozen fighters."),
    ("arrests", 20000, "at_least", "Tens of thousands were detained in the crackdown."),
    ("fatalities", 20, "at_least", "Soldiers killed 20 or more rebels in the hills."),
]

NONE_CASES = [
    # field that must stay empty, sentence
    ("fatalities", "Gunmen burned three vehicles and two houses on 3 March."),
    ("fatalities", "Troops killed and wounded dozens of fighters in the battle."),  # one figure, two outcomes
    ("fatalities", "Civilians were killed in the shelling of the town."),  # no figure stated
    ("injuries", "The 23 people aged over 60 were not hurt."),
    ("arrests", "Police killed 4 suspects in the shootout."),
    ("fatalities", "Police arrested 14 protesters after the rally."),
    ("fatalities", "The attack lasted for two hours and killed no livestock."),
    ("fatalities", "Gunmen attacked the village for the third time, killing civilians."),
    ("fatalities", "The raiders stole $300 and killed villagers."),
    ("fatalities", "The army killed several militants."),
    ("fatalities", "Soldiers shot three Bedouin men near the well."),  # shot: outcome unknown
    ("injuries", "Soldiers shot three Bedouin men near the well."),
]


@pytest.mark.parametrize("field,count,qualifier,text", CASES)
def test_casualties_extract_counts(nlp, field, count, qualifier, text):
    doc = nlp(text)
    got = getattr(extract_counts(doc, make_draft(doc)), field)
    assert got is not None, f"no {field} in {text!r}"
    assert (got.count, got.qualifier) == (count, qualifier), got
    assert got.text and got.text in text


@pytest.mark.parametrize("field,text", NONE_CASES)
def test_casualties_no_figure(nlp, field, text):
    doc = nlp(text)
    assert getattr(counts_in_sentence(doc[:]), field) is None


HEADLINES = [
    ("fatalities", 5, "exact", "Five killed in Mogadishu blast"),
    ("fatalities", 12, "exact", "Gunmen kill 12 villagers in Zamfara"),
    ("fatalities", 12, "exact", "GUNMEN KILL 12 VILLAGERS IN ZAMFARA"),
    ("fatalities", 3, "exact", "Airstrike kills 3 civilians"),
    ("fatalities", 3, "exact", "Airstrike Kills 3 Civilians In Idlib"),
    ("fatalities", 19, "at_least", "At least 19 killed in raid on cattle market"),
    ("fatalities", 5, "exact", "Police officer, 4 bandits killed in gunfight near farm"),
    ("injuries", 5, "exact", "3 herders killed, 5 others wounded in ambush"),
    ("fatalities", 2, "exact", "Bomb blast kills two, injures 10 in market"),
    ("injuries", 10, "exact", "Bomb blast kills two, injures 10 in market"),
    ("arrests", 25, "exact", "Police arrest 25 after clashes in the capital"),
    ("fatalities", 8, "at_least", "Car bomb kills at least 8 near ministry"),
    ("fatalities", 5, "exact", "Two soldiers, three rebels die in clashes"),
    ("fatalities", 8, "exact", "Eight dead as gunmen storm church"),
    ("fatalities", 40, "exact", "Death toll in hotel attack rises to 40"),
    ("fatalities", 14, "exact", "Fighting leaves 14 dead in border town"),
    ("injuries", 3, "exact", "One killed, 3 hurt in grenade attack"),
    ("fatalities", 3, "exact", "Three herders shot dead by soldiers"),
    ("arrests", 200, "at_least", "Hundreds arrested in capital protests"),
    ("fatalities", 14, "exact", "14 #rebel fighters died in the shelling on Monday"),
    ("fatalities", 12, "about", "Drone strike kills dozen fighters near dam"),
    ("fatalities", 9, "exact", "Three police among nine killed in jailbreak"),
]


@pytest.mark.parametrize("field,count,qualifier,text", HEADLINES)
def test_casualties_headlines(nlp, field, count, qualifier, text):
    got = getattr(counts_in_sentence(nlp(text)[:]), field)
    assert got is not None, f"no {field} in {text!r}"
    assert (got.count, got.qualifier) == (count, qualifier), got
    assert got.text in text


def test_casualties_prefers_figure_attached_to_trigger(nlp):
    text = "A bomb killed 3 soldiers in the north, and gunmen killed 5 police officers in the south."
    doc = nlp(text)
    assert extract_counts(doc, make_draft(doc, 0)).fatalities.count == 3
    assert extract_counts(doc, make_draft(doc, 1)).fatalities.count == 5


def test_casualties_reads_only_the_event_sentence(nlp):
    doc = nlp("Police arrested 40 people on Monday. On Tuesday, a soldier was killed in the town.")
    counts = extract_counts(doc, make_draft(doc))  # the first trigger: "arrested"
    assert counts.arrests.count == 40 and counts.fatalities is None
    later = extract_counts(doc, make_draft(doc, 1))
    assert later.fatalities.count == 1 and later.arrests is None


def test_casualties_subset_text_is_kept_but_not_added(nlp):
    text = "Border guards shot four migrants dead, including a woman, near the fence on Sunday."
    counts = extract_counts(nlp(text), make_draft(nlp(text)))
    assert counts == Counts(fatalities=counts.fatalities)
    assert counts.fatalities.count == 4
    assert counts.fatalities.text == "shot four migrants dead, including a woman"


@pytest.mark.parametrize("count, text", [
    (7, "7 Bodies Found Near Highway Outside Town"),
    (5, "Police found the bodies of five men near the river on Monday."),
    (3, "Residents discovered three bodies in a ditch behind the market."),
    (1, "A body was recovered from the rubble of the clinic."),
])
def test_casualties_bodies_found_are_deaths(nlp, count, text):
    fatalities = counts_in_sentence(next(nlp(text).sents)).fatalities
    assert fatalities is not None and (fatalities.count, fatalities.qualifier) == (count, "exact")


@pytest.mark.parametrize("text", ["Rescuers found 12 survivors under the rubble.",
                                  "Troops found four rifles in the house."])
def test_casualties_found_without_bodies_is_no_death(nlp, text):
    assert counts_in_sentence(next(nlp(text).sents)).fatalities is None


@pytest.mark.parametrize("text", ["Suspected terrorist killed in gunfight with police",
                                  "A kidnapper was shot dead by troops near the border."])
def test_casualties_singular_armed_person_is_one(nlp, text):
    fatalities = counts_in_sentence(next(nlp(text).sents)).fatalities
    assert fatalities is not None and fatalities.count == 1


@pytest.mark.parametrize("expected, text, figure", [
    (True, "Seven soldiers killed in ambush near the border", 7),
    (True, "Gunmen kill 12 in market attack", 12),
    (True, "1,200 displaced and 1,200 dead after floods", 1200),
    (False, "More than 200 killed across the country yesterday", 2),
    (False, "Clashes over 13 days in the north", 1),
    (False, "Fighting resumes in the east", 3),
])
def test_casualties_eval_counts_only_the_stated_figure(expected, text, figure):
    """UCDP scoring: a headline's aggregate figure is not the GED event's own count."""
    from eventcoder.evaluate.events_data import states_figure

    assert states_figure(text, figure) is expected
