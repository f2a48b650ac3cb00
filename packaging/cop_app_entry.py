"""PyInstaller's entry script: the frozen ``cop-app`` runs exactly what the wheel's
console script runs (``cop_app.cli:main``)."""

import multiprocessing
import sys

from cop_app.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # no-op off Windows; harmless where unused
    sys.exit(main())
