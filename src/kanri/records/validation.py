"""Whether the values of a record write fit its object's fields: one FieldError per
offending field, defaults and required fields applied, relations naming live records."""

from __future__ import annotations

from typing import Any, Literal, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from kanri.core.auth import Principal
from kanri.core.errors import FieldError
from kanri.core.scoping import scoped
from kanri.records import fields as types
from kanri.records.definitions import ObjectContext
from kanri.records.fields import Invalid
from kanri.records.models import RecordRow

Mode = Literal["create", "replace", "patch"]


def validate(
    ctx: ObjectContext,
    given: dict[str, Any],
    current: dict[str, Any] | None,
    mode: Mode,
    prefix: str,
) -> tuple[dict[str, Any], list[FieldError]]:
    """The stored values (field id → value) of a write, and one error per offending field."""
    errors: list[FieldError] = []
    stored: dict[str, Any] = {}
    validators = types.TYPES
    if mode == "patch" and current is not None:
        stored = {k: v for k, v in current.items() if k in ctx.by_id}
    for slug, value in given.items():
        definition = ctx.by_slug.get(slug)
        if definition is None:
            errors.append(
                FieldError(
                    f"{prefix}{slug}",
                    f"object '{ctx.obj.slug}' has no field '{slug}'",
                    "unknown_field",
                )
            )
            continue
        if value is None:
            stored.pop(definition.id, None)
            continue
        try:
            stored[definition.id] = validators[definition.type](definition, value)
        except Invalid as exc:
            errors.append(FieldError(f"{prefix}{slug}", exc.message, exc.code))
    if not errors and len(stored) == len(ctx.fields):
        return stored, errors  # every field has a value: no default or requirement applies
    failed = {e.field for e in errors}
    for definition in ctx.fields:
        if definition.id in stored or f"{prefix}{definition.slug}" in failed:
            continue
        if mode == "create" and definition.default is not None:
            stored[definition.id] = definition.default["value"]
        elif definition.required:
            errors.append(
                FieldError(f"{prefix}{definition.slug}", "a value is required", "required")
            )
    return stored, errors


def check_related(
    tx: Session, who: Principal, ctx: ObjectContext, items: list[tuple[str, dict[str, Any]]]
) -> dict[int, list[FieldError]]:
    """Errors (by item index) for relation values naming no live record of the related object."""
    if not any(definition.type == "relation" for definition in ctx.fields):
        return {}
    wanted: dict[str, set[str]] = {}
    for _, stored in items:
        for definition in ctx.fields:
            value = stored.get(definition.id)
            if definition.type == "relation" and value is not None:
                related = value if isinstance(value, list) else [value]
                wanted.setdefault(cast(str, definition.relation_object_id), set()).update(related)
    found: dict[str, set[str]] = {}
    for object_id, ids in wanted.items():
        found[object_id] = set(
            tx.execute(
                scoped(select(RecordRow.id), who).where(
                    RecordRow.object_id == object_id,
                    RecordRow.id.in_(sorted(ids)),
                    RecordRow.deleted_time.is_(None),
                )
            ).scalars()
        )
    errors: dict[int, list[FieldError]] = {}
    for index, (prefix, stored) in enumerate(items):
        for definition in ctx.fields:
            value = stored.get(definition.id)
            if definition.type != "relation" or value is None:
                continue
            known = found.get(cast(str, definition.relation_object_id), set())
            missing = [i for i in (value if isinstance(value, list) else [value]) if i not in known]
            if missing:
                errors.setdefault(index, []).append(
                    FieldError(
                        f"{prefix}{definition.slug}",
                        f"no record {', '.join(missing)} in the related object",
                        "not_found",
                    )
                )
    return errors
