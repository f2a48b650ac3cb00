"""Shared test fixtures: where the third-party corpora are, and a clean UTC world."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# The corpora live beside the checkout (../shared/corpora) on developer machines and CI;
# COP_CORPORA overrides for other layouts. They are never copied into the repo.
CORPORA = Path(os.environ.get("COP_CORPORA", REPO.parent / "shared" / "corpora"))


def corpus(*parts: str) -> Path:
    path = CORPORA.joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(
            f"test corpus missing: {path} (expected ../shared/corpora beside the checkout)"
        )
    return path


@pytest.fixture(autouse=True)
def _utc(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test in a non-UTC local zone, so code that leaks local time fails."""
    monkeypatch.setenv("TZ", "Asia/Kathmandu")
    import time

    time.tzset()
