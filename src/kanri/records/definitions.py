"""An object's fields as the services read them, and the public forms built from them.

A field row is read as a `FieldDef` (what `fields.py` checks values against) and as its
public form; `ObjectContext` is an object with its definitions, as one command holds it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from kanri.records import schemas
from kanri.records.fields import FieldDef
from kanri.records.models import FieldRow, ObjectRow, RecordRow


def field_rows(tx: Session, object_ids: Iterable[str]) -> dict[str, list[FieldRow]]:
    """The field rows of each object (by object id), in position order."""
    ids = list(object_ids)
    out: dict[str, list[FieldRow]] = {object_id: [] for object_id in ids}
    if ids:
        rows = tx.execute(
            select(FieldRow)
            .where(FieldRow.object_id.in_(ids))
            .order_by(FieldRow.position, FieldRow.id)
        ).scalars()
        for row in rows:
            out[row.object_id].append(row)
    return out


def definition_of(row: FieldRow) -> FieldDef:
    """The definition of a field row: what its values are checked against."""
    return FieldDef(
        id=row.id,
        slug=row.slug,
        type=row.type,
        options=tuple(row.options),
        required=row.required,
        unique=row.unique,
        indexed=row.indexed,
        default=row.default,
        relation_object_id=row.relation_object_id,
        relation_many=row.relation_many,
    )


def field_schema(row: FieldRow) -> schemas.ObjectField:
    """The public form of a field."""
    relation = None
    if row.relation_object_id is not None:
        relation = schemas.Relation(object_id=row.relation_object_id, many=row.relation_many)
    return schemas.ObjectField(
        id=row.id,
        object_id=row.object_id,
        slug=row.slug,
        name=row.name,
        description=row.description,
        type=cast(schemas.FieldType, row.type),
        options=list(row.options),
        required=row.required,
        unique=row.unique,
        indexed=definition_of(row).side_indexed,
        default=None if row.default is None else row.default.get("value"),
        has_default=row.default is not None,
        relation=relation,
        create_time=row.create_time,
        update_time=row.update_time,
    )


@dataclass
class ObjectContext:
    """An object and its field definitions, loaded once per command."""

    obj: ObjectRow
    fields: list[FieldDef]
    by_slug: dict[str, FieldDef] = field(init=False)
    by_id: dict[str, FieldDef] = field(init=False)

    def __post_init__(self) -> None:
        self.by_slug = {f.slug: f for f in self.fields}
        self.by_id = {f.id: f for f in self.fields}


def shape(
    ctx: ObjectContext,
    record_id: str,
    stored: dict[str, Any],
    create_time: datetime,
    update_time: datetime,
    deleted_time: datetime | None,
) -> schemas.Record:
    """The public form of a record: every field by slug (null when unset)."""
    # Built from values the record commands have checked: no validation pass (batches shape 500).
    return schemas.Record.model_construct(
        id=record_id,
        object_id=ctx.obj.id,
        object=ctx.obj.slug,
        field_values={f.slug: stored.get(f.id) for f in ctx.fields},
        create_time=create_time,
        update_time=update_time,
        deleted_time=deleted_time,
    )


def shape_row(ctx: ObjectContext, row: RecordRow) -> schemas.Record:
    """The public form of a record row of `ctx`'s object."""
    return shape(ctx, row.id, row.field_values, row.create_time, row.update_time, row.deleted_time)
