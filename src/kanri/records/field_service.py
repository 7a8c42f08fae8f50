"""Business rules of an object's fields: create, update and delete.

A change of type, options, `required` or `unique` is checked against every record of the
object first (Conflict listing examples); the values are then converted and the side index
rebuilt in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Table, delete, insert, select
from sqlalchemy.orm import Session

from kanri.core import audit, events
from kanri.core.auth import Principal
from kanri.core.errors import Conflict, FieldError, ValidationFailed
from kanri.core.ids import new_id
from kanri.core.scoping import by_ref, scoped
from kanri.core.time import utcnow
from kanri.records import fields as types
from kanri.records import schemas
from kanri.records.definitions import definition_of, field_rows, field_schema
from kanri.records.fields import FieldDef, Invalid
from kanri.records.models import FieldRow, ObjectRow, RecordRow, RecordValueRow
from kanri.records.object_service import object_row
from kanri.records.storage import UPDATE_RECORD, index_rows

MAX_FIELDS_PER_OBJECT = 200
MAX_EXAMPLES = 5
_VALUES = cast(Table, RecordValueRow.__table__)


def field_row(tx: Session, who: Principal, obj: ObjectRow, ref: str) -> FieldRow:
    """The field `ref` (id or slug) of `obj`; NotFound otherwise."""
    return by_ref(
        tx,
        FieldRow,
        ref,
        who,
        prefix="fld",
        name_column=FieldRow.slug,
        where=(FieldRow.object_id == obj.id,),
        noun="field",
    )


def _check_shape(definition: FieldDef, has_default: bool, default: Any) -> dict[str, Any] | None:
    """Field options that fit its type; returns the stored default ({"value": …} or None)."""
    errors: list[FieldError] = []
    kind = definition.type
    if kind in ("select", "multi_select"):
        if not definition.options:
            errors.append(FieldError("body.options", f"a {kind} field needs options", "required"))
        elif len(set(definition.options)) != len(definition.options):
            errors.append(FieldError("body.options", "options must be distinct", "duplicate"))
    elif definition.options:
        errors.append(FieldError("body.options", "only select fields take options", "not_allowed"))
    if definition.indexed and kind not in types.INDEXABLE:
        errors.append(FieldError("body.indexed", f"{kind} fields cannot be indexed", "not_allowed"))
    if definition.unique and kind not in types.UNIQUABLE:
        errors.append(FieldError("body.unique", f"{kind} fields cannot be unique", "not_allowed"))
    stored = None
    if has_default:
        if definition.unique or kind == "relation":
            errors.append(
                FieldError(
                    "body.default", "unique and relation fields take no default", "not_allowed"
                )
            )
        else:
            try:
                stored = {"value": types.normalise(definition, default)}
            except Invalid as exc:
                errors.append(FieldError("body.default", exc.message, exc.code))
    if errors:
        raise ValidationFailed("invalid field definition", errors=errors)
    return stored


def create_field(
    tx: Session, who: Principal, object_ref: str, body: schemas.FieldCreate
) -> schemas.ObjectField:
    """Add a field to an object. Conflict when the slug is taken, or when it is required
    and existing records have no value (examples listed)."""
    obj = object_row(tx, who, object_ref)
    existing = field_rows(tx, [obj.id])[obj.id]
    if any(f.slug == body.slug for f in existing):
        raise Conflict(
            f"object '{obj.slug}' already has a field '{body.slug}'",
            errors=[FieldError("body.slug", "already used in this object", "taken")],
        )
    if len(existing) >= MAX_FIELDS_PER_OBJECT:
        raise Conflict(f"an object has at most {MAX_FIELDS_PER_OBJECT} fields")
    relation_object_id = None
    many = False
    if body.type == "relation":
        if body.relation is None:
            message = "a relation field names the related object"
            raise ValidationFailed(
                message, errors=[FieldError("body.relation", message, "required")]
            )
        relation_object_id = object_row(tx, who, body.relation.object).id
        many = body.relation.many
    elif body.relation is not None:
        message = "only relation fields take a relation"
        raise ValidationFailed(
            message, errors=[FieldError("body.relation", message, "not_allowed")]
        )
    field_id = new_id("fld")
    definition = FieldDef(
        id=field_id,
        slug=body.slug,
        type=body.type,
        options=tuple(body.options),
        required=body.required,
        unique=body.unique,
        indexed=body.indexed,
        relation_object_id=relation_object_id,
        relation_many=many,
    )
    default = _check_shape(definition, body.default is not None, body.default)
    if body.required:
        missing = (
            tx.execute(
                scoped(select(RecordRow.id), who)
                .where(RecordRow.object_id == obj.id, RecordRow.deleted_time.is_(None))
                .limit(MAX_EXAMPLES)
            )
            .scalars()
            .all()
        )
        if missing:
            raise Conflict(
                "existing records have no value for a required field: add it as optional, "
                "fill it in, then make it required",
                examples=[{"record_id": r, "message": "no value"} for r in missing],
            )
    now = utcnow()
    row = FieldRow(
        id=field_id,
        project_id=who.project(),
        object_id=obj.id,
        slug=body.slug,
        name=body.name,
        description=body.description,
        type=body.type,
        options=list(body.options),
        required=body.required,
        unique=body.unique,
        indexed=body.indexed,
        default=default,
        relation_object_id=relation_object_id,
        relation_many=many,
        position=max((f.position for f in existing), default=0) + 1,
        create_time=now,
        update_time=now,
    )
    tx.add(row)
    obj.update_time = now  # the object's fields changed (and cached definitions are stale)
    tx.flush()
    audit.record(
        tx,
        who,
        "field.created",
        "field",
        row.id,
        {"slug": {"to": row.slug}, "type": {"to": row.type}},
    )
    events.emit(
        tx,
        who,
        "field.created",
        "field",
        row.id,
        {"id": row.id, "object_id": obj.id, "slug": row.slug},
    )
    return field_schema(row)


def update_field(
    tx: Session, who: Principal, object_ref: str, field_ref: str, body: schemas.FieldUpdate
) -> schemas.ObjectField:
    """Change a field. A new type, new options, `required` or `unique` is checked against
    every record first: Conflict listing examples when some would not fit; otherwise the
    values are converted and the side index rebuilt in the same transaction."""
    obj = object_row(tx, who, object_ref)
    row = field_row(tx, who, obj, field_ref)
    old = definition_of(row)
    if body.slug is not None and body.slug != row.slug:
        taken = tx.execute(
            select(FieldRow.id).where(FieldRow.object_id == obj.id, FieldRow.slug == body.slug)
        ).first()
        if taken is not None:
            raise Conflict(
                f"object '{obj.slug}' already has a field '{body.slug}'",
                errors=[FieldError("body.slug", "already used in this object", "taken")],
            )
    new_type = body.type or row.type
    if new_type != row.type and "relation" in (new_type, row.type):
        message = "a field cannot become or stop being a relation: add a new field"
        raise ValidationFailed(message, errors=[FieldError("body.type", message, "not_allowed")])
    options = tuple(body.options) if body.options is not None else old.options
    if new_type not in ("select", "multi_select") and body.options is None:
        options = ()
    new = FieldDef(
        id=row.id,
        slug=body.slug or row.slug,
        type=new_type,
        options=options,
        required=row.required if body.required is None else body.required,
        unique=row.unique if body.unique is None else body.unique,
        indexed=row.indexed if body.indexed is None else body.indexed,
        relation_object_id=row.relation_object_id,
        relation_many=row.relation_many,
    )
    if "default" in body.model_fields_set:
        default = _check_shape(new, body.default is not None, body.default)
    else:
        default = _check_shape(new, row.default is not None, (row.default or {}).get("value"))
    values_change = new.type != old.type or new.options != old.options
    if values_change or (new.required and not old.required) or (new.unique and not old.unique):
        _migrate_values(tx, who, obj, old, new)
    elif new.side_indexed != old.side_indexed:
        _rebuild_field_index(tx, who, obj, new)
    before = {
        "slug": row.slug,
        "name": row.name,
        "type": row.type,
        "options": row.options,
        "required": row.required,
        "unique": row.unique,
        "indexed": row.indexed,
        "description": row.description,
        "default": row.default,
    }
    row.slug, row.type, row.options = new.slug, new.type, list(new.options)
    row.required, row.unique, row.indexed = new.required, new.unique, new.indexed
    row.default = default
    if body.name is not None:
        row.name = body.name
    if body.description is not None:
        row.description = body.description
    after = {
        "slug": row.slug,
        "name": row.name,
        "type": row.type,
        "options": row.options,
        "required": row.required,
        "unique": row.unique,
        "indexed": row.indexed,
        "description": row.description,
        "default": row.default,
    }
    changes = audit.changes_between(before, after)
    if changes:
        row.update_time = obj.update_time = utcnow()
        audit.record(tx, who, "field.updated", "field", row.id, changes)
        events.emit(
            tx,
            who,
            "field.updated",
            "field",
            row.id,
            {"id": row.id, "object_id": obj.id, "slug": row.slug},
        )
    tx.flush()
    return field_schema(row)


def _records_of(
    tx: Session, who: Principal, obj: ObjectRow
) -> Select[tuple[str, dict[str, Any], datetime | None, datetime]]:
    # Oldest first: of two records sharing a value, the older one is named as the holder.
    return (
        scoped(
            select(
                RecordRow.id,
                RecordRow.field_values,
                RecordRow.deleted_time,
                RecordRow.create_time,
            ),
            who,
        )
        .where(RecordRow.object_id == obj.id)
        .order_by(RecordRow.create_time, RecordRow.id)
    )


def _migrate_values(
    tx: Session, who: Principal, obj: ObjectRow, old: FieldDef, new: FieldDef
) -> None:
    examples: list[dict[str, Any]] = []
    violations = 0
    converted: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for record_id, values, deleted, _ in tx.execute(_records_of(tx, who, obj)):
        value = values.get(new.id)
        problem = None
        if value is None:
            if new.required and deleted is None:
                problem = {"record_id": record_id, "message": "no value"}
        else:
            try:
                stored = (
                    types.convert(new, value)
                    if new.type != old.type
                    else types.normalise(new, value)
                )
            except Invalid as exc:
                problem = {"record_id": record_id, "value": value, "message": exc.message}
            else:
                if new.unique and deleted is None:
                    key = types.unique_key(new, stored)
                    if key in seen:
                        problem = {
                            "record_id": record_id,
                            "conflicting_id": seen[key],
                            "message": "same value as another record",
                        }
                    seen[key] = record_id
                if stored != value:
                    converted.append({"record_id": record_id, "values": {**values, new.id: stored}})
        if problem is not None:
            violations += 1
            if len(examples) < MAX_EXAMPLES:
                examples.append(problem)
    if violations:
        raise Conflict(
            f"{violations} record(s) do not fit the changed field '{new.slug}'",
            examples=examples,
            violations=violations,
        )
    if converted:
        now = utcnow()
        tx.connection().execute(UPDATE_RECORD, [{**c, "now": now} for c in converted])
    _rebuild_field_index(tx, who, obj, new)


def _rebuild_field_index(tx: Session, who: Principal, obj: ObjectRow, field: FieldDef) -> None:
    tx.execute(delete(RecordValueRow).where(RecordValueRow.field_id == field.id))
    if not field.side_indexed:
        return
    rows: list[dict[str, Any]] = []
    for record_id, values, deleted, created in tx.execute(_records_of(tx, who, obj)):
        value = values.get(field.id)
        if value is not None:
            rows.extend(index_rows(record_id, created, field, value, holds=deleted is None))
    if rows:
        tx.connection().execute(insert(_VALUES), rows)


def delete_field(tx: Session, who: Principal, object_ref: str, field_ref: str) -> None:
    """Delete a field; its values disappear from every record (and its side index rows)."""
    obj = object_row(tx, who, object_ref)
    row = field_row(tx, who, obj, field_ref)
    audit.record(tx, who, "field.deleted", "field", row.id, {"slug": {"from": row.slug}})
    events.emit(
        tx,
        who,
        "field.deleted",
        "field",
        row.id,
        {"id": row.id, "object_id": obj.id, "slug": row.slug},
    )
    tx.execute(delete(RecordValueRow).where(RecordValueRow.field_id == row.id))
    tx.delete(row)
    obj.update_time = utcnow()
