"""providers and webhook endpoints may name a secret instead of holding a value

`providers.api_key_secret`: the name of a secret of the caller's environment that holds
the provider's key; `webhook_endpoints.signing_secret`: the name of a secret of the
project's default environment that signs the endpoint's deliveries.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 23:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("providers") as batch_op:
        batch_op.add_column(sa.Column("api_key_secret", sa.String(length=64), nullable=True))
    with op.batch_alter_table("webhook_endpoints") as batch_op:
        batch_op.add_column(sa.Column("signing_secret", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("webhook_endpoints") as batch_op:
        batch_op.drop_column("signing_secret")
    with op.batch_alter_table("providers") as batch_op:
        batch_op.drop_column("api_key_secret")
