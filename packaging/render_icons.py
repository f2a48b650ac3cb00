"""Render the PNG icon sizes (and a Windows .ico) from ``icons/cop-app.svg``.

Run after editing the SVG; the outputs are committed so building the bundle or a
Linux package needs no renderer. Uses Qt's own QSvgRenderer (PySide6 is already a
dependency), so no other tool is required::

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/render_icons.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(svg: Path, size: int) -> QImage:
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg}: not a valid SVG for Qt")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def main(out: Path = ICONS) -> int:
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    svg = ICONS / "cop-app.svg"
    for size in SIZES:
        target = out / f"{size}x{size}" / "cop-app.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not render(svg, size).save(str(target)):
            raise OSError(f"could not write {target}")
    # Qt's ico writer stores one image per file; the 256 px one is what Windows
    # Explorer and PyInstaller's --icon use at every size (downscaled).
    if not render(svg, max(ICO_SIZES)).save(str(out / "cop-app.ico"), "ICO"):
        print("no ICO writer in this Qt build; skipped cop-app.ico", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
