"""moderation: items, decisions, rules, warnings against authors, settings

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-07 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import kanri.db.base

revision: str = "0016"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "moderation_items",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("environment_id", sa.String(length=40), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("author_id", sa.String(length=200), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=True),
        sa.Column(
            "context",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "metadata",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=True),
        sa.Column("category", sa.String(length=40), nullable=True),
        sa.Column("severity", sa.String(length=20), nullable=True),
        sa.Column("rule_id", sa.String(length=40), nullable=True),
        sa.Column("rule_name", sa.String(length=100), nullable=True),
        sa.Column("reason", sa.String(length=2000), nullable=True),
        sa.Column(
            "scores",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("queue_time", kanri.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claim_owner", sa.String(length=200), nullable=True),
        sa.Column("claim_time", kanri.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claim_expire_time", kanri.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decide_time", kanri.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("appeal_reason", sa.String(length=2000), nullable=True),
        sa.Column("appeal_status", sa.String(length=20), nullable=True),
        sa.Column("appeal_time", kanri.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("create_time", kanri.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("update_time", kanri.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_moderation_items_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_items")),
        sa.UniqueConstraint(
            "project_id",
            "environment_id",
            "external_id",
            name=op.f("uq_moderation_items_project_id_environment_id_external_id"),
        ),
    )
    with op.batch_alter_table("moderation_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_moderation_items_author",
            ["project_id", "environment_id", "author_id", "create_time"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_moderation_items_project_id_environment_id_create_time"),
            ["project_id", "environment_id", "create_time"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_moderation_items_project_id_environment_id_status_queue_time"),
            ["project_id", "environment_id", "status", "queue_time"],
            unique=False,
        )

    op.create_table(
        "moderation_rules",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("environment_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=63), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "when",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=True),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("create_time", kanri.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("update_time", kanri.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_moderation_rules_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_rules")),
        sa.UniqueConstraint(
            "project_id",
            "environment_id",
            "name",
            name=op.f("uq_moderation_rules_project_id_environment_id_name"),
        ),
    )
    with op.batch_alter_table("moderation_rules", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_moderation_rules_project_id_environment_id_position"),
            ["project_id", "environment_id", "position"],
            unique=False,
        )

    op.create_table(
        "moderation_settings",
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("environment_id", sa.String(length=40), nullable=False),
        sa.Column(
            "settings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("update_time", kanri.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_moderation_settings_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "project_id", "environment_id", name=op.f("pk_moderation_settings")
        ),
    )
    op.create_table(
        "moderation_decisions",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("environment_id", sa.String(length=40), nullable=False),
        sa.Column("item_id", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=True),
        sa.Column("rule_id", sa.String(length=40), nullable=True),
        sa.Column("rule_name", sa.String(length=100), nullable=True),
        sa.Column("reason", sa.String(length=2000), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("wait_seconds", sa.Integer(), nullable=True),
        sa.Column("create_time", kanri.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["moderation_items.id"],
            name=op.f("fk_moderation_decisions_item_id_moderation_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_moderation_decisions_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_decisions")),
    )
    with op.batch_alter_table("moderation_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_moderation_decisions_item_id_create_time"),
            ["item_id", "create_time"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_moderation_decisions_project_id_environment_id_create_time"),
            ["project_id", "environment_id", "create_time"],
            unique=False,
        )

    op.create_table(
        "moderation_warnings",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("environment_id", sa.String(length=40), nullable=False),
        sa.Column("author_id", sa.String(length=200), nullable=False),
        sa.Column("item_id", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=True),
        sa.Column("create_time", kanri.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["moderation_items.id"],
            name=op.f("fk_moderation_warnings_item_id_moderation_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_moderation_warnings_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_warnings")),
    )
    with op.batch_alter_table("moderation_warnings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_moderation_warnings_author",
            ["project_id", "environment_id", "author_id", "create_time"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("moderation_warnings", schema=None) as batch_op:
        batch_op.drop_index("ix_moderation_warnings_author")

    op.drop_table("moderation_warnings")
    with op.batch_alter_table("moderation_decisions", schema=None) as batch_op:
        batch_op.drop_index(
            batch_op.f("ix_moderation_decisions_project_id_environment_id_create_time")
        )
        batch_op.drop_index(batch_op.f("ix_moderation_decisions_item_id_create_time"))

    op.drop_table("moderation_decisions")
    op.drop_table("moderation_settings")
    with op.batch_alter_table("moderation_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_moderation_rules_project_id_environment_id_position"))

    op.drop_table("moderation_rules")
    with op.batch_alter_table("moderation_items", schema=None) as batch_op:
        batch_op.drop_index(
            batch_op.f("ix_moderation_items_project_id_environment_id_status_queue_time")
        )
        batch_op.drop_index(batch_op.f("ix_moderation_items_project_id_environment_id_create_time"))
        batch_op.drop_index("ix_moderation_items_author")

    op.drop_table("moderation_items")
