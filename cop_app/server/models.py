"""Wire schemas of the verification API v1: the source of ``resources/api/openapi.yaml``.

The descriptions here are the contract's prose, because the YAML is generated from
the app (``python -m cop_app.server.contract --write``) and a test fails on drift.
Records allow extra members: a client must ignore keys it does not know, so the
server can add fields without a new API version.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cop_app.core.enums import EventType
from cop_app.core.verification import VerificationStatus

DomainName = Literal["air", "sea", "land"]
AlertStateName = Literal["new", "acknowledged", "snoozed", "cleared"]


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Problem(_Open):
    """RFC 9457 problem details. Extension members: ``errors`` (invalid requests),
    ``allowed`` (409 on an illegal transition), ``needed_role`` (403)."""

    type: str = Field(description="URI reference naming the problem type", examples=[
        "tag:cop-app,2025:problem/illegal-transition"])  # fmt: skip
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    version: str = Field(description="cop-app version of the server")
    api: Literal["v1"] = "v1"
    seq: int = Field(description="current high-water seq of the changes log")
    time: str = Field(description="server time, UTC ISO 8601", json_schema_extra={
        "format": "date-time"})  # fmt: skip


class Role(StrEnum):
    VIEWER = "viewer"
    OBSERVER = "observer"
    VERIFIER = "verifier"
    FEEDER = "feeder"
    ADMIN = "admin"


class Me(BaseModel):
    token_id: str
    name: str
    role: Role
    roles: list[Role] = Field(description="every role whose permissions this token has")


class Track(_Open):
    """Current state of one air, sea or ground track (``cop_app.core.records``)."""

    kind: Literal["track"] = "track"
    id: str = Field(description="merge identity: icao:<hex>, mmsi:<9 digits> or cot:<uid>",
                    examples=["icao:4ca7b2", "mmsi:271000123"])  # fmt: skip
    domain: DomainName
    lat: float | None = None
    lon: float | None = None
    time: str | None = Field(None, description="time of the last report, UTC ISO 8601")
    sources: list[str] = []
    version: int = Field(description="bumps on every stored change of this record")
    updated_at: str = Field(description="when the server stored this version")
    seq: int = Field(description="seq of the change that wrote this version")


class TrackPage(BaseModel):
    items: list[Track]
    next_cursor: str | None = Field(
        description="opaque; pass as ?cursor= for the next page, null on the last page")
    seq: int = Field(description=(
        "high-water seq when the first page was read; after the last page continue "
        "with /v1/changes?after=seq (records changed meanwhile come again there)"))


class HistoryPoint(BaseModel):
    time: str
    lat: float
    lon: float


class TrackHistory(BaseModel):
    id: str
    points: list[HistoryPoint] = Field(description="fixes oldest first (pruned by retention)")


class HistoryFix(BaseModel):
    id: str = Field(description="the track's id")
    time: str
    lat: float
    lon: float


class HistoryPage(BaseModel):
    items: list[HistoryFix] = Field(description="fixes ordered by (time, id)")
    next_cursor: str | None = Field(
        description="opaque; pass as ?cursor= for the next page, null on the last page")


class TrailEntry(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: VerificationStatus | None = Field(alias="from",
                                             description="null for the creation entry")
    to: VerificationStatus
    actor: str
    time: str
    rationale: str


class Report(_Open):
    """A land report with its verification status and complete audited trail."""

    kind: Literal["report"] = "report"
    id: str
    domain: Literal["land"] = "land"
    lat: float | None = None
    lon: float | None = None
    time: str | None = None
    status: VerificationStatus
    event_type: EventType
    sources: list[str] = []
    reliability: str | None = Field(None, description="source reliability A-F (admiralty)")
    credibility: int | None = Field(None, description="information credibility 1-6")
    source_status: str | None = Field(
        None, description="a status the feed or file claimed; never the report's own: "
        "only a verifier's transition moves a report on")
    version: int
    updated_at: str
    seq: int
    trail: list[TrailEntry]


class ReportPage(BaseModel):
    items: list[Report]
    next_cursor: str | None
    seq: int


class ReportCreate(BaseModel):
    """A new report from an observer; it starts in status ``reported``."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(None, min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$",
                           description="client id; the server makes one when absent")
    event_type: EventType
    time: str = Field(description="UTC ISO 8601", examples=["2026-03-01T06:40:00Z"])
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    title: str = Field("", max_length=500)
    text: str = Field("", max_length=20000)
    perception: Literal["seen", "heard", "recorded"] | None = None
    count: int | None = Field(None, ge=0, le=1_000_000)
    reliability: str | None = Field(None, pattern=r"^[A-F]$")
    credibility: int | None = Field(None, ge=1, le=6)


class TransitionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: VerificationStatus
    rationale: str = Field(min_length=1, max_length=5000,
                           description="why; kept in the audited trail")  # fmt: skip


class ZoneProperties(_Open):
    id: str
    kind: str = Field(description="ceasefire_line, buffer, corridor, restricted_airspace, ...")
    name: str = ""
    version: int
    valid_from: str | None = Field(description="start of validity, UTC ISO 8601; null: always")
    valid_to: str | None = Field(description="end of validity (exclusive); null: open")
    updated_at: str
    seq: int


class ZoneFeature(BaseModel):
    type: Literal["Feature"] = "Feature"
    id: str
    geometry: dict[str, Any] = Field(description="GeoJSON geometry, WGS84")
    properties: ZoneProperties


class ZoneCollection(BaseModel):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[ZoneFeature]
    seq: int


class AlertTrailEntry(_Open):
    """One step of an alert's life: raised, ack, snooze, snooze_ended, severity, cleared."""

    action: str = Field(examples=["raised", "ack", "snooze", "snooze_ended", "cleared"])
    actor: str = Field(description="the token's name, or `system` for the rules")
    time: str
    note: str = ""
    scope: Literal["alert", "subject", "rule"] | None = None
    until: str | None = Field(None, description="end of a snooze, UTC ISO 8601")


class Alert(_Open):
    """At most one open (not cleared) alert per (subject, rule). It clears on its own
    once its condition has been false for the server's hold time (default 10 min)."""

    kind: Literal["alert"] = "alert"
    id: str
    rule: str = Field(description="ais_gap, air_zone_entry, emergency_squawk, ...")
    severity: Literal["low", "medium", "high", "critical"]
    subject: str = Field(description="track id, report id or zone id")
    time: str = Field(description="when the condition was observed (the fix's time)")
    lat: float | None = None
    lon: float | None = None
    state: AlertStateName
    message: str = ""
    zone: str | None = Field(None, description="the zone involved, if any")
    details: dict[str, Any] | None = Field(None, description=(
        "rule facts, e.g. for ais_gap silent_at/silent_lat/silent_lon and "
        "back_at/back_lat/back_lon"))
    acknowledged_by: str | None = None
    acknowledged_at: str | None = None
    snoozed_until: str | None = None
    cleared_at: str | None = None
    trail: list[AlertTrailEntry] = Field(default_factory=list, description=(
        "audit of every step with actor and time"))
    version: int
    updated_at: str
    seq: int


class AlertPage(BaseModel):
    items: list[Alert]
    next_cursor: str | None
    seq: int


class AckRequest(BaseModel):
    """``ack`` acknowledges; ``snooze`` mutes for ``minutes``. Scope ``alert``: this
    alert; ``subject``: this (subject, rule), including alerts raised during a snooze;
    ``rule``: every alert of this rule (and, for a snooze, new ones meanwhile)."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["ack", "snooze"] = "ack"
    scope: Literal["alert", "subject", "rule"] = "alert"
    minutes: float | None = Field(None, gt=0, le=10080, description=(
        "snooze length (required for a snooze; at most 7 days)"))
    note: str = Field("", max_length=2000)


class ChangeKind(StrEnum):
    TRACK = "track"
    REPORT = "report"
    ZONE = "zone"
    ALERT = "alert"


class Change(BaseModel):
    seq: int = Field(description="strictly increasing over all records; SSE `id:` carries it")
    time: str
    kind: ChangeKind
    op: Literal["upsert", "delete"]
    id: str
    record: Track | Report | ZoneFeature | Alert | None = Field(
        description="the record as written (shape by kind); null for a delete")


class ChangePage(BaseModel):
    items: list[Change]
    next_after: int = Field(description="pass as ?after= to continue (the last seq returned)")
    seq: int = Field(description=(
        "high-water seq; caught up when next_after >= seq (next_after > seq: the client "
        "is ahead of this server, e.g. the server's database was replaced: sync afresh)"))


class IngestErrorItem(BaseModel):
    location: str = Field(examples=["line 12"])
    reason: str
    excerpt: str = ""


class IngestResult(BaseModel):
    format: str
    accepted: int = Field(description="updates parsed from the body")
    rejected: int = Field(description="pieces of input that could not be used")
    tracks_changed: int
    reports_changed: int
    seq: int = Field(description="high-water seq after this ingest")
    errors: list[IngestErrorItem] = Field(description="the first 100 parse errors")


class IngestFormat(StrEnum):
    NMEA = "nmea"
    SBS = "sbs"
    AIRCRAFT_JSON = "aircraft-json"
    COT = "cot"
    GEOJSON = "geojson"
    KML = "kml"
