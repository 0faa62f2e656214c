"""Actor stage: KB loading, alias matching, nationality+role actors, phrases and coreference."""

import time

import pytest

from eventcoder.actors import ActorKB, ActorMention, find_actor_mentions, resolve_actors
from eventcoder.model import ACTOR_KINDS


@pytest.fixture(scope="module")
def kb():
    return ActorKB.load()


def resolve(nlp, kb, text, phrase, occurrence=0):
    """Resolve the token span of the `occurrence`-th `phrase` in `text`."""
    doc = nlp(text)
    at = -1
    for _ in range(occurrence + 1):
        at = doc.text.index(phrase, at + 1)
    span = doc.char_span(at, at + len(phrase), alignment_mode="expand")
    return resolve_actors(doc, (span.start, span.end), kb)


def ids(refs):
    return [r.id for r in refs]


# --- knowledge base -------------------------------------------------------------------------

def test_actors_kb_loads_fast_and_is_large(kb):
    start = time.perf_counter()
    ActorKB.load()
    assert time.perf_counter() - start < 1.0
    assert len(kb) >= 250
    assert all(a.kind in ACTOR_KINDS for a in kb.actors.values())
    assert all(a.country is None or (len(a.country) == 3 and a.country.isupper()) for a in kb.actors.values())


@pytest.mark.parametrize("actor_id,name,country,kind", [
    ("isr", "Israel", "ISR", "government"),
    ("pse-pij", "Palestinian Islamic Jihad", "PSE", "rebel_group"),
    ("pse-hamas", "Hamas", "PSE", "rebel_group"),
    ("isr-settlers", "Israeli settlers", "ISR", "identity_militia"),
    ("rus", "Russia", "RUS", "government"),
    ("icrc", "International Committee of the Red Cross", None, "international_organization"),
])
def test_actors_kb_entries(kb, actor_id, name, country, kind):
    actor = kb.get(actor_id)
    assert (actor.name, actor.country, actor.kind) == (name, country, kind)


def test_actors_kb_custom_path(tmp_path):
    (tmp_path / "actors.yaml").write_text(
        "roles: {}\nactors:\n- {id: xx-test, name: Test Front, country: null, kind: rebel_group,"
        " aliases: [TF movement]}\n", encoding="utf-8")
    small = ActorKB.load(tmp_path / "actors.yaml")
    assert small.get("xx-test").name == "Test Front"
    assert small.get("isr").name == "Israel"  # countries come from the packaged data


# --- aliases and traps ------------------------------------------------------------------------

@pytest.mark.parametrize("expected,text,phrase", [
    ("pse-pij", "Islamic Jihad fired rockets at Sderot.", "Islamic Jihad"),
    ("pse-pij", "The PIJ fired rockets at Sderot.", "The PIJ"),
    ("pse-pij", "The Islamic Jihad movement fired rockets.", "The Islamic Jihad movement"),
    ("pse-hamas", "Officials said the hamas had agreed.", "the hamas"),
    ("lbn-hezbollah", "Hizbollah fighters fired at a border post.", "Hizbollah fighters"),
    ("lbn-hezbollah", "Hizballah denied the report.", "Hizballah"),
    ("som-al-shabaab", "Al-Shabab militants stormed a hotel in Mogadishu.", "Al-Shabab militants"),
    ("yem-houthis", "Ansar Allah launched drones at ships.", "Ansar Allah"),
    ("isis", "Daesh claimed the attack in Raqqa.", "Daesh"),
    ("jnim", "JNIM claimed the ambush near Djibo.", "JNIM"),
    ("is-sahel", "ISGS fighters raided the village.", "ISGS fighters"),
    ("col-agc", "The Gulf Clan attacked police in Antioquia.", "The Gulf Clan"),
    ("col-emc", "FARC dissidents ambushed soldiers in Cauca.", "FARC dissidents"),
    ("mex-cjng", "The CJNG killed four people in Michoacan.", "The CJNG"),
    ("irn-irgc", "The Revolutionary Guards seized a tanker.", "The Revolutionary Guards"),
    ("isr", "He accused the Zionist entity of aggression.", "the Zionist entity"),
    ("isr-security-forces", "The IDF raided Jenin.", "The IDF"),
])
def test_actors_alias_spellings(nlp, kb, expected, text, phrase):
    assert ids(resolve(nlp, kb, text, phrase)) == [expected]


def test_actors_no_match_inside_words_or_common_words(nlp, kb):
    doc = nlp("Police shot a man who was dancing in Koeln; the ELNA consultancy and pro-Russian bloggers "
              "said us officials in the Niger Delta were fine. Islamic state of mind.")
    found = {m.ref.id for m in find_actor_mentions(doc, kb)}
    assert not found & {"col-eln", "usa", "rus", "ner", "isis", "rus-security-forces"}


def test_actors_acronyms_are_case_sensitive(nlp, kb):
    upper = nlp("The ELN bombed a pipeline.")
    lower = nlp("The eln bombed a pipeline.")
    assert "col-eln" in {m.ref.id for m in find_actor_mentions(upper, kb)}
    assert "col-eln" not in {m.ref.id for m in find_actor_mentions(lower, kb)}


# --- nationality + role -----------------------------------------------------------------------

@pytest.mark.parametrize("expected_id,expected_kind,text,phrase", [
    ("isr-security-forces", "state_forces", "Israeli forces shot three Palestinians.", "Israeli forces"),
    ("isr-security-forces", "state_forces", "Israeli troops entered Nablus.", "Israeli troops"),
    ("isr-security-forces", "state_forces", "The Israeli army demolished a house.", "The Israeli army"),
    ("pse-civilians", "civilians", "Israeli forces shot three Palestinians.", "three Palestinians"),
    ("pse-civilians", "civilians", "Settlers attacked Palestinian villagers near Hebron.", "Palestinian villagers"),
    ("sdn-police", "state_forces", "Sudanese police fired tear gas in Omdurman.", "Sudanese police"),
    ("sdn-protesters", "protesters", "Sudanese protesters marched on the palace.", "Sudanese protesters"),
    ("ukr", "government", "Ukrainian officials said the strike hit a school.", "Ukrainian officials"),
    ("mli-security-forces", "state_forces", "Malian soldiers repelled an attack near Mopti.", "Malian soldiers"),
    ("bfa-security-forces", "state_forces", "Burkinabe troops retook the town.", "Burkinabe troops"),
    ("ner-security-forces", "state_forces", "Nigerien soldiers patrolled the border.", "Nigerien soldiers"),
    ("nga-security-forces", "state_forces", "Nigerian soldiers patrolled the border.", "Nigerian soldiers"),
    ("mmr-security-forces", "state_forces", "The Myanmar military bombed a school.", "The Myanmar military"),
    ("col-armed-groups", "rebel_group", "Colombian rebels kidnapped two soldiers.", "Colombian rebels"),
    ("rus-security-forces", "state_forces", "Russia's army shelled Kherson.", "Russia's army"),
])
def test_actors_demonym_and_role(nlp, kb, expected_id, expected_kind, text, phrase):
    refs = resolve(nlp, kb, text, phrase)
    assert [(r.id, r.kind) for r in refs] == [(expected_id, expected_kind)]
    assert refs[0].text == phrase
    assert refs[0].rule in ("kb:demonym+role", "kb:demonym", "kb:country+role", "kb:alias")


def test_actors_generated_ids_are_deterministic(kb):
    assert kb.generic("SDN", "police").id == "sdn-police"
    assert kb.generic("PSE", "civilians").name == "Palestinian civilians"
    assert kb.generic("KEN", "protesters").name == "Kenyan protesters"
    assert kb.generic(None, "protesters").country is None


def test_actors_bare_role_without_nationality(nlp, kb):
    refs = resolve(nlp, kb, "Protesters blocked the main road for a third day.", "Protesters")
    assert [(r.id, r.kind, r.country, r.rule) for r in refs] == [("protesters", "protesters", None, "kb:role")]


def test_actors_settlers(nlp, kb):
    refs = resolve(nlp, kb, "Settlers torched cars in Huwara, and Israeli settlers later returned.", "Settlers")
    assert ids(refs) == ["isr-settlers"]
    refs = resolve(nlp, kb, "Settlers torched cars in Huwara, and Israeli settlers later returned.",
                   "Israeli settlers")
    assert ids(refs) == ["isr-settlers"]


def test_actors_coordinated_nationalities(nlp, kb):
    refs = resolve(nlp, kb, "Israeli and Egyptian forces closed the Rafah crossing.", "Israeli and Egyptian forces")
    assert ids(refs) == ["isr-security-forces", "egy-security-forces"]


def test_actors_unknown_nationality_keeps_words(nlp, kb):
    refs = resolve(nlp, kb, "Kurdish fighters captured the hill.", "Kurdish fighters")
    assert [(r.id, r.name, r.kind) for r in refs] == [(None, "Kurdish fighters", "rebel_group")]


# --- phrases ------------------------------------------------------------------------------------

def test_actors_coordination(nlp, kb):
    refs = resolve(nlp, kb, "Hamas and Islamic Jihad issued a joint statement in Gaza.", "Hamas and Islamic Jihad")
    assert ids(refs) == ["pse-hamas", "pse-pij"]
    assert [r.text for r in refs] == ["Hamas", "Islamic Jihad"]


def test_actors_coordination_sahel(nlp, kb):
    refs = resolve(nlp, kb, "Burkinabe soldiers and VDP militiamen were ambushed near Djibo.",
                   "Burkinabe soldiers and VDP militiamen")
    assert ids(refs) == ["bfa-security-forces", "bfa-vdp"]


def test_actors_head_noun_beats_place(nlp, kb):
    refs = resolve(nlp, kb, "The factions called on the Palestinian people in the occupied territories to rise.",
                   "the Palestinian people in the occupied territories")
    assert [(r.id, r.text) for r in refs] == [("pse-civilians", "the Palestinian people")]


def test_actors_possessive(nlp, kb):
    refs = resolve(nlp, kb, "Hamas' political bureau met in Doha.", "Hamas' political bureau")
    assert ids(refs) == ["pse-hamas"]


def test_actors_member_of_organisation(nlp, kb):
    refs = resolve(nlp, kb, "Officers of the Sudanese army met the envoy.", "Officers of the Sudanese army")
    assert ids(refs) == ["sdn-security-forces"]


def test_actors_person_apposition_resolves_to_organisation(nlp, kb):
    text = ("Khalid Omar, the secretary general of the Islamic Jihad movement, met the envoy in Cairo.")
    refs = resolve(nlp, kb, text, "Khalid Omar, the secretary general of the Islamic Jihad movement")
    assert [(r.id, r.text, r.rule) for r in refs] == [("pse-pij", "Khalid Omar", "kb:affiliation")]


def test_actors_title_before_name(nlp, kb):
    refs = resolve(nlp, kb, "Hamas leader Yusuf Karim rejected the offer.", "Hamas leader Yusuf Karim")
    assert ids(refs) == ["pse-hamas"]


def test_actors_unknown_org_kept(nlp, kb):
    refs = resolve(nlp, kb, "The Shadow Front, a little-known armed faction, claimed the bombing.",
                   "The Shadow Front, a little-known armed faction")
    assert [(r.id, r.name, r.rule) for r in refs] == [(None, "Shadow Front", "ner:ORG")]


def test_actors_nationality_on_other_noun_names_state(nlp, kb):
    refs = resolve(nlp, kb, "They vowed to confront the Israeli aggression.", "the Israeli aggression")
    assert ids(refs) == ["isr"]


def test_actors_mentions_carry_spans(nlp, kb):
    doc = nlp("Ukrainian troops shelled positions held by the Wagner Group near Bakhmut.")
    mentions = find_actor_mentions(doc, kb)
    assert all(isinstance(m, ActorMention) for m in mentions)
    by_id = {m.ref.id: m for m in mentions}
    assert doc[by_id["ukr-security-forces"].start:by_id["ukr-security-forces"].end].text == "Ukrainian troops"
    assert by_id["rus-wagner"].ref.name == "Wagner Group"


# --- coreference -------------------------------------------------------------------------------

def test_actors_coref_he_via_person_organisation(nlp, kb):
    text = ("The movement's rival, Hamas, held a rally. Hamas spokesman Omar Saleh condemned the raid. "
            "He warned of retaliation.")
    refs = resolve(nlp, kb, text, "He")
    assert [(r.id, r.text, r.rule) for r in refs] == [("pse-hamas", "He", "coref:pronoun")]


def test_actors_coref_the_movement_prefers_armed_group(nlp, kb):
    text = ("Israeli settlers entered the compound on Monday. Islamic Jihad condemned the visit. "
            "The movement said it would respond.")
    refs = resolve(nlp, kb, text, "The movement")
    assert [(r.id, r.rule) for r in refs] == [("pse-pij", "coref:definite")]


def test_actors_coref_movement_spokesperson_then_he(nlp, kb):
    text = ("Islamic Jihad warned of escalation. The movement's spokesperson Salim Haddad accused the settlers. "
            "He called on residents to gather.")
    assert ids(resolve(nlp, kb, text, "He")) == ["pse-pij"]


def test_actors_coref_two_sides_myanmar(nlp, kb):
    text = "The Arakan Army and the Tatmadaw fought near Sittwe. The two sides agreed to a brief truce on Friday."
    refs = resolve(nlp, kb, text, "The two sides")
    assert sorted(ids(refs)) == ["mmr-arakan-army", "mmr-security-forces"]
    assert all(r.rule == "coref:definite" for r in refs)


def test_actors_coref_they_sudan(nlp, kb):
    text = "The SAF and the Rapid Support Forces clashed in El Fasher. They traded accusations on Sunday."
    assert ids(resolve(nlp, kb, text, "They")) == ["sdn-security-forces", "sdn-rsf"]


def test_actors_coref_its_colombia(nlp, kb):
    text = "The ELN said on Friday that its fighters had clashed with soldiers in Arauca."
    refs = resolve(nlp, kb, text, "its fighters")
    assert [(r.id, r.rule) for r in refs] == [("col-eln", "coref:pronoun")]


def test_actors_coref_the_group_ukraine_window(nlp, kb):
    text = ("The Azov Brigade said it held the line. Ukrainian officials praised the soldiers. "
            "Wagner fighters advanced. Russian troops shelled the city. It was quiet later. Then it rained. "
            "The group said nothing.")
    # Wagner is more than three sentences back from "The group": no antecedent in the window.
    assert ids(resolve(nlp, kb, text, "The group")) == []
    near = "Wagner fighters advanced on Bakhmut. The group said it had taken two villages."
    assert ids(resolve(nlp, kb, near, "The group")) == ["rus-wagner"]


def test_actors_coref_government_from_forces(nlp, kb):
    text = "The Tatmadaw shelled villages in Sagaing. The junta denied it."
    refs = resolve(nlp, kb, text, "The junta")
    assert [(r.id, r.kind) for r in refs] == [("mmr", "government")]


def test_actors_coref_the_army_with_antecedent(nlp, kb):
    text = "Malian soldiers entered Kidal on Tuesday. Residents said the army burned several houses."
    assert ids(resolve(nlp, kb, text, "the army")) == ["mli-security-forces"]


def test_actors_coref_statement_author(nlp, kb):
    text = ('In a joint statement, Hamas and Islamic Jihad urged Palestinians to resist. '
            '"We will not stop," the statement read.')
    refs = resolve(nlp, kb, text, "the statement")
    assert ids(refs) == ["pse-hamas", "pse-pij"]
    assert {r.rule for r in refs} == {"coref:statement"}


def test_actors_pronoun_without_antecedent(nlp, kb):
    assert resolve(nlp, kb, "She said the talks failed.", "She") == []


def test_actors_coref_ministry_and_it(nlp, kb):
    text = "Iraqi officials announced a curfew in Basra. The ministry said it would review the order."
    assert [(r.id, r.rule) for r in resolve(nlp, kb, text, "The ministry")] == [("irq", "coref:definite")]
    assert [(r.id, r.rule) for r in resolve(nlp, kb, text, "it")] == [("irq", "coref:pronoun")]


def test_actors_family_possessive_is_not_affiliation(nlp, kb):
    text = "Hamas spokesman Ali Mansour spoke on Monday. Later, Mansour's niece visited her father, Omar Haddad, in Gaza."
    refs = resolve(nlp, kb, text, "Omar Haddad")
    assert [r.id for r in refs] == [None]
    assert refs[0].name == "Omar Haddad"


def test_actors_title_of_ministry_is_not_forces(nlp, kb):
    refs = resolve(nlp, kb, "The Minister of Defence arrived in Hanoi on Monday.", "The Minister of Defence")
    assert "security-forces" not in ids(refs)


def test_actors_empty_or_out_of_range_span(nlp, kb):
    doc = nlp("Hamas fired rockets.")
    assert resolve_actors(doc, (2, 2), kb) == []
    assert ids(resolve_actors(doc, (-3, 1), kb)) == ["pse-hamas"]
    assert resolve_actors(doc, (3, 99), kb) == []


# -- round 2: context country, quantities, left-out modifiers, ethnicity, places ---------------

def _key(refs):
    return [(r.id, r.country, r.kind, r.rule) for r in refs]


def test_actors_detector_span_missing_coordinated_demonyms(nlp, kb):
    """A span holding only the role noun still takes the coordinated nationalities before it."""
    doc = nlp("Peruvian and Bolivian police seized two tonnes of cocaine near Lake Titicaca.")
    head = next(t.i for t in doc if t.text == "police")
    refs = resolve_actors(doc, (head, head + 1), kb)
    assert [(r.id, r.kind) for r in refs] == [("per-police", "state_forces"), ("bol-police", "state_forces")]


def test_actors_role_takes_country_of_place_in_phrase(nlp, kb):
    refs = resolve(nlp, kb, "Police in Mombasa detained eleven fishermen on Friday.", "Police in Mombasa")
    assert _key(refs) == [("ken-police", "KEN", "state_forces", "kb:role+context-country")]


def test_actors_role_takes_single_country_of_article(nlp, kb):
    text = "The junta freed 300 detainees on Thursday. Crowds gathered outside the jail in Mandalay."
    refs = resolve(nlp, kb, text, "The junta")
    assert _key(refs) == [("mmr", "MMR", "government", "kb:role+context-country")]


def test_actors_no_context_country_when_article_spans_two(nlp, kb):
    text = "Soldiers fired on a convoy near Goma, and refugees fled to camps in Rwanda."
    refs = resolve(nlp, kb, text, "Soldiers")
    assert [(r.id, r.country) for r in refs] == [("security-forces", None)]


def test_actors_quantity_of_people(nlp, kb):
    refs = resolve(nlp, kb, "Hundreds of demonstrators marched through Dakar on Saturday.",
                   "Hundreds of demonstrators")
    assert [(r.kind, r.country) for r in refs] == [("protesters", "SEN")]
    refs = resolve(nlp, kb, "A delegation of Kenyan diplomats arrived for talks.", "A delegation of Kenyan diplomats")
    assert [(r.id, r.kind) for r in refs] == [("ken", "government")]


def test_actors_bare_demonstrators_are_protesters(nlp, kb):
    refs = resolve(nlp, kb, "Demonstrators burned tyres on the ring road for a second night.", "Demonstrators")
    assert [(r.id, r.kind, r.rule) for r in refs] == [("protesters", "protesters", "kb:role")]


def test_actors_possessive_role_with_determiner(nlp, kb):
    refs = resolve(nlp, kb, "The fishermen's leaders rejected the new quota on Monday.", "The fishermen's leaders")
    assert [r.kind for r in refs] == ["civilians"]


def test_actors_nationality_troops_and_soldiers(nlp, kb):
    refs = resolve(nlp, kb, "Russian troops shelled the outskirts of Kupiansk overnight.", "Russian troops")
    assert [(r.id, r.kind) for r in refs] == [("rus-security-forces", "state_forces")]
    refs = resolve(nlp, kb, "Malian soldiers escorted a fuel convoy to Gao.", "Malian soldiers")
    assert [(r.id, r.kind) for r in refs] == [("mli-security-forces", "state_forces")]


def test_actors_titled_person_takes_located_country_only(nlp, kb):
    refs = resolve(nlp, kb, "President Talon imposed a curfew in Cotonou on Sunday.", "President Talon")
    assert _key(refs) == [("ben", "BEN", "government", "kb:title+context-country")]
    # a country that is only the target says nothing about the speaker's own country
    refs = resolve(nlp, kb, "President Morales threatened new tariffs against Chile.", "President Morales")
    assert [r.country for r in refs] == [None]


def test_actors_ethnic_group_takes_country_of_residence(nlp, kb):
    refs = resolve(nlp, kb, "Ethnic Russians in Riga rallied against the language law.", "Ethnic Russians in Riga")
    assert [(r.country, r.kind, r.rule) for r in refs] == [("LVA", "civilians", "kb:ethnic+context-country")]
    # without "ethnic" the nationality stands
    refs = resolve(nlp, kb, "Russian tourists in Riga were evacuated.", "Russian tourists in Riga")
    assert [r.country for r in refs] == ["RUS"]
    refs = resolve(nlp, kb, "Ethnic Uzbek traders in Osh closed their shops.", "Ethnic Uzbek traders in Osh")
    assert [(r.country, r.kind, r.rule) for r in refs] == [("KGZ", "civilians", "kb:ethnic+context-country")]


def test_actors_opposition_head_and_weak_heads(nlp, kb):
    refs = resolve(nlp, kb, "Opposition groups in Malawi announced a boycott of the vote.", "Opposition groups in Malawi")
    assert [(r.id, r.kind) for r in refs] == [("mwi-opposition", "political_party")]
    refs = resolve(nlp, kb, "Somali government forces retook the town of Bulo Burde.", "Somali government forces")
    assert [r.kind for r in refs] == ["state_forces"]


def test_actors_city_as_actor(nlp, kb):
    refs = resolve(nlp, kb, "Nairobi rejected the proposal on Tuesday.", "Nairobi")
    assert _key(refs) == [("ken", "KEN", "government", "kb:capital")]
    refs = resolve(nlp, kb, "Militants shelled Kandahar for two days.", "Kandahar")
    assert [(r.id, r.country, r.rule) for r in refs] == [(None, "AFG", "kb:place")]


def test_actors_city_modifier_of_role(nlp, kb):
    refs = resolve(nlp, kb, "The Kampala government banned the rally.", "The Kampala government")
    assert [(r.id, r.kind) for r in refs] == [("uga", "government")]


def test_actors_place_table_loaded(kb):
    assert kb.place("Lagos") == ("NGA", "city")
    assert kb.place("Quito") == ("ECU", "capital")
    assert kb.place("Atlantis of the North") is None


# --- leaders, communities and forces named by acronym -------------------------------------------

@pytest.mark.parametrize("expected, text, phrase", [
    ("rus", "Putin ordered new strikes on the port city.", "Putin"),
    ("usa", "Barack Obama met the envoy in Geneva on Monday.", "Barack Obama"),
    ("zwe", "Opposition groups demanded that President Mugabe step down.", "President Mugabe"),
    ("jor", "Jordan's King Abdullah II met the Israeli delegation.", "Jordan's King Abdullah II"),
])
def test_actors_leader_names_stand_for_their_state(nlp, kb, expected, text, phrase):
    refs = resolve(nlp, kb, text, phrase)
    assert [(r.id, r.kind) for r in refs] == [(expected, "government")]


def test_actors_leader_pronoun_coref(nlp, kb):
    refs = resolve(nlp, kb, "Erdogan said he would not send troops to Libya.", "he")
    assert [(r.id, r.rule) for r in refs] == [("tur", "coref:pronoun")]


def test_actors_unlisted_namesake_is_not_a_leader(nlp, kb):
    """Only distinctive surnames are listed: "Cesar Chavez" is not Venezuela's president."""
    refs = resolve(nlp, kb, "Cesar Chavez led the farm workers' strike.", "Cesar Chavez")
    assert all(r.country != "VEN" for r in refs)


@pytest.mark.parametrize("expected, text, phrase", [
    (("bih-civilians", "BIH"), "Bosnian Serbs blocked the road to the enclave.", "Bosnian Serbs"),
    (("bih-vrs", "BIH"), "Bosnian Serb forces shelled the town overnight.", "Bosnian Serb forces"),
    (("ind-bsf", "IND"), "Two BSF men were wounded near the border fence.", "Two BSF men"),
])
def test_actors_community_and_acronym_forces(nlp, kb, expected, text, phrase):
    refs = resolve(nlp, kb, text, phrase)
    assert [(r.id, r.country) for r in refs] == [expected]
