#!/usr/bin/env bash
# Build the frozen one-folder desktop bundle: dist/cop-app/cop-app (+ its libraries).
#   packaging/build_bundle.sh            build, then smoke-test (demo snapshot offscreen)
#   SKIP_SMOKE=1 packaging/build_bundle.sh
# A separate build venv (build/bundle-venv) gets the project from its wheel (not
# editable, so resources come from the package) plus PyInstaller. Several minutes;
# not part of ./dev test (see README "Install at a watch station").
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=${BUILD_VENV:-build/bundle-venv}
OUT=${DIST_DIR:-dist}

if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --upgrade pip
rm -rf build/wheel && "$VENV/bin/python" -m pip wheel . --no-deps -q -w build/wheel
"$VENV/bin/python" -m pip uninstall -q -y cop-app 2>/dev/null || true
"$VENV/bin/python" -m pip install -q "$(ls build/wheel/cop_app-*.whl)[server]" \
  "pyinstaller>=6.10" "pyinstaller-hooks-contrib>=2024.8"

start=$(date +%s)
"$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
  --distpath "$OUT" --workpath build/pyinstaller packaging/cop-app.spec
echo "build: $(( $(date +%s) - start )) s; bundle: $(du -sh "$OUT/cop-app" | cut -f1) in $OUT/cop-app"

if [ -z "${SKIP_SMOKE:-}" ]; then
  packaging/smoke_bundle.sh "$OUT/cop-app/cop-app"
fi
