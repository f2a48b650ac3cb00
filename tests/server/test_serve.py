"""``cop-app serve`` options: loopback by default, TLS or --insecure elsewhere, feeds."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest
import requests

from tests.conftest import corpus
from tests.server.conftest import LiveServer, cop_app, free_port


def test_non_loopback_needs_tls_or_insecure(tmp_path):
    out = cop_app("serve", "--host", "0.0.0.0", "--port", str(free_port()),
                  "--db", str(tmp_path / "s.sqlite"), timeout=30)  # fmt: skip
    assert out.returncode == 2 and "--insecure" in out.stderr
    half = cop_app("serve", "--tls-cert", "x.pem", "--db", str(tmp_path / "s.sqlite"))
    assert half.returncode == 2 and "go together" in half.stderr


def test_insecure_warns_and_serves(tmp_path):
    srv = LiveServer(tmp_path / "s.sqlite", ["--host", "0.0.0.0", "--insecure"])
    srv.create_tokens(("viewer",))
    try:
        srv.start()
        assert "WARNING: serving plain HTTP" in srv.log.read_text()
        assert requests.get(srv.url + "/v1/health", timeout=5).ok
    finally:
        srv.kill()


def test_nmea_udp_feed_reaches_the_tracks(tmp_path):
    """gpsd's AIS sample sent as UDP datagrams arrives through --nmea-udp as tracks."""
    port = free_port()
    srv = LiveServer(tmp_path / "s.sqlite", ["--nmea-udp", f"127.0.0.1:{port}"])
    srv.create_tokens(("viewer",))
    srv.start()
    try:
        lines = [ln for ln in corpus("gpsd", "sample.aivdm").read_text().splitlines()
                 if ln.startswith("!")]  # fmt: skip
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for ln in lines:
                s.sendto((ln + "\r\n").encode(), ("127.0.0.1", port))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            got = requests.get(srv.url + "/v1/tracks", headers=srv.headers("viewer"),
                               params={"domain": "sea"}).json()["items"]  # fmt: skip
            if any(t["id"] == "mmsi:371798000" for t in got):
                break
            time.sleep(0.2)
        # 371798000 is the first type 1 message in gpsd's sample.aivdm.chk
        assert any(t["id"] == "mmsi:371798000" for t in got)
    finally:
        srv.kill()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")
def test_tls_on_a_network_address(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    made = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                           "-keyout", str(key), "-out", str(cert), "-days", "1",
                           "-subj", "/CN=127.0.0.1",
                           "-addext", "subjectAltName=IP:127.0.0.1"],
                          capture_output=True, timeout=60)  # fmt: skip
    assert made.returncode == 0, made.stderr
    srv = LiveServer(tmp_path / "s.sqlite", ["--host", "0.0.0.0", "--tls-cert", str(cert),
                                             "--tls-key", str(key)])  # fmt: skip
    srv.url = srv.url.replace("http://", "https://")
    srv.create_tokens(("viewer",))
    try:
        srv.start(verify=str(cert))
        r = requests.get(srv.url + "/v1/me", headers=srv.headers("viewer"), verify=str(cert))
        assert r.status_code == 200 and "WARNING" not in srv.log.read_text()
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(srv.url + "/v1/health", timeout=5)  # default CAs do not know it
    finally:
        srv.kill()
