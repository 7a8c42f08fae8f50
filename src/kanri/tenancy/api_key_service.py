"""Business rules of API keys: creation (scopes no wider than the creator's), revocation
and rotation with a grace period.

Write functions are commands for `Database.write`: they take the transaction first, do all
their reads-for-write and writes, audit and emit in the same transaction, and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from kanri.core import audit, events, keys
from kanri.core.auth import Principal
from kanri.core.errors import Conflict, FieldError, Forbidden, ValidationFailed, not_found
from kanri.core.filtering import FilterField, FilterSpec
from kanri.core.ids import new_id
from kanri.core.pagination import ListParams, Page, paginate
from kanri.core.permissions import ADMIN_ONLY_SECTIONS, covers, valid_scope
from kanri.core.time import utcnow
from kanri.tenancy import schemas
from kanri.tenancy.environment_service import environment_row
from kanri.tenancy.models import ApiKeyRow
from kanri.tenancy.project_service import project_row

KEY_FILTERS = FilterSpec(
    {
        "id": FilterField(ApiKeyRow.id),
        "name": FilterField(ApiKeyRow.name),
        "kind": FilterField(ApiKeyRow.kind),
        "environment_id": FilterField(ApiKeyRow.environment_id, sortable=False),
        "create_time": FilterField(ApiKeyRow.create_time, "timestamp"),
        "expires_at": FilterField(ApiKeyRow.expires_at, "timestamp", sortable=False),
        "revoked_at": FilterField(ApiKeyRow.revoked_at, "timestamp", sortable=False),
    }
)


@dataclass(frozen=True)
class NewKey:
    """A key just made: its row and the full key, which is shown only once."""

    row: ApiKeyRow
    key: str


def insert_key(
    tx: Session,
    who: Principal,
    *,
    project_id: str | None,
    kind: keys.KeyKind,
    name: str,
    scopes: list[str],
    environment_id: str | None,
    expires_at: Any,
    key_pepper: bytes,
    allowed_origins: list[str] | None = None,
) -> NewKey:
    """A new key of `kind` for `project_id` (None: an organization key), audited and emitted."""
    full = keys.generate(kind)
    now = utcnow()
    row = ApiKeyRow(
        id=new_id("key"),
        organization_id=who.organization_id,
        project_id=project_id,
        environment_id=environment_id,
        kind=kind,
        name=name,
        scopes=scopes,
        allowed_origins=list(allowed_origins or []),
        key_hash=keys.hash_key(full, key_pepper),
        prefix=keys.display_prefix(full),
        last_four=full[-4:],
        expires_at=expires_at,
        revoked_at=None,
        rotated_to=None,
        create_time=now,
        update_time=now,
    )
    tx.add(row)
    tx.flush()
    summary = {"name": name, "kind": kind, "scopes": scopes, "environment_id": environment_id}
    audit.record(
        tx,
        who,
        "api_key.created",
        "api_key",
        row.id,
        audit.changes_between({}, summary),
        project_id=project_id,
    )
    events.emit(
        tx,
        who,
        "api_key.created",
        "api_key",
        row.id,
        {"id": row.id, **summary},
        project_id=project_id,
    )
    return NewKey(row, full)


def _checked_scopes(who: Principal, body: schemas.ApiKeyCreate) -> list[str]:
    """The new key's scopes: those asked for, each one the caller holds itself; without
    `scopes`, a secret key gets the caller's own scopes and a publishable key none."""
    if body.scopes is not None:
        scopes = body.scopes
    elif body.kind == "secret":
        scopes = ["*"] if who.is_admin else sorted(who.scopes)
    else:
        scopes = []
    errors = [
        FieldError(f"body.scopes.{i}", f"unknown scope '{s}': use section:read|write|* or *")
        for i, s in enumerate(scopes)
        if not valid_scope(s)
    ]
    errors += [
        FieldError(f"body.scopes.{i}", f"'{s}' is for organization admin keys only")
        for i, s in enumerate(scopes)
        if s.partition(":")[0] in ADMIN_ONLY_SECTIONS
    ]
    if errors:
        raise ValidationFailed("invalid scopes", errors=errors)
    beyond = _scopes_beyond(who, scopes)
    if beyond:
        raise Forbidden(
            "a key can only create keys with scopes it holds itself",
            errors=[
                FieldError(f"body.scopes.{scopes.index(s)}", f"this key does not hold '{s}'")
                for s in beyond
            ],
        )
    return sorted(set(scopes))


def _scopes_beyond(who: Principal, scopes: list[str]) -> list[str]:
    """The scopes of `scopes` that `who` does not hold (none for admin keys)."""
    if who.is_admin:
        return []
    return [s for s in scopes if not covers(who.scopes, s)]


def create_key(
    tx: Session,
    who: Principal,
    project_ref: str | None,
    body: schemas.ApiKeyCreate,
    key_pepper: bytes,
) -> schemas.ApiKeyCreated:
    """A project key (secret or publishable), shown in full once."""
    if project_ref is not None:
        project = project_row(tx, who, project_ref)
        who = Principal(
            organization_id=who.organization_id,
            project_id=project.id,
            environment_id=None,
            key_id=who.key_id,
            kind=who.kind,
            scopes=who.scopes,
            request_id=who.request_id,
            ip=who.ip,
        )
    scopes = _checked_scopes(who, body)
    if body.allowed_origins and body.kind != "publishable":
        raise ValidationFailed(
            "only publishable keys take allowed_origins",
            errors=[FieldError("body.allowed_origins", "for publishable keys only")],
        )
    now = utcnow()
    if body.expires_at is not None and (body.expires_at.tzinfo is None or body.expires_at <= now):
        raise ValidationFailed(
            "expires_at must be a future time with a UTC offset",
            errors=[
                FieldError("body.expires_at", "must be in the future, e.g. 2030-01-01T00:00:00Z")
            ],
        )
    try:
        environment = environment_row(tx, who, body.environment or "production")
    except Exception as exc:
        raise ValidationFailed(
            f"unknown environment '{body.environment or 'production'}'",
            errors=[
                FieldError("body.environment", "no environment of that name or id in the project")
            ],
        ) from exc
    created = insert_key(
        tx,
        who,
        project_id=who.project(),
        kind=body.kind,
        name=body.name,
        scopes=scopes,
        environment_id=environment.id,
        expires_at=body.expires_at,
        key_pepper=key_pepper,
        allowed_origins=body.allowed_origins,
    )
    return schemas.ApiKeyCreated.model_validate({**_key_dict(created.row), "key": created.key})


def _key_dict(row: ApiKeyRow) -> dict[str, Any]:
    return schemas.ApiKey.model_validate(row).model_dump()


def _key_row(tx: Session, who: Principal, ref: str) -> ApiKeyRow:
    stmt = select(ApiKeyRow).where(
        ApiKeyRow.id == ref, ApiKeyRow.organization_id == who.organization_id
    )
    if who.project_id is not None:
        stmt = stmt.where(ApiKeyRow.project_id == who.project_id)
    row = tx.execute(stmt).scalar_one_or_none()
    if row is None:
        raise not_found("API key", ref)
    return row


def get_key(tx: Session, who: Principal, ref: str) -> schemas.ApiKey:
    return schemas.ApiKey.model_validate(_key_row(tx, who, ref))


def list_keys(
    tx: Session, who: Principal, project_ref: str | None, params: ListParams
) -> Page[schemas.ApiKey]:
    project_id = project_row(tx, who, project_ref).id if project_ref else who.project()
    stmt = select(ApiKeyRow).where(
        ApiKeyRow.organization_id == who.organization_id, ApiKeyRow.project_id == project_id
    )
    page = paginate(
        tx, stmt, KEY_FILTERS, params, id_column=ApiKeyRow.id, default_order="create_time"
    )
    return page.map(schemas.ApiKey.model_validate)


def revoke_key(tx: Session, who: Principal, ref: str) -> schemas.ApiKey:
    """Revoke at once (idempotent: revoking a revoked key changes nothing)."""
    row = _key_row(tx, who, ref)
    now = utcnow()
    if row.revoked_at is None or row.revoked_at > now:
        before = row.revoked_at
        row.revoked_at = now
        row.update_time = now
        audit.record(
            tx,
            who,
            "api_key.revoked",
            "api_key",
            row.id,
            {"revoked_at": {"from": before, "to": now}},
            project_id=row.project_id,
        )
        events.emit(
            tx, who, "api_key.revoked", "api_key", row.id, {"id": row.id}, project_id=row.project_id
        )
    tx.flush()
    return schemas.ApiKey.model_validate(row)


def rotate_key(
    tx: Session, who: Principal, ref: str, body: schemas.ApiKeyRotate, key_pepper: bytes
) -> schemas.ApiKeyCreated:
    """A new key like the old one; the old one stops working after the grace period."""
    old = _key_row(tx, who, ref)
    now = utcnow()
    if old.revoked_at is not None and old.revoked_at <= now:
        raise Conflict("a revoked key cannot be rotated")
    if old.expires_at is not None and old.expires_at <= now:
        raise Conflict("an expired key cannot be rotated")
    if old.rotated_to is not None:
        raise Conflict(
            f"this key was already rotated to '{old.rotated_to}': rotate that key instead"
        )
    if _scopes_beyond(who, list(old.scopes)):
        raise Forbidden("rotating a key needs every scope it holds; this key lacks some")
    created = insert_key(
        tx,
        who,
        project_id=old.project_id,
        kind=cast(keys.KeyKind, old.kind),
        name=old.name,
        scopes=list(old.scopes),
        allowed_origins=list(old.allowed_origins or []),
        environment_id=old.environment_id,
        expires_at=old.expires_at,
        key_pepper=key_pepper,
    )
    ends = now + timedelta(seconds=body.grace_period_seconds)
    old.revoked_at = ends
    old.rotated_to = created.row.id
    old.update_time = now
    audit.record(
        tx,
        who,
        "api_key.rotated",
        "api_key",
        old.id,
        {
            "revoked_at": {"from": None, "to": ends},
            "rotated_to": {"from": None, "to": created.row.id},
        },
        project_id=old.project_id,
    )
    events.emit(
        tx,
        who,
        "api_key.rotated",
        "api_key",
        old.id,
        {"id": old.id, "rotated_to": created.row.id},
        project_id=old.project_id,
    )
    tx.flush()
    return schemas.ApiKeyCreated.model_validate({**_key_dict(created.row), "key": created.key})
