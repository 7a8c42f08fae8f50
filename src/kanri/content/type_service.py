"""Business rules of content types and of a project's locales."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kanri.content import fields as content_fields
from kanri.content import schemas
from kanri.content.models import ContentEntryRow, ContentLocalesRow, ContentTypeRow
from kanri.core import audit
from kanri.core.auth import Principal
from kanri.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from kanri.core.filtering import FilterField, FilterSpec
from kanri.core.ids import new_id
from kanri.core.pagination import ListParams, Page, paginate
from kanri.core.scoping import by_ref, scoped
from kanri.core.time import utcnow

TYPE_FILTERS = FilterSpec(
    {
        "id": FilterField(ContentTypeRow.id),
        "slug": FilterField(ContentTypeRow.slug),
        "name": FilterField(ContentTypeRow.name),
        "create_time": FilterField(ContentTypeRow.create_time, "timestamp"),
        "update_time": FilterField(ContentTypeRow.update_time, "timestamp"),
    }
)
DEFAULT_LOCALE = "en"


def type_row(tx: Session, who: Principal, ref: str) -> ContentTypeRow:
    """The content type `ref` (id or slug) of who's project and environment; NotFound."""
    return by_ref(
        tx,
        ContentTypeRow,
        ref,
        who,
        prefix="ctt",
        noun="content type",
        name_column=ContentTypeRow.slug,
        environment=True,
    )


def type_named(tx: Session, who: Principal, ref: str, field: str) -> ContentTypeRow:
    """The content type a request body names; 422 on `field` when there is none."""
    try:
        return type_row(tx, who, ref)
    except NotFound:
        raise ValidationFailed(
            f"no content type '{ref}'",
            errors=[FieldError(field, "no content type of that slug or id", "unknown_type")],
        ) from None


def type_schema(row: ContentTypeRow) -> schemas.ContentType:
    return schemas.ContentType.model_validate(row)


def _definitions(body_fields: list[schemas.ContentField]) -> list[dict[str, Any]]:
    definitions = [f.model_dump() for f in body_fields]
    errors = content_fields.check_definitions(definitions)
    if errors:
        raise ValidationFailed("the fields are not valid", errors=errors)
    return definitions


def _slug_free(tx: Session, who: Principal, slug: str) -> None:
    stmt = scoped(select(ContentTypeRow.id), who, environment=True)
    found = tx.execute(stmt.where(ContentTypeRow.slug == slug)).scalar_one_or_none()
    if found is not None:
        raise Conflict(
            f"a content type with slug '{slug}' already exists",
            errors=[FieldError("body.slug", "already used in this environment", "taken")],
            conflicting_id=found,
        )


def create_type(tx: Session, who: Principal, body: schemas.TypeCreate) -> schemas.ContentType:
    """A new content type; 409 when the slug is taken, 422 for invalid fields."""
    definitions = _definitions(body.fields)
    _slug_free(tx, who, body.slug)
    now = utcnow()
    row = ContentTypeRow(
        id=new_id("ctt"),
        project_id=who.project(),
        environment_id=who.environment_id,
        slug=body.slug,
        name=body.name,
        description=body.description,
        fields=definitions,
        create_time=now,
        update_time=now,
    )
    tx.add(row)
    tx.flush()
    audit.record(
        tx,
        who,
        "content.type.created",
        "content_type",
        row.id,
        {"slug": {"to": row.slug}, "fields": {"to": [f["name"] for f in definitions]}},
    )
    return type_schema(row)


def get_type(tx: Session, who: Principal, ref: str) -> schemas.ContentType:
    return type_schema(type_row(tx, who, ref))


def list_types(tx: Session, who: Principal, params: ListParams) -> Page[schemas.ContentType]:
    page = paginate(
        tx,
        scoped(select(ContentTypeRow), who, environment=True),
        TYPE_FILTERS,
        params,
        id_column=ContentTypeRow.id,
        default_order="create_time",
    )
    return page.map(type_schema)


def update_type(
    tx: Session, who: Principal, ref: str, body: schemas.TypeUpdate
) -> schemas.ContentType:
    """Change a type; a field change that would leave entries invalid is a 409 naming how
    many, unless `force`."""
    row = type_row(tx, who, ref)
    before = {"name": row.name, "description": row.description, "fields": row.fields}
    if body.fields is not None:
        definitions = _definitions(body.fields)
        if not body.force:
            broken = _entries_broken_by(tx, row, definitions, locales_of(tx, who).default)
            if broken:
                raise Conflict(
                    f"{broken} entries would not be valid under the new fields; send "
                    "force=true to change them anyway",
                    errors=[FieldError("body.fields", f"{broken} entries become invalid")],
                    invalid_entries=broken,
                )
        row.fields = definitions
    if body.name is not None:
        row.name = body.name
    if body.description is not None:
        row.description = body.description
    after = {"name": row.name, "description": row.description, "fields": row.fields}
    changes = audit.changes_between(before, after)
    if changes:
        row.update_time = utcnow()
        audit.record(tx, who, "content.type.updated", "content_type", row.id, changes)
    tx.flush()
    return type_schema(row)


def _entries_broken_by(
    tx: Session, row: ContentTypeRow, definitions: list[dict[str, Any]], default_locale: str
) -> int:
    """How many entries of the type have a draft or published state that the new fields
    refuse where the current ones did not (a field already wanting stays as it was)."""
    broken = 0
    stmt = select(ContentEntryRow.fields, ContentEntryRow.published).where(
        ContentEntryRow.type_id == row.id, ContentEntryRow.status != "archived"
    )
    for stored, published in tx.execute(stmt):
        for state in [stored] + ([published["fields"]] if published else []):
            before = {e.field for e in content_fields.problems(row.fields, state, default_locale)}
            after = content_fields.problems(definitions, state, default_locale)
            if any(e.field not in before for e in after):
                broken += 1
                break
    return broken


def delete_type(tx: Session, who: Principal, ref: str) -> None:
    """Delete a type; 409 while it has entries."""
    row = type_row(tx, who, ref)
    count = tx.execute(select(func.count()).where(ContentEntryRow.type_id == row.id)).scalar_one()
    if count:
        raise Conflict(f"content type '{row.slug}' has {count} entries: delete them first")
    audit.record(
        tx, who, "content.type.deleted", "content_type", row.id, {"slug": {"from": row.slug}}
    )
    tx.execute(delete(ContentTypeRow).where(ContentTypeRow.id == row.id))


# --------------------------------------------------------------------------- locales


def locales_of(tx: Session, who: Principal) -> schemas.Locales:
    """The project's locales (`en` alone until set)."""
    row = tx.get(ContentLocalesRow, who.project())
    if row is None:
        return schemas.Locales(default=DEFAULT_LOCALE, locales=[DEFAULT_LOCALE])
    return schemas.Locales(default=row.default_locale, locales=list(row.locales))


def put_locales(tx: Session, who: Principal, body: schemas.Locales) -> schemas.Locales:
    """Set the project's locales; the default must be one of them."""
    locales = list(dict.fromkeys(body.locales))
    if body.default not in locales:
        raise ValidationFailed(
            "the default locale is not among the locales",
            errors=[FieldError("body.default", "must be one of `locales`", "not_listed")],
        )
    row = tx.get(ContentLocalesRow, who.project())
    before = locales_of(tx, who)
    if row is None:
        row = ContentLocalesRow(project_id=who.project())
        tx.add(row)
    row.default_locale = body.default
    row.locales = locales
    row.update_time = utcnow()
    changes = audit.changes_between(
        before.model_dump(), {"default": body.default, "locales": locales}
    )
    if changes:
        audit.record(tx, who, "content.locales.updated", "project", who.project(), changes)
    tx.flush()
    return schemas.Locales(default=body.default, locales=locales)


def check_locale(locales: schemas.Locales, locale: str | None, field: str) -> str:
    """`locale` (default: the project's default) when the project has it; 422 otherwise."""
    if locale is None:
        return locales.default
    if locale not in locales.locales:
        raise ValidationFailed(
            f"locale '{locale}' is not one of the project's locales",
            errors=[FieldError(field, f"one of {', '.join(locales.locales)}", "unknown_locale")],
        )
    return locale
