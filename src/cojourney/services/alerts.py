"""The at-risk webhook: new journeys at risk POSTed as signed JSON, each alert sent once.

:func:`send_new_alerts` reads the journeys at risk (:func:`cojourney.services.at_risk.at_risk`),
keeps those whose key is not in the web database's ``sent_alerts`` table, and POSTs
them in one JSON body to ``alert_webhook_url``::

    {"workspace": "...", "as_of": "...", "alerts": [{"key": ..., "journey_id": ...,
     "reason": "clock", "why": ..., "since": ..., "next_step": ...}, ...]}

with the header ``X-Cojourney-Signature: sha256=<hex HMAC-SHA256 of the raw body with
alert_webhook_secret>``. A 2xx answer marks them sent; anything else (or no answer)
is retried ``alert_webhook_retries`` times with exponential backoff (1 s, 2 s, 4 s...),
then :class:`WebhookFailed` is raised and nothing is marked, so the next run sends
them again. ``cojourney serve`` runs it every ``alert_interval_seconds``; ``cojourney
alerts send`` runs it once (cron).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cojourney.errors import CojourneyError, InputError, Problem
from cojourney.services.at_risk import AtRiskReport, at_risk
from cojourney.services.handle import WorkspaceRef
from cojourney.settings import Settings, current_settings
from cojourney.storage.alerts import mark_sent, unsent_keys

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.orm import Session, sessionmaker

__all__ = ["SIGNATURE_HEADER", "AlertsSent", "WebhookFailed", "send_new_alerts", "signature"]

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Cojourney-Signature"
TIMEOUT_SECONDS = 10.0


class WebhookFailed(CojourneyError):
    """The webhook did not accept the alerts after every retry; none was marked sent."""


@dataclass(frozen=True, slots=True)
class AlertsSent:
    """What one run did: alerts sent now, alerts sent before, and attempts made."""

    sent: int
    already_sent: int
    attempts: int


def signature(secret: str, body: bytes) -> str:
    """The value of :data:`SIGNATURE_HEADER`: ``sha256=`` and the hex HMAC of ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def send_new_alerts(
    workspace: WorkspaceRef,
    sessions: sessionmaker[Session],
    *,
    settings: Settings | None = None,
    report: AtRiskReport | None = None,
    backoff_seconds: float = 1.0,
    sleep: Callable[[float], object] = time.sleep,
) -> AlertsSent:
    """Send the journeys at risk not sent before to the webhook.

    Parameters
    ----------
    workspace
        The workspace (its event store is read).
    sessions
        Sessions of the web database (the sent alerts are kept there).
    settings
        ``alert_webhook_url``, ``alert_webhook_secret``, ``alert_webhook_retries``.
    report
        The at-risk report to send from (read from the workspace when omitted).
    backoff_seconds
        The first wait before a retry; it doubles each time.
    sleep
        How to wait (tests pass a fake).

    Raises
    ------
    cojourney.errors.InputError
        ``alert_webhook_url`` or ``alert_webhook_secret`` is not set.
    WebhookFailed
        Every attempt failed.
    """
    import httpx

    settings = settings or current_settings()
    url, secret = settings.alert_webhook_url, settings.alert_webhook_secret
    if not url or not secret:
        missing = "alert_webhook_url" if not url else "alert_webhook_secret"
        raise InputError(
            Problem(
                f"the webhook is not configured: {missing} is not set",
                expected="alert_webhook_url and alert_webhook_secret",
                hint=f"set COJOURNEY_{missing.upper()} (see docs/settings.md)",
            )
        )
    report = report or at_risk(workspace)
    with sessions() as db:
        new = unsent_keys(db, (i.key for i in report.items))
    items = [i for i in report.items if i.key in new]
    already = len(report.items) - len(items)
    if not items:
        return AlertsSent(0, already, 0)
    body = json.dumps(
        {
            "workspace": report.workspace_id,
            "as_of": report.as_of.isoformat() if report.as_of else None,
            "alerts": [i.to_dict() for i in items],
        },
        sort_keys=True,
    ).encode()
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature(secret, body)}
    attempts, wait, last = 0, backoff_seconds, "no attempt"
    with httpx.Client(timeout=TIMEOUT_SECONDS) as client:
        for attempt in range(settings.alert_webhook_retries + 1):
            if attempt:
                sleep(wait)
                wait *= 2
            attempts += 1
            try:
                answer = client.post(url, content=body, headers=headers)
            except httpx.HTTPError as exc:
                last = f"{type(exc).__name__}: {exc}"
                log.warning("alert webhook attempt %d failed: %s", attempts, last)
                continue
            if 200 <= answer.status_code < 300:
                with sessions.begin() as db:
                    mark_sent(db, ((i.key, i.journey_id) for i in items))
                log.info("sent %d at-risk alerts to the webhook", len(items))
                return AlertsSent(len(items), already, attempts)
            last = f"HTTP {answer.status_code}"
            log.warning("alert webhook attempt %d answered %s", attempts, last)
    raise WebhookFailed(
        f"the alert webhook refused {len(items)} alerts after {attempts} attempts "
        f"(last: {last}); they will be sent again on the next run. Check alert_webhook_url"
    )
