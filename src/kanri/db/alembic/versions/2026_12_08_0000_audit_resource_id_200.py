"""audit rows name resources of up to 200 characters

A policy evaluation of an external workflow is audited under the workflow's name, which the
API allows up to 200 characters; `audit_logs.resource_id` held 100 (PostgreSQL refused the
row, SQLite kept it).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08 00:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_logs") as batch_op:
        batch_op.alter_column(
            "resource_id", existing_type=sa.String(length=100), type_=sa.String(length=200)
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_logs") as batch_op:
        batch_op.alter_column(
            "resource_id", existing_type=sa.String(length=200), type_=sa.String(length=100)
        )
