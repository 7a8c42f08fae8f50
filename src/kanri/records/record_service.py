"""Business rules of records: create, read, query, update, upsert, delete and restore, one
record or a batch of up to 500 (atomic, or one result per item).

Records keep their values in `records.field_values` (field id → stored JSON value, see
`fields.py`); values of indexed, unique and list-like fields are also written to the side
index `record_values` in the same transaction (`storage.py`). Nothing is written on failure:
errors are raised before the command commits.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from kanri.core import audit, events
from kanri.core.auth import Principal
from kanri.core.errors import (
    Conflict,
    FieldError,
    KanriError,
    NotFound,
    ValidationFailed,
    not_found,
)
from kanri.core.filtering import FilterSpec
from kanri.core.ids import new_id, ulid_at, ulid_milliseconds
from kanri.core.pagination import ListParams, Page
from kanri.core.scoping import scoped
from kanri.core.time import utcnow
from kanri.records import fields as types
from kanri.records import schemas
from kanri.records.definitions import ObjectContext, definition_of, field_rows, shape, shape_row
from kanri.records.expansion import expand_relations, expansions
from kanri.records.fields import Invalid
from kanri.records.models import RecordRow, RecordValueRow
from kanri.records.object_service import context
from kanri.records.paging import parse_order, records_page
from kanri.records.query import Drivers, live, record_filters
from kanri.records.storage import UPDATE_RECORD, Clash, clash_error, insert_records, write_index
from kanri.records.validation import Mode, check_related, validate


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
        validate(ctx, given, None, "create", p) for given, p in zip(values, prefixes, strict=True)
    ]
    errors = {i: errs for i, (_, errs) in enumerate(validated) if errs}
    for i, errs in check_related(
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
        clashes = insert_records(tx, who, ctx, items, now)
        if clashes:
            raise clash_error(clashes, dict(zip(record_ids, prefixes, strict=True)))
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
        clashes = insert_records(tx, who, ctx, [(record_ids[i], stored)], now)
        if clashes:
            savepoint.rollback()
            results.append(ItemResult(error=clash_error(clashes, {record_ids[i]: prefixes[i]})))
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
            return shape_row(ctx, row)
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
    record = shape_row(ctx, _record_row(tx, who, ctx, record_id, show_deleted))
    if expand:
        expand_relations(tx, who, ctx, [record], expand)
    return record


def filters_for(
    tx: Session, ctx: ObjectContext, *, deleted: bool = False, drivers: Drivers | None = None
) -> FilterSpec:
    """The FilterSpec of `ctx`'s records, relation paths included."""
    targets = {f.id: cast(str, f.relation_object_id) for f in ctx.fields if f.type == "relation"}
    by_object = field_rows(tx, set(targets.values()))
    related = {fid: [definition_of(r) for r in by_object[oid]] for fid, oid in targets.items()}
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
        expansions(ctx, expand)
    terms = parse_order(ctx.fields, params.order_by)
    drivers = Drivers()
    condition = filters_for(tx, ctx, deleted=show_deleted, drivers=drivers).compile(params.filter)
    stmt = live(
        scoped(select(RecordRow), who).where(RecordRow.object_id == ctx.obj.id), show_deleted
    )
    page = records_page(tx, stmt, condition, drivers, terms, params)
    records = page.map(lambda row: shape_row(ctx, row))
    if expand:
        expand_relations(tx, who, ctx, records.items, expand)
    return records


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
        stored, field_errors = validate(ctx, given, row.field_values, mode, prefixes[i])
        if field_errors:
            errors[i] = ValidationFailed("the record is not valid", errors=field_errors)
        else:
            validated[i] = stored
    order = sorted(validated)
    related = check_related(tx, who, ctx, [(prefixes[i], validated[i]) for i in order])
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
            UPDATE_RECORD,
            [{"record_id": rid, "values": stored, "now": now} for rid, stored in batch],
        )
        tx.execute(
            delete(RecordValueRow).where(RecordValueRow.record_id.in_([rid for rid, _ in batch]))
        )
        return write_index(tx, ctx, [(rid, stored, created[rid]) for rid, stored in batch])

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
            raise clash_error(clashes, {ids[i]: prefixes[i] for i in pending})
        for i in pending:
            finish(i)
    else:
        for i in pending:
            savepoint = tx.begin_nested()
            clashes = write([i])
            if clashes:
                savepoint.rollback()
                results[i] = ItemResult(error=clash_error(clashes, {ids[i]: prefixes[i]}))
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
    clashes = write_index(tx, ctx, [(row.id, stored, row.create_time)])
    if clashes:
        raise clash_error(clashes, {row.id: "field_values."})
    now = utcnow()
    row.deleted_time = None
    row.update_time = now
    tx.flush()
    record = shape_row(ctx, row)
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


def record_id_for(run_id: str, idempotency_key: str) -> str:
    """The id `records.create` gives its record: the run's time, then SHA-256 of the key."""
    milliseconds = ulid_milliseconds(run_id.removeprefix("run_"))
    digest = hashlib.sha256(idempotency_key.encode()).digest()
    return f"rec_{ulid_at(milliseconds, digest[:10])}"
