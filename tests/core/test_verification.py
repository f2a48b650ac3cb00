"""Verification status of land reports: the transition graph of shared/ARCHITECTURE.md.

The spec line reads: ``reported → triaged → under_verification → corroborated |
unverifiable | rejected → verified``, any → ``retracted``/``superseded``. Reading of
the last arrow: only ``corroborated`` leads to ``verified`` (the module docstring
says so; a rejected or unverifiable report is not verified without first being
corroborated). ``retracted`` and ``superseded`` are final (the Foundation brief).
"""

from __future__ import annotations

import itertools

import pytest

from cop_app.core.verification import (
    IllegalTransition,
    Transition,
    VerificationStatus,
    allowed_next,
    transition,
)

S = VerificationStatus
FINAL = {S.RETRACTED, S.SUPERSEDED}
FORWARD = {  # written from the spec text above, not from the module
    S.REPORTED: {S.TRIAGED},
    S.TRIAGED: {S.UNDER_VERIFICATION},
    S.UNDER_VERIFICATION: {S.CORROBORATED, S.UNVERIFIABLE, S.REJECTED},
    S.CORROBORATED: {S.VERIFIED},
    S.UNVERIFIABLE: set(),
    S.REJECTED: set(),
    S.VERIFIED: set(),
}
SPEC_GRAPH = {s: (FORWARD[s] | FINAL) if s not in FINAL else set() for s in S}
ALLOWED = [(a, b) for a in S for b in sorted(SPEC_GRAPH[a])]
FORBIDDEN = [(a, b) for a, b in itertools.product(S, S) if b not in SPEC_GRAPH[a]]


def test_the_spec_names_nine_statuses():
    names = {"reported", "triaged", "under_verification", "corroborated", "unverifiable",
             "rejected", "verified", "retracted", "superseded"}  # fmt: skip
    assert {s.value for s in S} == names


def test_the_whole_graph_matches_the_spec():
    assert {s: set(allowed_next(s)) for s in S} == SPEC_GRAPH


@pytest.mark.parametrize("current, requested", ALLOWED)
def test_every_allowed_transition_succeeds_and_is_audited(current, requested):
    step = transition(current, requested, actor="verifier1", time=1_790_000_000.0,
                      rationale="second patrol saw the craters")  # fmt: skip
    assert step == Transition(current, requested, "verifier1", 1_790_000_000.0,
                              "second patrol saw the craters")  # fmt: skip


@pytest.mark.parametrize("current, requested", FORBIDDEN)
def test_every_other_pair_raises_naming_the_allowed_next_states(current, requested):
    with pytest.raises(IllegalTransition) as info:
        transition(current, requested, actor="v", time=0.0, rationale="")
    err = info.value
    assert isinstance(err, ValueError)  # the API maps it to a 409 like any ValueError
    assert (err.current, err.requested) == (current, requested)
    assert set(err.allowed) == SPEC_GRAPH[current]
    message = str(err)
    assert current.value in message and requested.value in message
    for state in SPEC_GRAPH[current]:
        assert state.value in message
    for state in set(S) - SPEC_GRAPH[current] - {current, requested}:
        assert state.value not in message.split("allowed:")[-1]
    if current in FINAL:
        assert "final" in message


@pytest.mark.parametrize("final", sorted(FINAL))
def test_retracted_and_superseded_are_final(final):
    assert allowed_next(final) == ()
    for nxt in S:
        with pytest.raises(IllegalTransition):
            transition(final, nxt, actor="v", time=0.0, rationale="")


def test_no_status_moves_to_itself():
    for s in S:
        assert s not in allowed_next(s)


def test_a_full_trail_from_reported_to_verified():
    path = [S.REPORTED, S.TRIAGED, S.UNDER_VERIFICATION, S.CORROBORATED, S.VERIFIED]
    trail = [transition(a, b, actor="v", time=float(i), rationale=f"step {i}")
             for i, (a, b) in enumerate(itertools.pairwise(path))]  # fmt: skip
    assert [t.to_status for t in trail] == path[1:]
    assert transition(S.VERIFIED, S.SUPERSEDED, actor="v", time=9.0, rationale="new report")


def test_allowed_next_order_is_stable():
    for s in S:
        got = allowed_next(s)
        assert list(got) == [x for x in S if x in got]
