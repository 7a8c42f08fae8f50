"""Tables of objects, their fields, records, and the side index of record values."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from kanri.core import ownership
from kanri.db.base import Base, JSONType


class ObjectRow(Base):
    """A record type of a project (`companies`, `deals`)."""

    __tablename__ = "record_objects"
    __table_args__ = (
        UniqueConstraint("project_id", "slug"),
        Index(None, "project_id", "create_time"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE")
    )
    slug: Mapped[str] = mapped_column(String(63))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    create_time: Mapped[datetime]
    update_time: Mapped[datetime]


class FieldRow(Base):
    """A typed field of an object. Values are keyed by the field's id, so a slug can change."""

    __tablename__ = "record_fields"
    __table_args__ = (
        UniqueConstraint("object_id", "slug"),
        Index(None, "project_id", "create_time"),
        Index(None, "relation_object_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE")
    )
    object_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("record_objects.id", ondelete="CASCADE")
    )
    slug: Mapped[str] = mapped_column(String(63))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    type: Mapped[str] = mapped_column(String(20))
    options: Mapped[list[str]]
    required: Mapped[bool] = mapped_column(Boolean)
    unique: Mapped[bool] = mapped_column(Boolean)
    indexed: Mapped[bool] = mapped_column(Boolean)
    # A JSON document {"value": …} so that a JSON null default differs from "no default".
    default: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    relation_object_id: Mapped[str | None] = mapped_column(
        String(40), ForeignKey("record_objects.id", ondelete="CASCADE")
    )
    relation_many: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer)
    create_time: Mapped[datetime]
    update_time: Mapped[datetime]


class RecordRow(Base):
    """A record; `field_values` (field id → JSON value) is the source of truth."""

    __tablename__ = "records"
    __table_args__ = (
        # Keyset pages of an object in either time order.
        Index(None, "object_id", "create_time", "id"),
        Index(None, "object_id", "update_time", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE")
    )
    object_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("record_objects.id", ondelete="CASCADE")
    )
    field_values: Mapped[dict[str, Any]]
    created_by: Mapped[str] = mapped_column(String(100))
    create_time: Mapped[datetime]
    update_time: Mapped[datetime]
    deleted_time: Mapped[datetime | None]


class RecordValueRow(Base):
    """The side index: one row per value (per element of a list) of an indexed field.

    `text_value` / `number_value` carry the comparable form; `unique_value` the normalised
    key of a unique field's value, held while the record is not deleted. The unique
    constraint on (field_id, unique_value) is what keeps unique fields unique under
    concurrent writers (NULLs never clash). `create_time` is the record's (it never
    changes): the records matching one value are in the index in list order, so the first
    page of `field = value` reads a page of index rows, however common the value.
    """

    __tablename__ = "record_values"
    __table_args__ = (
        UniqueConstraint("field_id", "unique_value"),
        Index(None, "field_id", "text_value", "create_time", "record_id"),
        Index(None, "field_id", "number_value", "create_time", "record_id"),
    )

    record_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("records.id", ondelete="CASCADE"), primary_key=True
    )
    field_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("record_fields.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    text_value: Mapped[str | None] = mapped_column(String(500))
    number_value: Mapped[float | None] = mapped_column(Float)
    unique_value: Mapped[str | None] = mapped_column(String(500))
    create_time: Mapped[datetime]


ownership.register("obj", ObjectRow, "object")
