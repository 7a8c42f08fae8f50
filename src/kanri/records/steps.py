"""`records.create|update|get|query|delete`: read and write CRM records from a run.

The step acts in the run's project as the system actor `engine` (audited as such). A
refused request (unknown object or record, invalid values, a unique clash) fails the step
without retries; its problem (status, code, per-field errors, `conflicting_id`) is in the
failure's details. `records.create` derives the record id from the step's idempotency
key, so a step executed again after a crash returns the record it made the first time.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from pydantic import Field, ValidationError
from sqlalchemy.orm import Session

from kanri.core.auth import Principal
from kanri.core.errors import KanriError
from kanri.core.pagination import MAX_PAGE_SIZE, ListParams
from kanri.engine.registry import Done, Fail, Outcome, StepConfig, StepContext, step_kind
from kanri.records import record_service, schemas
from kanri.tenancy import service as tenancy

ObjectRef = Field(min_length=1, max_length=100, description="object id or slug")
# `record`, not `id`: a step's own `id` names the step.
RecordRef = Field(min_length=1, max_length=100, description="record id")


Expand: Any = Field(default_factory=list, max_length=20, description="relation fields to inline")


class CreateConfig(StepConfig):
    """`records.create`: create a record of `object`."""

    """Create a record; the output is the record. Run again after a crash, the step
    returns the record it made the first time."""

    object: str = ObjectRef
    field_values: dict[str, Any] = Field(default_factory=dict, description="values by field slug")


class UpdateConfig(StepConfig):
    """`records.update`: change a record's fields (`replace`: clear the others)."""

    """Change a record (merge, or `replace`); the output is the record."""

    object: str = ObjectRef
    record: str = RecordRef
    field_values: dict[str, Any] = Field(
        default_factory=dict, description="values by field slug; null clears a field"
    )
    replace: bool = Field(default=False, description="clear the fields not given")


class GetConfig(StepConfig):
    """`records.get`: read one record, relations in `expand` inlined."""

    """Read a record; the output is the record."""

    object: str = ObjectRef
    record: str = RecordRef
    expand: list[str] = Expand


class QueryConfig(StepConfig):
    """`records.query`: one page of the records of `object` matching `filter`."""

    """List records as `GET /v1/objects/{object}/records` does; the output is `data`,
    `next_page_token` and `total_size`."""

    object: str = ObjectRef
    filter: str | None = Field(
        default=None, max_length=20_000, description="AIP-160 over field values"
    )
    order_by: str | None = Field(
        default=None, max_length=500, description="`field [desc], …`; default: create_time"
    )
    page_size: int = Field(default=50, ge=1, le=MAX_PAGE_SIZE, description="records at most")
    page_token: str | None = Field(
        default=None, max_length=2000, description="the next page of an earlier query"
    )
    include_total: bool = Field(default=False, description="count every match (`total_size`)")
    expand: list[str] = Expand


class DeleteConfig(StepConfig):
    """`records.delete`: delete a record (soft)."""

    """Delete a record (soft: it can be restored); the output is `{id, deleted}`."""

    object: str = ObjectRef
    record: str = RecordRef


def _organization(tx: Session, project_id: str) -> str:
    project = tenancy.project_settings(tx, project_id)
    assert project is not None  # the run's project
    return project.organization_id


async def _principal(ctx: StepContext) -> Principal:
    organization_id = await ctx.services.kanri.db.read(_organization, ctx.project_id)
    return Principal.system(organization_id, ctx.project_id, name="engine")


def _refused(error: KanriError) -> Fail:
    details: dict[str, Any] = {
        "status": error.status,
        "code": error.code,
        "errors": [e.as_dict() for e in error.errors],
    }
    details.update({k: v for k, v in error.extra.items() if isinstance(v, str | int | list)})
    return Fail(error.detail, retryable=False, details=details)


def _write(values: dict[str, Any]) -> schemas.RecordWrite | Fail:
    try:
        return schemas.RecordWrite(field_values=values)
    except ValidationError as exc:
        return Fail(f"invalid field_values: {exc.errors()[0].get('msg')}", retryable=False)


@step_kind("records.create", CreateConfig)
async def create(ctx: StepContext, config: CreateConfig) -> Outcome:
    body = _write(config.field_values)
    if isinstance(body, Fail):
        return body
    who = await _principal(ctx)
    record_id = record_service.record_id_for(ctx.run_id, ctx.idempotency_key)
    command = partial(record_service.create_record, record_id=record_id)
    try:
        record = await ctx.services.kanri.db.write(command, who, config.object, body)
    except KanriError as exc:
        return _refused(exc)
    return Done(record.model_dump(mode="json"))


@step_kind("records.update", UpdateConfig)
async def update(ctx: StepContext, config: UpdateConfig) -> Outcome:
    body = _write(config.field_values)
    if isinstance(body, Fail):
        return body
    who = await _principal(ctx)
    command = partial(record_service.update_record, mode="replace" if config.replace else "patch")
    try:
        record = await ctx.services.kanri.db.write(command, who, config.object, config.record, body)
    except KanriError as exc:
        return _refused(exc)
    return Done(record.model_dump(mode="json"))


@step_kind("records.get", GetConfig)
async def get(ctx: StepContext, config: GetConfig) -> Outcome:
    who = await _principal(ctx)
    command = partial(record_service.get_record, expand=config.expand)
    try:
        record = await ctx.services.kanri.db.read(command, who, config.object, config.record)
    except KanriError as exc:
        return _refused(exc)
    return Done(record.model_dump(mode="json"))


@step_kind("records.query", QueryConfig)
async def query(ctx: StepContext, config: QueryConfig) -> Outcome:
    who = await _principal(ctx)
    params = ListParams(
        page_size=config.page_size,
        page_token=config.page_token,
        filter=config.filter,
        order_by=config.order_by,
        include_total=config.include_total,
        codec=ctx.services.kanri.page_codec,
    )
    command = partial(record_service.query_records, expand=config.expand)
    try:
        page = await ctx.services.kanri.db.read(command, who, config.object, params)
    except KanriError as exc:
        return _refused(exc)
    return Done(
        {
            "data": [record.model_dump(mode="json") for record in page.items],
            "next_page_token": page.next_page_token,
            "total_size": page.total_size,
        }
    )


@step_kind("records.delete", DeleteConfig)
async def delete(ctx: StepContext, config: DeleteConfig) -> Outcome:
    who = await _principal(ctx)
    try:
        await ctx.services.kanri.db.write(
            record_service.delete_record, who, config.object, config.record
        )
    except KanriError as exc:
        return _refused(exc)
    return Done({"id": config.record, "deleted": True})
