"""Verification status of land reports and the transitions the mechanism allows.

reported -> triaged -> under_verification -> corroborated | unverifiable | rejected,
corroborated -> verified, and any state -> retracted | superseded. Each step is an
audited event; an illegal one raises and names what would have been allowed, so a
verifier (or the API's 409) can say what to do instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class VerificationStatus(StrEnum):
    REPORTED = "reported"
    TRIAGED = "triaged"
    UNDER_VERIFICATION = "under_verification"
    CORROBORATED = "corroborated"
    UNVERIFIABLE = "unverifiable"
    REJECTED = "rejected"
    VERIFIED = "verified"
    RETRACTED = "retracted"
    SUPERSEDED = "superseded"


S = VerificationStatus
_TERMINAL = frozenset({S.RETRACTED, S.SUPERSEDED})
_FORWARD: dict[VerificationStatus, frozenset[VerificationStatus]] = {
    S.REPORTED: frozenset({S.TRIAGED}),
    S.TRIAGED: frozenset({S.UNDER_VERIFICATION}),
    S.UNDER_VERIFICATION: frozenset({S.CORROBORATED, S.UNVERIFIABLE, S.REJECTED}),
    S.CORROBORATED: frozenset({S.VERIFIED}),
    S.UNVERIFIABLE: frozenset(),
    S.REJECTED: frozenset(),
    S.VERIFIED: frozenset(),
    S.RETRACTED: frozenset(),
    S.SUPERSEDED: frozenset(),
}


def allowed_next(status: VerificationStatus) -> tuple[VerificationStatus, ...]:
    """The states a report may move to next, in a stable order."""
    if status in _TERMINAL:
        return ()
    nxt = set(_FORWARD[status]) | _TERMINAL
    return tuple(s for s in VerificationStatus if s in nxt)


class IllegalTransition(ValueError):
    def __init__(self, current: VerificationStatus, requested: VerificationStatus):
        self.current = current
        self.requested = requested
        self.allowed = allowed_next(current)
        names = ", ".join(s.value for s in self.allowed) or "none (final state)"
        super().__init__(
            f"cannot move a report from {current.value} to {requested.value}; allowed: {names}"
        )


@dataclass(frozen=True, slots=True)
class Transition:
    """One audited step of a report's verification trail."""

    from_status: VerificationStatus
    to_status: VerificationStatus
    actor: str
    time: float
    rationale: str


def transition(
    current: VerificationStatus,
    requested: VerificationStatus,
    *,
    actor: str,
    time: float,
    rationale: str,
) -> Transition:
    """Validate one step; raises IllegalTransition naming the allowed next states."""
    if requested not in allowed_next(current):
        raise IllegalTransition(current, requested)
    return Transition(current, requested, actor, time, rationale)


def status_at(trail: Sequence[Transition], current: VerificationStatus,
              t: float) -> VerificationStatus:  # fmt: skip
    """The status a report had at epoch ``t``, read from its audited trail.

    Replay must not show a status reached after the cursor (a report verified this
    morning was not verified yesterday). The last step taken at or before ``t`` gives
    its ``to``; before the first step, that step's ``from`` (the server's creation step
    has none, which the client reads as ``reported``). Steps are ordered by time, the
    later of two equal times being the later in the list. With no trail there is no
    history to read, and ``current`` stands.
    """
    if not trail:
        return current
    last: Transition | None = None
    for step in trail:
        if step.time <= t and (last is None or step.time >= last.time):
            last = step
    if last is not None:
        return last.to_status
    return min(trail, key=lambda s: s.time).from_status  # min keeps the first of equals


SOURCE_STATUS = "source_status"  # a status a feed or file claimed, kept for the record


def received_fields(fields: Mapping[str, Any], *, known: bool) -> dict[str, Any]:
    """A report's fields as the mission takes them in from a feed or a file.

    Only a verifier's transition moves a report on (its trail is the audit of every
    status), so no feed token and no file can make a report "verified": a new report
    starts as ``reported`` and a known one keeps its status. A different status the
    source claims is kept as ``source_status``, shown as the source's word, not ours.
    """
    out = {k: v for k, v in fields.items() if k != "status"}
    claimed = fields.get("status")
    if claimed not in (None, "", VerificationStatus.REPORTED.value):
        out[SOURCE_STATUS] = str(claimed)
    if not known:
        out["status"] = VerificationStatus.REPORTED.value
    return out
