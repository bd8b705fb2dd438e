"""Comparing analysis results across engines and runs: floats up to their last bits."""

from __future__ import annotations


def rounded(value: object) -> object:
    """``value`` with every float rounded to 9 significant digits: sums in parallel
    engines differ in the last bits from run to run."""
    if isinstance(value, float):
        return float(f"{value:.9g}")
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return value
