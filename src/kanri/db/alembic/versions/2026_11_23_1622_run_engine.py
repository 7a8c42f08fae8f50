"""run engine automations runs approvals workers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 16:22:00.625714
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import kanri.db.base

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workers",
        sa.Column("id", sa.String(length=60), nullable=False),
        sa.Column("hostname", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("concurrency", sa.Integer(), nullable=False),
        sa.Column("start_time", kanri.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_time", kanri.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("stop_time", kanri.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workers")),
    )
    op.create_table(
        "automations",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=63), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "definition",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("published_version", sa.Integer(), nullable=True),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        sa.Column(
            "labels",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("create_time", kanri.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("update_time", kanri.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_automations_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_automations")),
        sa.UniqueConstraint("project_id", "name", name=op.f("uq_automations_project_id_name")),
    )
    with op.batch_alter_table("automations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_automations_project_id_create_time"),
            ["project_id", "create_time"],
            unique=False,
        )

    op.create_table(
        "runs",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("organization_id", sa.String(length=40), nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("environment_id", sa.String(length=40), nullable=True),
        sa.Column("automation_id", sa.String(length=40), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column(
            "definition",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("stop_reason", sa.String(length=40), nullable=True),
        sa.Column(
            "inputs",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "outputs",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "error",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "labels",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("cursor", sa.String(length=100), nullable=True),
        sa.Column("parent_run_id", sa.String(length=40), nullable=True),
        sa.Column("parent_step_id", sa.String(length=100), nullable=True),
        sa.Column("triggered_by", sa.String(length=100), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("available_at", kanri.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sa.String(length=60), nullable=True),
        sa.Column("lease_expires_at", kanri.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("deadline", kanri.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("create_time", kanri.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("start_time", kanri.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("end_time", kanri.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("update_time", kanri.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_runs_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_runs_automation_id_status"), ["automation_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_runs_project_id_create_time"),
            ["project_id", "create_time"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_runs_project_id_status"), ["project_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_runs_status_available_at"), ["status", "available_at"], unique=False
        )

    op.create_table(
        "approvals",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("automation_id", sa.String(length=40), nullable=True),
        sa.Column("step_id", sa.String(length=100), nullable=False),
        sa.Column("run_attempt_key", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column(
            "approvers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("required_approvals", sa.Integer(), nullable=False),
        sa.Column(
            "decisions",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("allow_self_approval", sa.Boolean(), nullable=False),
        sa.Column("on_timeout", sa.String(length=20), nullable=False),
        sa.Column("triggered_by", sa.String(length=100), nullable=False),
        sa.Column("deadline", kanri.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("create_time", kanri.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("update_time", kanri.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_approvals_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_approvals_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approvals")),
        sa.UniqueConstraint(
            "run_id",
            "step_id",
            "run_attempt_key",
            name=op.f("uq_approvals_run_id_step_id_run_attempt_key"),
        ),
    )
    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_approvals_project_id_status_create_time"),
            ["project_id", "status", "create_time"],
            unique=False,
        )

    op.create_table(
        "automation_versions",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("automation_id", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "definition",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("create_time", kanri.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["automation_id"],
            ["automations.id"],
            name=op.f("fk_automation_versions_automation_id_automations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_automation_versions")),
        sa.UniqueConstraint(
            "automation_id", "version", name=op.f("uq_automation_versions_automation_id_version")
        ),
    )
    op.create_table(
        "run_logs",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("step_id", sa.String(length=100), nullable=True),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("create_time", kanri.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_run_logs_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_logs")),
    )
    with op.batch_alter_table("run_logs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_run_logs_run_id_id"), ["run_id", "id"], unique=False)

    op.create_table(
        "run_steps",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column(
            "output",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "error",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("run_attempt", sa.Integer(), nullable=False),
        sa.Column("start_time", kanri.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("end_time", kanri.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_run_steps_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_steps")),
        sa.UniqueConstraint("run_id", "seq", name=op.f("uq_run_steps_run_id_seq")),
    )
    with op.batch_alter_table("run_steps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_run_steps_run_id_step_id"), ["run_id", "step_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("run_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_run_steps_run_id_step_id"))

    op.drop_table("run_steps")
    with op.batch_alter_table("run_logs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_run_logs_run_id_id"))

    op.drop_table("run_logs")
    op.drop_table("automation_versions")
    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approvals_project_id_status_create_time"))

    op.drop_table("approvals")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_runs_status_available_at"))
        batch_op.drop_index(batch_op.f("ix_runs_project_id_status"))
        batch_op.drop_index(batch_op.f("ix_runs_project_id_create_time"))
        batch_op.drop_index(batch_op.f("ix_runs_automation_id_status"))

    op.drop_table("runs")
    with op.batch_alter_table("automations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_automations_project_id_create_time"))

    op.drop_table("automations")
    op.drop_table("workers")
