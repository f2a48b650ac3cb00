"""A report's verification status at a past time, read from its audited trail.

Spec (cop_app/core/verification.py, shared/ARCHITECTURE.md): reported -> triaged ->
under_verification -> corroborated | unverifiable | rejected, corroborated -> verified,
any -> retracted | superseded. The server starts every trail with a creation step
(``from`` null, ``to`` the first status); the client reads a null ``from`` as
``reported``. Replay shows the ``to`` of the last step at or before the cursor, and
before the first step that step's ``from``.
"""

from __future__ import annotations

import pytest

from cop_app.api.records import report_from_record
from cop_app.core.entities import LandReport
from cop_app.core.timeutil import format_iso
from cop_app.core.verification import Transition, VerificationStatus, status_at, transition

S = VerificationStatus
T = 1_795_000_000.0
H = 3600.0


def walk(*steps: tuple[S, float]) -> list[Transition]:
    """A trail built through the state machine (an illegal hand-built step raises)."""
    trail = [Transition(S.REPORTED, S.REPORTED, "feed", T, "created")]
    current = S.REPORTED
    for to, t in steps:
        trail.append(transition(current, to, actor="vera", time=t, rationale="test"))
        current = to
    return trail


FULL = walk((S.TRIAGED, T + H), (S.UNDER_VERIFICATION, T + 2 * H),
            (S.CORROBORATED, T + 3 * H), (S.VERIFIED, T + 4 * H))  # fmt: skip


@pytest.mark.parametrize(("t", "expected"), [
    (T - H, S.REPORTED),  # before the creation step: its "from"
    (T, S.REPORTED),  # at a step's own time the step has been taken
    (T + H - 1, S.REPORTED),
    (T + H, S.TRIAGED),
    (T + 2.5 * H, S.UNDER_VERIFICATION),
    (T + 3 * H, S.CORROBORATED),
    (T + 4 * H - 0.001, S.CORROBORATED),
    (T + 4 * H, S.VERIFIED),
    (T + 100 * H, S.VERIFIED),
])  # fmt: skip
def test_status_follows_the_trail(t, expected):
    assert status_at(FULL, S.VERIFIED, t) is expected
    rep = LandReport(id="R1", status=S.VERIFIED, trail=FULL)
    assert rep.status_at(t) is expected


def test_live_and_no_trail_keep_the_status():
    rep = LandReport(id="R1", status=S.CORROBORATED, trail=[])
    assert rep.status_at(T - 1e6) is S.CORROBORATED  # nothing to read: the known status
    assert status_at([], S.TRIAGED, T) is S.TRIAGED
    rep.trail = walk((S.TRIAGED, T + H))
    assert rep.status_at(None) is S.CORROBORATED  # None: live, the latest


def test_a_final_state_and_an_out_of_order_trail():
    trail = walk((S.TRIAGED, T + H), (S.RETRACTED, T + 2 * H))
    assert status_at(trail, S.RETRACTED, T + 1.5 * H) is S.TRIAGED
    assert status_at(trail, S.RETRACTED, T + 2 * H) is S.RETRACTED
    shuffled = [trail[2], trail[0], trail[1]]  # time decides, not list order
    assert [status_at(shuffled, S.RETRACTED, t) for t in (T - 1, T + H, T + 3 * H)] == [
        S.REPORTED, S.TRIAGED, S.RETRACTED]


def test_two_steps_at_one_time_the_later_in_the_list_wins():
    trail = walk((S.TRIAGED, T + H), (S.UNDER_VERIFICATION, T + H))
    assert status_at(trail, S.UNDER_VERIFICATION, T + H) is S.UNDER_VERIFICATION
    assert status_at(trail, S.UNDER_VERIFICATION, T + H - 1) is S.REPORTED


def test_the_servers_trail_as_the_client_reads_it():
    """A record as /v1/reports sends it: the creation step has ``from`` null, and a
    report created straight into a status (a feed that says "triaged") was reported
    before that."""
    record = {"id": "R9", "status": "under_verification", "lat": 48.0, "lon": 37.0,
              "time": format_iso(T - 600), "trail": [
                  {"from": None, "to": "triaged", "actor": "feed", "time": format_iso(T),
                   "rationale": "created"},
                  {"from": "triaged", "to": "under_verification", "actor": "vera",
                   "time": format_iso(T + H), "rationale": "patrol sent"}]}  # fmt: skip
    rep = report_from_record(record)
    assert [rep.status_at(t) for t in (T - 300, T, T + H - 1, T + H)] == [
        S.REPORTED, S.TRIAGED, S.TRIAGED, S.UNDER_VERIFICATION]


def test_the_pipelines_recorded_trail_replays_each_status(tmp_path):
    """End to end through the reference server: each backdated step (``at=``) shows
    from its own time on, and the report read back says so."""
    from cop_app.core.updates import ReportUpdate
    from cop_app.server.pipeline import Pipeline
    from cop_app.server.storage import Storage

    pipe = Pipeline(Storage(tmp_path / "s.sqlite"))
    try:
        pipe.ingest_updates([ReportUpdate("R-1", "feed", T - 600, 48.0, 37.0,
                                          fields={"event_type": "explosion"})],
                            "feed", received=T)  # fmt: skip
        pipe.transition_report("R-1", "triaged", "vera", "two sources", at=T + H)
        pipe.transition_report("R-1", "under_verification", "vera", "patrol", at=T + 2 * H)
        rep = report_from_record(pipe.report_record("R-1"))
    finally:
        pipe.close()
    assert rep.status is S.UNDER_VERIFICATION
    assert [rep.status_at(t) for t in (T - 60, T, T + H + 1, T + 2 * H)] == [
        S.REPORTED, S.REPORTED, S.TRIAGED, S.UNDER_VERIFICATION]
