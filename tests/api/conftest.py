"""Integration tests of the client use the server's ``live_server`` fixture (a real
``cop-app serve`` subprocess on 127.0.0.1)."""

from __future__ import annotations

import pytest

try:
    from tests.server.conftest import live_server, live_server_factory  # noqa: F401
except ImportError:  # the server's fixture has not landed yet

    @pytest.fixture
    def live_server():
        pytest.skip("the server's live_server fixture (tests/server/conftest.py) is missing")
