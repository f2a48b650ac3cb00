"""What the window remembers between watches: layout, view, layers, theme, server profile.

QSettings in INI form at an explicit path, so tests (and a second instance for a
different mission) never touch the user's own settings. Values are plain JSON-able
types read back defensively: a damaged or foreign settings file must not stop the
app from opening.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from cop_app.paths import APP_NAME


def settings_at(path: str | Path | None = None) -> QSettings:
    """The settings file at ``path``, or the user's own (per-user INI) by default."""
    if path is not None:
        return QSettings(str(path), QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, APP_NAME, APP_NAME)


class AppSettings:
    def __init__(self, path: str | Path | None = None) -> None:
        self.qs = settings_at(path)

    # ---- plain values --------------------------------------------------------------
    def _json(self, key: str, default: Any) -> Any:
        raw = self.qs.value(key)
        if raw is None:
            return default
        try:
            return json.loads(str(raw))
        except ValueError:
            return default

    def _set_json(self, key: str, value: Any) -> None:
        self.qs.setValue(key, json.dumps(value))

    @property
    def theme(self) -> str:
        return str(self.qs.value("view/theme", "night"))

    @theme.setter
    def theme(self, name: str) -> None:
        self.qs.setValue("view/theme", name)

    @property
    def bbox(self) -> tuple[float, float, float, float] | None:
        value = self._json("view/bbox", None)
        if isinstance(value, list) and len(value) == 4 and all(
                isinstance(v, int | float) for v in value):  # fmt: skip
            w, s, e, n = (float(v) for v in value)
            if -180 <= w < e <= 180 and -90 <= s < n <= 90:
                return w, s, e, n
        return None

    @bbox.setter
    def bbox(self, value: tuple[float, float, float, float]) -> None:
        self._set_json("view/bbox", [round(v, 6) for v in value])

    @property
    def layers(self) -> dict[str, bool]:
        value = self._json("view/layers", {})
        if not isinstance(value, dict):
            return {}
        return {str(k): bool(v) for k, v in value.items()}

    @layers.setter
    def layers(self, value: dict[str, bool]) -> None:
        self._set_json("view/layers", value)

    @property
    def server(self) -> str | None:
        """The last server profile (its base URL); None: never connected."""
        value = self.qs.value("server/url")
        return str(value) if value else None

    @server.setter
    def server(self, url: str | None) -> None:
        self.qs.setValue("server/url", url or "")

    @property
    def alert_sound(self) -> bool:
        """Beep for new high/critical alerts; off unless the officer turns it on."""
        return self._json("alerts/sound", False) is True

    @alert_sound.setter
    def alert_sound(self, on: bool) -> None:
        self._set_json("alerts/sound", bool(on))

    @property
    def tile_url(self) -> str | None:
        """The XYZ tile URL template; None (the default): no online tiles."""
        from cop_app.store.tilegrid import valid_template

        return valid_template(self.qs.value("tiles/url"))

    @tile_url.setter
    def tile_url(self, template: str | None) -> None:
        self.qs.setValue("tiles/url", template or "")

    @property
    def tile_cache(self) -> Path:
        """The MBTiles tile cache; by default in the user's cache dir (set it for tests)."""
        value = self.qs.value("tiles/cache")
        if isinstance(value, str) and value.strip():
            return Path(value.strip()).expanduser()
        import platformdirs

        return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / "tiles.mbtiles"

    @tile_cache.setter
    def tile_cache(self, path: str | Path) -> None:
        self.qs.setValue("tiles/cache", str(path))

    # ---- window layout -------------------------------------------------------------
    def layout(self) -> tuple[QByteArray | None, QByteArray | None]:
        geom, state = self.qs.value("window/geometry"), self.qs.value("window/state")
        return (geom if isinstance(geom, QByteArray) else None,
                state if isinstance(state, QByteArray) else None)  # fmt: skip

    def set_layout(self, geometry: QByteArray, state: QByteArray) -> None:
        self.qs.setValue("window/geometry", geometry)
        self.qs.setValue("window/state", state)

    def sync(self) -> None:
        self.qs.sync()
