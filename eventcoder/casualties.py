"""Casualty counts: (Doc, EventDraft) -> Counts(fatalities, injuries, arrests), each a Count or None.

Reads the event's own sentence only. A number counts when the parse makes it the victim of a
casualty predicate ("killed 12 villagers", "five were wounded", "left 4 dead", "the death toll
rose to 31"); killers, dates, ages, durations and "including N" subsets are never counted.
The qualifier vocabulary is documented in docs/casualties.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional

from spacy.tokens import Doc, Span, Token

from .model import Count, EventDraft

REQUIRES = ("draft.trigger", "draft.sentence_index")
ASSIGNS = ("event.fatalities", "event.injuries", "event.arrests")

FATALITIES, INJURIES, ARRESTS = "fatalities", "injuries", "arrests"

# Kept in the module rather than a data file: these are grammar, not facts, and each rule
# below names the sets it reads.
KILL_VERBS = frozenset({"kill", "murder", "slay", "massacre", "execute", "assassinate", "behead",
                        "slaughter", "lynch", "gun"})  # "gun down": only with a victim object
DIE_VERBS = frozenset({"die", "perish", "succumb", "drown"})
INJURE_VERBS = frozenset({"wound", "injure", "hurt", "maim"})
ARREST_VERBS = frozenset({"arrest", "detain", "apprehend", "nab"})
VERB_CATEGORY = {**{v: FATALITIES for v in KILL_VERBS}, **{v: INJURIES for v in INJURE_VERBS},
                 **{v: ARRESTS for v in ARREST_VERBS}}
STATE_ADJ = {"dead": FATALITIES, "injured": INJURIES, "wounded": INJURIES, "hurt": INJURIES}
# Nouns that carry their own count ("14 arrests") or take the victim in "of" ("the killing of 3").
EVENT_NOUNS = {"death": FATALITIES, "fatality": FATALITIES, "killing": FATALITIES,
               "murder": FATALITIES, "execution": FATALITIES, "assassination": FATALITIES,
               "injury": INJURIES, "arrest": ARRESTS, "detention": ARRESTS}
# "found the bodies of 7 men", "7 bodies were recovered": a body found is a death reported.
BODY_NOUNS = frozenset({"body", "corpse", "remains"})
FIND_VERBS = frozenset({"find", "discover", "recover", "retrieve", "exhume", "unearth", "dump", "pull"})
FIND_FORMS = frozenset({"found", "discovered", "recovered", "retrieved", "exhumed", "unearthed", "dumped"})
TOLL_VERBS = frozenset({"rise", "climb", "reach", "stand", "hit", "increase", "jump", "be",
                        "soar", "mount", "exceed", "surpass", "top"})
# Word forms the lemmatizer misses in all-caps or verbless headlines.
FORMS = {"kills": "kill", "killed": "kill", "killing": "kill", "dies": "die", "died": "die",
         "wounds": "wound", "injures": "injure", "arrests": "arrest", "arrested": "arrest",
         "detained": "detain", "detains": "detain", "slain": "slay", "shot": "shoot",
         "injured": "injure", "wounded": "wound", "murdered": "murder", "executed": "execute"}

# Surface fallback: forms that precede a figure ("kills 3") or follow one ("5 killed in").
ACTIVE_FORMS = {f: cat for cat, forms in (
    (FATALITIES, "kill kills killing killed slay slays slew murder murders murdered murdering "
                 "behead beheads beheaded massacre massacres massacred execute executes executed"),
    (INJURIES, "injure injures injured injuring wound wounds wounded wounding hurt hurts hurting"),
    (ARRESTS, "arrest arrests arrested arresting detain detains detained detaining nab nabs nabbed"),
) for f in forms.split()}
PASSIVE_FORMS = {f: cat for cat, forms in (
    (FATALITIES, "killed dead died slain murdered executed beheaded massacred perished"),
    (INJURIES, "injured wounded hurt"),
    (ARRESTS, "arrested detained held nabbed"),
) for f in forms.split()}
FOLLOWERS = frozenset("""in by at on as after during near and or while when since across over
from outside inside amid following overnight yesterday today""".split())

PERSON_NOUNS = frozenset("""
man woman child boy girl teenager teen toddler baby infant person civilian soldier officer
policeman policewoman cop guard trooper fighter militant gunman insurgent rebel jihadist
commander leader farmer villager resident student worker journalist reporter photographer
doctor nurse medic paramedic driver passenger shepherd fisherman merchant trader shopkeeper
teacher imam priest pastor cleric worshipper pilgrim protester demonstrator activist official
mayor governor lawmaker politician judge lawyer settler refugee migrant prisoner detainee hostage
suspect member father mother son daughter brother sister husband wife elder chief youth minor
pedestrian bystander employee contractor peacekeeper sergeant captain lieutenant colonel general
corporal ranger militiaman tribesman herder herdsman miner labourer laborer bodyguard agent
spokesman candidate senator councillor councilor chairman citizen national volunteer gendarme
marine sailor pilot colonist body corpse terrorist extremist separatist guerrilla guerilla bandit
assailant attacker kidnapper hitman smuggler combatant operative loyalist dissident informant
""".split())
# Counted things that are never victims, even when the parse puts them in a victim slot.
NON_PERSON_NOUNS = frozenset("""
km kilometre kilometer mile metre meter hour day week month year minute second time percent
rocket missile shell mortar bomb grenade drone vehicle car truck tank house home building shop
store mosque church school village town cattle cow goat sheep camel animal livestock dog horse
dollar euro pound shekel round bullet tree acre hectare attack incident raid strike explosion
""".split())
SINGULAR_PRONOUNS = frozenset({"he", "she", "him", "her", "himself", "herself"})
DATE_WORDS = frozenset("""january february march april may june july august september october
november december jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday
thursday friday saturday sunday year years day days hour hours week weeks month months""".split())
SUBSET_WORDS = frozenset({"including", "among", "include", "includes", "included"})
NON_COUNT_ENTS = frozenset({"PERCENT", "ORDINAL", "QUANTITY", "TIME"})
CURRENCY = re.compile(r"[$£€¥₹]|\b(dollars?|euros?|pounds?|shekels?|rupees?|rs|naira|lakh|crore|usd)\b", re.I)

UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
TENS = {w: 10 * (i + 2) for i, w in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split())}
SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
# Plural vague quantities: the lowest credible figure, qualified "at_least" (docs/casualties.md).
VAGUE = {"dozens": 24, "scores": 40, "hundreds": 200, "thousands": 2000, "tens": 20}
# Words right before a number and the qualifier they give (docs/casualties.md), longest first.
PREFIXES = sorted(((words.strip(), qual) for qual, line in (
    ("at_least", "no fewer than|no less than|not less than|a minimum of|at least"),
    ("more_than", "in excess of|upwards of|more than|over|above"),
    ("up_to", "as many as|no more than|fewer than|less than|close to|up to|at most|nearly|almost|under"),
    ("about", "an estimated|approximately|about|around|roughly|some|estimated"),
) for words in line.split("|")), key=lambda p: -len(p[0].split()))
SUFFIXES = [("or more", "at_least"), ("or so", "about"), ("plus", "at_least")]


@dataclass(slots=True)
class Counts:
    """What one event cost: each field is a Count, or None when the sentence states no figure."""

    fatalities: Optional[Count] = None
    injuries: Optional[Count] = None
    arrests: Optional[Count] = None


@dataclass(slots=True)
class _Number:
    start: int  # token span of the figure, qualifier words included
    end: int
    value: int
    qualifier: str


@dataclass(slots=True)
class _Candidate:
    category: str
    count: int
    qualifier: str
    tokens: set[int]
    anchor: int  # the predicate token, for ranking by distance to the trigger


def extract_counts(doc: Doc, draft: EventDraft) -> Counts:
    """Counts for one event, read from its own sentence, preferring figures tied to the trigger."""
    sents = list(doc.sents)
    trigger = doc[draft.trigger[0]:max(draft.trigger[1], draft.trigger[0] + 1)].root
    sent = sents[draft.sentence_index] if 0 <= draft.sentence_index < len(sents) else trigger.sent
    if not (sent.start <= trigger.i < sent.end):  # a draft whose indices disagree: trust the token
        sent = trigger.sent
    return _choose(sent, _candidates(sent), trigger)


def counts_in_sentence(sent: Span) -> Counts:
    """Counts stated in one sentence or headline, preferring the figure nearest its main verb."""
    return _choose(sent, _candidates(sent), sent.root)


# --- numbers -----------------------------------------------------------------------------------

def _lower(tok: Token) -> str:
    return tok.lower_.strip()


def _word_value(word: str) -> Optional[int]:
    """Value of one token that is a whole number by itself ("12", "1,200", "twenty-three")."""
    w = word.lower().replace(",", "")
    if re.fullmatch(r"\d+", w):
        return int(w)
    if w in UNITS:
        return UNITS[w]
    if w in TENS:
        return TENS[w]
    m = re.fullmatch(r"([a-z]+)-([a-z]+)", w)
    if m and m.group(1) in TENS and m.group(2) in UNITS and 0 < UNITS[m.group(2)] < 10:
        return TENS[m.group(1)] + UNITS[m.group(2)]
    return None


def _parse_number(toks: list[Token], i: int,
                  words: Optional[list[str]] = None) -> Optional[tuple[int, int, str]]:
    """Read the number starting at toks[i]: (value, tokens used, qualifier) or None.
    `words`: the tokens' `_lower` forms, when the caller has them (else rebuilt per call)."""
    if words is None:
        words = [_lower(t) for t in toks]
    n = len(words)
    w = words[i]
    if w in VAGUE:  # "dozens", "hundreds of thousands"
        used, value = 1, VAGUE[w]
        if i + 2 < n and words[i + 1] == "of" and words[i + 2] in ("thousands", "millions"):
            used, value = 3, value * (1000 if words[i + 2] == "thousands" else 1_000_000)
        return value, used, "at_least"
    if w == "half" and words[i + 1:i + 3] == ["a", "dozen"]:
        return 6, 3, "about"
    if w == "dozen":  # headline "kill dozen rebels"
        return 12, 1, "about"
    if w == "a" and i + 1 < n and words[i + 1] in ("dozen", "hundred", "thousand"):
        if words[i + 1] == "dozen":
            return 12, 2, "about"
        total, used = _number_words(words, i + 1, start=1)
        return total, used + 1, "exact"
    decimal = re.fullmatch(r"\d+\.\d+", w) and i + 1 < n and words[i + 1] in SCALES  # "1.2 million"
    if _word_value(w) is None and not decimal:
        return None
    total, used = _number_words(words, i)
    if i + used < n and words[i + used] == "dozen":
        return total * 12, used + 1, "exact"
    return total, used, "exact"


def _number_words(words: list[str], i: int, start: Optional[int] = None) -> tuple[int, int]:
    """Fold "one hundred and five", "twenty - three", "1.2 million" into (value, tokens used)."""
    total, current, j, n = 0, (start or 0), i, len(words)
    while j < n:
        w = words[j]
        v = _word_value(w)
        if start is None and j == i and v is None:  # "1.2" before "million"
            current = float(w)
        elif v is not None and (j == i or not re.fullmatch(r"\d+", w) or current == 0):
            current += v
        elif w in SCALES and (j > i or start is not None):
            if SCALES[w] == 100:
                current = (current or 1) * 100
            else:
                total, current = total + (current or 1) * SCALES[w], 0
        elif w == "-" and j + 1 < n and words[j - 1] in TENS and words[j + 1] in UNITS:
            pass
        elif w == "and" and j + 1 < n and words[j - 1] in SCALES and _word_value(words[j + 1]):
            pass
        else:
            break
        j += 1
    return int(total + current), j - i


def _numbers(sent: Span) -> dict[int, _Number]:
    """Every figure in the sentence, keyed by each of its token indices, qualifier attached."""
    toks = list(sent)
    words = [_lower(t) for t in toks]  # once per sentence, not once per token
    found: dict[int, _Number] = {}
    i = 0
    while i < len(toks):
        parsed = _parse_number(toks, i, words)
        if parsed is None or _not_a_count(toks, i, parsed[1]):
            i += 1
            continue
        value, used, qualifier = parsed
        start, end = i, i + used
        # A range "12 to 15", "12-15", "between 12 and 15", "12 or 13": lowest figure, at_least.
        joiner = words[end] if end < len(toks) else ""
        if joiner in ("to", "-", "or", "and") and end + 1 < len(toks):
            before = words[start - 1] if start else ""
            upper = _parse_number(toks, end + 1, words)
            if upper and upper[0] > value and before != "from" and (joiner != "and" or before == "between"):
                end, qualifier = end + 1 + upper[1], "at_least"
                start -= before == "between"
        for phrase, qual in PREFIXES:
            k = len(phrase.split())
            if start - k >= 0 and " ".join(words[start - k:start]) == phrase:
                start, qualifier = start - k, qual
                break
        for phrase, qual in SUFFIXES:
            k = len(phrase.split())
            if " ".join(words[end:end + k]) == phrase:
                end, qualifier = end + k, qual
                break
        if start and words[start - 1] in ("aged", "age", "ages"):  # "aged over 60"
            i = end
            continue
        num = _Number(sent.start + start, sent.start + end, value, qualifier)
        for k in range(start, end):
            found[sent.start + k] = num
        i = max(end, i + 1)
    return found


def _not_a_count(toks: list[Token], i: int, used: int) -> bool:
    """True for dates, ages, durations, money and ordinals ("3 March", "aged 23", "11-day")."""
    tok, after = toks[i], toks[i + used:i + used + 2]
    before = _lower(toks[i - 1]) if i else ""
    if tok.ent_type_ == "MONEY" and _is_money(tok):
        return True
    if tok.ent_type_ in NON_COUNT_ENTS or before in DATE_WORDS or before in ("aged", "age", "$"):
        return True
    if after and (_lower(after[0]) in DATE_WORDS or _lower(after[0]) in ("%", "percent")):
        return True
    if len(after) == 2 and _lower(after[0]) == "-" and _lower(after[1]) in DATE_WORDS | {"year"}:
        return True
    if re.fullmatch(r"\d{4}", tok.text) and 1900 <= int(tok.text) <= 2100 and tok.ent_type_ == "DATE":
        return True
    return False


# --- predicates and victims --------------------------------------------------------------------

def _is_money(tok: Token) -> bool:
    """spaCy tags "20 #Taliban" as MONEY; only a currency word or sign makes it money."""
    ent = next((e for e in tok.doc.ents if e.start <= tok.i < e.end), None)
    return ent is not None and bool(CURRENCY.search(ent.text))


def _lemma(tok: Token) -> str:
    return FORMS.get(tok.lower_, tok.lemma_.lower())


def _children(tok: Token, *deps: str) -> list[Token]:
    return [c for c in tok.children if c.dep_ in deps]


def _with_conj(toks: Iterable[Token]) -> list[Token]:
    """A victim phrase and its coordinated siblings ("3 soldiers and 2 civilians")."""
    out = []
    for t in toks:
        out.append(t)
        out.extend(c for c in t.children if c.dep_ == "conj" and c.pos_ in ("NOUN", "PROPN", "NUM", "PRON"))
    return out


def _predicates(sent: Span) -> Iterable[tuple[str, Token, list[Token], set[int]]]:
    """Yield (category, anchor predicate, victim nominals, extra tokens for the text) per predicate."""
    for tok in sent:
        lemma = _lemma(tok)
        if tok.pos_ in ("NOUN", "PROPN") and lemma in EVENT_NOUNS | {"toll": FATALITIES}:
            yield from _noun_predicate(tok, lemma)
        elif lemma == "casualty" and any(_lower(c) == "no" for c in tok.children):
            # "casualties" mixes dead and wounded, so only "no casualties" is read: zero of each
            yield FATALITIES, tok, [tok], set()
            yield INJURIES, tok, [tok], set()
        elif tok.pos_ == "ADJ" or (tok.lower_ in STATE_ADJ and tok.pos_ != "VERB"):
            if tok.lower_ in STATE_ADJ:
                yield from _state_predicate(tok, STATE_ADJ[tok.lower_])
        elif tok.pos_ in ("VERB", "AUX") or tok.tag_.startswith("VB"):
            yield from _verb_predicate(tok, lemma)


def _verb_predicate(tok: Token, lemma: str):
    preps = {_lower(c): c for c in tok.children if c.dep_ in ("prep", "prt", "dative")}
    death = preps.get("to")
    if death is not None and any(_lemma(p) == "death" for p in death.children):
        yield FATALITIES, tok, _transitive_victims(tok), {death.i, *[p.i for p in death.children]}
    elif lemma in VERB_CATEGORY and not (lemma == "gun" and "down" not in preps):
        yield VERB_CATEGORY[lemma], tok, _transitive_victims(tok), set()
    elif lemma in DIE_VERBS:
        yield FATALITIES, tok, _intransitive_victims(tok), set()
    elif lemma == "lose" and any(_lemma(o) == "life" for o in _children(tok, "dobj")):
        life = next(o for o in _children(tok, "dobj") if _lemma(o) == "life")
        yield FATALITIES, tok, _intransitive_victims(tok), {life.i}
    elif lemma == "claim" and any(_lemma(o) == "life" for o in _children(tok, "dobj")):
        life = next(o for o in _children(tok, "dobj") if _lemma(o) == "life")
        yield FATALITIES, tok, _of_victims(life), {life.i}
    elif lemma in FIND_VERBS and _body_victims(tok):
        yield FATALITIES, tok, _body_victims(tok), set()
    elif lemma == "take" and "into" in preps and any(_lemma(p) == "custody" for p in preps["into"].children):
        yield ARRESTS, tok, _with_conj(_children(tok, "dobj")), {preps["into"].i + 1}
    elif lemma == "round" and "up" in preps:
        yield ARRESTS, tok, _with_conj(_children(tok, "dobj")), {preps["up"].i}


def _body_victims(tok: Token) -> list[Token]:
    """The bodies a find/recover verb takes: "the bodies of 7 men" counts the men, "7 bodies" the bodies."""
    out = []
    for nom in _transitive_victims(tok):
        if _lemma(nom) not in BODY_NOUNS:
            continue
        counted = any(c.dep_ == "nummod" or c.like_num for c in nom.children)
        out.extend((not counted and _of_victims(nom)) or [nom])
    return out


def _transitive_victims(tok: Token) -> list[Token]:
    """The object of an active verb, the subject of a passive or headline one ("Five killed")."""
    if _children(tok, "dobj", "obj"):
        return _with_conj(_children(tok, "dobj", "obj"))
    passive = _children(tok, "nsubjpass")
    if passive:
        return _with_conj(passive)
    if tok.dep_ in ("acl", "amod") or (tok.dep_ == "relcl" and _relative_subject(tok)):
        return _modified(tok)
    # No object: headline passive ("Five killed", "five wounded") unless clearly active ("kills").
    if tok.tag_ in ("VBN", "VBD", "JJ"):
        subj = _children(tok, "nsubj")
        # "One killed, 3 hurt": the parser makes "One" the subject of both and "3" its apposition.
        if subj and any(_lemma(c) in VERB_CATEGORY or c.lower_ in STATE_ADJ for c in _children(subj[0], "acl")):
            subj = _children(subj[0], "appos")
        return _with_conj(subj)
    return []


def _intransitive_victims(tok: Token) -> list[Token]:
    subj = _children(tok, "nsubj", "nsubjpass")
    if subj and not (tok.dep_ == "relcl" and _relative_subject(tok)):
        return _with_conj(subj)
    if tok.dep_ in ("acl", "relcl", "amod"):
        return _modified(tok)
    return []


def _modified(tok: Token) -> list[Token]:
    """The noun a participle modifies; in a headline list ("NATO soldier, 6 militants killed")
    the parser hangs the last item as an apposition of the first, so both are victims."""
    head = tok.head
    items = _with_conj([head])
    first = head.head
    if head.dep_ == "appos" and first.i < head.i and (
            first.pos_ == "NUM" or _lemma(first) in PERSON_NOUNS or first.ent_type_ in ("NORP", "PERSON")):
        items = _with_conj([head.head]) + items
    return items


def _relative_subject(tok: Token) -> bool:
    return any(_lower(c) in ("who", "that", "which") for c in _children(tok, "nsubj", "nsubjpass"))


def _of_victims(tok: Token) -> list[Token]:
    return _with_conj(p for c in tok.children if _lower(c) == "of" for p in _children(c, "pobj"))


def _state_predicate(tok: Token, category: str):
    """ "left 4 dead", "shot three Palestinians dead", "31 dead", "were found dead"."""
    if tok.dep_ in ("amod", "acl"):
        yield category, tok, _with_conj([tok.head]), set()
    elif tok.dep_ in ("oprd", "acomp", "xcomp", "ccomp", "advcl", "attr", "dep", "conj") and tok.head.i != tok.i:
        verb = tok.head
        victims = (_children(verb, "dobj") or _children(verb, "nsubjpass")
                   or _children(verb, "nsubj") or _children(tok, "nsubj"))
        if tok.dep_ == "conj":  # "12 injured" coordinated with "left 4 dead"
            victims = _children(tok, "nsubj", "nsubjpass")
        yield category, verb, _with_conj(victims), {tok.i}
    else:
        yield category, tok, _with_conj(_children(tok, "nsubj", "nsubjpass", "nummod", "npadvmod")), set()


def _noun_predicate(tok: Token, lemma: str):
    """ "14 arrests", "no deaths", "the killing of 3", "the death toll rose to 31"."""
    if lemma == "toll":
        if any(_lemma(c) in ("injury", "wounded") for c in _children(tok, "compound", "amod")):
            return
        figures = [p for c in tok.children if _lower(c) == "of" for p in _children(c, "pobj")]
        extra = {c.i for c in _children(tok, "compound", "amod")}
        if tok.dep_ in ("nsubj", "nsubjpass") and _lemma(tok.head) in TOLL_VERBS:
            verb = tok.head
            extra.add(verb.i)
            figures += _children(verb, "attr", "dobj", "acomp", "npadvmod")
            for prep in _children(verb, "prep"):
                if _lower(prep) in ("to", "at"):
                    figures += _children(prep, "pobj")
                    extra.add(prep.i)
        yield FATALITIES, tok, [f for f in figures if f.pos_ == "NUM" or f.like_num], extra
        return
    category = EVENT_NOUNS[lemma]
    yield category, tok, [tok], set()
    if lemma not in ("death", "injury"):  # "the deaths of" rarely names victims by count
        victims = _of_victims(tok)
        if victims:
            yield category, tok, victims, set()


# --- counting a victim phrase ------------------------------------------------------------------

def _count_of(nom: Token, numbers: dict[int, _Number], negated: bool, self_noun: bool):
    """(count, qualifier, token indices) for one victim phrase, or None when it gives no figure."""
    lemma = _lemma(nom)
    dets = {_lower(c) for c in nom.children if c.dep_ in ("det", "predet", "quantmod", "amod")}
    if lemma in NON_PERSON_NOUNS:
        return None
    if "no" in dets or lemma in ("nobody", "none") or (negated and lemma in ("anyone", "anybody")):
        return 0, "exact", {nom.i, *[c.i for c in nom.children if _lower(c) == "no"]}
    if negated:
        return None
    num = numbers.get(nom.i)
    if num is None:
        mods = [c for c in nom.children
                if c.dep_ in ("nummod", "quantmod", "amod", "compound", "det", "npadvmod")]
        # one level deeper for a figure hung on a stray token ("20 #Taliban fighters")
        for c in mods + [g for c in mods for g in c.children if g.dep_ == "nummod"]:
            if c.i in numbers:
                num = numbers[c.i]
                break
    if num is None and nom.dep_ == "pobj" and _lower(nom.head) == "of" and nom.head.head.i in numbers:
        num = numbers[nom.head.head.i]  # "scores of insurgents killed", "three of them"
    if num is not None:
        return num.value, num.qualifier, {nom.i, *range(num.start, num.end)}
    if self_noun:  # "arrests" without a figure says nothing about how many
        return None
    if lemma == "both" or "both" in dets:
        return 2, "exact", {nom.i} | {c.i for c in nom.children if _lower(c) == "both"}
    singular = nom.tag_ in ("NN", "NNP") or nom.morph.get("Number") == ["Sing"] or (
        nom.ent_type_ == "NORP" and dets & {"a", "an", "one"} and not nom.lower_.endswith("s"))
    if nom.pos_ == "PRON":
        return (1, "exact", {nom.i}) if _lower(nom) in SINGULAR_PRONOUNS else None
    if singular and (lemma in PERSON_NOUNS or nom.ent_type_ in ("PERSON", "NORP")):
        return 1, "exact", {nom.i, *[c.i for c in nom.children if c.dep_ in ("det", "amod", "compound")]}
    return None


def _candidates(sent: Span) -> list[_Candidate]:
    numbers = _numbers(sent)
    out = _merge_coordinated(_parsed_candidates(sent, numbers), sent.doc)
    have = {c.category for c in out}
    return out + [c for c in _surface_candidates(sent, numbers) if c.category not in have]


def _parsed_candidates(sent: Span, numbers: dict[int, _Number]) -> list[_Candidate]:
    out: list[_Candidate] = []
    for category, anchor, victims, extra in _predicates(sent):
        if _mixed_coordination(anchor, category):
            continue
        negated = any(c.dep_ == "neg" for c in anchor.children)
        parts = []
        for nom in victims:
            if not (sent.start <= nom.i < sent.end) or _in_subset(nom, anchor):
                continue
            parts.append(_count_of(nom, numbers, negated, self_noun=(nom.i == anchor.i)))
        known = [p for p in parts if p is not None]
        if not known:
            continue
        count = sum(p[0] for p in known)
        quals = {p[1] for p in known} | ({"at_least"} if len(known) < len(parts) else set())
        tokens = set(extra) | {anchor.i} | {i for p in known for i in p[2]} | {
            c.i for c in anchor.children if c.dep_ in ("prt", "neg") or (negated and c.dep_ == "aux")}
        out.append(_Candidate(category, count, _combine(quals), tokens, anchor.i))
    return out


def _surface_candidates(sent: Span, numbers: dict[int, _Number]) -> list[_Candidate]:
    """Word-order fallback for headlines the parser mangles (all caps, "Kills 3 Civilians"):
    "<verb> <figure>" and "<figure> [up to 3 words] [were] <participle> <preposition or end>"."""
    doc, out = sent.doc, []
    starts = {n.start: n for n in numbers.values()}
    for num in starts.values():
        before = doc[num.start - 1] if num.start > sent.start else None
        thing = num.end < sent.end and _lemma(doc[num.end]) in NON_PERSON_NOUNS
        if before is not None and before.lower_ in ACTIVE_FORMS and not thing:
            tokens = {before.i, *range(num.start, num.end)}
            out.append(_Candidate(ACTIVE_FORMS[before.lower_], num.value, num.qualifier, tokens, before.i))
            continue
        j = num.end
        while j < min(num.end + 4, sent.end) and doc[j].is_alpha and doc[j].lower_ not in PASSIVE_FORMS \
                and doc[j].lower_ not in ACTIVE_FORMS and doc[j].lower_ not in FIND_FORMS \
                and _lemma(doc[j]) not in NON_PERSON_NOUNS:
            j += 1
        between = doc[num.end:j]
        if any(t.dep_ == "neg" or t.lower_ in ("not", "never") for t in between) or (
                before is not None and before.lower_ in SUBSET_WORDS):
            continue
        if j < sent.end and doc[j].lower_ in FIND_FORMS and any(_lemma(t) in BODY_NOUNS for t in between):
            after = doc[j + 1] if j + 1 < sent.end else None
            if after is None or after.is_punct or after.lower_ in FOLLOWERS:
                out.append(_Candidate(FATALITIES, num.value, num.qualifier, set(range(num.start, j + 1)), j))
            continue
        if j < sent.end and doc[j].lower_ in PASSIVE_FORMS:
            after = doc[j + 1] if j + 1 < sent.end else None
            if after is None or after.is_punct or after.lower_ in FOLLOWERS:
                tokens = set(range(num.start, j + 1))
                out.append(_Candidate(PASSIVE_FORMS[doc[j].lower_], num.value, num.qualifier, tokens, j))
    return out


def _merge_coordinated(cands: list[_Candidate], doc: Doc) -> list[_Candidate]:
    """Add up same-kind passives joined by "and": "Two were arrested and 5 others detained".
    Active clauses with their own objects ("X killed 3 and Y killed 5") stay apart."""
    merged: list[_Candidate] = []
    for cand in cands:
        tok = doc[cand.anchor]
        if _children(tok, "dobj"):
            merged.append(cand)
            continue
        partner = next((m for m in merged if m.category == cand.category
                        and not _children(doc[m.anchor], "dobj") and (
            (tok.dep_ == "conj" and tok.head.i == m.anchor) or doc[m.anchor].head.i == cand.anchor
            and doc[m.anchor].dep_ == "conj")), None)
        if partner is None:
            merged.append(cand)
            continue
        partner.count += cand.count
        partner.qualifier = _combine({partner.qualifier, cand.qualifier})
        partner.tokens |= cand.tokens
    return merged


def _mixed_coordination(verb: Token, category: str) -> bool:
    """True for "killed and wounded 80", "killed or injured": one figure for two outcomes."""
    if verb.pos_ not in ("VERB", "AUX", "ADJ"):
        return False
    pair = [c for c in verb.children if c.dep_ == "conj"] + ([verb.head] if verb.dep_ == "conj" else [])
    for other in pair:
        cat = VERB_CATEGORY.get(_lemma(other)) or STATE_ADJ.get(other.lower_)
        if cat and cat != category:
            first, second = sorted((verb, other), key=lambda t: t.i)
            shared_object = not _children(first, "dobj") and _children(second, "dobj")
            shared_subject = not _children(second, "dobj", "nsubj", "nsubjpass")
            if shared_object or shared_subject:
                return True
    return False


def _in_subset(nom: Token, anchor: Token) -> bool:
    """True when the phrase sits under "including"/"among" between itself and the predicate."""
    stop = {t.i for t in anchor.ancestors} | {anchor.i}
    tok = nom
    while tok.i not in stop and tok.head.i != tok.i:
        if _lower(tok) in SUBSET_WORDS or _lower(tok.head) in SUBSET_WORDS:
            return True
        tok = tok.head
    return False


def _combine(quals: set[str]) -> str:
    """Qualifier of a sum: exact only if every part is exact; "about"/"up_to" win over bounds."""
    if quals == {"exact"}:
        return "exact"
    for q in ("up_to", "about"):
        if q in quals:
            return q
    return "more_than" if quals <= {"exact", "more_than"} else "at_least"


# --- choosing and writing ----------------------------------------------------------------------

def _tree_distance(a: Token, b: Token) -> int:
    pa, pb = [a.i] + [t.i for t in a.ancestors], [b.i] + [t.i for t in b.ancestors]
    common = set(pa) & set(pb)
    return min((pa.index(c) + pb.index(c) for c in common), default=len(pa) + len(pb))


def _choose(sent: Span, candidates: list[_Candidate], anchor: Token) -> Counts:
    """One candidate per field: nearest the anchor in the parse tree, then in word order."""
    doc = sent.doc
    best: dict[str, _Candidate] = {}
    for cand in sorted(candidates, key=lambda c: (
            _tree_distance(doc[c.anchor], anchor), abs(c.anchor - anchor.i), c.anchor)):
        best.setdefault(cand.category, cand)
    return Counts(**{cat: Count(c.count, c.qualifier, _text(sent, c.tokens)) for cat, c in best.items()})


def _text(sent: Span, tokens: set[int]) -> str:
    """The words that state the figure: one contiguous stretch, with a trailing "including ..."."""
    doc = sent.doc
    start, end = min(tokens), max(tokens) + 1
    nxt = end + 1 if end < sent.end and doc[end].text == "," else end
    if nxt < sent.end and _lower(doc[nxt]) in SUBSET_WORDS:
        end = nxt + 1
        while end < sent.end and doc[end].text not in (",", ";", ".", ":"):
            end += 1
    while end > start + 1 and doc[end - 1].is_punct:
        end -= 1
    return doc[start:end].text
