"""An entry's versions: list, read, compare (RFC 6902 JSON Patch) and restore."""

from __future__ import annotations

from typing import Any

import jsonpatch
from sqlalchemy import select
from sqlalchemy.orm import Session

from kanri.content import schemas
from kanri.content.entry_service import (
    View,
    check_if_match,
    emit_entry_event,
    entry_row,
    reindex,
    save_version,
    shape,
    slug_free,
)
from kanri.content.models import ContentEntryRow, ContentTypeRow, ContentVersionRow
from kanri.content.type_service import locales_of
from kanri.core import audit
from kanri.core.auth import Principal
from kanri.core.errors import not_found
from kanri.core.pagination import ListParams, Page
from kanri.core.time import utcnow


def _row(tx: Session, entry: ContentEntryRow, number: int) -> ContentVersionRow:
    found = tx.get(ContentVersionRow, (entry.id, number))
    if found is None:
        raise not_found("version", str(number))
    return found


def list_versions(
    tx: Session, who: Principal, ref: str, params: ListParams
) -> Page[schemas.Version]:
    """The entry's versions, newest first (a page of `page_size`; the token is a number)."""
    entry = entry_row(tx, who, ref)
    stmt = select(ContentVersionRow).where(ContentVersionRow.entry_id == entry.id)
    if params.page_token:
        before = params.codec.decode(params.page_token, f"versions:{entry.id}")[0]
        stmt = stmt.where(ContentVersionRow.number < before)
    rows = list(
        tx.execute(
            stmt.order_by(ContentVersionRow.number.desc()).limit(params.page_size + 1)
        ).scalars()
    )
    token = None
    if len(rows) > params.page_size:
        rows = rows[: params.page_size]
        token = params.codec.encode([rows[-1].number], f"versions:{entry.id}")
    return Page([schemas.Version.model_validate(r) for r in rows], token)


def get_version(tx: Session, who: Principal, ref: str, number: int) -> schemas.Version:
    return schemas.Version.model_validate(_row(tx, entry_row(tx, who, ref), number))


def _document(version: ContentVersionRow) -> dict[str, Any]:
    return {"slug": version.slug, "labels": version.labels, "fields": version.fields}


def diff_versions(tx: Session, who: Principal, ref: str, a: int, b: int) -> schemas.VersionDiff:
    """The JSON Patch that turns version `a` ({slug, labels, fields}) into version `b`."""
    entry = entry_row(tx, who, ref)
    patch = jsonpatch.make_patch(_document(_row(tx, entry, a)), _document(_row(tx, entry, b)))
    return schemas.VersionDiff(entry_id=entry.id, from_version=a, to_version=b, patch=list(patch))


def restore_version(
    tx: Session, who: Principal, ref: str, number: int, if_match: str | None
) -> schemas.ContentEntry:
    """A new draft version equal to version `number` (the published one is left alone)."""
    entry = entry_row(tx, who, ref)
    check_if_match(entry, if_match)
    old = _row(tx, entry, number)
    type_ = tx.get(ContentTypeRow, entry.type_id)
    assert type_ is not None
    if old.slug != entry.slug:
        slug_free(tx, type_.id, old.slug, but=entry.id)
    document = {"slug": entry.slug, "labels": entry.labels, **entry.fields}
    restored = {"slug": old.slug, "labels": old.labels, **old.fields}
    changed = sorted(k for k in {*document, *restored} if document.get(k) != restored.get(k))
    now = utcnow()
    entry.fields = dict(old.fields)
    entry.labels = dict(old.labels)
    entry.slug = old.slug
    reindex(entry, type_, locales_of(tx, who).default)
    entry.version += 1
    entry.revision += 1
    entry.update_time = now
    save_version(tx, who, entry, changed, now)
    audit.record(
        tx,
        who,
        "content.entry.restored",
        "content_entry",
        entry.id,
        {"version": {"from": entry.version - 1, "to": entry.version}, "restored": {"to": number}},
    )
    emit_entry_event(tx, who, "updated", entry, type_.slug)
    tx.flush()
    return shape(tx, who, [entry], View(), {type_.id: type_})[0]
