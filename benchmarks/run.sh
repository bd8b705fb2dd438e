#!/usr/bin/env bash
# Runs the benchmarks (see BENCHMARKS.md) and renders BENCHMARKS.md from their result files.
#
#   BENCH_SIZES="1000000 10000000 100000000"  discovery sizes (events)
#   BENCH_RUNS=3                              runs per tool; the median is reported
#   BENCH_ONLY="discovery journey xes report engines profile"  which benchmarks to run
#   BENCH_JOURNEY_EVENTS=10000000             size of the workspace-analysis benchmark
#   BENCH_REPORT_SIZES="1000000 10000000 100000000"  report sizes (events), one result each
#   BENCH_ENGINES_EVENTS=10000000             size of the Spark-against-DuckDB benchmark
#   BENCH_TIMEOUT=3600                        seconds before a report or engines run is stopped
#   BENCH_SPARK_CONFIG='{"spark.driver.memory": "8g"}'  Spark settings (JSON) of the engines
#                                             job; local mode's 1g default heap is too small for
#                                             10M events (docs/scale.md)
#   BENCH_PM4PY_TIMEOUT=1800                  seconds before a PM4Py run is stopped
#   COJOURNEY_SHARED_DATA=../shared/data      the real logs (bpic2012.xes.gz)
#   BENCH_DATA_DIR=benchmarks/data            generated logs (git-ignored)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
SIZES=${BENCH_SIZES:-"1000000 10000000 100000000"}
RUNS=${BENCH_RUNS:-3}
ONLY=${BENCH_ONLY:-"discovery journey xes report engines profile"}
JOURNEY_EVENTS=${BENCH_JOURNEY_EVENTS:-10000000}
REPORT_SIZES=${BENCH_REPORT_SIZES:-"1000000 10000000 100000000"}
ENGINES_EVENTS=${BENCH_ENGINES_EVENTS:-10000000}
TIMEOUT=${BENCH_TIMEOUT:-3600}
SPARK_CONFIG=${BENCH_SPARK_CONFIG-'{"spark.driver.memory": "8g"}'}
PM4PY_TIMEOUT=${BENCH_PM4PY_TIMEOUT:-1800}

if [ ! -x .venv/bin/cojourney ]; then
  echo "run.sh: .venv/bin/cojourney is missing; run 'make install' first" >&2
  exit 1
fi
if [ -x /usr/bin/time ]; then
  echo "run.sh: peak memory from /usr/bin/time" >&2
else
  echo "run.sh: /usr/bin/time missing; peak memory from getrusage(RUSAGE_CHILDREN)" >&2
fi
case " $ONLY " in *" discovery "*|*" xes "*) bash benchmarks/setup_pm4py.sh ;; esac

for job in $ONLY; do
  echo "run.sh: $job" >&2
  case $job in
    discovery) $PY benchmarks/bench_discovery.py --sizes $SIZES --runs "$RUNS" \
                 --pm4py-timeout "$PM4PY_TIMEOUT" ;;
    journey)   $PY benchmarks/bench_journey.py --events "$JOURNEY_EVENTS" --runs "$RUNS" ;;
    xes)       $PY benchmarks/bench_xes_import.py --runs "$RUNS" ;;
    report)    $PY benchmarks/bench_report.py --events $REPORT_SIZES --runs "$RUNS" \
                 --timeout "$TIMEOUT" ;;
    engines)   $PY benchmarks/bench_engines.py --events "$ENGINES_EVENTS" --runs "$RUNS" \
                 --timeout "$TIMEOUT" ${SPARK_CONFIG:+--spark-config "$SPARK_CONFIG"} ;;
    profile)   $PY benchmarks/profile_stages.py --runs "$RUNS" --journey-events "$JOURNEY_EVENTS" ;;
    *) echo "run.sh: unknown benchmark '$job' (discovery journey xes report engines profile)" >&2
       exit 2 ;;
  esac
done
$PY benchmarks/update_benchmarks_md.py
