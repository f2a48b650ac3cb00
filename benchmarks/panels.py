"""Panels benchmark: the virtual Tracks table over 100k tracks (first refresh, a
refresh after a picture update, sort, text search), against the naive table as the
baseline: a QStandardItemModel holding one item per cell, filled with the same text.

    .venv/bin/python benchmarks/panels.py [--tracks 100000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from _common import REPO, median_ms, report, timed  # noqa: F401 (REPO: sys.path)
from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication

from cop_app.ui.hub import Hub
from cop_app.ui.panels.tracks import C_SPEED, TracksPanel
from tests.ui.test_panels import T0, big_picture

NAIVE_ROWS = 10_000  # the baseline fills this many rows (100k take about a minute)


def naive_model(model) -> QStandardItemModel:
    """Every cell's display text copied into its own QStandardItem."""
    rows, cols = min(model.rowCount(), NAIVE_ROWS), model.columnCount()
    out = QStandardItemModel(rows, cols)
    for r in range(rows):
        for c in range(cols):
            out.setItem(r, c, QStandardItem(str(model.index(r, c).data() or "")))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tracks", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    app = QApplication.instance() or QApplication([])
    pic = big_picture(args.tracks)
    hub = Hub(pic)
    hub.set_live(False)
    hub.set_cursor(T0)
    panels: list[TracksPanel] = []
    first = timed(lambda: panels.append(TracksPanel(hub)), args.repeat)
    panel = panels[-1]
    model = panel.model
    refresh = timed(panel.refresh, args.repeat)
    sort = timed(lambda: model.sort(C_SPEED, Qt.SortOrder.DescendingOrder), args.repeat)

    def search() -> None:
        panel.search.setText("cs01234")
        panel.search.setText("")

    find = timed(search, args.repeat)
    naive = timed(lambda: naive_model(model), 1)
    naive = [t * args.tracks / min(args.tracks, NAIVE_ROWS) for t in naive]  # per row, scaled
    k = f"{args.tracks // 1000}k"
    figures = {f"tracks_table_first_refresh_{k}_ms": round(median_ms(first), 1),
               f"tracks_table_sort_{k}_ms": round(median_ms(sort), 1),
               f"tracks_table_search_{k}_ms": round(median_ms(find), 1),
               f"naive_item_model_fill_{k}_ms": round(median_ms(naive), 1)}  # fmt: skip
    rows = [(f"Tracks table first refresh, {k}", f"{median_ms(first):.0f} ms", ""),
            (f"  sort by speed, {k}", f"{median_ms(sort):.0f} ms", ""),
            (f"  search typed and cleared, {k}", f"{median_ms(find):.0f} ms", "")]
    figures[f"tracks_table_refresh_{k}_ms"] = round(median_ms(refresh), 1)
    rows.append((f"  refresh (picture changed), {k}", f"{median_ms(refresh):.0f} ms", ""))
    rows += [(f"QStandardItemModel filled, {k} (10k rows, scaled)", f"{median_ms(naive):.0f} ms",
              "baseline"),
             ("  ratio baseline / ours", f"{median_ms(naive) / median_ms(first):.1f}x", "")]
    for p in panels:
        p.deleteLater()
    hub.close()
    app.processEvents()
    report("panels", rows, figures)


if __name__ == "__main__":
    main()
