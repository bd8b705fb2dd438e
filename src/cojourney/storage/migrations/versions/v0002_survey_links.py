"""Survey links and the one-time nonces of their answered forms.

Revision ID: 0002_survey_links
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002_survey_links"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "survey_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("touchpoint", sa.String(length=200), nullable=False),
        sa.Column("question", sa.String(length=200), nullable=False),
        sa.Column("journey_policy", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("disabled_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_survey_links_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_survey_links_token_hash")),
    )
    op.create_index(
        op.f("ix_survey_links_touchpoint"), "survey_links", ["touchpoint"], unique=False
    )
    op.create_table(
        "survey_answer_nonces",
        sa.Column("nonce_hash", sa.String(length=64), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["survey_links.id"],
            name=op.f("fk_survey_answer_nonces_link_id_survey_links"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("nonce_hash", name=op.f("pk_survey_answer_nonces")),
    )
    op.create_index(
        op.f("ix_survey_answer_nonces_link_id"), "survey_answer_nonces", ["link_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_survey_answer_nonces_link_id"), table_name="survey_answer_nonces")
    op.drop_table("survey_answer_nonces")
    op.drop_index(op.f("ix_survey_links_touchpoint"), table_name="survey_links")
    op.drop_table("survey_links")
