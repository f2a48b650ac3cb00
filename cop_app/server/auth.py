"""Bearer tokens and roles.

A token is ``cop_<id>_<secret>``: the id finds the row, the secret (32 random bytes)
is checked against its SHA-256 with a constant-time compare. Only the hash is kept,
so a stolen database does not yield usable tokens; a fast hash is enough because the
secret has 256 bits of entropy (password-style stretching buys nothing there).

Roles: viewer < observer < verifier form a ladder (each may do what the one below
may); feeder may only ingest, so a receiver's credentials cannot read the picture;
admin may do everything.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from cop_app.core.timeutil import now
from cop_app.server.problems import Problem
from cop_app.server.storage import Storage, TokenRow

ROLES = ("viewer", "observer", "verifier", "feeder", "admin")
_LADDER = ("viewer", "observer", "verifier")
PREFIX = "cop_"


@dataclass(frozen=True)
class Principal:
    token_id: str
    name: str
    role: str

    def may(self, needed: str) -> bool:
        return role_allows(self.role, needed)


def role_allows(role: str, needed: str) -> bool:
    if role == "admin" or role == needed:
        return True
    if role in _LADDER and needed in _LADDER:
        return _LADDER.index(role) >= _LADDER.index(needed)
    return False


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(storage: Storage, role: str, name: str = "") -> tuple[str, TokenRow]:
    """A new token (shown once) and its stored row."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    token_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    row = TokenRow(token_id, name or f"{role}-{token_id}", role, _digest(secret), now(), None)
    storage.add_token(row)
    return f"{PREFIX}{token_id}_{secret}", row


def verify(storage: Storage, token: str) -> Principal | None:
    """The principal of a valid, unrevoked token; None otherwise."""
    if not token.startswith(PREFIX):
        return None
    token_id, sep, secret = token[len(PREFIX):].partition("_")
    if not sep or not token_id or not secret or len(token) > 200:
        return None
    row = storage.token(token_id)
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(_digest(secret), row.secret_sha256):
        return None
    return Principal(row.id, row.name, row.role)


def unauthorized(detail: str) -> Problem:
    return Problem(401, "Unauthorized", detail, kind="unauthorized",
                   headers={"WWW-Authenticate": 'Bearer realm="cop-app"'})  # fmt: skip


def principal_from_header(storage: Storage, authorization: str | None) -> Principal:
    if not authorization:
        raise unauthorized("a bearer token is required")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("use the Authorization: Bearer <token> scheme")
    principal = verify(storage, token.strip())
    if principal is None:
        raise unauthorized("the token is unknown, malformed or revoked")
    return principal


def forbidden(principal: Principal, needed: str) -> Problem:
    return Problem(403, "Forbidden",
                   f"role {principal.role} may not do this; it needs {needed}",
                   kind="forbidden", needed_role=needed)  # fmt: skip
