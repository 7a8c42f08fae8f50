"""Routes of objects, fields and records (section `records`)."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from kanri.core import idempotency
from kanri.core.auth import Principal, RequireSection
from kanri.core.deps import Db, Listing, Runtime
from kanri.core.errors import not_found
from kanri.core.openapi import BODY_ID, link_to, operation_id
from kanri.core.pagination import ListParams
from kanri.core.schemas import ListResponse
from kanri.records import field_service, object_service, record_service, schemas

router = APIRouter(tags=["records"], generate_unique_id_function=operation_id)
ObjectId = Annotated[str, Path(description="object id or slug", max_length=100)]
FieldId = Annotated[str, Path(description="field id or slug", max_length=100)]
RecordId = Annotated[str, Path(description="record id", max_length=100)]
ShowDeleted = Annotated[bool, Query(description="include deleted records")]
Expand = Annotated[
    list[str] | None,
    Query(description="relation fields whose records to inline (repeat or comma-separate)"),
]
OBJECT_OF_BODY = "$response.body#/object_id"  # a link parameter: the object of what was made
Reader = Annotated[Principal, RequireSection("records", "read")]
Writer = Annotated[Principal, RequireSection("records", "write")]


def _expand(expand: list[str] | None) -> list[str]:
    return [slug.strip() for item in expand or [] for slug in item.split(",") if slug.strip()]


# --------------------------------------------------------------------------- objects


@router.post("/v1/objects", status_code=201, responses=link_to("objects_get", object_id=BODY_ID))
async def create_object(
    body: schemas.ObjectCreate,
    request: Request,
    response: Response,
    kanri: Runtime,
    who: Writer,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> schemas.RecordObject:
    """Create an object (a record type such as `companies`); add fields next."""
    return await idempotency.create(
        request,
        response,
        kanri.db,
        who,
        idempotency_key,
        object_service.create_object,
        who,
        body,
        location=lambda o: f"/v1/objects/{o.id}",
    )


@router.get("/v1/objects")
async def list_objects(db: Db, params: Listing, who: Reader) -> ListResponse[schemas.RecordObject]:
    """Objects of the project with their fields. Filter on id, slug, name, times."""
    return ListResponse.of(await db.read(object_service.list_objects, who, params))


@router.get("/v1/objects/{object_id}")
async def get_object(object_id: ObjectId, db: Db, who: Reader) -> schemas.RecordObject:
    """The object with its fields."""
    return await db.read(object_service.get_object, who, object_id)


@router.patch("/v1/objects/{object_id}")
async def update_object(
    object_id: ObjectId, body: schemas.ObjectUpdate, db: Db, who: Writer
) -> schemas.RecordObject:
    """Change the object's slug, name or description."""
    return await db.write(object_service.update_object, who, object_id, body)


@router.delete("/v1/objects/{object_id}", status_code=204)
async def delete_object(object_id: ObjectId, db: Db, who: Writer) -> None:
    """Delete an object, its fields and all its records (409 while a relation points at it)."""
    await db.write(object_service.delete_object, who, object_id)


# --------------------------------------------------------------------------- fields


@router.get("/v1/objects/{object_id}/fields")
async def list_fields(
    object_id: ObjectId, db: Db, who: Reader
) -> ListResponse[schemas.ObjectField]:
    """Every field of the object, in creation order (one page)."""
    found = await db.read(object_service.get_object, who, object_id)
    return ListResponse(data=found.fields)


@router.post(
    "/v1/objects/{object_id}/fields",
    status_code=201,
    responses=link_to("objects_fields_get", object_id=OBJECT_OF_BODY, field_id=BODY_ID),
)
async def create_field(
    object_id: ObjectId,
    body: schemas.FieldCreate,
    request: Request,
    response: Response,
    kanri: Runtime,
    who: Writer,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> schemas.ObjectField:
    """Add a typed field (409 when required and existing records have no value)."""
    return await idempotency.create(
        request,
        response,
        kanri.db,
        who,
        idempotency_key,
        field_service.create_field,
        who,
        object_id,
        body,
        location=lambda f: f"/v1/objects/{f.object_id}/fields/{f.id}",
    )


@router.get("/v1/objects/{object_id}/fields/{field_id}")
async def get_field(
    object_id: ObjectId, field_id: FieldId, db: Db, who: Reader
) -> schemas.ObjectField:
    """One field of the object (by id or slug)."""
    found = await db.read(object_service.get_object, who, object_id)
    for item in found.fields:
        if field_id in (item.id, item.slug):
            return item
    raise not_found("field", field_id)


@router.patch("/v1/objects/{object_id}/fields/{field_id}")
async def update_field(
    object_id: ObjectId, field_id: FieldId, body: schemas.FieldUpdate, db: Db, who: Writer
) -> schemas.ObjectField:
    """Change a field; a new type, options, `required` or `unique` that existing records do
    not fit is a 409 listing examples."""
    return await db.write(field_service.update_field, who, object_id, field_id, body)


@router.delete("/v1/objects/{object_id}/fields/{field_id}", status_code=204)
async def delete_field(object_id: ObjectId, field_id: FieldId, db: Db, who: Writer) -> None:
    """Delete a field; its values disappear from every record."""
    await db.write(field_service.delete_field, who, object_id, field_id)


# --------------------------------------------------------------------------- records


@router.post(
    "/v1/objects/{object_id}/records",
    status_code=201,
    responses=link_to("records_get", object_id=OBJECT_OF_BODY, record_id=BODY_ID),
)
async def create_record(
    object_id: ObjectId,
    body: schemas.RecordWrite,
    request: Request,
    response: Response,
    kanri: Runtime,
    who: Writer,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> schemas.Record:
    """Create a record: 422 with one error per offending field, 409 with `conflicting_id`
    when a unique value is taken."""
    return await idempotency.create(
        request,
        response,
        kanri.db,
        who,
        idempotency_key,
        record_service.create_record,
        who,
        object_id,
        body,
        location=lambda r: f"/v1/objects/{r.object_id}/records/{r.id}",
    )


@router.get("/v1/objects/{object_id}/records")
async def list_records(
    object_id: ObjectId,
    db: Db,
    params: Listing,
    who: Reader,
    show_deleted: ShowDeleted = False,
    expand: Expand = None,
) -> ListResponse[schemas.Record]:
    """Records matching an AIP-160 filter over field values (`status = "won" AND amount >
    1000`, `tags:"vip"`, `owner.name = "Ada"`); order_by create_time, update_time or id."""
    page = await db.read(
        partial(record_service.query_records, show_deleted=show_deleted, expand=_expand(expand)),
        who,
        object_id,
        params,
    )
    return ListResponse.of(page)


@router.post("/v1/objects/{object_id}/records:query")
async def query_records(
    object_id: ObjectId, body: schemas.RecordQuery, request: Request, db: Db, who: Reader
) -> ListResponse[schemas.Record]:
    """The list of records with the parameters in the body (for long filters)."""
    params = ListParams(
        page_size=body.page_size,
        page_token=body.page_token,
        filter=body.filter,
        order_by=body.order_by,
        include_total=body.include_total,
        codec=request.app.state.kanri.page_codec,
    )
    page = await db.read(
        partial(record_service.query_records, show_deleted=body.show_deleted, expand=body.expand),
        who,
        object_id,
        params,
    )
    return ListResponse.of(page)


@router.put(
    "/v1/objects/{object_id}/records",
    responses={
        201: {"model": schemas.Record, "description": "created"},
        **link_to("records_get", object_id=OBJECT_OF_BODY, record_id=BODY_ID, location=True),
    },
)
async def upsert_record(
    object_id: ObjectId,
    body: schemas.RecordWrite,
    response: Response,
    db: Db,
    who: Writer,
    match_on: Annotated[
        str,
        Query(description="the slug of a unique field to match on", min_length=1, max_length=63),
    ],
) -> schemas.Record:
    """Update the record whose unique field `match_on` has the given value (200), or create
    it (201)."""
    record, created = await db.write(record_service.upsert_record, who, object_id, match_on, body)
    if created:
        response.status_code = 201
        response.headers["Location"] = f"/v1/objects/{record.object_id}/records/{record.id}"
    return record


@router.post("/v1/objects/{object_id}/records:batchCreate")
async def batch_create_records(
    object_id: ObjectId, body: schemas.BatchCreate, db: Db, who: Writer
) -> schemas.RecordBatchResult:
    """Create up to 500 records: all or nothing (422 listing every item's errors, 409 on a
    unique value), or with `"atomic": false` one result per item."""

    def command(tx: Any) -> schemas.RecordBatchResult:
        ctx = object_service.context(tx, who, object_id)
        values = [item.field_values for item in body.records]
        results = record_service.create_many(tx, who, ctx, values, atomic=body.atomic)
        return _batch(results, body.atomic, who)

    return await db.write(command)


@router.post("/v1/objects/{object_id}/records:batchUpdate")
async def batch_update_records(
    object_id: ObjectId, body: schemas.BatchUpdate, db: Db, who: Writer
) -> schemas.RecordBatchResult:
    """Patch up to 500 records (`{"id", "field_values"}` each), atomic unless `"atomic": false`."""

    def command(tx: Any) -> schemas.RecordBatchResult:
        ctx = object_service.context(tx, who, object_id)
        changes = [(item.id, item.field_values) for item in body.records]
        results = record_service.update_many(tx, who, ctx, changes, atomic=body.atomic)
        return _batch(results, body.atomic, who)

    return await db.write(command)


@router.post("/v1/objects/{object_id}/records:batchDelete")
async def batch_delete_records(
    object_id: ObjectId, body: schemas.BatchDelete, db: Db, who: Writer
) -> schemas.RecordBatchResult:
    """Delete up to 500 records (soft), atomic unless `"atomic": false`."""

    def command(tx: Any) -> schemas.RecordBatchResult:
        ctx = object_service.context(tx, who, object_id)
        ids = [item.id for item in body.records]
        results = record_service.delete_many(tx, who, ctx, ids, atomic=body.atomic)
        return _batch(results, body.atomic, who)

    return await db.write(command)


def _batch(
    results: list[record_service.ItemResult], atomic: bool, who: Principal
) -> schemas.RecordBatchResult:
    if atomic:
        return schemas.RecordBatchResult(data=[r.record for r in results if r.record is not None])
    return schemas.RecordBatchResult(data=record_service.item_errors(results, who.request_id))


@router.get("/v1/objects/{object_id}/records/{record_id}")
async def get_record(
    object_id: ObjectId,
    record_id: RecordId,
    db: Db,
    who: Reader,
    show_deleted: ShowDeleted = False,
    expand: Expand = None,
) -> schemas.Record:
    """The record (by id); `expand` inlines related records, `show_deleted` finds a deleted
    one."""
    return await db.read(
        partial(record_service.get_record, show_deleted=show_deleted, expand=_expand(expand)),
        who,
        object_id,
        record_id,
    )


@router.patch("/v1/objects/{object_id}/records/{record_id}")
async def update_record(
    object_id: ObjectId, record_id: RecordId, body: schemas.RecordWrite, db: Db, who: Writer
) -> schemas.Record:
    """Change the given fields (null clears one); the others keep their values."""
    return await db.write(record_service.update_record, who, object_id, record_id, body)


@router.put("/v1/objects/{object_id}/records/{record_id}")
async def replace_record(
    object_id: ObjectId, record_id: RecordId, body: schemas.RecordWrite, db: Db, who: Writer
) -> schemas.Record:
    """Set every field: the ones not given are cleared (required ones must be given)."""
    return await db.write(
        partial(record_service.update_record, mode="replace"), who, object_id, record_id, body
    )


@router.delete("/v1/objects/{object_id}/records/{record_id}", status_code=204)
async def delete_record(object_id: ObjectId, record_id: RecordId, db: Db, who: Writer) -> None:
    """Delete a record (soft: restore brings it back; its unique values become free)."""
    await db.write(record_service.delete_record, who, object_id, record_id)


@router.post("/v1/objects/{object_id}/records/{record_id}/restore")
async def restore_record(
    object_id: ObjectId, record_id: RecordId, db: Db, who: Writer
) -> schemas.Record:
    """Undelete a record (409 when a unique value was taken meanwhile, with `conflicting_id`)."""
    return await db.write(record_service.restore_record, who, object_id, record_id)
