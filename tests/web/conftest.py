"""Web fixtures: an app on a fresh SQLite file, accounts and tokens of every role.

The app is driven in-process (Starlette's TestClient over httpx); nothing listens
on a port.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from web_helpers import PASSWORD, TOKEN_ROLES, USER_ROLES, Site

from cojourney.services.workspaces import init_workspace
from cojourney.settings import Settings
from cojourney.storage import accounts, add_user, create_token, make_engine, upgrade
from cojourney.web import create_app


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing() -> Iterator[None]:
    """Cheap argon2 parameters: the tests sign in often; the production ones stay untouched."""
    production = accounts._hasher
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    accounts._hasher = production


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid workspace (the eCampus example), shared read-only by the web tests."""
    folder = tmp_path_factory.mktemp("workspace")
    init_workspace(folder, example="ecampus-car-share")
    return folder


@pytest.fixture
def make_site(workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Site]:
    """Build a :class:`Site` with the given settings overrides."""

    def build(folder: Path | None = None, **overrides: Any) -> Site:
        database = tmp_path_factory.mktemp("db") / "web.sqlite"
        engine = make_engine(f"sqlite:///{database}")
        upgrade(engine)
        app = create_app(Settings(**overrides), folder or workspace, engine=engine)
        tokens = {}
        with app.state.web.sessions.begin() as db:
            for role in USER_ROLES:
                add_user(db, f"{role}@example.org", PASSWORD, role)
            for role in TOKEN_ROLES:
                tokens[role] = create_token(db, f"{role}-token", role)[1]
        return Site(app, tokens)

    return build


@pytest.fixture
def site(make_site: Callable[..., Site]) -> Site:
    return make_site()


#: Debian's chromium: the browser tests drive it by path (no browser downloads here).
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def browser() -> Iterator[Any]:
    """Headless Debian chromium through Playwright; skips with a reason where it is absent."""
    if not CHROMIUM.exists():
        pytest.skip(
            "Debian's chromium is not installed at /usr/bin/chromium "
            "(apt-get install chromium; 'make install-test' does it)"
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        launched.close()
