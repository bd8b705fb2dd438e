#!/usr/bin/env bash
# Creates the benchmark's own environment with PM4Py (AGPL: never a dependency of cojourney).
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv-pm4py/bin/python ]; then
  python3 -m venv .venv-pm4py
  .venv-pm4py/bin/pip install --quiet "pm4py==2.7.23.11" pyarrow
fi
.venv-pm4py/bin/python -c "import pm4py; print('pm4py', pm4py.__version__)" 2>/dev/null | tail -1
