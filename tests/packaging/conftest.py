"""The server's ``live_server`` fixture (a real ``cop-app serve`` subprocess)."""

from tests.server.conftest import live_server, live_server_factory  # noqa: F401
