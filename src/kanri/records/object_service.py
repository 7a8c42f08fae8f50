"""Business rules of objects (record types such as `companies`): create, read, list,
update and delete; `object_row` and `context` find an object for the other commands."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kanri.core import audit, events
from kanri.core.auth import Principal
from kanri.core.errors import Conflict, FieldError
from kanri.core.filtering import FilterField, FilterSpec
from kanri.core.ids import new_id
from kanri.core.pagination import ListParams, Page, paginate
from kanri.core.scoping import by_ref, scoped
from kanri.core.time import utcnow
from kanri.records import schemas
from kanri.records.definitions import ObjectContext, definition_of, field_rows, field_schema
from kanri.records.fields import FieldDef
from kanri.records.models import FieldRow, ObjectRow, RecordRow, RecordValueRow

OBJECT_FILTERS = FilterSpec(
    {
        "id": FilterField(ObjectRow.id),
        "slug": FilterField(ObjectRow.slug),
        "name": FilterField(ObjectRow.name),
        "create_time": FilterField(ObjectRow.create_time, "timestamp"),
        "update_time": FilterField(ObjectRow.update_time, "timestamp"),
    }
)


def object_row(tx: Session, who: Principal, ref: str) -> ObjectRow:
    """The object `ref` (id or slug) of who's project; NotFound otherwise."""
    return by_ref(tx, ObjectRow, ref, who, prefix="obj", name_column=ObjectRow.slug, noun="object")


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
    definitions = [definition_of(r) for r in field_rows(tx, [obj.id])[obj.id]]
    if len(_DEFINITIONS) >= _DEFINITIONS_KEPT:
        _DEFINITIONS.clear()
    _DEFINITIONS[obj.id] = (obj.update_time, definitions)
    return ObjectContext(obj, definitions)


def _object_schema(row: ObjectRow, field_rows: list[FieldRow]) -> schemas.RecordObject:
    return schemas.RecordObject(
        id=row.id,
        project_id=row.project_id,
        slug=row.slug,
        name=row.name,
        description=row.description,
        fields=[field_schema(f) for f in field_rows],
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
    return _object_schema(row, field_rows(tx, [row.id])[row.id])


def list_objects(tx: Session, who: Principal, params: ListParams) -> Page[schemas.RecordObject]:
    page = paginate(
        tx,
        scoped(select(ObjectRow), who),
        OBJECT_FILTERS,
        params,
        id_column=ObjectRow.id,
        default_order="create_time",
    )
    by_object = field_rows(tx, [row.id for row in page.items])
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
    return _object_schema(row, field_rows(tx, [row.id])[row.id])


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
