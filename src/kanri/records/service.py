"""Business rules of objects, fields and records.

Records keep their values in `records.field_values` (field id → stored JSON value, see
`fields.py`); values of indexed, unique and list-like fields are also written to the
side index `record_values` in the same transaction. A unique value is claimed by an
``INSERT … ON CONFLICT DO NOTHING`` on the (field_id, unique_value) constraint: a value
another writer holds (committed, or committing at the same time on PostgreSQL) comes back
unclaimed and the command answers 409 naming the holder. Nothing is written on failure:
errors are raised before the command commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, cast

from sqlalchemy import (
    Select,
    Table,
    bindparam,
    delete,
    insert,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kanri.core import audit, events
from kanri.core.auth import Principal
from kanri.core.errors import (
    BadRequest,
    Conflict,
    FieldError,
    KanriError,
    NotFound,
    ValidationFailed,
    not_found,
)
from kanri.core.filtering import FilterField, FilterSpec
from kanri.core.ids import looks_like_id, new_id
from kanri.core.pagination import ListParams, Page, paginate
from kanri.core.scoping import scoped
from kanri.core.time import utcnow
from kanri.records import fields as types
from kanri.records import schemas
from kanri.records.fields import FieldDef, Invalid
from kanri.records.models import FieldRow, ObjectRow, RecordRow, RecordValueRow
from kanri.records.paging import parse_order, records_page
from kanri.records.query import Drivers, live, record_filters

MAX_FIELDS_PER_OBJECT = 200
MAX_EXAMPLES = 5
OBJECT_FILTERS = FilterSpec(
    {
        "id": FilterField(ObjectRow.id),
        "slug": FilterField(ObjectRow.slug),
        "name": FilterField(ObjectRow.name),
        "create_time": FilterField(ObjectRow.create_time, "timestamp"),
        "update_time": FilterField(ObjectRow.update_time, "timestamp"),
    }
)
_RECORDS = cast(Table, RecordRow.__table__)
_VALUES = cast(Table, RecordValueRow.__table__)
_UPDATE_RECORD = (
    update(_RECORDS)
    .where(_RECORDS.c.id == bindparam("record_id"))
    .values(field_values=bindparam("values"), update_time=bindparam("now"))
)


# =========================================================================== objects


def object_row(tx: Session, who: Principal, ref: str) -> ObjectRow:
    """The object `ref` (id or slug) of who's project; NotFound otherwise."""
    column = ObjectRow.id if looks_like_id(ref, "obj") else ObjectRow.slug
    row = tx.execute(scoped(select(ObjectRow), who).where(column == ref)).scalar_one_or_none()
    if row is None:
        raise not_found("object", ref)
    return row


def _field_rows(tx: Session, object_ids: Iterable[str]) -> dict[str, list[FieldRow]]:
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


def _field_schema(row: FieldRow) -> schemas.ObjectField:
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
        indexed=_definition(row).side_indexed,
        default=None if row.default is None else row.default.get("value"),
        has_default=row.default is not None,
        relation=relation,
        create_time=row.create_time,
        update_time=row.update_time,
    )


def _object_schema(row: ObjectRow, field_rows: list[FieldRow]) -> schemas.RecordObject:
    return schemas.RecordObject(
        id=row.id,
        project_id=row.project_id,
        slug=row.slug,
        name=row.name,
        description=row.description,
        fields=[_field_schema(f) for f in field_rows],
        create_time=row.create_time,
        update_time=row.update_time,
    )


def _slug_free(tx: Session, who: Principal, slug: str, but: str | None = None) -> None:
    stmt = scoped(select(ObjectRow.id), who).where(ObjectRow.slug == slug)
    found = tx.execute(stmt).scalar_one_or_none()
    if found is not None and found != but:
        raise Conflict(
            f"an object with slug '{slug}' already exists",
            errors=[FieldError("body.slug", "already used in this project", "taken")],
        )


def create_object(tx: Session, who: Principal, body: schemas.ObjectCreate) -> schemas.RecordObject:
    """A new object without fields; Conflict when the slug is taken."""
    _slug_free(tx, who, body.slug)
    now = utcnow()
    row = ObjectRow(
        id=new_id("obj"),
        project_id=who.project(),
        slug=body.slug,
        name=body.name,
        description=body.description,
        create_time=now,
        update_time=now,
    )
    tx.add(row)
    tx.flush()
    audit.record(tx, who, "object.created", "object", row.id, {"slug": {"to": row.slug}})
    events.emit(tx, who, "object.created", "object", row.id, {"id": row.id, "slug": row.slug})
    return _object_schema(row, [])


def get_object(tx: Session, who: Principal, ref: str) -> schemas.RecordObject:
    row = object_row(tx, who, ref)
    return _object_schema(row, _field_rows(tx, [row.id])[row.id])


def list_objects(tx: Session, who: Principal, params: ListParams) -> Page[schemas.RecordObject]:
    page = paginate(
        tx,
        scoped(select(ObjectRow), who),
        OBJECT_FILTERS,
        params,
        id_column=ObjectRow.id,
        default_order="create_time",
    )
    by_object = _field_rows(tx, [row.id for row in page.items])
    return page.map(lambda row: _object_schema(row, by_object[row.id]))


def update_object(
    tx: Session, who: Principal, ref: str, body: schemas.ObjectUpdate
) -> schemas.RecordObject:
    row = object_row(tx, who, ref)
    before = {"slug": row.slug, "name": row.name, "description": row.description}
    if body.slug is not None and body.slug != row.slug:
        _slug_free(tx, who, body.slug, but=row.id)
        row.slug = body.slug
    if body.name is not None:
        row.name = body.name
    if body.description is not None:
        row.description = body.description
    after = {"slug": row.slug, "name": row.name, "description": row.description}
    changes = audit.changes_between(before, after)
    if changes:
        row.update_time = utcnow()
        audit.record(tx, who, "object.updated", "object", row.id, changes)
        events.emit(tx, who, "object.updated", "object", row.id, {"id": row.id, "slug": row.slug})
    tx.flush()
    return _object_schema(row, _field_rows(tx, [row.id])[row.id])


def delete_object(tx: Session, who: Principal, ref: str) -> None:
    """Delete an object with its fields and records; Conflict while another object's
    relation field points at it."""
    row = object_row(tx, who, ref)
    referencing = (
        tx.execute(
            scoped(select(FieldRow), who).where(
                FieldRow.relation_object_id == row.id, FieldRow.object_id != row.id
            )
        )
        .scalars()
        .first()
    )
    if referencing is not None:
        raise Conflict(
            f"relation field '{referencing.slug}' of object {referencing.object_id} points at "
            f"'{row.slug}': delete that field first"
        )
    audit.record(tx, who, "object.deleted", "object", row.id, {"slug": {"from": row.slug}})
    events.emit(tx, who, "object.deleted", "object", row.id, {"id": row.id, "slug": row.slug})
    # The side index goes first so the cascade of records does not look it up row by row.
    field_ids = select(FieldRow.id).where(FieldRow.object_id == row.id)
    tx.execute(delete(RecordValueRow).where(RecordValueRow.field_id.in_(field_ids)))
    tx.execute(delete(RecordRow).where(RecordRow.object_id == row.id))
    tx.execute(delete(FieldRow).where(FieldRow.object_id == row.id))
    tx.delete(row)


# =========================================================================== fields


def _definition(row: FieldRow) -> FieldDef:
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


def field_row(tx: Session, who: Principal, obj: ObjectRow, ref: str) -> FieldRow:
    column = FieldRow.id if looks_like_id(ref, "fld") else FieldRow.slug
    row = tx.execute(
        scoped(select(FieldRow), who).where(FieldRow.object_id == obj.id, column == ref)
    ).scalar_one_or_none()
    if row is None:
        raise not_found("field", ref)
    return row


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
    existing = _field_rows(tx, [obj.id])[obj.id]
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
    return _field_schema(row)


def update_field(
    tx: Session, who: Principal, object_ref: str, field_ref: str, body: schemas.FieldUpdate
) -> schemas.ObjectField:
    """Change a field. A new type, new options, `required` or `unique` is checked against
    every record first: Conflict listing examples when some would not fit; otherwise the
    values are converted and the side index rebuilt in the same transaction."""
    obj = object_row(tx, who, object_ref)
    row = field_row(tx, who, obj, field_ref)
    old = _definition(row)
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
    return _field_schema(row)


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
        tx.connection().execute(_UPDATE_RECORD, [{**c, "now": now} for c in converted])
    _rebuild_field_index(tx, who, obj, new)


def _rebuild_field_index(tx: Session, who: Principal, obj: ObjectRow, field: FieldDef) -> None:
    tx.execute(delete(RecordValueRow).where(RecordValueRow.field_id == field.id))
    if not field.side_indexed:
        return
    rows: list[dict[str, Any]] = []
    for record_id, values, deleted, created in tx.execute(_records_of(tx, who, obj)):
        value = values.get(field.id)
        if value is not None:
            rows.extend(_index_rows(record_id, created, field, value, holds=deleted is None))
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


# =========================================================================== records


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


# Field definitions by object id, with the object's update_time they were read at: a field
# change sets that time in the same transaction, so a definition list is used only while the
# object row (read by every command anyway) still has it.
_DEFINITIONS: dict[str, tuple[datetime, list[FieldDef]]] = {}
_DEFINITIONS_KEPT = 2000


def context(tx: Session, who: Principal, object_ref: str) -> ObjectContext:
    """The object `object_ref` of who's project and its field definitions; NotFound."""
    obj = object_row(tx, who, object_ref)
    cached = _DEFINITIONS.get(obj.id)
    if cached is not None and cached[0] == obj.update_time:
        return ObjectContext(obj, cached[1])
    definitions = [_definition(r) for r in _field_rows(tx, [obj.id])[obj.id]]
    if len(_DEFINITIONS) >= _DEFINITIONS_KEPT:
        _DEFINITIONS.clear()
    _DEFINITIONS[obj.id] = (obj.update_time, definitions)
    return ObjectContext(obj, definitions)


Mode = Literal["create", "replace", "patch"]


def _validate(
    ctx: ObjectContext,
    given: dict[str, Any],
    current: dict[str, Any] | None,
    mode: Mode,
    prefix: str,
) -> tuple[dict[str, Any], list[FieldError]]:
    """The stored values (field id → value) of a write, and one error per offending field."""
    errors: list[FieldError] = []
    stored: dict[str, Any] = {}
    validators = types.TYPES
    if mode == "patch" and current is not None:
        stored = {k: v for k, v in current.items() if k in ctx.by_id}
    for slug, value in given.items():
        definition = ctx.by_slug.get(slug)
        if definition is None:
            errors.append(
                FieldError(
                    f"{prefix}{slug}",
                    f"object '{ctx.obj.slug}' has no field '{slug}'",
                    "unknown_field",
                )
            )
            continue
        if value is None:
            stored.pop(definition.id, None)
            continue
        try:
            stored[definition.id] = validators[definition.type](definition, value)
        except Invalid as exc:
            errors.append(FieldError(f"{prefix}{slug}", exc.message, exc.code))
    if not errors and len(stored) == len(ctx.fields):
        return stored, errors  # every field has a value: no default or requirement applies
    failed = {e.field for e in errors}
    for definition in ctx.fields:
        if definition.id in stored or f"{prefix}{definition.slug}" in failed:
            continue
        if mode == "create" and definition.default is not None:
            stored[definition.id] = definition.default["value"]
        elif definition.required:
            errors.append(
                FieldError(f"{prefix}{definition.slug}", "a value is required", "required")
            )
    return stored, errors


def _check_related(
    tx: Session, who: Principal, ctx: ObjectContext, items: list[tuple[str, dict[str, Any]]]
) -> dict[int, list[FieldError]]:
    """Errors (by item index) for relation values naming no live record of the related object."""
    if not any(definition.type == "relation" for definition in ctx.fields):
        return {}
    wanted: dict[str, set[str]] = {}
    for _, stored in items:
        for definition in ctx.fields:
            value = stored.get(definition.id)
            if definition.type == "relation" and value is not None:
                related = value if isinstance(value, list) else [value]
                wanted.setdefault(cast(str, definition.relation_object_id), set()).update(related)
    found: dict[str, set[str]] = {}
    for object_id, ids in wanted.items():
        found[object_id] = set(
            tx.execute(
                scoped(select(RecordRow.id), who).where(
                    RecordRow.object_id == object_id,
                    RecordRow.id.in_(sorted(ids)),
                    RecordRow.deleted_time.is_(None),
                )
            ).scalars()
        )
    errors: dict[int, list[FieldError]] = {}
    for index, (prefix, stored) in enumerate(items):
        for definition in ctx.fields:
            value = stored.get(definition.id)
            if definition.type != "relation" or value is None:
                continue
            known = found.get(cast(str, definition.relation_object_id), set())
            missing = [i for i in (value if isinstance(value, list) else [value]) if i not in known]
            if missing:
                errors.setdefault(index, []).append(
                    FieldError(
                        f"{prefix}{definition.slug}",
                        f"no record {', '.join(missing)} in the related object",
                        "not_found",
                    )
                )
    return errors


def _index_rows(
    record_id: str, create_time: datetime, field: FieldDef, value: Any, *, holds: bool
) -> list[dict[str, Any]]:
    key = types.unique_key(field, value) if field.unique and holds else None
    return [
        {
            "record_id": record_id,
            "field_id": field.id,
            "position": position,
            "text_value": text,
            "number_value": number,
            "unique_value": key,
            "create_time": create_time,
        }
        for position, (text, number) in enumerate(types.index_entries(field, value))
    ]


@dataclass(frozen=True)
class Clash:
    record_id: str
    field: FieldDef
    holder_id: str


def _write_index(
    tx: Session, ctx: ObjectContext, records: list[tuple[str, dict[str, Any], datetime]]
) -> list[Clash]:
    """Write the side index rows of live records (id, stored values, create_time); the
    unique values others already hold."""
    plain: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    indexed = [f for f in ctx.fields if f.side_indexed]
    for record_id, stored, created in records:
        for definition in indexed:
            value = stored.get(definition.id)
            if value is not None:
                rows = _index_rows(record_id, created, definition, value, holds=True)
                (claims if definition.unique else plain).extend(rows)
    connection = tx.connection()
    if plain:
        connection.execute(insert(_VALUES), plain)
    if not claims:
        return []
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    # executemany with RETURNING (SQLAlchemy's insertmanyvalues): one cached statement.
    claimed = connection.execute(
        dialect.insert(_VALUES)
        .on_conflict_do_nothing()
        .returning(_VALUES.c.record_id, _VALUES.c.field_id),
        claims,
    ).all()
    if len(claimed) == len(claims):
        return []
    got = {(r.record_id, r.field_id) for r in claimed}
    lost = [c for c in claims if (c["record_id"], c["field_id"]) not in got]
    holders = {
        (r.field_id, r.unique_value): r.record_id
        for r in connection.execute(
            select(_VALUES.c.field_id, _VALUES.c.unique_value, _VALUES.c.record_id).where(
                tuple_(_VALUES.c.field_id, _VALUES.c.unique_value).in_(
                    [(c["field_id"], c["unique_value"]) for c in lost]
                )
            )
        )
    }
    return [
        Clash(
            c["record_id"],
            ctx.by_id[c["field_id"]],
            holders.get((c["field_id"], c["unique_value"]), ""),
        )
        for c in lost
    ]


def _clash_error(clashes: list[Clash], prefixes: dict[str, str]) -> Conflict:
    first = clashes[0]
    return Conflict(
        f"'{first.field.slug}' must be unique: record {first.holder_id} has this value",
        conflicting_id=first.holder_id,
        errors=[
            FieldError(
                f"{prefixes[c.record_id]}{c.field.slug}", f"already used by {c.holder_id}", "unique"
            )
            for c in clashes
        ],
    )


def shape(
    ctx: ObjectContext,
    record_id: str,
    stored: dict[str, Any],
    create_time: datetime,
    update_time: datetime,
    deleted_time: datetime | None,
) -> schemas.Record:
    """The public form of a record: every field by slug (null when unset)."""
    # Built from values this module has checked: no validation pass (batches shape 500).
    return schemas.Record.model_construct(
        id=record_id,
        object_id=ctx.obj.id,
        object=ctx.obj.slug,
        field_values={f.slug: stored.get(f.id) for f in ctx.fields},
        create_time=create_time,
        update_time=update_time,
        deleted_time=deleted_time,
    )


def _shape_row(ctx: ObjectContext, row: RecordRow) -> schemas.Record:
    return shape(ctx, row.id, row.field_values, row.create_time, row.update_time, row.deleted_time)


def _slugs(ctx: ObjectContext, stored: dict[str, Any]) -> dict[str, Any]:
    return {f.slug: stored[f.id] for f in ctx.fields if f.id in stored}


def _audit_and_emit(
    tx: Session,
    who: Principal,
    ctx: ObjectContext,
    action: str,
    records: list[schemas.Record],
    changed: dict[str, list[str]] | None = None,
) -> None:
    entries: list[tuple[str, str, str, dict[str, Any] | None]] = []
    outbox: list[tuple[str, str, str, dict[str, Any]]] = []
    for record in records:
        changes: dict[str, Any] = {"object": {"to": ctx.obj.slug}}
        if changed is not None:
            changes["fields"] = {"to": changed.get(record.id, [])}
        entries.append((f"record.{action}", "record", record.id, changes))
        data: dict[str, Any] = {"id": record.id, "object_id": ctx.obj.id, "object": ctx.obj.slug}
        if action != "deleted":
            data["field_values"] = record.field_values
        outbox.append((f"record.{action}", "record", record.id, data))
    # Chained by the background chainer (as run transitions are): a batch's 500 rows would
    # otherwise be hashed under the project's chain head inside the request.
    audit.record_many(tx, who, entries, chained=False, json_ready=True)
    events.emit_many(tx, who, outbox, json_ready=True)


# ---------------------------------------------------------------- create


@dataclass
class ItemResult:
    record: schemas.Record | None = None
    error: KanriError | None = None


def _insert(
    tx: Session,
    who: Principal,
    ctx: ObjectContext,
    items: list[tuple[str, dict[str, Any]]],
    now: datetime,
) -> list[Clash]:
    project_id = who.project()
    created_by = who.actor["id"]
    tx.connection().execute(
        insert(_RECORDS),
        [
            {
                "id": record_id,
                "project_id": project_id,
                "object_id": ctx.obj.id,
                "field_values": stored,
                "created_by": created_by,
                "create_time": now,
                "update_time": now,
                "deleted_time": None,
            }
            for record_id, stored in items
        ],
    )
    return _write_index(tx, ctx, [(record_id, stored, now) for record_id, stored in items])


def create_many(
    tx: Session,
    who: Principal,
    ctx: ObjectContext,
    values: list[dict[str, Any]],
    *,
    atomic: bool = True,
    prefix: str = "body.records.{i}.field_values.",
    ids: list[str] | None = None,
) -> list[ItemResult]:
    """Create records. Atomic: all or an error (ValidationFailed with one error per
    offending field of every item, Conflict naming the holder of a unique value);
    otherwise one result per item and the valid ones are created."""
    prefixes = [prefix.format(i=i) for i in range(len(values))]
    validated = [
        _validate(ctx, given, None, "create", p) for given, p in zip(values, prefixes, strict=True)
    ]
    errors = {i: errs for i, (_, errs) in enumerate(validated) if errs}
    for i, errs in _check_related(
        tx, who, ctx, [(p, s) for p, (s, _) in zip(prefixes, validated, strict=True)]
    ).items():
        errors.setdefault(i, []).extend(errs)
    record_ids = ids or [new_id("rec") for _ in values]
    now = utcnow()
    if atomic:
        if errors:
            flat = [e for i in sorted(errors) for e in errors[i]]
            raise ValidationFailed(f"{len(errors)} record(s) are not valid", errors=flat)
        items = [(record_ids[i], stored) for i, (stored, _) in enumerate(validated)]
        clashes = _insert(tx, who, ctx, items, now)
        if clashes:
            raise _clash_error(clashes, dict(zip(record_ids, prefixes, strict=True)))
        created = [shape(ctx, rid, stored, now, now, None) for rid, stored in items]
        _audit_and_emit(tx, who, ctx, "created", created)
        return [ItemResult(record) for record in created]
    results: list[ItemResult] = []
    done: list[schemas.Record] = []
    for i, (stored, _) in enumerate(validated):
        if i in errors:
            results.append(
                ItemResult(error=ValidationFailed("the record is not valid", errors=errors[i]))
            )
            continue
        savepoint = tx.begin_nested()
        clashes = _insert(tx, who, ctx, [(record_ids[i], stored)], now)
        if clashes:
            savepoint.rollback()
            results.append(ItemResult(error=_clash_error(clashes, {record_ids[i]: prefixes[i]})))
            continue
        savepoint.commit()
        record = shape(ctx, record_ids[i], stored, now, now, None)
        done.append(record)
        results.append(ItemResult(record))
    _audit_and_emit(tx, who, ctx, "created", done)
    return results


def create_record(
    tx: Session,
    who: Principal,
    object_ref: str,
    body: schemas.RecordWrite,
    *,
    record_id: str | None = None,
) -> schemas.Record:
    """Create one record (ValidationFailed per field, Conflict with `conflicting_id`).

    With `record_id` (a step's derived id), a record that already exists with this id is
    returned as it is: a retried create does not create twice.
    """
    ctx = context(tx, who, object_ref)
    if record_id is not None:
        row = tx.execute(
            scoped(select(RecordRow), who).where(
                RecordRow.id == record_id, RecordRow.object_id == ctx.obj.id
            )
        ).scalar_one_or_none()
        if row is not None:
            return _shape_row(ctx, row)
    ids = [record_id] if record_id else None
    result = create_many(tx, who, ctx, [body.field_values], prefix="body.field_values.", ids=ids)
    return cast(schemas.Record, result[0].record)


# ---------------------------------------------------------------- read


def _record_row(
    tx: Session, who: Principal, ctx: ObjectContext, record_id: str, show_deleted: bool = False
) -> RecordRow:
    stmt = scoped(select(RecordRow), who).where(
        RecordRow.id == record_id, RecordRow.object_id == ctx.obj.id
    )
    row: RecordRow | None = tx.execute(live(stmt, show_deleted)).scalar_one_or_none()
    if row is None:
        raise not_found("record", record_id)
    return row


def get_record(
    tx: Session,
    who: Principal,
    object_ref: str,
    record_id: str,
    *,
    show_deleted: bool = False,
    expand: list[str] | None = None,
) -> schemas.Record:
    ctx = context(tx, who, object_ref)
    record = _shape_row(ctx, _record_row(tx, who, ctx, record_id, show_deleted))
    if expand:
        _expand(tx, who, ctx, [record], expand)
    return record


def filters_for(
    tx: Session, ctx: ObjectContext, *, deleted: bool = False, drivers: Drivers | None = None
) -> FilterSpec:
    """The FilterSpec of `ctx`'s records, relation paths included."""
    targets = {f.id: cast(str, f.relation_object_id) for f in ctx.fields if f.type == "relation"}
    by_object = _field_rows(tx, set(targets.values()))
    related = {fid: [_definition(r) for r in by_object[oid]] for fid, oid in targets.items()}
    return record_filters(ctx.fields, related, deleted=deleted, drivers=drivers)


def query_records(
    tx: Session,
    who: Principal,
    object_ref: str,
    params: ListParams,
    *,
    show_deleted: bool = False,
    expand: list[str] | None = None,
) -> Page[schemas.Record]:
    """A page of records matching the AIP-160 filter over field values, in `order_by` order
    (fields of orderable types and create_time, update_time, id; default create_time).
    BadRequest names an unknown or unorderable field of `order_by`."""
    ctx = context(tx, who, object_ref)
    if expand:
        _expansions(ctx, expand)
    terms = parse_order(ctx.fields, params.order_by)
    drivers = Drivers()
    condition = filters_for(tx, ctx, deleted=show_deleted, drivers=drivers).compile(params.filter)
    stmt = live(
        scoped(select(RecordRow), who).where(RecordRow.object_id == ctx.obj.id), show_deleted
    )
    page = records_page(tx, stmt, condition, drivers, terms, params)
    records = page.map(lambda row: _shape_row(ctx, row))
    if expand:
        _expand(tx, who, ctx, records.items, expand)
    return records


def _expansions(ctx: ObjectContext, expand: list[str]) -> list[FieldDef]:
    out = []
    for slug in expand:
        definition = ctx.by_slug.get(slug)
        if definition is None or definition.type != "relation":
            message = f"'{slug}' is not a relation field of '{ctx.obj.slug}'"
            raise BadRequest(message, errors=[FieldError("expand", message, "not_relation")])
        out.append(definition)
    return out


def _expand(
    tx: Session,
    who: Principal,
    ctx: ObjectContext,
    records: list[schemas.Record],
    expand: list[str],
) -> None:
    """Replace relation ids by the related live records (depth 1; deleted ones stay ids)."""
    for definition in _expansions(ctx, expand):
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
                _definition(r)
                for r in _field_rows(tx, [cast(str, definition.relation_object_id)])[
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
        found = {row.id: _shape_row(target, row).model_dump(mode="json") for row in rows}
        for record in records:
            value = record.field_values.get(definition.slug)
            if isinstance(value, list):
                record.field_values[definition.slug] = [found.get(v, v) for v in value]
            elif value is not None:
                record.field_values[definition.slug] = found.get(value, value)


# ---------------------------------------------------------------- update


def update_many(
    tx: Session,
    who: Principal,
    ctx: ObjectContext,
    changes: list[tuple[str, dict[str, Any]]],
    *,
    mode: Mode = "patch",
    atomic: bool = True,
    prefix: str = "body.records.{i}.field_values.",
) -> list[ItemResult]:
    """Update live records: `patch` merges the given values (null clears one), `replace`
    sets them all. Atomic: NotFound, ValidationFailed or Conflict for the whole batch."""
    prefixes = [prefix.format(i=i) for i in range(len(changes))]
    ids = [record_id for record_id, _ in changes]
    if len(set(ids)) != len(ids):
        message = "a record appears more than once in the batch"
        raise ValidationFailed(message, errors=[FieldError("body.records", message, "duplicate")])
    rows = {
        row.id: row
        for row in tx.execute(
            live(
                scoped(select(RecordRow), who).where(
                    RecordRow.object_id == ctx.obj.id, RecordRow.id.in_(ids)
                ),
                False,
            )
        ).scalars()
    }
    created = {record_id: row.create_time for record_id, row in rows.items()}
    errors: dict[int, KanriError] = {}
    validated: dict[int, dict[str, Any]] = {}
    for i, (record_id, given) in enumerate(changes):
        row = rows.get(record_id)
        if row is None:
            errors[i] = not_found("record", record_id)
            continue
        stored, field_errors = _validate(ctx, given, row.field_values, mode, prefixes[i])
        if field_errors:
            errors[i] = ValidationFailed("the record is not valid", errors=field_errors)
        else:
            validated[i] = stored
    order = sorted(validated)
    related = _check_related(tx, who, ctx, [(prefixes[i], validated[i]) for i in order])
    for position, field_errors in related.items():
        i = order[position]
        errors[i] = ValidationFailed("the record is not valid", errors=field_errors)
        del validated[i]
    if atomic and errors:
        missing = [e for e in errors.values() if isinstance(e, NotFound)]
        if missing:
            raise missing[0]
        flat = [fe for i in sorted(errors) for fe in errors[i].errors]
        raise ValidationFailed(f"{len(errors)} record(s) are not valid", errors=flat)
    now = utcnow()
    results: dict[int, ItemResult] = {i: ItemResult(error=e) for i, e in errors.items()}
    done: list[schemas.Record] = []
    changed: dict[str, list[str]] = {}
    pending = sorted(validated)

    def write(indexes: list[int]) -> list[Clash]:
        batch = [(ids[i], validated[i]) for i in indexes]
        tx.connection().execute(
            _UPDATE_RECORD,
            [{"record_id": rid, "values": stored, "now": now} for rid, stored in batch],
        )
        tx.execute(
            delete(RecordValueRow).where(RecordValueRow.record_id.in_([rid for rid, _ in batch]))
        )
        return _write_index(tx, ctx, [(rid, stored, created[rid]) for rid, stored in batch])

    def finish(i: int) -> None:
        row = rows[ids[i]]
        before = {k: v for k, v in row.field_values.items() if k in ctx.by_id}
        changed[ids[i]] = sorted(
            ctx.by_id[k].slug
            for k in set(before) | set(validated[i])
            if before.get(k) != validated[i].get(k)
        )
        record = shape(ctx, ids[i], validated[i], row.create_time, now, None)
        done.append(record)
        results[i] = ItemResult(record)

    if atomic:
        clashes = write(pending)
        if clashes:
            raise _clash_error(clashes, {ids[i]: prefixes[i] for i in pending})
        for i in pending:
            finish(i)
    else:
        for i in pending:
            savepoint = tx.begin_nested()
            clashes = write([i])
            if clashes:
                savepoint.rollback()
                results[i] = ItemResult(error=_clash_error(clashes, {ids[i]: prefixes[i]}))
                continue
            savepoint.commit()
            finish(i)
    # The ORM rows loaded above are stale after the Core update.
    for row in rows.values():
        tx.expire(row)
    _audit_and_emit(tx, who, ctx, "updated", done, changed)
    return [results[i] for i in range(len(changes))]


def update_record(
    tx: Session,
    who: Principal,
    object_ref: str,
    record_id: str,
    body: schemas.RecordWrite,
    *,
    mode: Mode = "patch",
) -> schemas.Record:
    """Update one record (`patch` merges, `replace` sets every field)."""
    ctx = context(tx, who, object_ref)
    result = update_many(
        tx, who, ctx, [(record_id, body.field_values)], mode=mode, prefix="body.field_values."
    )
    return cast(schemas.Record, result[0].record)


def upsert_record(
    tx: Session, who: Principal, object_ref: str, match_on: str | None, body: schemas.RecordWrite
) -> tuple[schemas.Record, bool]:
    """Update the live record whose unique field `match_on` has the given value (merging the
    given values), or create one; returns (record, created)."""
    ctx = context(tx, who, object_ref)
    definition = ctx.by_slug.get(match_on or "")
    if match_on is None or definition is None or not definition.unique:
        message = f"match_on must name a unique field of '{ctx.obj.slug}'"
        raise ValidationFailed(
            message, errors=[FieldError("query.match_on", message, "not_unique")]
        )
    raw = body.field_values.get(match_on)
    if raw is None:
        message = f"the value of '{match_on}' is what the record is matched on"
        raise ValidationFailed(
            message, errors=[FieldError(f"body.field_values.{match_on}", message, "required")]
        )
    try:
        key = types.unique_key(definition, types.normalise(definition, raw))
    except Invalid as exc:
        raise ValidationFailed(
            exc.message, errors=[FieldError(f"body.field_values.{match_on}", exc.message, exc.code)]
        ) from None
    holder = tx.execute(
        select(RecordValueRow.record_id).where(
            RecordValueRow.field_id == definition.id, RecordValueRow.unique_value == key
        )
    ).scalar_one_or_none()
    if holder is not None:
        results = update_many(
            tx, who, ctx, [(holder, body.field_values)], prefix="body.field_values."
        )
        return cast(schemas.Record, results[0].record), False
    # A savepoint: when another writer made the match meanwhile (PostgreSQL), the record
    # half-made here is undone and that one is updated instead.
    savepoint = tx.begin_nested()
    try:
        created = create_many(tx, who, ctx, [body.field_values], prefix="body.field_values.")
    except Conflict as exc:
        savepoint.rollback()
        holder = exc.extra.get("conflicting_id")
        if holder and any(e.field == f"body.field_values.{match_on}" for e in exc.errors):
            results = update_many(
                tx, who, ctx, [(holder, body.field_values)], prefix="body.field_values."
            )
            return cast(schemas.Record, results[0].record), False
        raise
    savepoint.commit()
    return cast(schemas.Record, created[0].record), True


# ---------------------------------------------------------------- delete and restore


def delete_many(
    tx: Session, who: Principal, ctx: ObjectContext, ids: list[str], *, atomic: bool = True
) -> list[ItemResult]:
    """Soft-delete live records (their unique values become free). Atomic: NotFound for the
    first id that is not a live record of the object."""
    if len(set(ids)) != len(ids):
        message = "a record appears more than once in the batch"
        raise ValidationFailed(message, errors=[FieldError("body.records", message, "duplicate")])
    rows = {
        row.id: row
        for row in tx.execute(
            live(
                scoped(select(RecordRow), who).where(
                    RecordRow.object_id == ctx.obj.id, RecordRow.id.in_(ids)
                ),
                False,
            )
        ).scalars()
    }
    missing = [i for i in ids if i not in rows]
    if atomic and missing:
        raise not_found("record", missing[0])
    now = utcnow()
    found = [i for i in ids if i in rows]
    if found:
        tx.execute(update(RecordRow).where(RecordRow.id.in_(found)).values(deleted_time=now))
        tx.execute(
            update(RecordValueRow)
            .where(RecordValueRow.record_id.in_(found), RecordValueRow.unique_value.is_not(None))
            .values(unique_value=None)
        )
    done = [
        shape(ctx, rows[i].id, rows[i].field_values, rows[i].create_time, rows[i].update_time, now)
        for i in found
    ]
    for row in rows.values():
        tx.expire(row)
    _audit_and_emit(tx, who, ctx, "deleted", done)
    by_id = {r.id: r for r in done}
    return [
        ItemResult(by_id[i]) if i in by_id else ItemResult(error=not_found("record", i))
        for i in ids
    ]


def delete_record(tx: Session, who: Principal, object_ref: str, record_id: str) -> None:
    ctx = context(tx, who, object_ref)
    delete_many(tx, who, ctx, [record_id])


def restore_record(tx: Session, who: Principal, object_ref: str, record_id: str) -> schemas.Record:
    """Undelete a record; Conflict when it is not deleted or another record took one of its
    unique values meanwhile (`conflicting_id`)."""
    ctx = context(tx, who, object_ref)
    row = _record_row(tx, who, ctx, record_id, show_deleted=True)
    if row.deleted_time is None:
        raise Conflict(f"record {record_id} is not deleted")
    stored = {k: v for k, v in row.field_values.items() if k in ctx.by_id}
    tx.execute(delete(RecordValueRow).where(RecordValueRow.record_id == row.id))
    clashes = _write_index(tx, ctx, [(row.id, stored, row.create_time)])
    if clashes:
        raise _clash_error(clashes, {row.id: "field_values."})
    now = utcnow()
    row.deleted_time = None
    row.update_time = now
    tx.flush()
    record = _shape_row(ctx, row)
    audit.record(
        tx,
        who,
        "record.restored",
        "record",
        row.id,
        {"deleted_time": {"to": None}},
        chained=False,  # as the record's other rows: by the background chainer
    )
    events.emit(
        tx,
        who,
        "record.restored",
        "record",
        row.id,
        {
            "id": row.id,
            "object_id": ctx.obj.id,
            "object": ctx.obj.slug,
            "field_values": record.field_values,
        },
    )
    return record


# ---------------------------------------------------------------- batch results


def item_errors(results: list[ItemResult], request_id: str | None) -> list[schemas.BatchItem]:
    """Per-item results of a non-atomic batch."""
    out = []
    for index, result in enumerate(results):
        if result.error is None:
            out.append(schemas.BatchItem(index=index, ok=True, record=result.record))
            continue
        error = result.error
        out.append(
            schemas.BatchItem(
                index=index,
                ok=False,
                error=schemas.ItemError(
                    status=error.status,
                    code=error.code,
                    detail=error.detail,
                    errors=[e.as_dict() for e in error.errors],
                    conflicting_id=error.extra.get("conflicting_id"),
                ),
            )
        )
    return out
