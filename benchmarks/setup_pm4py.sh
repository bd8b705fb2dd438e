#!/usr/bin/env bash
# Creates the benchmark's own environment with PM4Py (AGPL: never a dependency of cojourney),
# from the frozen requirements (PM4Py 2.7.23.11 and the versions it ran with), so reruns
# compare against the same PM4Py and pandas.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv-pm4py/bin/python ]; then
  python3 -m venv .venv-pm4py
  .venv-pm4py/bin/pip install --quiet -r peers/pm4py-requirements.txt
fi
.venv-pm4py/bin/python -c "import importlib.metadata as m; print('pm4py', m.version('pm4py'), 'pandas', m.version('pandas'))"
