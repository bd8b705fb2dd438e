"""Shared fixtures: repository paths and the team's shared data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` beside the checkout; tests that need it skip when it is absent."""
    if not (SHARED_DATA / "logs").is_dir():
        pytest.skip(f"the team's shared data folder is absent ({SHARED_DATA}); "
                    "these tests run only inside the cojourney workplace")
    return SHARED_DATA
