"""Cheap checks of the PyInstaller inputs (the build itself runs by hand:
packaging/build_bundle.sh): the scripts parse, and every package the spec names
exists, so a renamed dependency fails here rather than in a frozen app at a station."""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
from pathlib import Path

import pytest

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"
SPEC = (PACKAGING / "cop-app.spec").read_text("utf-8")


@pytest.mark.parametrize("script", ["build_bundle.sh", "smoke_bundle.sh"])
def test_scripts_parse_and_are_executable(script):
    path = PACKAGING / script
    assert subprocess.run(["bash", "-n", str(path)], timeout=30).returncode == 0
    assert path.stat().st_mode & 0o111


def _named_modules() -> set[str]:
    tree = ast.parse(SPEC)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") in (
                "collect_submodules", "collect_data_files"):  # fmt: skip
            names.add(node.args[0].value)
        if isinstance(node, ast.Assign) and node.targets[0].id == "hiddenimports":
            names |= {e.value for e in node.value.elts if isinstance(e, ast.Constant)}
    return names


def test_every_module_the_spec_names_is_installed():
    names = _named_modules()
    assert {"cop_app", "uvicorn", "fastapi", "pyqtgraph", "pyproj", "js_lib_leaflet",
            "PySide6.QtSvg", "PySide6.QtPrintSupport"} <= names  # fmt: skip
    missing = [n for n in sorted(names) if importlib.util.find_spec(n) is None]
    assert not missing


def test_spec_builds_one_folder_named_cop_app():
    assert re.search(r"exclude_binaries=True", SPEC)  # one-folder, not one-file
    assert re.search(r'COLLECT\([^)]*name="cop-app"', SPEC)
    assert (PACKAGING / "cop_app_entry.py").read_text("utf-8").count("main()") == 1
