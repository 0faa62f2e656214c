"""Loaders for event-coded gold (PLOVER GSR, PETRARCH-2 GSR, CAMEO codebook, UCDP GED, WikiEvents,
our gold articles) -> Iterator[EventItem]. Each takes the shared data folder and reads only its files."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import html
import json
import os
import re
from typing import Iterator, Optional

from .items import EventItem, GoldActor, GoldEvent, GoldPlace

# PLOVER GSR (0.5b1) names -> current PLOVER. FIGHT is CAMEO 19 and INVESTIGATE is CAMEO 09: both
# land in CAMEO2PLOVER-2021.txt as ASSAULT and ACCUSE (mode "investigate"); see docs/evaluation.md.
OLD_PLOVER = {"FIGHT": "ASSAULT", "DISAPPROVE": "ACCUSE", "DEMAND": "REQUEST", "INVESTIGATE": "ACCUSE"}

# Gold sector codes (CAMEO/PLOVER) -> our actor kinds. Only these are scored for kind; others are
# kept as None so they count for country only.
SECTOR_KIND = {"GOV": "government", "MIL": "state_forces", "COP": "state_forces", "REB": "rebel_group",
               "CVL": "civilians", "CIV": "civilians", "REF": "civilians", "PPL": "civilians",
               "OPP": "political_party", "PTY": "political_party", "JRN": "media", "MED": "media",
               "IGO": "international_organization"}

# KAIROS event types (WikiEvents) -> PLOVER. Life.Die/Injure are the consequence of an attack
# in these documents, so they count as ASSAULT evidence.
KAIROS_PLOVER = {"Conflict.Attack": "ASSAULT", "Life.Die": "ASSAULT", "Life.Injure": "ASSAULT",
                 "Justice.ArrestJailDetain": "COERCE", "Conflict.Demonstrate": "PROTEST",
                 "Contact.ThreatenCoerce": "THREATEN", "Contact.RequestCommand": "REQUEST",
                 "Contact.Contact.Meet": "CONSULT"}
KAIROS_SOURCE_ROLES = {"Attacker", "Killer", "Jailer", "Demonstrator", "Communicator"}
KAIROS_TARGET_ROLES = {"Victim", "Target", "Detainee"}

NUMBER_WORDS = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
                "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy "
                "eighty ninety hundred hundreds thousand thousands dozen dozens score scores").split()
_NUMBER_RE = re.compile(r"\b(\d+|" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)


def states_number(text: str) -> bool:
    """True when the text gives a count we could read: digits or an English number word.

    Dates also contain digits, so a bare year/day next to a month name does not count.
    """
    cleaned = re.sub(r"\b\d{1,2}\s+(January|February|March|April|May|June|July|August|September|"
                     r"October|November|December)\b|\b(1[89]|20)\d\d\b", " ", text, flags=re.IGNORECASE)
    return bool(_NUMBER_RE.search(cleaned))


_SMALL = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
          "sixteen seventeen eighteen nineteen twenty").split()


def states_figure(text: str, figure: Optional[int]) -> bool:
    """True when the text gives this very figure (digits or an English word).

    A GED event is one dyad at one place on one day; a headline's number is often an aggregate
    ("more than 200 killed across Syria yesterday") that no single GED row carries, so a count is
    scored only where the headline states the row's own `best`.
    """
    if figure is None or not states_number(text):
        return False
    forms = [str(figure), f"{figure:,}"] + ([_SMALL[figure]] if figure < len(_SMALL) else [])
    return any(re.search(rf"(?<![\w,.]){re.escape(f)}(?![\w,]|\.\d)", text, re.IGNORECASE) for f in forms)


def iso3(code: Optional[str]) -> Optional[str]:
    """ISO alpha-2 or alpha-3 -> alpha-3; other codes (IGO, ---) -> None."""
    if not code:
        return None
    code = code.strip().upper()
    import pycountry  # lazy: only the evaluator needs it here

    if len(code) == 2:
        country = pycountry.countries.get(alpha_2=code)
    elif len(code) == 3:
        country = pycountry.countries.get(alpha_3=code)
    else:
        country = None
    return country.alpha_3 if country else None


@functools.lru_cache(maxsize=256)
def country_iso3(name: str) -> Optional[str]:
    """Country name as UCDP/GeoNames write it -> ISO3, or None."""
    import pycountry

    name = re.sub(r"\s*\(.*?\)", "", name).strip()
    aliases = {"DR Congo": "COD", "Russia": "RUS", "Iran": "IRN", "Syria": "SYR", "Bolivia": "BOL",
               "Kingdom of eSwatini": "SWZ", "Ivory Coast": "CIV", "Laos": "LAO", "Venezuela": "VEN",
               "Tanzania": "TZA", "Vietnam": "VNM", "Moldova": "MDA", "Congo": "COG", "Turkey": "TUR",
               "Yemen": "YEM", "South Korea": "KOR", "North Korea": "PRK", "Palestine": "PSE",
               "Myanmar": "MMR", "Cambodia": "KHM", "Macedonia": "MKD"}
    if name in aliases:
        return aliases[name]
    try:
        return pycountry.countries.lookup(name).alpha_3
    except LookupError:
        return None


def _sector_kind(sector: Optional[str]) -> Optional[str]:
    return SECTOR_KIND.get((sector or "")[:3].upper()) if sector else None


def _actors(raw) -> tuple[GoldActor, ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(GoldActor(text=a.get("actorText"), country=iso3(a.get("code")),
                           kind=_sector_kind(a.get("sector")))
                 for a in raw if isinstance(a, dict))


def _int(value) -> Optional[int]:
    try:
        return int(str(value).replace(",", "").strip())
    except (TypeError, ValueError):
        return None


@functools.lru_cache(maxsize=4)
def cameo_to_plover(data_dir: str) -> dict[str, str]:
    """CAMEO code -> PLOVER type from CAMEO2PLOVER-2021.txt (the table ships with the PLOVER GSR)."""
    table: dict[str, str] = {}
    path = os.path.join(data_dir, "plover-gsr-cameo", "CAMEO2PLOVER-2021.txt")
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            m = re.match(r"^(\d{2,4}):\s*([A-Z]+)", line)
            if m and m.group(1) not in table:  # root 08 is listed twice (CONCEDE, RETREAT): keep the first
                table[m.group(1)] = m.group(2)
    return table


def plover_for_cameo(code: Optional[str], data_dir: str) -> Optional[str]:
    """Longest listed prefix wins; roots 01 (statement) and 02 (appeal) have no PLOVER event."""
    if not code:
        return None
    table = cameo_to_plover(data_dir)
    for n in range(len(code), 1, -1):
        if code[:n] in table:
            return table[code[:n]]
    return None


def load_plover_gsr(data_dir: str) -> Iterator[EventItem]:
    with open(os.path.join(data_dir, "plover-gsr-cameo", "PLOVER_GSR_CAMEO.txt"), encoding="utf-8") as fh:
        records = json.load(fh)
    for rec in records:
        if "text" not in rec or "event" not in rec:
            continue  # the DOCUMENT header
        loc = rec.get("eventLoc") if isinstance(rec.get("eventLoc"), dict) else None
        places = ((GoldPlace(name=loc.get("name"), country=iso3(loc.get("country code"))),) if loc else ())
        dead = _int(rec.get("dead"))
        event = GoldEvent(type=OLD_PLOVER.get(rec["event"], rec["event"]), sources=_actors(rec.get("source")),
                          targets=_actors(rec.get("target")), fatalities=dead,
                          fatalities_stated=dead is not None, injuries=_int(rec.get("injured")), places=places)
        yield EventItem(id=rec["id"], text=rec["text"], events=[event])


_SENTENCE_RE = re.compile(r"<Sentence\b([^>]*?)/?>(.*?)(?=<Sentence\b|</Sentences>)", re.S)
_ATTR_RE = re.compile(r'(\w+)="([^"]*)"')


def _petr_actor(code: Optional[str]) -> GoldActor:
    """CAMEO actor code USAGOV / IRQMUS / ---REB -> country + sector kind."""
    code = (code or "").strip()
    country = iso3(code[:3]) if code[:3].isalpha() else None
    return GoldActor(text=None, country=country, kind=_sector_kind(code[3:6]) if len(code) >= 6 else None)


def load_petrarch2_gsr(data_dir: str) -> Iterator[EventItem]:
    """The file nests children after self-closed <Sentence/> tags, so it is read block by block."""
    with open(os.path.join(data_dir, "petrarch2-gsr-validation", "PETR2_GSR_validation.xml"),
              encoding="utf-8") as fh:
        raw = fh.read()
    for m in _SENTENCE_RE.finditer(raw):
        attrs = dict(_ATTR_RE.findall(m.group(1)))
        body = m.group(2)
        text_m = re.search(r"<Text>(.*?)</Text>", body, re.S)
        if not text_m:
            continue
        text = " ".join(html.unescape(text_m.group(1)).split())
        events, no_events = [], False
        for coding in re.findall(r"<EventCoding\b([^>]*)/?>", body):
            c = dict(_ATTR_RE.findall(coding))
            if c.get("noevents", "").lower() == "true":
                no_events = True
                continue
            code = c.get("eventcode")
            events.append(GoldEvent(type=plover_for_cameo(code, data_dir), cameo_code=code,
                                    cameo_root=code[:2] if code else None,
                                    sources=(_petr_actor(c.get("sourcecode")),),
                                    targets=(_petr_actor(c.get("targetcode")),)))
        published = None
        if re.fullmatch(r"\d{8}", attrs.get("date", "")):
            published = dt.datetime.strptime(attrs["date"], "%Y%m%d").date()
        yield EventItem(id=attrs.get("id", str(m.start())), text=text, events=events, published=published,
                        no_events=no_events and not events)


def load_cameo_codebook(data_dir: str) -> Iterator[EventItem]:
    """One example sentence per CAMEO leaf code (Latin-1 CSV); rows without an example are skipped."""
    path = os.path.join(data_dir, "cameo-codebook-examples", "cameo-codes.csv")
    with open(path, encoding="latin-1", newline="") as fh:
        for row in csv.DictReader(fh):
            example = (row.get("example") or "").strip()
            code = (row.get("code") or "").strip()
            if not example or example == "NA" or not code:
                continue
            yield EventItem(id=f"cameo-{code}", text=example,
                            events=[GoldEvent(type=plover_for_cameo(code, data_dir), cameo_code=code,
                                              cameo_root=code[:2])])


def _ucdp_side(name: str, country: Optional[str], violence: str, side: str) -> GoldActor:
    m = re.match(r"Government of (.+)", name)
    if m:
        # UCDP's state side may be written as the army or the government: "state" accepts either.
        return GoldActor(text=name, country=country_iso3(m.group(1)) or country, kind="state")
    if name.strip().lower() == "civilians":
        return GoldActor(text=name, country=country, kind="civilians")
    kind = "rebel_group" if violence == "1" and side == "b" else None
    return GoldActor(text=name, country=country, kind=kind)


def load_ucdp(data_dir: str) -> Iterator[EventItem]:
    """Headline-level weak gold: every GED event is organised violence with at least one death (ASSAULT)."""
    with open(os.path.join(data_dir, "ucdp-ged-sample", "ucdpged.csv"), encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            headline = (row.get("source_headline") or "").strip()
            if not headline:
                continue
            country = country_iso3(row["country"]) if row.get("country") else None
            published = None
            first_date = (row.get("source_date") or "").split(";")[0].strip()
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", first_date):
                published = dt.date.fromisoformat(first_date)
            prec = {"1": "day", "2": "week", "3": "month", "4": "year", "5": "year"}.get(row.get("date_prec", ""))
            place = GoldPlace(name=row.get("where_coordinates"), country=country,
                              lat=float(row["latitude"]) if row.get("latitude") else None,
                              lon=float(row["longitude"]) if row.get("longitude") else None,
                              is_country=row.get("where_prec") == "6")
            event = GoldEvent(
                type="ASSAULT",
                sources=(_ucdp_side(row["side_a"], country, row["type_of_violence"], "a"),),
                targets=(_ucdp_side(row["side_b"], country, row["type_of_violence"], "b"),),
                fatalities=_int(row.get("best")),
                fatalities_stated=states_figure(headline, _int(row.get("best"))),
                date_start=dt.date.fromisoformat(row["date_start"]) if row.get("date_start") else None,
                date_end=dt.date.fromisoformat(row["date_end"]) if row.get("date_end") else None,
                date_precision=prec, places=(place,))
            yield EventItem(id=f"ucdp-{row['id']}", text=headline.replace(";", ". "),
                            events=[event], published=published)


def _kairos_plover(event_type: str) -> Optional[str]:
    for prefix, plover in KAIROS_PLOVER.items():
        if event_type.startswith(prefix):
            return plover
    return None


def load_wikievents(data_dir: str) -> Iterator[EventItem]:
    """Whole documents; only event types with a PLOVER equivalent become gold events."""
    for part in ("dev", "test"):
        with open(os.path.join(data_dir, "wikievents", f"{part}.jsonl"), encoding="utf-8") as fh:
            for line in fh:
                doc = json.loads(line)
                events = []
                for em in doc.get("event_mentions", []):
                    plover = _kairos_plover(em["event_type"])
                    if plover is None:
                        continue
                    args = em.get("arguments", [])
                    events.append(GoldEvent(
                        type=plover,
                        sources=tuple(GoldActor(text=a["text"]) for a in args if a["role"] in KAIROS_SOURCE_ROLES),
                        targets=tuple(GoldActor(text=a["text"]) for a in args if a["role"] in KAIROS_TARGET_ROLES),
                        places=tuple(GoldPlace(name=a["text"]) for a in args if a["role"] == "Place")))
                # `text` runs sentences together ("SyriaThe"); the sentence strings are joined instead.
                text = "\n".join(s[1] for s in doc.get("sentences", [])) or doc["text"]
                yield EventItem(id=f"{part}-{doc['doc_id']}", text=text, events=events)


def _gold_date(value: Optional[str]) -> tuple[Optional[dt.date], Optional[dt.date]]:
    from .scoring import timex_interval  # one parser for "2022-03-16", "2021-05", "1967"

    return timex_interval(value) if value else (None, None)


def load_gold_articles(data_dir: str) -> Iterator[EventItem]:
    """../shared/gold/*.json: `current` events (historical false), `background` (historical true)."""
    shared = os.path.dirname(os.path.abspath(data_dir))
    gold_dir = os.path.join(shared, "gold")
    for name in sorted(os.listdir(gold_dir)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(gold_dir, name), encoding="utf-8") as fh:
            gold = json.load(fh)
        with open(os.path.join(shared, gold["article"]), encoding="utf-8") as fh:
            text = fh.read().strip()
        published = dt.date.fromisoformat(gold["published"]) if gold.get("published") else None
        events = []
        for section, historical in (("current", False), ("background", True)):
            for g in gold.get(section, []):
                start, end = _gold_date(g.get("date"))
                fat = g.get("fatalities")
                events.append(GoldEvent(
                    type=g.get("plover"), cameo_root=g.get("cameo_root"),
                    sources=tuple(GoldActor(text=a) for a in g.get("source_actors", [])),
                    targets=tuple(GoldActor(text=a) for a in g.get("target_actors", [])),
                    fatalities=fat if isinstance(fat, int) else None, fatalities_stated=isinstance(fat, int),
                    date_start=start, date_end=end, date_precision=g.get("date_precision"),
                    places=tuple(GoldPlace(name=p.get("name"), country=iso3(p.get("country", "")[:3]),
                                           lat=p.get("lat"), lon=p.get("lon"))
                                 for p in g.get("locations", [])),
                    historical=historical, mode="occurred" if not historical else None))
        yield EventItem(id=name[:-5], text=text, events=events, published=published)
