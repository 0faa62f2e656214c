"""`eventcoder gazetteer build` on a small GeoNames-format dump written here: build, load, look up, resolve."""

import zipfile

import pytest
from click.testing import CliRunner

from eventcoder.cli import cli
from eventcoder.errors import ConfigError, InputError
from eventcoder.gazetteer import ENV_VAR, Gazetteer
from eventcoder.gazetteer_build import build_from_geonames
from eventcoder.geocode import find_places


def _row(gid, name, alts, lat, lon, fclass, fcode, cc, a1, a2, pop):
    """One line of a GeoNames 'geoname' table (19 columns)."""
    ascii_name = name.replace("ū", "u")
    return "\t".join([str(gid), name, ascii_name, alts, str(lat), str(lon), fclass, fcode, cc, "",
                      a1, a2, "", "", str(pop), "", "100", "Europe/Kyiv", "2024-01-01"])


DUMP = [
    _row(706483, "Kharkiv", "Kharkov,Charkiw,Kharkiw", 49.98, 36.25, "P", "PPLA", "UA", "07", "", 1430885),
    _row(687700, "Zolochiv", "Zolochev,Solotschiw", 50.28, 35.98, "P", "PPLA3", "UA", "07", "", 8000),
    _row(9999901, "Tiny Hamlet", "", 50.1, 36.1, "P", "PPL", "UA", "07", "", 120),
    _row(706482, "Kharkivs'ka Oblast'", "Kharkiv Oblast,Kharkov Oblast", 49.5, 36.5, "A", "ADM1",
         "UA", "07", "", 2700000),
    _row(4299276, "Metcalfe County", "", 36.99, -85.63, "A", "ADM2", "US", "KY", "169", 10000),
    _row(4288809, "Edmonton", "", 36.98, -85.61, "P", "PPLA2", "US", "KY", "169", 1595),
    _row(285066, "Bayt Ummar", "", 31.62, 35.10, "P", "PPL", "PS", "WE", "", 9000),
]
ADMIN1 = ["UA.07\tKharkiv Oblast\tKharkiv Oblast\t706482", "US.KY\tKentucky\tKentucky\t6254925"]
# alternateNames: id, geonameid, language, name, preferred, short, colloquial, historic
ALTNAMES = ["1\t285066\ten\tBeit Ummar\t1\t\t\t", "2\t285066\tar\tBeit Omar Town\t\t\t\t",
            "3\t706483\ten\tKharkov City\t\t\t1\t"]


@pytest.fixture(scope="module")
def dump_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("geonames")
    with zipfile.ZipFile(d / "cities_test.zip", "w") as zf:
        zf.writestr("readme.txt", "GeoNames test extract\n")
        zf.writestr("cities_test.txt", "\n".join(DUMP) + "\n")
    (d / "admin1CodesASCII.txt").write_text("\n".join(ADMIN1) + "\n", encoding="utf-8")
    with zipfile.ZipFile(d / "alternateNamesV2.zip", "w") as zf:
        zf.writestr("alternateNamesV2.txt", "\n".join(ALTNAMES) + "\n")
    return d


@pytest.fixture(scope="module")
def built(dump_dir):
    out = dump_dir / "gazetteer.tsv.gz"
    result = CliRunner().invoke(cli, [
        "gazetteer", "build", "--geonames", str(dump_dir / "cities_test.zip"), "--output", str(out),
        "--admin1-codes", str(dump_dir / "admin1CodesASCII.txt"),
        "--alternate-names", str(dump_dir / "alternateNamesV2.zip")])
    assert result.exit_code == 0, result.output
    assert "EVENTCODER_GAZETTEER=" in result.output
    return Gazetteer.load(out)


def test_build_keeps_towns_above_min_population_and_seats(built):
    kharkiv = built.lookup("Kharkiv")
    assert [(e.country, e.admin1, e.geonames_id) for e in kharkiv if e.kind == "city"] == [
        ("UKR", "Kharkiv Oblast", 706483)]
    assert built.lookup("Tiny Hamlet") == []  # 120 people, not a seat
    assert [e.country for e in built.lookup("Edmonton")] == ["USA"]  # admin seat, 1,595 people


def test_build_aliases_from_dump_and_alternate_names(built):
    # big towns keep the dump's exonyms, small ones only the alternateNames file's English ones
    assert [e.name for e in built.lookup("Kharkov") if e.kind == "city"] == ["Kharkiv"]
    assert built.lookup("Zolochev") == []
    assert [e.name for e in built.lookup("Beit Ummar")] == ["Bayt Ummar"]
    assert built.lookup("Beit Omar Town") == []  # Arabic-language row: not taken
    assert built.lookup("Kharkov City") == []  # colloquial: not taken


def test_build_divisions_and_merged_base_entries(built):
    region = [e for e in built.lookup("Kharkiv Oblast") if e.kind == "admin1"]
    assert region and region[0].precision == "region" and region[0].lat == pytest.approx(49.5)
    county = built.lookup("Metcalfe County")
    assert [(e.kind, e.precision, e.admin1) for e in county] == [("admin2", "district", "Kentucky")]
    # countries, continents and curated places come from the shipped gazetteer
    assert built.country("UKR").name == "Ukraine"
    assert any(e.name == "West Bank" for e in built.lookup("the occupied West Bank"))
    assert any(e.name == "Negev" for e in built.lookup("Naqab"))
    # first-level divisions the dump lacks keep the shipped rows
    assert any(e.kind == "admin1" and e.country == "NGA" for e in built.lookup("Borno"))


def test_built_gazetteer_resolves_text(built, nlp):
    doc = nlp("Deputies from Metcalfe County responded after shelling hit Kharkov overnight.")
    got = {p.text: (p.name, p.country, p.precision) for p in find_places(doc, built)}
    assert got["Metcalfe County"] == ("Metcalfe County", "USA", "district")
    assert got["Kharkov"] == ("Kharkiv", "UKR", "city")


def test_environment_variable_selects_the_gazetteer(built, dump_dir, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(dump_dir / "gazetteer.tsv.gz"))
    assert len(Gazetteer.load()) == len(built)
    monkeypatch.setenv(ENV_VAR, str(dump_dir / "missing.tsv.gz"))
    with pytest.raises(ConfigError):
        Gazetteer.load()


def test_build_rejects_a_file_that_is_not_geonames(tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("just some notes\nnot tab separated\n", encoding="utf-8")
    with pytest.raises(InputError):
        build_from_geonames(bad)
