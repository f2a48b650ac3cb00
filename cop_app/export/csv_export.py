"""CSV export: one row per track or report, for a spreadsheet or a partner's database.

Formula injection (OWASP "CSV Injection"): a spreadsheet runs a cell that begins
with ``=``, ``+``, ``-``, ``@``, tab or carriage return as a formula, so a vessel
name like ``=HYPERLINK(...)`` would become a live link. Every text cell that came
from outside gets a leading apostrophe in that case; numbers we format ourselves
(a negative longitude) are left alone. Quoting is the csv module's (RFC 4180
style, CRLF rows). The file starts with a UTF-8 byte-order mark so Excel reads
Cyrillic names right; every other CSV reader skips it.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from cop_app.export import describe as d
from cop_app.export.selection import ExportMeta, Selection

COLUMNS = (
    "kind", "layer", "id", "name", "time_utc", "time_dtg", "lat", "lon", "mgrs",
    "identity", "status", "event_type", "speed_kn", "course_deg", "altitude_ft",
    "geo_altitude_ft", "callsign", "mmsi", "icao24", "reliability", "credibility", "text",
    "sources",
)  # fmt: skip
NUMERIC = frozenset({"lat", "lon", "speed_kn", "course_deg", "altitude_ft",
                     "geo_altitude_ft", "mmsi", "credibility"})  # fmt: skip
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse(text: str) -> str:
    """A text cell a spreadsheet will show, never evaluate."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _cell(key: str, value: Any) -> str:
    if value is None:
        return ""
    if key in ("lat", "lon") and isinstance(value, float):
        return f"{value:.6f}"
    if key in NUMERIC and isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:.1f}" if isinstance(value, float) else str(value)
    return defuse(str(value))


def rows(selection: Selection) -> list[dict[str, Any]]:
    out = []
    for placed in selection.tracks:
        p = d.track_props(placed)
        out.append({**p, "layer": placed.layer, "lat": placed.lat, "lon": placed.lon,
                    "time_utc": p.get("time"), "time_dtg": p.get("dtg"),
                    "text": p.get("remarks"), "sources": " ".join(placed.track.sources)})
    for report in selection.reports:
        p = d.report_props(report)
        out.append({**p, "layer": "reports", "time_utc": p.get("time"),
                    "time_dtg": p.get("dtg"), "sources": " ".join(report.sources)})
    return out


def write_csv(selection: Selection, path: Path, meta: ExportMeta) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for row in rows(selection):
            writer.writerow([_cell(key, row.get(key)) for key in COLUMNS])
