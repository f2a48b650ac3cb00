"""Events arrive as they are sent, and stopping a follow ends the stream's blocked read
at once, whatever the server said about the connection: with ``Connection: close`` the
bytes came only when the server closed, and urllib3's pooled connection had no socket
for stop to shut, so stop waited for the server."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests

from cop_app.api.sync import stream_chunks, stream_socket

HEADERS = {
    "close": b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
             b"data: hi\n\n",
    "chunked": b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
               b"Transfer-Encoding: chunked\r\n\r\n a\r\ndata: hi\n\n\r\n",
}


@pytest.fixture(params=sorted(HEADERS))
def silent_stream(request):
    """A server that sends one event and then nothing, holding the connection open."""
    srv = socket.create_server(("127.0.0.1", 0))
    release = threading.Event()

    def serve() -> None:
        conn, _ = srv.accept()
        conn.recv(4096)
        conn.sendall(HEADERS[request.param])
        release.wait(30)
        conn.close()

    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{srv.getsockname()[1]}/v1/stream"
    release.set()
    srv.close()


def test_shutting_the_stream_socket_ends_a_blocked_read_at_once(silent_stream):
    resp = requests.get(silent_stream, stream=True, timeout=(5, 60))
    got: list[bytes] = []
    ended = threading.Event()

    def read() -> None:  # as the Syncer reads
        try:
            for chunk in stream_chunks(resp):
                got.append(chunk)
        except requests.RequestException:
            pass  # a shut socket may end the read with an error: still ended
        ended.set()

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + 10
    while b"data: hi" not in b"".join(got) and time.monotonic() < deadline:
        time.sleep(0.01)
    # The event arrived while the server holds the connection (not at its close).
    assert b"data: hi" in b"".join(got) and not ended.is_set()
    sock = stream_socket(resp)
    assert sock is not None
    sock.shutdown(socket.SHUT_RDWR)
    # The server holds the connection for 30 s: only the shutdown can end the read.
    assert ended.wait(10)
    resp.close()
