"""What one web app holds: its settings, workspace, database and login limiter."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request

from cojourney.settings import Settings
from cojourney.storage import secret_key
from cojourney.web.security import LoginLimiter
from cojourney.web.workspace_views import WorkspaceReader


@dataclass
class WebState:
    """The app's state (``app.state.web``); built by :func:`cojourney.web.create_app`."""

    settings: Settings
    workspace: Path
    engine: Engine
    sessions: sessionmaker[Session]
    limiter: LoginLimiter
    reader: WorkspaceReader
    _secret: str | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def secret_key(self) -> str:
        """The configured secret key, else the one generated once into the database."""
        if self._secret is None and self.settings.secret_key:
            self._secret = self.settings.secret_key
        if self._secret is None:
            with self._lock:
                if self._secret is None:
                    with self.sessions.begin() as db:
                        self._secret = secret_key(db, self.settings.secret_key)
        return self._secret


def web_state(request: Request) -> WebState:
    """The :class:`WebState` of the app serving ``request``."""
    state = request.app.state.web
    assert isinstance(state, WebState)
    return state
