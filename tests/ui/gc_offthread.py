"""Run by tests/ui/test_gc_guard.py in a child process (it may crash): Qt objects with
running timers die in reference cycles while a worker thread allocates past the cyclic
collector's threshold. Prints where each was destroyed, as JSON."""

import gc
import json
import sys
import threading

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

LOW = (100, 10, 10)  # collect often, as a long session eventually does
app = QApplication(["gc-offthread"])
if sys.argv[1] == "guard":
    from cop_app.ui.gc_guard import collect_on_gui_thread

    gc.set_threshold(*LOW)  # the thresholds the guard's timer keeps to
    collect_on_gui_thread()
else:
    gc.set_threshold(1_000_000)  # nothing collected on this thread before the worker
gui = threading.get_ident()
destroyed_on: list[int] = []


class Ticking(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.tick)
        self.timer.start(5)
        self.me = self  # a cycle: only the cyclic collector frees it

    def tick(self) -> None:
        pass

    def __del__(self) -> None:
        destroyed_on.append(threading.get_ident())


for _ in range(20):
    Ticking()


def allocate() -> None:
    gc.set_threshold(*LOW)  # the next collection is due on this thread
    [[] for _ in range(50_000)]


worker = threading.Thread(target=allocate)
worker.start()
worker.join()
QTimer.singleShot(1500, app.quit)
app.exec()
print(json.dumps({"gui": sum(t == gui for t in destroyed_on),
                  "other": sum(t != gui for t in destroyed_on)}), flush=True)
