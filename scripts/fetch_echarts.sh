#!/usr/bin/env bash
# Fetch Apache ECharts (the dashboards' charts) from the npm registry, pinned and checked:
# the minified file is ~1 MB, too large to keep in the repository. Served by the app itself
# (no CDN, R-Q-6). Run by `make install`; does nothing when the checked file is in place.
set -euo pipefail
VERSION=5.6.0
TGZ_SHA256=e1b82487dd7f8d9f0438eec1f1433051148e0095ac7a15d4db890afda45cf610
JS_SHA256=bf4a223524e40b77c304bec67e1222cf551f14880cf42c69dc046558e11c07b1
DEST=anxin/dashboards/static/dashboards/vendor/echarts.min.js
cd "$(dirname "$0")/.."
if [ -f "$DEST" ] && echo "$JS_SHA256  $DEST" | sha256sum -c --status; then exit 0; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
curl -fsSL --retry 3 -o "$tmp/echarts.tgz" "https://registry.npmjs.org/echarts/-/echarts-$VERSION.tgz"
echo "$TGZ_SHA256  $tmp/echarts.tgz" | sha256sum -c --quiet
tar -xzf "$tmp/echarts.tgz" -C "$tmp" package/dist/echarts.min.js package/LICENSE package/NOTICE
echo "$JS_SHA256  $tmp/package/dist/echarts.min.js" | sha256sum -c --quiet
mkdir -p "$(dirname "$DEST")"
cp "$tmp/package/dist/echarts.min.js" "$DEST"
cp "$tmp/package/LICENSE" "$(dirname "$DEST")/ECHARTS-LICENSE"
cp "$tmp/package/NOTICE" "$(dirname "$DEST")/ECHARTS-NOTICE"
echo "echarts $VERSION -> $DEST"
