"""The written contract, ``resources/api/openapi.yaml``, generated from the app.

Why generated: the YAML must never drift from what the server does, and the prose
lives beside the code (route summaries, model descriptions). ``--write`` refreshes
the file after a reviewed change; ``--check`` (and tests/server/test_contract.py)
fails when they differ.

    python -m cop_app.server.contract --write
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from cop_app.paths import resources_root

HEADER = (
    "# cop-app verification API v1 -- GENERATED from cop_app/server (models.py, app.py)\n"
    "# by `python -m cop_app.server.contract --write`; edit the code, not this file.\n"
)


def contract_path() -> Path:
    return resources_root() / "api" / "openapi.yaml"


def generated() -> dict[str, Any]:
    from cop_app.server.app import create_app

    return create_app().openapi()


class _Dumper(yaml.SafeDumper):
    """Readable YAML: no anchors/aliases, multi-line prose as literal blocks."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def render(doc: dict[str, Any]) -> str:
    return HEADER + yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                              width=96)  # fmt: skip


def load(path: Path | None = None) -> dict[str, Any]:
    return yaml.safe_load((path or contract_path()).read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m cop_app.server.contract")
    ap.add_argument("--write", action="store_true", help="rewrite resources/api/openapi.yaml")
    ap.add_argument("--check", action="store_true", help="exit 1 if the file has drifted")
    args = ap.parse_args(argv)
    text = render(generated())
    path = contract_path()
    if args.write:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
        return 0
    if args.check:
        same = path.exists() and load(path) == yaml.safe_load(text)
        print("contract up to date" if same else f"{path} has drifted; run --write")
        return 0 if same else 1
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
