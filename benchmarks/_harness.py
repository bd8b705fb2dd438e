"""Shared pieces of the benchmark scripts: measuring a process, the machine, result files.

Every measurement is a whole process (start-up and imports included), run through
GNU ``/usr/bin/time`` for its peak resident memory (``%M``, the largest resident
set of the process and its waited-for children); the wall time is taken around
it with :func:`time.perf_counter`. Without ``/usr/bin/time`` a small Python wrapper
reports ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` instead (same number).
The load average (``/proc/loadavg``) is recorded before each run.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger("bench")

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"
DATA = Path(os.environ.get("BENCH_DATA_DIR", BENCH / "data")).absolute()
SHARED_DATA = Path(os.environ.get("COJOURNEY_SHARED_DATA", REPO.parent / "shared" / "data"))
COJOURNEY = REPO / ".venv" / "bin" / "cojourney"
PM4PY_PYTHON = BENCH / ".venv-pm4py" / "bin" / "python"
GNU_TIME = "/usr/bin/time"
#: A result is marked for an idle rerun when, before a run, the 1-minute load average
#: exceeded this (the machine has 2 cores; the benchmark's own previous run leaves up
#: to about 1.5) ...
BUSY_LOAD = 2.0
#: ... or other jobs kept more than this share of the CPUs busy (sampled for 1 s).
BUSY_CPU = 0.25

_WRAPPER = (
    "import resource, subprocess, sys; rc = subprocess.call(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc, "
    "file=open(sys.argv[0], 'w'))"
)


def setup_logging() -> None:
    """Progress on stderr, with times."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")


def loadavg() -> list[float]:
    """The 1, 5 and 15 minute load averages."""
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def cpu_busy(seconds: float = 1.0) -> float:
    """The share of all CPUs busy over ``seconds`` (from ``/proc/stat``), while we wait.

    The load average includes the benchmark's own previous run (it decays over a
    minute); this sample, taken while the benchmark itself is idle, shows other jobs.
    """

    def sample() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + fields[4]  # idle + iowait
        return sum(fields) - idle, sum(fields)

    busy0, total0 = sample()
    time.sleep(seconds)
    busy1, total1 = sample()
    return round((busy1 - busy0) / max(total1 - total0, 1), 3)


def measure(
    cmd: Sequence[str | Path],
    *,
    timeout: float | None = None,
    label: str = "",
    keep_stderr: bool = False,
) -> dict[str, Any]:
    """Run ``cmd`` once; its wall time, peak memory, exit code and the load before it.

    ``keep_stderr`` adds the process's standard error as ``stderr``. The process
    runs in the data folder (DuckDB may spill to ``.tmp`` there, never
    in the repository). A run past ``timeout`` seconds is killed (its whole process
    group) and reported with ``timed_out: true``.
    """
    DATA.mkdir(parents=True, exist_ok=True)
    args = [str(c) for c in cmd]
    with tempfile.NamedTemporaryFile("r", suffix=".rss", delete=False) as fh:
        rss_file = fh.name
    if Path(GNU_TIME).is_file():
        wrapped = [GNU_TIME, "-f", "%M %x", "-o", rss_file, *args]
        method = "/usr/bin/time %M"
    else:
        wrapped = [sys.executable, "-c", _WRAPPER.replace("sys.argv[0]", repr(rss_file)), *args]
        method = "getrusage(RUSAGE_CHILDREN).ru_maxrss"
    busy = cpu_busy()
    load = loadavg()
    log.info(
        "%s: running %s (load %.2f, CPU %.0f%% busy)",
        label or "measure",
        " ".join(args),
        load[0],
        100 * busy,
    )
    started = time.perf_counter()
    proc = subprocess.Popen(
        wrapped, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True, cwd=DATA
    )
    timed_out = False
    try:
        _, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(proc.pid, signal.SIGKILL)
        _, stderr = proc.communicate()
    wall = time.perf_counter() - started
    rss_kib, exit_code = _read_rss(rss_file)
    Path(rss_file).unlink(missing_ok=True)
    run = {
        "wall_s": round(wall, 3),
        "max_rss_mib": round(rss_kib / 1024, 1) if rss_kib else None,
        "exit": exit_code if exit_code is not None else proc.returncode,
        "timed_out": timed_out,
        "loadavg_before": load,
        "cpu_busy_before": busy,
        "memory_method": method,
    }
    if run["exit"] != 0 or timed_out:
        run["stderr_tail"] = stderr.decode(errors="replace")[-2000:]
    if keep_stderr:
        run["stderr"] = stderr.decode(errors="replace")
    log.info(
        "%s: %.2f s, %s MiB, exit %s%s",
        label or "measure",
        wall,
        run["max_rss_mib"],
        run["exit"],
        " (timed out)" if timed_out else "",
    )
    return run


def compile_bytecode() -> str:
    """Compile cojourney's modules to bytecode (``__pycache__``, git-ignored), as an
    install by pip does; what was done, for the result file.

    Python writes bytecode on a module's first import, unless
    ``PYTHONDONTWRITEBYTECODE`` is set (as on this machine): a source checkout would
    then compile every module it imports again in every measured process, which no
    installed copy does (PM4Py's environment was compiled when it was installed).
    """
    import compileall

    done = compileall.compile_dir(REPO / "src" / "cojourney", quiet=1)
    return (
        "cojourney's modules compiled to bytecode before the runs, as an install does"
        if done
        else "compiling cojourney's modules to bytecode failed: they compile at each run"
    )


PAGE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
#: How often :func:`measure_tree` samples the process tree's memory.
TREE_SAMPLE_S = 0.05


def tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants (0 once it is gone)."""
    return sum(rss for rss, _ in tree(root).values())


def tree(root: int) -> dict[int, tuple[int, int]]:
    """``root`` and its descendants: pid -> (resident bytes, CPU clock ticks so far)."""
    children: dict[int, list[int]] = {}
    seen: dict[int, tuple[int, int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            statm = (entry / "statm").read_text().split()
        except OSError:
            continue
        pid = int(entry.name)
        fields = stat.rsplit(")", 1)[1].split()
        children.setdefault(int(fields[1]), []).append(pid)
        seen[pid] = (int(statm[1]) * PAGE, int(fields[11]) + int(fields[12]))  # utime + stime
    out: dict[int, tuple[int, int]] = {}
    todo = [root]
    while todo:
        pid = todo.pop()
        if pid in seen:
            out[pid] = seen[pid]
        todo.extend(children.get(pid, []))
    return out


def measure_tree(
    cmd: Sequence[str | Path],
    *,
    timeout: float | None = None,
    label: str = "",
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Like :func:`measure`, but the peak memory is the SUM over the process tree.

    For commands that start other processes that live beside them (Spark's JVM next
    to the Python driver): ``/usr/bin/time``'s ``%M`` is the largest single process,
    which misses the JVM. The tree's resident memory and each process's CPU time are
    sampled from ``/proc`` every :data:`TREE_SAMPLE_S` seconds (a peak shorter than that
    can be missed). Same keys as :func:`measure` (``max_rss_mib`` is the tree's peak),
    plus ``cpu_s`` (user + system seconds of the whole tree, see :func:`_tree_cpu`).
    ``env`` adds variables to the process's environment.
    """
    DATA.mkdir(parents=True, exist_ok=True)
    args = [str(c) for c in cmd]
    busy = cpu_busy()
    load = loadavg()
    log.info(
        "%s: running %s (load %.2f, CPU %.0f%% busy)",
        label or "measure",
        " ".join(args),
        load[0],
        100 * busy,
    )
    with tempfile.TemporaryFile() as err:  # a file, not a pipe: a chatty JVM cannot block
        started = time.perf_counter()
        proc = subprocess.Popen(
            args,
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,
            cwd=DATA,
            env={**os.environ, **(env or {})},
        )
        peak, timed_out, status, usage = 0, False, 0, None
        ticks: dict[int, int] = {}  # the last CPU time seen of every process of the tree
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            sample = tree(proc.pid)
            peak = max(peak, sum(rss for rss, _ in sample.values()))
            ticks.update({p: cpu for p, (_, cpu) in sample.items()})
            if timeout is not None and time.perf_counter() - started > timeout:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)
                _, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(TREE_SAMPLE_S)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        _kill_leftovers(proc.pid)
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    run = {
        "wall_s": round(wall, 3),
        "max_rss_mib": round(peak / 2**20, 1) if peak else None,
        "cpu_s": round(_tree_cpu(ticks, usage), 2),
        "exit": proc.returncode,
        "timed_out": timed_out,
        "loadavg_before": load,
        "cpu_busy_before": busy,
        "memory_method": f"process tree RSS, sampled every {TREE_SAMPLE_S * 1000:.0f} ms",
    }
    if run["exit"] != 0 or timed_out:
        run["stderr_tail"] = stderr[-2000:]
    log.info(
        "%s: %.2f s, %s MiB (process tree), exit %s%s",
        label or "measure",
        wall,
        run["max_rss_mib"],
        run["exit"],
        " (timed out)" if timed_out else "",
    )
    return run


def _tree_cpu(ticks: dict[int, int], usage: Any) -> float:
    """User + system seconds of the tree, a lower bound: the larger of ``wait4``'s
    (exact for the root and the children it waited for, blind to a JVM left beside
    the driver) and the sum of each process's own times as last sampled (misses the
    last ``TREE_SAMPLE_S`` or so of each process, and processes shorter than that)."""
    waited = usage.ru_utime + usage.ru_stime if usage is not None else 0.0
    return float(max(waited, sum(ticks.values()) / CLOCK_TICKS))


def _kill_leftovers(group: int) -> None:
    """Stop what is left of the process group (a JVM outliving its driver)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signal.SIGKILL)


def _read_rss(path: str) -> tuple[int | None, int | None]:
    try:
        words = Path(path).read_text().split()
    except OSError:
        return None, None
    numbers = [w for w in words if w.lstrip("-").isdigit()]  # "Command exited ..." lines
    if len(numbers) < 2:
        return None, None
    return int(numbers[-2]), int(numbers[-1])


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over the successful runs (and how many there were)."""
    ok = [r for r in runs if r["exit"] == 0 and not r["timed_out"]]
    out: dict[str, Any] = {"runs": runs, "successful_runs": len(ok)}
    if ok:
        out["median_wall_s"] = round(statistics.median(r["wall_s"] for r in ok), 3)
        out["median_max_rss_mib"] = round(statistics.median(r["max_rss_mib"] for r in ok), 1)
        out["max_loadavg_before"] = max(r["loadavg_before"][0] for r in ok)
        cpu = [r["cpu_s"] for r in ok if r.get("cpu_s") is not None]
        if cpu:
            out["median_cpu_s"] = round(statistics.median(cpu), 2)
    return out


def machine() -> dict[str, Any]:
    """CPU model, cores, RAM and OS."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    os_name = platform.platform()
    release = Path("/etc/os-release")
    if release.is_file():
        fields = dict(
            line.split("=", 1) for line in release.read_text().splitlines() if "=" in line
        )
        os_name = f"{fields.get('PRETTY_NAME', '').strip(chr(34))}, Linux {platform.release()}"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(mem_kib / 2**20, 1),
        "os": os_name,
    }


def versions(*, pm4py: bool = False) -> dict[str, Any]:
    """Python, cojourney (and its git revision), the analytics stack, PM4Py's env."""
    from importlib.metadata import version

    out: dict[str, Any] = {
        "python": platform.python_version(),
        "cojourney": version("cojourney"),
        "git_rev": _git_rev(),
    }
    for name in ("duckdb", "ibis-framework", "pyarrow", "pyspark", "numpy"):
        out[name] = version(name)
    if pm4py and PM4PY_PYTHON.is_file():
        probe = (
            "import platform, importlib.metadata as m; print(platform.python_version(), "
            "m.version('pm4py'), m.version('pandas'), m.version('numpy'))"
        )
        words = subprocess.run(
            [str(PM4PY_PYTHON), "-c", probe], capture_output=True, text=True, check=True
        ).stdout.split()
        out["pm4py_env"] = {
            "python": words[0],
            "pm4py": words[1],
            "pandas": words[2],
            "numpy": words[3],
        }
    return out


def _git_rev() -> str:
    git = shutil.which("git")
    if git is None:
        return "unknown"
    rev = (
        subprocess.run(
            [git, "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        or "unknown"
    )
    dirty = subprocess.run(
        [git, "status", "--porcelain", "--", "src"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    return f"{rev}+uncommitted-src-changes" if dirty else rev


def write_result(name: str, result: dict[str, Any]) -> Path:
    """Write ``benchmarks/results/NAME.json`` (with the machine and the date)."""
    RESULTS.mkdir(exist_ok=True)
    result = {
        "benchmark": name,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        **result,
    }
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=1) + "\n")
    log.info("wrote %s", path)
    return path


def size_label(events: int) -> str:
    """1000000 -> 1M, 100000000 -> 100M, 250000 -> 250k."""
    for unit, div in (("M", 1_000_000), ("k", 1_000)):
        if events % div == 0 and events >= div:
            return f"{events // div}{unit}"
    return str(events)


def relative(path: Path) -> str:
    """``path`` relative to the repository (or the shared data), for commands in the results."""
    absolute = Path(os.path.abspath(path))
    shared = Path(os.path.abspath(SHARED_DATA))
    for root, shown in ((REPO, ""), (shared, "$COJOURNEY_SHARED_DATA/")):
        try:
            return shown + str(absolute.relative_to(root))
        except ValueError:
            continue
    return str(path)
