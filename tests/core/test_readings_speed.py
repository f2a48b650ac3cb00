"""Speed wording for ships at rest (AIS navigational status, ITU-R M.1371-5 table 45:
1 = at anchor, 5 = moored): the status instead of a speed that reads as zero, beside
one that does not."""

from __future__ import annotations

import pytest

from cop_app.core.readings import at_rest_text, speed_reading


def table(kn: float) -> str:  # the Tracks table's format: one decimal below 10 kn
    return f"{kn:.1f} kn" if abs(kn) < 9.95 else f"{kn:.0f} kn"


def whole(kn: float) -> str:  # the map label's format
    return f"{kn:.0f} kn"


@pytest.mark.parametrize(
    ("kn", "status", "fmt", "want"),
    [(0.0, 1, table, "At anchor"), (0.0, 5, table, "Moored"), (None, 5, table, "Moored"),
     (0.04, 1, table, "At anchor"),  # prints as 0.0 kn: the status says it better
     (0.3, 1, table, "At anchor, 0.3 kn"),  # drifting/dragging: the speed stays
     (0.3, 1, whole, "At anchor"),  # the label writes 0.3 as "0 kn"
     (1.4, 5, whole, "Moored, 1 kn"),
     (0.0, 0, table, "0.0 kn"),  # under way using engine: a plain speed
     (0.0, None, whole, "0 kn"), (12.3, 15, table, "12 kn"), (None, None, table, ""),
     (float("nan"), 1, whole, "At anchor"), (0.0, "Moored", table, "0.0 kn")],
)  # fmt: skip
def test_speed_reading(kn, status, fmt, want):
    assert speed_reading(kn, status, fmt) == want


def test_only_anchor_and_moored_are_at_rest():
    assert {s: at_rest_text(s) for s in range(16) if at_rest_text(s)} == {
        1: "At anchor", 5: "Moored"}
    assert at_rest_text(1.0) == "At anchor" and at_rest_text(1.5) is None
    assert at_rest_text(True) is None and at_rest_text(None) is None
