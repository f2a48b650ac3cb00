"""Flag state from an MMSI's Maritime Identification Digits (MID).

The MID -> country table itself comes from pyais (``pyais.constants.COUNTRY_MAPPING``,
ISO 3166 alpha-2 per MID as allocated in the ITU MARS "Table of Maritime Identification
Digits"), so it is maintained with the decoder we already depend on. What pyais does not
do is find the MID inside the MMSI formats other than a ship's ``MIDxxxxxx``; ITU-R
M.585 places it differently per kind of station, which is what this module adds.
"""

from __future__ import annotations

from functools import lru_cache

from pyais.constants import COUNTRY_MAPPING

# pyais writes ("NA", "Unknown") for an unknown MID; we say None instead.
_MID_TO_ISO: dict[int, str] = {mid: iso for mid, (iso, _name) in COUNTRY_MAPPING.items()}


def mid_of(mmsi: int) -> int | None:
    """The MID inside an MMSI (ITU-R M.585 annex 1-2), or None where the format has none.

    ``MIDxxxxxx`` ship; ``0MIDxxxxx`` group; ``00MIDxxxx`` coast station; ``111MIDxxx``
    SAR aircraft; ``8MIDxxxxx`` handheld VHF; ``98MIDxxxx`` craft of a parent ship;
    ``99MIDxxxx`` aid to navigation. ``970``/``972``/``974`` (SART, MOB, EPIRB) carry
    no MID.
    """
    if not 0 < mmsi <= 999_999_999:
        return None
    s = f"{mmsi:09d}"
    if s.startswith("00"):
        return int(s[2:5])
    if s[0] == "0":
        return int(s[1:4])
    if s.startswith("111"):
        return int(s[3:6])
    if s.startswith(("98", "99")):
        return int(s[2:5])
    if s.startswith("97"):
        return None
    if s[0] == "8":
        return int(s[1:4])
    if s[0] == "1":  # 1xx: only 111 is allocated (SAR aircraft)
        return None
    return int(s[:3])


@lru_cache(maxsize=65536)
def flag_for_mmsi(mmsi: int) -> str | None:
    """ISO 3166 alpha-2 flag state of an MMSI, or None if its MID is unallocated."""
    mid = mid_of(mmsi)
    return None if mid is None else _MID_TO_ISO.get(mid)
