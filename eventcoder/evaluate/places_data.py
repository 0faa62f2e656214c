"""Loaders for toponym gold (TR-News, GeoWebNews, GeoVirus) -> ToponymItem, and for event-location
gold (Halterman 2019) -> LocationItem."""

from __future__ import annotations

import functools
import json
import os
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from typing import Iterator, Optional

from ..gazetteer import haversine_km
from .items import GoldToponym, LocationItem, ToponymItem


@dataclass(slots=True, frozen=True)
class CountryToponym(GoldToponym):
    """A gold toponym with the ISO3 country it lies in, for the "correct country" figure.

    None where the gold names no country (seas, continents, regions across borders).
    """

    country: Optional[str] = None


@functools.lru_cache(maxsize=1)
def _gazetteer():
    from ..gazetteer import Gazetteer

    return Gazetteer.load()


def gold_country(name: str, lat: Optional[float], lon: Optional[float], is_country: bool = False,
                 country_name: Optional[str] = None) -> Optional[str]:
    """ISO3 country of a gold toponym: the gold's own country field (TR-News), the country it
    names, else the country of the town nearest its coordinates (within 100 km).

    A gold name that the gazetteer knows as a region without a country (a sea, a continent,
    "Middle East") within 1,500 km of the gold point has no country: such regions are large and
    their points differ between sources, and a reverse lookup would pin them on whichever
    country their centre falls in.
    """
    gaz = _gazetteer()
    if country_name:
        iso = [e.country for e in gaz.lookup(country_name) if e.kind == "country"]
        if iso:
            return iso[0]
    cands = gaz.lookup(name) if name else []
    if is_country:
        iso = [e.country for e in cands if e.kind == "country"]
        if iso:
            return iso[0]
    if lat is None or lon is None:
        return None
    if any(not e.country and haversine_km(lat, lon, e.lat, e.lon) <= 1500 for e in cands):
        return None
    town = gaz.nearest(lat, lon, max_km=100.0)
    return town.country if town is not None else None


def _text(el: Optional[ET.Element], tag: str) -> Optional[str]:
    child = el.find(tag) if el is not None else None
    return child.text.strip() if child is not None and child.text and child.text.strip() else None


def _float(value: Optional[str]) -> Optional[float]:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _anchor(text: str, start: int, end: int, name: str) -> tuple[int, int]:
    """Offsets as given, or the nearest exact occurrence of the name within 300 characters
    (GeoVirus counts from 1; some TR-News offsets drift by a few words)."""
    if not name or text[start:end] == name:
        return start, end
    best = None
    at = text.find(name, max(0, start - 300), start + 300 + len(name))
    while at >= 0 and at <= start + 300:
        if best is None or abs(at - start) < abs(best - start):
            best = at
        at = text.find(name, at + 1, start + 300 + len(name))
    return (best, best + len(name)) if best is not None else (start, end)


@functools.lru_cache(maxsize=1)
def _country_names() -> frozenset[str]:
    import pycountry

    names = set()
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            if getattr(c, attr, None):
                names.add(getattr(c, attr).lower())
    names |= {"russia", "iran", "syria", "britain", "great britain", "uk", "us", "usa", "america",
              "united states", "south korea", "north korea", "vietnam", "laos", "bolivia", "venezuela",
              "tanzania", "taiwan", "palestine", "congo", "ivory coast", "czech republic", "turkey"}
    return frozenset(names)


def is_country_name(name: Optional[str]) -> bool:
    return bool(name) and name.strip().lower() in _country_names()


def load_tr_news(data_dir: str) -> Iterator[ToponymItem]:
    root = ET.parse(os.path.join(data_dir, "tr-news", "TR-News.xml")).getroot()
    for art in root.iter("article"):
        text = art.find("text").text or ""
        tops = []
        for tp in art.iter("toponym"):
            gaz = tp.find("gaztag")
            fcode = _text(gaz, "fcode") or ""
            start, end = int(_text(tp, "start")), int(_text(tp, "end"))
            name = _text(tp, "phrase") or ""
            start, end = _anchor(text, start, end, name)
            lat, lon, is_country = _float(_text(gaz, "lat")), _float(_text(gaz, "lon")), fcode.startswith("PCL")
            country = gold_country(_text(gaz, "name") or name, lat, lon, is_country, _text(gaz, "country"))
            tops.append(CountryToponym(start=start, end=end, name=name, lat=lat, lon=lon,
                                       is_country=is_country, country=country))
        yield ToponymItem(id=f"trnews-{art.get('docid')}", text=text, toponyms=tops)


# GeoWebNews types that name a place as such; Non_Toponym and the like are not places to find.
GWN_PLACE_TYPES = {"Literal", "Literal_Modifier", "Mixed", "Coercion", "Embedded_Literal",
                   "Metonymic", "Non_Lit_Expression", "Literal_Expression", "Embedded_Non_Lit",
                   "Non_Literal_Modifier", "Demonym"}


def load_geowebnews(data_dir: str) -> Iterator[ToponymItem]:
    """Only mentions with coordinates are kept: those are the ones a geocoder can be scored on."""
    root = ET.parse(os.path.join(data_dir, "geowebnews", "GWN.xml")).getroot()
    for art in root.iter("article"):
        text = art.find("text").text or ""
        tops = []
        for tp in art.iter("toponym"):
            lat, lon = _float(_text(tp, "latitude")), _float(_text(tp, "longitude"))
            if lat is None or lon is None or _text(tp, "type") not in GWN_PLACE_TYPES:
                continue
            name = _text(tp, "extractedName") or ""
            start, end = _anchor(text, int(_text(tp, "start")), int(_text(tp, "end")), name)
            norm = _text(tp, "normalisedName") or name
            is_country = is_country_name(norm)
            tops.append(CountryToponym(start=start, end=end, name=name, lat=lat, lon=lon, is_country=is_country,
                                       country=gold_country(norm, lat, lon, is_country)))
        yield ToponymItem(id=f"gwn-{art.get('file')}", text=text, toponyms=tops)


def load_geovirus(data_dir: str) -> Iterator[ToponymItem]:
    root = ET.parse(os.path.join(data_dir, "geovirus", "GeoVirus.xml")).getroot()
    for art in root.iter("article"):
        text = art.find("text").text or ""
        tops = []
        for loc in art.iter("location"):
            name = _text(loc, "name") or ""
            start, end = _anchor(text, int(_text(loc, "start")), int(_text(loc, "end")), name)
            page = (_text(loc, "page") or "").rsplit("/", 1)[-1].replace("_", " ")
            lat, lon = _float(_text(loc, "lat")), _float(_text(loc, "lon"))
            is_country = is_country_name(page) or is_country_name(name)
            tops.append(CountryToponym(start=start, end=end, name=name, lat=lat, lon=lon, is_country=is_country,
                                       country=gold_country(page or name, lat, lon, is_country)))
        yield ToponymItem(id=f"geovirus-{_text(art, 'source')}", text=text, toponyms=tops)


def _span_offsets(span: dict, tokens: list[dict]) -> tuple[int, int]:
    """Character offsets of a span; some spans have start == end, so fall back to token indices."""
    if span.get("end", 0) > span.get("start", 0):
        return span["start"], span["end"]
    by_id = {t["id"]: t for t in tokens}
    first, last = by_id.get(span["token_start"]), by_id.get(span["token_end"])
    if first and last:
        return first["start"], last["end"]
    return span.get("start", 0), span.get("end", 0)


def load_event_location(data_dir: str) -> Iterator[LocationItem]:
    """Adjudicated items (source RELABEL) first, then the rest, so a small --limit measures the best gold."""
    path = os.path.join(data_dir, "event-location-geolocating-political-events", "labeled_text.jsonl.zip")
    with zipfile.ZipFile(path) as zf:
        records = json.loads(zf.read("labeled_text.jsonl"))
    records.sort(key=lambda r: r.get("source") != "RELABEL")
    for rec in records:
        if rec.get("answer") not in (None, "accept"):
            continue
        spans, tokens = rec.get("spans", []), rec.get("tokens", [])
        verbs = [_span_offsets(s, tokens) for s in spans if s.get("label") == "VERB"]
        if len(verbs) != 1:
            continue  # 4 items have zero or two verbs: no single event to attribute
        locs = [_span_offsets(s, tokens) for s in spans if s.get("label") == "LOCATION"]
        yield LocationItem(id=str(rec.get("_id", rec.get("_input_hash"))), text=rec["text"], verb=verbs[0],
                           locations=locs, adjudicated=rec.get("source") == "RELABEL")
