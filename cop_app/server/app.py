"""The FastAPI application of the verification API v1.

Reads splice stored JSON bodies into the response instead of rebuilding records
through pydantic: a 10,000-track page costs a string join, which is what makes an
initial sync of 100k tracks fit in a few seconds. The pydantic models still define
the contract (``responses=``), and the schemathesis test checks that what is sent
conforms to it.

Paging is keyset by id with an opaque cursor (base64 of the last id and the seq of
the first page), so pages stay stable while records change underneath.
"""


import asyncio
import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Path, Query, Request, Security
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from cop_app import __version__
from cop_app.core.timeutil import format_iso, from_datetime, now, parse_iso
from cop_app.core.updates import ReportUpdate
from cop_app.core.verification import IllegalTransition
from cop_app.server import models as m
from cop_app.server.alerting import AlertClosed
from cop_app.server.auth import ROLES, Principal, forbidden, principal_from_header, role_allows
from cop_app.server.pipeline import Pipeline, ReportExists, ZoneError
from cop_app.server.problems import Problem, install
from cop_app.server.sse import Notifier, change_events, change_json
from cop_app.server.storage import Storage

MAX_PAGE = 10_000


@dataclass
class ServerConfig:
    heartbeat_s: float = 15.0
    poll_s: float = 1.0
    retry_ms: int = 3000
    max_body: int = 1 << 20  # JSON requests
    max_ingest_body: int = 32 << 20  # raw feed batches, KMZ


# ---- body limits --------------------------------------------------------------------
class BodyLimit:
    """ASGI middleware: 413 problem+json for bodies over the limit, whether declared by
    Content-Length or found while streaming a chunked body."""

    def __init__(self, app: Any, config: ServerConfig) -> None:
        self.app = app
        self.config = config

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = (self.config.max_ingest_body if scope["path"].startswith("/v1/ingest/")
                 else self.config.max_body)  # fmt: skip
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > limit:
                    await _send_problem(send, scope, _too_large(limit))
                    return
        seen = 0
        answered = False

        async def counted() -> dict:
            # Past the limit, answer 413 ourselves and tell the app the client left, so
            # whatever it was parsing stops; its own late answer is dropped below.
            nonlocal seen, answered
            if answered:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    answered = True
                    await _send_problem(send, scope, _too_large(limit))
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: dict) -> None:
            if not answered:
                await send(message)

        await self.app(scope, counted, guarded_send)


def _too_large(limit: int) -> Problem:
    return Problem(413, "Content too large", f"the body exceeds {limit} bytes",
                   kind="too-large", limit=limit)  # fmt: skip


async def _send_problem(send: Callable, scope: dict, problem: Problem) -> None:
    body = json.dumps(problem.body(scope["path"])).encode()
    await send({"type": "http.response.start", "status": problem.status,
                "headers": [(b"content-type", b"application/problem+json"),
                            (b"content-length", str(len(body)).encode())]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})


# ---- helpers --------------------------------------------------------------------------
_bearer = HTTPBearer(auto_error=False, description="token from `cop-app token create`")


def _principal(request: Request,
               creds: HTTPAuthorizationCredentials | None = Security(_bearer)) -> Principal:  # noqa: B008  # fmt: skip
    header = f"Bearer {creds.credentials}" if creds else request.headers.get("authorization")
    return principal_from_header(request.app.state.pipeline.storage, header)


def need(role: str) -> Callable[..., Principal]:
    def dependency(principal: Principal = Depends(_principal)) -> Principal:  # noqa: B008
        if not principal.may(role):
            raise forbidden(principal, role)
        return principal

    dependency.__name__ = f"need_{role}"
    return dependency


def _pipeline(request: Request) -> Pipeline:
    return request.app.state.pipeline


def _json(text: str, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(text, status_code=status, media_type="application/json", headers=headers)


def _page(rows: list[tuple[str, str]], limit: int, seq: int) -> Response:
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = _encode_cursor(rows[-1][0], seq) if more else None
    items = ",".join(body for _id, body in rows)
    return _json(f'{{"items":[{items}],"next_cursor":{json.dumps(cursor)},"seq":{seq}}}')


def _b64json(obj: Any) -> str:
    raw = json.dumps(obj, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64json(cursor: str) -> Any:
    try:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise _bad_cursor() from None


def _bad_cursor() -> Problem:
    return Problem(400, "Bad request", "the cursor is not one this server issued",
                   kind="bad-cursor")  # fmt: skip


def _encode_cursor(last_id: str, seq: int) -> str:
    return _b64json({"k": last_id, "s": seq})


def _decode_cursor(cursor: str | None, storage: Storage) -> tuple[str | None, int]:
    if not cursor:
        return None, storage.last_seq()
    data = _unb64json(cursor)
    try:
        last_id, seq = data["k"], data["s"]
    except (KeyError, TypeError):
        raise _bad_cursor() from None
    if not isinstance(last_id, str) or not isinstance(seq, int) or isinstance(seq, bool):
        raise _bad_cursor()
    return last_id, seq


def _decode_history_cursor(cursor: str | None) -> tuple[float, str] | None:
    """(time, track id) of the last fix sent; None: from the start of the window."""
    if not cursor:
        return None
    data = _unb64json(cursor)
    try:
        t, last_id = data["t"], data["k"]
    except (KeyError, TypeError):
        raise _bad_cursor() from None
    if not isinstance(last_id, str) or not isinstance(t, int | float) or isinstance(t, bool):
        raise _bad_cursor()
    return float(t), last_id


def _bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    try:
        w, s, e, n = (float(p) for p in text.split(","))
    except ValueError:
        raise _invalid("bbox", "expected west,south,east,north in degrees") from None
    if not (-180 <= w <= 180 and -180 <= e <= 180 and -90 <= s <= n <= 90):
        raise _invalid("bbox", "out of range (west/east -180..180, south <= north, -90..90)")
    return w, s, e, n


def _invalid(where: str, reason: str) -> Problem:
    return Problem(422, "Invalid request", reason, kind="invalid-request",
                   errors=[{"location": f"query.{where}", "reason": reason}])  # fmt: skip


def _epoch(dt: datetime | None) -> float | None:
    return None if dt is None else from_datetime(dt)


def _not_found(what: str, rid: str) -> Problem:
    return Problem(404, "Not found", f"no {what} with id {rid!r}", kind="not-found")


P401 = {"model": m.Problem, "description": "missing, unknown or revoked token"}
P403 = {"model": m.Problem, "description": "the token's role may not do this"}
P404 = {"model": m.Problem, "description": "no such record"}
P400 = {"model": m.Problem, "description": "bad cursor"}
P413 = {"model": m.Problem, "description": "body too large"}
P422 = {"model": m.Problem, "description": "request does not match the contract"}
READ = {401: P401, 403: P403, 422: P422}
PAGED = {**READ, 400: P400}
WRITE = {**READ, 400: {"model": m.Problem, "description": "the body is not valid JSON"},
         413: P413}

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="page size")]
Cursor = Annotated[str | None, Query(max_length=1000, description="opaque, from next_cursor")]
BBox = Annotated[str | None, Query(description="west,south,east,north (WGS84 degrees)",
                                   examples=["30.0,44.0,40.0,50.0"])]  # fmt: skip
Since = Annotated[datetime | None, Query(description="UTC ISO 8601")]


# ---- the app ---------------------------------------------------------------------------
def create_app(pipeline: Pipeline | None = None, config: ServerConfig | None = None) -> FastAPI:
    config = config or ServerConfig()
    notifier = Notifier()

    async def lifespan(app: FastAPI):
        notifier.bind(asyncio.get_running_loop())
        if app.state.pipeline is not None:
            app.state.pipeline.subscribe(notifier.publish)
        yield

    app = FastAPI(
        title="cop-app verification API",
        version="1.0.0",
        summary="Tracks, land reports with their verification trail, zones, alerts and "
                "an ordered changes log for a ceasefire monitoring mission.",
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url="/v1/openapi.json",
        docs_url="/v1/docs",
        redoc_url=None,
        generate_unique_id_function=lambda route: route.name,
    )
    app.state.pipeline = pipeline
    app.state.config = config
    app.state.notifier = notifier
    install(app)
    # Level 5: most of the size win of 9 at a fraction of the CPU for 10k-record pages.
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=5)
    app.add_middleware(BodyLimit, config=config)
    _routes(app, config, notifier)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


DESCRIPTION = """\
The verification API of cop-app: the contract between the desktop common operating
picture and the service that holds the mission's picture.

* Authentication: `Authorization: Bearer <token>` (`cop-app token create --role ROLE`).
  Roles: viewer < observer < verifier; feeder may only ingest; admin may do all.
* Times are UTC ISO 8601 strings; positions WGS84 degrees.
* Errors are RFC 9457 `application/problem+json`.
* Lists are paged with opaque cursors and report the high-water `seq`. To mirror the
  picture: page through `/v1/tracks` and `/v1/reports`, then read
  `/v1/changes?after=<seq of the first page>` and follow `/v1/stream`. Every create,
  update and delete carries a strictly increasing `seq`; applying a record whose seq
  is not above the one held is a no-op, so replays are harmless.
* A `410` from `/v1/changes` means the log was pruned past `after`: sync afresh.
"""


def _routes(app: FastAPI, config: ServerConfig, notifier: Notifier) -> None:
    Viewer = Annotated[Principal, Depends(need("viewer"))]
    Observer = Annotated[Principal, Depends(need("observer"))]
    Verifier = Annotated[Principal, Depends(need("verifier"))]
    Feeder = Annotated[Principal, Depends(need("feeder"))]
    Admin = Annotated[Principal, Depends(need("admin"))]
    Pipe = Annotated[Pipeline, Depends(_pipeline)]

    @app.get("/v1/health", response_model=m.Health, tags=["service"],
             responses={200: {"description": "the server is up"}},
             summary="Liveness and the current high-water seq (no token needed)")  # fmt: skip
    def health(pipe: Pipe) -> m.Health:
        return m.Health(version=__version__, seq=pipe.last_seq, time=format_iso(now()))

    @app.get("/v1/me", response_model=m.Me, tags=["service"],
             responses={200: {"description": "who the token says you are"}, 401: P401},
             summary="The caller's token and roles")  # fmt: skip
    def me(principal: Annotated[Principal, Depends(_principal)]) -> m.Me:
        roles = [m.Role(r) for r in ROLES if role_allows(principal.role, r)]
        return m.Me(token_id=principal.token_id, name=principal.name,
                    role=m.Role(principal.role), roles=roles)  # fmt: skip

    # ---- tracks ----------------------------------------------------------------------
    @app.get("/v1/tracks", response_model=None, tags=["tracks"],
             responses={200: {"model": m.TrackPage, "description": "a page of tracks"},
                        **PAGED},
             summary="Current state of tracks, by id")  # fmt: skip
    def tracks(
        _: Viewer, pipe: Pipe,
        domain: Annotated[m.DomainName | None, Query()] = None,
        bbox: BBox = None, updated_since: Since = None, limit: Limit = 1000,
        cursor: Cursor = None,
    ) -> Response:  # fmt: skip
        storage = pipe.storage
        after, seq = _decode_cursor(cursor, storage)
        rows = storage.track_page(after_id=after, limit=limit + 1, domain=domain,
                                  bbox=_bbox(bbox),
                                  updated_since=_epoch(updated_since))  # fmt: skip
        return _page(rows, limit, seq)

    @app.get("/v1/tracks/{track_id}", response_model=None, tags=["tracks"],
             responses={200: {"model": m.Track, "description": "the track"}, **READ, 404: P404},
             summary="One track's current state")  # fmt: skip
    def track(_: Viewer, pipe: Pipe, track_id: Annotated[str, Path(max_length=200)]) -> Response:
        body = pipe.storage.track_body(track_id)
        if body is None:
            raise _not_found("track", track_id)
        return _json(body)

    @app.get("/v1/tracks/{track_id}/history", response_model=m.TrackHistory, tags=["tracks"],
             responses={200: {"description": "the fixes, at most `limit` (the newest)"},
                        **READ, 404: P404},
             summary="A track's kept fixes in a time window, oldest first")  # fmt: skip
    def history(
        _: Viewer, pipe: Pipe, track_id: Annotated[str, Path(max_length=200)],
        start: Since = None, end: Since = None, limit: Limit = 10_000,
    ) -> m.TrackHistory:  # fmt: skip
        if pipe.storage.track_body(track_id) is None:
            raise _not_found("track", track_id)
        rows = pipe.storage.track_history(track_id, _epoch(start), _epoch(end), limit)
        return m.TrackHistory(id=track_id, points=[
            m.HistoryPoint(time=format_iso(t), lat=la, lon=lo) for t, la, lo in rows])  # fmt: skip

    @app.get("/v1/history", response_model=None, tags=["tracks"],
             responses={200: {"model": m.HistoryPage, "description": "a page of fixes"},
                        **PAGED},
             summary="Every track's kept fixes in a time window, oldest first")  # fmt: skip
    def history_window(
        _: Viewer, pipe: Pipe,
        start: Annotated[datetime, Query(description="UTC ISO 8601, inclusive")],
        end: Annotated[datetime, Query(description="UTC ISO 8601, inclusive")],
        domain: Annotated[m.DomainName | None, Query()] = None,
        bbox: BBox = None, limit: Limit = 10_000, cursor: Cursor = None,
    ) -> Response:  # fmt: skip
        """For replay older than a client's own history: one paged read of the window
        instead of one request per track. Fixes are ordered by (time, id), so a client
        knows how far through the window it is from the last fix of each page."""
        t0, t1 = from_datetime(start), from_datetime(end)
        if t1 < t0:
            raise _invalid("end", "end is before start")
        after = _decode_history_cursor(cursor)
        rows = pipe.storage.history_window(
            t0, t1, after=after, limit=limit + 1, bbox=_bbox(bbox),
            domain=domain)  # fmt: skip
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = _b64json({"t": rows[-1][1], "k": rows[-1][0]}) if more else None
        items = [{"id": tid, "time": format_iso(t), "lat": la, "lon": lo}
                 for tid, t, la, lo in rows]  # fmt: skip
        return _json(json.dumps({"items": items, "next_cursor": next_cursor},
                                separators=(",", ":")))  # fmt: skip

    # ---- reports -------------------------------------------------------------------------
    @app.get("/v1/reports", response_model=None, tags=["reports"],
             responses={200: {"model": m.ReportPage, "description": "a page of reports"},
                        **PAGED},
             summary="Land reports with their verification status and trail")  # fmt: skip
    def reports(
        _: Viewer, pipe: Pipe,
        status: Annotated[m.VerificationStatus | None, Query()] = None,
        event_type: Annotated[m.EventType | None, Query()] = None,
        start: Since = None, end: Since = None, bbox: BBox = None,
        min_reliability: Annotated[str | None, Query(
            pattern=r"^[A-F]$",
            description="A (best) .. F; reports at least this reliable")] = None,
        limit: Limit = 1000, cursor: Cursor = None,
    ) -> Response:  # fmt: skip
        storage = pipe.storage
        after, seq = _decode_cursor(cursor, storage)
        rows = storage.report_page(
            after_id=after, limit=limit + 1, status=status.value if status else None,
            event_type=event_type.value if event_type else None, start=_epoch(start),
            end=_epoch(end), bbox=_bbox(bbox), min_reliability=min_reliability)  # fmt: skip
        return _page(rows, limit, seq)

    @app.get("/v1/reports/{report_id}", response_model=None, tags=["reports"],
             responses={200: {"model": m.Report, "description": "the report and its trail"},
                        **READ, 404: P404},
             summary="One report with its verification trail")  # fmt: skip
    def report(_: Viewer, pipe: Pipe,
               report_id: Annotated[str, Path(max_length=200)]) -> Response:  # fmt: skip
        body = pipe.storage.report_body(report_id)
        if body is None:
            raise _not_found("report", report_id)
        return _json(body)

    @app.post("/v1/reports", status_code=201, response_model=None, tags=["reports"],
              responses={201: {"model": m.Report, "description": "created"}, **WRITE,
                         409: {"model": m.Problem, "description": "the id exists"}},
              summary="File a new report (observer)")  # fmt: skip
    def create_report(principal: Observer, pipe: Pipe, body: m.ReportCreate) -> Response:
        try:
            t = parse_iso(body.time)
        except ValueError:
            raise _invalid("time", "time must be ISO 8601") from None
        fields: dict[str, Any] = {"event_type": body.event_type.value, "title": body.title,
                                  "text": body.text}  # fmt: skip
        for name in ("perception", "count", "reliability", "credibility"):
            value = getattr(body, name)
            if value is not None:
                fields[name] = value
        update = ReportUpdate(id=body.id or "", source=principal.name, time=t, lat=body.lat,
                              lon=body.lon, fields=fields)  # fmt: skip
        try:
            record = pipe.create_report(update)
        except ReportExists:
            raise Problem(409, "Conflict", f"report {body.id!r} exists", kind="exists") from None
        return _json(json.dumps(record, ensure_ascii=False), 201,
                     {"Location": f"/v1/reports/{record['id']}"})  # fmt: skip

    @app.post("/v1/reports/{report_id}/transitions", response_model=None, tags=["reports"],
              responses={200: {"model": m.Report, "description": "the report after the step"},
                         **WRITE, 404: P404,
                         409: {"model": m.Problem,
                               "description": "illegal transition; `allowed` lists legal ones"}},
              summary="One audited verification step (verifier)")  # fmt: skip
    def transition(principal: Verifier, pipe: Pipe,
                   report_id: Annotated[str, Path(max_length=200)],
                   body: m.TransitionRequest) -> Response:  # fmt: skip
        try:
            record = pipe.transition_report(report_id, body.to, principal.name, body.rationale)
        except KeyError:
            raise _not_found("report", report_id) from None
        except IllegalTransition as exc:
            raise Problem(409, "Illegal transition", str(exc), kind="illegal-transition",
                          current=exc.current.value,
                          allowed=[s.value for s in exc.allowed]) from None  # fmt: skip
        return _json(json.dumps(record, ensure_ascii=False))

    # ---- zones -------------------------------------------------------------------------
    @app.get("/v1/zones", response_model=None, tags=["zones"],
             responses={200: {"model": m.ZoneCollection,
                              "description": "GeoJSON FeatureCollection of zones"}, **READ},
             summary="Ceasefire lines, buffers, corridors and airspace, with versions and "
                     "validity periods")  # fmt: skip
    def zones(_: Viewer, pipe: Pipe) -> Response:
        seq = pipe.last_seq
        feats = ",".join(pipe.storage.zone_bodies())
        return _json(f'{{"type":"FeatureCollection","features":[{feats}],"seq":{seq}}}')

    @app.put("/v1/zones", response_model=None, tags=["zones"],
             responses={200: {"model": m.ZoneCollection, "description": "the stored zones"},
                        **READ, 413: P413},
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/geo+json": {"schema": {"type": "object"}},
                 "application/json": {"schema": {"type": "object"}}}}},
             summary="Replace the zone set (admin); changed zones get a new version")  # fmt: skip
    async def put_zones(_: Admin, request: Request) -> Response:
        pipe: Pipeline = request.app.state.pipeline
        try:
            doc = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            raise Problem(422, "Invalid request", "the body is not JSON",
                          kind="invalid-request") from None  # fmt: skip
        try:
            await run_in_threadpool(pipe.put_zones, doc)
        except ZoneError as exc:
            raise Problem(422, "Invalid request", str(exc), kind="invalid-zone") from None
        return zones(_, pipe)

    # ---- alerts -------------------------------------------------------------------------
    @app.get("/v1/alerts", response_model=None, tags=["alerts"],
             responses={200: {"model": m.AlertPage, "description": "a page of alerts"},
                        **PAGED},
             summary="Alerts raised by the rules (the Alerts issue fills the rules)")  # fmt: skip
    def alerts(
        _: Viewer, pipe: Pipe,
        state: Annotated[m.AlertStateName | None, Query()] = None,
        limit: Limit = 1000, cursor: Cursor = None,
    ) -> Response:  # fmt: skip
        after, seq = _decode_cursor(cursor, pipe.storage)
        return _page(pipe.storage.alert_page(after_id=after, limit=limit + 1, state=state),
                     limit, seq)  # fmt: skip

    @app.get("/v1/alerts/{alert_id}", response_model=None, tags=["alerts"],
             responses={200: {"model": m.Alert, "description": "the alert with its trail"},
                        **READ, 404: P404},
             summary="One alert with its audit trail (who acknowledged or snoozed, "
                     "when)")  # fmt: skip
    def alert(_: Viewer, pipe: Pipe,
              alert_id: Annotated[str, Path(max_length=200)]) -> Response:  # fmt: skip
        body = pipe.storage.alert_row(alert_id)
        if body is None:
            raise _not_found("alert", alert_id)
        return _json(body[1])

    @app.post("/v1/alerts/{alert_id}/ack", response_model=None, tags=["alerts"],
              responses={200: {"model": m.Alert, "description": "the alert after the step"},
                         **WRITE, 404: P404,
                         409: {"model": m.Problem, "description": "snooze of a cleared alert"}},
              summary="Acknowledge or snooze an alert, its (subject, rule) or its rule "
                      "(observer); acknowledging is idempotent")  # fmt: skip
    def ack(principal: Observer, pipe: Pipe, alert_id: Annotated[str, Path(max_length=200)],
            body: m.AckRequest | None = None) -> Response:  # fmt: skip
        body = body or m.AckRequest()
        if body.action == "snooze" and body.minutes is None:
            raise Problem(422, "Invalid request", "a snooze needs minutes",
                          kind="invalid-request")  # fmt: skip
        try:
            record = pipe.ack_alert(alert_id, principal.name, body.note, action=body.action,
                                    scope=body.scope, minutes=body.minutes)  # fmt: skip
        except KeyError:
            raise _not_found("alert", alert_id) from None
        except AlertClosed as exc:
            raise Problem(409, "Alert cleared", str(exc), kind="alert-cleared") from None
        return _json(json.dumps(record, ensure_ascii=False))

    # ---- changes ------------------------------------------------------------------------
    @app.get("/v1/changes", response_model=None, tags=["changes"],
             responses={200: {"model": m.ChangePage, "description": "changes in seq order"},
                        **READ, 410: {"model": m.Problem,
                                      "description": "the log was pruned past `after`"}},
             summary="The ordered log of every create, update and delete")  # fmt: skip
    def changes(
        _: Viewer, pipe: Pipe,
        after: Annotated[int, Query(ge=0, le=2**62, description="last seq held")] = 0,
        limit: Limit = 1000,
    ) -> Response:  # fmt: skip
        storage = pipe.storage
        _check_floor(storage, after)
        seq = storage.last_seq()
        rows = storage.changes_after(after, limit)
        next_after = rows[-1].seq if rows else after
        items = ",".join(change_json(r) for r in rows)
        # The true high-water: an ``after`` beyond it (a client of a reset server) shows
        # as next_after > seq instead of being echoed back as if it existed.
        high = max(seq, rows[-1].seq) if rows else seq
        return _json(f'{{"items":[{items}],"next_after":{next_after},"seq":{high}}}')

    @app.get("/v1/stream", response_class=StreamingResponse, tags=["changes"],
             responses={200: {"description": "`text/event-stream`: `retry:` hint, then one "
                              "`event: change` per change with `id:` = seq and the change "
                              "JSON as `data:`; `: heartbeat` comments when idle. Starts after "
                              "`Last-Event-ID` (header, wins) or `?after=`; with neither, "
                              "at the current seq",
                              "content": {"text/event-stream": {"schema": {"type": "string"}}}},
                        **READ, 410: {"model": m.Problem,
                                      "description": "the log was pruned past the resume point"}},
             summary="Server-Sent Events of the changes log; resumes after "
                     "Last-Event-ID")  # fmt: skip
    def stream(
        _: Viewer, pipe: Pipe,
        after: Annotated[int | None, Query(ge=0, le=2**62,
                                           description="resume after this seq")] = None,
        last_event_id: Annotated[str | None, Header(max_length=40)] = None,
    ) -> StreamingResponse:  # fmt: skip
        start = after
        if last_event_id is not None and last_event_id.strip().isdigit():
            start = int(last_event_id.strip())  # a reconnecting EventSource: the header wins
        if start is None:
            start = pipe.last_seq  # a new stream starts at now
        _check_floor(pipe.storage, start)
        return StreamingResponse(
            change_events(pipe.storage, notifier, start, heartbeat_s=config.heartbeat_s,
                          poll_s=config.poll_s, retry_ms=config.retry_ms),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )  # fmt: skip

    # ---- ingest --------------------------------------------------------------------------
    @app.post("/v1/ingest/{format}", response_model=m.IngestResult, tags=["ingest"],
              responses={200: {"description": "what was parsed and stored; bad input is "
                                               "counted in `rejected`, never a 4xx"},
                         **READ, 413: P413},
              openapi_extra={"requestBody": {"required": True, "description": (
                  "the raw feed as a receiver emits it: NMEA sentences, SBS-1 lines, a "
                  "dump1090 aircraft.json, CoT XML events, a GeoJSON or KML/KMZ document"),
                  "content": {"text/plain": {"schema": {"type": "string"}},
                              "application/octet-stream": {"schema": {
                                  "type": "string", "format": "binary"}}}}},
              summary="Feed raw receiver output through the ingest (feeder)")  # fmt: skip
    async def ingest(principal: Feeder, request: Request, format: m.IngestFormat,
                     source: Annotated[str | None, Query(max_length=100, description=(
                         "source name kept on the records; default the token's name"))] = None,
                     ) -> m.IngestResult:  # fmt: skip
        pipe: Pipeline = request.app.state.pipeline
        data = await request.body()
        result = await run_in_threadpool(pipe.ingest_text, format.value, data,
                                         source or principal.name)  # fmt: skip
        return m.IngestResult(**result.as_dict())


def _check_floor(storage: Storage, after: int) -> None:
    floor = storage.changes_floor()
    if after < floor:
        raise Problem(410, "Gone", f"changes up to seq {floor} were pruned; sync afresh",
                      kind="resync", floor=floor)  # fmt: skip


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, with every error as application/problem+json and FastAPI's
    own validation-error schemas replaced by Problem."""
    if app.openapi_schema:
        return app.openapi_schema
    from fastapi.openapi.utils import get_openapi

    doc = get_openapi(title=app.title, version=app.version, summary=app.summary,
                      description=app.description, routes=app.routes)  # fmt: skip
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    for path_item in doc.get("paths", {}).values():
        for op in path_item.values():
            for code, resp in op.get("responses", {}).items():
                if code.isdigit() and int(code) >= 400:
                    resp["content"] = {"application/problem+json": {"schema": problem_ref}}
                    if int(code) == 422:
                        resp["description"] = P422["description"]
                if code == "401":
                    resp["headers"] = {"WWW-Authenticate": {
                        "description": "Bearer challenge", "schema": {"type": "string"}}}
    schemas = doc.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    doc["servers"] = [{"url": "/", "description": "this server"}]
    app.openapi_schema = doc
    return doc
