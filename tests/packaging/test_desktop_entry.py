"""The Linux desktop entry, AppStream metadata and icons in packaging/ are valid and
agree with each other and with the one version (cop_app.__version__)."""

from __future__ import annotations

import configparser
import importlib.util
import shutil
import subprocess
from pathlib import Path

import defusedxml.ElementTree as ET
import numpy as np
import pytest

import cop_app

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"
LINUX = PACKAGING / "linux"
ICONS = PACKAGING / "icons"
APP_ID = "org.cop_app.CopApp"
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def _tool(name: str) -> str:
    """The validators are Debian packages that .ci/run installs; a missing one is a
    failure (a skipped validation would pass a broken file)."""
    path = shutil.which(name)
    assert path, f"{name} not installed (apt-get install desktop-file-utils appstream)"
    return path


def test_desktop_file_validate_passes():
    out = subprocess.run([_tool("desktop-file-validate"), str(DESKTOP)],
                         capture_output=True, text=True, timeout=60)  # fmt: skip
    assert out.returncode == 0 and not out.stdout.strip(), out.stdout + out.stderr


def test_appstreamcli_validate_passes():
    out = subprocess.run([_tool("appstreamcli"), "validate", "--no-net", str(METAINFO)],
                         capture_output=True, text=True, timeout=60)  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    # Errors and warnings fail; infos and pedantic hints do not.
    assert not any(line.startswith(("E:", "W:")) for line in out.stdout.splitlines()), out.stdout


def _desktop_entry() -> configparser.SectionProxy:
    cp = configparser.ConfigParser(interpolation=None, strict=True)
    cp.optionxform = str  # keys are case-sensitive
    cp.read(DESKTOP, encoding="utf-8")
    return cp["Desktop Entry"]


def test_entry_metainfo_and_icons_agree():
    entry = _desktop_entry()
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == DESKTOP.name
    assert entry["Exec"].split()[0] == root.findtext("provides/binary") == "cop-app"
    assert entry["Icon"] == root.findtext("icon") == ICONS.joinpath("cop-app.svg").stem
    releases = [r.get("version") for r in root.iter("release")]
    assert releases and releases[0] == cop_app.__version__, (
        "the newest <release> in the metainfo must be the app version"
    )


@pytest.fixture(scope="module")
def render(qapp):
    """packaging/render_icons.py, loaded as a module (pytest-qt's qapp is the one
    QApplication; the script makes its own only when run by hand)."""
    spec = importlib.util.spec_from_file_location("render_icons", PACKAGING / "render_icons.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _rgba(image) -> np.ndarray:
    from PySide6.QtGui import QImage

    img = image.convertToFormat(QImage.Format.Format_RGBA8888)
    buf = np.frombuffer(img.constBits(), np.uint8, img.sizeInBytes())
    return buf.reshape(img.height(), img.bytesPerLine() // 4, 4)[:, : img.width()].astype(int)


@pytest.mark.parametrize("size", PNG_SIZES)
def test_png_icons_are_rendered_from_the_svg(render, size):
    from PySide6.QtGui import QImage

    png = QImage(str(ICONS / f"{size}x{size}" / "cop-app.png"))
    assert (png.width(), png.height()) == (size, size)
    committed, fresh = _rgba(png), _rgba(render.render(ICONS / "cop-app.svg", size))
    # Transparent corners, an opaque body: the icon is drawn, not blank.
    assert committed[0, 0, 3] == 0 and committed[size // 2, size // 2, 3] == 255
    # Re-run packaging/render_icons.py after editing the SVG.
    assert np.abs(committed - fresh).max() <= 8, "PNG is stale against cop-app.svg"
