"""A small Python client of the ingestion API (``POST /api/events``, ``POST /api/feedback``).

It needs only httpx (no DuckDB, no pyarrow, nothing else of cojourney but its
errors), so another system can send its events with a light install::

    from cojourney.client import Client

    with Client("https://cx.example.org", token="cjt_...") as client:
        result = client.post_events([
            {"id": "evt-1", "journey_id": "order-17", "activity": "search",
             "timestamp": "2026-03-01T09:12:00+01:00", "channel": "app"},
        ])
        summary = f"{result.new} new, {result.known} already known"

Every item carries an ``id`` chosen by the sender (a database key, a message id, a
UUID kept with the item). That is what makes retrying safe: a batch sent twice is
stored once, so the client retries, with exponential backoff, whenever it does not
know whether a batch arrived (connection errors, timeouts) or the server asks it
to come back (429, 502, 503, 504, with ``Retry-After``). A batch the server refuses
(4xx) is not retried: :class:`BatchRefused` carries every located problem.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from cojourney.errors import CojourneyError

__all__ = ["BatchRefused", "BatchResult", "Client", "ServerUnavailable"]

log = logging.getLogger(__name__)

#: Statuses after which the same batch is sent again.
RETRY_STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What the server did with the items sent: how many were new, how many known.

    ``known`` counts items whose id the store held already (a retried batch) or
    that repeated an id earlier in the same batch.
    """

    received: int = 0
    new: int = 0
    known: int = 0

    def __add__(self, other: BatchResult) -> BatchResult:
        return BatchResult(
            self.received + other.received, self.new + other.new, self.known + other.known
        )


class BatchRefused(CojourneyError):
    """The server refused a batch (nothing of it was stored); retrying will not help.

    Attributes
    ----------
    status
        The HTTP status (401, 403, 413, 422...).
    detail
        The server's sentence.
    problems
        Every problem, each with its ``field`` (``[index].field``) and ``message``.
    """

    def __init__(self, status: int, detail: str, problems: list[dict[str, Any]]) -> None:
        self.status = status
        self.detail = detail
        self.problems = problems
        lines = [f"the server refused the batch ({status}): {detail}"]
        lines += [f"  {p.get('field') or '-'}: {p.get('message')}" for p in problems[:20]]
        if len(problems) > 20:
            lines.append(f"  ... and {len(problems) - 20} more")
        super().__init__("\n".join(lines))


class ServerUnavailable(CojourneyError):
    """The batch could not be delivered after every retry; sending it again later is safe."""


class Client:
    """A client of one cojourney server, authenticated by an ``ingest`` token.

    Parameters
    ----------
    base_url
        The server, e.g. ``http://127.0.0.1:8000``.
    token
        An API token (``cojourney tokens create WORKSPACE --name NAME --role ingest``).
    batch_size
        Items per request when a longer list is posted (at most the server's
        ``ingest_max_batch``, 10,000 by default).
    retries
        How many times a batch is sent again before :class:`ServerUnavailable`.
    backoff
        The first wait between two attempts, in seconds; it doubles each time (with
        jitter), up to ``max_backoff``. A ``Retry-After`` from the server wins.
    timeout
        Seconds to wait for one answer.
    transport
        An httpx transport (tests: ``httpx.ASGITransport`` or a mock).

    Examples
    --------
    >>> client = Client("http://127.0.0.1:8000", token="cjt_...")        # doctest: +SKIP
    >>> client.post_feedback([{"id": "a-1", "journey_id": "order-17",   # doctest: +SKIP
    ...     "timestamp": "2026-03-01T10:00:00Z", "question": "csat", "score": 4}])
    BatchResult(received=1, new=1, known=0)
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        batch_size: int = 1000,
        retries: int = 8,
        backoff: float = 0.25,
        max_backoff: float = 10.0,
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.batch_size = batch_size
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
            transport=transport,
        )

    def post_events(self, events: Sequence[Mapping[str, Any]]) -> BatchResult:
        """Send events (``id``, ``journey_id``, ``activity``, ``timestamp``, optional fields).

        Longer lists go in batches of :attr:`batch_size`, one after the other; the
        counts are summed.

        Raises
        ------
        BatchRefused
            A batch was refused (earlier batches are stored; sending again is safe).
        ServerUnavailable
            A batch could not be delivered after every retry.
        """
        return self._post_all("events", events)

    def post_feedback(self, answers: Sequence[Mapping[str, Any]]) -> BatchResult:
        """Send survey answers (``id``, ``journey_id``, ``timestamp``, ``question``, ``score``...).

        Raises
        ------
        BatchRefused
            A batch was refused (earlier batches are stored; sending again is safe).
        ServerUnavailable
            A batch could not be delivered after every retry.
        """
        return self._post_all("feedback", answers)

    def post_batch(
        self, kind: Literal["events", "feedback"], items: Sequence[Mapping[str, Any]]
    ) -> BatchResult:
        """Send one batch as it is, retrying until the server answers (see the class)."""
        path = f"/api/{kind}"
        payload = list(items)
        wait = self.backoff
        for attempt in range(self.retries + 1):
            try:
                response = self._http.post(path, json=payload)
            except httpx.TransportError as exc:  # no answer: the batch may or may not be in
                reason, pause = f"{type(exc).__name__}: {exc}", wait
            else:
                if response.status_code < 300:
                    body = response.json()
                    return BatchResult(int(body["received"]), int(body["new"]), int(body["known"]))
                if response.status_code not in RETRY_STATUSES:
                    raise _refused(response)
                reason = f"HTTP {response.status_code}"
                pause = _retry_after(response) or wait
            if attempt == self.retries:
                raise ServerUnavailable(
                    f"{self._http.base_url}{path}: no answer after {self.retries + 1} attempts "
                    f"({reason}); the batch can be sent again safely"
                )
            log.info("batch of %d %s not acknowledged (%s); retrying", len(payload), kind, reason)
            time.sleep(min(pause, self.max_backoff) * random.uniform(0.8, 1.2))
            wait = min(wait * 2, self.max_backoff)
        raise AssertionError("unreachable")  # pragma: no cover

    def _post_all(
        self, kind: Literal["events", "feedback"], items: Sequence[Mapping[str, Any]]
    ) -> BatchResult:
        total = BatchResult()
        for start in range(0, len(items), self.batch_size):
            total += self.post_batch(kind, items[start : start + self.batch_size])
        return total

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _refused(response: httpx.Response) -> BatchRefused:
    try:
        body = response.json()
    except ValueError:
        body = {"detail": response.text[:500]}
    if not isinstance(body, dict):
        body = {"detail": str(body)[:500]}
    problems = body.get("problems") or []
    return BatchRefused(response.status_code, str(body.get("detail", "")), list(problems))
