"""Writing files safely: whole or not at all, with one clear error naming the path and cause.

Every file cojourney writes for a user (maps, reports, exports, ``--json`` output)
goes through :func:`atomic_output`: the content is written to a temporary file beside
the target and renamed over it only once complete, so a full disk, a kill or an
error never leaves a truncated file, and the previous version survives a failure.

>>> import tempfile, pathlib
>>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
>>> atomic_write_text(target, "hello")
>>> target.read_text()
'hello'
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from cojourney.errors import CojourneyError

__all__ = [
    "OutputError",
    "atomic_output",
    "atomic_write_bytes",
    "atomic_write_text",
    "check_writable",
    "output_error",
    "output_errors",
]

_CAUSES = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the file system is read-only",
    errno.ENOENT: "the folder does not exist",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "a folder of that name exists",
    errno.ENAMETOOLONG: "the name is too long",
}

_FIXES = {
    errno.ENOSPC: "free some space or write elsewhere",
    errno.EDQUOT: "free some space or write elsewhere",
    errno.EACCES: "write to a folder you may write to",
    errno.EPERM: "write to a folder you may write to",
    errno.EROFS: "write to a writable folder",
    errno.ENOENT: "create the folder first or choose an existing one",
    errno.ENOTDIR: "choose a path whose folders are folders",
    errno.EISDIR: "choose a file name, not a folder",
    errno.ENAMETOOLONG: "choose a shorter name",
}


class OutputError(CojourneyError):
    """A file could not be written; says which, why and what to do."""

    exit_code = 4

    def __init__(self, path: Path, cause: str, fix: str | None = None) -> None:
        self.path = path
        self.cause = cause
        self.fix = fix
        text = f"cannot write {path}: {cause}"
        if fix:
            text += f" ({fix})"
        super().__init__(text)


_ERRNO_IN_TEXT = re.compile(r"\[errno (\d+)\]", re.IGNORECASE)


def output_error(path: Path, exc: OSError) -> OutputError:
    """The :class:`OutputError` for an ``OSError`` met while writing ``path``.

    Libraries that wrap the system's error (pyarrow: ``[errno 28] No space left on
    device`` inside its own text) are understood too.
    """
    code = exc.errno
    if code is None:
        found = _ERRNO_IN_TEXT.findall(str(exc))
        code = int(found[-1]) if found else -1
    cause = _CAUSES.get(code) or (exc.strerror or str(exc)).lower()
    return OutputError(path, cause, _FIXES.get(code))


@contextlib.contextmanager
def atomic_output(
    path: str | Path, *, suffix: str = ".tmp", create_folder: bool = False
) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` atomically.

    The caller writes the whole content to the yielded path (by name, so it also
    works for libraries that want a file name, and that may themselves replace it).
    On any error the temporary file is removed, ``path`` is left as it was, and an
    ``OSError`` becomes an :class:`OutputError` naming ``path`` and the cause.

    Parameters
    ----------
    path
        The file to create or replace.
    suffix
        The end of the temporary file's name (e.g. ``.xes.gz`` for a library that
        reads the format from the name).
    create_folder
        Create the missing folders of ``path`` first; otherwise a missing folder is
        an :class:`OutputError`.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "missing" / "out.txt"
    >>> try:
    ...     atomic_write_text(target, "hello")
    ... except OutputError as exc:
    ...     print(exc.cause)
    the folder does not exist
    """
    target = Path(path)
    if target.is_dir():
        raise OutputError(target, _CAUSES[errno.EISDIR], _FIXES[errno.EISDIR])
    folder = target.parent
    try:
        if create_folder:
            folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=folder)
    except OSError as exc:
        raise output_error(target, exc) from None
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        _keep_mode(target, temp)
        os.replace(temp, target)
    except OSError as exc:
        _remove(temp)
        raise output_error(target, exc) from None
    except BaseException:
        _remove(temp)
        raise


@contextlib.contextmanager
def output_errors(path: str | Path) -> Iterator[None]:
    """Turn an ``OSError`` raised in the block into an :class:`OutputError` naming ``path``.

    For writers that place several files themselves (a workspace folder), where
    :func:`atomic_output` does not fit.
    """
    try:
        yield
    except OSError as exc:
        raise output_error(Path(path), exc) from None


def check_writable(path: str | Path, *, create_folder: bool = False) -> None:
    """Fail early, before long work, when ``path`` could not be written.

    Tries what :func:`atomic_output` will do (create the folder if asked, create a
    temporary file beside ``path``) and undoes it. A full disk can still fail the
    write itself later, as clearly.

    Raises
    ------
    OutputError
        The message names ``path`` and the cause.
    """
    with contextlib.suppress(_Probed), atomic_output(path, create_folder=create_folder):
        raise _Probed  # the temporary file was created: remove it, leave path alone


class _Probed(Exception):
    """Ends a :func:`check_writable` probe without replacing anything."""


def _remove(temp: Path) -> None:
    """Remove a temporary file; a failure to do so must not hide the first error."""
    with contextlib.suppress(OSError):
        temp.unlink(missing_ok=True)


def _keep_mode(target: Path, temp: Path) -> None:
    """Give the new file the old one's permissions, or the usual ones for a new file."""
    try:
        mode = target.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(temp, mode)


def atomic_write_bytes(path: str | Path, data: bytes, *, create_folder: bool = False) -> None:
    """Write ``data`` to ``path`` whole or not at all (see :func:`atomic_output`)."""
    with atomic_output(path, create_folder=create_folder) as temp:
        temp.write_bytes(data)


def atomic_write_text(
    path: str | Path, text: str, *, encoding: str = "utf-8", create_folder: bool = False
) -> None:
    """Write ``text`` to ``path`` whole or not at all (see :func:`atomic_output`)."""
    atomic_write_bytes(path, text.encode(encoding), create_folder=create_folder)
