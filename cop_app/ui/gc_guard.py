"""Cyclic garbage collection only on the GUI thread.

Python's cyclic collector runs in whichever thread allocates past its threshold: a sync,
history, tile or (in ``--demo``) server thread. A Qt object in a dead reference cycle is
then destroyed on that thread; its timers cannot be unregistered from there ("QObject::
~QObject: Timers cannot be stopped from another thread") and the GUI thread's next timer
pass calls into freed memory: the intermittent segfault CI met in a window test,
reproduced in tests/ui/test_gc_guard.py. pyqtgraph's ``GarbageCollector`` is the known
cure (automatic collection off, the generations collected on a GUI-thread timer); this
adds one thing: a GC pause elsewhere (the sync and the cache load pause the collector
while they build ~100k objects) that began before the guard would switch automatic
collection back on when it ends, so each tick switches it off again.
"""

from __future__ import annotations

import gc

from pyqtgraph.util.garbage_collector import GarbageCollector

INTERVAL_S = 0.5

_installed: GuiThreadCollector | None = None


class GuiThreadCollector(GarbageCollector):
    def check(self) -> None:
        if gc.isenabled():
            gc.disable()
        super().check()


def collect_on_gui_thread() -> GuiThreadCollector:
    """Install the collector once per process; call on the GUI thread with a
    QApplication alive (its timer belongs to that thread)."""
    global _installed
    if _installed is None:
        _installed = GuiThreadCollector(interval=INTERVAL_S)
    elif gc.isenabled():
        gc.disable()
    return _installed
