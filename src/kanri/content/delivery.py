"""The public delivery API's reads: published entries only, in a locale, optionally with
rich text and markdown as sanitised HTML, and the in-process cache of their
representations.

A representation is the exact JSON body; its strong ETag is a digest of those bytes. The
cache keeps bodies by (project, environment, request) and forgets a project's bodies when
one of its entries is published, unpublished or archived, or a type changes
(`invalidate`); another process's publish reaches this one's cache within
`content_cache_max_age_seconds` (the entries' lifetime).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kanri.content import fields as content_fields
from kanri.content import render, schemas
from kanri.content.entry_service import PUBLISHED_FILTERS
from kanri.content.models import ContentEntryRow, ContentTypeRow
from kanri.content.type_service import check_locale, locales_of, type_row
from kanri.core.auth import Principal
from kanri.core.errors import Forbidden, not_found
from kanri.core.pagination import ListParams, paginate
from kanri.core.scoping import scoped


@dataclass(frozen=True)
class Representation:
    body: bytes
    etag: str


class DeliveryCache:
    """Published representations by key, per project, each for at most `ttl` seconds."""

    def __init__(self, max_items: int = 10_000) -> None:
        self._items: dict[tuple[str, str], tuple[float, Representation]] = {}
        self._max_items = max_items

    def get(self, project_id: str, key: str) -> Representation | None:
        hit = self._items.get((project_id, key))
        if hit is None or hit[0] < time.monotonic():
            return None
        return hit[1]

    def put(self, project_id: str, key: str, value: Representation, ttl: float) -> None:
        if ttl <= 0:
            return
        if len(self._items) >= self._max_items:
            self._items.clear()
        self._items[(project_id, key)] = (time.monotonic() + ttl, value)

    def invalidate(self, project_id: str) -> None:
        for key in [k for k in self._items if k[0] == project_id]:
            del self._items[key]


CACHE = DeliveryCache()


def represent(payload: Any) -> Representation:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, default=str).encode()
    return Representation(body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')


def _public(
    row: ContentEntryRow,
    type_: ContentTypeRow,
    locale: str,
    default: str,
    html: bool,
) -> dict[str, Any]:
    published = row.published or {}
    values, fell_back = content_fields.localize(
        type_.fields, published.get("fields", {}), locale, default
    )
    if html:
        values = render.as_html(type_.fields, values)
    entry = schemas.PublicEntry(
        id=row.id,
        type=type_.slug,
        slug=row.published_slug or row.slug,
        locale=locale,
        fields=values,
        fallback_fields=fell_back,
        labels=published.get("labels", {}),
        version=row.published_version or 0,
        published_time=row.published_time or row.update_time,
    )
    return entry.model_dump(mode="json")


def list_published(
    tx: Session,
    who: Principal,
    type_ref: str,
    params: ListParams,
    locale: str | None,
    html: bool,
) -> dict[str, Any]:
    """A page of the type's published entries (filters over `fields.*` read what is published)."""
    type_ = type_row(tx, who, type_ref)
    locales = locales_of(tx, who)
    chosen = check_locale(locales, locale, "query.locale")
    stmt = scoped(select(ContentEntryRow), who, environment=True).where(
        ContentEntryRow.type_id == type_.id, ContentEntryRow.published_version.is_not(None)
    )
    page = paginate(
        tx,
        stmt,
        PUBLISHED_FILTERS,
        params,
        id_column=ContentEntryRow.id,
        default_order="create_time",
    )
    return {
        "data": [_public(r, type_, chosen, locales.default, html) for r in page.items],
        "next_page_token": page.next_page_token,
        "total_size": page.total_size,
    }


def get_published(
    tx: Session, who: Principal, type_ref: str, slug: str, locale: str | None, html: bool
) -> dict[str, Any]:
    """The published entry of the type whose published slug is `slug`; 404 otherwise."""
    type_ = type_row(tx, who, type_ref)
    locales = locales_of(tx, who)
    chosen = check_locale(locales, locale, "query.locale")
    row = tx.execute(
        scoped(select(ContentEntryRow), who, environment=True).where(
            ContentEntryRow.type_id == type_.id,
            ContentEntryRow.published_slug == slug,
            ContentEntryRow.published_version.is_not(None),
        )
    ).scalar_one_or_none()
    if row is None:
        raise not_found("published entry", slug)
    return _public(row, type_, chosen, locales.default, html)


def cors_headers(who: Principal, origin: str | None, allowed: tuple[str, ...]) -> dict[str, str]:
    """CORS headers for a browser's request with a publishable key from an origin the key
    allows; 403 for one it does not (secret keys get none: they do not belong in pages)."""
    if origin is None or who.kind != "publishable":
        return {}
    if origin not in allowed:
        raise Forbidden(f"origin {origin[:300]} is not among this key's allowed origins")
    return {"Access-Control-Allow-Origin": origin, "Access-Control-Expose-Headers": "ETag"}


def cache_key(who: Principal, *parts: Any) -> str:
    """The cache key of a representation: the environment and what the request asked."""
    return "|".join([who.environment_id or "", *(str(p) for p in parts)])
