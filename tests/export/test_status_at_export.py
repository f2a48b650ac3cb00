"""An export of a past moment writes each report's verification status as it was then
(its audited trail), as the replaying map shows it; the snapshot legend counts agree."""

from __future__ import annotations

import json

from cop_app.core.entities import LandReport
from cop_app.core.enums import EventType
from cop_app.core.picture import Picture
from cop_app.core.verification import Transition
from cop_app.core.verification import VerificationStatus as S
from cop_app.export import write
from cop_app.export.selection import select
from tests.export.conftest import T0

H = 3600.0


def report(rid: str, *steps: tuple[S, S, float]) -> LandReport:
    trail = [Transition(a, b, "vera", t, "test") for a, b, t in steps]
    return LandReport(id=rid, time=T0 - 3 * H, lat=47.9, lon=37.7, status=steps[-1][1],
                      event_type=EventType.EXPLOSION, trail=trail)  # fmt: skip


def picture() -> Picture:
    pic = Picture()
    pic.restore_report(report("verified-at-T0", (S.REPORTED, S.REPORTED, T0 - 3 * H),
                              (S.REPORTED, S.TRIAGED, T0 - 2 * H),
                              (S.TRIAGED, S.UNDER_VERIFICATION, T0 - H),
                              (S.UNDER_VERIFICATION, S.CORROBORATED, T0 - H / 2),
                              (S.CORROBORATED, S.VERIFIED, T0)))  # fmt: skip
    pic.restore_report(report("rejected-at-T0", (S.REPORTED, S.REPORTED, T0 - 3 * H),
                              (S.REPORTED, S.TRIAGED, T0 - 2 * H),
                              (S.TRIAGED, S.UNDER_VERIFICATION, T0 - H),
                              (S.UNDER_VERIFICATION, S.REJECTED, T0)))  # fmt: skip
    return pic


def statuses(pic: Picture, tmp_path, at: float) -> dict[str, str]:
    path = tmp_path / f"at{int(at)}.geojson"
    write("geojson", pic, path, at=at, layers={"reports"})
    doc = json.loads(path.read_text("utf-8"))
    return {f["id"]: f["properties"]["status"] for f in doc["features"]}


def test_an_export_of_an_earlier_moment_writes_the_status_then(tmp_path):
    pic = picture()
    assert statuses(pic, tmp_path, T0 - 1.5 * H) == {"verified-at-T0": "triaged",
                                                     "rejected-at-T0": "triaged"}
    # After T0 the rejection hides that report, as on the map; the other is verified.
    assert statuses(pic, tmp_path, T0 + H) == {"verified-at-T0": "verified"}
    # The picture itself is untouched: its reports keep their latest status.
    assert {str(r.status) for r in pic.reports()} == {"verified", "rejected"}


def test_the_selection_every_format_reads_carries_the_status_then():
    sel = select(picture(), at=T0 - 0.75 * H, window=None, layers={"reports"}, bbox=None)
    assert sorted(str(r.status) for r in sel.reports) == ["under_verification"] * 2
