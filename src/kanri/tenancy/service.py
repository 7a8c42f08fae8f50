"""Business rules of organizations, projects, environments and API keys.

Write functions are commands for `Database.write`: they take the transaction first, do all
their reads-for-write and writes, audit and emit in the same transaction, and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from kanri.core import audit, events, keys
from kanri.core.auth import KeyRecord, Principal, ProjectRecord
from kanri.core.errors import Conflict, FieldError, Forbidden, ValidationFailed, not_found
from kanri.core.filtering import FilterField, FilterSpec
from kanri.core.ids import looks_like_id, new_id
from kanri.core.pagination import ListParams, Page, paginate
from kanri.core.permissions import ADMIN_ONLY_SECTIONS, covers, valid_scope
from kanri.core.scoping import scope_params, scoped, scoped_template
from kanri.core.time import utcnow
from kanri.db.prepared import Prepared
from kanri.tenancy import schemas
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
ENVIRONMENT_FILTERS = FilterSpec(
    {
        "id": FilterField(EnvironmentRow.id),
        "name": FilterField(EnvironmentRow.name),
        "create_time": FilterField(EnvironmentRow.create_time, "timestamp"),
        "update_time": FilterField(EnvironmentRow.update_time, "timestamp"),
    }
)
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


def _snapshot(row: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in fields}


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
    created = _insert_key(
        tx, who, None, "admin", "bootstrap admin key", ["*"], None, None, key_pepper
    )
    return schemas.Bootstrap(organization_id=org.id, admin_key=created.key)


def organization_count(tx: Session) -> int:
    return tx.execute(select(func.count()).select_from(OrganizationRow)).scalar_one()


def organization_by_name(tx: Session, name: str) -> schemas.Organization | None:
    row = tx.execute(
        select(OrganizationRow).where(OrganizationRow.name == name)
    ).scalar_one_or_none()
    return schemas.Organization.model_validate(row) if row else None


# ---------------------------------------------------------------- projects

PROJECT_FIELDS = (
    "name",
    "display_name",
    "description",
    "rate_limit_per_minute",
    "allow_private_network",
)


def _project_row(tx: Session, who: Principal, ref: str) -> ProjectRow:
    column = ProjectRow.id if looks_like_id(ref, "prj") else ProjectRow.name
    row = tx.execute(
        select(ProjectRow).where(column == ref, ProjectRow.organization_id == who.organization_id)
    ).scalar_one_or_none()
    if row is None:
        raise not_found("project", ref)
    return row


def _name_taken(tx: Session, stmt: Select[Any]) -> bool:
    return tx.execute(stmt.limit(1)).first() is not None


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
        create_time=now,
        update_time=now,
    )
    tx.add(row)
    tx.flush()
    after = _snapshot(row, PROJECT_FIELDS)
    audit.record(tx, who, "project.created", "project", row.id, audit.changes_between({}, after))
    events.emit(tx, who, "project.created", "project", row.id, {"id": row.id, **after})
    scoped = Principal(org, row.id, None, who.key_id, who.kind, who.scopes, who.request_id, who.ip)
    for name in DEFAULT_ENVIRONMENTS:
        _insert_environment(tx, scoped, schemas.EnvironmentCreate(name=name))
    return schemas.Project.model_validate(row)


def get_project(tx: Session, who: Principal, ref: str) -> schemas.Project:
    return schemas.Project.model_validate(_project_row(tx, who, ref))


def list_projects(tx: Session, who: Principal, params: ListParams) -> Page[schemas.Project]:
    stmt = select(ProjectRow).where(ProjectRow.organization_id == who.organization_id)
    page = paginate(
        tx, stmt, PROJECT_FILTERS, params, id_column=ProjectRow.id, default_order="create_time"
    )
    return page.map(schemas.Project.model_validate)


def update_project(
    tx: Session, who: Principal, ref: str, body: schemas.ProjectUpdate
) -> schemas.Project:
    row = _project_row(tx, who, ref)
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
    row = _project_row(tx, who, ref)
    tx.execute(delete(ApiKeyRow).where(ApiKeyRow.project_id == row.id))
    tx.execute(delete(EnvironmentRow).where(EnvironmentRow.project_id == row.id))
    audit.record(
        tx, who, "project.deleted", "project", row.id, {"name": {"from": row.name, "to": None}}
    )
    events.emit(tx, who, "project.deleted", "project", row.id, {"id": row.id, "name": row.name})
    tx.delete(row)


# ---------------------------------------------------------------- environments

ENVIRONMENT_FIELDS = ("name", "description")


def _scoped_environments(who: Principal) -> Select[EnvironmentRow]:
    return scoped(select(EnvironmentRow), who)


# Built once: an environment by id or by name, scoped to the caller's project.
_ENVIRONMENT_BY = {
    by_id: scoped_template(select(EnvironmentRow)).where(
        (EnvironmentRow.id if by_id else EnvironmentRow.name) == bindparam("ref")
    )
    for by_id in (True, False)
}


_ENVIRONMENT_READ = {by_id: Prepared(stmt) for by_id, stmt in _ENVIRONMENT_BY.items()}


def _environment_params(who: Principal, ref: str) -> tuple[Select[EnvironmentRow], dict[str, Any]]:
    return _ENVIRONMENT_BY[looks_like_id(ref, "env")], {**scope_params(who), "ref": ref}


def environment_row(tx: Session, who: Principal, ref: str) -> EnvironmentRow:
    """The environment `ref` (id or name) of who's project; NotFound otherwise."""
    stmt, params = _environment_params(who, ref)
    row = tx.execute(stmt, params).scalar_one_or_none()
    if row is None:
        raise not_found("environment", ref)
    return row


_INSERT_ENVIRONMENT = Prepared(insert(cast(Table, EnvironmentRow.__table__)))


def _insert_environment(
    tx: Session, who: Principal, body: schemas.EnvironmentCreate
) -> schemas.Environment:
    prepared, params = environment_lookup(who, body.name)
    if prepared.first(tx, params) is not None:
        raise Conflict(
            f"an environment named '{body.name}' already exists",
            errors=[FieldError("body.name", "already used in this project")],
        )
    now = utcnow()
    environment = schemas.Environment(
        id=new_id("env"),
        project_id=who.project(),
        name=body.name,
        description=body.description,
        create_time=now,
        update_time=now,
    )
    _INSERT_ENVIRONMENT.run(tx, environment.model_dump())
    after = {"name": body.name, "description": body.description}
    audit.record(
        tx,
        who,
        "environment.created",
        "environment",
        environment.id,
        audit.changes_between({}, after),
    )
    events.emit(
        tx,
        who,
        "environment.created",
        "environment",
        environment.id,
        {"id": environment.id, **after},
    )
    return environment


def create_environment(
    tx: Session, who: Principal, body: schemas.EnvironmentCreate
) -> schemas.Environment:
    return _insert_environment(tx, who, body)


def environment_lookup(who: Principal, ref: str) -> tuple[Prepared, dict[str, Any]]:
    """The prepared read of environment `ref` (id or name) in who's project, and its
    parameters, for `Database.read_one`; `environment_found` shapes its answer."""
    return _ENVIRONMENT_READ[looks_like_id(ref, "env")], {**scope_params(who), "ref": ref}


def environment_found(row: dict[str, Any] | None, ref: str) -> schemas.Environment:
    """The environment read by `environment_lookup`; NotFound when there was none."""
    if row is None:
        raise not_found("environment", ref)
    return schemas.Environment.model_validate(row)


def get_environment(tx: Session, who: Principal, ref: str) -> schemas.Environment:
    """One environment of who's project."""
    prepared, params = environment_lookup(who, ref)
    return environment_found(prepared.first(tx, params), ref)


def list_environments(tx: Session, who: Principal, params: ListParams) -> Page[schemas.Environment]:
    page = paginate(
        tx,
        _scoped_environments(who),
        ENVIRONMENT_FILTERS,
        params,
        id_column=EnvironmentRow.id,
        default_order="create_time",
    )
    return page.map(schemas.Environment.model_validate)


def update_environment(
    tx: Session, who: Principal, ref: str, body: schemas.EnvironmentUpdate
) -> schemas.Environment:
    row = environment_row(tx, who, ref)
    before = _snapshot(row, ENVIRONMENT_FIELDS)
    patch = body.model_dump(exclude_unset=True, exclude_none=True)
    if (
        "name" in patch
        and patch["name"] != row.name
        and _name_taken(tx, _scoped_environments(who).where(EnvironmentRow.name == patch["name"]))
    ):
        raise Conflict(
            f"an environment named '{patch['name']}' already exists",
            errors=[FieldError("body.name", "already used in this project")],
        )
    for name, value in patch.items():
        setattr(row, name, value)
    changes = audit.changes_between(before, _snapshot(row, ENVIRONMENT_FIELDS))
    if changes:
        row.update_time = utcnow()
        audit.record(tx, who, "environment.updated", "environment", row.id, changes)
        events.emit(
            tx,
            who,
            "environment.updated",
            "environment",
            row.id,
            {"id": row.id, "changes": changes},
        )
    tx.flush()
    return schemas.Environment.model_validate(row)


def delete_environment(tx: Session, who: Principal, ref: str) -> None:
    """Delete an environment; Conflict while keys default to it or when it is the last one."""
    row = environment_row(tx, who, ref)
    in_use = tx.execute(
        select(func.count()).where(
            ApiKeyRow.environment_id == row.id, ApiKeyRow.revoked_at.is_(None)
        )
    ).scalar_one()
    if in_use:
        raise Conflict(
            f"environment '{row.name}' is the default environment of {in_use} API key(s); "
            "revoke them or create keys for another environment first"
        )
    remaining = tx.execute(
        select(func.count()).where(EnvironmentRow.project_id == row.project_id)
    ).scalar_one()
    if remaining <= 1:
        raise Conflict("a project keeps at least one environment")
    tx.execute(
        update(ApiKeyRow).where(ApiKeyRow.environment_id == row.id).values(environment_id=None)
    )
    audit.record(
        tx,
        who,
        "environment.deleted",
        "environment",
        row.id,
        {"name": {"from": row.name, "to": None}},
    )
    events.emit(
        tx, who, "environment.deleted", "environment", row.id, {"id": row.id, "name": row.name}
    )
    tx.delete(row)


# ---------------------------------------------------------------- API keys


@dataclass(frozen=True)
class _NewKey:
    row: ApiKeyRow
    key: str


def _insert_key(
    tx: Session,
    who: Principal,
    project_id: str | None,
    kind: keys.KeyKind,
    name: str,
    scopes: list[str],
    environment_id: str | None,
    expires_at: Any,
    key_pepper: bytes,
) -> _NewKey:
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
    return _NewKey(row, full)


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
        project = _project_row(tx, who, project_ref)
        who = Principal(
            who.organization_id,
            project.id,
            None,
            who.key_id,
            who.kind,
            who.scopes,
            who.request_id,
            who.ip,
        )
    scopes = _checked_scopes(who, body)
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
    created = _insert_key(
        tx,
        who,
        who.project(),
        body.kind,
        body.name,
        scopes,
        environment.id,
        body.expires_at,
        key_pepper,
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
    project_id = _project_row(tx, who, project_ref).id if project_ref else who.project()
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
    created = _insert_key(
        tx,
        who,
        old.project_id,
        cast(keys.KeyKind, old.kind),
        old.name,
        list(old.scopes),
        old.environment_id,
        old.expires_at,
        key_pepper,
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
            ).where(ApiKeyRow.key_hash == key_hash)
        ).first()
        if row is None:
            return None
        return KeyRecord(
            row.id,
            row.kind,
            row.organization_id,
            row.project_id,
            row.environment_id,
            frozenset(row.scopes),
            row.expires_at,
            row.revoked_at,
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


def list_organizations(tx: Session) -> list[schemas.Organization]:
    rows = tx.execute(select(OrganizationRow).order_by(OrganizationRow.create_time)).scalars()
    return [schemas.Organization.model_validate(r) for r in rows]
