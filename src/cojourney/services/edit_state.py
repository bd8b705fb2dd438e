"""What the editor keeps beside the model: base texts by fingerprint, and the save lock.

A save compares the files its editor started from (its *base*) with the files now.
The base is known by its fingerprint only, so the texts of every fingerprint handed
out or written are kept in ``.cojourney/editing/`` of the workspace: one file per
distinct text (``blobs/<sha256>.txt``) and one small manifest per fingerprint
(``bases/<fingerprint>.json``: file name -> blob). The newest :data:`KEPT_BASES`
manifests are kept, and the blobs they use.

Saves on one workspace are serialised: a lock in the process, and a file lock
(``.cojourney/editing/lock``) where the platform has ``fcntl``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path

from cojourney.errors import CojourneyError, InputError, Location, Problem
from cojourney.files import atomic_write_text
from cojourney.services.handle import WorkspaceHandle

__all__ = ["KEPT_BASES", "recall_base", "remember_base", "save_lock"]

log = logging.getLogger(__name__)

#: How many base fingerprints are kept for comparing a late save with newer files.
KEPT_BASES = 200
_BASES = "editing"


def _bases_folder(handle: WorkspaceHandle) -> Path:
    return handle.state_folder / _BASES


def remember_base(handle: WorkspaceHandle, version: str, texts: dict[str, str]) -> None:
    """Keep the texts of ``version`` (best effort: a failure only makes a late save conflict)."""
    folder = _bases_folder(handle)
    manifest = folder / "bases" / f"{version}.json"
    try:
        if manifest.exists():
            os.utime(manifest)
            return
        (folder / "blobs").mkdir(parents=True, exist_ok=True)
        (folder / "bases").mkdir(parents=True, exist_ok=True)
        blobs: dict[str, str] = {}
        for name, text in texts.items():
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
            blob = folder / "blobs" / f"{digest}.txt"
            if not blob.exists():
                atomic_write_text(blob, text)
            blobs[name] = digest
        atomic_write_text(manifest, json.dumps(blobs, sort_keys=True))
        _prune(folder)
    except (OSError, CojourneyError) as exc:
        log.warning("could not keep the base %s for later comparison: %s", version[:12], exc)


def recall_base(handle: WorkspaceHandle, version: str) -> dict[str, str] | None:
    folder = _bases_folder(handle)
    if not re.fullmatch(r"[0-9a-f]{64}", version):
        return None
    try:
        blobs = json.loads((folder / "bases" / f"{version}.json").read_text(encoding="utf-8"))
        return {
            name: (folder / "blobs" / f"{digest}.txt").read_text(encoding="utf-8")
            for name, digest in blobs.items()
        }
    except (OSError, ValueError):
        return None


def _prune(folder: Path) -> None:
    bases = sorted((folder / "bases").glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
    if len(bases) <= KEPT_BASES:
        return
    for old in bases[: len(bases) - KEPT_BASES]:
        old.unlink(missing_ok=True)
    used = set()
    for kept in bases[len(bases) - KEPT_BASES :]:
        used.update(json.loads(kept.read_text(encoding="utf-8")).values())
    for blob in (folder / "blobs").glob("*.txt"):
        if blob.stem not in used:
            blob.unlink(missing_ok=True)


_LOCKS: dict[Path, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


@contextlib.contextmanager
def save_lock(handle: WorkspaceHandle) -> Iterator[None]:
    """One save at a time per workspace: a lock per process, and a file lock where there is one."""
    root = handle.root.resolve()
    if not root.is_dir():
        raise InputError(
            Problem(
                "editing needs a workspace folder",
                Location(str(root)),
                hint="give the folder that holds workspace.yaml",
            )
        )
    with _LOCKS_GUARD:
        lock = _LOCKS.setdefault(root, threading.Lock())
    with lock, _file_lock(_bases_folder(handle) / "lock"):
        yield


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: the process lock only
        yield
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+b")  # noqa: SIM115 - held for the whole block
    except OSError as exc:
        log.warning("no file lock for %s (%s): saving without it", path, exc)
        yield
        return
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield
    finally:
        handle.close()
