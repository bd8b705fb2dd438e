"""Every analysis on Spark local mode against DuckDB, on the same workspace and events.

Usage::

    .venv/bin/python benchmarks/bench_engines.py --events 10000000 --runs 3
    .venv/bin/python benchmarks/bench_engines.py --events 200000 --runs 1 \\
        --analyses analyze agreements --timeout 900

Times, as whole processes, each analysis command of cojourney on ``--engine duckdb``
and on ``--engine spark`` (local mode, ``local[2]`` unless ``--spark-config`` or the
settings say otherwise), alternately, on the eCampus example workspace (``cojourney
init --example ecampus-car-share``) and the generated eCampus events of
``bench_journey.py`` / ``bench_report.py`` (``generate_log.py --flavour ecampus``, a
folder of Parquet files):

``analyze``, ``agreements``, ``value``, ``leakage``, ``report``
    read the generated events with ``--events DATASET`` (no answers then);
``experience``
    reads the survey answers imported into the workspace (the command has no
    ``--events``): answers synthesised from the generated events (see
    :func:`synthesise_feedback`);
``improvements``
    reads the workspace's store: with ``--events`` the register's effects measured on
    answers cannot be tested (no answers), so the generated events are imported into
    the workspace beside the answers first (not timed).

Spark's JVM is a child process of the Python driver, so every run (DuckDB too, for
the same measure on both) is timed by :func:`_harness.measure_tree`: the peak is the
sum of the resident memory of the process tree, sampled every 50 ms. The ratio is
Spark's median wall time over DuckDB's, per analysis; the target (issue 12) is Spark
within 5× of DuckDB on one machine at 10M events. The JSON outputs of both engines are
compared (numbers within a relative 1e-6, lists also up to order) so that the two
timings are of the same computation. Writes ``results/engines-<size>.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (
    COJOURNEY,
    DATA,
    measure_tree,
    relative,
    setup_logging,
    size_label,
    summary,
    versions,
    write_result,
)
from generate_log import generate

log = logging.getLogger("bench.engines")

ANALYSES = ("analyze", "experience", "agreements", "value", "leakage", "improvements", "report")
ENGINES = ("duckdb", "spark")
#: How the analyses read their input: the generated Parquet events, or the store.
READS_STORE = frozenset({"experience", "improvements"})
#: The analyses that need the events in the store too (not only the answers).
NEEDS_STORED_EVENTS = frozenset({"improvements"})
TARGET_RATIO = 5.0
TARGET_EVENTS = 10_000_000
#: Relative tolerance when the two engines' numbers are compared.
REL_TOL = 1e-6
#: Keys of the JSON outputs that name the engine or the input, not results.
NOT_RESULTS = frozenset({"engine", "computed_with", "source", "seconds", "elapsed_s", "generated"})
#: Journeys of the demo simulation that gives the answer rates (see synthesise_feedback).
RATE_JOURNEYS = 400
#: Events of the log whose `analyze` shows each engine's fixed cost (start-up).
BASELINE_EVENTS = 10_000


def prepare_workspace(folder: Path, dataset: Path, *, store_events: bool) -> dict[str, Any]:
    """A fresh eCampus workspace with synthesised answers (and the events, if asked)."""
    from bench_journey import workspace

    ws = workspace(folder)
    feedback = folder.parent / f"{dataset.name}-feedback.parquet"
    answers = synthesise_feedback(ws, dataset, feedback)
    _cojourney("import", ws, feedback, "--kind", "feedback")
    info: dict[str, Any] = {"answers": answers, "events_in_store": False}
    if store_events:
        for part in sorted(dataset.glob("*.parquet")):
            _cojourney(
                "import",
                ws,
                part,
                "--case",
                "journey_id",
                "--activity",
                "activity",
                "--timestamp",
                "timestamp",
            )
        info["events_in_store"] = True
    return info


def _cojourney(*args: str | Path) -> None:
    log.info("setup: cojourney %s", " ".join(str(a) for a in args))
    done = subprocess.run(
        [str(COJOURNEY), *(str(a) for a in args)], capture_output=True, text=True, cwd=DATA
    )
    if done.returncode:
        raise SystemExit(f"cojourney {args[0]} failed:\n{done.stdout}\n{done.stderr}")


def synthesise_feedback(ws: Path, dataset: Path, out: Path) -> dict[str, int]:
    """Survey answers for the generated events, written to ``out``; counts by question.

    The generated events have no answers. The demo simulator of the same example
    (``cojourney demo simulate WS -n 400 -o DIR``) gives, for each question, the
    touchpoints it is asked at, how often an event at that touchpoint is answered and
    the scale seen; journey-level questions (NPS, CES: no touchpoint) how often per
    journey. The same rates are applied to the generated events, deterministically
    (DuckDB ``hash`` of the event's sequence number): an answer one minute after its
    event, a journey-level answer a day after the journey's last event, scores spread
    evenly over the scale. Nothing here is timed.
    """
    import duckdb

    sim = out.parent / "engines-rate-simulation"
    if sim.exists():
        shutil.rmtree(sim)
    _cojourney("demo", "simulate", ws, "-n", str(RATE_JOURNEYS), "--seed", "7", "-o", sim)
    con = duckdb.connect()
    con.execute(
        f"""
        CREATE TEMP TABLE rates AS
        WITH ev AS (SELECT activity, count(*) AS n FROM read_parquet('{sim}/events.parquet')
                    GROUP BY ALL),
             fb AS (SELECT question, touchpoint, count(*) AS n, min(score) AS lo,
                           max(score) AS hi
                    FROM read_parquet('{sim}/feedback.parquet') GROUP BY ALL),
             j AS (SELECT count(DISTINCT journey_id) AS n
                   FROM read_parquet('{sim}/events.parquet'))
        SELECT fb.question, fb.touchpoint, least(fb.n / coalesce(ev.n, j.n), 1.0) AS rate,
               fb.lo, fb.hi
        FROM fb LEFT JOIN ev ON fb.touchpoint = ev.activity, j
        """
    )
    draw = "(hash({key}, r.question{salt}) % 1000003) / 1000003.0"
    score = "r.lo + floor(" + draw.format(key="{key}", salt=", 's'") + " * (r.hi - r.lo + 1))"
    con.execute(
        f"""
        COPY (
          WITH e AS (SELECT journey_id, activity, "timestamp", event_seq
                     FROM read_parquet('{dataset}/*.parquet')),
               last AS (SELECT journey_id, max("timestamp") AS ts, min(event_seq) AS seq
                        FROM e GROUP BY ALL),
               at_touchpoint AS (
                 SELECT e.journey_id, e."timestamp" + INTERVAL 1 MINUTE AS "timestamp",
                        r.question, r.touchpoint, {score.format(key="e.event_seq")} AS score
                 FROM e JOIN rates r ON e.activity = r.touchpoint
                 WHERE {draw.format(key="e.event_seq", salt="")} < r.rate),
               whole AS (
                 SELECT l.journey_id, l.ts + INTERVAL 1 DAY AS "timestamp", r.question,
                        NULL::VARCHAR AS touchpoint, {score.format(key="l.seq")} AS score
                 FROM last l JOIN rates r ON r.touchpoint IS NULL
                 WHERE {draw.format(key="l.seq", salt="")} < r.rate)
          SELECT * FROM at_touchpoint UNION ALL SELECT * FROM whole
          ORDER BY "timestamp", journey_id, question
        ) TO '{out}' (FORMAT parquet)
        """
    )
    counts = dict(
        con.execute(
            f"SELECT question, count(*) FROM read_parquet('{out}') GROUP BY ALL ORDER BY ALL"
        ).fetchall()
    )
    shutil.rmtree(sim)
    log.info("synthesised answers: %s", counts)
    return {str(k): int(v) for k, v in counts.items()}


def command(analysis: str, engine: str, ws: Path, dataset: Path, out: Path) -> list[str | Path]:
    """The command line of one analysis on one engine."""
    cmd: list[str | Path] = [COJOURNEY, analysis, ws]
    if analysis not in READS_STORE:
        cmd += ["--events", dataset]
    cmd += ["--engine", engine]
    cmd += ["-o", out] if analysis == "report" else ["--json", out]
    return cmd


def compare(a: Any, b: Any, path: str = "$", problems: list[str] | None = None) -> list[str]:
    """Where two JSON documents differ (numbers within :data:`REL_TOL`), at most 20."""
    problems = [] if problems is None else problems
    if len(problems) >= 20:
        return problems
    if isinstance(a, bool) or isinstance(b, bool):
        if a != b:
            problems.append(f"{path}: {a!r} != {b!r}")
    elif isinstance(a, int | float) and isinstance(b, int | float):
        if not math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-9):
            problems.append(f"{path}: {a!r} != {b!r}")
    elif isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key in NOT_RESULTS:
                continue
            if key not in a or key not in b:
                problems.append(f"{path}.{key}: only in {'spark' if key in b else 'duckdb'}")
                continue
            compare(a[key], b[key], f"{path}.{key}", problems)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            problems.append(f"{path}: {len(a)} items != {len(b)} items")
            return problems
        found: list[str] = []
        for n, (x, y) in enumerate(zip(a, b, strict=True)):
            compare(x, y, f"{path}[{n}]", found)
        if found and _canonical(a) == _canonical(b):
            return problems  # the same items in another order (ties ordered differently)
        problems.extend(found[: 20 - len(problems)])
    elif a != b:
        problems.append(f"{path}: {a!r} != {b!r}")
    return problems


def _canonical(items: list[Any]) -> list[str]:
    """The items as sorted JSON texts, numbers rounded to 6 significant digits."""

    def rounded(x: Any) -> Any:
        if isinstance(x, float):
            return float(f"{x:.6g}")
        if isinstance(x, dict):
            return {k: rounded(v) for k, v in x.items() if k not in NOT_RESULTS}
        if isinstance(x, list):
            return [rounded(v) for v in x]
        return x

    return sorted(json.dumps(rounded(x), sort_keys=True) for x in items)


def agreement(analysis: str, outs: dict[str, Path]) -> dict[str, Any]:
    """Whether the two engines' outputs of ``analysis`` agree."""
    if analysis == "report":
        return {"checked": False, "why": "HTML output; its analyses are compared in the rows above"}
    missing = [engine for engine, out in outs.items() if not out.is_file()]
    if missing:
        return {"checked": False, "why": f"no output from {', '.join(missing)}"}
    docs = {engine: json.loads(out.read_text()) for engine, out in outs.items()}
    problems = compare(docs["duckdb"], docs["spark"])
    return {
        "checked": True,
        "same_results": not problems,
        "problems": problems,
        "compared": f"the whole --json output, numbers within a relative {REL_TOL:g}, "
        f"lists also up to order; keys not compared: {', '.join(sorted(NOT_RESULTS))}",
    }


def fixed_cost(
    ws: Path, events: int, seed: int, timeout: float, env: dict[str, str]
) -> dict[str, Any]:
    """``analyze`` of a tiny log on each engine, once: mostly each engine's start-up."""
    dataset = DATA / f"ecampus-{size_label(events)}"
    generate(dataset, events=events, flavour="ecampus", seed=seed)
    out = DATA / "out" / "engines-fixed-cost.json"
    runs = {
        engine: measure_tree(
            command("analyze", engine, ws, dataset, out),
            timeout=timeout,
            label=f"fixed cost: analyze {engine} {size_label(events)}",
            env=env,
        )
        for engine in ENGINES
    }
    return {"events": events, "analysis": "analyze", **runs}


def bench(
    events: int,
    runs: int,
    seed: int,
    analyses: list[str],
    timeout: float,
    spark_config: str | None,
    baseline_events: int = BASELINE_EVENTS,
    save: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Generate (once), prepare the workspace, time every analysis on both engines.

    ``save`` is called with the result so far after every analysis (``complete`` false
    until the last), so a run stopped midway still leaves what it measured.
    """
    label = size_label(events)
    dataset = DATA / f"ecampus-{label}"
    meta = generate(dataset, events=events, flavour="ecampus", seed=seed)
    ws = DATA / "engines-workspace"
    prepared = prepare_workspace(
        ws, dataset, store_events=bool(NEEDS_STORED_EVENTS & set(analyses))
    )
    env = {"COJOURNEY_SPARK_CONFIG": spark_config} if spark_config else {}
    out_dir = DATA / "out" / f"engines-{label}"
    out_dir.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {
        "events": events,
        "size": label,
        "input": {
            **{k: meta[k] for k in ("events", "cases", "activities", "seed")},
            "path": relative(dataset),
            "generator": "benchmarks/generate_log.py --flavour ecampus",
            "workspace": "cojourney init WORKSPACE --example ecampus-car-share",
            "answers": prepared["answers"],
            "feedback": "synthesised from the generated events with the answer rates of "
            "the demo simulator (bench_engines.synthesise_feedback), imported into the "
            "workspace",
            "events_in_store": prepared["events_in_store"],
            "reads": {
                a: "the workspace's store" if a in READS_STORE else "--events DATASET"
                for a in analyses
            },
        },
        "spark": {
            "mode": "local (cojourney's default local[2] unless the settings say otherwise)",
            "spark_config": spark_config or "cojourney's defaults",
        },
        "versions": versions(),
        "memory_method": "process tree RSS (the Python driver and Spark's JVM), "
        "sampled every 50 ms; both engines measured the same way",
        "timeout_s": timeout,
        "commands": {},
        "analyses": {},
    }
    for analysis in analyses:
        suffix = "html" if analysis == "report" else "json"
        outs = {e: out_dir / f"{analysis}-{e}.{suffix}" for e in ENGINES}
        for out in outs.values():
            out.unlink(missing_ok=True)
        cmds = {e: command(analysis, e, ws, dataset, outs[e]) for e in ENGINES}
        per_engine: dict[str, list[dict[str, Any]]] = {e: [] for e in ENGINES}
        for n in range(runs):
            for engine in ENGINES:  # alternately, so both see the same machine
                per_engine[engine].append(
                    measure_tree(
                        cmds[engine],
                        timeout=timeout,
                        label=f"{analysis} {engine} {label} run {n + 1}/{runs}",
                        env=env,
                    )
                )
        doc: dict[str, Any] = {e: summary(per_engine[e]) for e in ENGINES}
        duck, spark = (doc[e].get("median_wall_s") for e in ENGINES)
        duck_mem, spark_mem = (doc[e].get("median_max_rss_mib") for e in ENGINES)
        doc["ratio_time_spark_over_duckdb"] = (
            round(spark / duck, 3) if duck and spark is not None else None
        )
        doc["ratio_memory_spark_over_duckdb"] = (
            round(spark_mem / duck_mem, 3) if duck_mem and spark_mem is not None else None
        )
        doc["agreement"] = agreement(analysis, outs)
        result["analyses"][analysis] = doc
        for engine in ENGINES:
            result["commands"][f"{analysis} {engine}"] = " ".join(
                relative(c) if isinstance(c, Path) else c for c in cmds[engine]
            )
        if save is not None:
            save({**result, "targets": _targets(result, events), "complete": False})
    if baseline_events:
        result["fixed_cost"] = fixed_cost(ws, baseline_events, seed, timeout, env)
    result["targets"] = _targets(result, events)
    result["complete"] = True
    return result


def _targets(result: dict[str, Any], events: int) -> list[dict[str, Any]]:
    """The target rows of the analyses measured so far (judged at 10M events only)."""
    return (
        [
            {
                "target": f"{analysis}: Spark local mode within {TARGET_RATIO:g}x of DuckDB "
                "(whole process)",
                "limit": TARGET_RATIO,
                "unit": "ratio",
                "value": doc["ratio_time_spark_over_duckdb"],
                "met": doc["ratio_time_spark_over_duckdb"] is not None
                and doc["ratio_time_spark_over_duckdb"] <= TARGET_RATIO,
            }
            for analysis, doc in result["analyses"].items()
        ]
        if events == TARGET_EVENTS
        else []
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=TARGET_EVENTS, help="Events to analyse.")
    parser.add_argument("--runs", type=int, default=3, help="Runs per engine (median kept).")
    parser.add_argument("--seed", type=int, default=20251201, help="Generator seed.")
    parser.add_argument(
        "--analyses",
        nargs="+",
        choices=ANALYSES,
        default=list(ANALYSES),
        help="The analysis commands to time (default: all).",
    )
    parser.add_argument(
        "--timeout", type=float, default=3600, help="Seconds before a run is stopped."
    )
    parser.add_argument(
        "--spark-config",
        default=os.environ.get("COJOURNEY_SPARK_CONFIG"),
        help='Spark settings as JSON, e.g. \'{"spark.driver.memory": "8g"}\' '
        "(passed as COJOURNEY_SPARK_CONFIG; default: cojourney's own).",
    )
    parser.add_argument(
        "--baseline-events",
        type=int,
        default=BASELINE_EVENTS,
        help="Also time `analyze` once per engine on a log this small, to show each "
        "engine's fixed cost (0: skip).",
    )
    args = parser.parse_args(argv)
    setup_logging()
    result = bench(
        args.events,
        args.runs,
        args.seed,
        list(args.analyses),
        args.timeout,
        args.spark_config,
        args.baseline_events,
        save=lambda partial: write_result(f"engines-{size_label(args.events)}", partial),
    )
    write_result(f"engines-{size_label(args.events)}", result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
