"""End-to-end: every fixture text in tests/texts/events.yaml through the whole pipeline."""

import datetime as dt
import os

import pytest
import yaml

from conftest import TEXTS

with open(os.path.join(TEXTS, "events.yaml"), encoding="utf-8") as fh:
    CASES = yaml.safe_load(fh)


@pytest.fixture(scope="module")
def extractor():
    from eventcoder.api import get_extractor

    return get_extractor()


def run(extractor, case):
    from eventcoder.ingest import read_text

    published = case.get("published", dt.date(2022, 3, 18))
    article = read_text(case["text"], published=published, source="Fixture Wire")
    return extractor.extract(article).events


def actor_matches(actors, want):
    for a in actors:
        if all((a.name if k == "name" else getattr(a, k)) == v for k, v in want.items()):
            return True
    return False


def event_matches(event, want) -> list[str]:
    """The fields of `want` that `event` gets wrong (empty when it matches)."""
    wrong = []
    for key, value in want.items():
        if key in ("type", "mode", "historical"):
            ok = getattr(event, key) == value
        elif key in ("source", "target"):
            ok = actor_matches(event.source_actors if key == "source" else event.target_actors, value)
        elif key == "place":
            ok = any(all(getattr(p, k) == v for k, v in value.items()) for p in event.locations)
        elif key == "date":
            ok = event.date is not None and event.date.start == value
        elif key in ("fatalities", "injuries", "arrests"):
            count = getattr(event, key)
            ok = count is not None and count.count == value
        elif key == "fatalities_qualifier":
            ok = event.fatalities is not None and event.fatalities.qualifier == value
        elif key == "attributed_to":
            ok = event.attributed_to is not None and value.lower() in event.attributed_to.lower()
        else:
            raise KeyError(key)
        if not ok:
            wrong.append(key)
    return wrong


def describe(e):
    return (f"{e.type}/{e.mode}{'/hist' if e.historical else ''} src={[(a.name, a.country, a.kind) for a in e.source_actors]} "
            f"tgt={[(a.name, a.country, a.kind) for a in e.target_actors]} loc={[(p.name, p.country) for p in e.locations]} "
            f"date={e.date.start if e.date else None} dead={e.fatalities} inj={e.injuries} arr={e.arrests} "
            f"attr={e.attributed_to} trigger={e.evidence[0].trigger!r}")


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_pipeline_fixture(extractor, case):
    events = run(extractor, case)
    got = "\n".join(describe(e) for e in events) or "(no events)"
    for want in case.get("expect", []):
        candidates = [e for e in events if e.type == want["type"] and e.mode == want.get("mode", e.mode)]
        assert candidates, f"no {want['type']}/{want.get('mode', '*')} event; got:\n{got}"
        best = min((event_matches(e, want) for e in candidates), key=len)
        assert [] == best, f"fields wrong: {best}; got:\n{got}"
    for unwanted in case.get("absent", []):
        hits = [e for e in events if not event_matches(e, unwanted)]
        assert [] == hits, f"unexpected event {unwanted}; got:\n{got}"


def test_pipeline_event_ids_are_stable(extractor):
    case = CASES[0]
    assert [e.id for e in run(extractor, case)] == [e.id for e in run(extractor, case)]


def test_pipeline_every_event_carries_evidence_and_provenance(extractor):
    for case in CASES[:10]:
        for e in run(extractor, case):
            (ev,) = e.evidence
            assert case["text"][ev.start:ev.end].strip() == ev.text
            assert ev.trigger
            assert "type" in e.extractor["fields"]
            assert e.sources[0].source == "Fixture Wire"
