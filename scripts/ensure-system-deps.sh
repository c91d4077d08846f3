#!/usr/bin/env bash
# What the portal needs from Debian, installed only when missing:
# - always (`make run`, `make test`): fonts-wqy-microhei, the Chinese TrueType font the
#   evaluation report embeds in its PDF and draws its charts with (portal/reports/fonts.py);
# - for the test suite (no argument, `make test`): Chromium for the browser journeys and
#   PostgreSQL's server binaries for the throwaway cluster.
# `ensure-system-deps.sh runtime` checks only what the running portal needs;
# `ensure-system-deps.sh bench` also wrk, the HTTP load generator of `make bench`.
set -euo pipefail
need=()
if [ ! -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then
  need+=(fonts-wqy-microhei)
fi
if [ "${1:-all}" != runtime ]; then
  command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
  if ! command -v initdb >/dev/null 2>&1 && ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    need+=(postgresql)
  fi
fi
if [ "${1:-all}" = bench ]; then
  command -v wrk >/dev/null 2>&1 || need+=(wrk)
fi
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
echo "installing from Debian: ${need[*]}" >&2
sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
$sudo_cmd apt-get update -qq
$sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
