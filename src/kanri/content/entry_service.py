"""Business rules of entries: saves (each a new version), reads in a locale, lists with
filters, and the publishing pointer (publish, unpublish, archive).

Every save writes the draft and a version row in one transaction; publishing copies the
draft of the current version into `published`, so editing afterwards leaves what is
published unchanged until the next publish. `revision` grows with every change and is the
entry's ETag; writes that carry `If-Match` are refused (412) once it moved on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kanri.content import fields as content_fields
from kanri.content import schemas
from kanri.content.models import ContentEntryRow, ContentTypeRow, ContentVersionRow
from kanri.content.type_service import check_locale, locales_of, type_named, type_row
from kanri.core import audit, events
from kanri.core.auth import Principal
from kanri.core.errors import Conflict, FieldError, PreconditionFailed, ValidationFailed
from kanri.core.filter_sql import json_member
from kanri.core.filtering import FilterField, FilterSpec
from kanri.core.ids import new_id
from kanri.core.pagination import ListParams, Page, paginate
from kanri.core.scoping import by_ref, scoped
from kanri.core.time import utcnow
from kanri.runs.service import create_run

# The step kind that publishes an entry (content/steps.py); scheduled publishing runs it.
PUBLISH_KIND = "content.publish"


def _spec(draft: bool) -> FilterSpec:
    index = ContentEntryRow.draft_index if draft else ContentEntryRow.published_index
    return FilterSpec(
        {
            "id": FilterField(ContentEntryRow.id),
            "slug": FilterField(ContentEntryRow.slug if draft else ContentEntryRow.published_slug),
            "status": FilterField(ContentEntryRow.status),
            "type_id": FilterField(ContentEntryRow.type_id),
            "labels": FilterField(ContentEntryRow.labels, "map"),
            "fields": FilterField(index, "map"),
            "version": FilterField(ContentEntryRow.version, "integer"),
            "published_version": FilterField(ContentEntryRow.published_version, "integer"),
            "create_time": FilterField(ContentEntryRow.create_time, "timestamp"),
            "update_time": FilterField(ContentEntryRow.update_time, "timestamp"),
            "published_time": FilterField(ContentEntryRow.published_time, "timestamp"),
        }
    )


ENTRY_FILTERS = _spec(draft=True)
PUBLISHED_FILTERS = _spec(draft=False)


@dataclass(frozen=True)
class View:
    """How entries are shown: in which locale, with references expanded or not."""

    locale: str | None = None
    expand: bool = False


def etag(row: ContentEntryRow) -> str:
    return f'"{row.id}.{row.revision}"'


def check_if_match(row: ContentEntryRow, if_match: str | None) -> None:
    """412 when `If-Match` names another state of the entry than its current one."""
    if if_match is None:
        return
    wanted = [tag.strip() for tag in if_match.split(",")]
    if "*" not in wanted and etag(row) not in wanted and f"W/{etag(row)}" not in wanted:
        raise PreconditionFailed(
            f"the entry changed since {if_match}: it is now {etag(row)}",
            errors=[FieldError("header.If-Match", f"the current ETag is {etag(row)}", "stale")],
            etag=etag(row),
        )


def entry_row(tx: Session, who: Principal, ref: str) -> ContentEntryRow:
    return by_ref(tx, ContentEntryRow, ref, who, prefix="cen", noun="entry", environment=True)


def _index(
    definitions: list[dict[str, Any]], stored: dict[str, Any], default: str
) -> dict[str, Any]:
    values, _ = content_fields.localize(definitions, stored, default, default)
    return {k: v for k, v in values.items() if v is not None}


def shape(
    tx: Session,
    who: Principal,
    rows: list[ContentEntryRow],
    view: View,
    types: dict[str, ContentTypeRow] | None = None,
) -> list[schemas.ContentEntry]:
    """The public form of entries (their drafts) in the view's locale."""
    locales = locales_of(tx, who)
    locale = check_locale(locales, view.locale, "query.locale")
    types = dict(types or {})
    missing = {row.type_id for row in rows} - set(types)
    if missing:
        for type_ in tx.execute(
            select(ContentTypeRow).where(ContentTypeRow.id.in_(missing))
        ).scalars():
            types[type_.id] = type_
    out = []
    for row in rows:
        type_ = types[row.type_id]
        values, fell_back = content_fields.localize(
            type_.fields, row.fields, locale, locales.default
        )
        out.append(
            schemas.ContentEntry(
                id=row.id,
                project_id=row.project_id,
                environment_id=row.environment_id,
                type=type_.slug,
                type_id=row.type_id,
                slug=row.slug,
                status=row.status,
                labels=row.labels,
                locale=locale,
                fields=values,
                fallback_fields=fell_back,
                version=row.version,
                published_version=row.published_version,
                published_time=row.published_time,
                publish_at=row.publish_at,
                scheduled_run_id=row.scheduled_run_id,
                generated_by_run_id=row.generated_by_run_id,
                etag=etag(row),
                create_time=row.create_time,
                update_time=row.update_time,
            )
        )
    if view.expand:
        _expand(tx, who, rows, out, types, View(locale=locale))
    return out


def _expand(
    tx: Session,
    who: Principal,
    rows: list[ContentEntryRow],
    shaped: list[schemas.ContentEntry],
    types: dict[str, ContentTypeRow],
    view: View,
) -> None:
    wanted: dict[int, list[str]] = {}
    for index, row in enumerate(rows):
        refs = content_fields.references(types[row.type_id].fields, row.fields)
        wanted[index] = sorted({i for ids in refs.values() for i in ids})
    every = sorted({i for ids in wanted.values() for i in ids})
    if not every:
        for entry in shaped:
            entry.references = {}
        return
    found = list(
        tx.execute(
            scoped(select(ContentEntryRow), who, environment=True).where(
                ContentEntryRow.id.in_(every)
            )
        ).scalars()
    )
    by_id = {e.id: e for e in shape(tx, who, found, view, types)}
    for index, entry in enumerate(shaped):
        entry.references = {
            i: by_id[i].model_dump(mode="json") for i in wanted[index] if i in by_id
        }


def _check_values(
    tx: Session,
    who: Principal,
    type_: ContentTypeRow,
    stored: dict[str, Any],
    given: dict[str, Any],
    but: str | None,
) -> list[FieldError]:
    """Errors of unique values held by another entry and of references to no entry of an
    allowed type, for the fields a write gave."""
    errors: list[FieldError] = []
    for field in type_.fields:
        name = field["name"]
        if name not in given or stored.get(name) is None:
            continue
        if field["unique"]:
            kind = "number" if field["type"] == "number" else "string"
            stmt = select(ContentEntryRow.id).where(
                ContentEntryRow.type_id == type_.id,
                json_member(ContentEntryRow.draft_index.expression, name, kind) == stored[name],
            )
            if but is not None:
                stmt = stmt.where(ContentEntryRow.id != but)
            other = tx.execute(stmt.limit(1)).scalar_one_or_none()
            if other is not None:
                errors.append(
                    FieldError(f"body.fields.{name}", f"entry {other} has this value", "taken")
                )
        if field["type"] == "reference":
            value = stored[name]
            items = list(value.values()) if field["localized"] else [value]
            ids = {i for item in items for i in (item if isinstance(item, list) else [item])}
            stmt2 = (
                scoped(select(ContentEntryRow.id, ContentTypeRow.slug), who, environment=True)
                .join(ContentTypeRow, ContentTypeRow.id == ContentEntryRow.type_id)
                .where(ContentEntryRow.id.in_(sorted(ids)))
            )
            known: dict[str, str] = {row[0]: row[1] for row in tx.execute(stmt2).all()}
            allowed = set(field["options"])
            bad = [
                i for i in sorted(ids) if i not in known or (allowed and known[i] not in allowed)
            ]
            if bad:
                what = f"an entry of {', '.join(sorted(allowed))}" if allowed else "an entry"
                errors.append(
                    FieldError(f"body.fields.{name}", f"{', '.join(bad)}: not {what}", "not_found")
                )
    return errors


def slug_free(tx: Session, type_id: str, slug: str, but: str | None = None) -> None:
    found = tx.execute(
        select(ContentEntryRow.id).where(
            ContentEntryRow.type_id == type_id, ContentEntryRow.slug == slug
        )
    ).scalar_one_or_none()
    if found is not None and found != but:
        raise Conflict(
            f"an entry of this type with slug '{slug}' already exists",
            errors=[FieldError("body.slug", "already used by another entry of the type", "taken")],
            conflicting_id=found,
        )


def reindex(row: ContentEntryRow, type_: ContentTypeRow, default: str) -> None:
    """Refresh the entry's flat view and search text from its draft."""
    row.draft_index = _index(type_.fields, row.fields, default)
    row.search_text = content_fields.search_text(type_.fields, row.fields)


def save_version(
    tx: Session, who: Principal, row: ContentEntryRow, changed: list[str], now: datetime
) -> None:
    """Write the entry's current draft as version `row.version`."""
    tx.add(
        ContentVersionRow(
            entry_id=row.id,
            number=row.version,
            project_id=row.project_id,
            slug=row.slug,
            labels=row.labels,
            fields=row.fields,
            changed=changed,
            author=author_of(who),
            create_time=now,
        )
    )


def author_of(who: Principal) -> str:
    return who.key_id or who.kind


def emit_entry_event(
    tx: Session, who: Principal, verb: str, row: ContentEntryRow, type_slug: str
) -> None:
    data = {
        "id": row.id,
        "type": type_slug,
        "slug": row.slug,
        "version": row.version,
        "published_version": row.published_version,
    }
    events.emit(
        tx,
        who,
        f"content.entry.{verb}",
        "content_entry",
        row.id,
        data,
        environment_id=row.environment_id,
    )


def create_entry(
    tx: Session,
    who: Principal,
    body: schemas.ContentEntryCreate,
    generated_by_run_id: str | None = None,
) -> schemas.ContentEntry:
    """A new draft entry (version 1); an unknown type is a 422 on `body.type`."""
    type_ = type_named(tx, who, body.type, "body.type")
    locales = locales_of(tx, who)
    locale = check_locale(locales, body.locale, "body.locale")
    stored, errors = content_fields.validate(type_.fields, body.fields, None, locale)
    errors += _check_values(tx, who, type_, stored, stored, None)
    if errors:
        raise ValidationFailed("the entry's fields are not valid", errors=errors)
    slug_free(tx, type_.id, body.slug)
    now = utcnow()
    row = ContentEntryRow(
        id=new_id("cen"),
        project_id=who.project(),
        environment_id=who.environment_id,
        type_id=type_.id,
        slug=body.slug,
        status="draft",
        labels=body.labels,
        fields=stored,
        draft_index=_index(type_.fields, stored, locales.default),
        search_text=content_fields.search_text(type_.fields, stored),
        version=1,
        revision=1,
        generated_by_run_id=generated_by_run_id,
        created_by=author_of(who),
        create_time=now,
        update_time=now,
    )
    tx.add(row)
    save_version(tx, who, row, sorted(["slug", "labels", *stored]), now)
    tx.flush()
    audit.record(
        tx,
        who,
        "content.entry.created",
        "content_entry",
        row.id,
        {"slug": {"to": row.slug}, "type": {"to": type_.slug}, "fields": {"to": sorted(stored)}},
    )
    emit_entry_event(tx, who, "created", row, type_.slug)
    return shape(tx, who, [row], View(locale=locale), {type_.id: type_})[0]


def get_entry(tx: Session, who: Principal, ref: str, view: View) -> schemas.ContentEntry:
    return shape(tx, who, [entry_row(tx, who, ref)], view)[0]


def list_entries(
    tx: Session,
    who: Principal,
    params: ListParams,
    view: View,
    type_ref: str | None = None,
    q: str | None = None,
) -> Page[schemas.ContentEntry]:
    stmt = scoped(select(ContentEntryRow), who, environment=True)
    types: dict[str, ContentTypeRow] = {}
    if type_ref is not None:
        type_ = type_row(tx, who, type_ref)
        types[type_.id] = type_
        stmt = stmt.where(ContentEntryRow.type_id == type_.id)
    if q:
        stmt = stmt.where(ContentEntryRow.search_text.contains(q.lower(), autoescape=True))
    page = paginate(
        tx, stmt, ENTRY_FILTERS, params, id_column=ContentEntryRow.id, default_order="create_time"
    )
    return Page(shape(tx, who, page.items, view, types), page.next_page_token, page.total_size)


def update_entry(
    tx: Session, who: Principal, ref: str, body: schemas.ContentEntryUpdate, if_match: str | None
) -> schemas.ContentEntry:
    """Save a new draft version; the published version is left as it is."""
    row = entry_row(tx, who, ref)
    check_if_match(row, if_match)
    type_ = tx.get(ContentTypeRow, row.type_id)
    assert type_ is not None
    locales = locales_of(tx, who)
    locale = check_locale(locales, body.locale, "body.locale")
    changed: list[str] = []
    if body.fields is not None:
        stored, errors = content_fields.validate(type_.fields, body.fields, row.fields, locale)
        errors += _check_values(tx, who, type_, stored, body.fields, row.id)
        if errors:
            raise ValidationFailed("the entry's fields are not valid", errors=errors)
        changed += [
            n for n in sorted(set(stored) | set(row.fields)) if stored.get(n) != row.fields.get(n)
        ]
        row.fields = stored
        reindex(row, type_, locales.default)
    if body.slug is not None and body.slug != row.slug:
        slug_free(tx, type_.id, body.slug, but=row.id)
        row.slug = body.slug
        changed.append("slug")
    if body.labels is not None and body.labels != row.labels:
        row.labels = body.labels
        changed.append("labels")
    if changed:
        now = utcnow()
        row.version += 1
        row.revision += 1
        row.update_time = now
        save_version(tx, who, row, changed, now)
        audit.record(
            tx,
            who,
            "content.entry.updated",
            "content_entry",
            row.id,
            {"version": {"from": row.version - 1, "to": row.version}, "changed": {"to": changed}},
        )
        emit_entry_event(tx, who, "updated", row, type_.slug)
    tx.flush()
    return shape(tx, who, [row], View(locale=locale), {type_.id: type_})[0]


def delete_entry(tx: Session, who: Principal, ref: str, if_match: str | None) -> None:
    row = entry_row(tx, who, ref)
    check_if_match(row, if_match)
    type_ = tx.get(ContentTypeRow, row.type_id)
    assert type_ is not None
    audit.record(
        tx, who, "content.entry.deleted", "content_entry", row.id, {"slug": {"from": row.slug}}
    )
    emit_entry_event(tx, who, "deleted", row, type_.slug)
    tx.delete(row)


# --------------------------------------------------------------------------- publishing


def publish_entry(
    tx: Session, who: Principal, ref: str, body: schemas.PublishRequest, if_match: str | None
) -> schemas.ContentEntry:
    """Publish the current draft now, or schedule it (`publish_at` in the future); 422 listing
    the fields that keep it from being published."""
    row = entry_row(tx, who, ref)
    check_if_match(row, if_match)
    type_ = tx.get(ContentTypeRow, row.type_id)
    assert type_ is not None
    locales = locales_of(tx, who)
    problems = content_fields.problems(type_.fields, row.fields, locales.default)
    if problems:
        raise ValidationFailed("the entry cannot be published as it is", errors=problems)
    now = utcnow()
    if body.publish_at is not None and body.publish_at > now:
        run = create_run(
            tx,
            who,
            definition={
                "steps": [
                    {"id": "wait", "kind": "wait", "until": body.publish_at.isoformat()},
                    {"id": "publish", "kind": PUBLISH_KIND, "entry": row.id, "scheduled": True},
                ]
            },
            inputs={},
            labels={"kanri.content.entry": row.id},
            environment_id=row.environment_id,
        )
        row.status = "scheduled"
        row.publish_at = body.publish_at
        row.scheduled_run_id = run.id
        row.revision += 1
        row.update_time = now
        audit.record(
            tx,
            who,
            "content.entry.scheduled",
            "content_entry",
            row.id,
            {
                "publish_at": {"to": body.publish_at.isoformat()},
                "version": {"to": row.version},
                "run_id": {"to": run.id},
            },
        )
        tx.flush()
        return shape(tx, who, [row], View(), {type_.id: type_})[0]
    publish_now(tx, who, row, type_, locales.default)
    return shape(tx, who, [row], View(), {type_.id: type_})[0]


def publish_now(
    tx: Session, who: Principal, row: ContentEntryRow, type_: ContentTypeRow, default: str
) -> None:
    """Point the published state at the entry's current version."""
    before = row.published_version
    now = utcnow()
    row.published = {"fields": row.fields, "labels": row.labels}
    row.published_index = _index(type_.fields, row.fields, default)
    row.published_slug = row.slug
    row.published_version = row.version
    row.published_time = now
    row.publish_at = None
    row.scheduled_run_id = None
    row.status = "published"
    row.revision += 1
    row.update_time = now
    audit.record(
        tx,
        who,
        "content.entry.published",
        "content_entry",
        row.id,
        {"published_version": {"from": before, "to": row.version}},
    )
    emit_entry_event(tx, who, "published", row, type_.slug)
    tx.flush()


def _unpublish(
    tx: Session, who: Principal, ref: str, if_match: str | None, status: str
) -> schemas.ContentEntry:
    row = entry_row(tx, who, ref)
    check_if_match(row, if_match)
    type_ = tx.get(ContentTypeRow, row.type_id)
    assert type_ is not None
    was_published = row.published_version is not None
    before = {"status": row.status, "published_version": row.published_version}
    row.published = row.published_index = row.published_slug = None
    row.published_version = row.published_time = row.publish_at = None
    row.scheduled_run_id = None
    row.status = status
    row.revision += 1
    row.update_time = utcnow()
    verb = "archived" if status == "archived" else "unpublished"
    audit.record(
        tx,
        who,
        f"content.entry.{verb}",
        "content_entry",
        row.id,
        audit.changes_between(before, {"status": status, "published_version": None}),
    )
    if was_published:
        emit_entry_event(tx, who, "unpublished", row, type_.slug)
    tx.flush()
    return shape(tx, who, [row], View(), {type_.id: type_})[0]


def unpublish_entry(
    tx: Session, who: Principal, ref: str, if_match: str | None
) -> schemas.ContentEntry:
    """Take the entry off the delivery API (its drafts and versions stay)."""
    return _unpublish(tx, who, ref, if_match, "draft")


def archive_entry(
    tx: Session, who: Principal, ref: str, if_match: str | None
) -> schemas.ContentEntry:
    """Unpublish the entry and mark it archived."""
    return _unpublish(tx, who, ref, if_match, "archived")


def publish_scheduled(tx: Session, who: Principal, ref: str, run_id: str) -> dict[str, Any]:
    """Publish an entry scheduled by run `run_id` (the run's `content.publish` step), once: an
    entry published, unpublished or scheduled again since is left alone."""
    row = entry_row(tx, who, ref)
    if row.status != "scheduled" or row.scheduled_run_id != run_id:
        return {"id": row.id, "published": False, "status": row.status}
    type_ = tx.get(ContentTypeRow, row.type_id)
    assert type_ is not None
    default = locales_of(tx, who).default
    problems = content_fields.problems(type_.fields, row.fields, default)
    if problems:
        raise ValidationFailed("the entry cannot be published as it is", errors=problems)
    publish_now(tx, who, row, type_, default)
    return {"id": row.id, "published": True, "version": row.version}
