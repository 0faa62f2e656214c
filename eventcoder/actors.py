"""Actor phrases (token spans of a spaCy Doc) -> canonical actors (ActorRef), with simple coreference.

The knowledge base is data: `data/actors.yaml` (armed groups, forces, parties, organisations, role
and description tables), `data/actors_countries.yaml` (one actor per state, built from pycountry by
scripts/build_actors.py) and `data/actors_demonyms.yaml` (nationality adjectives). See docs/actors.md.
"""

from __future__ import annotations

import bisect
import dataclasses
import importlib.resources
import pathlib
import weakref
from dataclasses import dataclass
from typing import Optional

import ahocorasick
import yaml

from .errors import ConfigError
from .gazetteer import normalize as _place_key
from .model import ActorRef

try:  # the C loader is ten times faster; PyYAML without libyaml still works
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader

REQUIRES = ("doc", "draft.source_spans", "draft.target_spans")
ASSIGNS = ("event.source_actors", "event.target_actors")

MAX_DEPTH = 4  # phrases resolve through possessors, appositions and "of X": bound the recursion
COREF_WINDOW = 3  # sentences back that a pronoun or description may reach
PRONOUNS_PERSON = {"he", "she", "him", "her", "his", "hers"}
PRONOUNS_IT = {"it", "its"}
PRONOUNS_THEY = {"they", "them", "their", "theirs"}
DEFINITE = {"the", "this", "these", "those", "both", "that"}
ORG_KINDS = {"rebel_group", "political_militia", "identity_militia", "political_party",
             "international_organization", "other", "external", "media"}
ARMED_OR_PARTY = {"rebel_group", "political_militia", "political_party"}
BYSTANDERS = {"civilians", "protesters", "rioters", "media"}
OF_PREPS = {"of", "for", "from", "with", "within", "inside"}
NER_LABELS = {"ORG", "PERSON", "NORP"}
NOMINAL = {"NOUN", "PROPN", "PRON", "NUM", "X"}
PLACE_LABELS = {"GPE", "LOC", "FAC"}
# Prepositions that place an actor or event somewhere: "police in Lagos", "rebels across the north".
LOCATIVE = {"in", "at", "near", "outside", "inside", "across", "throughout", "through", "around", "within",
            "into", "from", "of"}
LEFT_DEPS = {"amod", "compound", "nmod", "det", "nummod", "poss", "case", "cc", "conj", "quantmod", "predet"}
CONTEXT_RULE = "kb:role+context-country"


@dataclass(frozen=True, slots=True)
class Actor:
    id: str
    name: str
    country: Optional[str]
    kind: str
    parent: Optional[str] = None


@dataclass(frozen=True, slots=True)
class Role:
    key: str
    kind: str
    id: str
    name: str
    generic: str


@dataclass(slots=True)
class ActorMention:
    """An actor named in the doc: token span [start, end) and what it resolves to."""

    start: int
    end: int
    ref: ActorRef
    person: bool = False  # a named person (ref is then the person's organisation, if known)
    head: int = -1  # token index of the phrase head, used to group coordinated mentions


@dataclass(frozen=True, slots=True)
class _Hit:
    """One knowledge-base match: `actor` is an actor id, `iso` a nationality (demonym)."""

    start: int
    end: int
    actor: Optional[str] = None
    iso: Optional[str] = None


def _data_dir() -> pathlib.Path:
    return pathlib.Path(str(importlib.resources.files("eventcoder") / "data"))


def _read_yaml(path: pathlib.Path) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_Loader) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read actor data {path}: {exc}; reinstall eventcoder or fix the file") from exc


def _norm(text: str) -> str:
    """Lower-case with one character per character, so offsets stay valid."""
    low = text.lower()
    if len(low) != len(text):
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return low.replace("\u2019", "'").replace("\u2018", "'")


class ActorKB:
    """Actors, aliases, nationality adjectives and role words, with an Aho-Corasick matcher."""

    def __init__(self, actors: dict[str, Actor], demonyms: dict[str, list[str]], roles: dict[str, Role],
                 role_words: dict[str, str], descriptions: dict[str, set[str]], titles: set[str],
                 patterns: list[tuple[str, bool, Optional[str], Optional[str]]],
                 places: Optional[dict[str, tuple[str, str]]] = None, weak_heads: frozenset = frozenset(),
                 quantifiers: frozenset = frozenset(), state_titles: frozenset = frozenset()):
        self.actors = actors
        self.places = places or {}
        self.weak_heads = weak_heads
        self.quantifiers = quantifiers
        self.state_titles = state_titles
        self.adjective = {iso: forms[0] for iso, forms in demonyms.items()}
        self.roles = roles
        self.role_words = role_words
        self.descriptions = descriptions
        self.titles = titles
        self._auto = ahocorasick.Automaton()
        grouped: dict[str, list] = {}
        for alias, cs, actor_id, iso in patterns:
            grouped.setdefault(_norm(alias), []).append((alias.replace("\u2019", "'"), cs, actor_id, iso))
        for key, payloads in grouped.items():
            self._auto.add_word(key, payloads)
        self._auto.make_automaton()

    @classmethod
    def load(cls, path: Optional[str | pathlib.Path] = None) -> "ActorKB":
        """Read actors.yaml (default: the packaged one) and the actors_*.yaml files beside it."""
        main = pathlib.Path(path) if path else _data_dir() / "actors.yaml"
        data = _read_yaml(main)
        extra_dir = main.parent if (main.parent / "actors_countries.yaml").exists() else _data_dir()
        countries = _read_yaml(extra_dir / "actors_countries.yaml").get("actors", [])
        demonyms = _read_yaml(extra_dir / "actors_demonyms.yaml")
        actors: dict[str, Actor] = {}
        patterns: list[tuple[str, bool, Optional[str], Optional[str]]] = []
        for row in countries + data.get("actors", []):
            actor = Actor(row["id"], row["name"], row.get("country"), row["kind"], row.get("parent"))
            actors[actor.id] = actor
            cs_aliases = set(row.get("aliases_cs") or [])
            for alias in [row["name"]] + list(row.get("aliases") or []):
                if alias in cs_aliases:
                    continue
                alias = alias[4:] if alias.lower().startswith("the ") else alias
                short_acronym = alias.isupper() and len(alias) <= 6
                patterns.append((alias, short_acronym, actor.id, None))
            for alias in row.get("aliases_cs") or []:
                alias = alias[4:] if alias.startswith("the ") else alias
                patterns.append((alias, True, actor.id, None))
        # Leaders named without a title stand for the state they led ("Putin" -> Russia).
        leaders_path = extra_dir / "actors_leaders.yaml"
        for iso, names in (_read_yaml(leaders_path) if leaders_path.exists() else {}).items():
            if iso.lower() in actors:
                patterns.extend((name, True, iso.lower(), None) for name in names)
        for iso, forms in demonyms.items():
            for form in forms:
                patterns.append((form, True, None, iso))
                if not form.isupper() and not form.endswith(("ese", "ch", "sh", "s", "x", "z", "men")):
                    patterns.append((form + "s", True, None, iso))
        for blocker in data.get("blockers") or []:
            patterns.append((blocker, True, None, None))
        roles, role_words = {}, {}
        for key, spec in (data.get("roles") or {}).items():
            roles[key] = Role(key, spec["kind"], spec["id"], spec["name"], spec["generic"])
            for word in spec["words"]:
                role_words.setdefault(word, key)
        descriptions = {k: set(v) for k, v in (data.get("descriptions") or {}).items()}
        places = _read_places(extra_dir / "actors_places.tsv")
        return cls(actors, demonyms, roles, role_words, descriptions, set(data.get("titles") or []), patterns,
                   places=places, weak_heads=frozenset(data.get("weak_heads") or []),
                   quantifiers=frozenset(data.get("quantifiers") or []),
                   state_titles=frozenset(data.get("state_titles") or []))

    def place(self, text: str) -> Optional[tuple[str, str]]:
        """(ISO3, kind) of a place name ("Lagos" -> ("NGA", "city")), kind capital/admin1/city; else None."""
        return self.places.get(_place_key(text))

    def is_alias(self, text: str) -> bool:
        """True if `text` is a known alias or nationality (any case)."""
        return _norm(text.strip()) in self._auto

    def get(self, actor_id: str) -> Optional[Actor]:
        return self.actors.get(actor_id)

    def __len__(self) -> int:
        return len(self.actors)

    def scan(self, text: str) -> list[_Hit]:
        """Leftmost-longest alias matches on word boundaries (a hyphen compound is not a boundary)."""
        low = _norm(text)
        found: list[tuple[int, int, tuple]] = []
        for last, payloads in self._auto.iter(low):
            end = last + 1
            for alias, cs, actor_id, iso in payloads:
                start = end - len(alias)
                if not _bounded(low, start, end):
                    continue
                if cs and text[start:end].replace("\u2019", "'") != alias:
                    continue
                found.append((start, end, (actor_id, iso)))
                break
        found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
        hits, taken_until = [], -1
        for start, end, (actor_id, iso) in found:
            if start < taken_until:
                continue
            taken_until = end
            if actor_id or iso:  # blockers only absorb what they cover
                hits.append(_Hit(start, end, actor_id, iso))
        return hits

    def generic(self, iso: Optional[str], role_key: str) -> Actor:
        """The actor for a nationality and a role ("Sudanese" + "police" -> sdn-police)."""
        role = self.roles[role_key]
        if iso is None:
            actor_id = role.id or "government"
            return self.actors.get(actor_id) or Actor(actor_id, role.generic, None, role.kind)
        actor_id = f"{iso.lower()}-{role.id}" if role.id else iso.lower()
        if actor_id in self.actors:
            return self.actors[actor_id]
        state = self.actors.get(iso.lower())
        country_name = state.name if state else iso
        name = role.name.format(adj=self.adjective.get(iso, country_name), country=country_name)
        return Actor(actor_id, name, iso, role.kind)

    def role_of(self, token) -> Optional[str]:
        return self.role_words.get(token.lower_) or self.role_words.get(token.lemma_.lower())

    def head_role(self, token) -> Optional[str]:
        """Role of a phrase head; a generic head ("groups") yields to a role among its modifiers
        ("opposition groups" -> opposition), except to government ("government forces" stay forces)."""
        role = self.role_of(token)
        if token.lower_ in self.weak_heads or token.lemma_.lower() in self.weak_heads:
            for c in token.children:
                if c.dep_ in ("compound", "amod", "nmod") and c.i < token.i:
                    mod = self.role_of(c)
                    if mod and mod != "government" and mod != role:
                        return mod
        return role


def _read_places(path: pathlib.Path) -> dict[str, tuple[str, str]]:
    """actors_places.tsv: normalised place name -> (ISO3, kind); a missing file gives no places."""
    if not path.exists():
        return {}
    try:
        with open(path, encoding="utf-8") as fh:
            rows = [line.rstrip("\n").split("\t") for line in fh if not line.startswith("#")]
    except OSError as exc:
        raise ConfigError(f"cannot read actor data {path}: {exc}; reinstall eventcoder or fix the file") from exc
    return {r[0]: (r[1], r[2]) for r in rows if len(r) >= 3}


def _bounded(low: str, start: int, end: int) -> bool:
    if start > 0:
        before = low[start - 1]
        if before.isalnum() or (before == "-" and start > 1 and low[start - 2].isalnum()):
            return False
    if end < len(low):
        after = low[end]
        if after.isalnum() or (after == "-" and end + 1 < len(low) and low[end + 1].isalnum()):
            return False
    return True


def _is_state(actor: Actor | ActorRef) -> bool:
    """The state itself ("isr"), as opposed to one of its forces or a group based there."""
    return actor.kind == "government" and actor.id == (actor.country or "").lower()


def _ref(actor: Actor, text: str, rule: str) -> ActorRef:
    return ActorRef(text=text, name=actor.name, id=actor.id, country=actor.country, kind=actor.kind, rule=rule)


def _bare(text: str) -> str:
    """An unknown name without its article: "The Shadow Front" -> "Shadow Front"."""
    return text[4:] if text[:4].lower() == "the " else text


def _dedupe(refs: list[ActorRef]) -> list[ActorRef]:
    seen, out = set(), []
    for ref in refs:
        key = ref.id or ("?", ref.name)
        if key not in seen:
            seen.add(key)
            out.append(ref)
    return out


class _Resolver:
    """Per-doc state: KB hits by token, the mentions found so far (coreference candidates)."""

    def __init__(self, doc, kb: ActorKB, state: Optional[tuple] = None):
        self.doc, self.kb = doc, kb
        if state is not None:  # hits and mentions hold only indices, never the Doc
            self.hit_at, self.sent_starts, self.mentions, self.doc_country, self.located_country = state
            return
        self.hit_at: dict[int, _Hit] = {}
        for hit in kb.scan(doc.text):
            span = doc.char_span(hit.start, hit.end, alignment_mode="expand")
            if span is None:
                continue
            hit = _Hit(span.start, span.end, hit.actor, hit.iso)
            for i in range(span.start, span.end):
                self.hit_at[i] = hit
        self.sent_starts = [s.start for s in doc.sents]
        self.mentions: list[ActorMention] = []
        self.doc_country: Optional[str] = None
        self.located_country: Optional[str] = None
        self._build_mentions()
        self.located_country, self.doc_country = self._single_country()

    @property
    def state(self) -> tuple:
        return self.hit_at, self.sent_starts, self.mentions, self.doc_country, self.located_country

    # -- places -----------------------------------------------------------------------------
    def _place_country(self, i: int) -> Optional[str]:
        """Country of the place at token i: a state named there, else a known city or region."""
        hit = self.hit_at.get(i)
        if hit is not None:
            actor = self.kb.get(hit.actor) if hit.actor else None
            return actor.country if actor is not None and _is_state(actor) else None
        if not self.doc[i].ent_type_:
            return None
        ent = next((e for e in self.doc.ents if e.start <= i < e.end), None)
        found = self.kb.place(_bare(ent.text)) if ent is not None and self._place_ent(ent) else None
        return found[0] if found else None

    @staticmethod
    def _place_ent(ent) -> bool:
        """A GPE/LOC/FAC entity, or any name right after "in"/"at"/"near" (the small model tags
        some capitals NORP or ORG: "in Tunis")."""
        if ent.label_ in PLACE_LABELS:
            return True
        root = ent.root
        return root.dep_ == "pobj" and root.head.lower_ in ("in", "at", "near", "through") and root.pos_ == "PROPN"

    def _is_locative(self, tok) -> bool:
        """A place used as a location: "in Yangon", "Cairo's", "the Khartoum government"."""
        if tok.dep_ == "pobj":
            return tok.head.lower_ in LOCATIVE
        return tok.dep_ in ("poss", "compound", "npadvmod")

    def _single_country(self) -> tuple[Optional[str], Optional[str]]:
        """The article's country when it is about one, as (from located places only, overall): the
        one country of its located places, else (none located) the one country of all actor and
        place names in it."""
        located, named = set(), set()
        for ent in self.doc.ents:
            if not self._place_ent(ent):
                continue
            iso = self._place_country(ent.start)
            if iso:
                named.add(iso)
                if self._is_locative(ent.root):
                    located.add(iso)
        for hit in {id(h): h for h in self.hit_at.values()}.values():
            actor = self.kb.get(hit.actor) if hit.actor else None
            iso = actor.country if actor is not None else hit.iso
            if iso:
                named.add(iso)
        if located:
            one = next(iter(located)) if len(located) == 1 else None
            return one, one
        return None, (next(iter(named)) if len(named) == 1 else None)

    def _phrase_country(self, own: set[int], skip: int) -> Optional[str]:
        """The one country of the places inside a phrase ("police in Lagos"), else None."""
        found = {self._place_country(i) for i in own if i != skip}
        found.discard(None)
        return next(iter(found)) if len(found) == 1 else None

    def _context_country(self, own: set[int], skip: int, located_only: bool = False) -> Optional[str]:
        """A place in the phrase, else the article's one country (a person: located places only,
        since "President X threatened Russia" says nothing about X's country)."""
        return self._phrase_country(own, skip) or (self.located_country if located_only else self.doc_country)

    # -- mentions -------------------------------------------------------------------------
    def _build_mentions(self) -> None:
        """Mentions in text order, so a person's "the movement's spokesperson" can look back."""
        doc, kb, items = self.doc, self.kb, []
        for hit in {id(h): h for h in self.hit_at.values()}.values():
            items.append((hit.start, hit.end, "hit", hit))
        for ent in doc.ents:
            if ent.label_ not in NER_LABELS or any(i in self.hit_at for i in range(ent.start, ent.end)):
                continue
            if kb.is_alias(ent.text):  # "Hamas-run": a known name the boundary rule declined
                continue
            if ent.label_ == "NORP" and ent.root.dep_ in ("amod", "compound"):
                continue  # "Jewish visitors": an adjective, not an actor
            items.append((ent.start, ent.end, "ent", ent))
        for start, end, what, obj in sorted(items, key=lambda x: x[0]):
            if what == "hit":
                head = self._head_noun(doc[end - 1])
                lo, hi = min(start, head.i), max(end, head.i + 1)
                # a leader's name ("Obama") is a person: "he" may refer back to it
                state = kb.get(obj.actor) if obj.actor else None
                person = state is not None and _is_state(state) and all(
                    doc[i].ent_type_ == "PERSON" for i in range(start, end))
                for ref in self._from_hit(obj, head, doc[lo:hi].text, strict=True):
                    self.mentions.append(ActorMention(lo, hi, ref, person=person, head=self._conj_root(head)))
            elif self._is_person(obj):
                refs = self._affiliation(obj, depth=1)
                ref = (dataclasses.replace(refs[0], text=obj.text, rule="kb:affiliation") if refs else
                       ActorRef(text=obj.text, name=obj.text, rule="ner:PERSON"))
                self.mentions.append(ActorMention(start, end, ref, person=True,
                                                  head=self._conj_root(obj.root)))
            else:
                ref = ActorRef(text=obj.text, name=_bare(obj.text), rule=f"ner:{obj.label_}")
                self.mentions.append(ActorMention(start, end, ref, head=self._conj_root(obj.root)))

    def _is_person(self, ent) -> bool:
        if ent.label_ == "PERSON":
            return True
        if ent.label_ != "ORG":
            return False
        # NER often tags Arabic names as ORG; a title word on the name says it is a person.
        root = ent.root
        near = [t for t in root.children if t.dep_ in ("compound", "appos") and t.i < ent.start]
        if root.dep_ == "appos":
            near.append(root.head)
        return any(t.lower_ in self.kb.titles for t in near)

    def _head_noun(self, token):
        """Climb from a modifier to the noun it modifies ("Israeli" -> "forces")."""
        for _ in range(6):
            if token.dep_ == "conj" and token.pos_ in ("ADJ", "PROPN") and token.head.dep_ in ("amod", "compound"):
                token = token.head
            elif token.dep_ in ("amod", "compound", "nmod", "poss", "case") and token.head.i != token.i \
                    and token.head.i > token.i:
                token = token.head
            else:
                break
        return token

    def _conj_root(self, token) -> int:
        while token.dep_ == "conj" and token.head.i != token.i:
            token = token.head
        return token.i

    def _sent_index(self, i: int) -> int:
        return bisect.bisect_right(self.sent_starts, i) - 1

    def _from_hit(self, hit: _Hit, head, text: str, strict: bool) -> list[ActorRef]:
        """Actor(s) for one KB hit whose phrase head is `head`; strict drops bare adjectives."""
        kb = self.kb
        actor = kb.get(hit.actor) if hit.actor else None
        if actor and not _is_state(actor):
            return [_ref(actor, text, "kb:alias")]
        iso = actor.country if actor else hit.iso
        if head.i in range(hit.start, hit.end):  # the nationality/state is itself the head
            if actor:
                return [_ref(actor, text, "kb:alias")]
            if head.pos_ in ("NOUN", "PROPN") or head.tag_ in ("NNS", "NNPS"):  # "three Palestinians"
                return [_ref(kb.generic(iso, "civilians"), text, "kb:demonym")]
            return []
        role = self._role_near(head, hit.end)
        if role:
            rule = "kb:country+role" if actor else "kb:demonym+role"
            return [_ref(kb.generic(iso, role), text, rule)]
        if strict:
            return []
        state = actor or kb.get(iso.lower())
        return [_ref(state, text, "kb:demonym")] if state else []

    def _role_near(self, head, after: int) -> Optional[str]:
        """Role of the head noun, else of a compound between the nationality and the head."""
        role = self.kb.head_role(head)
        if role:
            return role
        for tok in reversed(self.doc[after:head.i]):
            if tok.dep_ in ("compound", "amod", "nmod") and self.kb.role_of(tok):
                return self.kb.role_of(tok)
        return None

    # -- phrases ----------------------------------------------------------------------------
    def resolve(self, start: int, end: int, depth: int = 0) -> list[ActorRef]:
        doc = self.doc
        while start < end and (doc[start].is_punct or doc[start].dep_ == "cc"):
            start += 1
        while end > start and (doc[end - 1].is_punct or doc[end - 1].dep_ == "cc"):
            end -= 1
        if start >= end or depth > MAX_DEPTH:
            return []
        start = self._extend_left(start, end)
        coref = self._coref(start, end, depth)
        if coref is not None:
            return coref
        # Heads: tokens attached outside the span; a span may hold a stray "in ..." of the verb.
        roots = [t for t in doc[start:end] if not start <= t.head.i < end or t.head.i == t.i]
        heads = [t for t in roots if t.pos_ in NOMINAL] or [doc[start:end].root]
        for tok in heads:
            heads.extend(c for c in tok.children if c.dep_ == "conj" and start <= c.i < end)
        refs: list[ActorRef] = []
        for h in heads:
            own = {t.i for t in h.subtree if start <= t.i < end}
            for c in h.children:
                if c.dep_ in ("conj", "cc") and c.i > h.i:
                    own -= {t.i for t in c.subtree}
            refs.extend(self._resolve_head(h, own, depth))
        return _dedupe(refs)

    def _extend_left(self, start: int, end: int) -> int:
        """Take in the modifiers a span left out: a detector may hand over "police" alone from
        "Colombian and Ecuadorian police", and the nationalities belong to the phrase."""
        doc = self.doc
        heads = {t.i for t in doc[start:end] if not start <= t.head.i < end or t.head.i == t.i}
        while start > 0:
            tok = doc[start - 1]
            top = tok
            while top.i < start and top.head.i != top.i and top.dep_ in LEFT_DEPS | {"punct"}:
                top = top.head
            if top.i not in heads or top.i == tok.i or tok.dep_ not in LEFT_DEPS | {"punct"}:
                break
            if tok.dep_ == "punct" and tok.tag_ not in ("HYPH", "POS"):
                break
            start -= 1
        return start

    def _core_text(self, h, own: set[int]) -> str:
        lo = h.i
        while lo - 1 in own and self._in_left_core(self.doc[lo - 1], h, allow_punct=True):
            lo -= 1
        hi = h.i + 1
        hit = self.hit_at.get(h.i)
        if hit:
            lo, hi = min(lo, hit.start), max(hi, hit.end)
        ent = self.doc[h.i].ent_type_ and next((e for e in self.doc.ents if e.start <= h.i < e.end), None)
        if ent:
            lo, hi = min(lo, ent.start), max(hi, ent.end)
        return self.doc[lo:hi].text

    def _resolve_head(self, h, own: set[int], depth: int) -> list[ActorRef]:
        doc, kb = self.doc, self.kb
        if depth > MAX_DEPTH or not own:
            return []
        text = self._core_text(h, own)
        hit = self.hit_at.get(h.i)
        if hit:
            refs = self._from_hit(hit, h, text, strict=False)
            return self._ethnic(refs, [hit], own, h) if hit.iso else refs
        # 0. a quantity of people: "thousands of demonstrators", "a group of Moroccan diplomats"
        if h.lemma_.lower() in kb.quantifiers or h.lower_ in kb.quantifiers or h.like_num:
            for prep in h.children:
                if prep.dep_ == "prep" and prep.lower_ == "of" and prep.i in own:
                    pobj = next((c for c in prep.children if c.dep_ == "pobj"), None)
                    if pobj is not None:
                        sub = [t.i for t in pobj.subtree if t.i in own]
                        found = self.resolve(min(sub), max(sub) + 1, depth + 1) if sub else []
                        if found:
                            return [dataclasses.replace(r, text=self._whole(own)) for r in found]
        left = [i for i in sorted(own) if i < h.i and self._in_left_core(doc[i], h)]
        # 1. a named organisation among the modifiers: "Hamas leaders", "the Islamic Jihad official"
        left_hits = {id(self.hit_at[i]): self.hit_at[i] for i in left if i in self.hit_at}.values()
        orgs = [kb.get(x.actor) for x in left_hits if x.actor]
        orgs = [a for a in orgs if a and not _is_state(a)]
        if orgs:
            return [_ref(a, text, "kb:alias") for a in orgs]
        # 2. a possessor: "its leaders", "the movement's spokesperson", "Israel's army"
        for c in h.children:
            if c.dep_ == "poss" and c.i in own and c.i not in self.hit_at and c.lower_ not in PRONOUNS_PERSON:
                sub = [t.i for t in c.subtree]
                found = self.resolve(min(sub), max(sub) + 1, depth + 1)
                if found:
                    return [dataclasses.replace(r, text=text) for r in found]
        # 3. nationality (adjective or state) + role noun: "Israeli and Egyptian forces"
        nat = [x for x in left_hits if not x.actor or kb.get(x.actor).kind == "government"]
        role = self._role_near(h, min(left) if left else h.i)
        if nat and role:
            return self._ethnic([r for x in nat for r in self._from_hit(x, h, text, strict=True)], nat, own, h)
        # 4. a named person: the organisation in an apposition, "of X" or a title before the name
        ent = next((e for e in doc.ents if e.start <= h.i < e.end), None)
        if ent is not None and self._is_person(ent):
            found = self._affiliation(ent, depth + 1)
            if found:
                return [dataclasses.replace(r, text=ent.text, rule="kb:affiliation") for r in found]
            titled = self._state_title(ent)
            iso = titled and self._context_country(own, h.i, located_only=True)
            if iso:
                state = kb.generic(iso, "government")
                return [ActorRef(text=ent.text, name=ent.text, id=state.id, country=iso, kind=state.kind,
                                 rule="kb:title+context-country")]
            return [ActorRef(text=ent.text, name=ent.text, rule="ner:PERSON")]
        # 5. a title or member noun: "the secretary general of the Islamic Jihad movement"
        for c in h.children:
            if c.dep_ == "appos" and c.i in own:
                found = [r for r in self._resolve_head(c, {t.i for t in c.subtree} & own, depth + 1)
                         if r.id and r.rule != "kb:role"]
                if found:
                    return [dataclasses.replace(r, text=self._whole(own)) for r in found]
        if role != "civilians" or not nat:
            found = self._of_phrase(h, depth)
            if found:
                if role and all(_is_state(r) for r in found):
                    return [_ref(kb.generic(r.country, role), text, "kb:country+role") for r in found]
                if h.lower_ in kb.titles or not role or all(r.kind in ORG_KINDS for r in found):
                    return [dataclasses.replace(r, text=self._whole(own)) for r in found]
        # 6. bare role: "protesters", "gunmen"; an unknown nationality keeps its words
        if role and not (h.lower_ in kb.titles or h.lemma_.lower() in kb.titles):
            norp = [i for i in left if doc[i].ent_type_ == "NORP"]
            if nat:
                return self._ethnic([r for x in nat for r in self._from_hit(x, h, text, strict=False)], nat, own, h)
            place = next((kb.place(doc[i].text) for i in norp if kb.place(doc[i].text)), None)
            if place:  # "Darfur rebels": the small model tags some regions NORP
                return [_ref(kb.generic(place[0], role), text, "kb:place+role")]
            if norp:
                return [ActorRef(text=text, name=text, kind=kb.roles[role].kind, rule="ner:NORP+role")]
            iso = self._context_country(own, h.i)
            if iso:  # "police in Lagos", "the junta" in an article about Yangon
                return [_ref(kb.generic(iso, role), text, CONTEXT_RULE)]
            return [_ref(kb.generic(None, role), text, "kb:role")]
        # 7. a nationality on any other noun ("the Israeli aggression") names the state
        if nat:
            return [r for x in nat for r in self._from_hit(x, h, text, strict=False)]
        if ent is not None and ent.label_ in PLACE_LABELS:
            place = kb.place(_bare(ent.text))
            if place and place[1] == "capital":  # "Baghdad accepted": the capital stands for the state
                state = kb.get(place[0].lower())
                if state is not None:
                    return [_ref(state, ent.text, "kb:capital")]
            if place:  # "a bombing in Tel Aviv": the place's country, no actor id
                return [ActorRef(text=ent.text, name=_bare(ent.text), country=place[0], rule="kb:place")]
        if ent is not None and ent.label_ in NER_LABELS | {"GPE"}:
            return [ActorRef(text=ent.text, name=_bare(ent.text), rule=f"ner:{ent.label_}")]
        return []

    def _ethnic(self, refs: list[ActorRef], nat, own: set[int], h) -> list[ActorRef]:
        """"ethnic Albanian guerrillas in Macedonia": an ethnicity, not a nationality, so the actor
        takes the country of a place in the phrase or article when there is one."""
        if not any(x.start > 0 and self.doc[x.start - 1].lower_ == "ethnic" for x in nat):
            return refs
        iso = self._context_country(own - {i for x in nat for i in range(x.start, x.end)}, h.i)
        if not iso:
            return refs
        out = []
        for r in refs:
            role = self._role_near(h, h.i) or ("civilians" if r.kind == "civilians" else None)
            out.append(_ref(self.kb.generic(iso, role), r.text, "kb:ethnic+context-country") if role else r)
        return out

    def _state_title(self, ent) -> bool:
        """A state title right before or beside a person's name: "President Bush", "Bush, the president"."""
        near = [t for t in self.doc[max(0, ent.start - 3):ent.start] if t.dep_ in ("compound", "amod", "nmod")]
        near += [c for c in ent.root.children if c.dep_ == "appos"]
        if ent.root.dep_ == "appos":
            near.append(ent.root.head)
        return any(t.lower_ in self.kb.state_titles or t.lemma_.lower() in self.kb.state_titles for t in near)

    def _whole(self, own: set[int]) -> str:
        return self.doc[min(own):max(own) + 1].text.strip(" ,;")

    def _in_left_core(self, tok, h, allow_punct: bool = False) -> bool:
        """True if tok modifies h without passing through a preposition or apposition."""
        while tok.i != h.i:
            if tok.dep_ in ("prep", "appos", "relcl", "acl") or tok.head.i == tok.i:
                return False
            if tok.dep_ == "punct" and not (allow_punct and tok.tag_ in ("HYPH", "POS", "''")):
                return False
            tok = tok.head
        return True

    def _of_phrase(self, h, depth: int) -> list[ActorRef]:
        for prep in h.children:
            if prep.dep_ == "prep" and prep.lower_ in OF_PREPS:
                for pobj in prep.children:
                    if pobj.dep_ == "pobj":
                        sub = [t.i for t in pobj.subtree]
                        found = [r for r in self.resolve(min(sub), max(sub) + 1, depth + 1)
                                 if (r.id and r.rule != "kb:role")
                                 or (r.rule or "").startswith(("ner:ORG", "ner:PERSON"))]
                        if found:
                            return found
        return []

    def _affiliation(self, ent, depth: int) -> list[ActorRef]:
        """Organisation of a named person: title before the name, apposition, or "of X"."""
        if depth > MAX_DEPTH:
            return []
        root = ent.root
        np_head = root.head if root.dep_ == "appos" else root
        left = [t.i for t in np_head.subtree if t.i < ent.start]
        if left:
            lo = min(left)
            found = self.resolve(lo, ent.start, depth + 1)
            if found and any(r.id for r in found):
                return [r for r in found if r.id]
        candidates = [c for c in root.children if c.dep_ == "appos"]
        if np_head is not root:
            candidates.append(np_head)
        for c in candidates:
            own = {t.i for t in c.subtree} - set(range(ent.start, ent.end))
            found = self._resolve_head(c, own, depth + 1)
            if found and any(r.id for r in found):
                return [r for r in found if r.id]
        return [r for r in self._of_phrase(root, depth) if r.id]

    # -- coreference ----------------------------------------------------------------------
    def _candidates(self, before: int) -> list[ActorMention]:
        """Mentions ending before `before`, most recent first, within COREF_WINDOW sentences."""
        first_sent = self._sent_index(before) - COREF_WINDOW
        out = [m for m in self.mentions if m.end <= before and self._sent_index(m.start) >= first_sent]
        return sorted(out, key=lambda m: (m.end, m.start), reverse=True)

    def _group(self, m: ActorMention, cands: list[ActorMention]) -> list[ActorMention]:
        same = [c for c in cands if c.head == m.head and not c.person
                and self._sent_index(c.start) == self._sent_index(m.start)]
        return sorted(same, key=lambda c: c.start)

    def _coref(self, start: int, end: int, depth: int) -> Optional[list[ActorRef]]:
        """Resolve a pronoun or definite description, or return None if the phrase is neither."""
        doc, kb = self.doc, self.kb
        span = doc[start:end]
        text = span.text
        if any(i in self.hit_at for i in range(start, end)):
            return None
        if len(span) == 1 and span[0].pos_ == "PRON" or (len(span) == 1 and span[0].lower_ in PRONOUNS_PERSON):
            word = span[0].lower_
            cands = self._candidates(start)
            if word in PRONOUNS_PERSON:
                picked = [m for m in cands if m.person][:1]
            elif word in PRONOUNS_IT:
                things = [m for m in cands if not m.person and m.ref.kind not in ("civilians", "protesters")]
                picked = ([m for m in things if m.ref.id] or things)[:1]
            elif word in PRONOUNS_THEY:
                groups = [m for m in cands if not m.person]
                first = next((m for m in groups if m.ref.id), groups[0] if groups else None)
                picked = self._group(first, cands) if first else []
            else:
                return None
            return [dataclasses.replace(m.ref, text=text, rule="coref:pronoun") for m in picked]
        head = span.root
        lemma = head.lemma_.lower()
        forms = {lemma, head.lower_}
        if not any(t.lower_ in DEFINITE for t in span if t.i < head.i) or len(span) > 5:
            return None
        if any(t.ent_type_ in NER_LABELS for t in span):
            return None
        cands = [m for m in self._candidates(start) if not m.person]
        desc = kb.descriptions
        if forms & desc.get("pair", set()) and (any(t.like_num or t.lower_ == "both" for t in span)):
            for m in cands:
                group = self._group(m, cands)
                if len(group) >= 2:
                    return [dataclasses.replace(g.ref, text=text, rule="coref:definite") for g in group]
            # no coordination: the last two distinct actors that can act as a party
            picked = _dedupe([m.ref for m in cands if m.ref.id and m.ref.kind not in BYSTANDERS])[:2]
            return [dataclasses.replace(r, text=text, rule="coref:definite") for r in picked]
        if forms & desc.get("statement", set()):
            return self._statement_author(start, text, depth)
        if forms & desc.get("organisation", set()):
            # armed groups and parties first, then any other organisation, then unknown ORG names
            picked = ([m for m in cands if m.ref.kind in ARMED_OR_PARTY][:1]
                      or [m for m in cands if m.ref.kind in ORG_KINDS][:1]
                      or [m for m in cands if m.ref.rule == "ner:ORG"][:1])
        elif forms & desc.get("government", set()):
            picked = [m for m in cands if m.ref.kind == "government"][:1]
            if not picked:  # "the junta" after "the Tatmadaw": the forces' state
                forces = next((m for m in cands if m.ref.kind == "state_forces" and m.ref.country), None)
                if forces is None:
                    return None
                return [_ref(kb.generic(forces.ref.country, "government"), text, "coref:definite")]
        elif kb.role_of(head) and not (lemma in kb.titles):
            role = kb.roles[kb.role_of(head)]
            picked = [m for m in cands if m.ref.kind == role.kind and m.ref.country][:1]
            if not picked:
                return None  # no antecedent: the bare role ("the protesters") stands for itself
        else:
            return None
        return [dataclasses.replace(m.ref, text=text, rule="coref:definite") for m in picked]

    def _statement_author(self, before: int, text: str, depth: int) -> list[ActorRef]:
        """'the statement' -> whoever issued the last statement: its possessor, 'by X', or the subject."""
        doc = self.doc
        first = self.sent_starts[max(0, self._sent_index(before) - COREF_WINDOW)]
        words = self.kb.descriptions.get("statement", set())
        for tok in reversed(doc[first:before]):
            if tok.lemma_.lower() not in words:
                continue
            sources = [c for c in tok.children if c.dep_ == "poss"]
            sources += [g for c in tok.children if c.dep_ == "prep" and c.lower_ in ("by", "from")
                        for g in c.children if g.dep_ == "pobj"]
            verb = tok
            while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
                verb = verb.head
            sources += [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
            for src in sources:
                sub = [t.i for t in src.subtree]
                found = self.resolve(min(sub), max(sub) + 1, depth + 1)
                if found:
                    return [dataclasses.replace(r, text=text, rule="coref:statement") for r in found]
        return []


_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _resolver(doc, kb: ActorKB) -> _Resolver:
    """One resolver per (doc, kb), so each span does not rescan the article.

    Kept in a weak map rather than doc.user_data, which spaCy serialises with the Doc; the cached
    state holds token indices only, so the map never keeps a Doc alive.
    """
    per_doc = _CACHE.setdefault(doc, {})
    state = per_doc.get(id(kb))
    if state is not None and state[0] is kb:
        return _Resolver(doc, kb, state[1])
    resolver = _Resolver(doc, kb)
    per_doc[id(kb)] = (kb, resolver.state)
    return resolver


def find_actor_mentions(doc, kb: ActorKB) -> list[ActorMention]:
    """Every actor the doc names, in text order: KB aliases, nationality+role, persons, unknown ORG/NORP."""
    return list(_resolver(doc, kb).mentions)


def resolve_actors(doc, span: tuple[int, int], kb: ActorKB) -> list[ActorRef]:
    """The canonical actors that the token span [start, end) names, coordination and coreference included."""
    start, end = span
    return _resolver(doc, kb).resolve(max(0, start), min(len(doc), end))
