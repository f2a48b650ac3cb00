"""Where the client finds its bearer token: environment, a private file, or the keyring.

The order is the one operators expect from other CLIs: ``COP_API_TOKEN`` for scripts
and CI, then a config file (``<user config dir>/cop-app/token``, or ``--token-file``)
that must be readable by its owner only, then the OS keyring when the optional
``keyring`` package is installed. The token itself never appears in a message.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

import platformdirs

ENV_VAR = "COP_API_TOKEN"
KEYRING_SERVICE = "cop-app"
TOKEN_FILENAME = "token"


class TokenError(Exception):
    """No usable token, or a token file that is not private enough to trust."""


def default_token_file() -> Path:
    return Path(platformdirs.user_config_dir("cop-app", appauthor=False)) / TOKEN_FILENAME


def read_token_file(path: Path) -> str:
    """The first non-blank, non-comment line of ``path``.

    Refuses a file that group or others may read or write (as ssh does with keys):
    a token in a world-readable file is already leaked.
    """
    st = path.stat()
    if os.name == "posix" and st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise TokenError(
            f"token file {path} is accessible by group or others (mode "
            f"{stat.S_IMODE(st.st_mode):04o}); run `chmod 600 {path}`"
        )
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            return line
    raise TokenError(f"token file {path} holds no token")


def _keyring_token(server: str | None) -> str | None:
    try:
        import keyring  # optional: only when the operator installed it
    except ImportError:
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, server or "default") or (
            keyring.get_password(KEYRING_SERVICE, "default") if server else None
        )
    except Exception:  # a locked or absent backend is "no token here", not a crash
        return None


def find_token(
    token_file: str | Path | None = None,
    *,
    server: str | None = None,
    env: Mapping[str, str] | None = None,
    use_keyring: bool = True,
) -> str | None:
    """The token to use, or None when there is none anywhere (anonymous calls).

    An explicit ``token_file`` that is missing is an error; the default file is optional.
    """
    env = os.environ if env is None else env
    value = env.get(ENV_VAR, "").strip()
    if value:
        return value
    if token_file is not None:
        path = Path(token_file)
        if not path.exists():
            raise TokenError(f"token file {path} does not exist")
        return read_token_file(path)
    path = default_token_file()
    if path.exists():
        return read_token_file(path)
    return _keyring_token(server) if use_keyring else None
