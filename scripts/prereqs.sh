#!/bin/sh
# Runs before `npm test` (npm's pretest): finds every Debian binary the tests use. When some are
# missing it installs them where it can (root with apt-get), or stops at once with the one command
# to run. Add a line to NEEDED when a test starts using another binary: "binary package".
set -eu

NEEDED='
prometheus prometheus
promtool prometheus
prometheus-alertmanager prometheus-alertmanager
amtool prometheus-alertmanager
prometheus-node-exporter prometheus-node-exporter
victoria-metrics victoria-metrics
docker-compose docker-compose
chromium chromium
'

missing=$(echo "$NEEDED" | while read -r bin pkg; do
  [ -n "$bin" ] || continue
  command -v "$bin" >/dev/null 2>&1 || echo "$pkg"
done | sort -u | tr '\n' ' ')

[ -z "$missing" ] && exit 0

echo "vigil: the tests need Debian packages that are not installed: $missing" >&2
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "vigil: install them with:  sudo apt-get install -y --no-install-recommends $missing" >&2
  exit 1
fi

echo "vigil: installing them with apt-get (running as root)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # one word per package
apt-get install -y -qq --no-install-recommends $missing >/dev/null
# Debian starts these as services on install; the tests run their own on port 0.
for svc in prometheus prometheus-alertmanager prometheus-node-exporter victoria-metrics; do
  (command -v systemctl >/dev/null 2>&1 && systemctl stop "$svc" 2>/dev/null) || true
  pkill -x "$svc" 2>/dev/null || true
done
echo "vigil: installed $missing" >&2
