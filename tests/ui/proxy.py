"""A recording, gateable HTTP proxy in front of the real test server.

The window's tests need two things the server cannot give by itself: proof of what
the client sent (the bearer token on every request) and a sync that stays half done
long enough for a person to press Cancel. The proxy passes every request through to
the real ``cop-app serve`` (bodies streamed, so the SSE stream works through it),
records each request's path and Authorization header, and holds requests whose path
starts with ``hold`` until ``gate`` is set.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding",
       "proxy-authenticate", "proxy-authorization", "te", "trailers", "upgrade", "host",
       "accept-encoding"}  # fmt: skip


class GatedProxy:
    def __init__(self, upstream: str, hold: str | None = None) -> None:
        self.upstream = upstream.rstrip("/")
        self.hold = hold
        self.gate = threading.Event()
        self.held = threading.Event()  # a request reached the gate
        self.seen: list[tuple[str, str | None]] = []  # (path, Authorization)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            # Chunked, as the server sends it: a client reading ``iter_content(None)``
            # of a close-delimited (HTTP/1.0) body would wait for the end of the stream.
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: object) -> None:
                pass

            def _relay(self) -> None:
                proxy.seen.append((self.path, self.headers.get("Authorization")))
                if proxy.hold and self.path.startswith(proxy.hold) and not proxy.gate.is_set():
                    proxy.held.set()
                    proxy.gate.wait(60)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
                headers["Accept-Encoding"] = "identity"
                try:
                    resp = requests.request(self.command, proxy.upstream + self.path,
                                            headers=headers, data=body, stream=True,
                                            timeout=(5, 60))  # fmt: skip
                except requests.RequestException:
                    self.send_error(502)
                    return
                with resp:
                    self.send_response(resp.status_code)
                    for k, v in resp.headers.items():
                        if k.lower() not in HOP:
                            self.send_header(k, v)
                    self.send_header("Transfer-Encoding", "chunked")  # kept alive, as uvicorn
                    self.end_headers()
                    try:
                        for chunk in resp.iter_content(chunk_size=None):
                            if chunk:
                                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                        self.wfile.write(b"0\r\n\r\n")
                    except (OSError, requests.RequestException):
                        pass  # the client went away (a stopped stream)

            do_GET = do_POST = do_PUT = do_DELETE = _relay

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def tokens(self) -> set[str | None]:
        """The Authorization headers the server was sent (one per distinct value)."""
        return {auth for _path, auth in self.seen}

    def close(self) -> None:
        self.gate.set()
        self.server.shutdown()
        self.server.server_close()
