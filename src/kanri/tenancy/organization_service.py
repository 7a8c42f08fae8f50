"""The caller's organization (admin keys): its settings, and its admin keys managed by the
API, so that an organization never depends on the one key printed at bootstrap."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from kanri.core import audit, events
from kanri.core.auth import Principal
from kanri.core.errors import Conflict, FieldError, ValidationFailed, not_found
from kanri.core.pagination import ListParams, Page, paginate
from kanri.core.time import utcnow
from kanri.tenancy import schemas
from kanri.tenancy.api_key_service import KEY_FILTERS, insert_key, revoke_key, rotate_key
from kanri.tenancy.models import ApiKeyRow, OrganizationRow, ProjectRow

ORGANIZATION_FIELDS = ("name", "default_max_running_runs")


def _row(tx: Session, who: Principal) -> OrganizationRow:
    row = tx.get(OrganizationRow, who.organization_id)
    if row is None:
        raise not_found("organization", who.organization_id)
    return row


def _detail(tx: Session, row: OrganizationRow) -> schemas.OrganizationDetail:
    count = tx.execute(
        select(func.count()).where(ProjectRow.organization_id == row.id)
    ).scalar_one()
    return schemas.OrganizationDetail.model_validate(
        {
            **schemas.Organization.model_validate(row).model_dump(),
            "project_count": count,
            "default_max_running_runs": row.default_max_running_runs,
        }
    )


def get_organization(tx: Session, who: Principal) -> schemas.OrganizationDetail:
    return _detail(tx, _row(tx, who))


def list_organizations(tx: Session, who: Principal) -> list[schemas.Organization]:
    """The organizations the key reaches: its own."""
    return [schemas.Organization.model_validate(_row(tx, who))]


def update_organization(
    tx: Session, who: Principal, body: schemas.OrganizationUpdate
) -> schemas.OrganizationDetail:
    """Rename the organization or change the defaults of new projects. Conflict when the
    name is another organization's."""
    row = _row(tx, who)
    before = {name: getattr(row, name) for name in ORGANIZATION_FIELDS}
    if body.name is not None and body.name != row.name:
        taken = tx.execute(
            select(OrganizationRow.id).where(OrganizationRow.name == body.name)
        ).first()
        if taken is not None:
            raise Conflict(
                f"an organization named '{body.name}' already exists",
                errors=[FieldError("body.name", "already used")],
            )
        row.name = body.name
    if "default_max_running_runs" in body.model_fields_set:
        row.default_max_running_runs = body.default_max_running_runs
    changes = audit.changes_between(
        before, {name: getattr(row, name) for name in ORGANIZATION_FIELDS}
    )
    if changes:
        row.update_time = utcnow()
        audit.record(tx, who, "organization.updated", "organization", row.id, changes)
        events.emit(tx, who, "organization.updated", "organization", row.id, {"id": row.id})
    tx.flush()
    return _detail(tx, row)


# ---------------------------------------------------------------- admin keys


def _admin_keys(who: Principal) -> Select[ApiKeyRow]:
    return select(ApiKeyRow).where(
        ApiKeyRow.organization_id == who.organization_id, ApiKeyRow.kind == "admin"
    )


def _admin_key(tx: Session, who: Principal, key_id: str) -> ApiKeyRow:
    row = tx.execute(_admin_keys(who).where(ApiKeyRow.id == key_id)).scalar_one_or_none()
    if row is None:
        raise not_found("admin key", key_id)
    return row


def create_admin_key(
    tx: Session, who: Principal, body: schemas.AdminKeyCreate, key_pepper: bytes
) -> schemas.ApiKeyCreated:
    """A new admin key of the organization (scopes `*`); the full key is shown only here."""
    if body.expires_at is not None and body.expires_at <= utcnow():
        message = "must be in the future, e.g. 2030-01-01T00:00:00Z"
        raise ValidationFailed(
            f"expires_at {message}", errors=[FieldError("body.expires_at", message)]
        )
    created = insert_key(
        tx,
        who,
        project_id=None,
        kind="admin",
        name=body.name,
        scopes=["*"],
        environment_id=None,
        expires_at=body.expires_at,
        key_pepper=key_pepper,
    )
    return schemas.ApiKeyCreated.model_validate(
        {**schemas.ApiKey.model_validate(created.row).model_dump(), "key": created.key}
    )


def list_admin_keys(tx: Session, who: Principal, params: ListParams) -> Page[schemas.ApiKey]:
    page = paginate(
        tx,
        _admin_keys(who),
        KEY_FILTERS,
        params,
        id_column=ApiKeyRow.id,
        default_order="create_time",
    )
    return page.map(schemas.ApiKey.model_validate)


def revoke_admin_key(tx: Session, who: Principal, key_id: str) -> schemas.ApiKey:
    """Revoke an admin key at once. Conflict when it is the organization's last working
    one: an organization always keeps a key that can manage it."""
    row = _admin_key(tx, who, key_id)
    now = utcnow()
    working = tx.execute(
        select(func.count()).select_from(
            _admin_keys(who)
            .where(
                ApiKeyRow.id != row.id,
                (ApiKeyRow.revoked_at.is_(None)) | (ApiKeyRow.revoked_at > now),
                (ApiKeyRow.expires_at.is_(None)) | (ApiKeyRow.expires_at > now),
            )
            .subquery()
        )
    ).scalar_one()
    if not working and (row.revoked_at is None or row.revoked_at > now):
        raise Conflict("this is the organization's last working admin key: create another first")
    return revoke_key(tx, who, row.id)


def rotate_admin_key(
    tx: Session, who: Principal, key_id: str, body: schemas.ApiKeyRotate, key_pepper: bytes
) -> schemas.ApiKeyCreated:
    """A new admin key replacing this one, which keeps working for the grace period."""
    row = _admin_key(tx, who, key_id)
    return rotate_key(tx, who, row.id, body, key_pepper)
