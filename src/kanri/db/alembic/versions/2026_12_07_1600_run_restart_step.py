"""runs remember where a fork, retry or resume continues once its start is allowed

`runs.restart_step`: the step a restarted run continues at after its start's policies
are evaluated again (its cursor is at the policy gate meanwhile); null for runs that start
at their first step.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("restart_step", sa.String(100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("restart_step")
