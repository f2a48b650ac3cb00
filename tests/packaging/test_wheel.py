"""The wheel carries its resources and works installed into a clean venv, run from a
folder outside the checkout (the acceptance of "installable at a watch station")."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import venv
import zipfile
from pathlib import Path

import numpy as np
import pytest

import cop_app
from cop_app.core.style import BASEMAP_DAY, BASEMAP_NIGHT

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "resources"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q",
                    "-w", str(out)], check=True, timeout=300)  # fmt: skip
    (whl,) = out.glob("cop_app-*.whl")
    return whl


def test_wheel_carries_every_resource_and_the_entry_point(wheel):
    assert wheel.name.startswith(f"cop_app-{cop_app.__version__}-")
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = {f"cop_app/_resources/{p.relative_to(RESOURCES).as_posix()}"
              for p in RESOURCES.rglob("*") if p.is_file()}  # fmt: skip
    assert wanted and wanted <= names, sorted(wanted - names)
    for must in ("api/openapi.yaml", "basemap/europe.npz", "scenarios/ceasefire/zones.geojson"):
        assert f"cop_app/_resources/{must}" in names
    entry = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "cop-app = cop_app.cli:main" in zipfile.ZipFile(wheel).read(entry).decode()


def test_nothing_reaches_outside_the_package_by_file_path():
    """Only cop_app/paths.py may locate files from ``__file__``; everything else asks
    it (cop_app.paths.resource), so an installed wheel never reads the source tree."""
    offenders = []
    for path in (ROOT / "cop_app").rglob("*.py"):
        if path.name == "paths.py" and path.parent.name == "cop_app":
            continue
        text = path.read_text("utf-8")
        if re.search(r"__file__|\.parents\[|\.parent\.parent", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders


def _near(rgb: np.ndarray, hex_: str, tol: int = 12) -> float:
    colour = np.array([int(hex_[i:i + 2], 16) for i in (1, 3, 5)])
    return float((np.abs(rgb - colour).max(axis=2) <= tol).mean())


def _rgb(png: Path) -> np.ndarray:
    from PySide6.QtGui import QImage

    img = QImage(str(png)).convertToFormat(QImage.Format.Format_RGB888)
    assert not img.isNull(), png
    buf = np.frombuffer(img.constBits(), np.uint8, img.sizeInBytes())
    return buf.reshape(img.height(), img.bytesPerLine())[:, : img.width() * 3].reshape(
        img.height(), img.width(), 3).astype(int)


@pytest.mark.slow
def test_installed_wheel_prints_versions_and_draws_the_demo_map(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True, clear=True)
    py = env_dir / "bin" / "python"
    started = time.monotonic()
    subprocess.run([str(py), "-m", "pip", "install", "-q", str(wheel)], check=True,
                   timeout=900, cwd=tmp_path)  # fmt: skip
    installed_s = time.monotonic() - started
    print(f"wheel install into a clean venv: {installed_s:.1f} s")

    work = tmp_path / "station"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(QT_QPA_PLATFORM="offscreen", COP_APP_LOG_DIR=str(work / "logs"),
               XDG_DATA_HOME=str(work / "data"), XDG_CONFIG_HOME=str(work / "config"),
               XDG_CACHE_HOME=str(work / "cache"), XDG_STATE_HOME=str(work / "state"))  # fmt: skip
    exe = str(env_dir / "bin" / "cop-app")

    def run(*args: str, timeout: float = 120) -> str:
        out = subprocess.run(args, cwd=work, env=env, capture_output=True, text=True,
                             timeout=timeout)  # fmt: skip
        assert out.returncode == 0, out.stdout + out.stderr
        return out.stdout

    where = run(str(py), "-c", "import cop_app, cop_app.paths as p; "
                "print(cop_app.__file__); print(p.resources_root())").split()  # fmt: skip
    assert all(Path(w).is_relative_to(env_dir) for w in where), where

    lines = run(exe, "--version").splitlines()
    assert lines[0] == f"cop-app {cop_app.__version__}"
    assert [line.split()[0] for line in lines] == ["cop-app", "API", "Qt", "PySide6"]

    run(exe, "snapshot", "--demo", "-o", "x.png", timeout=300)
    rgb = _rgb(work / "x.png")
    day = _near(rgb, BASEMAP_DAY["land"]), _near(rgb, BASEMAP_DAY["sea"])
    night = _near(rgb, BASEMAP_NIGHT["land"]), _near(rgb, BASEMAP_NIGHT["sea"])
    # The base map came from the installed package: land and sea both cover the page.
    assert min(day) > 0.03 or min(night) > 0.03, (day, night)

    # The offline HTML export: Leaflet inlined from the installed packages, no fetches.
    run(exe, "snapshot", "--demo", "-o", "x.html", timeout=300)
    html = (work / "x.html").read_text("utf-8")
    assert "Leaflet 1.9" in html and "<script src=" not in html
