"""`cop-app import` as a person runs it: a real subprocess, real files, real output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, corpus

KEYS = {"kind", "domain", "id", "lat", "lon", "time"}


def cop_app(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cop_app.cli", *args],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )  # fmt: skip


def records(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_mixed_feeds_merge_into_one_picture_with_the_promised_keys():
    proc = cop_app("import", "--json", str(corpus("gpsd", "sample.aivdm")),
                   str(corpus("vrs", "SampleMessages.txt")),
                   str(corpus("esri-geoevent", "CoT4.xml")))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    recs = records(proc.stdout)
    assert {r["domain"] for r in recs} == {"air", "sea"}
    assert all(KEYS <= r.keys() for r in recs)
    assert all(r["time"] is None or r["time"].endswith("Z") for r in recs)
    # The first type-1 report in gpsd's expected decode is where we put that vessel.
    first = next(json.loads(x) for x in corpus("gpsd", "sample.aivdm.js.chk").read_text()
                 .splitlines() if x.strip() and json.loads(x)["type"] == 1)  # fmt: skip
    ours = next(r for r in recs if r.get("mmsi") == first["mmsi"])
    assert ours["lat"] == pytest.approx(first["lat"], abs=1e-6)
    assert ours["lon"] == pytest.approx(first["lon"], abs=1e-6)
    assert ours["speed_kn"] == pytest.approx(first["speed"])
    assert "3 errors" in proc.stderr.splitlines()[-1]
    assert "line 52" in proc.stderr  # VRS's out-of-range latitude, reported by place


def test_bad_input_is_counted_and_the_good_lines_still_land(tmp_path: Path):
    good = corpus("pyais", "messages.ais").read_text().splitlines()
    feed = tmp_path / "feed.nmea"
    feed.write_text("\n".join([good[0], "garbage \x00\x01 line", *good[1:]]) + "\n")
    proc = cop_app("import", "--json", str(feed))
    assert proc.returncode == 0
    assert "1 errors" in proc.stderr and "line 2" in proc.stderr
    assert len(records(proc.stdout)) >= 1


def test_nothing_readable_is_a_failure_with_one_clear_line(tmp_path: Path):
    junk = tmp_path / "junk.txt"
    junk.write_bytes(b"\xff\xfe not a feed at all\n")
    proc = cop_app("import", str(junk), str(tmp_path / "missing.nmea"))
    assert proc.returncode == 1
    assert "junk.txt: not imported: format not recognised" in proc.stderr
    assert "missing.nmea: not imported: cannot read" in proc.stderr
    assert proc.stdout == ""


def test_forced_format_overrides_detection(tmp_path: Path):
    path = tmp_path / "capture.log"
    path.write_bytes(corpus("vrs", "SampleMessages.txt").read_bytes())
    proc = cop_app("import", "--format", "sbs", "--json", str(path))
    assert proc.returncode == 0
    assert {r["domain"] for r in records(proc.stdout)} == {"air"}


def test_kml_and_geojson_reports_come_out_as_land_reports():
    exercise = REPO / "resources" / "scenarios" / "exercise" / "reports.geojson"
    proc = cop_app("import", "--json", str(corpus("togeojson", "point.kml")), str(exercise))
    assert proc.returncode == 0, proc.stderr
    reps = [r for r in records(proc.stdout) if r["kind"] == "report"]
    assert {r["domain"] for r in reps} == {"land"}
    ex = {r["id"]: r for r in reps}["reports.geojson:EX-0004"]
    assert ex["status"] == "verified" and ex["time"] == "2026-11-26T03:25:00Z"


def test_demo_picture_reads_the_bundled_exercise_files():
    from cop_app.cli import demo_picture

    picture = demo_picture()
    assert picture.counts()["reports"] == 4
    assert any(t.fields.get("name") == "NORDIC STAR" for t in picture.tracks())


def test_report_ids_are_scoped_by_file_so_two_files_do_not_overwrite(tmp_path: Path):
    def feature(lon: float, title: str) -> str:
        return json.dumps({"type": "Feature", "id": 1, "properties": {"title": title},
                           "geometry": {"type": "Point", "coordinates": [lon, 48.0]}})  # fmt: skip

    (tmp_path / "a.geojson").write_text(feature(30.1, "Shelling near A"))
    (tmp_path / "b.geojson").write_text(feature(36.5, "Small-arms fire near B"))
    proc = cop_app("import", "--json", str(tmp_path / "a.geojson"), str(tmp_path / "b.geojson"))
    titles = {r["id"]: r["name"] for r in records(proc.stdout)}
    assert titles == {"a.geojson:1": "Shelling near A", "b.geojson:1": "Small-arms fire near B"}


def test_folders_gzip_and_stdin_are_read(tmp_path: Path):
    import gzip

    (tmp_path / "feeds").mkdir()
    raw = corpus("vrs", "SampleMessages.txt").read_bytes()
    (tmp_path / "feeds" / "cap.sbs.gz").write_bytes(gzip.compress(raw))
    (tmp_path / "feeds" / "empty.nmea").write_bytes(b"")
    proc = cop_app("import", "--json", str(tmp_path / "feeds"))
    assert proc.returncode == 0, proc.stderr
    assert "empty.nmea: not imported: empty file" in proc.stderr
    from_gzip = {r["id"] for r in records(proc.stdout)}
    piped = subprocess.run([sys.executable, "-m", "cop_app.cli", "import", "--json", "-"],
                           input=raw, capture_output=True, cwd=REPO, timeout=60)  # fmt: skip
    assert piped.returncode == 0
    assert {r["id"] for r in records(piped.stdout.decode())} == from_gzip
    assert len(from_gzip) >= 2


def test_skipped_input_says_what_it_was():
    proc = cop_app("import", str(corpus("gpsd", "ais-nmea.log")))
    assert proc.returncode == 0
    assert "non-AIS NMEA sentences" in proc.stderr
    assert "0 errors" in proc.stderr  # the receiver's own GPS sentences are not errors


def test_global_options_before_the_command_and_unknown_commands():
    proc = cop_app("--log-level", "INFO", "--demo", "--help")  # --demo: the window's option
    assert proc.returncode == 0 and "--quit-after" in proc.stdout
    proc = cop_app("bogus")
    assert proc.returncode == 2 and "unknown command 'bogus'" in proc.stderr
