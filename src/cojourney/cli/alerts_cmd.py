"""``cojourney alerts send``: the at-risk webhook, once (for cron)."""

from __future__ import annotations

from pathlib import Path

import click

from cojourney.cli.common import workspace_argument
from cojourney.cli.web_cmds import database_url_option, open_web_state


@click.group()
def alerts() -> None:
    """Alerts on journeys at risk: running SLA clocks near or past their target,
    journeys stalled at a step or gate, moments of truth answered badly today.

    The webhook is set with the settings alert_webhook_url and alert_webhook_secret
    (see docs/settings.md); 'cojourney serve' sends new alerts by itself every
    alert_interval_seconds.
    """


@alerts.command("send")
@workspace_argument
@database_url_option
def alerts_send(workspace: Path, database_url: str | None) -> None:
    """Send the journeys of WORKSPACE newly at risk to the webhook, once each.

    The body is JSON, signed with HMAC-SHA256 in the X-Cojourney-Signature header;
    failed deliveries are retried with backoff, and what was not delivered is sent
    on the next run.
    """
    from cojourney.services.alerts import send_new_alerts
    from cojourney.settings import load_settings
    from cojourney.storage import make_session_factory

    engine = open_web_state(workspace, database_url)
    try:
        done = send_new_alerts(workspace, make_session_factory(engine), settings=load_settings())
    finally:
        engine.dispose()
    click.echo(
        f"Sent {done.sent} new at-risk alert(s)"
        + (f" in {done.attempts} attempt(s)" if done.attempts else "")
        + f"; {done.already_sent} sent before."
    )
