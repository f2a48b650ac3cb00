"""One version in one place, and what ``cop-app --version`` says."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

import cop_app
from cop_app import cli

ROOT = Path(__file__).resolve().parents[2]


def test_version_prints_app_contract_qt_and_pyside(capsys):
    from PySide6 import __version__ as pyside
    from PySide6.QtCore import qVersion

    with pytest.raises(SystemExit) as stop:
        cli.main(["--version"])
    assert stop.value.code == 0
    lines = capsys.readouterr().out.splitlines()
    contract = yaml.safe_load((ROOT / "resources/api/openapi.yaml").read_text("utf-8"))
    assert lines == [
        f"cop-app {cop_app.__version__}",
        f"API contract {contract['info']['version']}",
        f"Qt {qVersion()}",
        f"PySide6 {pyside}",
    ]


def test_contract_version_reader_stops_at_info_block(tmp_path, monkeypatch):
    """The cheap reader must take info.version, not a version elsewhere in the file
    (and survive blank lines inside a literal block)."""
    fake = tmp_path / "api"
    fake.mkdir()
    (fake / "openapi.yaml").write_text(
        "openapi: 3.1.0\ninfo:\n  title: x\n  description: |\n    a\n\n    b\n"
        "  version: '7.8.9'\npaths:\n  /v:\n    get:\n      version: 0.0.0\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(cli, "resource", lambda *parts: tmp_path.joinpath(*parts))
    assert cli.contract_version() == "7.8.9"


def test_one_version_in_one_place():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["hatch"]["version"]["path"] == "cop_app/__init__.py"
    assert re.fullmatch(r"\d+\.\d+\.\d+(\.?(a|b|rc|dev)\d+)?", cop_app.__version__)


def test_plain_commands_do_not_import_qt():
    """--version imports PySide6 lazily; parsing any other command line must not."""
    code = ("import sys; from cop_app import cli; cli.parse_args(['import', 'x']); "
            "print('PySide6' in sys.modules)")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, cwd=ROOT)  # fmt: skip
    assert out.stdout.strip() == "False", out.stderr
