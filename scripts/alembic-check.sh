#!/usr/bin/env bash
# The models and the migrations agree: upgrade a fresh database, then `alembic check`.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export PORTAL_DATA_DIR="$dir"
.venv/bin/alembic upgrade heads
.venv/bin/alembic check
