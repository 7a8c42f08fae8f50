"""Business rules of automations: drafts, validation, publishing, versions, rollback."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from kanri.automations import schemas
from kanri.automations.models import AutomationRow, AutomationVersionRow
from kanri.automations.validation import validate_definition
from kanri.core import audit, events, ownership, versioning
from kanri.core.auth import Principal
from kanri.core.errors import Conflict, FieldError, ValidationFailed, not_found
from kanri.core.filtering import FilterField, FilterSpec
from kanri.core.ids import new_id
from kanri.core.pagination import ListParams, Page, paginate
from kanri.core.scoping import by_ref, scoped
from kanri.core.time import utcnow
from kanri.secrets import service as secrets

AUTOMATION_FILTERS = FilterSpec(
    {
        "id": FilterField(AutomationRow.id),
        "name": FilterField(AutomationRow.name),
        "published_version": FilterField(AutomationRow.published_version, "integer"),
        "labels": FilterField(AutomationRow.labels, "map"),
        "create_time": FilterField(AutomationRow.create_time, "timestamp"),
        "update_time": FilterField(AutomationRow.update_time, "timestamp"),
    }
)
FIELDS = ("name", "description", "definition", "labels")


def _scoped(who: Principal) -> Select[AutomationRow]:
    return scoped(select(AutomationRow), who)


def automation_row(tx: Session, who: Principal, ref: str) -> AutomationRow:
    """The automation `ref` (id or name) of who's project; NotFound otherwise."""
    return by_ref(
        tx, AutomationRow, ref, who, prefix="aut", name_column=AutomationRow.name, noun="automation"
    )


def _name_free(tx: Session, who: Principal, name: str) -> None:
    if tx.execute(_scoped(who).where(AutomationRow.name == name)).first() is not None:
        raise Conflict(
            f"an automation named '{name}' already exists",
            errors=[FieldError("body.name", "already used in this project")],
        )


# The fields of each step kind that name another resource of the project (an id or a name).
REFERENCE_FIELDS: dict[str, tuple[str, ...]] = {
    "automation": ("automation",),
    "agent": ("agent",),
    "llm": ("provider",),
    "knowledge.search": ("namespaces",),
    "knowledge.ingest": ("namespace_id",),
    "records.create": ("object",),
    "records.update": ("object",),
    "records.get": ("object",),
    "records.query": ("object",),
    "records.delete": ("object",),
}


def check_references(
    tx: Session, who: Principal, definition: schemas.Definition, where: str = "body.definition"
) -> None:
    """422 naming each step field whose id names no resource of the caller's project (an id
    of another project's automation, agent, provider, namespace or object)."""
    refs: list[tuple[str, str]] = []
    for index, step in enumerate(definition.steps):
        for name in REFERENCE_FIELDS.get(str(step.get("kind")), ()):
            value = step.get(name)
            values = value if isinstance(value, list) else [value]
            refs += [
                (f"{where}.steps.{index}.{name}" + (f".{i}" if isinstance(value, list) else ""), v)
                for i, v in enumerate(values)
                if isinstance(v, str)
            ]
    if errors := ownership.outside(tx, who.project(), refs):
        raise ValidationFailed(f"invalid definition: {errors[0].message}", errors=errors)


def create(tx: Session, who: Principal, body: schemas.AutomationCreate) -> schemas.Automation:
    """A new automation with a validated draft (nothing published yet)."""
    validate_definition(body.definition)
    check_references(tx, who, body.definition)
    _name_free(tx, who, body.name)
    now = utcnow()
    row = AutomationRow(
        id=new_id("aut"),
        project_id=who.project(),
        name=body.name,
        description=body.description,
        definition=body.definition.model_dump(exclude_none=True),
        published_version=None,
        latest_version=0,
        labels=body.labels,
        create_time=now,
        update_time=now,
    )
    tx.add(row)
    tx.flush()
    audit.record(tx, who, "automation.created", "automation", row.id, {"name": {"to": row.name}})
    events.emit(
        tx, who, "automation.created", "automation", row.id, {"id": row.id, "name": row.name}
    )
    return schemas.Automation.model_validate(row)


def get(tx: Session, who: Principal, ref: str) -> schemas.Automation:
    return schemas.Automation.model_validate(automation_row(tx, who, ref))


def list_automations(tx: Session, who: Principal, params: ListParams) -> Page[schemas.Automation]:
    page = paginate(
        tx,
        _scoped(who),
        AUTOMATION_FILTERS,
        params,
        id_column=AutomationRow.id,
        default_order="create_time",
    )
    return page.map(schemas.Automation.model_validate)


def update(
    tx: Session, who: Principal, ref: str, body: schemas.AutomationUpdate
) -> schemas.Automation:
    """Change the draft (published versions never change)."""
    row = automation_row(tx, who, ref)
    before = {name: getattr(row, name) for name in FIELDS}
    if body.definition is not None:
        validate_definition(body.definition)
        check_references(tx, who, body.definition)
        row.definition = body.definition.model_dump(exclude_none=True)
    if body.name is not None and body.name != row.name:
        _name_free(tx, who, body.name)
        row.name = body.name
    if body.description is not None:
        row.description = body.description
    if body.labels is not None:
        row.labels = body.labels
    changes = audit.changes_between(before, {name: getattr(row, name) for name in FIELDS})
    if changes:
        row.update_time = utcnow()
        summary = {k: v for k, v in changes.items() if k != "definition"}
        if "definition" in changes:
            summary["definition"] = {"changed": True}
        audit.record(tx, who, "automation.updated", "automation", row.id, summary)
        events.emit(tx, who, "automation.updated", "automation", row.id, {"id": row.id})
    tx.flush()
    return schemas.Automation.model_validate(row)


def delete(tx: Session, who: Principal, ref: str) -> None:
    row = automation_row(tx, who, ref)
    audit.record(tx, who, "automation.deleted", "automation", row.id, {"name": {"from": row.name}})
    events.emit(tx, who, "automation.deleted", "automation", row.id, {"id": row.id})
    tx.delete(row)


def publish(tx: Session, who: Principal, ref: str) -> schemas.AutomationVersion:
    """Freeze the draft as version N+1 and make it the published version."""
    row = automation_row(tx, who, ref)
    draft = schemas.Definition.model_validate(row.definition)
    validate_definition(draft)
    check_references(tx, who, draft)
    if unknown := secrets.unknown_secrets(tx, who, draft.steps, "definition"):
        raise ValidationFailed(f"invalid definition: {unknown[0].message}", errors=unknown)
    version = AutomationVersionRow(
        id=new_id("auv"),
        automation_id=row.id,
        version=row.latest_version + 1,
        definition=row.definition,
        created_by=who.actor["id"],
        create_time=utcnow(),
    )
    tx.add(version)
    before = row.published_version
    row.latest_version = version.version
    row.published_version = version.version
    row.update_time = version.create_time
    tx.flush()
    audit.record(
        tx,
        who,
        "automation.published",
        "automation",
        row.id,
        {"published_version": {"from": before, "to": version.version}},
    )
    events.emit(
        tx,
        who,
        "automation.published",
        "automation",
        row.id,
        {"id": row.id, "version": version.version},
    )
    return _version(version, row)


def _version(version: AutomationVersionRow, row: AutomationRow) -> schemas.AutomationVersion:
    out = schemas.AutomationVersion.model_validate(version)
    out.published = version.version == row.published_version
    return out


def _version_row(tx: Session, row: AutomationRow, number: int) -> AutomationVersionRow:
    return versioning.find(
        tx, AutomationVersionRow, AutomationVersionRow.automation_id, row.id, number
    )


def versions(tx: Session, who: Principal, ref: str) -> list[schemas.AutomationVersion]:
    row = automation_row(tx, who, ref)
    found = versioning.newest_first(
        tx, AutomationVersionRow, AutomationVersionRow.automation_id, row.id
    )
    return [_version(v, row) for v in found]


def version(tx: Session, who: Principal, ref: str, number: int) -> schemas.AutomationVersion:
    row = automation_row(tx, who, ref)
    return _version(_version_row(tx, row, number), row)


def rollback(tx: Session, who: Principal, ref: str, body: schemas.Rollback) -> schemas.Automation:
    """Make an earlier version the published one again."""
    row = automation_row(tx, who, ref)
    _version_row(tx, row, body.version)
    versioning.republish(tx, who, row, "automation", body.version)
    return schemas.Automation.model_validate(row)


def published_definition(tx: Session, row: AutomationRow) -> dict[str, Any]:
    """The definition of `row`'s published version (its draft when none is published)."""
    if row.published_version is None:
        return dict(row.definition)
    return dict(_version_row(tx, row, row.published_version).definition)


def definition_for_run(
    tx: Session, who: Principal, ref: str, wanted: int | str | None
) -> tuple[str, int | None, dict[str, Any]]:
    """The automation's id, the version number (None: draft) and the definition a new run
    pins."""
    if wanted is None:  # the published version: one read, as every trigger asks for it
        found = _PUBLISHED.first(tx, who, ref)
        if found is None:
            raise not_found("automation", ref)
        if found["published_version"] is None:
            raise _unpublished(found["name"])
        if found["definition"] is None:
            raise not_found("version", str(found["published_version"]))
        return found["id"], found["published_version"], found["definition"]
    row = automation_row(tx, who, ref)
    if wanted == "draft":
        return row.id, None, row.definition
    assert isinstance(wanted, int)
    return row.id, wanted, _version_row(tx, row, wanted).definition


def _unpublished(name: str) -> Conflict:
    return Conflict(
        f"automation '{name}' has no published version: publish it, "
        'or run the draft with {"version": "draft"}'
    )


_PUBLISHED = versioning.PublishedRead(
    AutomationRow,
    AutomationVersionRow,
    AutomationVersionRow.automation_id,
    AutomationVersionRow.definition,
    prefix="aut",
)
