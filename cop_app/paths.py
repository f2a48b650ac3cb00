"""Where cop-app finds its own resources and keeps user data.

One helper so no module builds paths to ``resources/`` by hand: in an installed
wheel the folder sits inside the package as ``_resources``; in a source checkout
(plain or editable install) it is the top-level ``resources/`` beside the package.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import platformdirs

APP_NAME = "cop-app"
_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def resources_root() -> Path:
    """The folder that holds the API contract, base map, symbols and scenarios."""
    for candidate in (_PACKAGE_DIR / "_resources", _PACKAGE_DIR.parent / "resources"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"cop-app resources not found beside {_PACKAGE_DIR}; the installation is incomplete"
    )


def resource(*parts: str) -> Path:
    """Path of one resource, e.g. ``resource("api", "openapi.yaml")``."""
    path = resources_root().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"cop-app resource missing: {'/'.join(parts)}")
    return path


def user_data_dir() -> Path:
    """Per-user data (offline cache, server database); created on demand."""
    path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def user_log_dir() -> Path:
    path = Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path
