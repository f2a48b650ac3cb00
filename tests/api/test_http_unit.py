"""ApiError parsing (RFC 9457 examples) and token lookup, without a server."""

from __future__ import annotations

import json
import os
import stat

import pytest
import requests

from cop_app.api import tokens
from cop_app.api.http import ApiClient, ApiError


def response(status: int, body: bytes, content_type: str, reason: str = "") -> requests.Response:
    r = requests.Response()
    r.status_code = status
    r._content = body
    r.headers["Content-Type"] = content_type
    r.reason = reason
    r.url = "http://127.0.0.1:1/v1/x"
    return r


def test_rfc9457_example_with_extensions():
    # RFC 9457 section 3, the "out of credit" example, extensions included.
    body = {
        "type": "https://example.com/probs/out-of-credit",
        "title": "You do not have enough credit.",
        "detail": "Your current balance is 30, but that costs 50.",
        "instance": "/account/12345/msgs/abc",
        "balance": 30,
        "accounts": ["/account/12345", "/account/67890"],
    }
    err = ApiError.from_response(response(403, json.dumps(body).encode(),
                                          "application/problem+json"))  # fmt: skip
    assert err.status == 403
    assert err.type == body["type"] and err.title == body["title"]
    assert err.detail == body["detail"] and err.instance == body["instance"]
    assert err.extensions == {"balance": 30, "accounts": body["accounts"]}
    assert err.balance == 30
    assert err.problem == {**body, "status": 403}


def test_409_allowed_extension():
    body = {"type": "about:blank", "title": "Conflict", "status": 409,
            "detail": "cannot move", "allowed": ["triaged", "retracted"]}  # fmt: skip
    err = ApiError.from_response(response(409, json.dumps(body).encode(),
                                          "application/problem+json"))  # fmt: skip
    assert err.status == 409 and err.allowed == ["triaged", "retracted"]
    with pytest.raises(AttributeError):
        _ = err.nonexistent


def test_non_json_error_uses_status_line():
    err = ApiError.from_response(response(502, b"<html>Bad gateway</html>", "text/html",
                                          "Bad Gateway"))  # fmt: skip
    assert err.status == 502 and err.title == "Bad Gateway"
    assert "Bad gateway" in (err.detail or "")
    assert err.type == "about:blank"


def test_framework_detail_list_kept_as_errors():
    body = {"detail": [{"loc": ["query", "limit"], "msg": "bad"}]}
    err = ApiError.from_response(response(422, json.dumps(body).encode(), "application/json",
                                          "Unprocessable Entity"))  # fmt: skip
    assert err.status == 422 and err.errors == body["detail"]
    assert "limit" in err.detail


def test_client_repr_hides_token():
    c = ApiClient("http://127.0.0.1:9", "s3cr3t-token-value")
    assert "s3cr3t" not in repr(c)
    assert c.session.verify is True
    assert ApiClient("https://x", ca_bundle="/etc/ca.pem").session.verify == "/etc/ca.pem"
    assert ApiClient("https://x", verify=False).session.verify is False


# ---- tokens ------------------------------------------------------------------------
@pytest.fixture
def config_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv(tokens.ENV_VAR, raising=False)
    return tmp_path


def test_env_wins(config_home):
    assert tokens.find_token(env={tokens.ENV_VAR: " abc "}) == "abc"


def test_default_file_mode_0600(config_home):
    path = tokens.default_token_file()
    path.parent.mkdir(parents=True)
    path.write_text("# cop-app token\n\ntok123\n")
    os.chmod(path, 0o600)
    assert tokens.find_token(env={}, use_keyring=False) == "tok123"


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660, 0o622])
def test_group_or_world_accessible_file_refused(config_home, mode):
    path = config_home / "tok"
    path.write_text("tok123\n")
    os.chmod(path, mode)
    with pytest.raises(tokens.TokenError) as exc:
        tokens.find_token(path, env={})
    assert "chmod 600" in str(exc.value) and "tok123" not in str(exc.value)
    assert f"{stat.S_IMODE(mode):04o}" in str(exc.value)


def test_explicit_missing_file_is_error_default_missing_is_none(config_home):
    with pytest.raises(tokens.TokenError):
        tokens.find_token(config_home / "nope", env={})
    assert tokens.find_token(env={}, use_keyring=False) is None


def test_empty_file_is_error(config_home):
    path = config_home / "tok"
    path.write_text("# only a comment\n")
    os.chmod(path, 0o600)
    with pytest.raises(tokens.TokenError):
        tokens.find_token(path, env={})
