"""The event record round-trips: what a store or an export reads back is what was written."""

import json

from eventcoder.api import extract_text
from eventcoder.model import Event


def test_extracted_events_round_trip_through_json(nlp):
    result = extract_text("Police arrested 14 protesters in Nairobi on Tuesday. The ministry said it "
                          "would hold talks with the organisers next week.",
                          published="2024-05-17", source="Fixture Wire")
    assert result.events
    for event in result.events:
        record = json.loads(json.dumps(event.to_dict()))
        again = Event.from_dict(record)
        assert again.to_dict() == event.to_dict()
        assert again.date == event.date  # rule and text included: the merge reads them
    dated = [e.date for e in result.events if e.date]
    assert dated and all(d.rule for d in dated)
    assert any(d.rule == "weekday-relative" or d.text for d in dated)
