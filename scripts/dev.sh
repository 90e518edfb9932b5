#!/usr/bin/env bash
# One command: set up, migrate the embedded SQLite database, seed the demo, serve on 127.0.0.1:5000.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export FLASK_APP=wsgi
.venv/bin/flask db-upgrade
.venv/bin/flask seed-demo
# The seed submits hundreds of assessments without background work: look for signals once now
# (idempotent), so the demo's Signals page shows what the detectors find.
for code in 38 37; do .venv/bin/flask forensics-scan --province "$code"; done
# The first signed tree head of the public log (/verify/log): the seed's decisions are its leaves.
.venv/bin/flask transparency-publish
echo "riskapp: http://127.0.0.1:${PORT:-5000}  (demo logins in README.md)"
exec .venv/bin/flask run --host 127.0.0.1 --port "${PORT:-5000}"
