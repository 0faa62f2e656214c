"""Doc -> [Place]: find toponyms (spaCy NER + a gazetteer pass), resolve them, link them to events.

Reads: the article Doc, the Gazetteer, an EventDraft. Writes: Place records with character
offsets, a score (the winner's share of candidate weight) and a human-readable reason.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Optional, Sequence

from .gazetteer import Entry, Gazetteer, haversine_km
from .gazetteer import normalize as _normalize
from .model import EventDraft, Place

# The same names are normalised over and over (every candidate of every mention, per article):
# the function is pure, so a bounded cache returns the same keys for a fraction of the cost.
normalize = functools.lru_cache(maxsize=1 << 16)(_normalize)

REQUIRES = ("doc", "gazetteer")
ASSIGNS = ("event.locations",)
BACKEND = "gazetteer.v1"

MAX_WORDS = 6
PLACE_LABELS = {"GPE", "LOC", "FAC"}
# Entity labels whose tokens are never place names (NORP = demonyms such as "Israeli").
BLOCK_LABELS = {"NORP", "DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY",
                "LANGUAGE", "LAW"}
# Lower-case particles inside names ("Bab al-Hawa", "Dome of the Rock", "Rio de Janeiro").
CONNECTORS = {"al", "el", "ad", "an", "ar", "as", "ash", "at", "az", "ed", "es", "de", "del",
              "la", "le", "of", "the", "and", "on", "upon", "sur", "bin", "ibn", "da", "do",
              "dos", "das", "di", "van", "von", "der", "den", "-", "'", "’", "(", ")", "."}
POSSESSIVE = {"'s", "’s"}  # inside names: "Democratic People's Republic of Korea"
ARTICLES = {"al", "el", "ad", "an", "ar", "as", "ash", "at", "az", "ed", "es"}
ENGLISH_ARTICLE_WORDS = {"an", "as", "at", "ad", "ed"}
# Common nouns that some towns carry as alternate names (New Brunswick, NJ: "River").
GENERIC = {"river", "lake", "island", "islands", "bay", "sea", "gulf", "mount", "mountain",
           "hill", "hills", "creek", "falls", "springs", "forest", "valley", "north", "south",
           "east", "west", "city", "town", "village", "county", "state"}
# Words of a state's name ("Soviet Union", "Islamic Republic"): not an unlisted town.
STATE_WORDS = {"union", "republic", "kingdom", "empire", "federation", "emirate", "emirates",
               "caliphate", "confederation", "commonwealth"}
DIRECTIONS = {"northern", "southern", "eastern", "western", "central", "north", "south", "east",
              "west", "northeastern", "northwestern", "southeastern", "southwestern",
              "northeast", "northwest", "southeast", "southwest", "north-east", "north-west",
              "south-east", "south-west", "north-eastern", "north-western", "south-eastern",
              "south-western", "upper", "lower"}
# Words that turn a nationality into a region's adjective ("Latin American", "North American").
REGION_WORDS = DIRECTIONS | {"latin", "sub-saharan", "middle"}
MODIFIERS = {"occupied", "besieged", "annexed", "embattled", "war-torn", "restive", "neighbouring",
             "neighboring", "rebel-held", "government-held"}
# A following capitalised word of these kinds does not make the name part of a longer name
# ("Kyiv Mayor", "Gaza Health Ministry" is still caught by the ORG rule).
TITLE_OK = {"mayor", "governor", "police", "army", "airport", "port", "province", "governorate",
            "region", "district", "oblast", "state", "city", "camp", "crossing", "municipality",
            "residents", "resident", "prosecutor", "authorities", "officials", "sources"}
MONTHS_DAYS = {"january", "february", "march", "april", "may", "june", "july", "august",
               "september", "october", "november", "december", "monday", "tuesday",
               "wednesday", "thursday", "friday", "saturday", "sunday"}
# Prepositions that make a noun phrase a location of the clause ("in Beirut"), as opposed to
# an actor ("between Israel and Hamas", "against Israel", "Tel Aviv's acts").
LOC_PREPS = {"in", "at", "near", "outside", "inside", "across", "throughout", "around", "into",
             "within", "from", "to", "towards", "toward", "on", "off", "along", "through",
             "over", "onto", "beyond", "nearby", "via", "past", "by", "out"}
PLACE_NOUNS = {"city", "town", "village", "outskirts", "streets", "area", "areas", "province",
               "region", "capital", "centre", "center", "north", "south", "east", "west", "part",
               "parts", "camp", "border", "suburbs", "suburb", "heart", "district", "coast",
               "countryside", "neighbourhood", "neighborhood", "edge", "entrance", "vicinity"}
# Nouns that are events of their own: a place inside their phrase belongs to them, not to
# the verb of the clause ("condemned the airstrike in Damascus"), unless co-located (DURING).
EVENT_NOUNS = {"meeting", "talks", "summit", "conference", "visit", "attack", "attacks", "strike",
               "strikes", "airstrike", "airstrikes", "raid", "raids", "bombing", "protest",
               "protests", "rally", "demonstration", "clashes", "offensive", "operation",
               "funeral", "election", "elections", "ceasefire", "shooting", "explosion", "war",
               "battle", "invasion", "assault", "massacre", "arrest", "arrests", "incursion",
               "incursions", "siege", "shelling", "march", "sit-in", "strike"}
# Entity labels of names a well-known place can be part of ("the Washington Post").
EMBED_LABELS = {"ORG", "FAC", "EVENT", "WORK_OF_ART", "PRODUCT", "GPE", "LOC"}
CO_LOCATED = {"during", "at", "amid", "on"}  # "made the appeal during a meeting in Beirut"
READINGS = 1  # readings of each other name that nearness looks at (its likeliest)
ADMIN_VOTE = 2.0  # bonus for a town inside a first-level region the article names
COARSER = {"point": "city", "city": "district", "district": "region", "region": "region",
           "country": "country"}


@dataclass
class _Mention:
    start: int  # token indices, half-open
    end: int
    key: str
    cands: list[Entry]
    ner: Optional[str] = None
    direction: Optional[str] = None
    prefer: Optional[str] = None  # precision asked for by a feature word or direction
    hints: dict[str, float] = field(default_factory=dict)  # country -> local bonus
    admin_hints: dict[tuple[str, str], float] = field(default_factory=dict)  # (country, admin1)
    notes: list[str] = field(default_factory=list)
    container_of: Optional[int] = None
    best: Optional[Entry] = None
    score: float = 0.0
    within: Optional[Entry] = None


def _cap(tok) -> bool:
    return tok.text[:1].isupper()


def _name_ok(span) -> bool:
    """A span written like a proper name: capitalised words, lower-case only for particles."""
    words = [t for t in span if t.is_alpha or t.text not in CONNECTORS | POSSESSIVE]
    if not words or not _cap(span[-1]) and span[-1].text not in (")",):
        return False
    return all(_cap(t) or t.lower_ in CONNECTORS for t in words)


def _ent_map(doc) -> list[Optional[object]]:
    ents: list[Optional[object]] = [None] * len(doc)
    for ent in doc.ents:
        for i in range(ent.start, ent.end):
            ents[i] = ent
    return ents


def _raw_mentions(doc, gaz: Gazetteer, rejected: Optional[list] = None,
                  text: Optional[str] = None) -> list[_Mention]:
    """Longest gazetteer matches over name-like token sequences, filtered by NER context.

    Names rejected on context are appended to `rejected` as (start, end, key); `text` is
    doc.text when the caller has it."""
    ents = _ent_map(doc)
    found: list[_Mention] = []
    rejected = [] if rejected is None else rejected
    rejected_end = -1  # end of the last gazetteer name rejected as not a place
    # Token attributes read once (a spaCy Token is rebuilt on every doc[i]); `_name_ok_at`
    # and the text slices below give what `_name_ok(doc[i:j])` and `doc[i:j].text` give.
    texts, lowers, alpha, punct, starts = [], [], [], [], []
    for t in doc:
        texts.append(t.text)
        lowers.append(t.lower_)
        alpha.append(t.is_alpha)
        punct.append(t.is_punct)
        starts.append(t.idx)
    caps = [w[:1].isupper() for w in texts]
    fillers = CONNECTORS | POSSESSIVE
    doc_text = doc.text if text is None else text

    def _name_ok_at(i: int, j: int) -> bool:
        if not caps[j - 1] and texts[j - 1] != ")":
            return False
        words = [k for k in range(i, j) if alpha[k] or texts[k] not in fillers]
        return bool(words) and all(caps[k] or lowers[k] in CONNECTORS for k in words)

    i = 0
    n = len(doc)
    while i < n:
        # Names start capitalised or with an Arabic article ("al-Quds"), never with "the".
        # "as", "at", "an" are English words too: as articles they take a hyphen ("as-Suwayda").
        low = lowers[i]
        article = low in ARTICLES and (low not in ENGLISH_ARTICLE_WORDS or (
            i + 1 < n and texts[i + 1] == "-"))
        if not (caps[i] or article) or punct[i] or low == "the":
            i += 1
            continue
        hit = None
        for j in range(min(n, i + MAX_WORDS), i, -1):
            if not _name_ok_at(i, j):
                continue
            key = normalize(doc_text[starts[i]:starts[j - 1] + len(texts[j - 1])])
            if len(key) < 2 or not gaz.has_key(key):
                continue
            hit = (j, key)
            break
        if hit is None:
            i += 1
            continue
        j, key = hit
        if key in DIRECTIONS or key in ("centre", "center"):
            i += 1  # "South", "Western" alone are admin1 names somewhere, never a place in news
            continue
        # "Real Madrid": one longer name; but "HSBC Bank Malta" still names Malta
        fused = i == rejected_end and caps[i - 1] and not _country_in_org(
            i, gaz.lookup_key(key), ents)
        if not fused and _accept(doc, i, j, key, ents, gaz):
            ent = ents[i] if ents[i] is not None and ents[j - 1] is ents[i] else None
            found.append(_Mention(i, j, key, gaz.lookup_key(key),
                                  ner=ent.label_ if ent is not None else None))
            i = j
        else:
            rejected.append((i, j, key))
            rejected_end = j
            i += 1
    return found


def _same_name_again(doc, gaz: Gazetteer, mentions: list[_Mention], rejected: list) -> list:
    """One sense per article: a name the article uses as a place is that place wherever it
    recurs, though the NER tags it PERSON, ORG or NORP there or it opens an organisation's name
    ("Immokalee" beside "the Immokalee Chamber"). The repeat takes the first use's resolution
    and does not vote again. Pieces of a person's name, common nouns ("Hospital" is a town in
    Ireland) and the never-places (demonyms, months, actors) stay out."""
    ents = _ent_map(doc)
    first: dict[str, _Mention] = {}
    for m in mentions:
        if m.best is not None and m.container_of is None and m.key not in first:
            first[m.key] = m
    taken = {k for m in mentions for k in range(m.start, m.end)}
    out: list[_Mention] = []
    for i, j, key in rejected:
        orig = first.get(key)
        if orig is None or any(k in taken for k in range(i, j)):
            continue
        if (key in gaz.not_places or key in MONTHS_DAYS or key in gaz.demonyms or key in GENERIC
                or key in gaz.facility_last or key in gaz.facility_first):
            continue
        if not (orig.ner in PLACE_LABELS or _known(orig.cands)):
            continue  # the first use must itself be sure
        ent = ents[i]
        if ent is not None and ent.label_ == "PERSON" and (ent.start < i or ent.end > j):
            continue
        taken.update(range(i, j))
        again = _Mention(i, j, key, orig.cands, notes=[
            f"named as a place elsewhere in the article ('{doc[orig.start:orig.end].text}')"])
        again.best, again.score, again.within = orig.best, orig.score, orig.within
        out.append(again)
    return out


def _accept(doc, i: int, j: int, key: str, ents, gaz: Gazetteer) -> bool:
    """Reject demonyms, actor names, common words and pieces of longer person/org names."""
    if key in gaz.not_places or key in MONTHS_DAYS or key in gaz.demonyms:
        return False
    if (key in gaz.facility_last or key in gaz.facility_first or key in gaz.feature_words
            or key in GENERIC) and not any(normalize(c.name) == key for c in gaz.lookup_key(key)):
        return False  # "River North": a common noun that is only some town's alternate name
    span = doc[i:j]
    # "U.S.", "B.C." are words too, though not is_alpha.
    content = [t for t in span if any(ch.isalpha() for ch in t.text)
               and t.lower_ not in CONNECTORS]
    if not content:
        return False
    if len(content) == 1 and len(content[0]) <= 3 and not content[0].is_upper:
        return False  # "Us", "Of": short title-case words
    labels = {ents[k].label_ for k in range(i, j) if ents[k] is not None}
    cands = gaz.lookup_key(key)
    known = _known(cands)
    if _embedded_region(doc, i, j, cands, ents, labels):
        return True
    if labels & BLOCK_LABELS:
        # The small model tags some capitals NORP ("in Tunis"); demonyms were rejected above,
        # so a well-known place name right after a locative preposition is still a place.
        if not (labels == {"NORP"} and known and i > 0 and doc[i - 1].lower_ in LOC_PREPS):
            return False
    for k in range(i, j):
        ent = ents[k]
        if ent is None or ent.label_ in PLACE_LABELS:
            continue
        # Inside an ORG/PERSON/EVENT...: a place only if every other capitalised word is a place
        # too ("the Naqab (Negev" mislabelled ORG) and never a piece of "Saif al-Quds".
        others = [t for t in ent if t.i < i or t.i >= j]
        if ent.label_ == "PERSON" and others:
            return False
        # A well-known place inside an organisation's name ("the Washington Post", "University
        # of Michigan", "Government of Alberta") is still a mention of that place: toponym
        # corpora annotate it, and event linking skips it as part of an actor phrase.
        if not known and any(_cap(t) and t.is_alpha and t.lower_ not in ("the",)
                             and not gaz.has_key(normalize(t.text)) for t in others):
            return False
        after_prep = ent.start > 0 and doc[ent.start - 1].lower_ in LOC_PREPS
        if not others and not known and not after_prep:
            return False  # "on Sderot" tagged PERSON is still a place
    if all(ents[k] is None for k in range(i, j)):
        # No NER support: only proper nouns, not common words, and a name worth knowing.
        if any(t.pos_ != "PROPN" for t in content) and not known:
            return False
        if len(content) == 1 and (content[0].is_stop or doc.vocab[content[0].lower_].is_stop):
            return False
        if not known and not (i > 0 and doc[i - 1].lower_ in LOC_PREPS):
            return False
    left = doc[i - 1] if i > 0 else None
    if (left is not None and left.pos_ == "PROPN" and _cap(left) and not left.is_sent_start
            and left.lower_ not in DIRECTIONS and not gaz.has_key(normalize(left.text))
            and not _country_in_org(i, cands, ents)):
        return False  # "Operation al-Quds": part of a longer name
    right = doc[j] if j < len(doc) else None
    if (right is not None and right.pos_ == "PROPN" and _cap(right) and right.is_alpha
            and right.lower_ not in TITLE_OK and not gaz.has_key(normalize(right.text))
            and not (known and _in_org_name(doc, i, j, ents))):
        return False
    return True


def _country_in_org(i: int, cands: list[Entry], ents) -> bool:
    """A country named inside a company's name ("Air France", "HSBC Bank Malta plc", "Star
    India"): toponym corpora count it, and event linking skips it as part of an actor."""
    if not any(c.precision == "country" and not c.curated for c in cands):
        return False
    ent, left = ents[i], ents[i - 1]
    if ent is None:
        return left is None
    return ent is left and ent.label_ in EMBED_LABELS - PLACE_LABELS


def _in_org_name(doc, i: int, j: int, ents) -> bool:
    """The name opens or sits inside an ORG/FAC/... name ("Seattle Seahawks", "Cambridge
    Analytica"), or starts a run of capitalised words no entity claims."""
    ent = ents[j] if j < len(doc) else None
    if ent is not None:
        return ent.label_ in EMBED_LABELS and (ents[i] is None or ents[i] is ent)
    return ents[i] is None or ents[i].label_ in EMBED_LABELS


def _known(cands: list[Entry]) -> bool:
    """A name worth taking without NER support: a country, region, curated place or big city."""
    return any(e.curated or e.precision in ("country", "region") or e.kind == "admin2"
               or e.population >= 100_000 for e in cands)


def _embedded_region(doc, i: int, j: int, cands: list[Entry], ents, labels: set) -> bool:
    """A country or first-level region opening a longer name is still that place
    ("the Kentucky State Police", "U.S. Transportation Department", "Texas Senator X").

    Event linking skips such uses (they are compounds of an actor), but the article still
    mentions the place. Person names ("Georgia Smith") and pieces further inside a name
    ("Operation Sinai") are not taken.
    """
    if not any((c.precision in ("country", "region") or c.kind == "admin2") and not c.curated
               for c in cands):
        return False
    if labels & BLOCK_LABELS or "PERSON" in labels:
        return False
    ent = ents[i]
    if ent is not None and ent.start != i and not (
            ent.start == i - 1 and doc[i - 1].lower_ == "the"):
        return False
    left = doc[i - 1] if i > 0 else None
    if left is not None and _cap(left) and left.is_alpha and not left.is_sent_start:
        return False
    right = doc[j] if j < len(doc) else None
    return right is not None and _cap(right) and right.is_alpha


def _extend(doc, m: _Mention, gaz: Gazetteer) -> None:
    """Take in 'the occupied'/'northern' before and 'desert'/'province' after the name."""
    k = m.start
    while k > 0 and (doc[k - 1].lower_ in DIRECTIONS or doc[k - 1].lower_ in MODIFIERS):
        k -= 1
        if doc[k].lower_ in DIRECTIONS:
            m.direction = doc[k].lower_
            m.prefer = m.prefer or "region"
    m.start = k
    end = m.end
    if end < len(doc) and doc[end].text == ")" and any(t.text == "(" for t in doc[m.start:end]):
        end += 1
    if end < len(doc) and doc[end].lower_ in gaz.feature_words:
        word = doc[end].lower_
        longer = normalize(doc[m.start:end + 1].text)
        for key in (longer, normalize(f"{doc[m.end - 1].text} {word}")):
            if gaz.has_key(key):
                m.cands = gaz.lookup_key(key)
                break
        m.prefer = gaz.feature_words[word]
        m.end = end + 1
        m.notes.append(f"feature word '{word}'")


def _merge(doc, mentions: list[_Mention]) -> list[_Mention]:
    """'Naqab (Negev)', 'East Jerusalem al-Quds': one place written twice side by side."""
    out: list[_Mention] = []
    dropped_end = -1
    for m in mentions:
        if m.start == dropped_end:
            dropped_end = m.end  # a third word of the same unknown name
            continue
        if out:
            prev = out[-1]
            between = doc[prev.end:m.start]
            shared = [c for c in prev.cands if c in m.cands]
            bracket = len(between) == 1 and between[0].text in "()"
            # Side by side with nothing between: one place only when both names fit one entry
            # ("East Jerusalem al-Quds"), not "South Pacific" split into two lookups.
            if m.start - prev.end <= 1 and (bracket or (not between and shared)):
                prev.cands = shared or prev.cands
                prev.end = m.end
                prev.notes.append(f"also written '{doc[m.start:m.end].text}'")
                continue
            if not between and not shared and prev.direction is None:
                if _side_by_side(prev, m):
                    out.append(m)  # "Maiduguri Borno State", "Greece Italy": two places
                    continue
                if _known(prev.cands) and not _known(m.cands):
                    # "Washington Post": a well-known place opening a longer name is kept
                    dropped_end = m.end
                    continue
                # "Golden Globe", "Real Madrid": two gazetteer words make one longer name
                # that is not a place.
                out.pop()
                dropped_end = m.end
                continue
        out.append(m)
    return out


def _side_by_side(a: _Mention, b: _Mention) -> bool:
    """Two places written with the comma left out: a town then its region ("Maiduguri Borno
    State"), or two countries ("Greece Italy"). Not "Golden Globe" or "Real Madrid"."""
    if any(c.precision == "country" for c in a.cands) and any(
            c.precision == "country" for c in b.cands):
        return True
    return any(r.kind == "admin1" and r.country == t.country and r.admin1 == t.admin1
               and t.kind != "admin1" and t.population >= 15_000
               for r in b.cands for t in a.cands)


def _capital_phrases(doc, gaz: Gazetteer, mentions: list[_Mention]) -> list[_Mention]:
    """'the Lebanese capital' -> that country's capital; with ', Beirut' after it, one place."""
    taken = {i for m in mentions for i in range(m.start, m.end)}
    starts = {m.start: m for m in mentions}
    extra = []
    for tok in doc:
        if tok.lower_ != "capital" or tok.i == 0 or tok.i in taken:
            continue
        iso3 = gaz.demonym_country(doc[tok.i - 1].text)
        if iso3 is None or iso3 not in gaz.capitals:
            continue
        nxt = tok.i + 1
        if nxt < len(doc) and doc[nxt].text == ",":
            nxt += 1
        if nxt in starts:
            starts[nxt].hints[iso3] = starts[nxt].hints.get(iso3, 0) + 2.5
            starts[nxt].notes.append(f"'{doc[tok.i - 1].text} capital'")
            continue
        cap = gaz.capitals[iso3]
        extra.append(_Mention(tok.i - 1, tok.i + 1, normalize(cap.name), [cap],
                              notes=[f"capital of {iso3}"]))
    return sorted(mentions + extra, key=lambda m: m.start)


def _abbreviations(doc, gaz: Gazetteer, mentions: list[_Mention]) -> list[_Mention]:
    """'Barrie, Ont.', 'EDMONTON, Ky.', 'in B.C.': abbreviated first-level divisions.

    One-dot forms ("Ont.", "Mass.", "Ind.") are words too, so they count only right after
    "Town,"; forms with two or more dots ("B.C.", "N.Y.") count wherever they are written.
    """
    taken = {k for m in mentions for k in range(m.start, m.end)}
    starts = {m.start: m for m in mentions}
    ends = {m.end for m in mentions}
    extra, replaced = [], set()
    for tok in doc:
        if not _cap(tok):
            continue
        end, form = tok.i + 1, tok.text
        if end < len(doc) and doc[end].text == "." and f"{form}." in gaz.abbreviations:
            end, form = end + 1, f"{form}."
        entry = gaz.abbreviation(form)
        if entry is None:
            continue
        after_town = tok.i >= 2 and doc[tok.i - 1].text == "," and tok.i - 1 in ends
        if form.count(".") < 2 and not after_town:
            continue
        if tok.i in taken:
            # "Billings, Mont.": the state, not a town that has "Mont" as an alternate name
            own = starts.get(tok.i)
            if own is None or own.end > end or not after_town:
                continue
            replaced.add(id(own))
        extra.append(_Mention(tok.i, end, normalize(entry.name), [entry],
                              notes=[f"abbreviation '{form}'"]))
    kept = [m for m in mentions if id(m) not in replaced]
    return sorted(kept + extra, key=lambda m: m.start)


def _containers(doc, mentions: list[_Mention]) -> None:
    """'Rafah, Gaza' / 'Hyderabad, Sindh': the second name says where the first one is."""
    for k, (a, b) in enumerate(zip(mentions, mentions[1:])):
        between = doc[a.end:b.start]
        if len(between) != 1 or between[0].text != ",":
            continue
        if not any(c.precision in ("country", "region", "district") for c in b.cands):
            continue
        if not any(c.precision in ("city", "point", "district") for c in a.cands):
            continue
        # "in al-Quds, the West Bank and Gaza" is a list, not "Rafah, Gaza".
        if doc[b.start].lower_ == "the" or _listed(doc, b, mentions[k + 2:]):
            continue
        top = max(b.cands, key=lambda c: c.importance)
        for c in b.cands:
            w = 3.0 if c is top else 1.0
            a.hints[c.country] = max(a.hints.get(c.country, 0), w)
            if c.kind == "admin1":  # "Lexington, Massachusetts": the state, not just the country
                a.admin_hints[(c.country, c.admin1)] = max(
                    a.admin_hints.get((c.country, c.admin1), 0), w)
        a.notes.append(f"contained in '{doc[b.start:b.end].text}'")
        b.container_of = mentions.index(a)


def _listed(doc, b: _Mention, after: list[_Mention]) -> bool:
    if b.end < len(doc) and doc[b.end].lower_ in (",", "and", "or"):
        return bool(after) and after[0].start - b.end <= 2
    return False


def _km(a: Entry, b: Entry) -> float:
    return haversine_km(a.lat, a.lon, b.lat, b.lon)


def _prior(m: _Mention, c: Entry) -> float:
    s = c.importance
    if normalize(c.name) == m.key:
        s += 0.8  # "Hatay" the province, not Antakya that has it as an alternate name
    if m.prefer and c.precision == m.prefer:
        s += 1.5
    if m.direction and c.precision in ("city", "point"):
        s -= 1.0
    return s


def _score_mention(doc, idx: int, mentions: list[_Mention], first: list[Entry], regions: dict,
                   demonym_votes: Counter, readings: dict, near_cache: dict) -> list:
    """(score, candidate, reasons) for one mention's candidates, best first."""
    m = mentions[idx]
    votes = Counter({k: min(v, 2) * 0.75 for k, v in demonym_votes.items()})
    for jdx, other in enumerate(mentions):
        if jdx == idx or other.key == m.key:
            continue
        countries = {c.country for c in other.cands}
        w = 2.0 if first[jdx].precision == "country" else 1.5 if len(countries) == 1 else 0.75
        votes[first[jdx].country] += w
    scored = []
    for c in m.cands:
        why = []
        s = _prior(m, c)
        if c.country and votes.get(c.country):
            bonus = 0.8 * min(votes[c.country], 3.0)
            s += bonus
            why.append(f"article is about {c.country}")
        if m.hints.get(c.country):
            s += m.hints[c.country]
        if c.kind != "admin1" and c.admin1:
            if m.admin_hints.get((c.country, c.admin1)):
                s += m.admin_hints[(c.country, c.admin1)]
            elif regions.get((c.country, c.admin1)) not in (None, m):
                s += ADMIN_VOTE
                why.append(f"in {c.admin1}, named in the article")
        ck = (m.key, c.id)
        if ck not in near_cache:
            near = [(min(_km(c, r) for r in top), o) for key, (top, o) in readings.items()
                    if key != m.key and top]
            near_cache[ck] = min(near, key=lambda x: x[0]) if near else None
        if near_cache[ck] is not None:
            d, o = near_cache[ck]
            if d < 300:
                s += 1.0
                why.append(f"{d:.0f} km from '{doc[o.start:o.end].text}'")
            elif d < 1000:
                s += 0.5
        scored.append((s, c, why))
    scored.sort(key=lambda x: -x[0])
    return scored


def _resolve(doc, gaz: Gazetteer, mentions: list[_Mention]) -> None:
    """Score candidates by prior, the article's countries, containment and nearness; pick one."""
    demonym_votes: Counter = Counter()
    for ent in doc.ents:
        if ent.label_ == "NORP":
            iso3 = gaz.demonym_country(ent.text)
            if iso3:
                demonym_votes[iso3] += 1.0
    first = [max(m.cands, key=lambda c: _prior(m, c) + m.hints.get(c.country, 0))
             for m in mentions]
    # Nearness to each other name's likeliest reading(s); one list per distinct name, and
    # distances cached per (name, candidate): articles repeat names. (Looking at 2-3 readings
    # per name was measured on the dev splits: no better, slower.)
    readings: dict[str, tuple[list[Entry], _Mention]] = {}
    for k, other in enumerate(mentions):
        if other.key not in readings and first[k].precision != "country":
            ranked = sorted(other.cands,
                            key=lambda c: -(_prior(other, c) + other.hints.get(c.country, 0)))
            readings[other.key] = ([c for c in ranked[:READINGS] if c.precision != "country"],
                                   other)
    near_cache: dict[tuple[str, str], Optional[tuple[float, _Mention]]] = {}
    # Two passes: the second counts votes from the first pass's choices, so names that fit
    # together (two North London districts) pull each other over a bigger namesake abroad.
    for _ in range(2):
        # First-level regions the article names ("Kentucky"): its towns win over same-name
        # towns elsewhere ("Edmonton" in a Kentucky story), the admin analogue of country votes.
        regions = {(e.country, e.admin1): mentions[k] for k, e in enumerate(first)
                   if e.kind == "admin1"}
        results = [_score_mention(doc, idx, mentions, first, regions, demonym_votes, readings,
                                  near_cache) for idx in range(len(mentions))]
        first = [r[0][1] for r in results]
    for m, scored in zip(mentions, results):
        s, best, why = scored[0]
        total = sum(math.exp(x[0] - s) for x in scored)
        m.best, m.score = best, round(1.0 / total, 3)
        if best.population:
            why.insert(0, f"population {best.population:,}")
        if len(scored) > 1:
            why.append(f"{len(scored)} candidates")
        if m.direction:
            why.append(f"direction '{m.direction}'")
        m.notes = why + m.notes
        if best.within:
            inner = gaz.lookup(best.within)
            if inner:
                m.within = max(inner, key=lambda c: (c.country == best.country, c.importance))


def _place(doc, m: _Mention, text: Optional[str] = None) -> Place:
    """`text`: doc.text, passed by the caller (spaCy rebuilds doc.text from every token)."""
    e = m.best
    start, end = doc[m.start].idx, doc[m.end - 1].idx + len(doc[m.end - 1])
    name, gid, country, admin1 = e.name, e.geonames_id, e.country, e.admin1
    reason = f"{e.name} ({e.country or 'international'}, {e.kind})"
    if m.within is not None:
        name, gid = m.within.name, m.within.geonames_id
        country, admin1 = m.within.country, m.within.admin1 or admin1
        reason = f"{e.name}, within {m.within.name}"
    if m.container_of is not None:
        reason = "container: " + reason
    if m.notes:
        reason += "; " + "; ".join(m.notes)
    return Place(text=(doc.text if text is None else text)[start:end], name=name, country=country or None,
                 admin1=admin1 or None, lat=e.lat, lon=e.lon, geonames_id=gid,
                 precision=e.precision, start=start, end=end, score=m.score, reason=reason)


def find_places(doc, gazetteer: Gazetteer) -> list[Place]:
    """Every toponym in the article, resolved, in text order (containers of 'Rafah, Egypt' too)."""
    rejected: list[tuple[int, int, str]] = []
    text = doc.text  # spaCy rebuilds doc.text from every token on each access: once here
    mentions = _raw_mentions(doc, gazetteer, rejected, text)
    for m in mentions:
        _extend(doc, m, gazetteer)
    mentions = _merge(doc, mentions)
    mentions = _capital_phrases(doc, gazetteer, mentions)
    mentions = _abbreviations(doc, gazetteer, mentions)
    _containers(doc, mentions)
    places, again = [], []
    if mentions:
        _resolve(doc, gazetteer, mentions)
        again = _same_name_again(doc, gazetteer, mentions, rejected)
        places = [_place(doc, m, text) for m in mentions + again]
    taken = {k for m in mentions + again for k in range(m.start, m.end)}
    demonyms = _demonym_places(doc, gazetteer, taken)
    for p in demonyms:
        span = doc.char_span(p.start, p.end, alignment_mode="expand")
        if span is not None:
            taken.update(range(span.start, span.end))
    unlisted = _unlisted_places(doc, gazetteer, mentions, taken)
    return sorted(places + demonyms + unlisted, key=lambda p: p.start)


UNLISTED = "unlisted"  # reason prefix of places located by their containing place
LINKS_AFTER = {",", "in", "near", "at", "outside"}  # "Trump Tower in New York"


def _facility_span(doc, s: int, e: int, gaz: Gazetteer) -> bool:
    """'Trump Tower', 'River Avenue', 'University of Perpetual Help': a facility's name."""
    words = [t for t in doc[s:e] if t.text not in (".",)]
    if len(words) < 2:
        return False
    last, first = words[-1].lower_.rstrip("."), words[0].lower_
    if last in gaz.facility_last and (_cap(words[-1]) or last in ("st", "ave", "rd")):
        return any(_cap(t) or t.like_num or t.ent_type_ == "ORDINAL" for t in words[:-1])
    return first in gaz.facility_first and _cap(words[0]) and _cap(words[-1])


def _name_runs(doc, gaz: Gazetteer, taken: set[int]):
    """(start, end, label) of candidate names the gazetteer did not place: NER places (GPE,
    LOC, FAC), entities of any label that end in a facility word, and unlabelled runs of
    capitalised words that end in one ("Marjory Stoneman Douglas High School")."""
    seen: set[int] = set()
    for ent in doc.ents:
        s, e = ent.start, ent.end
        while s < e and doc[s].lower_ in ("the", "a", "an") or s < e and doc[s].like_num:
            s += 1
        if s >= e:
            continue
        if ent.label_ in PLACE_LABELS or (ent.label_ not in BLOCK_LABELS - {"ORDINAL", "DATE"}
                                          and _facility_span(doc, s, e, gaz)):
            seen.update(range(ent.start, ent.end))
            yield s, e, ent.label_
    for tok in doc:
        if tok.i in seen or tok.i in taken or not _cap(tok) \
                or tok.lower_.rstrip(".") not in gaz.facility_last:
            continue
        s = tok.i
        while s > 0 and s - 1 not in seen and s - 1 not in taken and (
                _cap(doc[s - 1]) and doc[s - 1].is_alpha and not doc[s - 1].is_sent_start
                or doc[s - 1].ent_type_ == "ORDINAL" and doc[s - 1].is_alpha):
            s -= 1
        if s < tok.i and _facility_span(doc, s, tok.i + 1, gaz):
            yield s, tok.i + 1, "FAC"


def _anchor_for(doc, s: int, e: int, mentions: list[_Mention], main) -> tuple:
    """The place a name lies in: 'X in Town' / 'X, Town' after it, 'Town's X' before it,
    else the article's main town. (mention or None, how)."""
    for m in mentions:
        if m.best is None:
            continue
        gap = [t.lower_ for t in doc[e:m.start]]
        if m.start >= e and len(gap) in (1, 2) and gap[0] in LINKS_AFTER \
                and all(w in LINKS_AFTER | {"the"} for w in gap):
            right = doc[m.end] if m.end < len(doc) else None
            if right is not None and _cap(right) and right.is_alpha:
                continue  # "Florida Atlantic University, California Polytechnic": a list
            return m, "its containing place"
        if m.end <= s and s - m.end == 1 and doc[m.end].text in POSSESSIVE:
            return m, "its containing place"
    return main, "the article's main place"


STREET_WORDS = {"street", "st", "avenue", "ave", "road", "rd", "boulevard", "blvd", "lane",
                "highway", "square"}


def _street(span) -> bool:
    return span[-1].lower_.rstrip(".") in STREET_WORDS


def _big_place(gaz: Gazetteer, word: str) -> bool:
    return any(e.precision in ("country", "region") for e in gaz.lookup(word))


def _main_town(doc, mentions: list[_Mention]) -> Optional[_Mention]:
    """The town a local story is about: its dateline ("SEOUL -", "CALAMBA CITY, Laguna"),
    else its most-mentioned town that the NER also tags as a place, provided that town lies
    in the article's most-mentioned country (a stray namesake abroad is no anchor)."""
    towns = [m for m in mentions if m.best is not None and m.container_of is None
             and m.best.precision in ("city", "district") and m.best.country]
    if not towns:
        return None
    first = towns[0]
    if first.start <= 3 and all(not t.is_alpha or _cap(t) for t in doc[:first.start]):
        return first  # a dateline
    countries = Counter(m.best.country for m in mentions if m.best is not None and m.best.country)
    top = countries.most_common(1)[0][0]
    towns = [m for m in towns if m.ner in PLACE_LABELS and m.best.country == top]
    if not towns:
        return None
    counts = Counter(m.best.id for m in towns)
    return max(towns, key=lambda m: (counts[m.best.id], -m.start))


def _local_story(mentions: list[_Mention], main: _Mention) -> bool:
    """Most of the article's towns lie within 161 km of its main town: a local story, whose
    streets and buildings are that town's. A national or travelling story ("from Las Vegas to
    the Princes Theatre") gives no such anchor."""
    towns = [m.best for m in mentions if m.best is not None and m.container_of is None
             and m.best.precision in ("city", "district", "point")]
    near = sum(_km(t, main.best) <= 161 for t in towns)
    return near * 2 >= len(towns)


def _unlisted_places(doc, gaz: Gazetteer, mentions: list[_Mention], taken: set[int]) -> list[Place]:
    """Streets, buildings, facilities and small places the gazetteer lacks ("Trump Tower",
    "Assiniboine Avenue", an unlisted village the NER tags GPE), reported at the coordinates
    of their containing place.

    The containing place is the one the text gives ("X in Town", "X, Town", "Town's X"), else
    the article's main town (dateline or most-mentioned) when the story is local: local news
    names the streets of its own town; national news names institutions anywhere. A name
    the gazetteer holds was rejected for a reason and stays rejected; an article that names
    no town gets no such places. Precision is `city`: the point is the town's, not the site's.
    """
    main = _main_town(doc, mentions)
    local = main is not None and _local_story(mentions, main)
    out = []
    for s, e, label in _name_runs(doc, gaz, taken):
        if any(k in taken for k in range(s, e)):
            continue
        span = doc[s:e]
        key = normalize(span.text)
        if len(key) < 3 or key in gaz.not_places or key in gaz.demonyms or gaz.has_key(key):
            continue
        facility = _facility_span(doc, s, e, gaz)
        content = [t for t in span if t.is_alpha and t.lower_ not in CONNECTORS]
        if not content or not all(_cap(t) for t in content):
            continue
        if not facility and len(content) == 1 and content[0].is_upper and len(content[0]) <= 3:
            continue  # "BC", "SC": abbreviations, not unlisted towns
        if not facility and any(_big_place(gaz, t.text) or gaz.demonym_country(t.text)
                                or t.lower_ in STATE_WORDS for t in content):
            continue  # "Nazi Germany", "Soviet Union": a known place's compound, not a town
        anchor, how = _anchor_for(doc, s, e, mentions, main if local else None)
        if anchor is None or not (anchor.within or anchor.best).country:
            continue
        if not facility and label != "GPE" and anchor is main:
            continue  # an unlisted region or island ("Fire Island") need not be near the town
        if anchor is main and facility and label not in PLACE_LABELS and not _street(span) \
                and main.best.kind == "capital":
            continue  # a capital's dateline heads national news ("WASHINGTON - ... a university")
        a = anchor.within or anchor.best
        kind = "facility" if facility else "place"
        taken.update(range(s, e))
        out.append(Place(text=span.text, name=span.text, country=a.country or None,
                         admin1=a.admin1 or None, lat=anchor.best.lat, lon=anchor.best.lon,
                         geonames_id=None, start=span.start_char,
                         precision="city" if a.precision in ("city", "point") else a.precision,
                         end=span.end_char, score=0.5,
                         reason=f"{UNLISTED} {kind} ({label}); located by {how} "
                                f"'{doc[anchor.start:anchor.end].text}' ({a.name})"))
    return out


def _demonym_places(doc, gaz: Gazetteer, taken: set[int]) -> list[Place]:
    """'Russian', 'Canadian' name a country without being a location of anything.

    Toponym corpora count them as country mentions, so they are reported, but with a reason
    starting "demonym:" that event linking and `main_place` skip (an actor's nationality is
    not where an event happened).
    """
    out = []
    skip = -1
    for tok in doc:
        if tok.i <= skip or tok.i in taken or not _cap(tok) or not tok.is_alpha:
            continue
        span = doc[tok.i:tok.i + 2]  # "South Korean" before "Korean"
        iso3 = gaz.demonym_country(span.text) if len(span) == 2 and _cap(span[1]) else None
        if iso3 is None:
            span = doc[tok.i:tok.i + 1]
            iso3 = gaz.demonym_country(tok.text)
            left = doc[tok.i - 1] if tok.i > 0 else None
            if iso3 and left is not None and _cap(left) and left.lower_ in REGION_WORDS:
                continue  # "Latin American", "Central American": a region, not the country
        if span.end < len(doc) and doc[span.end].lower_ == "capital":
            continue  # "the Lebanese capital, Beirut": part of a place phrase
        entry = gaz.country(iso3) if iso3 else None
        if entry is None and len(span) == 1:
            entry = gaz.region_demonym(tok.text)  # "European", "Asian": a continent
        if entry is None:
            continue
        skip = span.end - 1
        out.append(Place(text=span.text, name=entry.name, country=entry.country or None,
                         admin1=None, lat=entry.lat, lon=entry.lon, geonames_id=entry.geonames_id,
                         precision=entry.precision, start=span.start_char, end=span.end_char,
                         score=1.0, reason=f"demonym: '{span.text}' -> {entry.name}"))
    return out


def geocode_text(text: str, nlp, gazetteer: Gazetteer) -> list[Place]:
    """Parse `text` and return its places (for `eventcoder geocode` and evaluation)."""
    return find_places(nlp(text), gazetteer)


def main_place(places: Sequence[Place]) -> Optional[Place]:
    """The article's most-mentioned place (first on ties), one level coarser, for fallback use."""
    usable = [p for p in places if not (p.reason or "").startswith(("container", "demonym"))]
    if not usable:
        return None
    counts = Counter(p.name for p in usable)
    top = max(usable, key=lambda p: (counts[p.name], -usable.index(p)))
    return dataclasses.replace(
        top, precision=COARSER.get(top.precision, top.precision),
        reason=f"most-mentioned place in the article ({counts[top.name]}x); {top.reason}")


# ---- event linking -------------------------------------------------------------------------

def _root(doc, start: int, end: int):
    span = doc[start:end]
    return span.root


def _is_location_use(tok) -> bool:
    """'in Beirut' yes; 'Israel and Hamas' as subject/object, 'Tel Aviv's acts' no."""
    while tok.dep_ in ("compound", "amod", "nmod", "appos", "conj", "flat", "nummod") \
            and tok.head.i != tok.i:
        tok = tok.head
    if tok.dep_ == "pobj":
        prep = tok.head.lower_
        if prep in LOC_PREPS:
            return True
        return prep == "of" and tok.head.head.lower_ in PLACE_NOUNS
    return tok.dep_ not in ("nsubj", "nsubjpass", "dobj", "poss", "agent", "dative", "attr",
                            "pobj", "csubj")


def _subtree(tok) -> set[int]:
    return {t.i for t in tok.subtree}


def _path_to(tok, top) -> list:
    """Tokens from tok up to (excluding) top, or None when top does not dominate tok."""
    path = []
    while tok.i != top.i:  # spaCy makes a new Token object per access: compare indices
        if tok.head.i == tok.i:
            return None
        path.append(tok)
        tok = tok.head
    return path


def places_for_event(doc, draft: EventDraft, places: Sequence[Place],
                     others: Sequence[EventDraft] = ()) -> list[Place]:
    """Places of the trigger's clause, else of its sentence; never one tied to another event.

    `others` are the article's other drafts: a place under another event's trigger inside this
    clause ('condemned the airstrike in Damascus') is that event's, unless the two are
    co-located ('made the appeal during a meeting in Beirut'). Returns [] when none qualify.
    """
    sents = list(doc.sents)
    if not 0 <= draft.sentence_index < len(sents):
        return []
    sent = sents[draft.sentence_index]
    trig = _root(doc, *draft.trigger)
    top = trig
    if trig.pos_ in ("NOUN", "PROPN") and trig.dep_ in ("nsubj", "nsubjpass", "dobj") \
            and trig.head.pos_ in ("VERB", "AUX"):
        top = trig.head  # "An airstrike hit a house in Gaza": the place hangs on the verb
    other_roots = {_root(doc, *o.trigger).i for o in others
                   if o is not draft and o.trigger != draft.trigger}
    actor_tokens = {i for s, e in list(draft.source_spans) + list(draft.target_spans)
                    for i in range(s, e)}
    clause, rest = [], []
    for p in places:
        if p.start is None or not (sent.start_char <= p.start < sent.end_char):
            continue
        if (p.reason or "").startswith(("container", "demonym")):
            continue
        span = doc.char_span(p.start, p.end, alignment_mode="expand")
        if span is None:
            continue
        tok = span.root
        if tok.i in actor_tokens and not _is_location_use(tok):
            continue
        if not _is_location_use(tok):
            continue
        path = _path_to(tok, top)
        if path is None:
            if not _owned_by_other(tok, other_roots, trig):
                rest.append(p)
            continue
        if _blocked(path, other_roots, trig):
            continue
        clause.append(p)
    return clause or rest


def _owned_by_other(tok, other_roots: set[int], trig) -> bool:
    """True when some other event trigger (or event noun) dominates the place."""
    t = tok
    while t.head.i != t.i:
        t = t.head
        if t.i == trig.i:
            return False
        if t.i in other_roots or (t.pos_ == "NOUN" and t.lower_ in EVENT_NOUNS):
            return True
    return False


def _blocked(path: list, other_roots: set[int], trig) -> bool:
    """A place under another event inside our clause is that event's, unless co-located."""
    for k, t in enumerate(path):
        if t.i == trig.i:
            return False
        is_event = t.i in other_roots or (t.pos_ == "NOUN" and t.lower_ in EVENT_NOUNS
                                          and k > 0)
        if is_event:
            nxt = path[k + 1] if k + 1 < len(path) else None
            prep = t.head if t.dep_ == "pobj" else None
            if prep is not None and prep.lower_ in CO_LOCATED:
                continue
            if nxt is not None and nxt.dep_ == "prep" and nxt.lower_ in CO_LOCATED:
                continue
            return True
    return False
