"""Comparing discovery results with the PM4Py reference files of ``../shared/data/reference``.

Reusable by every reference test (CSV here; XES and OCEL elsewhere)::

    from reference import REFERENCE_DIR, assert_matches_reference, load_reference
    summary = summarize(path, engine=engine)
    assert_matches_reference(summary.to_reference_dict(), load_reference("helpdesk"))

What must be equal: cases, events, activities, every directly-follows pair with its
count, the mean seconds of each pair (relative error ``rel``), start and end
activities, the variant count, the counts of the top variants (and their
activities where the reference's order is determined, i.e. apart from ties at the
cut-off) and the case-duration statistics (relative error ``rel``).
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any


def _repo_root() -> Path:
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file():
            return parent
    raise RuntimeError(f"no pyproject.toml above {here}")


REPO_ROOT = _repo_root()
SHARED_DATA = Path(os.environ.get("COJOURNEY_SHARED_DATA") or REPO_ROOT.parent / "shared" / "data")
LOGS_DIR = SHARED_DATA / "logs"
REFERENCE_DIR = SHARED_DATA / "reference"
SHARED_DATA_MISSING = (
    f"the team's shared data ({SHARED_DATA}) is absent: reference "
    "comparisons run only beside a checkout with ../shared/data"
)


def load_reference(name: str) -> dict[str, Any]:
    """The reference JSON of a log, by file stem (``"receipt"``, ``"helpdesk"``)."""
    with open(REFERENCE_DIR / f"{name}.json", encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


def _close(actual: float | None, expected: float | None, rel: float) -> bool:
    if actual is None or expected is None:
        return actual is expected
    return math.isclose(actual, expected, rel_tol=rel, abs_tol=rel)


def reference_differences(
    actual: dict[str, Any], expected: dict[str, Any], *, rel: float = 1e-6
) -> list[str]:
    """Every difference between a summary dict and a reference dict, readable."""
    out: list[str] = []
    for key in ("cases", "events", "activities", "variant_count"):
        if actual[key] != expected[key]:
            out.append(f"{key}: {actual[key]} != reference {expected[key]}")
    for key in ("start_activities", "end_activities"):
        if dict(actual[key]) != dict(expected[key]):
            out.append(f"{key}: {actual[key]} != reference {expected[key]}")

    got = {(a, b): (n, s) for a, b, n, s in actual["directly_follows"]}
    want = {(a, b): (n, s) for a, b, n, s in expected["directly_follows"]}
    for pair in sorted(set(got) ^ set(want)):
        out.append(f"directly-follows {pair}: {'extra' if pair in got else 'missing'}")
    for pair in sorted(set(got) & set(want)):
        (n, s), (rn, rs) = got[pair], want[pair]
        if n != rn or not _close(s, rs, rel):
            out.append(f"directly-follows {pair}: ({n}, {s}) != reference ({rn}, {rs})")

    ref_top = expected["top_variants"]
    top = actual["top_variants"][: len(ref_top)]
    if [v["cases"] for v in top] != [v["cases"] for v in ref_top]:
        out.append(
            f"top variant counts: {[v['cases'] for v in top]} != reference "
            f"{[v['cases'] for v in ref_top]}"
        )
    else:
        last = ref_top[-1]["cases"] if ref_top else None
        for i, (mine, theirs) in enumerate(zip(top, ref_top, strict=True)):
            tied_at_cut = mine["cases"] == last and len(ref_top) < expected["variant_count"]
            if mine["activities"] != theirs["activities"] and not tied_at_cut:
                out.append(
                    f"top variant {i + 1}: {mine['activities']} != reference {theirs['activities']}"
                )

    for stat in ("mean", "median", "min", "max"):
        a, e = actual["case_duration_seconds"][stat], expected["case_duration_seconds"][stat]
        if not _close(a, e, rel):
            out.append(f"case duration {stat}: {a} != reference {e}")
    return out


def assert_matches_reference(
    actual: dict[str, Any], expected: dict[str, Any], *, rel: float = 1e-6
) -> None:
    """Fail with every difference listed when ``actual`` does not match the reference."""
    differences = reference_differences(actual, expected, rel=rel)
    assert not differences, "differs from the PM4Py reference:\n  " + "\n  ".join(differences)
