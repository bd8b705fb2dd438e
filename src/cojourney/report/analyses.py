"""Calling the analyses from the report: honestly, without taking the report down.

:func:`attempt` runs one analysis and turns a missing module (an analysis that is not
part of this version of cojourney) or a failure into a reason the report shows in a
"not available" panel, instead of a number. :func:`call` imports an analysis function
when it is first needed; :func:`watermelons` runs the watermelon check on clock and
target results.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.domain import Workspace

__all__ = ["attempt", "call", "watermelons"]

log = logging.getLogger(__name__)


def attempt(what: str, work: Callable[[], Any]) -> tuple[Any, str | None]:
    """``(work(), None)``, or ``(None, why)`` when the analysis is missing from this
    version of cojourney or fails: one failed analysis does not take the report down,
    and the report says what is missing instead of showing a made-up number."""
    from cojourney.errors import CojourneyError

    try:
        return work(), None
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("cojourney."):
            raise
        return None, f"{what} ({exc.name}) is not part of this version of cojourney yet."
    except CojourneyError as exc:
        return None, f"{what} could not run: {exc}"
    except Exception as exc:
        log.warning("report: %s failed: %s: %s", what, type(exc).__name__, exc)
        log.debug("report: %s failed", what, exc_info=True)  # the traceback, with -vv
        return None, (
            f"{what} failed ({type(exc).__name__}: {exc}); the rest of the report is complete."
        )


def watermelons(workspace: Workspace, clocks: list[Any], series: list[Any]) -> list[Any]:
    """The watermelon warnings from the clock and target results."""
    module = importlib.import_module("cojourney.analytics.watermelon")
    evidence = [*module.clock_evidence(clocks), *module.target_evidence(series, workspace)]
    return module.find_watermelons(workspace, evidence)  # type: ignore[no-any-return]


def call(module: str, name: str) -> Callable[..., Any]:
    """``module.name``, imported when first needed (a missing module raises
    ModuleNotFoundError, which :func:`attempt` turns into "not available")."""
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]
