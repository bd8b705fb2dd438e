"""The PM4Py side of the XES import benchmark (runs ONLY in benchmarks/.venv-pm4py: PM4Py is AGPL).

Usage: python pm4py_read_xes.py FILE.xes.gz OUT.json

Reads the log with PM4Py's default ``pm4py.read_xes`` (a pandas DataFrame, as a
user of PM4Py runs it) and writes the number of events and cases, so the
benchmark can check that both tools read the whole log.
"""

import json
import sys
import warnings

warnings.filterwarnings("ignore")


def main() -> None:
    path, out = sys.argv[1:3]
    import pm4py

    df = pm4py.read_xes(path)
    result = {
        "events": len(df),
        "cases": int(df["case:concept:name"].nunique()),
        "columns": sorted(map(str, df.columns)),
    }
    with open(out, "w") as fh:
        json.dump(result, fh)


if __name__ == "__main__":
    main()
