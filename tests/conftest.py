"""Shared fixtures: repository paths and the team's shared data folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property tests check invariants, not speed: a loaded CI machine must not fail them
# on hypothesis' per-example deadline (speed is measured in benchmarks/).
settings.register_profile("cojourney", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("cojourney")

REPO_ROOT = Path(__file__).resolve().parents[1]
#: The team's shared data (real logs, PM4Py references): COJOURNEY_SHARED_DATA, else
#: ``../shared/data`` beside the checkout.
#: The tests read their workspaces' YAML every time (tests/spec/test_model_cache.py turns
#: the model cache on, in a folder of its own), and never write to the user's cache.
os.environ.setdefault("COJOURNEY_MODEL_CACHE", "false")

SHARED_DATA = Path(os.environ.get("COJOURNEY_SHARED_DATA") or REPO_ROOT.parent / "shared" / "data")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` beside the checkout; tests that need it skip when it is absent."""
    if not (SHARED_DATA / "logs").is_dir():
        pytest.skip(
            f"the team's shared data folder is absent ({SHARED_DATA}); "
            "these tests run only inside the cojourney workplace"
        )
    return SHARED_DATA


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep ``xdist_group`` working: one worker, hence one SparkSession, for Spark tests.

    pytest-xdist (3.8) puts a test in its group by appending ``@group`` to
    ``item._nodeid``, which pytest 9.2 no longer reads (node ids live in ``_id``);
    without this, ``--dist loadgroup`` spreads Spark tests over every worker and
    each starts a JVM. Applies to the whole session; does nothing once xdist's own
    suffix shows up in the node id (a fixed xdist), or without ``--dist loadgroup``.
    """
    if not getattr(config.option, "loadgroup", False):
        return
    try:
        from _pytest.nodeid import coerce_node_id
    except ImportError:  # an older pytest: xdist's own hook works there
        return
    for item in items:
        names = sorted(
            {
                str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                for m in item.iter_markers("xdist_group")
            }
        )
        if names and "@" not in item.nodeid and hasattr(item, "_id"):
            item._id = coerce_node_id(f"{item.nodeid}@{'_'.join(names)}")
