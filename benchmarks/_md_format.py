"""How numbers look on BENCHMARKS.md: seconds, memory, ratios, runs, loads.

Shared by ``update_benchmarks_md.py`` and its section modules (``_md_scale.py``).
"""

from __future__ import annotations

from typing import Any


def _sorted_by_size(results: dict[str, dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    chosen = [r for name, r in results.items() if name.startswith(prefix)]
    return sorted(chosen, key=lambda r: r.get("events", 0))


def _s(value: float | None) -> str:
    return "–" if value is None else f"{value:,.2f} s"


def _mib(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value / 1024:,.2f} GiB" if value >= 1024 else f"{value:,.0f} MiB"


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _met(met: bool | None) -> str:
    return {True: "**met**", False: "**not met**", None: "pending"}[met]


def _load(tool: dict[str, Any]) -> str:
    return _load_of(tool.get("runs", []))


def _load_of(runs: list[dict[str, Any]]) -> str:
    """The load averages before the runs, and the most CPU other jobs used."""
    text = _range([r["loadavg_before"][0] for r in runs])
    busy = [r["cpu_busy_before"] for r in runs if "cpu_busy_before" in r]
    return f"{text} (CPU ≤ {100 * max(busy):.0f}%)" if busy else text


def _range(loads: list[float]) -> str:
    if not loads:
        return "–"
    return f"{min(loads):.2f}–{max(loads):.2f}" if len(loads) > 1 else f"{loads[0]:.2f}"


def _runs_text(tool: dict[str, Any]) -> str:
    runs = tool.get("runs", [])
    ok = tool.get("successful_runs", 0)
    times = ", ".join(_run_time(r) for r in runs)
    return f"{ok} of {len(runs)} ({times})" if runs else "–"


def _run_time(run: dict[str, Any]) -> str:
    if run["timed_out"]:
        return f"stopped at {run['wall_s']:.0f} s"
    if run["exit"] != 0:
        return f"failed after {run['wall_s']:.1f} s"
    return f"{run['wall_s']:.2f}"
