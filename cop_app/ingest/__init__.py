"""Feed parsers: one streaming parser per format, all following ``base.StreamParser``."""

from __future__ import annotations

import importlib

from cop_app.ingest.base import Item, StreamParser

# format name -> (module, class). Imported lazily so a feed pays only for its parser.
PARSERS: dict[str, tuple[str, str]] = {
    "nmea": ("cop_app.ingest.ais", "AisParser"),
    "sbs": ("cop_app.ingest.adsb", "SbsParser"),
    "aircraft-json": ("cop_app.ingest.adsb", "AircraftJsonParser"),
    "cot": ("cop_app.ingest.cot", "CotParser"),
    "geojson": ("cop_app.ingest.reports", "GeoJsonParser"),
    "kml": ("cop_app.ingest.reports", "KmlParser"),
}
FORMATS = tuple(PARSERS)


def make_parser(fmt: str, source: str = "") -> StreamParser:
    """A fresh parser for ``fmt``; raises ValueError naming the known formats."""
    try:
        module_name, class_name = PARSERS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}") from None
    cls = getattr(importlib.import_module(module_name), class_name)
    return cls(source)


def detect_format(name: str, head: str) -> str | None:
    """Guess a feed's format from its file name and first few KB; None if unsure.

    Content wins over the extension, since captures are often named ``.txt``/``.log``.
    """
    text = head.lstrip("\ufeff \t\r\n")
    lower = name.lower()
    if lower.endswith(".kmz"):
        return "kml"
    if text.startswith("<"):
        probe = text[:4096]
        if "<kml" in probe:
            return "kml"
        if "<event" in probe:
            return "cot"
        return None
    if text.startswith("{") or text.startswith("["):
        probe = text[:4096]
        if '"aircraft"' in probe or ('"now"' in probe and '"hex"' in probe):
            return "aircraft-json"
        if '"type"' in probe:
            return "geojson"
        return None
    for line in text.splitlines()[:50]:
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if s.startswith(("MSG,", "MLAT,", "STA,", "AIR,", "ID,", "SEL,", "CLK,")):
            return "sbs"
        if "VDM," in s or "VDO," in s or s.startswith(("\\", "!", "$")):
            return "nmea"
    for ext, fmt in ((".kml", "kml"), (".cot", "cot"), (".geojson", "geojson"),
                     (".nmea", "nmea"), (".ais", "nmea"), (".sbs", "sbs")):  # fmt: skip
        if lower.endswith(ext):
            return fmt
    return None


__all__ = ["FORMATS", "PARSERS", "Item", "StreamParser", "detect_format", "make_parser"]
