"""Relation fields inlined: `expand=` replaces a relation's record ids by those records."""

from __future__ import annotations

from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from kanri.core.auth import Principal
from kanri.core.errors import BadRequest, FieldError
from kanri.core.scoping import scoped
from kanri.records import schemas
from kanri.records.definitions import ObjectContext, definition_of, field_rows, shape_row
from kanri.records.fields import FieldDef
from kanri.records.models import ObjectRow, RecordRow


def expansions(ctx: ObjectContext, expand: list[str]) -> list[FieldDef]:
    """The relation fields `expand` names; BadRequest for a slug that is not one."""
    out = []
    for slug in expand:
        definition = ctx.by_slug.get(slug)
        if definition is None or definition.type != "relation":
            message = f"'{slug}' is not a relation field of '{ctx.obj.slug}'"
            raise BadRequest(message, errors=[FieldError("expand", message, "not_relation")])
        out.append(definition)
    return out


def expand_relations(
    tx: Session,
    who: Principal,
    ctx: ObjectContext,
    records: list[schemas.Record],
    expand: list[str],
) -> None:
    """Replace relation ids by the related live records (depth 1; deleted ones stay ids)."""
    for definition in expansions(ctx, expand):
        ids: set[str] = set()
        for record in records:
            value = record.field_values.get(definition.slug)
            if value is not None:
                ids.update(value if isinstance(value, list) else [value])
        if not ids:
            continue
        target = ObjectContext(
            tx.get_one(ObjectRow, definition.relation_object_id),
            [
                definition_of(r)
                for r in field_rows(tx, [cast(str, definition.relation_object_id)])[
                    cast(str, definition.relation_object_id)
                ]
            ],
        )
        rows = tx.execute(
            scoped(select(RecordRow), who).where(
                RecordRow.id.in_(sorted(ids)),
                RecordRow.object_id == target.obj.id,
                RecordRow.deleted_time.is_(None),
            )
        ).scalars()
        found = {row.id: shape_row(target, row).model_dump(mode="json") for row in rows}
        for record in records:
            value = record.field_values.get(definition.slug)
            if isinstance(value, list):
                record.field_values[definition.slug] = [found.get(v, v) for v in value]
            elif value is not None:
                record.field_values[definition.slug] = found.get(value, value)
