"""The analysts' page driven in headless Chromium (Debian's chromium + Python Playwright).

Skips when either is absent (.ci/setup_browser.sh installs both). Screenshots land in the test's
tmp folder and, for a person to look at, in /tmp/eventcoder-shots/.
"""

import datetime as dt
import os
import shutil
import socket
import sqlite3
import threading
import time

import pytest

CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is not installed (see .ci/setup_browser.sh)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytest.importorskip("fastapi", reason="the web extra is not installed")
uvicorn = pytest.importorskip("uvicorn", reason="the web extra is not installed")

from eventcoder import api  # noqa: E402
from eventcoder.web.app import create_app  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = "/tmp/eventcoder-shots"
PUBLISHED = dt.date(2024, 5, 10)  # a Friday

# Articles written for these tests; the last one tries to inject script into the page.
ARTICLES = [
    ("Wire One", "Police arrested twelve protesters in Nairobi on Wednesday during a march against "
                 "new taxes. Officers fired tear gas at the crowd."),
    ("Wire Two", "Gunmen killed five villagers in an attack near Maiduguri on Tuesday, local officials said."),
    ("Wire Three", "Militants killed three soldiers in an ambush near Timbuktu on Thursday, the army said."),
    ("Wire Four", "The foreign ministers of Egypt and Jordan met in Cairo on Thursday to discuss aid deliveries."),
    ("Wire Five", "Police detained nine students in Dhaka on Thursday. Back in June 2019, soldiers killed "
                  "four fishermen near Chittagong."),
    ("Evil <b>Wire</b>", "<script>alert('xss')</script> Soldiers shot two men dead in Hebron on Monday. "
                         "<img src=x onerror=alert(1)>"),
]


@pytest.fixture(scope="module")
def built_db(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("webui") / "events.db")
    for source, text in ARTICLES:
        api.ingest_text(path, text, published=PUBLISHED, source=source)
    return path


@pytest.fixture
def server(built_db, tmp_path, request):
    """The real app on a free loopback port, over a private copy of the store.

    A test marked `@pytest.mark.parametrize("server", [{"token": ...}], indirect=True)` gets an
    app made with those options.
    """
    path = str(tmp_path / "copy.db")
    src, dst = sqlite3.connect(built_db), sqlite3.connect(path)
    src.backup(dst)
    src.close()
    dst.close()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(path, **getattr(request, "param", {}))
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(5)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.dialogs = []  # any alert() would mean article text ran as code
    pg.errors = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.goto(server + "/")
    pg.wait_for_selector("body[data-ready='1']")
    yield pg
    context.close()
    assert pg.dialogs == [] and pg.errors == []


def shot(page, tmp_path, name):
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    os.makedirs(SHOTS, exist_ok=True)
    shutil.copy(path, os.path.join(SHOTS, f"{name}.png"))


def rows(page):
    return page.eval_on_selector_all("#events tbody tr", "trs => trs.map(t => ({id: t.dataset.id, type: t.dataset.type,"
                                     " cells: [...t.cells].map(c => c.textContent)}))")


def dots(page):
    return page.eval_on_selector_all("#map circle.dot", "cs => cs.map(c => ({id: c.dataset.id, type: c.dataset.type}))")


def test_web_ui_filter_by_type_updates_map_and_table(page, server, tmp_path):
    before = rows(page)
    assert len({r["type"] for r in before}) >= 3
    located = {r["id"] for r in before if r["cells"][5]}
    assert located and {d["id"] for d in dots(page)} == located  # one dot per located event
    assert page.eval_on_selector_all("#map path.country", "ps => ps.length") > 150  # offline world layer
    shot(page, tmp_path, "01-all-events")
    page.select_option("#f-type", "ASSAULT")
    page.wait_for_function("() => [...document.querySelectorAll('#events tbody tr')].every(t => t.dataset.type === 'ASSAULT')")
    after = rows(page)
    assert after and len(after) < len(before)
    assert {d["id"] for d in dots(page)} == {r["id"] for r in after if r["cells"][5]}
    assert {d["type"] for d in dots(page)} == {"ASSAULT"}
    bar_types = page.eval_on_selector_all("#timeline rect[data-type]", "rs => rs.map(r => r.dataset.type)")
    assert set(bar_types) == {"ASSAULT"}
    assert page.text_content("#count").startswith(f"{len(after)} event(s)")
    assert "type=ASSAULT" in page.url  # the filter survives a reload
    shot(page, tmp_path, "02-filtered-assault")


def test_web_ui_sort_and_quick_filter_are_linked(page):
    page.click("#events th[data-key='fatalities']")
    page.click("#events th[data-key='fatalities']")  # second click: descending
    first = rows(page)[0]["cells"]
    assert first[7] == "5"  # the five villagers
    page.fill("#quick", "Nairobi")
    page.wait_for_function("() => document.querySelectorAll('#events tbody tr').length < 4")
    shown = rows(page)
    assert shown and all("Nairobi" in r["cells"][5] for r in shown)
    assert {d["id"] for d in dots(page)} == {r["id"] for r in shown}


def test_web_ui_timeline_picks_a_period(page):
    all_rows = rows(page)
    historical = [r for r in all_rows if "(hist.)" in r["cells"][2]]
    assert [r["cells"][5] for r in historical] == ["Chittagong"]
    # Recalled history stays in the table but not on the timeline, whose bars start in May 2024.
    assert "1 historical event(s) not drawn" in page.text_content("#timeline")
    starts = page.eval_on_selector_all("#timeline g.bin", "gs => gs.map(g => g.dataset.start)")
    assert min(starts) >= "2024-05-01"
    dates = sorted({r["cells"][0] for r in all_rows if r not in historical})
    page.click(f"#timeline g.bin[data-start='{dates[0]}'] rect.hit")
    page.wait_for_function(f"() => [...document.querySelectorAll('#events tbody tr')].every(t => t.cells[0].textContent === '{dates[0]}')")
    picked = rows(page)
    assert picked and len(picked) < len(all_rows)
    assert len(dots(page)) == len(picked)
    page.click("#clear-selection")
    assert len(rows(page)) == len(all_rows)


def test_web_ui_event_view_highlights_evidence(page, tmp_path):
    target = next(r for r in rows(page) if "Maiduguri" in r["cells"][5] and r["type"] == "ASSAULT")
    page.click(f"#events tbody tr[data-id='{target['id']}']")
    page.wait_for_selector("#event:not([hidden]) mark.hl-trigger")
    assert page.text_content("#articles mark.hl-trigger") == "killed"
    assert page.eval_on_selector("#articles mark.hl-trigger", "m => m.classList.contains('hl-evidence')")
    evidence = "".join(page.eval_on_selector_all("#articles mark.hl-evidence", "ms => ms.map(m => m.textContent)"))
    assert evidence.startswith("Gunmen killed five villagers") and "Maiduguri" in evidence
    assert page.text_content("#articles mark.hl-place") == "Maiduguri"
    assert "Maiduguri" in page.get_attribute("#articles mark.hl-place", "title")
    assert page.text_content("#fields tr[data-field='type'] td.rule").strip()  # the rule that coded it
    assert page.eval_on_selector("#map circle.selected", "c => c.dataset.id") == target["id"]
    shot(page, tmp_path, "03-event-evidence")


def test_web_ui_edit_field_survives_reload_with_audit(page, tmp_path):
    target = next(r for r in rows(page) if "Timbuktu" in r["cells"][5])
    page.click(f"#events tbody tr[data-id='{target['id']}']")
    page.wait_for_selector("#fields tr[data-field='fatalities'] button.edit")
    page.click("#fields tr[data-field='fatalities'] button.edit")
    page.fill("#fields tr[data-field='fatalities'] input", "4")
    page.click("#fields tr[data-field='fatalities'] button.save")
    page.wait_for_function("() => document.querySelector('#audit li[data-field=fatalities]')")
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    page.wait_for_selector("#event:not([hidden]) #audit li[data-field='fatalities']")
    assert page.text_content("#fields tr[data-field='fatalities'] td.value").startswith("4 (exact)")
    assert page.text_content("#fields tr[data-field='review_status'] td.value") == "edited"
    entry = page.text_content("#audit li[data-field='fatalities']")
    assert "analyst edit fatalities" in entry
    assert '"count":3' in page.text_content("#audit li[data-field='fatalities'] .before")
    assert '"count":4' in page.text_content("#audit li[data-field='fatalities'] .after")
    row = next(r for r in rows(page) if r["id"] == target["id"])
    assert row["cells"][7] == "4" and row["cells"][9] == "edited"
    shot(page, tmp_path, "04-edited-after-reload")


def test_web_ui_review_queue_accept(page, tmp_path):
    page.click("#show-queue")
    page.wait_for_selector("#queue:not([hidden]) #queue-table tbody tr")
    queued = page.eval_on_selector_all("#queue-table tbody tr", "ts => ts.map(t => t.dataset.id)")
    page.click(f"#queue-table tbody tr[data-id='{queued[0]}'] button.accept")
    page.wait_for_function(f"() => !document.querySelector(\"#queue-table tbody tr[data-id='{queued[0]}']\")")
    assert len(page.eval_on_selector_all("#queue-table tbody tr", "ts => ts")) == len(queued) - 1
    page.click("#show-audit")
    page.wait_for_selector("#audit-all:not([hidden]) #audit-list li")
    assert "analyst accept" in page.text_content("#audit-list li")
    shot(page, tmp_path, "05-audit-log")


def test_web_ui_hostile_article_is_shown_as_text(page, tmp_path):
    target = next(r for r in rows(page) if "Hebron" in r["cells"][5])
    page.click(f"#events tbody tr[data-id='{target['id']}']")
    page.wait_for_selector("#event:not([hidden]) #articles article")
    text = page.text_content("#articles article .text")
    assert "<script>alert('xss')</script>" in text and "<img src=x onerror=alert(1)>" in text
    assert page.eval_on_selector_all("#articles img, #articles script, #articles b", "xs => xs.length") == 0
    assert page.text_content("#articles h3").startswith("Evil <b>Wire</b>")
    shot(page, tmp_path, "06-hostile-article")


def test_web_ui_merge_then_split(page, tmp_path):
    by_place = {r["cells"][5]: r["id"] for r in rows(page) if r["type"] == "ASSAULT" and r["cells"][5]}
    keep, other = by_place["Timbuktu"], by_place["Maiduguri"]
    page.click(f"#events tbody tr[data-id='{keep}']")
    page.wait_for_selector("#event:not([hidden]) #reports tbody tr")
    page.fill("#merge-other", other)
    page.click("#merge")
    page.wait_for_function("() => document.querySelectorAll('#reports tbody tr').length === 2")
    assert len(page.eval_on_selector_all("#articles article", "xs => xs")) == 2
    assert "merge" in page.text_content("#audit")
    assert page.text_content("#fields tr[data-field='n_sources'] td.value") == "2"
    shot(page, tmp_path, "07-merged")
    page.click("#reports tbody tr:nth-child(2) button.split")
    page.wait_for_function("() => document.querySelectorAll('#reports tbody tr').length === 1")
    assert page.text_content("#fields tr[data-field='n_sources'] td.value") == "1"
    located = [r for r in rows(page) if r["type"] == "ASSAULT" and r["cells"][5] in ("Timbuktu", "Maiduguri")]
    assert len(located) == 2  # two events again


@pytest.mark.parametrize("server", [{"token": "op-secret"}], indirect=True)
def test_web_ui_writes_need_the_token(page):
    assert page.is_visible("#token")
    target = rows(page)[0]["id"]
    page.click(f"#events tbody tr[data-id='{target}']")
    page.wait_for_selector("#event:not([hidden]) #accept")
    page.click("#accept")
    page.wait_for_function("() => document.querySelector('#error').textContent.includes('token')")
    assert page.text_content("#fields tr[data-field='review_status'] td.value") == "unreviewed"
    page.fill("#token", "op-secret")
    page.press("#token", "Enter")
    page.click("#accept")
    page.wait_for_function("() => document.querySelector(\"#fields tr[data-field='review_status'] td.value\")"
                           ".textContent === 'accepted'")
    assert page.text_content("#error") == ""
