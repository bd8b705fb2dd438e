"""Render ``BENCHMARKS.md`` from ``benchmarks/results/*.json``, so page and numbers agree.

Usage: ``.venv/bin/python benchmarks/update_benchmarks_md.py`` (``run.sh`` calls it).
Nothing here measures anything: every number on the page comes from a result file.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import BUSY_CPU, BUSY_LOAD, REPO, RESULTS, setup_logging
from _md_format import (
    _load,
    _load_of,
    _met,
    _mib,
    _range,
    _ratio,
    _runs_text,
    _s,
    _sorted_by_size,
)
from _md_scale import covered, engines_section, report_section, target_rows

log = logging.getLogger("bench.md")
OUT = REPO / "BENCHMARKS.md"
#: Discovery results from this size on are shown in the 100M section.
SCALE_EVENTS = 100_000_000


def load_results() -> dict[str, dict[str, Any]]:
    """Every result file by benchmark name."""
    return {p.stem: json.loads(p.read_text()) for p in sorted(RESULTS.glob("*.json"))}


def _all_runs(results: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    runs = [
        r
        for doc in results.values()
        for tool in ("cojourney", "pm4py")
        if isinstance(doc.get(tool), dict)
        for r in doc[tool].get("runs", [])
    ]
    runs += [r for doc in results.values() for r in doc.get("runs", [])]
    runs += [
        r
        for doc in results.values()
        for analysis in doc.get("analyses", {}).values()
        if isinstance(analysis, dict)
        for engine in ("duckdb", "spark")
        if isinstance(analysis.get(engine), dict)
        for r in analysis[engine].get("runs", [])
    ]
    return runs + [
        r for doc in results.values() for r in doc.get("plain_duckdb_sql", {}).get("runs", [])
    ]


def _busy_runs(results: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Runs that other jobs may have slowed down: by the CPU sample when there is one,
    else by the load average."""
    return [
        r
        for r in _all_runs(results)
        if (
            r["cpu_busy_before"] > BUSY_CPU
            if "cpu_busy_before" in r
            else r["loadavg_before"][0] > BUSY_LOAD
        )
    ]


def summary_table(results: dict[str, dict[str, Any]]) -> list[str]:
    """Issue 12's targets (computed from the result files, or "not measured yet"), then
    the targets other result files declare."""
    lines = ["| benchmark | target | measured | result |", "|---|---|---|---|"]
    lines += target_rows(results)
    for name, doc in results.items():
        if name in covered():
            continue
        for t in doc.get("targets", []):
            unit, value, limit = t.get("unit", "ratio"), t["value"], t["limit"]
            if unit == "s":
                shown = f"{_s(value)} (limit {limit:.0f} s)"
            elif unit == "MiB":
                shown = f"peak {_mib(value)} (limit {_mib(limit)})"
            elif unit == "events/s":
                shown = f"{value:,.0f} events/s (at least {limit:,.0f})"
            else:
                shown = f"{_ratio(value)} (limit {limit:.3f})"
            lines.append(f"| {name} | {t['target']} | {shown} | {_met(t['met'])} |")
    return lines


def discovery_section(results: dict[str, dict[str, Any]]) -> list[str]:
    docs = [d for d in _sorted_by_size(results, "discovery-") if d["events"] < SCALE_EVENTS]
    if not docs:
        return []
    lines = [
        "## 1. Discovery: cojourney against PM4Py on the same log",
        "",
        "Directly-follows with frequency and mean performance, variants, start and end "
        "activities and case durations, computed by `cojourney analyze FILE --json OUT` "
        "and by a Python process running PM4Py on the same Parquet file "
        "(`benchmarks/peers/pm4py_discovery.py`: `pandas.read_parquet` of the three "
        "columns, `pm4py.format_dataframe`, `discover_dfg`, `discover_performance_dfg`, "
        "`get_variants`, `get_all_case_durations`). Whole processes: start-up, imports, "
        "reading the file and writing the JSON included.",
        "",
        "| events | cases | tool | median wall | median peak RSS | runs (s) | load before |",
        "|---:|---:|---|---:|---:|---|---|",
    ]
    for d in docs:
        for tool in ("cojourney", "pm4py"):
            t = d.get(tool, {})
            if "skipped" in t:
                lines.append(
                    f"| {d['events']:,} | {d['input']['cases']:,} | PM4Py | – | – | "
                    f"{t['skipped']} | – |"
                )
                continue
            lines.append(
                f"| {d['events']:,} | {d['input']['cases']:,} | "
                f"{'cojourney' if tool == 'cojourney' else 'PM4Py'} | "
                f"{_s(t.get('median_wall_s'))} | {_mib(t.get('median_max_rss_mib'))} | "
                f"{_runs_text(t)} | {_load(t)} |"
            )
    lines += [
        "",
        "| events | cojourney time / PM4Py time | cojourney memory / PM4Py memory "
        "| speed-up | same results |",
        "|---:|---:|---:|---:|---|",
    ]
    for d in docs:
        r, a = d.get("ratios", {}), d.get("agreement", {})
        same = (
            "yes"
            if a.get("same_results")
            else "**no**: " + "; ".join(a.get("problems", []))
            if a.get("checked")
            else "not compared"
        )
        lines.append(
            f"| {d['events']:,} | {_ratio(r.get('time_cojourney_over_pm4py'))} | "
            f"{_ratio(r.get('memory_cojourney_over_pm4py'))} | "
            f"{r['speedup']:.2f}× | {same} |"
            if r
            else f"| {d['events']:,} | – | – | – | {same} |"
        )
    lines += [
        "",
        '"Same results" compares '
        + docs[0].get("agreement", {}).get("compared", "the outputs")
        + ".",
        "",
        "How cojourney does it (the array path of `analyze FILE` on DuckDB, "
        "`cojourney.analytics.discovery_arrays`): no Ibis, pandas or pyarrow is loaded; "
        "a Parquet file whose timestamp column has a timestamp type is checked by one "
        "aggregate query (journey ids and activities over their distinct values) and "
        "then read in place (a DuckDB view over the file that does not check again; "
        "nothing is copied, no text column is made for messages); one query counts the "
        "journeys and lists the activities, one more hands over every event's journey "
        "key (a 64-bit hash of its id, exact codes when two collide), activity code (an "
        "ENUM of the names in code-point order) and epoch microseconds, unsorted, as "
        "NumPy arrays; NumPy sorts them once by (journey, timestamp, file position) "
        "into three arrays (journey boundaries, activity codes, epoch microseconds). "
        "Directly-follows "
        "counts and means are `bincount`s over pair keys, median and 90th percentile "
        "come from one sort of (pair, gap) packed into one integer, the journeys of a "
        "pair from one sort of (journey, pair); variants are each journey's codes as "
        "big-endian bytes (byte order is the order of the activity tuples, so ties "
        "break as on the engines), grouped in a dictionary; start and end activities "
        "and durations come from the journey boundaries. The Ibis path "
        "(`cojourney.analytics.discovery.summarize`) gives the same results and still "
        "serves Spark, XES and OCEL logs.",
        "",
    ]
    revisions = {d.get("versions", {}).get("git_rev") for d in docs}
    if len(revisions) > 1:
        lines += [
            "Sizes measured at different revisions: "
            + "; ".join(
                f"{d['events']:,} events at `{d.get('versions', {}).get('git_rev')}`" for d in docs
            )
            + " (the code changed in between).",
            "",
        ]
    for d in docs:
        pm = d.get("pm4py", {})
        if len(pm.get("runs", [])) == 1:
            run = pm["runs"][0]
            what = (
                f"was stopped at its time limit of {pm['timeout_s']:.0f} s"
                if run["timed_out"]
                else f"failed (exit {run['exit']})"
                if run["exit"]
                else f"completed within its time limit of {pm['timeout_s']:.0f} s"
            )
            lines.append(f"At {d['events']:,} events PM4Py ran once, as planned, and {what}.")
    return [*lines, ""]


def profile_discovery_section(results: dict[str, dict[str, Any]]) -> list[str]:
    docs = _sorted_by_size(results, "profile-discovery-")
    if not docs:
        return []
    d = docs[0]
    stages = d["stages_median_s"]
    lines = [
        f"### Where cojourney's time goes at {d['events']:,} events",
        "",
        "The steps of `cojourney analyze FILE`, timed one by one inside one process "
        "(`benchmarks/profile_stages.py`; medians of "
        f"{len(d['plain_duckdb_sql']['runs'])} fresh processes, load before "
        f"{_stage_load(d)}; Python's own start-up, "
        "about 0.05 s, is not included). A diagnostic, not a target.",
        "",
        "| stage | seconds |",
        "|---|---:|",
    ]
    lines += [f"| {name} | {sec:.3f} |" for name, sec in stages.items()]
    lines.append(f"| **total** | **{sum(stages.values()):.3f}** |")
    lines += _stale_profile(d, results.get(f"discovery-{d['size']}"))
    plain = d["plain_duckdb_sql"]
    lines += [
        "",
        f"For scale, the same results as plain DuckDB SQL without Ibis ({plain['what']})"
        f": median {_s(plain['median_wall_s'])} and {_mib(plain['median_max_rss_mib'])} "
        f"(load before {_load_of(plain['runs'])}).",
    ]
    peer = results.get(f"discovery-{d['size']}", {}).get("pm4py", {})
    if "median_wall_s" in peer:
        lines += [
            "",
            f"The targets at this size ask for at most "
            f"{_s(peer['median_wall_s'] / 10)} (1/10 of PM4Py's median) and "
            f"{_mib(peer['median_max_rss_mib'] / 3)} (1/3 of PM4Py's peak), start-up "
            "included.",
        ]
    return [*lines, ""]


def profile_journey_section(results: dict[str, dict[str, Any]]) -> list[str]:
    docs = _sorted_by_size(results, "profile-journey-")
    if not docs:
        return []
    d = docs[-1]
    stages = d["stages_median_s"]
    lines = [
        f"### Where the time goes at {d['events']:,} events",
        "",
        "The stages `cojourney -v analyze WORKSPACE` logs (medians of "
        f"{len(d['runs'])} runs, load before {_load_of(d['runs'])}; "
        "`benchmarks/profile_stages.py`). A diagnostic, not a target.",
        "",
        "| stage | seconds |",
        "|---|---:|",
    ]
    lines += [f"| {name} | {sec:.2f} |" for name, sec in stages.items()]
    lines.append(f"| **total of the stages** | **{sum(stages.values()):.2f}** |")
    lines += _stale_profile(d, results.get(f"journey-{d['size']}"))
    return [*lines, ""]


def _stale_profile(profile: dict[str, Any], measured: dict[str, Any] | None) -> list[str]:
    """A note when a profile was taken at another revision than the benchmark it explains."""
    rev = profile.get("versions", {}).get("git_rev")
    now = (measured or {}).get("versions", {}).get("git_rev")
    if not rev or not now or rev == now:
        return []
    return [
        "",
        f"Note: these stages were measured at revision `{rev}`, the benchmark above at "
        f"`{now}`; the code changed in between (see the explanation above), so the stages "
        "no longer add up to it. `benchmarks/profile_stages.py` measures them again.",
    ]


def _stage_load(d: dict[str, Any]) -> str:
    text = _range(d.get("stages_loadavg_before", []))
    busy = d.get("stages_cpu_busy_before")
    return f"{text} (CPU ≤ {100 * max(busy):.0f}%)" if busy else text


def journey_section(results: dict[str, dict[str, Any]]) -> list[str]:
    docs = _sorted_by_size(results, "journey-")
    if not docs:
        return []
    lines = [
        "## 2. Full journey analysis of a workspace from Parquet",
        "",
        "`cojourney analyze WORKSPACE --events DATASET --json OUT` on the eCampus example "
        "workspace: the actual-journey graph, variants, entry and exit, rework, the step "
        "funnel, gates, conformance and the breakdowns by segment, channel and month. The "
        "events are generated eCampus member journeys (touchpoint ids as activities, the "
        "personas as segments), a folder of Parquet files. Whole process.",
        "",
        "| events | journeys | median wall | median peak RSS | runs (s) | load before |",
        "|---:|---:|---:|---:|---|---|",
    ]
    for d in docs:
        t = d["cojourney"]
        lines.append(
            f"| {d['events']:,} | {d['input']['cases']:,} | {_s(t.get('median_wall_s'))}"
            f" | {_mib(t.get('median_max_rss_mib'))} | {_runs_text(t)} | {_load(t)} |"
        )
    sections = docs[-1].get("analyses", {}).get("sections")
    if sections:
        lines += ["", "Sections in the output: " + ", ".join(f"`{s}`" for s in sections) + "."]
    lines += [
        "",
        "How: each journey's events are sorted once into arrays (activity codes, "
        "designed positions, step indexes, times), cached; the per-journey facts are "
        "derived from them in a few staged projections, so no array expression is "
        "computed twice and the conditional array functions run over the short arrays "
        "(moves back, jumps forward); repeated touchpoints come from one sorted copy of "
        "each journey's positions; the graph, funnel and variants then only aggregate. "
        "On DuckDB the compiled SQL uses `list_zip`, `arg_max_null` and a single "
        "quantile aggregate for median and 90th percentile.",
    ]
    return [*lines, ""]


def scale_section(results: dict[str, dict[str, Any]]) -> list[str]:
    docs = [d for d in _sorted_by_size(results, "discovery-") if d["events"] >= SCALE_EVENTS]
    if not docs:
        return [
            "## 3. 100M events",
            "",
            "Not measured yet (`BENCH_SIZES` did not include 100000000).",
            "",
        ]
    lines = [
        "## 3. 100M events",
        "",
        "The discovery of section 1 (`cojourney analyze FILE --json OUT`) on a 100M-event "
        "Parquet file, generated in chunks of 5M events so the generator stays bounded. "
        "PM4Py is not run at this size (at 10M it already needs several GiB; it holds "
        "the whole log in pandas). DuckDB's default memory limit is 80% of the RAM; "
        "beyond it DuckDB spills to a temporary folder (`.tmp` in the working directory, "
        "here the data folder), so the peak stays under the limit.",
        "",
        "| events | cases | file | median wall | median peak RSS | runs (s) | load before |",
        "|---:|---:|---:|---:|---:|---|---|",
    ]
    for d in docs:
        t = d["cojourney"]
        lines.append(
            f"| {d['events']:,} | {d['input']['cases']:,} | "
            f"{_mib(d['input']['bytes'] / 2**20)} | {_s(t.get('median_wall_s'))} | "
            f"{_mib(t.get('median_max_rss_mib'))} | {_runs_text(t)} | {_load(t)} |"
        )
    return [*lines, ""]


def xes_section(results: dict[str, dict[str, Any]]) -> list[str]:
    docs = [d for name, d in results.items() if name.startswith("xes-import-")]
    if not docs:
        return []
    lines = [
        "## 4. XES import",
        "",
        "`cojourney import WORKSPACE FILE` (parse, map to the canonical schema, commit to "
        "the workspace's DuckDB event store; into a fresh `cojourney init` workspace "
        "before each run, not timed) against PM4Py's default `pm4py.read_xes` to a pandas "
        "DataFrame (`benchmarks/peers/pm4py_read_xes.py`). Whole processes. The logs are "
        "read from the shared data folder (`$COJOURNEY_SHARED_DATA`, default "
        "`../shared/data`), never copied into the repository.",
        "",
        "| log | tool | median wall | median peak RSS | runs (s) | load before | events, "
        "cases read |",
        "|---|---|---:|---:|---|---|---|",
    ]
    for d in docs:
        for tool in ("cojourney", "pm4py"):
            t, c = d[tool], d["counts"].get(tool, {})
            lines.append(
                f"| {d['log']} | {'cojourney' if tool == 'cojourney' else 'PM4Py'} | "
                f"{_s(t.get('median_wall_s'))} | {_mib(t.get('median_max_rss_mib'))} | "
                f"{_runs_text(t)} | {_load(t)} | "
                f"{c.get('events', 0):,}, {c.get('cases', 0):,} |"
            )
        r = d["ratios"]
        lines += [
            "",
            f"{d['log']}: cojourney time / PM4Py time = "
            f"{_ratio(r['time_cojourney_over_pm4py'])}, memory ratio "
            f"{_ratio(r['memory_cojourney_over_pm4py'])}; both read the same number "
            f"of events and cases: {'yes' if d['same_counts'] else '**no**'}. "
            + (f"Note: {d['note']}." if d.get("note") else ""),
        ]
    return [*lines, ""]


def ingest_section(results: dict[str, dict[str, Any]]) -> list[str]:
    docs = [d for name, d in results.items() if name.startswith("ingest-")]
    if not docs:
        return []
    lines = [
        "## 6. Capture: the ingestion API under load",
        "",
        "`benchmarks/bench_ingest.py`: `cojourney serve` on a loopback port, a fresh "
        "workspace and an `ingest` token; concurrent clients (threads of the benchmark "
        "process, each with its own `cojourney.client.Client`) post events, then survey "
        "answers, in batches with ids, and send some batches a second time as a client "
        "does when an answer is lost. Afterwards the store is checked: every id exactly "
        "once. The rate is the events (and all items) over the wall time from the first "
        "request to the last answer; the clients share the 2 cores with the server. The "
        "web-state database only holds the token: the events go to the workspace's "
        "DuckDB store either way. A CPU share near 100% in the last column means other "
        "jobs were running (the machine was shared): the rates on an idle machine are higher.",
        "",
        "| events, answers | clients | batch | database | wall | events/s | items/s | "
        "retried batches (items known) | lost | duplicated | transactions | load before |",
        "|---|---:|---:|---|---:|---:|---:|---|---:|---:|---:|---|",
    ]
    for d in docs:
        for r in d["runs_by_database"]:
            lines.append(
                f"| {d['events']:,}, {d['answers']:,} | {d['clients']} | {d['batch']} | "
                f"{r['database']} | {_s(r['wall_s'])} | {r['events_per_s']:,} | "
                f"{r['items_per_s']:,} | {r['retried_batches']} ({r['retried_items_known']:,}) | "
                f"{r['lost']} | {r['duplicated']} | {r['transactions']} | "
                f"{r['loadavg_before'][0]:.2f}, CPU {100 * r['cpu_busy_before']:.0f}% busy |"
            )
    return [*lines, ""]


def pages_section(results: dict[str, dict[str, Any]]) -> list[str]:
    docs = [d for name, d in results.items() if name.startswith("pages-")]
    if not docs:
        return []
    lines = [
        "## 7. Web pages: overview, journey map and editor save",
        "",
        "`benchmarks/bench_pages.py`: the eCampus demo workspace (`cojourney demo build DIR "
        "--no-serve --journeys N`), the app in-process (Starlette's TestClient, no network: "
        "the server's own time) on a SQLite web state, signed in as an editor; after a few "
        "warm-up requests (the model cached), each page is timed. The save is the journey "
        "editor's POST of a touchpoint (validation with the rules of `cojourney validate`, "
        "YAML write-back, a version in the database), each from a fresh base version. "
        "Target: p95 under 300 ms warm. A save parses only what changed: the safe reader "
        "keeps parsed documents by content (`spec/yaml_io.read_yaml`), a saved file's "
        "edited document (and its layout) is handed to the next edit of that text, and the "
        "workspace handle adopts the model the save validated, so the first page after a "
        "save is warm. What is left of a save is mostly ruamel (pure Python) writing the one "
        "edited file back in round-trip mode (a 43 KB journey file here): the p95 sits at "
        "the target when the shared machine is busy. The benchmark renames a touchpoint "
        "back and forth, so after the warm-up both texts of the edited file are known to "
        "the validation and to the version's list of changes; a save with a text never "
        "seen also parses it for those two (about twice the parse time of that file more). "
        "The load before the run shows how busy the machine was.",
        "",
        "| page | journeys | requests | p50 | p95 | max | p95 < 300 ms | load before |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    labels = {
        "overview": "overview `/`",
        "journey_map": "journey map `/journeys/{id}`",
        "editor_save": "editor save (POST)",
        "overview_after_save": "overview right after a save",
    }
    for d in docs:
        for name, p in d["pages"].items():
            lines.append(
                f"| {labels.get(name, name)} | {d['journeys']:,} | {d['requests']} | "
                f"{p['p50_ms']:,.1f} ms | {p['p95_ms']:,.1f} ms | {p['max_ms']:,.1f} ms | "
                f"{_met(p['met'])} | {d['loadavg_before'][0]:.2f}, CPU "
                f"{100 * d['cpu_busy_before']:.0f}% busy |"
            )
    return [*lines, ""]


def memory_section(results: dict[str, dict[str, Any]]) -> list[str]:
    d = results.get("memory")
    if d is None:
        return []
    lines = [
        "## 8. Memory per million events: DuckDB and Spark local mode",
        "",
        "`benchmarks/bench_memory.py`: `cojourney analyze FILE --engine E` on two generated "
        "logs; the peak resident memory is the SUM over the process tree (the Python "
        "process and, for Spark, its JVM), sampled from `/proc` every 50 ms (`%M` would "
        "show only the largest process). A straight line through the two sizes splits it "
        "into a fixed part and a part per million events. Spark runs `local[2]` with the "
        "JVM's default heap: its peak is the heap the JVM chose to fill, mostly fixed, so "
        "its 'per million' is a lower bound for logs that fit that heap. The machine was "
        "shared: the load before each run is shown, and the wall times are not comparable "
        "with the other sections. docs/scale.md reads these numbers.",
        "",
        "| engine | events | peak (process tree) | wall | load before |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in sorted(d["runs"], key=lambda r: (r["engine"], r["events"])):
        lines.append(
            f"| {r['engine']} | {r['events']:,} | {r['peak_rss_mib']:,.0f} MiB | "
            f"{_s(r['seconds'])} | {r['loadavg_before'][0]:.1f} |"
        )
    lines += ["", "| engine | fixed | per million events |", "|---|---:|---:|"]
    for engine, m in d["model"].items():
        lines.append(f"| {engine} | {m['fixed_mib']:,.0f} MiB | {m['per_million_mib']:,.0f} MiB |")
    return [*lines, ""]


def environment(results: dict[str, dict[str, Any]]) -> list[str]:
    newest = max((d for d in results.values() if "versions" in d), key=lambda d: d["date"])
    m, v = newest["machine"], newest["versions"]
    with_pm4py = next(
        (
            d["versions"]["pm4py_env"]
            for d in results.values()
            if "pm4py_env" in d.get("versions", {})
        ),
        None,
    )
    dates = sorted(d["date"] for d in results.values())
    lines = [
        "## Machine and versions",
        "",
        f"- Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM, {m['os']}",
        f"- cojourney {v['cojourney']} at git revision `{v['git_rev']}`, Python "
        f"{v['python']}, DuckDB {v['duckdb']}, Ibis {v['ibis-framework']}, "
        f"PyArrow {v['pyarrow']}, PySpark {v['pyspark']}, NumPy {v['numpy']}",
    ]
    if with_pm4py:
        lines.append(
            f"- PM4Py environment (`benchmarks/.venv-pm4py`): PM4Py "
            f"{with_pm4py['pm4py']}, pandas {with_pm4py['pandas']}, NumPy "
            f"{with_pm4py['numpy']}, Python {with_pm4py['python']}"
        )
    lines.append(f"- Measured between {dates[0]} and {dates[-1]} (UTC)")
    return [*lines, ""]


#: Hand-written: how far each unmet target is and why (the numbers cannot say it).
WHY = Path(__file__).with_name("targets_why.md")


def why_not_met() -> list[str]:
    """The text of :data:`WHY` (its own headings), when the file exists."""
    if not WHY.is_file():
        return []
    return [*WHY.read_text(encoding="utf-8").rstrip("\n").splitlines(), ""]


def render(results: dict[str, dict[str, Any]]) -> str:
    runs = sorted(
        {
            len(d[t]["runs"])
            for d in results.values()
            for t in ("cojourney", "pm4py")
            if isinstance(d.get(t), dict) and d[t].get("runs")
        }
    )
    busy = _busy_runs(results)
    head = [
        "# Benchmarks",
        "",
        "<!-- Generated by benchmarks/update_benchmarks_md.py from benchmarks/results/*.json;"
        " do not edit by hand: run `make bench` (or the script) instead. -->",
        "",
        "**When.** Each section names its revision and date (the result files keep the load "
        "and the versions). Discovery at 1M, the XES import, the report at 1M and 10M, the "
        "journey analysis at 10M, the profiles were measured on 2026-12-07 on an idle "
        "machine; Spark against DuckDB that day too, its later runs (leakage to report) "
        "beside a test run at the lowest priority (nice 19; see each run's load); the report "
        "at 100M that day while the test suite ran (its target is memory, not time); discovery at 10M and 100M on 2026-12-01. **The same "
        "virtual machine is not equally fast every day:** PM4Py's discovery of the same 1M-event "
        "file took 4.6 s on 2026-12-01 and 6.2 to 7.4 s on 2026-12-07, so absolute times from "
        "different days differ by a third or more; ratios against a peer run in the same "
        "session do not.",
        "",
        "Reproducible comparisons of cojourney with PM4Py, and its own targets. Every "
        "measurement is a **whole process** (start-up and imports included): wall time "
        "around the process, and peak resident memory from GNU `/usr/bin/time` (`%M`, the "
        "maximum resident set size; without `/usr/bin/time` a Python wrapper reports "
        "`getrusage(RUSAGE_CHILDREN).ru_maxrss`, the same quantity). Numbers are "
        f"**medians of {' or '.join(map(str, runs))} runs** per tool (where a tool ran "
        "once, the single run is shown); the two tools run alternately, so both see the "
        "same machine, and their ratios come from the same session.",
        "",
        "Before each run the 1-minute load average (`/proc/loadavg`) is recorded, and "
        "the share of the CPUs busy during one second in which the benchmark itself "
        "waits (`/proc/stat`): the load average still carries the benchmark's own "
        "previous run (a long two-thread DuckDB run leaves about 2 on these 2 "
        'cores), the CPU sample shows other jobs. Both are in the "load before" '
        f"columns. A run counts as disturbed when other jobs kept more than "
        f"{100 * BUSY_CPU:.0f}% of the CPUs busy (or, without a CPU sample, when the "
        f"load average exceeded {BUSY_LOAD:.1f}).",
        "",
    ]
    if busy:
        head += [
            f"> **The machine was shared during {len(busy)} of the runs below** (other "
            'jobs running; see the "load before" columns). Those times may be '
            "inflated; **a rerun on an idle machine is pending.**",
            "",
        ]
    else:
        head += [
            "No run was disturbed by other jobs by that measure (it is taken just before "
            "each run; a job that starts during a run is not seen).",
            "",
        ]
    head += ["## Targets", "", *summary_table(results), "", *why_not_met()]
    data = [
        "## Data",
        "",
        "`benchmarks/generate_log.py` writes seeded logs (seed 20251201), vectorised with "
        "NumPy, in chunks of 5M events so memory stays bounded at any size:",
        "",
        "- **generic**: an order-to-cash service, 32 activities, about 12 events per case, "
        "with two ways in, a completeness loop, two checks done in either order "
        "(parallel-ish), escalations, skipped steps, a delivery retry loop, payment "
        "reminders, complaints and cancellations part-way. Columns `case:concept:name`, "
        "`concept:name`, `time:timestamp` (`timestamp[us, UTC]`), `org:resource`.",
        "- **ecampus**: eCampus member journeys walking the designed journey of the "
        "eCampus example (its touchpoint ids, loops, skips, entry and exit points; "
        "consumer-only touchpoints never appear), with a few deviations (missed "
        "touchpoints, bookings before the onboarding gates), the personas `katrina`, "
        "`marcos` and `diego` as segments and the touchpoints' channels; about 100 events "
        "per member (a member makes many trips). Canonical columns.",
        "",
        "Both tools read the same **Parquet** file: it is the fair format, typed and "
        "columnar for both (pandas reads it with PyArrow, DuckDB natively); CSV would add "
        "text parsing of timestamps to both and mostly measure the CSV readers. The "
        "generator can also write CSV (`--csv`).",
        "",
    ]
    how = [
        "## How to run",
        "",
        "```sh",
        "make bench                                   # everything; creates the PM4Py venv "
        "if missing",
        'BENCH_SIZES="1000000 10000000" bash benchmarks/run.sh   # choose the discovery sizes',
        'BENCH_ONLY="discovery xes" BENCH_RUNS=5 bash benchmarks/run.sh',
        'BENCH_ONLY="report" BENCH_REPORT_SIZES="1000000 10000000 100000000" bash benchmarks/run.sh',
        'BENCH_ONLY="engines" BENCH_ENGINES_EVENTS=10000000 bash benchmarks/run.sh',
        ".venv/bin/python benchmarks/update_benchmarks_md.py      # re-render this page",
        "```",
        "",
        "Options of `benchmarks/run.sh` (environment variables): `BENCH_SIZES` (discovery "
        "sizes, default `1000000 10000000 100000000`), `BENCH_RUNS` (runs per tool, default 3),"
        " `BENCH_ONLY` (any of `discovery journey xes report engines profile`), "
        "`BENCH_JOURNEY_EVENTS` (default 10000000), `BENCH_REPORT_SIZES` (report sizes, "
        "default `1000000 10000000 100000000`), `BENCH_ENGINES_EVENTS` (size of the "
        "Spark-against-DuckDB benchmark, default 10000000), `BENCH_TIMEOUT` (seconds "
        "before a report or engines run is stopped, default 3600), `BENCH_SPARK_CONFIG` "
        "(Spark settings as JSON for the engines benchmark, default "
        '`{"spark.driver.memory": "8g"}`; empty for cojourney\'s own), '
        "`BENCH_PM4PY_TIMEOUT` (seconds, default 1800), "
        "`COJOURNEY_SHARED_DATA` (the real logs, default `../shared/data`), "
        "`BENCH_DATA_DIR` (generated logs, default `benchmarks/data/`, git-ignored). "
        "PM4Py (AGPL-3.0) lives only in `benchmarks/.venv-pm4py` "
        "(`benchmarks/setup_pm4py.sh`), never in cojourney's dependencies.",
        "",
    ]
    commands = ["## Exact commands", ""]
    for name, d in results.items():
        for tool, cmd in d.get("commands", {}).items():
            commands.append(f"- {name}, {tool}: `{cmd}`")
    body = (
        discovery_section(results)
        + profile_discovery_section(results)
        + journey_section(results)
        + profile_journey_section(results)
        + scale_section(results)
        + xes_section(results)
        + report_section(results)
        + ingest_section(results)
        + pages_section(results)
        + memory_section(results)
        + engines_section(results)
    )
    return "\n".join(head + body + data + environment(results) + commands + [""] + how) + "\n"


def main() -> int:
    setup_logging()
    results = load_results()
    if not results:
        log.warning("no result files in %s; run benchmarks/run.sh first", RESULTS)
        return 1
    OUT.write_text(render(results))
    log.info("wrote %s from %d result files", OUT, len(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
