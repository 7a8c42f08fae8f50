"""Routes of the audit trail (section `audit-logs`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from kanri.audit import schemas, service
from kanri.core.auth import Principal, RequireSection
from kanri.core.deps import Db, Listing
from kanri.core.openapi import operation_id
from kanri.core.schemas import ListResponse

router = APIRouter(
    prefix="/v1/audit-logs", tags=["audit-logs"], generate_unique_id_function=operation_id
)
Reader = Annotated[Principal, RequireSection("audit-logs", "read", reach="either")]


@router.get("")
async def list_audit_logs(db: Db, params: Listing, who: Reader) -> ListResponse[schemas.AuditLog]:
    """The project's audit trail (an admin key without Kanri-Project: the organization's).

    Filter on action, resource_type, resource_id, actor, request_id, create_time, seq.
    """
    await db.write(service.complete, who)  # engine rows the chainer has not reached yet
    page = await db.read(service.list_logs, who, params)
    return ListResponse.of(page)


@router.get("/verify", operation_id="audit_logs_verify")
async def verify_audit_logs(db: Db, who: Reader) -> schemas.Verification:
    """Complete, then recompute the hash chain; `valid` false names the first broken row."""
    await db.write(service.complete, who)
    return await db.read(service.verify, who)


organization_router = APIRouter(
    prefix="/v1/organization/audit-logs",
    tags=["audit-logs"],
    generate_unique_id_function=operation_id,
)
OrganizationReader = Annotated[
    Principal, RequireSection("audit-logs", "read", reach="organization")
]


@organization_router.get("", operation_id="organization_audit_logs_list")
async def list_organization_audit_logs(
    db: Db, params: Listing, who: OrganizationReader
) -> ListResponse[schemas.AuditLog]:
    """The organization's audit trail (admin keys): its projects, admin keys and settings.

    Filter on action, resource_type, resource_id, actor, request_id, create_time, seq.
    """
    await db.write(service.complete, who)
    page = await db.read(service.list_logs, who, params)
    return ListResponse.of(page)


@organization_router.get("/verify", operation_id="organization_audit_logs_verify")
async def verify_organization_audit_logs(db: Db, who: OrganizationReader) -> schemas.Verification:
    """Complete, then recompute the organization trail's hash chain; `valid` false names
    the first broken row."""
    await db.write(service.complete, who)
    return await db.read(service.verify, who)
