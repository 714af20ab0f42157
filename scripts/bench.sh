#!/usr/bin/env bash
# Run every benchmark in bench/ (or only bench/$1.py). Each prints `BENCH <name> <value> <unit>`.
set -euo pipefail
cd "$(dirname "$0")/.."
only=${1:-}
status=0
for f in bench/*.py; do
  name=$(basename "$f" .py)
  case "$name" in _*|__init__) continue;; esac
  if [ -n "$only" ] && [ "$name" != "$only" ]; then continue; fi
  echo "== bench $name"
  .venv/bin/python "$f" || status=$?
done
exit $status
