#!/usr/bin/env bash
# Install into .venv and run the service (SQLite file, scheduler in-process).
# Extra arguments go to `petitionflow serve`, e.g. --demo or --clock simulated.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q -e . 
exec .venv/bin/petitionflow serve "$@"
