#!/usr/bin/env bash
# The whole suite on SQLite, then again on PostgreSQL. The PostgreSQL leg uses DATABASE_URL or
# the local server on 127.0.0.1:5432, and pytest-django creates and drops its own test
# database. Without PostgreSQL or Chromium those parts are skipped with a message, unless
# CI=true, where they are mandatory.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
ci=${CI:-false}
export ANXIN_VAR_DIR=${ANXIN_VAR_DIR:-$(mktemp -d)}

if command -v chromium >/dev/null 2>&1; then
  echo "== browser tests: Debian chromium at $(command -v chromium)"
elif [ "$ci" = "true" ]; then
  echo "!! CI=true but chromium is missing: the browser leg is mandatory (.ci/run installs it)." >&2
  exit 1
else
  echo "== chromium not found: browser tests will be skipped (apt-get install chromium fonts-noto-cjk)."
fi

echo "== suite on SQLite"
env -u DATABASE_URL $PY -m pytest "$@"
rc=$?
if [ $rc -ne 0 ]; then exit $rc; fi

pg_url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/anxin_ci_$$}
if $PY - "$pg_url" <<'PYEOF'
import sys, psycopg
from urllib.parse import urlparse
u = urlparse(sys.argv[1])
try:
    psycopg.connect(host=u.hostname, port=u.port or 5432, user=u.username, password=u.password,
                    dbname="postgres", connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL unreachable: {exc}", file=sys.stderr)
    sys.exit(1)
PYEOF
then
  echo "== suite on PostgreSQL ($(echo "$pg_url" | sed -E 's#//[^@]*@#//#'))"
  DATABASE_URL=$pg_url $PY -m pytest "$@"
  rc=$?
  # The run drops its own database even if a stray connection kept pytest-django from it.
  $PY - "$pg_url" <<'PYEOF' || true
import sys, psycopg
from urllib.parse import urlparse
u = urlparse(sys.argv[1])
name = "test_" + u.path.lstrip("/")
with psycopg.connect(host=u.hostname, port=u.port or 5432, user=u.username, password=u.password,
                     dbname="postgres", autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
PYEOF
  exit $rc
elif [ "$ci" = "true" ]; then
  echo "!! CI=true but PostgreSQL is unreachable: the PostgreSQL leg is mandatory." >&2
  exit 1
else
  echo "== PostgreSQL not reachable: PostgreSQL leg skipped (set DATABASE_URL or start a local server)."
fi
