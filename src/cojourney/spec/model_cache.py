"""A cache of validated workspace models, so that a command does not parse YAML again.

Reading a workspace means parsing every YAML file with ruamel's pure-Python parser
(with line and column positions, for the error messages) and checking the whole model:
seconds for a large workspace, paid by every command of the command line, which starts
a new process each time. A workspace whose files did not change since it was last found
sound gives the same model, so the model of a sound workspace is kept as JSON in the
user's cache folder (the ``model_cache_dir`` setting, by default
``$XDG_CACHE_HOME/cojourney/models`` or ``~/.cache/cojourney/models``) and read back
through the model's own validation (:meth:`Workspace.model_validate_json`).

- The key is a sha256 of the content of every YAML file of the workspace (with its
  path), the YAML limits in force, the cojourney version and the state of the code that
  reads the model (the modules of ``domain`` and ``spec``): an edited file, another
  limit or a changed loader misses the cache and reads the files again.
- Nothing in the workspace folder is ever read as anything but YAML text (a workspace
  comes from git), and nothing is unpickled: the cache holds JSON that the model
  validates like any input. Symbolic links leading out of the workspace are refused
  before the cache is looked at, as when the files are read.
- Only sound models are kept; a workspace with problems is read (and reported) every
  time. Writes are atomic; a cache that cannot be read or written is skipped with a
  debug message, never an error. The :data:`KEEP` most recently written models are
  kept. ``model_cache = false`` turns it off.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from cojourney.settings import Settings, current_settings

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.domain import Workspace

__all__ = ["KEEP", "cache_folder", "model_key", "recall", "remember"]

log = logging.getLogger(__name__)

#: Bump when the cache's layout changes.
_LAYOUT = "1"
#: Models kept at most; the least recently written go first (each is 10-200 KB).
KEEP = 200


def cache_folder(settings: Settings | None = None) -> Path | None:
    """Where models are kept (``None``: the cache is off)."""
    settings = settings or current_settings()
    if not settings.model_cache:
        return None
    if settings.model_cache_dir is not None:
        return Path(settings.model_cache_dir)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cojourney" / "models"


def model_key(root: Path, files: list[Path], settings: Settings | None = None) -> str | None:
    """The cache key of the workspace made of ``files`` (``None``: a file is unreadable
    or too big, so the workspace is read the usual way and its problem reported)."""
    settings = settings or current_settings()
    digest = hashlib.sha256()
    for part in (
        _LAYOUT,
        _code_stamp(),
        str(root.resolve()),
        f"{settings.yaml_max_bytes}/{settings.yaml_max_aliases}/{settings.yaml_max_depth}",
    ):
        digest.update(part.encode("utf-8") + b"\0")
    for path in files:
        try:
            with path.open("rb") as stream:
                data = stream.read(settings.yaml_max_bytes + 1)
        except OSError:
            return None
        if len(data) > settings.yaml_max_bytes:
            return None
        digest.update(str(path).encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


def recall(key: str, settings: Settings | None = None) -> Workspace | None:
    """The model kept under ``key``, or ``None`` (not kept, cache off or unreadable)."""
    folder = cache_folder(settings)
    if folder is None:
        return None
    path = folder / f"{key}.json"
    try:
        text = path.read_bytes()
    except OSError:
        return None
    from pydantic import ValidationError as PydanticError

    from cojourney.domain import Workspace

    try:
        return Workspace.model_validate_json(text)
    except (PydanticError, ValueError) as exc:
        log.debug("model cache: %s is not a model (%s); reading the files", path, exc)
        return None


def remember(key: str, workspace: Workspace, settings: Settings | None = None) -> None:
    """Keep ``workspace`` under ``key`` (silently skipped when the cache cannot be written)."""
    folder = cache_folder(settings)
    if folder is None:
        return
    from cojourney.files import atomic_write_text

    try:
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write_text(folder / f"{key}.json", workspace.model_dump_json(by_alias=True))
    except OSError as exc:
        log.debug("model cache: cannot write to %s (%s)", folder, exc)
        return
    _prune(folder)


def _prune(folder: Path) -> None:
    """Drop the least recently written models beyond :data:`KEEP`."""
    kept: list[tuple[int, Path]] = []
    for path in folder.glob("*.json"):
        try:
            kept.append((path.stat().st_mtime_ns, path))
        except OSError:
            continue
    kept.sort(reverse=True)
    for _, path in kept[KEEP:]:
        path.unlink(missing_ok=True)


_stamp: str | None = None


def _code_stamp() -> str:
    """The cojourney version and the size and time of every module that shapes the model."""
    global _stamp
    if _stamp is None:
        import cojourney

        package = Path(cojourney.__file__).parent
        parts = [_version("cojourney"), _version("pydantic"), _version("ruamel.yaml")]
        for folder in ("domain", "spec"):
            for module in sorted((package / folder).rglob("*.py")):
                st = module.stat()
                parts.append(f"{module.relative_to(package)}:{st.st_size}:{st.st_mtime_ns}")
        parts.append(f"settings.py:{(package / 'settings.py').stat().st_mtime_ns}")
        parts.append(f"yamlio.py:{(package / 'yamlio.py').stat().st_mtime_ns}")
        _stamp = "|".join(parts)
    return _stamp


def _version(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"{distribution}={version(distribution)}"
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return f"{distribution}=unknown"
