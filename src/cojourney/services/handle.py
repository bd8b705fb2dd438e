"""The workspace handle: what every service receives instead of a bare folder path.

A :class:`WorkspaceHandle` knows where a workspace's parts live (the YAML model, the
event store, saved mappings, quarantined rows, the web state), which settings are in
force, and keeps the loaded model while its files are unchanged, so a long-running
server does not re-read the YAML folder on every request, and a YAML edit made outside
(in git, in an editor) is picked up on the next call.

Services accept a handle or, for the Python API and the tests, a path
(:data:`WorkspaceRef`); :func:`as_handle` turns either into a handle.

Sharing the event store. The store is one DuckDB file, and DuckDB lets one process
hold it at a time (not even a reader may open it while another process writes it). So
nobody keeps it open between two pieces of work: the CLI opens it for one command, the
web server for one request or one ingested batch. Whoever comes second meets a clear
"in use" answer (the server retries for a moment first, then answers 503 with
Retry-After). :meth:`WorkspaceHandle.served_at` tells the CLI when a server is
running on the workspace, so its messages can say where.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cojourney.files import atomic_write_text
from cojourney.settings import Settings, current_settings

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.domain import Workspace
    from cojourney.events.store import EventStore
    from cojourney.spec import ValidationReport

__all__ = ["WorkspaceHandle", "WorkspaceRef", "as_handle"]

log = logging.getLogger(__name__)

#: Hidden folder of a workspace that holds what is not the model: web state, markers.
STATE_FOLDER = ".cojourney"
SERVER_MARKER = "server.json"


@dataclass
class WorkspaceHandle:
    """A workspace folder, its settings, and its model loaded once while unchanged."""

    root: Path
    settings: Settings = field(default_factory=current_settings)
    _cache: tuple[tuple[Any, ...], ValidationReport] | None = field(
        default=None, init=False, repr=False
    )
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        self.root = Path(self.root)

    def __str__(self) -> str:
        return str(self.root)

    # -- where things live -------------------------------------------------------------
    @property
    def data_folder(self) -> Path:
        """``data/``: the event store, saved mappings and quarantined rows."""
        return self.root / "data"

    @property
    def events_path(self) -> Path:
        """The event store file (it may not exist yet)."""
        from cojourney.events.store import EventStore

        return EventStore.path_for(self.root)

    @property
    def mappings_folder(self) -> Path:
        return self.data_folder / "mappings"

    @property
    def quarantine_folder(self) -> Path:
        return self.data_folder / "quarantine"

    @property
    def state_folder(self) -> Path:
        """``.cojourney/``: web state (the default SQLite database) and markers."""
        return self.root / STATE_FOLDER

    # -- the model ---------------------------------------------------------------------
    def validation(self) -> ValidationReport:
        """Every problem of the workspace, re-checked only when a YAML file changed."""
        from cojourney.spec import validate_workspace
        from cojourney.spec.loader import workspace_files

        with self._lock:
            stamp = _fingerprint(workspace_files(self.root))
            if self._cache is not None and self._cache[0] == stamp:
                return self._cache[1]
            report = validate_workspace(self.root)
            self._cache = (stamp, report)
            return report

    def model(self) -> Workspace:
        """The workspace model, or :class:`~cojourney.errors.ValidationError` with every problem."""
        report = self.validation()
        if report.workspace is None or not report.ok:
            from cojourney.spec import load_workspace

            return load_workspace(self.root)  # raises the located problems
        return report.workspace

    def adopt(self, report: ValidationReport) -> None:
        """Keep ``report`` as the model of the files as they are now.

        A save calls this right after writing the files it validated, so that the next
        page does not check the whole workspace again. Only a sound report is kept
        (a report with problems is simply re-checked when asked for).
        """
        from cojourney.spec.loader import workspace_files

        if report.workspace is None or not report.ok:
            self.forget()
            return
        with self._lock:
            files = workspace_files(self.root)
            kept = replace(report, root=self.root, files=files)
            self._cache = (_fingerprint(files), kept)

    def forget(self) -> None:
        """Drop the cached model (after this process wrote the YAML files itself)."""
        with self._lock:
            self._cache = None

    # -- the event store -----------------------------------------------------------------
    def has_events(self) -> bool:
        return self.events_path.is_file()

    def open_events(self, *, read_only: bool = True) -> EventStore:
        """Open the event store for one piece of work; close it (``with``) right after."""
        from cojourney.events.store import EventStore

        return EventStore.open(self.root, read_only=read_only)

    # -- a server on this workspace ------------------------------------------------------
    def served_at(self) -> str | None:
        """The address of a live ``cojourney serve`` on this workspace, if there is one."""
        marker = self.state_folder / SERVER_MARKER
        try:
            info = json.loads(marker.read_text(encoding="utf-8"))
            pid, url = int(info["pid"]), str(info["url"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return url if _alive(pid) else None

    def mark_served(self, url: str) -> Path:
        """Record that this process serves the workspace at ``url`` (removed by the caller)."""
        self.state_folder.mkdir(parents=True, exist_ok=True)
        marker = self.state_folder / SERVER_MARKER
        atomic_write_text(marker, json.dumps({"pid": os.getpid(), "url": url}))
        return marker


WorkspaceRef = WorkspaceHandle | str | Path


def as_handle(workspace: WorkspaceRef) -> WorkspaceHandle:
    """The handle itself, or a new handle on a folder path with the settings in force."""
    if isinstance(workspace, WorkspaceHandle):
        return workspace
    return WorkspaceHandle(Path(workspace))


def _fingerprint(files: list[Path]) -> tuple[Any, ...]:
    stamp: list[Any] = []
    for path in files:
        try:
            st = path.stat()
        except OSError:
            continue
        stamp.append((str(path), st.st_mtime_ns, st.st_size))
    return tuple(stamp)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
