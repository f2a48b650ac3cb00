"""``cop-app token create|list|revoke``: bearer tokens of the reference server.

Works on the database file directly (the server need not run); the server checks
tokens against the same file on every request, so a revocation takes effect at once.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cop_app.core.timeutil import format_iso, now
from cop_app.paths import user_data_dir
from cop_app.server.auth import ROLES, create_token
from cop_app.server.storage import Storage, StorageError


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="token_command", required=True)
    c = sub.add_parser("create", help="make a token and print it once")
    c.add_argument("--role", required=True, choices=ROLES)
    c.add_argument("--name", default="", help="who or what holds it (shown in audit trails)")
    ls = sub.add_parser("list", help="list tokens (never their secrets)")
    r = sub.add_parser("revoke", help="revoke a token by id")
    r.add_argument("id")
    for q in (c, ls, r):
        q.add_argument("--db", type=Path, help="server database (default: user data dir)")


def run(args: argparse.Namespace) -> int:
    db = args.db or user_data_dir() / "server.sqlite"
    try:
        storage = Storage(db)
    except (StorageError, OSError) as exc:
        sys.stderr.write(f"cop-app token: {exc}\n")
        return 2
    try:
        if args.token_command == "create":
            token, row = create_token(storage, args.role, args.name)
            print(token)
            sys.stderr.write(f"token {row.id} ({row.role}, {row.name}) created; it is shown "
                             "only this once\n")
            return 0
        if args.token_command == "list":
            for t in storage.tokens():
                state = f"revoked {format_iso(t.revoked_at)}" if t.revoked_at else "active"
                print(f"{t.id}\t{t.role}\t{t.name}\t{format_iso(t.created_at)}\t{state}")
            return 0
        if storage.revoke_token(args.id, now()):
            sys.stderr.write(f"token {args.id} revoked\n")
            return 0
        sys.stderr.write(f"cop-app token: no active token {args.id}\n")
        return 1
    finally:
        storage.close()
