"""Build a gazetteer.tsv.gz from a GeoNames dump (allCountries, cities500, ...): `eventcoder gazetteer build`.

The shipped gazetteer is built from PyPI data (scripts/build_gazetteer.py). Users who have the
full GeoNames dump get more towns, first- and second-level divisions with their own points and
more alternate names; this module writes the same file format from that dump. Countries,
continents and the curated places (regions, camps, crossings, landmarks) come from a base
gazetteer (the shipped one by default): their names and points follow the conventions the
resolver and the toponym corpora share, which a raw dump does not carry.

Point eventcoder at the result with `EVENTCODER_GAZETTEER=/path/to/gazetteer.tsv.gz`.
"""

from __future__ import annotations

import collections
import gzip
import io
import math
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterable, Iterator, Optional, Union

from .errors import InputError
from .gazetteer import COLUMNS, normalize, packaged_path

PathLike = Union[str, Path]

# Alternate names are kept for places at least this big; smaller towns keep name + ASCII form only,
# which keeps the file and the lookup dict small without losing the exonyms that news uses.
ALT_NAMES_MIN_POP = 15000
# GeoNames feature codes kept as towns whatever their population: capitals and admin seats.
SEATS = {"PPLC", "PPLA", "PPLG"}
# Kinds of the base gazetteer kept as they are (cities and divisions come from the dump).
BASE_KINDS = ("country", "continent", "curated")
# Codes GeoNames uses that ISO 3166 (pycountry) lacks.
EXTRA_ISO3 = {"XK": "XKX", "AN": "ANT", "CS": "SCG"}
ALTNAME_LANGS = {"", "en"}


def latin(name: str) -> bool:
    key = normalize(name)
    return bool(key) and all(c.isascii() for c in key) and any(c.isalpha() for c in key)


def good_alias(alt: str) -> bool:
    """Alternate names worth a key: Latin script, not a lower-case transliteration or a code."""
    if len(alt) < 3 or not latin(alt):
        return False
    if alt == alt.lower():  # 'alqds', 'jerusalem' romanisations, not how news writes names
        return False
    if alt.isupper() and len(alt) <= 4:  # airport / IATA codes
        return False
    return True


def write(rows: Iterable[dict], out: PathLike) -> None:
    """Write rows (dicts keyed by COLUMNS, `aliases` a list) as gazetteer.tsv.gz, keys computed.

    mtime=0 and rows sorted by id: the same inputs give a byte-identical file.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(("\t".join(COLUMNS) + "\n").encode())
        for r in sorted(rows, key=lambda r: r["id"]):
            vals = []
            for col in COLUMNS:
                v = r.get(col, "")
                if col == "aliases":
                    v = "|".join(v)
                elif col == "keys":
                    keys = {normalize(r["name"])} | {normalize(a) for a in r["aliases"]}
                    v = "|".join(sorted(k for k in keys if k))
                vals.append(str(v).replace("\t", " ").replace("\n", " "))
            gz.write(("\t".join(vals) + "\n").encode())


@contextmanager
def _open_text(path: PathLike, prefer: str = "") -> Iterator[IO[str]]:
    """A GeoNames file as text: plain .txt, .gz, or the data member of a GeoNames .zip."""
    path = Path(path)
    if not path.is_file():
        raise InputError(str(path), "no such file")
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            members = [n for n in zf.namelist() if n.endswith(".txt")
                       and not n.lower().startswith(("readme", "iso-languagecodes"))]
            if prefer:
                members = [n for n in members if n.startswith(prefer)] or members
            if not members:
                raise InputError(str(path), "no GeoNames .txt file inside the zip")
            with zf.open(members[0]) as raw:
                yield io.TextIOWrapper(raw, encoding="utf-8")
        return
    if path.suffix == ".gz":
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            yield fh
        return
    with open(path, encoding="utf-8") as fh:
        yield fh


def read_geonames(path: PathLike) -> Iterator[list[str]]:
    """Rows of a GeoNames 'geoname' table (19 tab-separated columns); comments and short lines skipped."""
    with _open_text(path) as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            row = line.rstrip("\n").split("\t")
            if len(row) >= 15:
                yield row


def _read_admin_codes(path: PathLike) -> dict[tuple[str, str], str]:
    """admin1CodesASCII.txt: 'US.KY<TAB>Kentucky<TAB>Kentucky<TAB>6254925' -> {('US', 'KY'): name}."""
    out = {}
    with _open_text(path) as fh:
        for line in fh:
            row = line.rstrip("\n").split("\t")
            if len(row) >= 2 and "." in row[0]:
                cc, code = row[0].split(".", 1)
                out[(cc, code)] = row[1]
    return out


def _read_alternate_names(path: PathLike, wanted: set[int]) -> dict[int, set[str]]:
    """alternateNames(V2): English and language-less names of the kept places, no colloquial ones."""
    out: dict[int, set[str]] = collections.defaultdict(set)
    with _open_text(path, prefer="alternateNames") as fh:
        for line in fh:
            row = line.rstrip("\n").split("\t")
            if len(row) < 4 or not row[1].isdigit():
                continue
            gid = int(row[1])
            if gid not in wanted or row[2] not in ALTNAME_LANGS:
                continue
            if len(row) > 6 and row[6] == "1":  # isColloquial
                continue
            if good_alias(row[3]):
                out[gid].add(row[3])
    return out


def _iso3_table() -> dict[str, str]:
    import pycountry

    table = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
    table.update(EXTRA_ISO3)
    return table


def _base_rows(base: PathLike) -> list[dict]:
    """Rows of an existing gazetteer file as dicts (aliases as a list, keys dropped)."""
    rows = []
    with open(base, "rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
        header = fh.readline().rstrip("\n").split("\t")
        if tuple(header) != COLUMNS:
            raise InputError(str(base), f"not a gazetteer.tsv.gz (columns {header[:3]}...)")
        for line in fh:
            vals = line.rstrip("\n").split("\t")
            r = dict(zip(COLUMNS, vals))
            r["aliases"] = r["aliases"].split("|") if r["aliases"] else []
            r.pop("keys", None)
            rows.append(r)
    return rows


def _importance(pop: int, bonus: float = 0.0) -> float:
    return round(math.log10(max(pop, 10)) + bonus, 3)


def build_from_geonames(geonames: PathLike, *, admin1_codes: Optional[PathLike] = None,
                        alternate_names: Optional[PathLike] = None, min_population: int = 500,
                        alt_names_min_population: int = ALT_NAMES_MIN_POP,
                        base: Optional[PathLike] = None) -> list[dict]:
    """Gazetteer rows from a GeoNames dump plus the base gazetteer's countries and curated places.

    Kept from the dump: populated places (class P) with at least `min_population` people or
    that are capitals/admin seats, first-level divisions (ADM1, precision region) and
    second-level divisions (ADM2, precision district: counties, districts). Towns below
    `alt_names_min_population` keep their name and ASCII form only (news rarely uses the
    exonyms of villages; they would double the file). Admin1 names come from `admin1_codes`
    (admin1CodesASCII.txt), else the dump's ADM1 rows, else the base gazetteer.
    """
    iso3 = _iso3_table()
    base_rows = _base_rows(base or packaged_path())
    base_admin1 = {r["id"].split(":", 1)[1]: r for r in base_rows if r["kind"] == "admin1"}
    admin_names = {tuple(k.split(".", 1)): r["name"] for k, r in base_admin1.items()}
    towns: list[dict] = []
    divisions: dict[str, dict] = {}  # "CC.CODE" (ADM1) or "CC.CODE.CODE2" (ADM2) -> row
    admin_pop: collections.Counter = collections.Counter()
    admin_pts: dict[tuple[str, str], list[tuple[float, float]]] = collections.defaultdict(list)
    n_read = 0
    for row in read_geonames(geonames):
        n_read += 1
        gid, name, ascii_name, alts, lat, lon, fclass, fcode, cc = row[:9]
        a1, a2 = row[10], row[11]
        if cc not in iso3 or not name:
            continue
        try:
            pop = int(row[14] or 0)
            point = (float(lat), float(lon))
        except ValueError:
            continue
        aliases = {ascii_name} if ascii_name and ascii_name != name else set()
        if fclass == "P":
            admin_pop[(cc, a1)] += pop
            admin_pts[(cc, a1)].append(point)
            if pop < min_population and fcode not in SEATS:
                continue
            if pop >= alt_names_min_population:
                aliases |= {a for a in alts.split(",") if good_alias(a)}
            capital = fcode == "PPLC"
            towns.append({"id": f"gn:{gid}", "name": name, "aliases": aliases, "country": iso3[cc],
                          "admin1": (cc, a1), "lat": point[0], "lon": point[1],
                          "geonames_id": int(gid), "population": pop, "precision": "city",
                          "kind": "capital" if capital else "city",
                          "importance": _importance(pop, 1.0 if capital else 0.0)})
        elif fclass == "A" and fcode in ("ADM1", "ADM2") and a1:
            aliases |= {a for a in alts.split(",") if good_alias(a)}
            key = f"{cc}.{a1}" if fcode == "ADM1" else f"{cc}.{a1}.{a2}"
            if fcode == "ADM2" and not a2:
                continue
            if fcode == "ADM1":
                admin_names[(cc, a1)] = name
            divisions[key] = {"id": f"admin{1 if fcode == 'ADM1' else 2}:{key}", "name": name,
                              "aliases": aliases, "country": iso3[cc], "admin1": (cc, a1),
                              "lat": point[0], "lon": point[1], "geonames_id": int(gid),
                              "population": pop,
                              "precision": "region" if fcode == "ADM1" else "district",
                              "kind": "admin1" if fcode == "ADM1" else "admin2",
                              "importance": None}
    if not n_read:
        raise InputError(str(geonames), "no GeoNames rows (19 tab-separated columns) found")
    if admin1_codes:
        admin_names.update(_read_admin_codes(admin1_codes))

    # First-level divisions the dump lacks (cities500 has none) keep the base gazetteer's row.
    for key, r in base_admin1.items():
        if key not in divisions:
            cc, code = key.split(".", 1)
            r = dict(r, name=admin_names.get((cc, code), r["name"]), admin1=(cc, code))
            if (cc, code) in admin_pts:
                lats = [p[0] for p in admin_pts[(cc, code)]]
                lons = [p[1] for p in admin_pts[(cc, code)]]
                r["lat"] = round((min(lats) + max(lats)) / 2, 4)
                r["lon"] = round((min(lons) + max(lons)) / 2, 4)
            divisions[key] = r
    for key, r in divisions.items():
        if r["importance"] is None:  # a division from the dump; base rows keep theirs
            pop = r["population"] or (admin_pop.get(r["admin1"], 0) if r["kind"] == "admin1" else 0)
            r["population"] = pop
            r["importance"] = _importance(pop, -1.0 if r["kind"] == "admin1" else -1.5)

    rows = towns + list(divisions.values())
    if alternate_names:
        extra = _read_alternate_names(alternate_names, {r["geonames_id"] for r in rows
                                                        if isinstance(r["geonames_id"], int)})
        for r in rows:
            r["aliases"] = set(r["aliases"]) | extra.get(r["geonames_id"], set())
    for r in rows:
        if isinstance(r["admin1"], tuple):
            r["admin1"] = admin_names.get(r["admin1"], "")
        if r["kind"] == "admin1":
            r["admin1"] = r["name"]
        r["aliases"] = sorted(a for a in set(r["aliases"]) - {r["name"]} if "|" not in a)
    rows += [r for r in base_rows if r["kind"].startswith(BASE_KINDS)]
    return rows


def build_gazetteer(geonames: PathLike, output: PathLike, **options) -> int:
    """Build and write a gazetteer from a GeoNames dump; returns the number of entries."""
    rows = build_from_geonames(geonames, **options)
    write(rows, output)
    return len(rows)
