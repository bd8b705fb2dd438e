"""The PM4Py side of the discovery benchmark (runs ONLY in benchmarks/.venv-pm4py: PM4Py is AGPL).

Usage: python pm4py_discovery.py FILE CASE ACTIVITY TIMESTAMP OUT.json

Computes what `cojourney analyze FILE --json` computes: directly-follows with
frequency and mean performance, variants, start and end activities, case durations,
reading the file as an analyst would (pandas) and formatting it with PM4Py.
"""

import json
import sys
import warnings

warnings.filterwarnings("ignore")


def main() -> None:
    path, case, activity, timestamp, out = sys.argv[1:6]
    import pandas as pd
    import pm4py

    if path.endswith(".parquet"):
        df = pd.read_parquet(path, columns=[case, activity, timestamp])
    else:
        df = pd.read_csv(path, usecols=[case, activity, timestamp])
    df = pm4py.format_dataframe(df, case_id=case, activity_key=activity, timestamp_key=timestamp)
    dfg, start, end = pm4py.discover_dfg(df)
    performance, _, _ = pm4py.discover_performance_dfg(df)
    variants = pm4py.get_variants(df)
    durations = sorted(pm4py.get_all_case_durations(df))
    top = sorted(variants.items(), key=lambda kv: -kv[1])[:20]
    result = {
        "cases": int(df["case:concept:name"].nunique()),
        "events": len(df),
        "directly_follows": [
            [a, b, int(c), float(performance[(a, b)]["mean"])] for (a, b), c in dfg.items()
        ],
        "start_activities": {k: int(v) for k, v in start.items()},
        "end_activities": {k: int(v) for k, v in end.items()},
        "variant_count": len(variants),
        "top_variants": [{"activities": list(k), "cases": int(v)} for k, v in top],
        "case_duration_seconds": {
            "mean": sum(durations) / len(durations),
            "min": durations[0],
            "max": durations[-1],
            "median": float(pd.Series(durations).median()),
        },
    }
    with open(out, "w") as fh:
        json.dump(result, fh)


if __name__ == "__main__":
    main()
