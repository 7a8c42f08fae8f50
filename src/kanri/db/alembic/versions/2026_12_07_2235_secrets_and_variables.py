"""secrets and variables of environments; concurrency limits of projects and agents

`secrets` (one row per name and environment, its current version), `secret_versions`
(each value a Fernet token) and `variables` (JSON values), read by runs' templates.
`projects.max_running_runs` and `agents.concurrency` (null: the server's default, no
limit), `organizations.default_max_running_runs` (what new projects start with),
`runs.waiting_reason` (which limit holds a ready run back).

Revision ID: 0015
Revises: 0016
Create Date: 2026-12-07 22:15:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import kanri.db.base

revision: str = "0015"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _scoped_columns(table: str) -> list[Any]:
    return [
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("environment_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["environment_id"],
            ["environments.id"],
            name=op.f(f"fk_{table}_environment_id_environments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f(f"fk_{table}_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.UniqueConstraint(
            "project_id",
            "environment_id",
            "name",
            name=op.f(f"uq_{table}_project_id_environment_id_name"),
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "secrets",
        *_scoped_columns("secrets"),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("last_used_time", kanri.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("create_time", kanri.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("update_time", kanri.db.base.UTCDateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "secret_versions",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("secret_id", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("value_encrypted", sa.Text(), nullable=False),
        sa.Column("create_time", kanri.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["secret_id"],
            ["secrets.id"],
            name=op.f("fk_secret_versions_secret_id_secrets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_secret_versions")),
        sa.UniqueConstraint(
            "secret_id", "version", name=op.f("uq_secret_versions_secret_id_version")
        ),
    )
    op.create_table(
        "variables",
        *_scoped_columns("variables"),
        sa.Column(
            "value",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("create_time", kanri.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("update_time", kanri.db.base.UTCDateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("max_running_runs", sa.Integer(), nullable=True))
    with op.batch_alter_table("organizations") as batch:
        batch.add_column(sa.Column("default_max_running_runs", sa.Integer(), nullable=True))
    with op.batch_alter_table("agents") as batch:
        batch.add_column(sa.Column("concurrency", sa.Integer(), nullable=True))
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("waiting_reason", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("waiting_reason")
    with op.batch_alter_table("agents") as batch:
        batch.drop_column("concurrency")
    with op.batch_alter_table("organizations") as batch:
        batch.drop_column("default_max_running_runs")
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("max_running_runs")
    op.drop_table("variables")
    op.drop_table("secret_versions")
    op.drop_table("secrets")
