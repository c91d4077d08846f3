#!/usr/bin/env bash
# Copy the front-end libraries installed by `npm ci` into our own static folder (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p static/vendor
cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
cp node_modules/echarts/dist/echarts.min.js static/vendor/echarts.min.js
cp node_modules/echarts/map/json/province/hunan.json static/vendor/hunan.json
