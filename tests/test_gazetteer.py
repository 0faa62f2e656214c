"""The shipped gazetteer: normalisation, aliases, countries and curated entries."""

import time

import pytest

from eventcoder.gazetteer import Gazetteer, normalize


@pytest.fixture(scope="module")
def gaz():
    return Gazetteer.load()


@pytest.mark.parametrize("expected, text", [
    ("quds", "al-Quds"), ("quds", "Al Quds"), ("aqsa mosque", "the al-Aqsa Mosque"),
    ("sanaa", "Sana’a"), ("hamah", "Ḩamāh"), ("lodz", "Łódź"), ("khan younis", "Khan-Younis"),
])
def test_gazetteer_normalize(expected, text):
    assert normalize(text) == expected


@pytest.mark.parametrize("alias, name, country", [
    ("Kiev", "Kyiv", "UKR"), ("Kharkov", "Kharkiv", "UKR"), ("Rangoon", "Yangon", "MMR"),
    ("Yerushalayim", "Jerusalem", "ISR"), ("Naqab", "Negev", "ISR"), ("Donbass", "Donbas", "UKR"),
    ("Palestine", "Palestine", "PSE"), ("UK", "United Kingdom", "GBR"),
])
def test_gazetteer_alias_lookup(gaz, alias, name, country):
    assert any(e.name == name and e.country == country for e in gaz.lookup(alias))


def test_gazetteer_palestinian_places_are_pse_and_curated_has_precision(gaz):
    gaza = [e for e in gaz.lookup("Gaza City") if e.precision == "city"]
    assert gaza and all(e.country == "PSE" for e in gaza)
    assert gaz.lookup("West Bank")[0].precision == "region"
    curated = [e for e in gaz.by_id.values() if e.curated]
    assert len(curated) >= 60
    assert all(e.precision in ("point", "city", "district", "region", "country") for e in curated)


def test_gazetteer_demonyms_are_not_places(gaz):
    assert gaz.demonym_country("Lebanese") == "LBN"
    assert gaz.lookup("Israeli") == [] and gaz.lookup("Lebanese") == []


def test_gazetteer_load_and_lookup_are_fast():
    # CPU time, not wall time: the shared test machine may be busy with other work
    t = time.process_time()
    g = Gazetteer.load()
    assert time.process_time() - t < 2.0
    t = time.perf_counter()
    for _ in range(1000):
        g.lookup("Tripoli")
    assert (time.perf_counter() - t) / 1000 < 0.001


def test_gazetteer_admin1_entries_and_country_points(gaz):
    borno = [e for e in gaz.lookup("Borno") if e.kind == "admin1"]
    assert borno and borno[0].country == "NGA" and borno[0].precision == "region"
    # admin1 points are the centre of the region's towns' extent: inside Borno (about 10-14 N)
    assert 10 < borno[0].lat < 14 and 11.5 < borno[0].lon < 15
    russia = gaz.country("RUS")
    assert (round(russia.lat), round(russia.lon)) == (60, 100)  # countryinfo's point


def test_gazetteer_has_small_towns_from_cities500(gaz):
    # Judaydat Yabus (Syria, ~1,000 people) is only in GeoNames' cities500 table
    assert [e.country for e in gaz.lookup("Judaydat Yabus")] == ["SYR"]


def test_gazetteer_continents_come_from_geonames(gaz):
    europe = [e for e in gaz.lookup("Europe") if e.kind == "continent"]
    assert europe and europe[0].geonames_id == 6255148


def test_gazetteer_one_capital_per_country(gaz):
    # every US town named Washington is not the capital: only the biggest one is
    capitals = [e for e in gaz.lookup("Washington") if e.kind == "capital"]
    assert [(e.country, e.admin1) for e in capitals] == [("USA", "Washington, D.C.")]


def test_gazetteer_reverse_lookup(gaz):
    assert gaz.nearest(31.77, 35.21).name == "Jerusalem"
    assert gaz.nearest(-33.87, 151.21).country == "AUS"
    assert gaz.nearest(0.0, -140.0) is None  # mid-Pacific: no town within 100 km


def test_gazetteer_admin1_aliases_and_counties(gaz):
    assert [e.name for e in gaz.lookup("Zhejiang") if e.kind == "admin1"] == ["Zhejiang Sheng"]
    assert any(e.kind == "admin1" and e.country == "DEU" for e in gaz.lookup("Rhineland-Palatinate"))
    orange = {e.admin1 for e in gaz.lookup("Orange County") if e.kind == "admin2"}
    assert {"California", "Florida"} <= orange
    assert gaz.lookup("Orange") and not any(e.kind == "admin2" for e in gaz.lookup("Orange"))


def test_gazetteer_abbreviations_and_region_demonyms(gaz):
    assert gaz.abbreviation("Ont.").name == "Ontario"
    assert gaz.abbreviation("Ont") is None and gaz.lookup("Ont.") == []
    assert gaz.region_demonym("European").name == "Europe"
    assert gaz.region_demonym("Lebanese") is None


@pytest.mark.parametrize("alias, name, kind", [
    ("Majorca", "Mallorca", "curated:island"), ("O'ahu", "Oahu", "curated:island"),
    ("Rockies", "Rocky Mountains", "curated:mountain"), ("Euphrates River", "Euphrates", "curated:river"),
    ("Northamptonshire", "Northamptonshire", "curated:county"),
    ("Schiphol", "Amsterdam Airport Schiphol", "curated:airport"),
])
def test_gazetteer_islands_features_counties_airports(gaz, alias, name, kind):
    assert any(e.name == name and e.kind == kind for e in gaz.lookup(alias))


def test_gazetteer_facility_words(gaz):
    assert {"avenue", "stadium", "hospital", "university"} <= gaz.facility_last
    assert "university" in gaz.facility_first
    assert not gaz.facility_last & {"city", "town", "village"}  # towns are looked up, not anchored
