"""Business rules of secrets and variables: per environment of a project, secrets encrypted
at rest (`core/secrets.py`) in numbered versions, never shown; what runs read of them (the
engine's `Secrets` port) and the publish-time check of the names templates read."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy import delete as sql_delete
from sqlalchemy.orm import Session

from kanri.core import audit, events
from kanri.core.auth import Principal
from kanri.core.errors import BadRequest, Conflict, FieldError, ValidationFailed, not_found
from kanri.core.filtering import FilterField, FilterSpec
from kanri.core.ids import new_id
from kanri.core.pagination import ListParams, Page, paginate
from kanri.core.scoping import scoped
from kanri.core.secrets import SecretBox, box
from kanri.core.time import utcnow
from kanri.engine import templates
from kanri.engine.ports import NamedValues
from kanri.engine.registry import kinds
from kanri.secrets import schemas
from kanri.secrets.models import SecretRow, SecretVersionRow, VariableRow

PURPOSE = "automation-secret"  # the HKDF label of the secrets' box
MAX_PER_ENVIRONMENT = 1000
SECRET_FILTERS = FilterSpec(
    {
        "id": FilterField(SecretRow.id),
        "name": FilterField(SecretRow.name),
        "version": FilterField(SecretRow.version, "integer"),
        "last_used_time": FilterField(SecretRow.last_used_time, "timestamp"),
        "create_time": FilterField(SecretRow.create_time, "timestamp"),
        "update_time": FilterField(SecretRow.update_time, "timestamp"),
    }
)
VARIABLE_FILTERS = FilterSpec(
    {
        "id": FilterField(VariableRow.id),
        "name": FilterField(VariableRow.name),
        "create_time": FilterField(VariableRow.create_time, "timestamp"),
        "update_time": FilterField(VariableRow.update_time, "timestamp"),
    }
)


def secret_box(master_secret: bytes) -> SecretBox:
    return box(master_secret, PURPOSE)


def _environment(who: Principal) -> str:
    who.project()
    if who.environment_id is None:
        raise BadRequest("secrets and variables live in an environment: create one first")
    return who.environment_id


def _secrets(who: Principal) -> Select[SecretRow]:
    return scoped(select(SecretRow), who, environment=True)


def _variables(who: Principal) -> Select[VariableRow]:
    return scoped(select(VariableRow), who, environment=True)


def _count(tx: Session, stmt: Select[Any]) -> int:
    return int(tx.execute(select(func.count()).select_from(stmt.subquery())).scalar_one())


def _secret(tx: Session, who: Principal, name: str) -> SecretRow | None:
    _environment(who)
    return tx.execute(_secrets(who).where(SecretRow.name == name)).scalar_one_or_none()


def _event(tx: Session, who: Principal, event_type: str, kind: str, row: Any, **data: Any) -> None:
    payload = {"id": row.id, "name": row.name, "environment_id": row.environment_id, **data}
    events.emit(tx, who, event_type, kind, row.id, payload)


# --------------------------------------------------------------------------------- secrets


def put_secret(
    tx: Session, who: Principal, name: str, body: schemas.SecretPut, secrets: SecretBox
) -> schemas.Secret:
    """Create the secret `name` of who's environment, or give it a new version (runs'
    steps that start from now on read it). The value is stored encrypted only.

    ValidationFailed for a value over 64 KiB; Conflict past MAX_PER_ENVIRONMENT secrets.
    """
    environment = _environment(who)
    if len(body.value.encode()) > schemas.MAX_VALUE_BYTES:
        message = f"at most {schemas.MAX_VALUE_BYTES:,} bytes as UTF-8"
        raise ValidationFailed(message, errors=[FieldError("body.value", message)])
    now = utcnow()
    row = _secret(tx, who, name)
    if row is None:
        if _count(tx, _secrets(who)) >= MAX_PER_ENVIRONMENT:
            raise Conflict(f"an environment may have at most {MAX_PER_ENVIRONMENT} secrets")
        row = SecretRow(
            id=new_id("sec"),
            project_id=who.project(),
            environment_id=environment,
            name=name,
            description=body.description or "",
            version=1,
            last_used_time=None,
            create_time=now,
            update_time=now,
        )
        tx.add(row)
        action = "secret.created"
    else:
        row.version += 1
        if body.description is not None:
            row.description = body.description
        row.update_time = now
        action = "secret.updated"
    tx.add(
        SecretVersionRow(
            id=new_id("scv"),
            secret_id=row.id,
            version=row.version,
            value_encrypted=secrets.encrypt(body.value),
            create_time=now,
        )
    )
    tx.flush()
    changes = {"name": {"to": name}, "version": {"to": row.version}}  # never the value
    audit.record(tx, who, action, "secret", row.id, changes)
    _event(tx, who, action, "secret", row, version=row.version)
    return schemas.Secret.model_validate(row)


def get_secret(tx: Session, who: Principal, name: str) -> schemas.Secret:
    row = _secret(tx, who, name)
    if row is None:
        raise not_found("secret", name)
    return schemas.Secret.model_validate(row)


def list_secrets(tx: Session, who: Principal, params: ListParams) -> Page[schemas.Secret]:
    _environment(who)
    page = paginate(
        tx, _secrets(who), SECRET_FILTERS, params, id_column=SecretRow.id, default_order="name"
    )
    return page.map(schemas.Secret.model_validate)


def delete_secret(tx: Session, who: Principal, name: str) -> None:
    """Delete the secret and all its versions; runs that read it from now on fail."""
    row = _secret(tx, who, name)
    if row is None:
        raise not_found("secret", name)
    audit.record(tx, who, "secret.deleted", "secret", row.id, {"name": {"from": name}})
    _event(tx, who, "secret.deleted", "secret", row)
    tx.execute(sql_delete(SecretVersionRow).where(SecretVersionRow.secret_id == row.id))
    tx.delete(row)


# ------------------------------------------------------------------------------- variables


def _variable(tx: Session, who: Principal, name: str) -> VariableRow | None:
    _environment(who)
    return tx.execute(_variables(who).where(VariableRow.name == name)).scalar_one_or_none()


def put_variable(
    tx: Session, who: Principal, name: str, body: schemas.VariablePut
) -> schemas.Variable:
    """Create or replace the variable `name` of who's environment.

    ValidationFailed for a value over 64 KiB as JSON; Conflict past MAX_PER_ENVIRONMENT.
    """
    environment = _environment(who)
    if len(json.dumps(body.value, separators=(",", ":")).encode()) > schemas.MAX_VALUE_BYTES:
        message = f"at most {schemas.MAX_VALUE_BYTES:,} bytes as JSON"
        raise ValidationFailed(message, errors=[FieldError("body.value", message)])
    now = utcnow()
    row = _variable(tx, who, name)
    if row is None:
        if _count(tx, _variables(who)) >= MAX_PER_ENVIRONMENT:
            raise Conflict(f"an environment may have at most {MAX_PER_ENVIRONMENT} variables")
        row = VariableRow(
            id=new_id("var"),
            project_id=who.project(),
            environment_id=environment,
            name=name,
            description=body.description or "",
            value=body.value,
            create_time=now,
            update_time=now,
        )
        tx.add(row)
        action, changes = "variable.created", {"value": {"to": body.value}}
    else:
        changes = audit.changes_between({"value": row.value}, {"value": body.value})
        row.value = body.value
        if body.description is not None:
            row.description = body.description
        row.update_time = now
        action = "variable.updated"
    tx.flush()
    audit.record(tx, who, action, "variable", row.id, {"name": {"to": name}, **changes})
    _event(tx, who, action, "variable", row)
    return schemas.Variable.model_validate(row)


def get_variable(tx: Session, who: Principal, name: str) -> schemas.Variable:
    row = _variable(tx, who, name)
    if row is None:
        raise not_found("variable", name)
    return schemas.Variable.model_validate(row)


def list_variables(tx: Session, who: Principal, params: ListParams) -> Page[schemas.Variable]:
    _environment(who)
    page = paginate(
        tx,
        _variables(who),
        VARIABLE_FILTERS,
        params,
        id_column=VariableRow.id,
        default_order="name",
    )
    return page.map(schemas.Variable.model_validate)


def delete_variable(tx: Session, who: Principal, name: str) -> None:
    row = _variable(tx, who, name)
    if row is None:
        raise not_found("variable", name)
    audit.record(tx, who, "variable.deleted", "variable", row.id, {"name": {"from": name}})
    _event(tx, who, "variable.deleted", "variable", row)
    tx.delete(row)


# ------------------------------------------------------------- the engine's `Secrets` port


def read_named(
    tx: Session,
    master_secret: bytes,
    project_id: str,
    environment_id: str | None,
    secrets: set[str] | None,
    variables: set[str] | None,
) -> NamedValues:
    """The environment's current secret values and variables of these names (None: all);
    marks the secrets read as used now."""
    if environment_id is None:
        return NamedValues()
    found: dict[str, tuple[str, int]] = {}
    if secrets is None or secrets:
        stmt = (
            select(
                SecretRow.id, SecretRow.name, SecretRow.version, SecretVersionRow.value_encrypted
            )
            .join(
                SecretVersionRow,
                (SecretVersionRow.secret_id == SecretRow.id)
                & (SecretVersionRow.version == SecretRow.version),
            )
            .where(SecretRow.project_id == project_id, SecretRow.environment_id == environment_id)
        )
        if secrets is not None:
            stmt = stmt.where(SecretRow.name.in_(sorted(secrets)))
        rows = tx.execute(stmt).all()
        opener = secret_box(master_secret)
        found = {row.name: (opener.decrypt(row.value_encrypted), row.version) for row in rows}
        if rows:
            tx.execute(
                update(SecretRow)
                .where(SecretRow.id.in_([row.id for row in rows]))
                .values(last_used_time=utcnow())
            )
    values: dict[str, Any] = {}
    if variables is None or variables:
        query = select(VariableRow.name, VariableRow.value).where(
            VariableRow.project_id == project_id, VariableRow.environment_id == environment_id
        )
        if variables is not None:
            query = query.where(VariableRow.name.in_(sorted(variables)))
        values = {row.name: row.value for row in tx.execute(query)}
    return NamedValues(secrets=found, variables=values)


# ----------------------------------------------------------------- checks at publish time


def unknown_secrets(
    tx: Session, who: Principal, steps: list[dict[str, Any]], where: str
) -> list[FieldError]:
    """One error per step field whose template reads, by a literal name, a secret that no
    environment of who's project has (a computed name is checked when the step runs)."""
    references: list[tuple[str, str, str]] = []
    known = kinds()
    for index, step in enumerate(steps):
        kind = known.get(str(step.get("kind")))
        raw = kind.config.raw_fields if kind is not None else frozenset()
        scanned = {  # raw expressions (a condition's `if`) are read as expressions
            key: f"{{{{ {value} }}}}"
            if key in raw and isinstance(value, str) and "{{" not in value
            else value
            for key, value in step.items()
        }
        found, _ = templates.referenced_names(scanned, "secrets", f"{where}.steps.{index}")
        references += [(at, name, str(step.get("id"))) for at, name in found]
    if not references:
        return []
    names = {name for _, name, _ in references}
    existing = set(
        tx.execute(
            select(SecretRow.name).where(
                SecretRow.project_id == who.project(), SecretRow.name.in_(sorted(names))
            )
        ).scalars()
    )
    message = "step '{}' reads secret '{}', which no environment of the project has"
    return [
        FieldError(at, message.format(step_id, name), "unknown_secret")
        for at, name, step_id in references
        if name not in existing
    ]


# ------------------------------------------------ references by name from other features


def known_names(tx: Session, project_id: str, names: set[str]) -> set[str]:
    """Those of `names` that some environment of the project has as a secret (what a
    provider or webhook endpoint that names a secret is checked against when saved)."""
    if not names:
        return set()
    return set(
        tx.execute(
            select(SecretRow.name).where(
                SecretRow.project_id == project_id, SecretRow.name.in_(sorted(names))
            )
        ).scalars()
    )


def read_one(
    tx: Session, master_secret: bytes, project_id: str, environment_id: str | None, name: str
) -> str:
    """The current value of the environment's secret `name`, for a feature that holds the
    name instead of a value. Only reads (callers may be in a read transaction), so the
    secret's `last_used_time` is left as it is. LookupError naming the secret when the
    environment has no such secret (or there is no environment)."""
    encrypted = None
    if environment_id is not None:
        encrypted = tx.execute(
            select(SecretVersionRow.value_encrypted)
            .join(
                SecretRow,
                (SecretVersionRow.secret_id == SecretRow.id)
                & (SecretVersionRow.version == SecretRow.version),
            )
            .where(
                SecretRow.project_id == project_id,
                SecretRow.environment_id == environment_id,
                SecretRow.name == name,
            )
        ).scalar_one_or_none()
    if encrypted is None:
        raise LookupError(f"secret '{name}' does not exist in the environment")
    return secret_box(master_secret).decrypt(encrypted)
