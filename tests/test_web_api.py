"""REST API (eventcoder/web): every endpoint, bad parameters, writes and their guards, XSS."""

import csv
import datetime as dt
import io
import json
import re
import sqlite3

import pytest

pytest.importorskip("fastapi", reason="the web extra (fastapi, httpx) is not installed")
pytest.importorskip("httpx", reason="the web extra (fastapi, httpx) is not installed")

from fastapi.testclient import TestClient  # noqa: E402

from eventcoder import api  # noqa: E402
from eventcoder.model import PLOVER_TYPES, Event  # noqa: E402
from eventcoder.web.app import create_app, serve_options  # noqa: E402
from eventcoder.web.evidence import marks, segments  # noqa: E402

PUBLISHED = dt.date(2024, 5, 10)  # a Friday

# Short news-style articles written for these tests. Two report the same killing (they merge).
ARTICLES = [
    ("Wire One", "Police arrested twelve protesters in Nairobi on Wednesday during a march against "
                 "new taxes. Officers fired tear gas at the crowd."),
    ("Wire Two", "Gunmen killed five villagers in an attack near Maiduguri on Tuesday, local officials "
                 "said. The army later deployed troops to the area."),
    ("Wire Three", "Five villagers were killed by gunmen near Maiduguri on Tuesday, a local official said."),
    ("Wire Four", "The foreign ministers of Egypt and Jordan met in Cairo on Thursday to discuss aid "
                  "deliveries."),
]
XSS_SOURCE = "Evil <b>Wire</b>"
XSS_TEXT = ("<script>alert('xss')</script> Soldiers shot two men dead in Hebron on Monday. "
            "<img src=x onerror=alert(1)>")


@pytest.fixture(scope="module")
def built_db(tmp_path_factory):
    """A store of the articles above, extracted for real (the extractor loads once per session)."""
    path = str(tmp_path_factory.mktemp("web") / "events.db")
    for source, text in ARTICLES + [(XSS_SOURCE, XSS_TEXT)]:
        api.ingest_text(path, text, published=PUBLISHED, source=source)
    return path


@pytest.fixture
def db(built_db, tmp_path):
    """A private copy of the built store: review tests change it."""
    path = str(tmp_path / "copy.db")
    src, dst = sqlite3.connect(built_db), sqlite3.connect(path)
    src.backup(dst)
    src.close()
    dst.close()
    return path


@pytest.fixture
def client(db):
    return TestClient(create_app(db))


def all_events(client, **params):
    r = client.get("/api/events", params={"limit": 5000, **params})
    assert r.status_code == 200, r.text
    return r.json()["events"]


def event_with(client, **want):
    for e in all_events(client, view="summary"):
        if all(e[k] == v for k, v in want.items()):
            return e
    raise AssertionError(f"no event with {want}")


def test_web_openapi_lists_every_endpoint(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/events", "/api/events/{event_id}", "/api/articles", "/api/articles/{article_id}",
                 "/api/actors", "/api/export", "/api/audit", "/api/events/{event_id}/review",
                 "/api/reports/{report_id}/split", "/api/events/{event_id}/merge", "/api/stats"):
        assert path in paths
    assert "post" in paths["/api/articles"]
    assert client.get("/docs").status_code == 404  # swagger UI would load a CDN script


def test_web_config(client):
    cfg = client.get("/api/config").json()
    assert cfg["types"] == list(PLOVER_TYPES)
    assert cfg["writes"] == "open"
    assert "fatalities" in cfg["editable_fields"]


def test_web_list_events_counts_and_pages(client):
    every = all_events(client)
    assert len(every) == client.get("/api/events").json()["total"] >= 5
    pages = []
    for offset in range(0, len(every), 2):
        body = client.get("/api/events", params={"limit": 2, "offset": offset}).json()
        assert body["total"] == len(every) and body["limit"] == 2 and body["offset"] == offset
        pages += [e["id"] for e in body["events"]]
    assert pages == [e["id"] for e in every]


def test_web_list_events_summary_view(client):
    full = all_events(client)
    rows = all_events(client, view="summary")
    assert [r["id"] for r in rows] == [e["id"] for e in full]
    killing = next(r for r in rows if r["place"] == "Maiduguri" and r["type"] == "ASSAULT")
    assert killing["fatalities"] == 5 and killing["n_sources"] == 2
    assert killing["country"] == "NGA" and 11 < killing["lat"] < 12.5


@pytest.mark.parametrize("params, check", [
    ({"type": "assault"}, lambda e: e["type"] == "ASSAULT"),
    ({"mode": "occurred"}, lambda e: e["mode"] == "occurred"),
    ({"country": "nga"}, lambda e: any(p["country"] == "NGA" for p in e["locations"])),
    ({"place": "nairo"}, lambda e: any("Nairobi" in p["name"] for p in e["locations"])),
    ({"actor": "nga-civilians"}, lambda e: any(a["id"] == "nga-civilians" for a in e["target_actors"] + e["source_actors"])),
    ({"since": "2024-05-08", "until": "2024-05-09"}, lambda e: e["date"]["end"] >= "2024-05-08" and e["date"]["start"] <= "2024-05-09"),
    ({"text": "villagers"}, lambda e: any("villagers" in ev["text"] for ev in e["evidence"])),
    ({"historical": "false"}, lambda e: e["historical"] is False),
    ({"min_sources": 2}, lambda e: e["n_sources"] >= 2),
    ({"review_status": "unreviewed"}, lambda e: e["review_status"] == "unreviewed"),
])
def test_web_filters(client, params, check):
    every = all_events(client)
    found = all_events(client, **params)
    assert found, f"{params} found nothing"
    assert all(check(e) for e in found)
    # A filter leaves out exactly the events that fail its check.
    assert {e["id"] for e in found} == {e["id"] for e in every if check(e)}
    assert client.get("/api/events", params=params).json()["total"] == len(found)


@pytest.mark.parametrize("params, word", [
    ({"type": "KILL"}, "type"),
    ({"mode": "maybe"}, "mode"),
    ({"country": "Palestine"}, "country"),
    ({"since": "last week"}, "since"),
    ({"since": "2024-05-09", "until": "2024-05-01"}, "since"),
    ({"historical": "perhaps"}, "historical"),
    ({"min_sources": 0}, "min_sources"),
    ({"review_status": "done"}, "review_status"),
    ({"limit": 0}, "limit"),
    ({"limit": 100000}, "limit"),
    ({"offset": -1}, "offset"),
    ({"view": "pretty"}, "view"),
])
def test_web_bad_parameters_are_400(client, params, word):
    r = client.get("/api/events", params=params)
    assert r.status_code == 400
    body = r.json()
    assert body["status"] == 400 and word in body["error"]


def test_web_unknown_things_are_404(client):
    for url in ("/api/events/nope", "/api/articles/nope", "/api/nothing-here"):
        r = client.get(url)
        assert r.status_code == 404 and r.json()["status"] == 404


def test_web_event_detail_highlights_the_evidence(client):
    killing = event_with(client, type="ASSAULT", n_sources=2)
    body = client.get(f"/api/events/{killing['id']}").json()
    assert body["event"]["id"] == killing["id"]
    assert len(body["reports"]) == 2 and {r["source"] for r in body["reports"]} == {"Wire Two", "Wire Three"}
    assert len(body["articles"]) == 2
    for article in body["articles"]:
        text = client.get(f"/api/articles/{article['id']}").json()["text"]
        assert "".join(s["text"] for s in article["segments"]) == text  # nothing lost or added
        kinds = {k for s in article["segments"] for k in s["kinds"]}
        assert {"evidence", "trigger", "place", "date", "fatalities"} <= kinds
        trigger = [s for s in article["segments"] if "trigger" in s["kinds"]]
        assert [s["text"] for s in trigger] == ["killed"]
        assert all("evidence" in s["kinds"] for s in trigger)
        place = next(s for s in article["segments"] if "place" in s["kinds"])
        assert place["text"] == "Maiduguri" and "Maiduguri" in place["labels"][-1]
    # The automatic merge of the two reports is on record; no analyst has touched the event.
    assert "auto_merge" in [a["action"] for a in body["audit"]]
    assert not {a["action"] for a in body["audit"]} & {"accept", "reject", "edit"}


def test_web_articles_and_actors(client):
    listed = client.get("/api/articles", params={"limit": 50}).json()["articles"]
    assert len(listed) == len(ARTICLES) + 1
    assert all("text" not in a for a in listed)
    one = client.get(f"/api/articles/{listed[0]['id']}").json()
    assert one["id"] == listed[0]["id"] and one["text"]
    assert client.get("/api/articles", params={"limit": 2, "offset": 1}).json()["articles"] == listed[1:3]
    actors = client.get("/api/actors").json()["actors"]
    assert any(a["id"] == "nga-civilians" and a["events"] >= 1 for a in actors)
    assert client.get("/api/actors", params={"limit": 0}).status_code == 400
    stats = client.get("/api/stats").json()
    assert stats["articles"] == len(ARTICLES) + 1 and stats["events"] == len(all_events(client))


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "geojson"])
def test_web_export_follows_the_filter(client, fmt):
    r = client.get("/api/export", params={"format": fmt, "type": "ASSAULT", "all": "true"})
    assert r.status_code == 200
    assert f'filename="events.{fmt}"' in r.headers["content-disposition"]
    wanted = {e["id"] for e in all_events(client, type="ASSAULT")}
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(r.text)))
        assert {row["event_id"] for row in rows} == wanted and {row["event_type"] for row in rows} == {"ASSAULT"}
    elif fmt == "jsonl":
        assert {json.loads(line)["id"] for line in r.text.splitlines()} == wanted
    else:
        features = json.loads(r.text)["features"]
        assert {f["properties"]["event_id"] for f in features} <= wanted and features
    assert client.get("/api/export", params={"format": "xlsx"}).status_code == 400


def test_web_ingest_article(client):
    body = {"text": "Rebels seized the town of Goma on Sunday after heavy fighting with the army.",
            "published": "2024-05-10", "source": "Wire Five"}
    r = client.post("/api/articles", json=body)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["status"] == "new" and out["events"]
    assert client.get(f"/api/articles/{out['article_id']}").json()["source"] == "Wire Five"
    again = client.post("/api/articles", json=body)
    assert again.json()["status"] == "unchanged"
    assert client.post("/api/articles", json={"text": ""}).status_code == 400
    assert client.post("/api/articles", json={"text": "x", "published": "yesterday"}).status_code == 400
    assert client.post("/api/articles", content="text=hello",
                       headers={"content-type": "application/x-www-form-urlencoded"}).status_code == 415


def test_web_review_accept_edit_reject_with_audit(client):
    ev = event_with(client, type="CONSULT", mode="occurred")
    url = f"/api/events/{ev['id']}/review"
    r = client.post(url, json={"action": "accept", "by": "amina"})
    assert r.status_code == 200 and r.json()["event"]["review_status"] == "accepted"
    r = client.post(url, json={"action": "edit", "field": "fatalities", "value": 3, "by": "amina"})
    assert r.status_code == 200, r.text
    assert r.json()["event"]["fatalities"]["count"] == 3
    assert client.get(f"/api/events/{ev['id']}").json()["event"]["fatalities"]["count"] == 3
    r = client.post(url, json={"action": "edit", "field": "mode", "value": "planned"})
    assert r.json()["event"]["mode"] == "planned"
    audit = client.get(f"/api/events/{ev['id']}").json()["audit"]
    assert [a["action"] for a in audit if a["action"] != "auto_merge"] == ["edit", "edit", "accept"]  # newest first
    assert audit[1]["field"] == "fatalities" and audit[1]["before"] is None and audit[1]["after"]["count"] == 3
    assert audit[1]["by"] == "amina" and audit[1]["at"]
    assert client.get("/api/audit").json()["entries"][0]["field"] == "mode"
    # Reviewed events leave the queue.
    assert ev["id"] not in {e["id"] for e in all_events(client, review_status="unreviewed")}
    r = client.post(url, json={"action": "reject"})
    assert r.json()["event"]["review_status"] == "rejected"
    assert ev["id"] in {e["id"] for e in all_events(client, review_status="rejected")}


@pytest.mark.parametrize("body, word", [
    ({"action": "delete"}, "action"),
    ({"action": "edit", "field": "id", "value": "x"}, "field"),
    ({"action": "edit", "field": "type", "value": "KILL"}, "type"),
    ({"action": "edit", "field": "fatalities", "value": -2}, "fatalities"),
    ({"action": "edit", "field": "date", "value": {"start": "2024-05-09", "end": "2024-05-01"}}, "date"),
    ({"action": "edit", "field": "historical", "value": "yes"}, "historical"),
    ({"action": "accept", "field": "type"}, "field"),
])
def test_web_review_bad_requests_are_400(client, body, word):
    ev = all_events(client)[0]
    r = client.post(f"/api/events/{ev['id']}/review", json=body)
    assert r.status_code == 400, r.text
    assert word in r.json()["error"]
    audit = client.get(f"/api/events/{ev['id']}").json()["audit"]
    assert not {a["action"] for a in audit} & {"accept", "reject", "edit"}  # nothing was changed
    assert client.post("/api/events/nope/review", json={"action": "accept"}).status_code == 404


def test_web_split_and_merge(client):
    killing = event_with(client, type="ASSAULT", n_sources=2)
    reports = client.get(f"/api/events/{killing['id']}").json()["reports"]
    r = client.post(f"/api/reports/{reports[1]['id']}/split", json={"by": "amina"})
    assert r.status_code == 200, r.text
    new_id = r.json()["event_id"]
    assert client.get(f"/api/events/{new_id}").json()["event"]["n_sources"] == 1
    rest = next(e for e in all_events(client, type="ASSAULT", place="Maiduguri") if e["id"] != new_id)
    assert rest["n_sources"] == 1
    r = client.post(f"/api/events/{rest['id']}/merge", json={"other_id": new_id, "by": "amina"})
    assert r.status_code == 200, r.text
    merged = client.get(f"/api/events/{r.json()['event_id']}").json()
    assert merged["event"]["n_sources"] == 2
    assert {"split", "merge"} <= {a["action"] for a in merged["audit"]}
    assert client.post("/api/reports/nope/split", json={}).status_code == 404
    assert client.post(f"/api/events/{rest['id']}/merge", json={"other_id": "nope"}).status_code == 404
    same = client.post(f"/api/events/{rest['id']}/merge", json={"other_id": rest["id"]})
    assert same.status_code == 400


def test_web_token_guards_writes(db):
    client = TestClient(create_app(db, token="s3cret"))
    ev = all_events(client)[0]
    url = f"/api/events/{ev['id']}/review"
    assert client.get("/api/config").json()["writes"] == "token"
    assert client.post(url, json={"action": "accept"}).status_code == 401
    assert client.post(url, json={"action": "accept"}, headers={"Authorization": "Bearer wrong"}).status_code == 401
    ok = client.post(url, json={"action": "accept"}, headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 200 and ok.json()["event"]["review_status"] == "accepted"


def test_web_read_only_and_origin_and_host(db):
    ro = TestClient(create_app(db, read_only=True))
    ev = all_events(ro)[0]
    assert ro.post(f"/api/events/{ev['id']}/review", json={"action": "accept"}).status_code == 403
    assert ro.post("/api/articles", json={"text": "Police arrested two men."}).status_code == 403
    open_ = TestClient(create_app(db))
    r = open_.post(f"/api/events/{ev['id']}/review", json={"action": "accept"},
                   headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    local = TestClient(create_app(db, allowed_hosts=["127.0.0.1", "localhost"]), base_url="http://localhost")
    assert local.get("/api/config").status_code == 200
    rebound = TestClient(create_app(db, allowed_hosts=["127.0.0.1", "localhost"]), base_url="http://evil.example")
    assert rebound.get("/api/config").status_code == 400
    v6 = TestClient(create_app(db, allowed_hosts=["::1"]))
    assert v6.get("/api/config", headers={"host": "[::1]:8000"}).status_code == 200
    assert v6.get("/api/config", headers={"host": "[::2]:8000"}).status_code == 400


def test_web_serve_options_safe_by_default():
    assert serve_options("127.0.0.1", None) == {"read_only": False, "allowed_hosts": ["127.0.0.1", "localhost", "::1"]}
    assert serve_options("0.0.0.0", None)["read_only"] is True
    assert serve_options("0.0.0.0", "t") == {"read_only": False, "allowed_hosts": None}


def test_web_xss_article_text_stays_data(client):
    hostile = event_with(client, place="Hebron")
    body = client.get(f"/api/events/{hostile['id']}")
    assert body.headers["content-type"].startswith("application/json")
    text = "".join(s["text"] for a in body.json()["articles"] for s in a["segments"])
    assert "<script>alert('xss')</script>" in text  # kept verbatim as data, for textContent
    page = client.get("/")
    assert page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert not re.search(r"<script>(?!</script>)|<script(?![^>]*src=)", page.text)  # no inline script
    for name in ("app.js", "map.js", "timeline.js"):
        js = client.get(f"/static/{name}").text
        assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(", js), name
    # The hostile source name comes back as JSON data, never as markup in an HTML response.
    assert client.get(f"/api/events/{hostile['id']}").json()["reports"][0]["source"] == XSS_SOURCE


def test_web_world_layer_is_offline(client):
    world = client.get("/api/world.geojson").json()
    assert len(world["features"]) > 150
    names = {f["properties"]["name"] for f in world["features"]}
    assert {"Nigeria", "Kenya", "Israel"} <= names
    for name in ("index.html", "app.js", "map.js", "style.css"):
        assert not re.search(r"https?://(?!www\.w3\.org)", client.get("/static/" + name if name != "index.html" else "/").text)


def test_web_evidence_marks_and_segments():
    text = "Intro line. On Tuesday, police arrested 12 protesters in Nairobi. Later news."
    start = text.index("On Tuesday")
    end = text.index("Nairobi.") + len("Nairobi.")
    event = Event.from_dict({
        "id": "e1", "type": "COERCE", "mode": "occurred", "historical": False,
        "source_actors": [{"text": "police", "name": "Kenyan police", "id": "ken-police"}],
        "target_actors": [{"text": "12 protesters", "name": "Kenyan protesters", "id": None}],
        "date": {"start": "2024-05-07", "end": "2024-05-07", "precision": "day",
                 "basis": "'On Tuesday', relative to publication on Friday 2024-05-10"},
        "locations": [{"text": "Nairobi", "name": "Nairobi", "country": "KEN"}],
        "arrests": {"count": 12, "qualifier": "exact", "text": "arrested 12 protesters"},
        "evidence": [{"article_id": "a1", "sentence_index": 1, "start": start, "end": end,
                      "text": text[start:end], "trigger": "arrested"}],
        "extractor": {"fields": {"type": "lexicon:arrest", "date": "weekday-relative"}},
    })
    found = {(m["kind"], text[m["start"]:m["end"]], m["rule"]) for m in marks(text, event, "a1")}
    assert ("trigger", "arrested", "lexicon:arrest") in found
    assert ("date", "On Tuesday", "weekday-relative") in found
    assert ("source", "police", None) in found and ("target", "12 protesters", None) in found
    assert ("place", "Nairobi", None) in found and ("arrests", "arrested 12 protesters", None) in found
    assert marks(text, event, "another-article") == []
    segs = segments(text, marks(text, event, "a1"))
    assert "".join(s["text"] for s in segs) == text
    assert segs[0] == {"text": "Intro line. ", "kinds": [], "labels": []}
    arrested = next(s for s in segs if s["text"] == "arrested")
    assert arrested["kinds"] == ["evidence", "trigger", "arrests"]


def test_web_cli_serve(db, tmp_path, monkeypatch):
    from click.testing import CliRunner

    import uvicorn

    from eventcoder.cli import cli

    started = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, host, port, **kw: started.update(app=app, host=host, port=port))
    runner = CliRunner()
    missing = runner.invoke(cli, ["serve", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code != 0 and "no such store" in missing.output and not started
    ok = runner.invoke(cli, ["serve", "--db", db])
    assert ok.exit_code == 0, ok.output
    assert started["host"] == "127.0.0.1" and started["port"] == 8000
    assert TestClient(started["app"], base_url="http://127.0.0.1").get("/api/config").json()["writes"] == "open"
    wide = runner.invoke(cli, ["serve", "--db", db, "--host", "0.0.0.0", "--port", "8123"])
    assert wide.exit_code == 0 and "read-only" in wide.output
    assert TestClient(started["app"]).get("/api/config").json()["writes"] == "disabled"
    runner.invoke(cli, ["serve", "--db", db, "--host", "0.0.0.0", "--token", "t"])
    assert TestClient(started["app"]).get("/api/config").json()["writes"] == "token"
