"""run concurrency keys

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 17:35:23.137207
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("concurrency_key", sa.String(length=200), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_runs_concurrency_key_status"),
            ["concurrency_key", "status"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_runs_concurrency_key_status"))
        batch_op.drop_column("concurrency_key")
