"""The one exception family of cojourney.

Every error a user can cause is a :class:`CojourneyError`. Errors about input
(files, flags, data) are :class:`InputError` and carry one or more
:class:`Problem` objects, each saying *where* (file, line, column, field), *what*
was found, what was *expected* and what to do. The CLI turns them into messages
and exit codes in one place (``cojourney.cli.main``); nothing else prints them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Location:
    """Where a problem is: a file, and optionally a 1-based line/column and a field path."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            parts.append(where)
        if self.field:
            parts.append(f"[{self.field}]")
        return " ".join(parts) if parts else "<input>"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input, phrased for the person who has to fix it."""

    message: str
    location: Location = field(default_factory=Location)
    found: str | None = None
    expected: str | None = None
    hint: str | None = None

    def render(self) -> str:
        text = f"{self.location}: {self.message}"
        if self.found is not None:
            text += f"\n    found:    {self.found}"
        if self.expected is not None:
            text += f"\n    expected: {self.expected}"
        if self.hint:
            text += f"\n    fix:      {self.hint}"
        return text

    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location
        return (loc.file or "", loc.line or 0, loc.column or 0, loc.field or "")


class CojourneyError(Exception):
    """Base of every error cojourney raises on purpose. ``exit_code`` is the CLI's."""

    exit_code: int = 1


class InputError(CojourneyError, ValueError):
    """Input that cannot be used: carries every problem found, not only the first."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | Problem | str, *, title: str | None = None):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = sorted(problems, key=Problem.sort_key)
        self.title = title or (
            "1 problem found" if len(self.problems) == 1 else f"{len(self.problems)} problems found"
        )
        super().__init__(self.render())

    def render(self) -> str:
        return self.title + ":\n" + "\n".join("  " + p.render() for p in self.problems)


class ValidationError(InputError):
    """A workspace (journey-as-code) does not pass the schema or its cross-references."""

    @classmethod
    def of_workspace(cls, path: str | Path, problems: list[Problem]) -> ValidationError:
        """The error for the workspace at ``path``, with the one header every caller uses."""
        n = len(problems)
        title = f"{path} is not a valid workspace ({n} problem{'s' if n != 1 else ''})"
        return cls(problems, title=title)


class ImportRejected(InputError):
    """An event or feedback import was refused; nothing was written."""


class NotFound(CojourneyError, LookupError):
    """Something named by the user (a file, a journey id, an example) does not exist."""

    exit_code = 3


def location_in(
    path: str | Path | None,
    line: int | None = None,
    column: int | None = None,
    field: str | None = None,
) -> Location:
    """Shorthand for a :class:`Location` in ``path``."""
    return Location(str(path) if path is not None else None, line, column, field)
