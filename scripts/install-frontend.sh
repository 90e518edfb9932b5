#!/usr/bin/env sh
# Install the pinned browser libraries from the npm registry and copy what the pages load into
# static/vendor/ (gitignored). Safe to run again: it reinstalls only when the lock file changed.
set -eu
cd "$(dirname "$0")/.."
if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund
else
  npm install --no-audit --no-fund
fi
mkdir -p static/vendor/leaflet
cp -R node_modules/leaflet/dist/. static/vendor/leaflet/
echo "Leaflet $(node -p "require('./node_modules/leaflet/package.json').version") in static/vendor/leaflet"
