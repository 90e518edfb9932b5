#!/usr/bin/env bash
# One command: set up and run the whole suite, on SQLite and then on PostgreSQL.
# Extra arguments go to pytest. Set SKIP_POSTGRES=1 to run the SQLite pass only (never in CI).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev

PG_URL=${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}
export TEST_REDIS_URL=${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}

pg_ready() { .venv/bin/python - "$PG_URL" <<'PY'
import sys
import psycopg
url = sys.argv[1].replace("postgresql+psycopg://", "postgresql://")
try:
    psycopg.connect(url, connect_timeout=3).close()
except Exception as error:  # noqa: BLE001
    print(f"postgres not reachable: {error}", file=sys.stderr)
    sys.exit(1)
PY
}

start_services() {
  if ! pg_ready 2>/dev/null && [ "$(id -u)" = "0" ] && command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
    sleep 2
  fi
  if command -v redis-cli >/dev/null 2>&1 && ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 \
     && command -v redis-server >/dev/null 2>&1; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true
    sleep 1
  fi
}
start_services

echo "== ruff"
.venv/bin/ruff check riskapp tests bench migrations
echo "== bandit" && .venv/bin/bandit -q -c pyproject.toml -r riskapp

echo "== tests on SQLite"
env -u TEST_DATABASE_URL .venv/bin/python -m pytest "$@"

if [ "${SKIP_POSTGRES:-0}" = "1" ] && [ "${CI:-}" != "true" ]; then
  echo "== PostgreSQL pass skipped (SKIP_POSTGRES=1)"
  exit 0
fi
if ! pg_ready; then
  echo "PostgreSQL at $PG_URL is not reachable; the suite must run on it too." >&2
  exit 1
fi
echo "== tests on PostgreSQL"
# tests/browser serves its own SQLite copy whatever the database: it ran in the SQLite pass.
TEST_DATABASE_URL="$PG_URL" .venv/bin/python -m pytest --ignore=tests/browser "$@"
