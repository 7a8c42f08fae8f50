"""Business rules of environments: the named stages of a project (production, development,
...) that keys default to.

Write functions are commands for `Database.write`: they take the transaction first, do all
their reads-for-write and writes, audit and emit in the same transaction, and never commit.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Select, Table, func, insert, select, update
from sqlalchemy.orm import Session

from kanri.core import audit, events
from kanri.core.auth import Principal
from kanri.core.errors import Conflict, FieldError, not_found
from kanri.core.filtering import FilterField, FilterSpec
from kanri.core.ids import new_id
from kanri.core.pagination import ListParams, Page, paginate
from kanri.core.scoping import PreparedByRef, by_ref, scope_params, scoped, scoped_template
from kanri.core.time import utcnow
from kanri.db.prepared import Prepared
from kanri.tenancy import schemas
from kanri.tenancy.models import ApiKeyRow, EnvironmentRow

ENVIRONMENT_FILTERS = FilterSpec(
    {
        "id": FilterField(EnvironmentRow.id),
        "name": FilterField(EnvironmentRow.name),
        "create_time": FilterField(EnvironmentRow.create_time, "timestamp"),
        "update_time": FilterField(EnvironmentRow.update_time, "timestamp"),
    }
)

ENVIRONMENT_FIELDS = ("name", "description")


def _snapshot(row: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in fields}


def _name_taken(tx: Session, stmt: Select[Any]) -> bool:
    return tx.execute(stmt.limit(1)).first() is not None


def _scoped_environments(who: Principal) -> Select[EnvironmentRow]:
    return scoped(select(EnvironmentRow), who)


# Built once: an environment by id or by name, scoped to the caller's project (read on
# every environment request and before every new one).
_ENVIRONMENT_READ = PreparedByRef(
    scoped_template(select(EnvironmentRow)),
    prefix="env",
    id_column=EnvironmentRow.id,
    name_column=EnvironmentRow.name,
)


def environment_row(tx: Session, who: Principal, ref: str) -> EnvironmentRow:
    """The environment `ref` (id or name) of who's project; NotFound otherwise."""
    return by_ref(
        tx,
        EnvironmentRow,
        ref,
        who,
        prefix="env",
        name_column=EnvironmentRow.name,
        noun="environment",
    )


_INSERT_ENVIRONMENT = Prepared(insert(cast(Table, EnvironmentRow.__table__)))


def insert_environment(
    tx: Session, who: Principal, body: schemas.EnvironmentCreate
) -> schemas.Environment:
    """A new environment of who's project, audited and emitted; Conflict when the name is taken."""
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
    return insert_environment(tx, who, body)


def environment_lookup(who: Principal, ref: str) -> tuple[Prepared, dict[str, Any]]:
    """The prepared read of environment `ref` (id or name) in who's project, and its
    parameters, for `Database.read_one`; `environment_found` shapes its answer."""
    return _ENVIRONMENT_READ.lookup(ref, scope_params(who))


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
    remaining = tx.execute(scoped(select(func.count(EnvironmentRow.id)), who)).scalar_one()
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
