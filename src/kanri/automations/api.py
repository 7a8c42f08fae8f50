"""Routes of automations (section `automations`) and their versions (section `deployments`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from kanri.automations import schemas, service
from kanri.core import idempotency
from kanri.core.auth import Principal, RequireSection
from kanri.core.deps import Db, Listing, Runtime
from kanri.core.openapi import BODY_ID, link_to, operation_id
from kanri.core.schemas import ListResponse

router = APIRouter(tags=["automations"], generate_unique_id_function=operation_id)
AutomationId = Annotated[str, Path(description="automation id or name", max_length=100)]
Reader = Annotated[Principal, RequireSection("automations", "read")]
Writer = Annotated[Principal, RequireSection("automations", "write")]
Deployer = Annotated[Principal, RequireSection("deployments", "write")]
DeploymentReader = Annotated[Principal, RequireSection("deployments", "read")]


@router.post(
    "/v1/automations", status_code=201, responses=link_to("automations_get", automation_id=BODY_ID)
)
async def create_automation(
    body: schemas.AutomationCreate,
    request: Request,
    response: Response,
    kanri: Runtime,
    who: Writer,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> schemas.Automation:
    """Create an automation with a draft definition (validated: kinds, ids, templates)."""
    return await idempotency.create(
        request,
        response,
        kanri.db,
        who,
        idempotency_key,
        service.create,
        who,
        body,
        location=lambda a: f"/v1/automations/{a.id}",
    )


@router.get("/v1/automations")
async def list_automations(
    db: Db, params: Listing, who: Reader
) -> ListResponse[schemas.Automation]:
    """Automations of the project. Filter on id, name, published_version, labels.*, times."""
    return ListResponse.of(await db.read(service.list_automations, who, params))


@router.get("/v1/automations/{automation_id}")
async def get_automation(automation_id: AutomationId, db: Db, who: Reader) -> schemas.Automation:
    """The automation with its draft definition and the version it publishes."""
    return await db.read(service.get, who, automation_id)


@router.patch("/v1/automations/{automation_id}")
async def update_automation(
    automation_id: AutomationId, body: schemas.AutomationUpdate, db: Db, who: Writer
) -> schemas.Automation:
    """Change the draft; published versions never change."""
    return await db.write(service.update, who, automation_id, body)


@router.delete("/v1/automations/{automation_id}", status_code=204)
async def delete_automation(automation_id: AutomationId, db: Db, who: Writer) -> None:
    """Delete the automation with its versions and schedules."""
    await db.write(service.delete, who, automation_id)


@router.post("/v1/automations/{automation_id}/publish", status_code=201, tags=["deployments"])
async def publish_automation(
    automation_id: AutomationId,
    request: Request,
    response: Response,
    db: Db,
    who: Deployer,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> schemas.AutomationVersion:
    """Freeze the draft as the next version and publish it (once per Idempotency-Key)."""
    return await idempotency.create(
        request,
        response,
        db,
        who,
        idempotency_key,
        service.publish,
        who,
        automation_id,
        location=lambda v: f"/v1/automations/{v.automation_id}/versions/{v.version}",
    )


@router.get("/v1/automations/{automation_id}/versions", tags=["deployments"])
async def list_automation_versions(
    automation_id: AutomationId, db: Db, who: DeploymentReader
) -> ListResponse[schemas.AutomationVersion]:
    """Every published version, newest first."""
    return ListResponse(data=await db.read(service.versions, who, automation_id))


@router.get("/v1/automations/{automation_id}/versions/{version}", tags=["deployments"])
async def get_automation_version(
    automation_id: AutomationId,
    version: Annotated[int, Path(ge=1, le=1_000_000)],
    db: Db,
    who: DeploymentReader,
) -> schemas.AutomationVersion:
    """One published version of the automation, its definition frozen."""
    return await db.read(service.version, who, automation_id, version)


@router.post("/v1/automations/{automation_id}/rollback", tags=["deployments"])
async def rollback_automation(
    automation_id: AutomationId, body: schemas.Rollback, db: Db, who: Deployer
) -> schemas.Automation:
    """Make an earlier version the published one."""
    return await db.write(service.rollback, who, automation_id, body)
