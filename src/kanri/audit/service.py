"""Reads of the audit trail, scoped to the caller's project (or organization for admin keys)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kanri.audit import schemas
from kanri.core import audit
from kanri.core.auth import Principal
from kanri.core.filtering import FilterField, FilterSpec
from kanri.core.models import AuditLogRow
from kanri.core.pagination import ListParams, Page, paginate

AUDIT_FILTERS = FilterSpec(
    {
        "action": FilterField(AuditLogRow.action),
        "resource_type": FilterField(AuditLogRow.resource_type),
        "resource_id": FilterField(AuditLogRow.resource_id),
        "actor": FilterField(AuditLogRow.actor_id),
        "request_id": FilterField(AuditLogRow.request_id, sortable=False),
        "create_time": FilterField(AuditLogRow.create_time, "timestamp"),
        "seq": FilterField(AuditLogRow.seq, "integer"),
    }
)


def _scope(who: Principal) -> str:
    return who.project_id or who.organization_id


def complete(tx: Session, who: Principal) -> int:
    """Chain who's rows still waiting for the background chainer (before listing them)."""
    return audit.complete(tx, _scope(who))


def list_logs(tx: Session, who: Principal, params: ListParams) -> Page[schemas.AuditLog]:
    """Rows of who's chain, newest first unless ordered otherwise."""
    stmt = select(AuditLogRow).where(AuditLogRow.scope_id == _scope(who))
    page = paginate(
        tx, stmt, AUDIT_FILTERS, params, id_column=AuditLogRow.id, default_order="seq desc"
    )
    return page.map(schemas.AuditLog.model_validate)


def verify(tx: Session, who: Principal) -> schemas.Verification:
    """Recompute who's chain from the first row."""
    result = audit.verify(tx, _scope(who))
    return schemas.Verification.model_validate(
        {"valid": result.valid, "checked": result.checked, "first_broken": result.first_broken}
    )


def list_resource(
    tx: Session, who: Principal, resource_type: str, resource_id: str, params: ListParams
) -> Page[schemas.AuditLog]:
    """One resource's rows of who's chain in the order they were written (`create_time`,
    then id) unless ordered otherwise. Not `seq`: a run's engine rows take their chain
    places shortly after they are written (core/audit.py), behind rows written later."""
    stmt = select(AuditLogRow).where(
        AuditLogRow.scope_id == _scope(who),
        AuditLogRow.resource_type == resource_type,
        AuditLogRow.resource_id == resource_id,
    )
    page = paginate(
        tx, stmt, AUDIT_FILTERS, params, id_column=AuditLogRow.id, default_order="create_time"
    )
    return page.map(schemas.AuditLog.model_validate)
