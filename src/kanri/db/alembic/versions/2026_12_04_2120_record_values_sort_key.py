"""record_values keep the record's create_time (the first page of an equality filter is an
index range scan)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 21:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kanri.db.base

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("record_values", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("create_time", kanri.db.base.UTCDateTime(timezone=True), nullable=True)
        )
    op.execute(
        "UPDATE record_values SET create_time = "
        "(SELECT records.create_time FROM records WHERE records.id = record_values.record_id)"
    )
    with op.batch_alter_table("record_values", schema=None) as batch_op:
        batch_op.alter_column(
            "create_time",
            existing_type=kanri.db.base.UTCDateTime(timezone=True),
            nullable=False,
        )
        batch_op.drop_index(batch_op.f("ix_record_values_field_id_text_value_record_id"))
        batch_op.drop_index(batch_op.f("ix_record_values_field_id_number_value_record_id"))
        batch_op.create_index(
            batch_op.f("ix_record_values_field_id_text_value_create_time_record_id"),
            ["field_id", "text_value", "create_time", "record_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_record_values_field_id_number_value_create_time_record_id"),
            ["field_id", "number_value", "create_time", "record_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("record_values", schema=None) as batch_op:
        batch_op.drop_index(
            batch_op.f("ix_record_values_field_id_number_value_create_time_record_id")
        )
        batch_op.drop_index(
            batch_op.f("ix_record_values_field_id_text_value_create_time_record_id")
        )
        batch_op.create_index(
            batch_op.f("ix_record_values_field_id_number_value_record_id"),
            ["field_id", "number_value", "record_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_record_values_field_id_text_value_record_id"),
            ["field_id", "text_value", "record_id"],
            unique=False,
        )
        batch_op.drop_column("create_time")
