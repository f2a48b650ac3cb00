"""restore_tracks checks plain rows as whole columns and unusual ones row by row: both
must give what restoring each track with restore_track gives (the reference)."""

from __future__ import annotations

import numpy as np
import pytest

from cop_app.core.enums import Domain, Identity
from cop_app.core.picture import Picture

T0 = 1_790_000_000.0


class _Names(list):
    """A list of a kind the column check does not take as plain."""


def _rows(n: int, **odd):
    """n plain rows (as a decoded JSON page gives them), row 3 changed by ``odd``."""
    rows = []
    for i in range(n):
        fields = {"speed_kn": float(i), "course_deg": i % 360, "on_ground": i % 2 == 0,
                  "identity": ["hostile", None, "friend"][i % 3], "name": f"N{i}"}
        rows.append({"key": f"k{i}", "domain": Domain(i % 3), "fields": fields,
                     "sources": ["ais", "sbs"][: 1 + i % 2]})  # fmt: skip
    for name, value in odd.items():
        if name in ("key", "domain", "sources"):
            rows[3][name] = value
        else:
            rows[3]["fields"] = {**rows[3]["fields"], name: value}
    return rows


def _restore_both(rows):
    n = len(rows)
    bulk, one = Picture(), Picture()
    hist = ([[T0 + i] for i in range(n)], [[48.0]] * n, [[37.0]] * n)
    result = bulk.restore_tracks([r["key"] for r in rows], [r["domain"] for r in rows],
                                 fields=[r["fields"] for r in rows],
                                 sources=[r["sources"] for r in rows], last_time=[T0] * n,
                                 stale_s=[60.0] * n, history=hist, skip_bad=True)  # fmt: skip
    for i, r in enumerate(rows):
        try:
            one.restore_track(r["key"], r["domain"], fields=r["fields"], sources=r["sources"],
                              last_time=T0, stale_s=60.0,
                              history=(hist[0][i], hist[1][i], hist[2][i]))  # fmt: skip
        except ValueError:
            assert i in result
    return bulk, one, result


@pytest.mark.parametrize("odd", [
    {}, {"identity": "Assumed Friend"}, {"identity": Identity.SUSPECT}, {"identity": 6},
    {"identity": True}, {"speed_kn": np.float64(3.5)}, {"speed_kn": "12.5"},
    {"altitude_ft": None}, {"heading_deg": float("nan")}, {"sources": ("cot",)},
    {"sources": _Names(["cot"])}, {"domain": 1}, {"domain": np.int8(2)},
])  # fmt: skip
def test_unusual_but_valid_rows_restore_as_one_by_one(odd):
    bulk, one, bad = _restore_both(_rows(8, **odd))
    assert bad == {} and bulk.keys() == one.keys()
    for key in one.keys():
        assert bulk.track(key) == one.track(key), key
        assert bulk.track_state(key) == one.track_state(key), key


@pytest.mark.parametrize("odd", [
    {"speed_kn": 10**400}, {"speed_kn": "fast"}, {"course_deg": [1]}, {"identity": [1]},
    {"domain": True}, {"domain": "air"}, {"key": 3}, {"sources": "cot"}, {"sources": [1]},
])  # fmt: skip
def test_a_bad_row_is_named_whichever_path_checks_it(odd):
    bulk, one, bad = _restore_both(_rows(8, **odd))
    assert list(bad) == [3]
    assert bulk.keys() == one.keys() and "k3" not in bulk.keys()
