#!/usr/bin/env bash
# The portal must run with its runtime dependencies alone (what `make run` installs):
# the test extras must not hide a missing one. Install into a separate venv and start it.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-runtime
if [ ! -f "$venv/.stamp" ] || [ pyproject.toml -nt "$venv/.stamp" ]; then
  rm -rf "$venv"
  bash scripts/ensure-venv.sh "${PYTHON:-python3}" "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -e .
  touch "$venv/.stamp"
fi
"$venv/bin/python" -c "import portal.main, portal.cli"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
PORTAL_DATA_DIR="$dir" "$venv/bin/portal" migrate
echo "runtime dependencies: the portal imports and migrates without the test extras"
