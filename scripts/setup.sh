#!/usr/bin/env bash
# Shared setup: virtualenv, Python packages, system libraries, front-end packages, translations.
# Usage: scripts/setup.sh [dev]   ("dev" adds the test and lint tools)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

# WeasyPrint needs Pango; libharfbuzz-subset0 keeps font subsetting fast; poppler-utils gives pdffonts.
SYSTEM_PACKAGES="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils fonts-dejavu-core"
missing=""
for package in $SYSTEM_PACKAGES; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing system packages:$missing"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  else
    echo "setup: please install these system packages (as root):$missing" >&2
  fi
fi
# Browser tests (dev) drive Debian's Chromium; Playwright's own browser downloads are not used.
if [ "${1:-}" = "dev" ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing chromium for the browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "setup: please install the Debian package chromium (as root) for tests/browser" >&2
  fi
fi

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
if [ "${1:-}" = "dev" ]; then
  .venv/bin/python -m pip install -q -r requirements-dev.txt
else
  .venv/bin/python -m pip install -q -r requirements.txt
fi

if [ -f scripts/install-frontend.sh ]; then
  bash scripts/install-frontend.sh
fi

if [ -f translations/vi/LC_MESSAGES/messages.po ]; then
  .venv/bin/pybabel compile -f -d translations
fi
echo "setup: done"
