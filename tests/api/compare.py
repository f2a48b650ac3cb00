"""Field-by-field comparison of a client Picture with what the server serves."""

from __future__ import annotations

from typing import Any

from cop_app.api.http import ApiClient
from cop_app.core.picture import Picture
from cop_app.core.records import report_record, track_record

_SERVER_ONLY = ("version", "updated_at", "seq")


def server_state(client: ApiClient) -> tuple[dict[str, dict], dict[str, dict]]:
    tracks = {r["id"]: r for r in client.items("/v1/tracks", limit=5000)}
    reports = {r["id"]: r for r in client.items("/v1/reports", limit=5000)}
    return tracks, reports


def _strip(rec: dict[str, Any], *extra: str) -> dict[str, Any]:
    return {k: v for k, v in rec.items() if k not in (*_SERVER_ONLY, *extra)}


def differences(picture: Picture, client: ApiClient) -> list[str]:
    """Every disagreement between ``picture`` and the server (empty when equal)."""
    tracks, reports = server_state(client)
    out: list[str] = []
    mine = set(picture.keys())
    if mine != set(tracks):
        out.append(f"track ids differ: only client {sorted(mine - set(tracks))[:5]}, "
                   f"only server {sorted(set(tracks) - mine)[:5]}")  # fmt: skip
    for key in sorted(mine & set(tracks)):
        got, want = track_record(picture.track(key)), _strip(tracks[key])
        if got != want:
            out.append(f"track {key}: client {got} != server {want}")
    ids = {r.id for r in picture.reports()}
    if ids != set(reports):
        out.append(f"report ids differ: {sorted(ids ^ set(reports))[:5]}")
    for rid in sorted(ids & set(reports)):
        rep = picture.report(rid)
        got, want = report_record(rep), _strip(reports[rid], "trail")
        if got != want:
            out.append(f"report {rid}: client {got} != server {want}")
        if rep.version != reports[rid]["version"]:
            out.append(f"report {rid}: version {rep.version} != {reports[rid]['version']}")
        trail = [(t.to_status.value, t.actor, t.rationale) for t in rep.trail]
        want_trail = [(t["to"], t["actor"], t["rationale"]) for t in reports[rid]["trail"]]
        if trail != want_trail:
            out.append(f"report {rid}: trail {trail} != {want_trail}")
    return out


def all_seqs(client: ApiClient) -> list[int]:
    """Every seq in the server's changes log, in order."""
    seqs: list[int] = []
    after = 0
    while True:
        page = client.get("/v1/changes", after=after, limit=5000)
        seqs += [c["seq"] for c in page["items"]]
        if not page["items"] or page["next_after"] >= page["seq"]:
            return seqs
        after = page["next_after"]


def high_water(client: ApiClient) -> int:
    return int(client.get("/v1/changes", after=0, limit=1)["seq"])
