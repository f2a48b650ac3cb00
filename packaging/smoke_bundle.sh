#!/usr/bin/env bash
# Smoke-test a frozen bundle from a scratch folder outside the checkout: --version,
# then a demo snapshot offscreen; prints the start-up time (process start to PNG
# written and exit). Usage: packaging/smoke_bundle.sh dist/cop-app/cop-app
set -euo pipefail
exe=$(realpath "${1:-dist/cop-app/cop-app}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export QT_QPA_PLATFORM=offscreen COP_APP_LOG_DIR="$work/logs"
"$exe" --version
if "$exe" snapshot --help >/dev/null 2>&1; then
  cmd=(snapshot --demo -o "$work/x.png")
else
  cmd=(--demo --screenshot "$work/x.png" --quit-after 5 --settings "$work/settings.ini")
fi
start=$(date +%s.%N)
"$exe" "${cmd[@]}"
end=$(date +%s.%N)
test -s "$work/x.png" || { echo "smoke: no snapshot written" >&2; exit 1; }
echo "smoke: snapshot $(stat -c %s "$work/x.png") bytes; start to exit $(echo "$end - $start" | bc) s"
if [ "${cmd[0]}" = snapshot ]; then
  "$exe" snapshot --demo -o "$work/x.html"
  grep -q "Leaflet 1.9" "$work/x.html" || { echo "smoke: Leaflet not inlined" >&2; exit 1; }
  if grep -q "<script src=" "$work/x.html"; then echo "smoke: HTML loads a script" >&2; exit 1; fi
  echo "smoke: offline HTML $(stat -c %s "$work/x.html") bytes with Leaflet inlined"
fi
if [ -n "${KEEP_SNAPSHOT:-}" ]; then cp "$work/x.png" "$KEEP_SNAPSHOT"; fi
