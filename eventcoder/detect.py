"""Parsed Doc -> EventDraft per event mention: lexicon match on lemma + POS, then the parse.

The mechanism is generic; which words trigger which PLOVER type is data (data/triggers.yaml).
Verbs match on their lemma plus any particle/object/complement the entry requires ("shoot ...
dead", "call on", "open fire"); nouns match as nominalisations under a light verb ("made the
appeal") or in an event context ("during a meeting", "an airstrike on X"). Sources and targets
come from the dependency parse, modes from `modes.classify_mode`.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Iterable

import yaml
from spacy.tokens import Doc, Token

from . import modes, taxonomy
from .errors import ConfigError
from .model import PLOVER_TYPES, EventDraft

REQUIRES = ("doc.sents", "doc.deps", "doc.lemmas")
ASSIGNS = ("draft.type", "draft.trigger", "draft.mode", "draft.source_spans", "draft.target_spans",
           "draft.attributed_to", "draft.cameo_root", "draft.acled")

# Verbs of reported speech, whose subject is the `attributed_to` of the clause they govern.
SPEECH_VERBS = frozenset({
    "say", "tell", "report", "announce", "state", "add", "claim", "confirm", "note", "stress",
    "read", "write", "explain", "quote", "cite", "emphasize", "emphasise", "reiterate", "assert",
    "mention", "disclose", "reveal", "tweet", "post", "allege", "insist", "declare", "indicate",
})
# Verbs whose subject an event noun in their clause names as victim, not actor.
_CASUALTY_VERBS = frozenset({"kill", "die", "wound", "injure", "hurt", "leave", "claim", "hit",
                             "destroy", "damage", "target", "strike"})
# Verbs that report an event noun as happening: "clashes erupted", "fighting raged".
_OUTBREAK_VERBS = frozenset({"erupt", "break", "rage", "continue", "intensify", "escalate",
                             "resume", "flare", "spread", "occur", "begin", "start", "ensue"})
# Verbs that report an attack as made by fending it off: "repulsed an attack", "the raid was foiled".
# (A foiled or thwarted plot is no attack made.)
_REPEL_VERBS = frozenset({"repel", "repulse", "repell", "beat", "fend"})
# Dependencies cut off an actor phrase: the phrase is the head noun and its close modifiers.
_TRIM_DEPS = frozenset({"relcl", "acl", "appos", "conj", "cc", "punct", "advcl", "parataxis",
                        "prep:including"})
_SYMMETRIC = frozenset({"CONSULT", "COOPERATE", "AGREE"})
# Drafts below this confidence are not emitted: a bare event noun with no light verb, no
# governing clause and no argument ("tensions", "the occupation") describes rather than reports.
MIN_CONFIDENCE = 0.5
# `@place` in an entry's obj list accepts any named place as the object ("captured Mariupol").
_PLACE_ENTS = ("GPE", "LOC", "FAC")
_NOMINAL = ("NOUN", "PROPN")
_ACTOR_POS = ("NOUN", "PROPN", "PRON", "NUM", "ADJ")


# "re" + a lexicon verb that is not that verb repeated.
_NOT_REPEATED = frozenset({"research", "resettle", "represent", "reside", "result", "resolve",
                           "reserve", "remind", "retire", "relieve", "refrain", "refund"})


@dataclass(frozen=True, slots=True)
class Entry:
    """One lexicon entry: a lemma set for one PLOVER type and the constraints it needs."""

    type: str
    pos: str  # "v" (verb) or "n" (event noun)
    lemmas: frozenset[str]
    rule: str
    prt: frozenset[str] = frozenset()
    obj: frozenset[str] = frozenset()
    comp: frozenset[str] = frozenset()
    xcomp: frozenset[str] = frozenset()
    compound: frozenset[str] = frozenset()
    nprep: frozenset[str] = frozenset()
    subj: frozenset[str] = frozenset()
    unless: frozenset[str] = frozenset()
    light: bool = False
    target: tuple[str, ...] | None = None
    conf: float | None = None
    cameo: str | None = None

    @property
    def constrained(self) -> bool:
        return bool(self.prt or self.obj or self.comp or self.xcomp or self.compound or self.nprep
                    or self.subj or self.light)


@dataclass(frozen=True, slots=True)
class Match:
    """A lexicon entry that fits a token, with the extra tokens its constraints used."""

    entry: Entry
    head: Token
    used: tuple[Token, ...]  # particle/object/complement tokens that belong to the trigger
    lemma: str  # the lemma handed to the taxonomy ("air strike", "shoot")


class Lexicon:
    """Trigger entries indexed by (pos, lemma), with the lists the mechanism consults."""

    def __init__(self, entries: Iterable[Entry], light_verbs: Iterable[str],
                 generic_heads: Iterable[str], denial_verbs: Iterable[str],
                 target_preps: dict[str, list[str]], reduced_passive: Iterable[str] = (),
                 stance_passives: Iterable[str] = ()):
        self.index: dict[tuple[str, str], list[Entry]] = {}
        for order, entry in enumerate(entries):
            for lemma in entry.lemmas:
                self.index.setdefault((entry.pos, lemma), []).append(entry)
        for key, found in self.index.items():
            # Constrained entries first (the most specific reading), then file order.
            self.index[key] = sorted(found, key=lambda e: not e.constrained)
        # "reimposed", "reoccupied", "rearrested": a repeated act is the act. Indexed (not
        # guessed at match time) so that everything reading `index` sees these verbs too.
        for (pos, lemma), found in list(self.index.items()):
            again = f"re{lemma}"
            if pos == "v" and len(lemma) >= 4 and again not in _NOT_REPEATED:
                self.index.setdefault(("v", again), found)
        self.light_verbs = frozenset(light_verbs)
        self.generic_heads = frozenset(generic_heads)
        self.denial_verbs = frozenset(denial_verbs)
        self.target_preps = {t: tuple(p) for t, p in target_preps.items()}
        self.reduced_passive = frozenset(reduced_passive)
        self.stance_passives = frozenset(stance_passives)

    def __len__(self) -> int:
        return sum(len(v) for v in self.index.values())

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Lexicon":
        """Read triggers.yaml (the packaged one unless `path` is given)."""
        if path is None:
            text = (resources.files("eventcoder") / "data" / "triggers.yaml").read_text("utf-8")
            where = "eventcoder/data/triggers.yaml"
        else:
            try:
                text = Path(path).read_text(encoding="utf-8")
            except OSError as exc:
                raise ConfigError(f"cannot read trigger lexicon {path}: {exc}") from exc
            where = str(path)
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ConfigError(f"{where} is not valid YAML: {exc}") from exc
        return cls(_entries(data, where), data.get("light_verbs", []),
                   data.get("generic_heads", []), data.get("denial_verbs", []),
                   data.get("target_preps", {}), data.get("reduced_passive", []),
                   data.get("stance_passives", []))

    def candidates(self, tok: Token) -> list[Entry]:
        if tok.pos_ == "VERB":
            found = self.index.get(("v", tok.lemma_.lower()))
            if found:
                return found
            # The small model mislemmatises some verbs ("staged" -> "stag"): try the forms
            # a regular inflection would come from.
            for form in _verb_forms(tok.lower_):
                found = self.index.get(("v", form))
                if found:
                    return found
            return []
        if tok.pos_ in _NOMINAL:
            found = self.index.get(("n", tok.lemma_.lower()), [])
            if tok.lower_ != tok.lemma_.lower():
                found = found + self.index.get(("n", tok.lower_), [])
            return found
        return []

def _verb_forms(word: str) -> list[str]:
    forms = []
    for suffix, repl in (("ied", "y"), ("ies", "y"), ("ing", "e"), ("ing", ""), ("ed", "e"),
                         ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            forms.append(word[: -len(suffix)] + repl)
    return forms


def _words_of(item: dict, key: str) -> frozenset[str]:
    # YAML 1.1 reads bare on/off/yes/no as booleans; particles are words, so read them back.
    names = {True: "on", False: "off"}
    return frozenset(names.get(w, w) if isinstance(w, bool) else str(w).lower()
                     for w in item.get(key, []))


def _entries(data: dict, where: str) -> list[Entry]:
    entries: list[Entry] = []
    for ptype, items in (data.get("types") or {}).items():
        if ptype not in PLOVER_TYPES:
            raise ConfigError(f"{where}: unknown PLOVER type {ptype!r}")
        for item in items:
            pos = "v" if "v" in item else "n"
            if "rule" not in item or pos not in item:
                raise ConfigError(f"{where}: {ptype} entry {item!r} needs `v` or `n` and `rule`")
            base = dict(type=ptype, pos=pos, rule=item["rule"],
                        prt=_words_of(item, "prt"), obj=_words_of(item, "obj"),
                        comp=_words_of(item, "comp"),
                        xcomp=_words_of(item, "xcomp"),
                        compound=_words_of(item, "compound"),
                        nprep=_words_of(item, "nprep"), subj=_words_of(item, "subj"),
                        unless=_words_of(item, "unless"), light=bool(item.get("light")),
                        target=tuple(item["target"]) if "target" in item else None,
                        conf=item.get("conf"), cameo=item.get("cameo"))
            single = [w.lower() for w in item[pos] if " " not in w]
            if single:
                entries.append(Entry(lemmas=frozenset(single), **base))
            for multi in (w.lower() for w in item[pos] if " " in w):
                # "air raid" = noun "raid" with the compound "air"
                *mods, last = multi.split()
                entries.append(Entry(**{**base, "lemmas": frozenset([last]),
                                        "compound": frozenset([" ".join(mods)])}))
    return entries


# ---------------------------------------------------------------- matching

def _words(tok: Token) -> set[str]:
    return {tok.lemma_.lower(), tok.lower_}


# Object heads that only measure out their "of" phrase: "captured part of the town".
_PARTITIVE = frozenset({"part", "parts", "much", "most", "half", "rest", "some", "control",
                        "all", "portion", "section", "sections"})
# Nouns that turn a modifying event noun into the act: "launched a mediation effort".
_EVENT_FRAMES = frozenset({"effort", "mission", "bid", "attempt", "initiative", "drive",
                           "process", "campaign", "operation"})


def _objects(verb: Token) -> list[Token]:
    out = [c for c in verb.children if c.dep_ in ("dobj", "nsubjpass", "attr", "dative", "oprd")]
    out += [g for c in out if c.lemma_.lower() in _PARTITIVE for p in c.children
            if p.dep_ == "prep" and p.lower_ == "of" for g in p.children if g.dep_ == "pobj"]
    return out + [cc for c in out for cc in c.conjuncts if cc.i > c.i]


def _complements(verb: Token) -> list[Token]:
    """Tokens that can complete a verb's meaning: "dead", "responsible", "on strike", "into custody"."""
    out = [c for c in verb.children
           if c.dep_ in ("oprd", "acomp", "advmod", "xcomp", "advcl", "ccomp", "prt", "npadvmod", "dobj")]
    for c in list(verb.children):
        if c.dep_ in ("prep", "prt", "agent", "dative"):
            out.extend(g for g in c.children if g.dep_ in ("pobj", "pcomp"))
        if c.dep_ in ("dobj", "nsubjpass"):
            out.extend(g for g in c.children if g.dep_ in ("amod", "oprd", "acomp"))
    return out


def _match_entry(entry: Entry, tok: Token, lex: Lexicon) -> Match | None:
    used: list[Token] = []
    lemma = tok.lemma_.lower()
    if entry.prt:
        hits = [c for c in tok.children if c.dep_ in ("prt", "prep", "advmod", "agent")
                and c.lower_ in entry.prt and not _dated(c)]
        if not hits:
            return None
        used.append(hits[0])
    if entry.obj:
        patient = _reduced_patient(tok, lex)  # "bodies found": the object is written first
        written = [patient] if patient is not None else []
        if patient is not None and patient.dep_ == "pobj" and patient.head.lower_ == "of":
            written.append(patient.head.head)  # "bodies of five men found"
        hits = [o for o in _objects(tok) + written
                if _words(o) & entry.obj or ("@place" in entry.obj and _named_place(o))]
        if not hits:
            hits = [g for c in tok.children if c.dep_ == "prep" for g in c.children
                    if g.dep_ == "pobj" and _words(g) & entry.obj and entry.prt]
        if not hits:
            return None
        used.append(hits[0])
    if entry.comp:
        hits = [c for c in _complements(tok) if _words(c) & entry.comp]
        if not hits:
            return None
        used.append(hits[0])
    if entry.xcomp:
        hits = [c for c in tok.children if c.dep_ in ("xcomp",) and
                (".*" in entry.xcomp or c.lemma_.lower() in entry.xcomp)]
        if not hits:
            return None
    if entry.compound:
        hits = [c for c in tok.children if c.dep_ in ("compound", "amod", "nmod", "npadvmod")
                and _words(c) & entry.compound]
        if not hits and tok.i > 0 and tok.doc[tok.i - 1].lower_ in entry.compound:
            hits = [tok.doc[tok.i - 1]]
        if not hits:
            return None
        used.append(hits[0])
        lemma = f"{hits[0].lower_} {lemma}"
    if entry.nprep:
        if not any(c.dep_ == "prep" and c.lower_ in entry.nprep for c in tok.children):
            return None
    if entry.subj:
        subj = _child(tok, "nsubj")
        if subj is None or not (_words(subj) & entry.subj or ("#num" in entry.subj and _numeric(subj))):
            return None
    if entry.unless and any(_words(t) & entry.unless for t in tok.subtree):
        return None
    if entry.light and _light_verb(tok, lex) is None:
        return None
    return Match(entry, tok, tuple(used), lemma)


def _dated(prep: Token) -> bool:
    """"on Sunday", "for a week": a preposition that dates the act is no particle of it."""
    return any(g.dep_ == "pobj" and _is_date(g) for g in prep.children)


def _is_date(tok: Token) -> bool:
    """"Monday", "last week": a date the parser may take for an object (the small model also tags
    some plain nouns as TIME, hence the word check)."""
    return tok.ent_type_ in ("DATE", "TIME") and (tok.pos_ in ("PROPN", "NUM")
                                                  or tok.lemma_.lower() in _TIME_NOUNS)


_TIME_NOUNS = frozenset({"day", "days", "week", "weeks", "month", "months", "year", "years", "night",
                         "morning", "evening", "afternoon", "weekend", "today", "tonight", "hour"})


def _numeric(tok: Token) -> bool:
    """A counted phrase: "146", "two soldiers", "dozens of people"."""
    return tok.like_num or tok.pos_ == "NUM" or tok.lemma_.lower() in ("dozen", "dozens", "scores", "hundreds") \
        or any(c.dep_ == "nummod" for c in tok.children)


def _named_place(tok: Token) -> bool:
    """A named place as an object. The small model often tags towns ORG ("captured Mariupol");
    a proper name that is not a person or a nationality is taken as a place here, since one
    captures or besieges places, not organisations."""
    if tok.ent_type_ in _PLACE_ENTS:
        return True
    return tok.pos_ == "PROPN" and tok.ent_type_ not in ("PERSON", "NORP")


def _light_verb(noun: Token, lex: Lexicon) -> Token | None:
    """The verb that makes a noun an event: "made the appeal", "talks were held"."""
    head = noun.head
    if noun.dep_ == "compound" and head.lemma_.lower() in _EVENT_FRAMES:
        return _light_verb(head, lex)  # "launched a mediation effort"
    if noun.dep_ in ("dobj", "nsubjpass", "attr") and head.pos_ in ("VERB", "AUX") \
            and head.lemma_.lower() in lex.light_verbs:
        return head
    if noun.dep_ == "conj":
        return _light_verb(head, lex) if head.pos_ in _NOMINAL else None
    if noun.dep_ == "pobj" and head.dep_ in ("prep", "prt") and head.lower_ in ("on", "for", "into") \
            and head.head.pos_ == "VERB" \
            and head.head.lemma_.lower() in lex.light_verbs:  # "went on strike", "called for talks"
        return head.head
    return None


def _is_generic(noun: Token, lex: Lexicon) -> bool:
    """Nouns that describe rather than report: "acts of aggression", "protest movement"."""
    if noun.dep_ == "compound" and noun.head.lemma_.lower() in _EVENT_FRAMES \
            and _light_verb(noun, lex) is not None:
        return False
    if noun.dep_ in ("compound", "amod", "poss", "nmod"):
        return True
    head = noun.head
    if noun.dep_ == "pobj" and head.lower_ == "of" and head.head.lemma_.lower() in lex.generic_heads:
        return True
    return False


def _match(tok: Token, lex: Lexicon) -> Match | None:
    for entry in lex.candidates(tok):
        found = _match_entry(entry, tok, lex)
        if found is not None:
            return found
    return None


# ---------------------------------------------------------------- arguments

def phrase_span(tok: Token) -> tuple[int, int]:
    """Token span of the actor phrase headed by `tok`, without relative clauses, appositions
    and coordinated phrases (those become spans of their own)."""
    keep = {tok.i}
    stack = [tok]
    while stack:
        cur = stack.pop()
        for child in cur.children:
            dep = child.dep_
            if dep in _TRIM_DEPS or (dep == "prep" and f"prep:{child.lower_}" in _TRIM_DEPS):
                continue
            keep.add(child.i)
            stack.append(child)
    start = end = tok.i
    while start - 1 in keep:
        start -= 1
    while end + 1 in keep:
        end += 1
    return start, end + 1


def _coordinated(tok: Token) -> list[Token]:
    return [tok] + [c for c in tok.conjuncts if c.i > tok.i and c.pos_ in _ACTOR_POS]


def _spans(tokens: Iterable[Token]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for tok in tokens:
        for each in _coordinated(tok):
            span = phrase_span(each)
            if span not in out:
                out.append(span)
    return out


def _child(tok: Token, *deps: str) -> Token | None:
    for c in tok.children:
        if c.dep_ in deps:
            return c
    return None


def _pobj(tok: Token, preps: Iterable[str]) -> tuple[Token, str] | None:
    for prep in preps:
        for c in tok.children:
            if c.dep_ in ("prep", "prt", "dative") and c.lower_ == prep:
                obj = _child(c, "pobj")
                if obj is not None:
                    return obj, prep
    return None


_WH = {"who", "which", "that", "whom"}


def _verb_source(verb: Token, depth: int = 0, lex: Lexicon | None = None) -> tuple[Token | None, str]:
    """The doer of a verb: subject, passive agent, or inherited through xcomp/conj/advcl."""
    subj = _child(verb, "nsubj", "csubj")
    if subj is not None and subj.lower_ in _WH and verb.dep_ == "relcl":
        return verb.head, "dep:relcl-head"
    if subj is not None:
        return subj, "dep:nsubj"
    agent = _child(verb, "agent")
    if agent is not None and _child(agent, "pobj") is not None:
        return _child(agent, "pobj"), "dep:agent"
    if _child(verb, "nsubjpass") is not None or depth > 3:
        return None, "none"
    head = verb.head
    if verb.dep_ == "xcomp":
        # Object control: "called on Y to Z", "urged Y to Z" -> Y does Z.
        controller = _child(head, "dobj")
        if controller is not None and _is_date(controller):  # "threatened on Monday to break"
            controller = None
        if controller is None:
            found = _pobj(head, ("on", "upon"))
            controller = found[0] if found and not _is_date(found[0]) else None
        if controller is not None:
            return controller, "dep:xcomp-object-control"
        src, _ = _verb_source(head, depth + 1, lex)
        return src, "dep:xcomp-subject-control"
    if verb.dep_ == "acomp" and head.pos_ in ("VERB", "AUX"):  # "he is ready to host": he
        src, _ = _verb_source(head, depth + 1, lex)
        return src, "dep:acomp-inherit"
    if verb.dep_ in ("conj", "advcl") and head.pos_ in ("VERB", "AUX"):
        src, _ = _verb_source(head, depth + 1, lex)
        return src, f"dep:{verb.dep_}-inherit"
    if verb.dep_ in ("acl", "relcl") and head.pos_ in _NOMINAL and not _passive_participle(verb, lex):
        return head, f"dep:{verb.dep_}-head"
    return None, "none"


def _passive_participle(verb: Token, lex: Lexicon | None = None) -> bool:
    """A past participle after its noun is a reduced passive when it has an agent ("land seized
    by the army") or needs an object (`reduced_passive`: "militants killed in a strike"); the
    parser also hangs active headline verbs there ("movements called on X to ...")."""
    if verb.dep_ != "acl" or verb.tag_ != "VBN" or verb.head.pos_ not in _NOMINAL:
        return False
    return _child(verb, "agent") is not None or (lex is not None and verb.lemma_.lower() in lex.reduced_passive)


def _reduced_patient(verb: Token, lex: Lexicon) -> Token | None:
    """The patient of a passive written without its auxiliary, as headlines do: "Civilian
    killed in X", "Bodies found near Y" (subject + bare participle of a verb that needs an
    object), and the reduced relative "land seized by the army" (the noun it follows)."""
    if _passive_participle(verb, lex):
        return verb.head
    if verb.tag_ not in ("VBN", "VBD") or verb.lemma_.lower() not in lex.reduced_passive:
        return None
    if any(c.dep_ in ("aux", "auxpass", "dobj", "dative", "ccomp") for c in verb.children):
        return None
    if any(_child(c, "dobj") is not None for c in verb.conjuncts):  # "gunmen killed, wounded ten"
        return None
    subj = _child(verb, "nsubj")
    return subj if subj is not None and subj.pos_ != "PRON" else None


# Entity types that make a phrase an actor ("Lebanon's president", "French mediation").
_ACTOR_ENTS = frozenset({"GPE", "NORP", "ORG", "PERSON"})
# Prepositions that can name who receives or suffers an act done with an object: "offered troops
# to X", "refused admittance to X", "demanded autonomy from X", "threatened action against X".
_RECIPIENT_PREPS = ("to", "from", "against", "with", "for", "on")


def _actor_like(tok: Token) -> bool:
    """The phrase names who (a named entity, a nationality, a person pronoun), not what."""
    if tok.ent_type_ in _ACTOR_ENTS or tok.pos_ == "PROPN":
        return True
    if tok.pos_ == "PRON":
        return tok.lower_ not in ("it", "this", "that", "which", "what")
    return any(c.dep_ in ("amod", "compound", "poss", "nmod") and
               (c.ent_type_ in _ACTOR_ENTS or c.pos_ == "PROPN") for c in tok.children)


def _recipient(verb: Token, obj: Token, m: Match, lex: Lexicon) -> tuple[Token, str] | None:
    """An actor a thing is done to or taken from, when the object itself is no actor: "offered
    its troops to Lebanon's president", "threatened further action against Russia". Location
    prepositions ("in", "at") name a place, never a recipient."""
    preps = [p for p in lex.target_preps.get(m.entry.type, ()) if p in _RECIPIENT_PREPS]
    if not preps or _actor_like(obj):
        return None
    for owner, rule in ((verb, "prep"), (obj, "prep-of-object")):
        found = _pobj(owner, preps)
        if found and _actor_like(found[0]):
            return found[0], f"{rule}:{found[1]}"
    return None


def _clause_subject(verb: Token, m: Match) -> tuple[Token, str] | None:
    """The one asked, when a request names its content as a clause: "demanded that the US
    cancel", "insisted on its demands that the government grant"."""
    if m.entry.type != "REQUEST":
        return None
    holders = [verb] + [g for c in verb.children if c.dep_ in ("prep", "dobj")
                        for g in ([c] if c.dep_ == "dobj" else c.children) if g.pos_ in _NOMINAL]
    for holder in holders:
        for c in holder.children:
            that = any(g.dep_ == "mark" and g.lower_ == "that" for g in c.children)
            if c.dep_ == "ccomp" or (c.dep_ == "acl" and that):
                subj = _child(c, "nsubj", "nsubjpass")
                if subj is not None and subj.lower_ not in _WH:
                    return subj, f"dep:{c.dep_}-subject"
    return None


def _verb_arguments(m: Match, lex: Lexicon) -> tuple[list[Token], str, list[Token], str]:
    verb = m.head
    src, src_rule = _verb_source(verb, lex=lex)
    passive = _child(verb, "nsubjpass") is not None
    used = {t.i for t in m.used}
    targets: list[Token] = []
    tgt_rule = "none"
    patient = _reduced_patient(verb, lex)
    if patient is not None and patient.i not in used:
        agent = _child(verb, "agent")
        src = _child(agent, "pobj") if agent is not None else None
        src_rule = "dep:agent" if src is not None else "none"
        return ([src] if src is not None else []), src_rule, [patient], "dep:reduced-passive"
    auxpass = _child(verb, "auxpass")
    if auxpass is not None and verb.lemma_.lower() in lex.stance_passives and _child(verb, "agent") is None:
        # "Israel is opposed to French mediation": a stated position; the subject holds it
        # (the small model sometimes hangs that subject on the auxiliary).
        holder = _child(verb, "nsubjpass", "nsubj") or _child(auxpass, "nsubj")
        found = _pobj(verb, ("to", "against"))
        return ([holder] if holder is not None else [], "dep:stance-subject",
                [found[0]] if found else [], f"prep:{found[1]}" if found else "none")
    if m.entry.target is not None:
        for role in m.entry.target:
            if role == "nsubj" and _child(verb, "nsubj") is not None:  # "two soldiers died"
                return [], "none", [_child(verb, "nsubj")], "dep:nsubj-undergoer"
            if role.startswith("prep:"):
                found = _pobj(verb, (role[5:],))
                if found:
                    targets, tgt_rule = [found[0]], f"prep:{found[1]}"
                    break
        if not targets:  # "called for sanctions against X": the target of what is asked for
            targets, tgt_rule = _inner_target(verb, m, lex)
    else:
        if passive:
            obj = _child(verb, "nsubjpass")
            if obj is not None and obj.i not in used:
                targets, tgt_rule = [obj], "dep:nsubjpass"
        if not targets:
            obj = _child(verb, "dobj", "dative")
            if obj is not None and obj.i not in used and obj.pos_ in _ACTOR_POS:
                found = _recipient(verb, obj, m, lex)
                targets, tgt_rule = ([found[0]], found[1]) if found else ([obj], f"dep:{obj.dep_}")
        if not targets:
            found = _clause_subject(verb, m)
            if found:
                targets, tgt_rule = [found[0]], found[1]
        if not targets:
            found = _pobj(verb, lex.target_preps.get(m.entry.type, ()))
            if found and found[0].i not in used:
                targets, tgt_rule = [found[0]], f"prep:{found[1]}"
        if not targets:
            targets, tgt_rule = _inner_target(verb, m, lex)
    return ([src] if src is not None else []), src_rule, targets, tgt_rule


def _inner_target(verb: Token, m: Match, lex: Lexicon) -> tuple[list[Token], str]:
    """The target inside the trigger's own words: "held talks with X", "imposed sanctions on X",
    "expelled two French diplomats", "vowed to retaliate against X"."""
    preps = tuple(lex.target_preps.get(m.entry.type, ())) + ("with", "for", "on", "against", "to")
    used = [g for t in m.used for g in ([t] if t.pos_ != "ADP" else t.children) if g.dep_ != "prep"]
    for noun in used:
        if noun.pos_ not in _NOMINAL:
            continue
        found = _pobj(noun, preps)
        if found:
            return [found[0]], f"prep:{found[1]}-of-{noun.lemma_.lower()}"
        if any(c.dep_ in ("amod", "compound", "poss") and c.ent_type_ in ("NORP", "GPE")
               for c in noun.children):  # "two French diplomats": the actor stage reads it
            return [noun], f"dep:nationality-of-{noun.lemma_.lower()}"
    for comp in verb.children:
        if comp.dep_ == "xcomp":
            found = _pobj(comp, preps)
            if found:
                return [found[0]], f"prep:{found[1]}-of-{comp.lemma_.lower()}"
    return [], "none"


def _noun_source(noun: Token) -> tuple[Token | None, str]:
    poss = _child(noun, "poss")
    if poss is not None:
        return poss, "dep:poss"
    found = _pobj(noun, ("by",))
    if found:
        return found[0], "prep:by"
    for c in noun.children:
        if c.dep_ in ("amod", "compound") and c.ent_type_ in ("NORP", "GPE", "ORG"):
            return c, "dep:amod-nationality"
    return None, "none"


def _takes_place(verb: Token) -> bool:
    """"clashes take place", "the attack happened": a verb that reports its subject as occurring."""
    lemma = verb.lemma_.lower()
    if lemma in ("happen", "unfold", "occur"):
        return True
    return lemma == "take" and any(c.dep_ == "dobj" and c.lower_ == "place" for c in verb.children)


def _headline_noun(noun: Token) -> bool:
    """A noun-phrase headline reports its head: "Renewed clashes in the east", "18 dead in
    attacks". The noun (or a conjunct of it) is the root of a sentence that has no verb."""
    root = noun if noun.dep_ == "ROOT" else noun.head if noun.dep_ == "conj" and noun.head.dep_ == "ROOT" else None
    return root is not None and root.pos_ in _NOMINAL \
        and not any(t.pos_ in ("VERB", "AUX") and t.dep_ not in ("amod", "prep") for t in noun.sent)


def _noun_arguments(m: Match, lex: Lexicon, light: Token | None
                    ) -> tuple[list[Token], str, list[Token], str, str]:
    """Sources, targets and the context rule of an event noun."""
    noun, ptype = m.head, m.entry.type
    src, src_rule = _noun_source(noun)
    context = "bare"
    targets: list[Token] = []
    tgt_rule = "none"
    between = _pobj(noun, ("between", "among"))
    if between:
        parts = _coordinated(between[0])
        return [parts[0]], "prep:between", parts[1:], "prep:between", "nprep:between"
    if light is not None and src is None:
        # "X launched a mediation effort between Y and Z": the one who acts is the light
        # verb's subject, and every side named is a counterpart.
        frame = noun.head if noun.dep_ == "compound" and noun.head.lemma_.lower() in _EVENT_FRAMES else None
        between = next((b for b in (_pobj(o, ("between", "among")) for o in (frame, light) if o is not None)
                        if b), None)
        mediator, m_rule = _verb_source(light, lex=lex)
        if between and mediator is not None:
            return ([mediator], f"{m_rule}-of-{light.lemma_.lower()}", _coordinated(between[0]),
                    "prep:between", f"light:{light.lemma_.lower()}")
    found = _pobj(noun, lex.target_preps.get(ptype, ()) + ("of",))
    if found and found[0].i != (src.i if src is not None else -1):
        targets, tgt_rule, context = [found[0]], f"prep:{found[1]}", f"nprep:{found[1]}"
    elif ptype == "ASSAULT" and (found := _pobj(noun, ("with",))):  # "clashes with the army"
        targets, tgt_rule = [found[0]], "prep:with"
    governor = None
    if light is not None:
        governor, context = light, f"light:{light.lemma_.lower()}"
    elif noun.dep_ == "pobj" and noun.head.dep_ == "prep" and noun.head.head.pos_ in ("VERB", "AUX"):
        governor, context = noun.head.head, f"prep:{noun.head.lower_}"
    elif noun.dep_ == "nsubj" and (noun.head.lemma_.lower() in _OUTBREAK_VERBS or _takes_place(noun.head)):
        context = f"subj:{noun.head.lemma_.lower()}"  # "clashes erupted in the north"
    elif noun.dep_ in ("nsubj", "nsubjpass", "dobj") and ptype == "ASSAULT" \
            and noun.head.lemma_.lower() in _REPEL_VERBS:
        context = f"repelled:{noun.head.lemma_.lower()}"  # "the attack was repulsed"
        if noun.dep_ == "dobj" and not targets and _child(noun.head, "nsubj") is not None:
            targets, tgt_rule = [_child(noun.head, "nsubj")], "dep:repeller"
    elif _headline_noun(noun):
        context = "headline"  # "Clashes and air strikes on the outskirts of the city"
    elif noun.dep_ == "nsubj" and noun.head.lemma_.lower() in _CASUALTY_VERBS:
        context = f"subj:{noun.head.lemma_.lower()}"
        if ptype == "ASSAULT" and not targets:
            obj = _child(noun.head, "dobj")
            if obj is not None:
                targets, tgt_rule = [obj], "dep:verb-dobj"
    if governor is not None and src is None:
        victim_clause = ptype == "ASSAULT" and (governor.lemma_.lower() in _CASUALTY_VERBS
                                                or _child(governor, "nsubjpass") is not None)
        if victim_clause:
            victim = _child(governor, "nsubjpass", "nsubj")
            if victim is not None and not targets:
                targets, tgt_rule = [victim], "dep:clause-victim"
        else:
            src, src_rule = _verb_source(governor, lex=lex)
            src_rule = f"{src_rule}-of-{governor.lemma_.lower()}"
    if governor is not None and not targets:
        found = _governor_target(governor, m, lex)
        if found:
            targets, tgt_rule = [found[0]], found[1]
    return ([src] if src is not None else []), src_rule, targets, tgt_rule, context


def _governor_target(governor: Token, m: Match, lex: Lexicon) -> tuple[Token, str] | None:
    """A target the event noun's verb names: "paid compensation to X" (a recipient), "arrived
    in X on a visit" (the place a visit goes to is the host)."""
    preps = [p for p in lex.target_preps.get(m.entry.type, ()) if p in _RECIPIENT_PREPS]
    found = _pobj(governor, preps)
    if found and found[0].i != m.head.i and _actor_like(found[0]):
        return found[0], f"prep:{found[1]}-of-{governor.lemma_.lower()}"
    if m.entry.type == "CONSULT":
        found = _pobj(governor, ("in", "to"))
        if found and found[0].i != m.head.i and _named_place(found[0]):
            return found[0], f"prep:{found[1]}-of-{governor.lemma_.lower()}"
    return None


def _speaker(tok: Token) -> tuple[str | None, str | None]:
    """Who reports the clause holding `tok`: "X said (that) ...", "according to X"."""
    cur = tok
    while cur.head.i != cur.i:
        head = cur.head
        if head.lemma_.lower() in SPEECH_VERBS and cur.dep_ in ("ccomp", "parataxis", "xcomp", "dobj"):
            subj = _child(head, "nsubj")
            if subj is not None:
                s, e = phrase_span(subj)
                return tok.doc[s:e].text, f"speech:{head.lemma_.lower()}"
        cur = head
    for t in tok.sent:
        if t.lower_ == "according":
            to = _child(t, "prep")
            obj = _child(to, "pobj") if to is not None else None
            if obj is not None:
                s, e = phrase_span(obj)
                return tok.doc[s:e].text, "according-to"
    return None, None


# ---------------------------------------------------------------- drafts

def _trigger(tokens: list[Token]) -> tuple[tuple[int, int], str]:
    """Span over the trigger tokens and its text, with " … " where words lie between."""
    tokens = sorted(set(tokens), key=lambda t: t.i)
    doc = tokens[0].doc
    parts: list[str] = []
    run = [tokens[0]]
    for t in tokens[1:]:
        gap = [g for g in doc[run[-1].i + 1:t.i] if not g.is_punct]
        if len(gap) <= 1 and all(g.pos_ in ("DET", "PART", "ADP") for g in gap):
            run.extend(list(doc[run[-1].i + 1:t.i]) + [t])
        else:
            parts.append(doc[run[0].i:run[-1].i + 1].text)
            run = [t]
    parts.append(doc[run[0].i:run[-1].i + 1].text)
    return (tokens[0].i, tokens[-1].i + 1), " … ".join(parts)


def _draft(m: Match, lex: Lexicon, sent_index: int, sent_historical: str | None
           ) -> EventDraft | None:
    tok, entry = m.head, m.entry
    doc = tok.doc
    fields = {"type": f"lexicon:{entry.rule}"}
    if entry.pos == "v":
        sources, src_rule, targets, tgt_rule = _verb_arguments(m, lex)
        trigger_tokens = [tok, *m.used]
        confidence = entry.conf or (0.8 if entry.constrained else 0.7)
    else:
        light = _light_verb(tok, lex)
        sources, src_rule, targets, tgt_rule, context = _noun_arguments(m, lex, light)
        trigger_tokens = [tok, *m.used] + ([light] if light is not None else [])
        fields["context"] = context
        base = entry.conf or 0.55
        if context.startswith("light:"):
            confidence = max(base, 0.75)
        elif context == "bare":
            confidence = base - 0.15
        else:
            confidence = base + 0.1
    src_tokens = [s for s in sources if s is not None]
    tgt_tokens = [t for t in targets if t is not None]
    source_spans, target_spans = _spans(src_tokens), _spans(tgt_tokens)
    if src_rule == "prep:between":  # the other sides of "talks between X and Y" are targets
        source_spans = [phrase_span(src_tokens[0])]
    if entry.type in _SYMMETRIC and not target_spans and len(source_spans) > 1:
        # "X and Y met": the first named side is the source, the others its counterparts.
        source_spans, target_spans = source_spans[:1], source_spans[1:]
        tgt_rule = "dep:coordinated-subject"
    mode, mode_rule = modes.classify_mode(doc, tok.i)
    if entry.pos == "n" and light is not None and mode == "occurred":
        mode, mode_rule = modes.classify_mode(doc, light.i)
    if mode != "occurred":
        confidence -= 0.1
    fields["mode"] = mode_rule
    fields["source"] = src_rule
    fields["target"] = tgt_rule
    attributed, attr_rule = _speaker(tok)
    if attr_rule:
        fields["attributed_to"] = attr_rule
    if sent_historical:  # the sentence has a marker: does it date this trigger's clause?
        sent_historical = modes.historical_marker_at(doc, tok.i)
    if sent_historical:
        fields["historical"] = sent_historical
    span, text = _trigger(trigger_tokens)
    cameo = entry.cameo or _cameo_root(entry.type, [m.lemma.split()[-1], *(t.lemma_ for t in m.used)])
    fields["cameo_root"] = "lexicon" if entry.cameo else "taxonomy"
    return EventDraft(
        type=entry.type, sentence_index=sent_index, trigger=span, trigger_text=text,
        mode=mode, negated=mode == "denied", historical=sent_historical is not None,
        source_spans=source_spans, target_spans=target_spans, attributed_to=attributed,
        cameo_root=cameo, acled=taxonomy.acled(entry.type, m.lemma),
        confidence=round(max(0.05, min(confidence, 0.95)), 2), fields=fields)


def _cameo_root(ptype: str, lemmas: list[str]) -> str:
    """The CAMEO root of the first trigger word that refines the type's default ("opened an
    investigation" is 09 by its noun, "detonated a car bomb" 18)."""
    default = taxonomy.cameo_root(ptype)
    for lemma in lemmas:
        root = taxonomy.cameo_root(ptype, lemma.lower())
        if root != default:
            return root
    return default


def _skip_light_verb(m: Match, lex: Lexicon) -> bool:
    """A bare light verb whose object is an event noun yields to the noun ("ordered an inquiry")."""
    if m.entry.pos != "v" or m.entry.constrained or m.head.lemma_.lower() not in lex.light_verbs:
        return False
    return any(lex.candidates(o) for o in _objects(m.head) if o.pos_ in _NOMINAL)


def _denial_verb(m: Match, lex: Lexicon) -> bool:
    """"denied attacking": the verb denies another event and is no event of its own."""
    return (m.head.lemma_.lower() in lex.denial_verbs
            and any(c.dep_ in ("xcomp", "ccomp", "pcomp") for c in m.head.children))


def _nominal_use(tok: Token) -> bool:
    """A word tagged VERB that the parse uses as a noun: "evacuated the wounded", "its dispute"."""
    return tok.dep_ in ("dobj", "pobj", "nsubj", "nsubjpass", "compound") and any(
        c.dep_ in ("det", "poss") and c.i < tok.i for c in tok.children)


_REGULATION_VERBS = frozenset({"permit", "allow", "prohibit", "ban", "forbid", "bar", "restrict",
                               "outlaw", "authorize", "authorise", "require", "tolerate", "limit"})


def _standing_state(tok: Token) -> bool:
    """A present-tense passive with no agent states a standing rule, not an act that took
    place: "worship at the site is prohibited" (but "was prohibited", "is banned by X" are acts,
    and "is opposed to", "is committed to" state a position, which is itself an act)."""
    if tok.lemma_.lower() not in _REGULATION_VERBS:  # "two men are killed": a headline's present
        return False
    aux = [c for c in tok.children if c.dep_ in ("aux", "auxpass")]
    return (len(aux) == 1 and aux[0].dep_ == "auxpass" and aux[0].lower_ in ("is", "are", "am")
            and _child(tok, "agent") is None
            and not any(c.dep_ in ("prep", "prt") and c.lower_ == "to" for c in tok.children))


def detect_events(doc: Doc, lexicon: Lexicon) -> list[EventDraft]:
    """One EventDraft per event mention in `doc`, in text order."""
    drafts: list[EventDraft] = []
    for sent_index, sent in enumerate(doc.sents):
        historical = modes.historical_markers(sent)
        matches: list[Match] = []
        consumed: set[int] = set()
        for tok in sent:  # verbs first: their objects ("signed an agreement") are consumed
            # A participle before its noun describes: "the occupied territories".
            if tok.pos_ == "VERB" and not (tok.dep_ == "amod" and tok.i < tok.head.i) \
                    and not _nominal_use(tok) and not _standing_state(tok):
                m = _match(tok, lexicon)
                if m is None or _skip_light_verb(m, lexicon) or _denial_verb(m, lexicon):
                    continue
                matches.append(m)
                consumed.update(t.i for t in m.used)
        for tok in sent:
            # "March", "May Day": a date is no event noun
            if tok.pos_ in _NOMINAL and tok.i not in consumed and not _is_generic(tok, lexicon) \
                    and tok.ent_type_ not in ("DATE", "TIME"):
                m = _match(tok, lexicon)
                if m is not None:
                    matches.append(m)
                    consumed.update(t.i for t in m.used)
        found: list[tuple[Match, EventDraft]] = []
        for m in sorted(matches, key=lambda m: m.head.i):
            if m.head.i in consumed:
                continue  # "air" of "air strike" is the noun's modifier, not an event
            draft = _draft(m, lexicon, sent_index, historical)
            if draft is not None and draft.confidence >= MIN_CONFIDENCE:
                found.append((m, draft))
        found = _inherit_targets(found, lexicon)
        kept = _drop_background(_merge_governed(found), found)
        drafts.extend(d for _, d in kept)
        drafts.extend(_intents(kept, sent_index))
    return drafts


# A stated intention is itself an act (CAMEO 03 "express intent to ...", 13 "threaten"):
# cooperative content makes it AGREE, hostile content (or an "unless" ultimatum) THREATEN.
_HOSTILE = frozenset({"ASSAULT", "COERCE", "SANCTION", "PROTEST", "MOBILIZE", "REJECT",
                      "THREATEN", "ACCUSE"})
_INTENT_RULES = ("modal:will", "modal:shall", "modal:'ll", "modal:wo", "modal:going-to",
                 "modal:would", "governor:plan", "governor:intend", "governor:prepare",
                 "governor:promise", "governor:pledge", "governor:offer", "governor:ready",
                 "governor:willing", "governor:readiness", "governor:willingness",
                 "governor:decide", "governor:aim", "governor:want", "governor:wish")


def _intents(kept: list[tuple[Match, EventDraft]], sent_index: int) -> list[EventDraft]:
    """An occurred AGREE/THREATEN for each intention that no occurred event in the sentence
    already reports ("X will support Y" is a promise made; "X threatened to strike" is not
    doubled, the threat is already there)."""
    occurred = [m.head for m, d in kept if d.mode == "occurred"]
    out = []
    for m, d in kept:
        if any(head in m.head.ancestors for head in occurred):
            continue
        stated = _stated_act(m, d)
        if stated is None:
            continue
        itype, why, changes = stated
        word = _intent_word(m.head, d.fields.get("mode", ""))
        if word is not None:  # the act is the promise/refusal/demand: "will", "plans", "must"
            lo, hi = min(word.i, d.trigger[0]), max(word.i + 1, d.trigger[1])
            changes = {**changes, "trigger": (lo, hi),
                       "trigger_text": f"{word.text} … {d.trigger_text}"}
        if any(x.type == itype and x.mode == "occurred" for _, x in kept + [(m, o) for o in out]):
            continue
        out.append(dataclasses.replace(
            d, type=itype, mode="occurred", negated=False,
            cameo_root=taxonomy.cameo_root(itype), acled=None,
            confidence=round(max(0.05, d.confidence - 0.05), 2),
            fields={**d.fields, "type": f"{why}:{d.type.lower()}", "mode": "intent-stated"},
            **changes))
    return out


_COOPERATIVE = frozenset({"AGREE", "CONCEDE", "SUPPORT", "AID", "CONSULT", "COOPERATE", "RETREAT"})
_REFUSAL_AUX = frozenset({"will", "wo", "would", "shall", "can", "ca", "could"})


def _stated_act(m: Match, d: EventDraft) -> tuple[str, str, dict] | None:
    """The act a non-occurred clause itself performs, as (type, rule, draft changes):
    "X will support Y" promises (AGREE), "X will strike unless" threatens (THREATEN),
    "X will not accept refugees" refuses (REJECT, CAMEO 12), and "X said Y must withdraw"
    demands (REQUEST, CAMEO 10: the speaker asks, the one who must act is the target)."""
    rule = d.fields.get("mode", "")
    if _open_question(m.head):  # "no word on whether they would resume talks": nothing stated
        return None
    if rule in _INTENT_RULES and d.source_spans:  # an intention needs someone who intends
        ultimatum = any(c.dep_ == "mark" and c.lower_ == "unless"
                        for t in m.head.subtree for c in t.children)
        return ("THREATEN" if d.type in _HOSTILE or ultimatum else "AGREE"), "intent", {}
    if rule.startswith("neg:") and d.type in _COOPERATIVE \
            and any(c.dep_ == "aux" and c.lower_ in _REFUSAL_AUX for c in m.head.children):
        return "REJECT", "refusal", {}
    if rule in ("modal:must", "modal:should"):
        speaker = _speech_subject(m.head)
        if speaker is not None:
            return "REQUEST", "demand", {"source_spans": [phrase_span(speaker)],
                                         "target_spans": d.source_spans}
    return None


def _open_question(tok: Token) -> bool:
    """The clause is an embedded question ("whether they would resume"), not a statement."""
    for verb in (tok, *tok.ancestors):
        if any(c.dep_ == "mark" and c.lower_ in ("whether", "if") for c in verb.children):
            return verb.dep_ in ("ccomp", "pcomp", "pobj", "acl", "advcl") or verb is tok
        if verb.dep_ in ("ccomp", "advcl", "relcl", "acl") and verb is not tok:
            return False
    return False


def _intent_word(tok: Token, rule: str) -> Token | None:
    """The word that states the intention, refusal or demand: the modal, or the governing verb."""
    kind, _, word = rule.partition(":")
    if kind in ("modal", "neg"):
        for verb in (tok, *list(tok.ancestors)[:2]):  # "will try to mediate": the modal is above
            for c in verb.children:
                if c.dep_ in ("aux", "auxpass") and (kind == "neg" or c.lower_ == word):
                    return c
        return tok.head if word == "going-to" and tok.head.lower_ == "going" else None
    if kind == "governor":
        return next((a for a in tok.ancestors if a.lemma_.lower() == word), None)
    return None


def _speech_subject(tok: Token) -> Token | None:
    """The subject of the speech verb whose reported clause holds `tok` ("Russia said ...")."""
    cur = tok
    while cur.head.i != cur.i:
        head = cur.head
        if head.lemma_.lower() in SPEECH_VERBS | {"conclude", "insist", "reiterate", "demand"} \
                and cur.dep_ in ("ccomp", "parataxis"):
            return _child(head, "nsubj")
        cur = head
    return None


# Prepositions (and "in the wake of"-style nouns) whose object is an earlier event the sentence
# cites as cause or setting: "surrendered following an offensive", "in protest of the arrest".
_BACKGROUND_PREPS = frozenset({"after", "following", "since", "amid", "amidst", "despite",
                               "before", "over"})
_BACKGROUND_NOUNS = frozenset({"wake", "aftermath", "protest", "response", "retaliation",
                               "reprisal", "revenge", "connection", "result", "spite"})
# Types whose object is an event proposed, refused or discussed, not one reported as having
# happened: "rejected the deployment", "opposed to mediation", "discussed a withdrawal". (What
# is condemned or welcomed, "condemned the killing", did happen, and stays an event.)
_ATTITUDE = frozenset({"REJECT", "REQUEST", "AGREE", "THREATEN", "CONSULT"})


def _background_rule(m: Match, heads: set[int]) -> str | None:
    """Why a mention is context for another event in its sentence, not a report of its own:
    it describes a participant ("demonstrators protesting", "property seized by forces"), is
    cited as cause or setting ("following an offensive"), or is what another act is about."""
    tok = m.head
    if m.entry.pos == "n":
        prep = tok.head if tok.dep_ == "pobj" else None
        if prep is not None and prep.lower_ in _BACKGROUND_PREPS:
            return f"background:{prep.lower_}"
        if prep is not None and prep.head.lemma_.lower() in _BACKGROUND_NOUNS:
            return f"background:{prep.head.lemma_.lower()}-of"
    cur = tok
    while cur.head.i != cur.i and cur.i not in heads - {tok.i}:
        if cur.dep_ in ("acl", "relcl") and cur.head.pos_ in _NOMINAL and cur.head.i not in heads \
                and cur.head.dep_ != "ROOT":  # "Militants killed in air strike": a headline's predicate
            return "background:participant-clause"
        cur = cur.head
    return None


def _drop_background(kept: list[tuple[Match, EventDraft]], found: list[tuple[Match, EventDraft]] | None = None
                     ) -> list[tuple[Match, EventDraft]]:
    """Keep what the sentence reports; drop mentions that are context for another of its events.
    A sentence whose only trigger is such a mention keeps it (it is all the sentence has)."""
    if len(kept) < 2:
        return kept
    heads = {m.head.i for m, _ in kept}
    # What a merged mention is about still counts ("rejected X and opposed the deployment").
    by_head = {m.head.i: d for m, d in (found or kept)}
    out = []
    for m, d in kept:
        rule = _background_rule(m, heads)
        if rule is None and m.entry.pos == "n":
            gov = m.head.head.head if m.head.dep_ == "pobj" else m.head.head
            gd = by_head.get(gov.i) if m.head.dep_ in ("dobj", "pobj", "nsubjpass") else None
            if gd is not None and gd is not d and gd.type in _ATTITUDE:
                rule = f"background:content-of-{gd.type.lower()}"
        if rule is None:
            out.append((m, d))
    return out or kept


# Acts whose target is whoever the act they speak of is done to: "threatened to break relations
# with Russia", "agreed to hold talks with X", "staged a strike to demand X's resignation".
_SPEECH_ACTS = frozenset({"THREATEN", "REQUEST", "AGREE", "REJECT", "PROTEST", "SUPPORT"})
_EMBEDDED = ("xcomp", "ccomp", "advcl")
# Target rules that name a place, not a party: "in its war", "at the base".
_PLACE_RULES = ("prep:in", "prep:at", "prep:outside", "prep:along")


def _inherit_targets(found: list[tuple[Match, EventDraft]], lex: Lexicon) -> list[tuple[Match, EventDraft]]:
    """A threat, demand, promise or protest with no target of its own takes the target of the
    act it governs through a complement or purpose clause."""
    out = []
    for m, d in found:
        if not d.target_spans and d.type in _SPEECH_ACTS:
            heads = {m.head.i}
            light = _light_verb(m.head, lex) if m.entry.pos == "n" else None
            if light is not None:
                heads.add(light.i)
            for m2, d2 in found:
                rule = d2.fields.get("target", "none")
                if d2 is d or not d2.target_spans or rule.startswith(_PLACE_RULES) \
                        or m2.head.dep_ not in _EMBEDDED or m2.head.head.i not in heads:
                    continue
                d = dataclasses.replace(d, target_spans=list(d2.target_spans),
                                        fields={**d.fields, "target": f"embedded:{rule}"})
                break
        out.append((m, d))
    return out


def _merge_governed(found: list[tuple[Match, EventDraft]]) -> list[tuple[Match, EventDraft]]:
    """One event, not two, when a trigger governs another of the same type and mode in its
    sentence: "attacked the base, killing ten", "an airstrike killed four". The governing
    trigger stays and takes the actor spans it lacks from the one it absorbs."""
    kept: list[tuple[Match, EventDraft]] = []
    for m, d in found:
        for i, (km, kd) in enumerate(kept):
            if kd.type != d.type or kd.mode != d.mode:
                continue
            if m.head in km.head.subtree or km.head in m.head.subtree:
                top, low = ((km, kd), (m, d)) if m.head in km.head.subtree else ((m, d), (km, kd))
                merged = dataclasses.replace(
                    top[1],
                    source_spans=top[1].source_spans or low[1].source_spans,
                    target_spans=top[1].target_spans or low[1].target_spans,
                    confidence=max(top[1].confidence, low[1].confidence),
                    # "killed in a car bomb explosion": the governed noun names the kind of act
                    cameo_root=low[1].cameo_root if top[1].cameo_root == taxonomy.cameo_root(
                        top[1].type) else top[1].cameo_root,
                    # "an airstrike killed four": the noun names the weapon, the verb does not
                    acled=low[1].acled if (top[1].acled or {}).get("sub_event_type") == "Attack"
                    and low[1].acled else top[1].acled,
                    fields={**top[1].fields, "merged": f"governs '{low[1].trigger_text}'"})
                kept[i] = (top[0], merged)
                break
        else:
            kept.append((m, d))
    return kept


def replace(draft: EventDraft, **changes) -> EventDraft:
    """`dataclasses.replace` for drafts, so later stages never edit a draft in place."""
    return dataclasses.replace(draft, **changes)
