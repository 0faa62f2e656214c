"""The first real article: ../shared/seeds/000_febf5524ea80b3c4.txt against its hand annotation.

The article and its gold live outside the project (CI has them at ../shared); skipped elsewhere.
"""

import datetime as dt
import json
import os

import pytest

SHARED = os.environ.get("EVENTCODER_SHARED", os.path.join(os.path.dirname(__file__), "..", "..", "shared"))
SEED = os.path.join(SHARED, "seeds", "000_febf5524ea80b3c4.txt")
GOLD = os.path.join(SHARED, "gold", "seed-article.json")

pytestmark = pytest.mark.skipif(not (os.path.exists(SEED) and os.path.exists(GOLD)),
                                reason="../shared seed article not present")


@pytest.fixture(scope="module")
def result():
    from eventcoder.api import extract_paths

    (res,) = list(extract_paths([SEED]))
    return res


@pytest.fixture(scope="module")
def gold():
    with open(GOLD, encoding="utf-8") as fh:
        return json.load(fh)


def matches_gold(event, g) -> bool:
    if event.type != g["plover"] or event.historical or event.mode != "occurred":
        return False
    if event.date is None or event.date.start.isoformat() != g["date"]:
        return False
    names = {a.name for a in event.source_actors + event.target_actors}
    places = {p.name for p in event.locations}
    gold_places = {loc["name"] for loc in g.get("locations", [])}
    return bool(names & set(g.get("source_actors", []) + g.get("target_actors", []))) or bool(places & gold_places)


def test_seed_header_is_read(result):
    assert "Islam Times" == result.article.source
    assert dt.date(2022, 3, 18) == result.article.published


def test_seed_finds_current_events(result, gold):
    found = [g["id"] for g in gold["current"] if any(matches_gold(e, g) for e in result.events)]
    assert len(found) >= 5, f"found {found} of {[g['id'] for g in gold['current']]}"


def test_seed_shootings_fully_coded(result):
    shootings = [e for e in result.events if e.type == "ASSAULT" and not e.historical and e.mode == "occurred"]
    assert shootings
    e = shootings[0]
    assert dt.date(2022, 3, 15) == e.date.start
    assert "day" == e.date.precision
    assert 3 == e.fatalities.count
    assert {"West Bank", "Negev"} <= {p.name for p in e.locations}
    assert "Israeli security forces" in {a.name for a in e.source_actors}


def test_seed_background_is_not_current(result, gold):
    published = dt.date(2022, 3, 18)
    for e in result.events:
        if e.date is not None and (published - e.date.end).days > 30:
            assert e.historical, f"{e.type} dated {e.date.start} is not flagged historical"
    assert not [e for e in result.events if e.fatalities and e.fatalities.count == 260 and not e.historical]


def test_seed_planned_storming_did_not_occur(result):
    occurred_storming = [e for e in result.events if e.mode == "occurred" and "storm" in e.evidence[0].trigger.lower()]
    assert [] == occurred_storming
