"""Store -> REST API (JSON under /api) and the analysts' page (static files under /).

Routes are thin: they check parameters, call eventcoder.api, and shape JSON. Writes (ingest and
review) need a JSON body, a same-origin request, and the operator's token when one is set.
"""

from __future__ import annotations

import datetime as dt
import functools
import hmac
import io
import json
import threading
from importlib import resources
from typing import Any, Literal, Optional
from urllib.parse import urlsplit

from fastapi import Body, Depends, FastAPI, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from .. import __version__, api
from ..errors import StoreError
from ..model import DATE_PRECISIONS, MODES, PLOVER_TYPES, QUALIFIERS, Event
from . import errors
from .errors import ApiError, NotFound
from .evidence import marks, segments

STATIC = resources.files("eventcoder") / "web" / "static"
REVIEW_STATUSES = ("unreviewed", "accepted", "rejected", "edited")
EDITABLE_FIELDS = ("type", "mode", "historical", "date", "locations", "source_actors", "target_actors",
                   "fatalities", "injuries", "arrests", "attributed_to", "cameo_root", "acled")
MAX_LIMIT = 5000
MAX_TEXT = 2_000_000  # characters in one POSTed article

SECURITY_HEADERS = {
    # No inline script or style, nothing from another origin: article text can never run as code.
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
                               "img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                               "frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


class IngestBody(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    published: Optional[dt.date] = None
    source: Optional[str] = Field(None, max_length=200)
    url: Optional[str] = Field(None, max_length=2000)
    title: Optional[str] = Field(None, max_length=1000)


class ReviewBody(BaseModel):
    action: Literal["accept", "reject", "edit"]
    field: Optional[str] = None
    value: Any = None
    by: str = Field("analyst", min_length=1, max_length=100)


class ByBody(BaseModel):
    by: str = Field("analyst", min_length=1, max_length=100)


class MergeBody(ByBody):
    other_id: str = Field(min_length=1, max_length=200)


def event_filters(
    type: Optional[str] = Query(None, description="PLOVER type, e.g. ASSAULT"),
    mode: Optional[str] = Query(None, description="one of " + ", ".join(MODES)),
    actor: Optional[str] = Query(None, max_length=200, description="actor id or part of a name"),
    country: Optional[str] = Query(None, description="ISO 3166-1 alpha-3 code, e.g. PSE"),
    place: Optional[str] = Query(None, max_length=200, description="part of a place name"),
    since: Optional[dt.date] = Query(None, description="events ending on or after (YYYY-MM-DD)"),
    until: Optional[dt.date] = Query(None, description="events starting on or before (YYYY-MM-DD)"),
    text: Optional[str] = Query(None, max_length=500, description="full-text search over the evidence"),
    historical: Optional[bool] = Query(None, description="true: recalled history only; false: current only"),
    min_sources: Optional[int] = Query(None, ge=1, le=10_000, description="at least this many sources"),
    review_status: Optional[str] = Query(None, description="one of " + ", ".join(REVIEW_STATUSES)),
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=10_000_000),
) -> dict[str, Any]:
    """The query parameters of every event listing and export, checked, as EventFilter fields."""
    if type is not None:
        type = type.strip().upper()
        if type not in PLOVER_TYPES:
            raise ApiError(f"type: {type!r} is not a PLOVER type; use one of {', '.join(PLOVER_TYPES)}")
    if mode is not None and mode not in MODES:
        raise ApiError(f"mode: {mode!r} is not a mode; use one of {', '.join(MODES)}")
    if country is not None:
        country = country.strip().upper()
        if len(country) != 3 or not country.isalpha():
            raise ApiError(f"country: {country!r} is not an ISO 3166-1 alpha-3 code such as PSE")
    if review_status is not None and review_status not in REVIEW_STATUSES:
        raise ApiError(f"review_status: use one of {', '.join(REVIEW_STATUSES)}")
    if since and until and since > until:
        raise ApiError(f"since ({since}) is after until ({until})")
    found = {"type": type, "mode": mode, "actor": actor or None, "country": country,
             "place": place or None, "since": since, "until": until, "text": (text or "").strip() or None,
             "historical": historical, "min_sources": min_sources, "review_status": review_status}
    return {**{k: v for k, v in found.items() if v is not None}, "limit": limit, "offset": offset}


def summary(event: Event) -> dict[str, Any]:
    """The few fields the map, timeline and table need: a list of 5,000 stays small."""
    loc = next((p for p in event.locations if p.lat is not None and p.lon is not None), None)
    ev = event.evidence[0] if event.evidence else None
    return {
        "id": event.id, "type": event.type, "mode": event.mode, "historical": event.historical,
        "date": event.date.start.isoformat() if event.date else None,
        "date_end": event.date.end.isoformat() if event.date else None,
        "source": "; ".join(a.name or a.text for a in event.source_actors),
        "target": "; ".join(a.name or a.text for a in event.target_actors),
        "place": "; ".join(p.name for p in event.locations),
        "country": (loc or event.locations[0]).country if event.locations else None,
        "lat": loc.lat if loc else None, "lon": loc.lon if loc else None,
        "fatalities": event.fatalities.count if event.fatalities else None,
        "n_sources": event.n_sources, "review_status": event.review_status,
        "trigger": ev.trigger if ev else None,
    }


def create_app(db: str, token: Optional[str] = None, read_only: bool = False,
               allowed_hosts: Optional[list[str]] = None) -> FastAPI:
    """The app over the store `db` (a path or URL, opened once per worker thread).

    `token`: writes need it (Authorization: Bearer T). `read_only`: writes are refused (a server
    bound beyond loopback without a token). `allowed_hosts`: Host headers accepted (DNS rebinding).
    """
    # No /docs or /redoc: they load their scripts from a CDN, and the page must work offline.
    app = FastAPI(title="eventcoder", version=__version__, docs_url=None, redoc_url=None,
                  description="Events coded from news articles: query, export, review.")
    errors.install(app)
    local = threading.local()

    def store():
        # SQLite connections belong to the thread that opened them: one per worker thread.
        if getattr(local, "store", None) is None:
            local.store = api.open_store(db)
        return local.store

    @app.middleware("http")
    async def guard(request: Request, call_next):
        host = request.headers.get("host") or ""
        host = host[1:host.find("]")] if host.startswith("[") else host.rsplit(":", 1)[0]
        if allowed_hosts is not None and host not in allowed_hosts:
            return JSONResponse({"error": f"host {host!r} not allowed", "status": 400}, status_code=400)
        response = await call_next(request)
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        return response

    def writer(request: Request) -> None:
        """Dependency of every write: JSON only, same origin only, token if one is set."""
        if read_only:
            raise ApiError("this server is read-only: restart it with --token to allow changes", 403)
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            # A cross-site form cannot send application/json without a CORS preflight we never allow.
            raise ApiError("writes need Content-Type: application/json", 415)
        origin = request.headers.get("origin")
        if origin and urlsplit(origin).netloc != request.headers.get("host"):
            raise ApiError(f"cross-origin write from {origin} refused", 403)
        if token is not None:
            given = request.headers.get("authorization", "")
            given = given[7:] if given.lower().startswith("bearer ") else request.headers.get("x-eventcoder-token", "")
            if not hmac.compare_digest(given.encode(), token.encode()):
                raise ApiError("writes need the operator's token: Authorization: Bearer <token>", 401)

    def event_or_404(event_id: str) -> Event:
        event = api.get_event(store(), event_id)
        if event is None:
            raise NotFound(f"no event {event_id!r}")
        return event

    # ---- reading -------------------------------------------------------------------------
    @app.get("/api/config")
    def config() -> dict:
        """What the page needs to draw its controls."""
        return {"version": __version__, "types": list(PLOVER_TYPES), "modes": list(MODES),
                "review_statuses": list(REVIEW_STATUSES), "editable_fields": list(EDITABLE_FIELDS),
                "writes": "disabled" if read_only else ("token" if token else "open"),
                "max_limit": MAX_LIMIT}

    @app.get("/api/events")
    def list_events(flt: dict = Depends(event_filters),
                    view: Literal["full", "summary"] = Query("full")) -> dict:
        """Events matching the filters, newest filters first; `total` counts all pages."""
        found = api.query_events(store(), **flt)
        rows = [summary(e) if view == "summary" else e.to_dict() for e in found]
        return {"total": api.count_events(store(), **flt), "limit": flt["limit"],
                "offset": flt["offset"], "events": rows}

    @app.get("/api/events/{event_id}")
    def one_event(event_id: str) -> dict:
        """The event, its reports (one per article), each article's text cut into highlighted
        segments (evidence, trigger, actors, places, date, counts) and the event's audit log."""
        event = event_or_404(event_id)
        reports = api.event_reports(store(), event_id)
        articles = []
        for article_id in dict.fromkeys([r["article_id"] for r in reports] +
                                        [e.article_id for e in event.evidence]):
            article = api.get_article(store(), article_id)
            if article is None:
                continue
            coded = _report_event(reports, article_id) or event
            text = article.get("text") or ""
            articles.append({**{k: v for k, v in article.items() if k != "text"},
                             "segments": segments(text, marks(text, coded, article_id))})
        return {"event": event.to_dict(), "reports": [_jsonable(r) for r in reports],
                "articles": articles, "audit": [_jsonable(a) for a in api.audit_log(store(), event_id=event_id)]}

    @app.get("/api/audit")
    def audit(event_id: Optional[str] = Query(None, max_length=200),
              limit: int = Query(100, ge=1, le=MAX_LIMIT)) -> dict:
        return {"entries": [_jsonable(a) for a in api.audit_log(store(), event_id=event_id, limit=limit)]}

    @app.get("/api/articles")
    def articles(limit: int = Query(50, ge=1, le=MAX_LIMIT), offset: int = Query(0, ge=0)) -> dict:
        rows = api.list_articles(store(), limit=limit, offset=offset)
        return {"limit": limit, "offset": offset,
                "articles": [_jsonable({k: v for k, v in r.items() if k != "text"}) for r in rows]}

    @app.get("/api/articles/{article_id}")
    def article(article_id: str) -> dict:
        found = api.get_article(store(), article_id)
        if found is None:
            raise NotFound(f"no article {article_id!r}")
        return _jsonable(found)

    @app.get("/api/actors")
    def actors(limit: int = Query(50, ge=1, le=MAX_LIMIT), offset: int = Query(0, ge=0)) -> dict:
        return {"limit": limit, "offset": offset,
                "actors": [_jsonable(a) for a in api.list_actors(store(), limit=limit, offset=offset)]}

    @app.get("/api/stats")
    def stats() -> dict:
        return _jsonable(api.store_stats(store()))

    @app.get("/api/export")
    def export(format: Literal["csv", "jsonl", "geojson"] = Query("csv"),
               flt: dict = Depends(event_filters), all: bool = Query(False, description="ignore limit/offset")):
        """The current filter as a file: CSV (ACLED-like columns), JSONL records or GeoJSON points."""
        if all:
            flt = {k: v for k, v in flt.items() if k not in ("limit", "offset")}
        buf = io.StringIO()
        api.export_events(db, format, buf, **flt)
        media = {"csv": "text/csv", "jsonl": "application/x-ndjson", "geojson": "application/geo+json"}
        return Response(buf.getvalue(), media_type=media[format] + "; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="events.{format}"'})

    @app.get("/api/world.geojson")
    def world():
        """Natural Earth low-resolution countries (public domain), for the offline map."""
        return Response(_world(), media_type="application/geo+json",
                        headers={"Cache-Control": "max-age=86400"})

    # ---- writing -------------------------------------------------------------------------
    @app.post("/api/articles", status_code=201, dependencies=[Depends(writer)])
    def ingest(body: IngestBody) -> dict:
        """Extract one article and store it; an article already stored is reported unchanged."""
        result, outcome = api.ingest_text(store(), body.text, published=body.published,
                                          source=body.source, url=body.url, title=body.title)
        return {"article_id": result.article.id, "status": outcome.status,
                "events": [e.id for e in result.events]}

    @app.post("/api/events/{event_id}/review", dependencies=[Depends(writer)])
    def review(event_id: str, body: ReviewBody) -> dict:
        """accept, reject, or edit one field (`field`, `value`); kept in the audit log."""
        event_or_404(event_id)
        if body.action == "edit":
            if body.field not in EDITABLE_FIELDS:
                raise ApiError(f"field: {body.field!r} cannot be edited; use one of {', '.join(EDITABLE_FIELDS)}")
            value = _check_value(body.field, body.value)
        elif body.field is not None:
            raise ApiError(f"{body.action} takes no field")
        else:
            value = None
        try:
            event = api.review_event(store(), event_id, body.action, body.by, field=body.field, value=value)
        except StoreError as exc:  # the event exists: what the store refuses is the value
            raise ApiError(str(exc)) from exc
        return {"event": event.to_dict()}

    @app.post("/api/reports/{report_id}/split", dependencies=[Depends(writer)])
    def split(report_id: str, body: ByBody = Body(default_factory=ByBody)) -> dict:
        """Take one report out of its event into a new event of its own."""
        try:
            return {"event_id": api.split_report(store(), report_id, body.by)}
        except StoreError as exc:  # the only refusal of a well-formed split: no such report
            raise NotFound(str(exc)) from exc

    @app.post("/api/events/{event_id}/merge", dependencies=[Depends(writer)])
    def merge(event_id: str, body: MergeBody) -> dict:
        """Fold event `other_id` into this one."""
        if body.other_id == event_id:
            raise ApiError("an event cannot be merged with itself")
        event_or_404(event_id)
        event_or_404(body.other_id)
        return {"event_id": api.merge_events(store(), event_id, body.other_id, body.by)}

    # ---- the page ------------------------------------------------------------------------
    @app.get("/", include_in_schema=False)
    def index():
        with resources.as_file(STATIC / "index.html") as path:
            return FileResponse(path, media_type="text/html; charset=utf-8")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon():
        return Response(status_code=204)

    with resources.as_file(STATIC) as static_dir:
        app.mount("/static", StaticFiles(directory=static_dir), name="static")
    return app


def _report_event(reports: list[dict], article_id: str) -> Optional[Event]:
    """The event as coded from one article (its report), so highlights match that article."""
    for r in reports:
        if r.get("article_id") == article_id and r.get("record"):
            record = r["record"]
            return Event.from_dict(json.loads(record) if isinstance(record, str) else record)
    return None


_COUNT_FIELDS = ("fatalities", "injuries", "arrests")


def _check_value(field: str, value: Any) -> Any:
    """Refuse values of the wrong shape before they reach the store (a clear 400, not a 500), and
    fill what a person typing an edit leaves out (a bare count, a date without precision)."""
    def bad(why):
        raise ApiError(f"value for {field}: {why}")

    if field == "type" and value not in PLOVER_TYPES:
        bad(f"use one of {', '.join(PLOVER_TYPES)}")
    if field == "mode" and value not in MODES:
        bad(f"use one of {', '.join(MODES)}")
    if field == "historical" and not isinstance(value, bool):
        bad("true or false")
    if field in _COUNT_FIELDS and value is not None:
        if isinstance(value, int) and not isinstance(value, bool):
            value = {"count": value, "qualifier": "exact", "text": ""}
        count = value.get("count") if isinstance(value, dict) else None
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            bad('a number of people >= 0, {"count": n, "qualifier": ...}, or null')
        if value.get("qualifier", "exact") not in QUALIFIERS:
            bad(f"qualifier: use one of {', '.join(QUALIFIERS)}")
        value = {"count": count, "qualifier": value.get("qualifier", "exact"), "text": str(value.get("text", ""))}
    if field in ("locations", "source_actors", "target_actors") and not isinstance(value, list):
        bad("a list of records")
    if field == "date" and value is not None:
        if not isinstance(value, dict) or "start" not in value:
            bad('{"start": "YYYY-MM-DD", "end": "YYYY-MM-DD", "precision": "day"}')
        value = {"end": value["start"], "precision": "day", "basis": "set by an analyst", **value}
        try:
            if dt.date.fromisoformat(value["start"]) > dt.date.fromisoformat(value["end"]):
                bad("start is after end")
        except (TypeError, ValueError):
            bad("dates must be YYYY-MM-DD")
        if value["precision"] not in DATE_PRECISIONS:
            bad(f"precision: use one of {', '.join(DATE_PRECISIONS)}")
    return value


def _jsonable(obj: Any) -> Any:
    return json.loads(json.dumps(obj, default=str))


@functools.lru_cache(maxsize=1)
def _world() -> bytes:
    return (resources.files("eventcoder") / "data" / "world.geojson").read_bytes()


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def serve_options(host: str, token: Optional[str]) -> dict[str, Any]:
    """Safe defaults for `eventcoder serve`: on loopback only loopback Host names are answered
    (no DNS rebinding); elsewhere writes need the token, and without one the server is read-only."""
    if host in LOOPBACK:
        return {"read_only": False, "allowed_hosts": list(LOOPBACK)}
    return {"read_only": token is None, "allowed_hosts": None}
