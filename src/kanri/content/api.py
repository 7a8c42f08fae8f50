"""Routes of the headless CMS: content types, locales, entries and versions (section
`content`), and the public delivery API (`content:read`, publishable keys too)."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, Header, Path, Query, Request, Response, UploadFile
from fastapi.responses import StreamingResponse

from kanri.content import (
    asset_service,
    delivery,
    entry_service,
    generate,
    schemas,
    storage,
    type_service,
    version_service,
)
from kanri.content.entry_service import View
from kanri.core import idempotency
from kanri.core.auth import Principal, RequireSection
from kanri.core.deps import Db, Listing, Runtime
from kanri.core.errors import FieldError, PayloadTooLarge, not_found
from kanri.core.openapi import BODY_ID, link_to, operation_id, problem_responses
from kanri.core.schemas import ListResponse
from kanri.runs.schemas import Run

router = APIRouter(tags=["content"], generate_unique_id_function=operation_id)
# The public delivery API: a tag of its own (websites and apps read it, editors do not).
delivery_router = APIRouter(tags=["content-delivery"], generate_unique_id_function=operation_id)
TypeId = Annotated[str, Path(description="content type id or slug", max_length=100)]
EntryId = Annotated[str, Path(description="entry id", max_length=100)]
Number = Annotated[int, Path(ge=1, le=2**31 - 1, description="version number")]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=200,
        description="the entry's ETag as read: the write is refused (412) if it changed since",
    ),
]
IfNoneMatch = Annotated[
    str | None,
    Header(alias="If-None-Match", max_length=500, description="ETags held: 304 when current"),
]
LocaleQuery = Annotated[
    str | None,
    Query(description="BCP 47 locale to read (default: the project's default)", max_length=35),
]
ExpandQuery = Annotated[
    Literal["references"] | None,
    Query(description="`references`: inline the referenced entries (one level)"),
]
FormatQuery = Annotated[
    Literal["json", "html"],
    Query(description="`html`: rich text and markdown fields as sanitised HTML"),
]
Reader = Annotated[Principal, RequireSection("content", "read")]
Writer = Annotated[Principal, RequireSection("content", "write")]
Delivery = Annotated[Principal, RequireSection("content", "read", publishable=True)]
ENTRY_LINK = link_to("content_entries_get", content_entry_id=BODY_ID)
PRECONDITION = problem_responses(412)


def _tagged(response: Response, entry: schemas.ContentEntry) -> schemas.ContentEntry:
    response.headers["ETag"] = entry.etag
    return entry


# --------------------------------------------------------------------------- types


@router.post(
    "/v1/content/types",
    status_code=201,
    responses=link_to("content_types_get", content_type_id=BODY_ID),
)
async def create_content_type(
    body: schemas.TypeCreate,
    request: Request,
    response: Response,
    kanri: Runtime,
    who: Writer,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> schemas.ContentType:
    """Create a content type with its fields (422 naming an invalid field definition)."""
    return await idempotency.create(
        request,
        response,
        kanri.db,
        who,
        idempotency_key,
        type_service.create_type,
        who,
        body,
        location=lambda t: f"/v1/content/types/{t.id}",
    )


@router.get("/v1/content/types")
async def list_content_types(
    db: Db, params: Listing, who: Reader
) -> ListResponse[schemas.ContentType]:
    """Content types of the environment. Filter on id, slug, name, times."""
    return ListResponse.of(await db.read(type_service.list_types, who, params))


@router.get("/v1/content/types/{content_type_id}")
async def get_content_type(content_type_id: TypeId, db: Db, who: Reader) -> schemas.ContentType:
    """The content type with its fields."""
    return await db.read(type_service.get_type, who, content_type_id)


@router.patch("/v1/content/types/{content_type_id}")
async def update_content_type(
    content_type_id: TypeId, body: schemas.TypeUpdate, db: Db, who: Writer
) -> schemas.ContentType:
    """Change the name, description or fields; fields that existing entries would not fit are
    a 409 saying how many (`invalid_entries`) unless `force`."""
    changed = await db.write(type_service.update_type, who, content_type_id, body)
    delivery.CACHE.invalidate(who.project())
    return changed


@router.delete("/v1/content/types/{content_type_id}", status_code=204)
async def delete_content_type(content_type_id: TypeId, db: Db, who: Writer) -> None:
    """Delete a content type without entries (409 while it has some)."""
    await db.write(type_service.delete_type, who, content_type_id)


# --------------------------------------------------------------------------- locales


@router.get("/v1/content/locales", operation_id="content_locales_get")
async def get_content_locales(db: Db, who: Reader) -> schemas.Locales:
    """The project's locales and its default (`en` alone until set)."""
    return await db.read(type_service.locales_of, who)


@router.put("/v1/content/locales", operation_id="content_locales_replace")
async def replace_content_locales(body: schemas.Locales, db: Db, who: Writer) -> schemas.Locales:
    """Set the project's locales (BCP 47 tags) and the default one."""
    result = await db.write(type_service.put_locales, who, body)
    delivery.CACHE.invalidate(who.project())
    return result


# --------------------------------------------------------------------------- entries


@router.post("/v1/content/entries", status_code=201, responses=ENTRY_LINK)
async def create_content_entry(
    body: schemas.ContentEntryCreate,
    request: Request,
    response: Response,
    kanri: Runtime,
    who: Writer,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> schemas.ContentEntry:
    """Create a draft entry (version 1): 422 naming an unknown or invalid field, 409 with
    `conflicting_id` when the slug is taken in the type."""
    created = await idempotency.create(
        request,
        response,
        kanri.db,
        who,
        idempotency_key,
        entry_service.create_entry,
        who,
        body,
        location=lambda e: f"/v1/content/entries/{e.id}",
    )
    return _tagged(response, created)


@router.post(
    "/v1/content/entries:generate",
    status_code=202,
    responses=link_to("runs_get", status=202, location=True, run_id=BODY_ID),
)
async def generate_content_entry(
    body: schemas.GenerateRequest, response: Response, db: Db, who: Writer
) -> Run:
    """Start a run that asks a model for the type's fields as JSON (from `brief`) and saves
    the answer as a new draft entry (`generated_by_run_id`; never published by itself).
    The run's usage and cost are the model call's; the project's run policies apply."""
    run = await db.write(generate.start, who, body)
    response.headers["Location"] = f"/v1/runs/{run.id}"
    return run


@router.get("/v1/content/entries")
async def list_content_entries(
    db: Db,
    params: Listing,
    who: Reader,
    type: Annotated[
        str | None, Query(description="only entries of this type (slug or id)", max_length=100)
    ] = None,
    q: Annotated[
        str | None, Query(description="words in the text fields", min_length=1, max_length=200)
    ] = None,
    locale: LocaleQuery = None,
    expand: ExpandQuery = None,
) -> ListResponse[schemas.ContentEntry]:
    """Entries (drafts) matching an AIP-160 filter over top-level fields and `fields.<name>`
    (`status = "published" AND fields.rating > 3`, `labels.team = "web"`), full-text `q`;
    order_by slug, status, version, create_time, update_time or published_time."""
    view = View(locale=locale, expand=expand == "references")
    page = await db.read(entry_service.list_entries, who, params, view, type, q)
    return ListResponse.of(page)


@router.get("/v1/content/entries/{content_entry_id}")
async def get_content_entry(
    content_entry_id: EntryId,
    response: Response,
    db: Db,
    who: Reader,
    locale: LocaleQuery = None,
    expand: ExpandQuery = None,
) -> schemas.ContentEntry:
    """The entry's draft in a locale (localized fields without a value fall back to the
    default locale and are listed in `fallback_fields`), with its ETag."""
    view = View(locale=locale, expand=expand == "references")
    return _tagged(response, await db.read(entry_service.get_entry, who, content_entry_id, view))


@router.patch("/v1/content/entries/{content_entry_id}", responses=PRECONDITION)
async def update_content_entry(
    content_entry_id: EntryId,
    body: schemas.ContentEntryUpdate,
    response: Response,
    db: Db,
    who: Writer,
    if_match: IfMatch = None,
) -> schemas.ContentEntry:
    """Save a new draft version (what is published does not change); `If-Match` → 412 when
    the entry changed since that ETag."""
    entry = await db.write(entry_service.update_entry, who, content_entry_id, body, if_match)
    return _tagged(response, entry)


@router.delete("/v1/content/entries/{content_entry_id}", status_code=204, responses=PRECONDITION)
async def delete_content_entry(
    content_entry_id: EntryId, db: Db, who: Writer, if_match: IfMatch = None
) -> None:
    """Delete the entry with its versions (and what was published of it)."""
    await db.write(entry_service.delete_entry, who, content_entry_id, if_match)
    delivery.CACHE.invalidate(who.project())


@router.post("/v1/content/entries/{content_entry_id}:publish", responses=PRECONDITION)
async def publish_content_entry(
    content_entry_id: EntryId,
    body: schemas.PublishRequest,
    response: Response,
    db: Db,
    who: Writer,
    if_match: IfMatch = None,
) -> schemas.ContentEntry:
    """Publish the current draft version (422 listing the fields that keep it from being
    published), or schedule it with `publish_at`."""
    entry = await db.write(entry_service.publish_entry, who, content_entry_id, body, if_match)
    delivery.CACHE.invalidate(who.project())
    return _tagged(response, entry)


@router.post("/v1/content/entries/{content_entry_id}:unpublish", responses=PRECONDITION)
async def unpublish_content_entry(
    content_entry_id: EntryId, response: Response, db: Db, who: Writer, if_match: IfMatch = None
) -> schemas.ContentEntry:
    """Take the entry off the delivery API; its draft and versions stay."""
    entry = await db.write(entry_service.unpublish_entry, who, content_entry_id, if_match)
    delivery.CACHE.invalidate(who.project())
    return _tagged(response, entry)


@router.post("/v1/content/entries/{content_entry_id}:archive", responses=PRECONDITION)
async def archive_content_entry(
    content_entry_id: EntryId, response: Response, db: Db, who: Writer, if_match: IfMatch = None
) -> schemas.ContentEntry:
    """Unpublish the entry and mark it archived."""
    entry = await db.write(entry_service.archive_entry, who, content_entry_id, if_match)
    delivery.CACHE.invalidate(who.project())
    return _tagged(response, entry)


# --------------------------------------------------------------------------- versions


@router.get("/v1/content/entries/{content_entry_id}/versions")
async def list_content_entry_versions(
    content_entry_id: EntryId, db: Db, params: Listing, who: Reader
) -> ListResponse[schemas.Version]:
    """The entry's saved versions, newest first (number, author, time, changed fields)."""
    page = await db.read(version_service.list_versions, who, content_entry_id, params)
    return ListResponse.of(page)


@router.get("/v1/content/entries/{content_entry_id}/versions/{from_version}...{to_version}:diff")
async def diff_content_entry_versions(
    content_entry_id: EntryId, from_version: Number, to_version: Number, db: Db, who: Reader
) -> schemas.VersionDiff:
    """The RFC 6902 JSON Patch from one version's {slug, labels, fields} to another's."""
    # Declared before `/versions/{version}`, whose parameter would take `2...3:diff`.
    return await db.read(
        version_service.diff_versions, who, content_entry_id, from_version, to_version
    )


@router.get("/v1/content/entries/{content_entry_id}/versions/{version}")
async def get_content_entry_version(
    content_entry_id: EntryId, version: Number, db: Db, who: Reader
) -> schemas.Version:
    """One version of the entry."""
    return await db.read(version_service.get_version, who, content_entry_id, version)


@router.post(
    "/v1/content/entries/{content_entry_id}/versions/{version}:restore", responses=PRECONDITION
)
async def restore_content_entry_version(
    content_entry_id: EntryId,
    version: Number,
    response: Response,
    db: Db,
    who: Writer,
    if_match: IfMatch = None,
) -> schemas.ContentEntry:
    """Save a new draft version equal to this one (publish it to make it live)."""
    entry = await db.write(
        version_service.restore_version, who, content_entry_id, version, if_match
    )
    return _tagged(response, entry)


# --------------------------------------------------------------------------- assets


AssetId = Annotated[str, Path(description="asset id", max_length=100)]
ASSETS = "/v1/content/assets"


def _store(kanri: Any) -> storage.AssetStore:
    return storage.store_of(kanri.settings)


@router.post(
    ASSETS,
    status_code=201,
    operation_id="content_assets_upload",
    responses={
        200: {"model": schemas.Asset, "description": "these bytes were uploaded before"},
        **link_to("content_assets_get", asset_id=BODY_ID, location=True),
        **problem_responses(413, 415),
    },
)
async def upload_content_asset(
    file: Annotated[UploadFile, File(description="the file (its type is read from its bytes)")],
    response: Response,
    kanri: Runtime,
    who: Writer,
) -> schemas.Asset:
    """Upload a file (multipart, part `file`): over `KANRI_CONTENT_ASSET_MAX_BYTES` is a 413,
    a kind other than images, PDF, MP4 or plain text (by its bytes) a 415. The same bytes
    uploaded again answer the existing asset (200)."""
    cap = kanri.settings.content_asset_max_bytes
    data = await file.read(cap + 1)
    if len(data) > cap:
        raise PayloadTooLarge(
            f"the file is larger than {cap} bytes",
            errors=[FieldError("body.file", f"larger than {cap} bytes")],
        )
    upload = asset_service.inspect(data, file.filename, "body.file")
    await asyncio.to_thread(_store(kanri).put, upload.key(who.project()), data)
    asset, created = await kanri.db.write(asset_service.create_asset, who, upload)
    response.status_code = 201 if created else 200
    response.headers["Location"] = f"{ASSETS}/{asset.id}"
    return asset


@router.get(ASSETS)
async def list_content_assets(db: Db, params: Listing, who: Reader) -> ListResponse[schemas.Asset]:
    """Assets of the project. Filter on id, filename, content_type, size, sha256, create_time."""
    return ListResponse.of(await db.read(asset_service.list_assets, who, params))


@router.get(ASSETS + "/{asset_id}")
async def get_content_asset(asset_id: AssetId, db: Db, who: Reader) -> schemas.Asset:
    """The asset's metadata (type, size, SHA-256, image width and height)."""
    return await db.read(asset_service.get_asset, who, asset_id)


@router.get(
    ASSETS + "/{asset_id}/file",
    response_class=StreamingResponse,
    responses={
        # The asset's own type (image/png, application/pdf, text/plain, …).
        200: {"content": {"*/*": {}}, "description": "the file, in its sniffed type"},
        206: {"content": {"*/*": {}}, "description": "the range asked"},
        **problem_responses(416),
    },
)
async def download_content_asset(
    asset_id: AssetId,
    kanri: Runtime,
    who: Reader,
    range: Annotated[
        str | None, Header(alias="Range", max_length=200, description="`bytes=start-end`")
    ] = None,
) -> StreamingResponse:
    """The file (its sniffed type, `Content-Disposition` with its name); one `Range` gives
    206 with that part."""
    row = await kanri.db.read(asset_service.file_of, who, asset_id)
    span = asset_service.byte_range(range, row.size)
    start, end = span or (0, row.size - 1)
    disposition = "inline" if row.content_type.startswith("image/") else "attachment"
    headers = {
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(row.filename)}",
        "Accept-Ranges": "bytes",
        "Content-Length": str(end - start + 1),
        "ETag": f'"{row.sha256}"',
        "Cache-Control": "private, max-age=3600",
    }
    if span is not None:
        headers["Content-Range"] = f"bytes {start}-{end}/{row.size}"
    chunks = _store(kanri).read(row.storage_key, start, end) if row.size else iter(())
    return StreamingResponse(
        chunks,
        status_code=206 if span is not None else 200,
        media_type=row.content_type,
        headers=headers,
    )


@router.delete(ASSETS + "/{asset_id}", status_code=204)
async def delete_content_asset(asset_id: AssetId, kanri: Runtime, who: Writer) -> None:
    """Delete the asset and its file; 409 while a published entry refers to it."""
    key = await kanri.db.write(asset_service.delete_asset, who, asset_id)
    await asyncio.to_thread(_store(kanri).delete, key)


# --------------------------------------------------------------------------- delivery


NOT_MODIFIED: dict[int | str, Any] = {304: {"description": "the representation is unchanged"}}


async def _deliver(
    request: Request,
    kanri: Any,
    who: Principal,
    key: str,
    if_none_match: str | None,
    read: Any,
) -> Response:
    cors = delivery.cors_headers(
        who, request.headers.get("origin"), getattr(request.state, "key_origins", ())
    )
    cached = delivery.CACHE.get(who.project(), key)
    if cached is None:
        cached = delivery.represent(await kanri.db.read(read))
        delivery.CACHE.put(who.project(), key, cached, kanri.settings.content_cache_max_age_seconds)
    max_age = kanri.settings.content_cache_max_age_seconds
    headers = {
        "ETag": cached.etag,
        "Cache-Control": f"public, max-age={max_age}, stale-while-revalidate={max_age}",
        "Vary": "Authorization, x-api-key, Origin",
        **cors,
    }
    if if_none_match is not None:
        held = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        if cached.etag in held or "*" in held:
            return Response(status_code=304, headers=headers)
    return Response(cached.body, media_type="application/json", headers=headers)


@delivery_router.get(
    "/v1/public/content/{content_type_id}",
    operation_id="public_content_list",
    response_model=ListResponse[schemas.PublicEntry],
    responses=NOT_MODIFIED,
)
async def list_public_content(
    content_type_id: TypeId,
    request: Request,
    kanri: Runtime,
    params: Listing,
    who: Delivery,
    locale: LocaleQuery = None,
    format: FormatQuery = "json",
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Published entries of the type (filter over `fields.<name>` of what is published,
    `locale`, paging), for a publishable or secret key; strong ETag, `If-None-Match` → 304."""
    key = delivery.cache_key(
        who,
        "list",
        content_type_id,
        locale,
        format,
        params.filter,
        params.order_by,
        params.page_size,
        params.page_token,
        params.include_total,
    )
    read = partial(
        delivery.list_published,
        who=who,
        type_ref=content_type_id,
        params=params,
        locale=locale,
        html=format == "html",
    )
    return await _deliver(request, kanri, who, key, if_none_match, read)


@delivery_router.get(
    "/v1/public/content/{content_type_id}/{slug}",
    operation_id="public_content_get",
    response_model=schemas.PublicEntry,
    responses=NOT_MODIFIED,
)
async def get_public_content(
    content_type_id: TypeId,
    slug: Annotated[str, Path(description="the entry's published slug", max_length=200)],
    request: Request,
    kanri: Runtime,
    who: Delivery,
    locale: LocaleQuery = None,
    format: FormatQuery = "json",
    if_none_match: IfNoneMatch = None,
) -> Response:
    """The published entry of the type with this slug; strong ETag, `If-None-Match` → 304."""
    key = delivery.cache_key(who, "get", content_type_id, slug, locale, format)
    read = partial(
        delivery.get_published,
        who=who,
        type_ref=content_type_id,
        slug=slug,
        locale=locale,
        html=format == "html",
    )
    return await _deliver(request, kanri, who, key, if_none_match, read)


@delivery_router.get(
    "/v1/cms/pages/{project_id}",
    operation_id="cms_pages_list",
    response_model=ListResponse[schemas.PublicEntry],
    responses=NOT_MODIFIED,
)
async def list_cms_pages(
    project_id: Annotated[str, Path(description="the key's project id", max_length=100)],
    request: Request,
    kanri: Runtime,
    params: Listing,
    who: Delivery,
    locale: LocaleQuery = None,
    format: FormatQuery = "json",
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Konso's pages: the published entries of the content type `page` of the key's
    project (another project's id is a 404)."""
    if project_id != who.project():
        raise not_found("project", project_id)
    key = delivery.cache_key(
        who,
        "pages",
        locale,
        format,
        params.filter,
        params.order_by,
        params.page_size,
        params.page_token,
        params.include_total,
    )
    read = partial(
        delivery.list_published,
        who=who,
        type_ref="page",
        params=params,
        locale=locale,
        html=format == "html",
    )
    return await _deliver(request, kanri, who, key, if_none_match, read)
