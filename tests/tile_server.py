"""A local XYZ tile server on 127.0.0.1 for tile tests (never the real network)."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class TileServer:
    """Serves ``body`` for every path; paths starting with a ``slow`` prefix wait
    ``delay`` seconds first, and paths starting with a ``missing`` prefix get 404."""

    def __init__(self, body: bytes, slow: set[str] | None = None, delay: float = 0.0,
                 missing: set[str] | None = None):  # fmt: skip
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests.append(self.path)
                if any(self.path.startswith(p) for p in (slow or ())):
                    time.sleep(delay)
                if any(self.path.startswith(p) for p in (missing or ())):
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
