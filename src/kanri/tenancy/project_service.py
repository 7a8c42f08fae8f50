"""Business rules of projects: the tenants of an organization, each created with its default
environments.

Write functions are commands for `Database.write`: they take the transaction first, do all
their reads-for-write and writes, audit and emit in the same transaction, and never commit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from kanri.core import audit, events
from kanri.core.auth import Principal
from kanri.core.errors import Conflict, FieldError, not_found
from kanri.core.filtering import FilterField, FilterSpec
from kanri.core.ids import looks_like_id, new_id
from kanri.core.pagination import ListParams, Page, paginate
from kanri.core.time import utcnow
from kanri.tenancy import schemas
from kanri.tenancy.environment_service import insert_environment
from kanri.tenancy.models import ApiKeyRow, EnvironmentRow, OrganizationRow, ProjectRow

DEFAULT_ENVIRONMENTS = ("production", "development")

PROJECT_FILTERS = FilterSpec(
    {
        "id": FilterField(ProjectRow.id),
        "name": FilterField(ProjectRow.name),
        "display_name": FilterField(ProjectRow.display_name),
        "create_time": FilterField(ProjectRow.create_time, "timestamp"),
        "update_time": FilterField(ProjectRow.update_time, "timestamp"),
    }
)

PROJECT_FIELDS = (
    "name",
    "display_name",
    "description",
    "rate_limit_per_minute",
    "allow_private_network",
    "max_running_runs",
    "observability_retention_days",
)


def _snapshot(row: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in fields}


def _name_taken(tx: Session, stmt: Select[Any]) -> bool:
    return tx.execute(stmt.limit(1)).first() is not None


def project_row(tx: Session, who: Principal, ref: str) -> ProjectRow:
    """The project `ref` (id or name) of who's organization; NotFound otherwise."""
    column = ProjectRow.id if looks_like_id(ref, "prj") else ProjectRow.name
    row = tx.execute(
        select(ProjectRow).where(column == ref, ProjectRow.organization_id == who.organization_id)
    ).scalar_one_or_none()
    if row is None:
        raise not_found("project", ref)
    return row


def create_project(
    tx: Session, who: Principal, body: schemas.ProjectCreate, default_rate_limit: int
) -> schemas.Project:
    """A project with the default environments. Conflict when the name is taken."""
    org = who.organization_id
    if _name_taken(
        tx,
        select(ProjectRow.id).where(
            ProjectRow.organization_id == org, ProjectRow.name == body.name
        ),
    ):
        raise Conflict(
            f"a project named '{body.name}' already exists",
            errors=[FieldError("body.name", "already used in this organization")],
        )
    now = utcnow()
    row = ProjectRow(
        id=new_id("prj"),
        organization_id=org,
        name=body.name,
        display_name=body.display_name or body.name,
        description=body.description,
        rate_limit_per_minute=body.rate_limit_per_minute or default_rate_limit,
        allow_private_network=body.allow_private_network,
        max_running_runs=tx.execute(
            select(OrganizationRow.default_max_running_runs).where(OrganizationRow.id == org)
        ).scalar_one_or_none(),
        observability_retention_days=body.observability_retention_days,
        create_time=now,
        update_time=now,
    )
    tx.add(row)
    tx.flush()
    after = _snapshot(row, PROJECT_FIELDS)
    audit.record(tx, who, "project.created", "project", row.id, audit.changes_between({}, after))
    events.emit(tx, who, "project.created", "project", row.id, {"id": row.id, **after})
    scoped = Principal(
        organization_id=org,
        project_id=row.id,
        environment_id=None,
        key_id=who.key_id,
        kind=who.kind,
        scopes=who.scopes,
        request_id=who.request_id,
        ip=who.ip,
    )
    for name in DEFAULT_ENVIRONMENTS:
        insert_environment(tx, scoped, schemas.EnvironmentCreate(name=name))
    return schemas.Project.model_validate(row)


def get_project(tx: Session, who: Principal, ref: str) -> schemas.Project:
    return schemas.Project.model_validate(project_row(tx, who, ref))


def list_projects(tx: Session, who: Principal, params: ListParams) -> Page[schemas.Project]:
    stmt = select(ProjectRow).where(ProjectRow.organization_id == who.organization_id)
    page = paginate(
        tx, stmt, PROJECT_FILTERS, params, id_column=ProjectRow.id, default_order="create_time"
    )
    return page.map(schemas.Project.model_validate)


def update_project(
    tx: Session, who: Principal, ref: str, body: schemas.ProjectUpdate
) -> schemas.Project:
    row = project_row(tx, who, ref)
    before = _snapshot(row, PROJECT_FIELDS)
    patch = body.model_dump(exclude_unset=True, exclude_none=True)
    if (
        "name" in patch
        and patch["name"] != row.name
        and _name_taken(
            tx,
            select(ProjectRow.id).where(
                ProjectRow.organization_id == who.organization_id, ProjectRow.name == patch["name"]
            ),
        )
    ):
        raise Conflict(
            f"a project named '{patch['name']}' already exists",
            errors=[FieldError("body.name", "already used in this organization")],
        )
    for name, value in patch.items():
        setattr(row, name, value)
    if "max_running_runs" in body.model_fields_set:  # null: back to the server's default
        row.max_running_runs = body.max_running_runs
    changes = audit.changes_between(before, _snapshot(row, PROJECT_FIELDS))
    if changes:
        row.update_time = utcnow()
        audit.record(tx, who, "project.updated", "project", row.id, changes)
        events.emit(
            tx, who, "project.updated", "project", row.id, {"id": row.id, "changes": changes}
        )
    tx.flush()
    return schemas.Project.model_validate(row)


def delete_project(tx: Session, who: Principal, ref: str) -> None:
    """Delete a project with its environments and keys (its audit chain stays)."""
    row = project_row(tx, who, ref)
    tx.execute(delete(ApiKeyRow).where(ApiKeyRow.project_id == row.id))
    tx.execute(delete(EnvironmentRow).where(EnvironmentRow.project_id == row.id))
    audit.record(
        tx, who, "project.deleted", "project", row.id, {"name": {"from": row.name, "to": None}}
    )
    events.emit(tx, who, "project.deleted", "project", row.id, {"id": row.id, "name": row.name})
    tx.delete(row)
