"""PLOVER -> CAMEO root and ACLED type lookups."""

import pytest

from eventcoder.model import PLOVER_TYPES
from eventcoder.taxonomy import acled, cameo_root


@pytest.mark.parametrize("expected,ptype,lemma", [
    ("19", "ASSAULT", "shoot"), ("18", "ASSAULT", "kidnap"), ("20", "ASSAULT", "massacre"),
    ("10", "REQUEST", "urge"), ("02", "REQUEST", "appeal"), ("09", "ACCUSE", "investigate"),
    ("11", "ACCUSE", "condemn"), ("04", "CONSULT", None), ("17", "COERCE", "arrest"),
])
def test_taxonomy_cameo_root(expected, ptype, lemma):
    assert cameo_root(ptype, lemma) == expected


def test_taxonomy_every_type_has_a_root():
    assert all(len(cameo_root(t)) == 2 for t in PLOVER_TYPES)


@pytest.mark.parametrize("expected,ptype,lemma,kind", [
    (("Explosions/Remote violence", "Air/drone strike"), "ASSAULT", "air strike", None),
    (("Explosions/Remote violence", "Air/drone strike"), "ASSAULT", "drone strike", None),
    (("Explosions/Remote violence", "Shelling/artillery/missile attack"), "ASSAULT", "shell", None),
    (("Explosions/Remote violence", "Remote explosive/landmine/IED"), "ASSAULT", "car bomb", None),
    (("Explosions/Remote violence", "Suicide bomb"), "ASSAULT", "suicide bombing", None),
    (("Battles", "Armed clash"), "ASSAULT", "clash", None),
    (("Battles", "Armed clash"), "ASSAULT", "shoot", "rebel_group"),
    (("Violence against civilians", "Attack"), "ASSAULT", "shoot", "civilians"),
    (("Protests", "Peaceful protest"), "PROTEST", "march", None),
    (("Riots", "Violent demonstration"), "PROTEST", "riot", None),
    (("Strategic developments", "Arrests"), "COERCE", "arrest", None),
    (("Strategic developments", "Agreement"), "AGREE", "sign", None),
])
def test_taxonomy_acled(expected, ptype, lemma, kind):
    got = acled(ptype, lemma, kind)
    assert (got["event_type"], got["sub_event_type"]) == expected


@pytest.mark.parametrize("ptype", ["CONSULT", "REQUEST", "ACCUSE", "SUPPORT", "REJECT"])
def test_taxonomy_acled_null_where_acled_does_not_code(ptype):
    assert acled(ptype, None) is None


def test_taxonomy_unknown_type_is_an_error():
    with pytest.raises(ValueError, match="unknown PLOVER type"):
        cameo_root("FIGHT")
