"""Sent at-risk alerts (the webhook sends each once).

Revision ID: 0003_sent_alerts
Revises: 0002_survey_links
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003_sent_alerts"
down_revision: str | None = "0002_survey_links"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "sent_alerts",
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("journey_id", sa.String(length=200), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sent_alerts")),
    )


def downgrade() -> None:
    op.drop_table("sent_alerts")
