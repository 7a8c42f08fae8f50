"""The tenancy feature's own service: organizations (the bootstrap of one with its first
admin key), the reads authentication needs (`TenancyAuthStore`) and a project's settings as
other features read them (`project_settings`). Projects, environments and API keys each
have their service module: `project_service`, `environment_service`, `api_key_service`.

Write functions are commands for `Database.write`: they take the transaction first, do all
their reads-for-write and writes, audit and emit in the same transaction, and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from kanri.core import audit, events
from kanri.core.auth import KeyRecord, Principal, ProjectRecord
from kanri.core.errors import Conflict, not_found
from kanri.core.ids import looks_like_id, new_id
from kanri.core.time import utcnow
from kanri.tenancy import schemas
from kanri.tenancy.api_key_service import insert_key
from kanri.tenancy.models import ApiKeyRow, EnvironmentRow, OrganizationRow, ProjectRow

# ---------------------------------------------------------------- organizations


def bootstrap(tx: Session, name: str, key_pepper: bytes) -> schemas.Bootstrap:
    """Create an organization and its first admin key. Raises Conflict when the name exists."""
    if tx.execute(select(OrganizationRow.id).where(OrganizationRow.name == name)).first():
        raise Conflict(f"an organization named '{name}' already exists")
    now = utcnow()
    org = OrganizationRow(id=new_id("org"), name=name, create_time=now, update_time=now)
    tx.add(org)
    tx.flush()
    who = Principal.system(org.id, name="bootstrap")
    audit.record(tx, who, "organization.created", "organization", org.id, {"name": name})
    events.emit(tx, who, "organization.created", "organization", org.id, {"name": name})
    created = insert_key(
        tx,
        who,
        project_id=None,
        kind="admin",
        name="bootstrap admin key",
        scopes=["*"],
        environment_id=None,
        expires_at=None,
        key_pepper=key_pepper,
    )
    return schemas.Bootstrap(organization_id=org.id, admin_key=created.key)


def create_admin_key(
    tx: Session, organization_id: str, name: str, key_pepper: bytes
) -> schemas.ApiKeyCreated:
    """A new organization admin key, made by an operator (the recovery path for a lost
    one); audited and emitted as any key."""
    if tx.get(OrganizationRow, organization_id) is None:
        raise not_found("organization", organization_id)
    created = insert_key(
        tx,
        Principal.system(organization_id),
        project_id=None,
        kind="admin",
        name=name,
        scopes=["*"],
        environment_id=None,
        expires_at=None,
        key_pepper=key_pepper,
    )
    return schemas.ApiKeyCreated.model_validate(
        {**schemas.ApiKey.model_validate(created.row).model_dump(), "key": created.key}
    )


def key_organization(tx: Session, key_id: str) -> str | None:
    """The organization a key belongs to (an operator revokes any key by its id alone)."""
    return tx.execute(
        select(ApiKeyRow.organization_id).where(ApiKeyRow.id == key_id)
    ).scalar_one_or_none()


def organization_count(tx: Session) -> int:
    return tx.execute(select(func.count()).select_from(OrganizationRow)).scalar_one()


def organization_by_name(tx: Session, name: str) -> schemas.Organization | None:
    row = tx.execute(
        select(OrganizationRow).where(OrganizationRow.name == name)
    ).scalar_one_or_none()
    return schemas.Organization.model_validate(row) if row else None


def list_organizations(tx: Session) -> list[schemas.Organization]:
    rows = tx.execute(select(OrganizationRow).order_by(OrganizationRow.create_time)).scalars()
    return [schemas.Organization.model_validate(r) for r in rows]


# ---------------------------------------------------------------- project settings


@dataclass(frozen=True)
class ProjectSettings:
    """What other features read of a project."""

    organization_id: str
    allow_private_network: bool  # outbound calls may reach private addresses
    rate_limit_per_minute: int
    observability_retention_days: int = 30  # days observability data is kept


def project_settings(tx: Session, project_id: str) -> ProjectSettings | None:
    """The settings of project `project_id`; None when there is no such project (a
    background job may outlive its project)."""
    row = tx.execute(
        select(
            ProjectRow.organization_id,
            ProjectRow.allow_private_network,
            ProjectRow.rate_limit_per_minute,
            ProjectRow.observability_retention_days,
        ).where(ProjectRow.id == project_id)
    ).first()
    if row is None:
        return None
    return ProjectSettings(
        row.organization_id,
        bool(row.allow_private_network),
        row.rate_limit_per_minute,
        row.observability_retention_days,
    )


def run_limits(tx: Session, project_ids: set[str]) -> dict[str, int | None]:
    """Each project's `max_running_runs` (None: the server's default); the engine's claim
    asks for the projects of its candidates."""
    rows = tx.execute(
        select(ProjectRow.id, ProjectRow.max_running_runs).where(
            ProjectRow.id.in_(sorted(project_ids))
        )
    )
    return {row.id: row.max_running_runs for row in rows}


def with_private_network_flag(
    stmt: Select[*tuple[Any, ...]], project_id: ColumnElement[str] | InstrumentedAttribute[str]
) -> Select[*tuple[Any, ...]]:
    """`stmt` joined to the project `project_id` names, with the project's
    `allow_private_network` as its last column: a row and its project's flag in one query
    (statements built once on hot paths, where a second read would cost)."""
    return stmt.add_columns(ProjectRow.allow_private_network).join(
        ProjectRow, ProjectRow.id == project_id
    )


# ---------------------------------------------------------------- authentication store


class TenancyAuthStore:
    """The reads authentication needs (see kanri.core.auth.TenancyStore)."""

    def key_by_hash(self, tx: Session, key_hash: str) -> KeyRecord | None:
        row = tx.execute(
            select(
                ApiKeyRow.id,
                ApiKeyRow.kind,
                ApiKeyRow.organization_id,
                ApiKeyRow.project_id,
                ApiKeyRow.environment_id,
                ApiKeyRow.scopes,
                ApiKeyRow.expires_at,
                ApiKeyRow.revoked_at,
                ApiKeyRow.allowed_origins,
            ).where(ApiKeyRow.key_hash == key_hash)
        ).first()
        if row is None:
            return None
        return KeyRecord(
            id=row.id,
            kind=row.kind,
            organization_id=row.organization_id,
            project_id=row.project_id,
            environment_id=row.environment_id,
            scopes=frozenset(row.scopes),
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
            allowed_origins=tuple(row.allowed_origins or ()),
        )

    def project_for_auth(self, tx: Session, organization_id: str, ref: str) -> ProjectRecord | None:
        column = ProjectRow.id if looks_like_id(ref, "prj") else ProjectRow.name
        project = tx.execute(
            select(ProjectRow.id, ProjectRow.rate_limit_per_minute).where(
                column == ref, ProjectRow.organization_id == organization_id
            )
        ).first()
        if project is None:
            return None
        return ProjectRecord(project.id, organization_id, project.rate_limit_per_minute)

    def environment_for_auth(self, tx: Session, project_id: str, ref: str | None) -> str | None:
        if ref is not None:
            column = EnvironmentRow.id if looks_like_id(ref, "env") else EnvironmentRow.name
            found: str | None = tx.execute(
                select(EnvironmentRow.id).where(
                    EnvironmentRow.project_id == project_id, column == ref
                )
            ).scalar_one_or_none()
            return found
        # The default: `production`, else the oldest environment.
        rows = tx.execute(
            select(EnvironmentRow.id, EnvironmentRow.name)
            .where(EnvironmentRow.project_id == project_id)
            .order_by((EnvironmentRow.name == "production").desc(), EnvironmentRow.create_time)
            .limit(1)
        ).first()
        return rows.id if rows else None


def retention_days(tx: Session) -> list[int]:
    """The distinct `observability_retention_days` of all projects (the retention sweep)."""
    return sorted(
        set(tx.execute(select(ProjectRow.observability_retention_days).distinct()).scalars())
    )


def project_ids(days: int | None = None) -> Select[str]:
    """A subquery of project ids: all, or those keeping observability data `days` days."""
    stmt = select(ProjectRow.id)
    if days is not None:
        stmt = stmt.where(ProjectRow.observability_retention_days == days)
    return stmt
