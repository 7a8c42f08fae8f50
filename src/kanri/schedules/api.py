"""Routes of schedules (section `automations`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from kanri.core import idempotency
from kanri.core.auth import Principal, RequireSection
from kanri.core.deps import Db, Listing, Runtime
from kanri.core.openapi import BODY_ID, link_to, operation_id
from kanri.core.schemas import ListResponse
from kanri.schedules import schemas, service

router = APIRouter(tags=["schedules"], generate_unique_id_function=operation_id)
ScheduleId = Annotated[str, Path(description="schedule id", max_length=100)]
Reader = Annotated[Principal, RequireSection("automations", "read")]
Writer = Annotated[Principal, RequireSection("automations", "write")]


@router.post(
    "/v1/schedules",
    status_code=201,
    responses=link_to("schedules_get", schedule_id=BODY_ID),
)
async def create_schedule(
    body: schemas.ScheduleCreate,
    request: Request,
    response: Response,
    kanri: Runtime,
    who: Writer,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> schemas.Schedule:
    """Schedule runs of a published automation in this environment (409 when unpublished)."""
    return await idempotency.create(
        request,
        response,
        kanri.db,
        who,
        idempotency_key,
        service.create,
        who,
        body,
        location=lambda s: f"/v1/schedules/{s.id}",
    )


@router.get("/v1/schedules")
async def list_schedules(db: Db, params: Listing, who: Reader) -> ListResponse[schemas.Schedule]:
    """Schedules of the project. Filter on automation_id, environment_id, enabled, catchup,
    labels.*, times (next_fire_time and last_fire_time filter but do not sort)."""
    return ListResponse.of(await db.read(service.list_schedules, who, params))


@router.get("/v1/schedules/{schedule_id}")
async def get_schedule(schedule_id: ScheduleId, db: Db, who: Reader) -> schemas.Schedule:
    """The schedule with its next and last fire times."""
    return await db.read(service.get, who, schedule_id)


@router.patch("/v1/schedules/{schedule_id}")
async def update_schedule(
    schedule_id: ScheduleId, body: schemas.ScheduleUpdate, db: Db, who: Writer
) -> schemas.Schedule:
    """Change a schedule; a new cron or time zone, or enabling it, counts from now."""
    return await db.write(service.update, who, schedule_id, body)


@router.delete("/v1/schedules/{schedule_id}", status_code=204)
async def delete_schedule(schedule_id: ScheduleId, db: Db, who: Writer) -> None:
    """Delete the schedule; runs it started stay."""
    await db.write(service.delete, who, schedule_id)
