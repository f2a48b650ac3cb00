"""File → Import into a live session: a capture older than the live picture is
replayed at its end (live, it would be stale on arrival and draw nothing)."""

from __future__ import annotations

from cop_app.core.timeutil import format_dtg
from tests.server.conftest import live_server, live_server_factory  # noqa: F401
from tests.server.test_history_window import T0
from tests.ui.test_window import WAIT_MS, open_window  # noqa: F401


def test_an_old_capture_imported_live_is_replayed_at_its_end(qtbot, open_window,  # noqa: F811
                                                              live_server, tmp_path):  # noqa: F811
    capture = tmp_path / "yesterday.sbs"
    d, c = T0.strftime("%Y/%m/%d"), T0.strftime("%H:%M:%S.000")
    capture.write_text("\n".join(
        f"MSG,3,1,1,{0x4B0000 + k:06X},1,{d},{c},{d},{c},,30000,,,{46.0 + 0.1 * k:.5f},"
        f"{31.0 + 0.1 * k:.5f},,,0,0,0,0" for k in range(4)) + "\nMSG,3,broken\n")
    win = open_window(live_server.url, live_server.tokens["viewer"])
    qtbot.waitUntil(lambda: win.session.live, timeout=WAIT_MS)
    win.map.set_bbox(28.0, 44.0, 36.0, 48.0)
    win.import_files([capture], dialog=False)
    qtbot.waitUntil(lambda: "Imported" in win.status.currentMessage(), timeout=WAIT_MS)
    text = win.status.currentMessage()
    assert text.startswith("Imported 4 updates from 1 file, 1 error (first: line 5:")
    assert f"dated {format_dtg(T0.timestamp())}" in text and "replaying at its end" in text
    assert not win.hub.live and win.hub.cursor == T0.timestamp()
    qtbot.waitUntil(lambda: win.tracks.model.rowCount() == 4, timeout=WAIT_MS)
    assert win.mode_banner.isVisible() and "REPLAY" in win.mode_banner.text()
