"""Routes of the knowledge base (section `knowledge`): namespaces, entries, upload, search."""

from __future__ import annotations

import json
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Query, Request, Response, UploadFile

from kanri.core import idempotency
from kanri.core.auth import Principal, RequireSection
from kanri.core.deps import Db, Listing, Runtime
from kanri.core.errors import FieldError, PayloadTooLarge, ValidationFailed
from kanri.core.openapi import operation_id, problem_responses
from kanri.core.schemas import ListResponse
from kanri.knowledge import entry_service, flows, schemas, service
from kanri.knowledge.embeddings import LOCAL_PROVIDER
from kanri.knowledge.extract import media_type

router = APIRouter(tags=["knowledge"], generate_unique_id_function=operation_id)
Reader = Annotated[Principal, RequireSection("knowledge", "read")]
Writer = Annotated[Principal, RequireSection("knowledge", "write")]
NamespaceRef = Annotated[str, Path(description="namespace id or name", max_length=100)]
EntryRef = Annotated[str, Path(description="entry id", max_length=200)]
Wait = Annotated[
    bool,
    Query(
        description=f"chunk and embed in the request when the text has at most "
        f"{flows.INLINE_MAX_CHARACTERS} characters (ready in the answer); "
        "false: always in the background"
    ),
]
MAX_UPLOAD_FILES = 20
ACCEPTED: dict[int | str, dict[str, Any]] = {
    202: {"model": schemas.Entry, "description": "stored; chunked and embedded in the background"}
}
ACCEPTED_LIST: dict[int | str, dict[str, Any]] = {
    202: {
        "model": ListResponse[schemas.Entry],
        "description": "stored; chunked and embedded in the background",
    }
}
BASE = "/v1/knowledge/namespaces"


async def _embedding(
    kanri: Runtime,
    who: Principal,
    body: schemas.EmbeddingSettings,
    before: dict[str, Any] | None = None,
) -> dict[str, Any]:
    box = service.secret_box(kanri.settings.secret)
    stored: dict[str, Any] = await kanri.db.read(service.stored_embedding, who, body, box, before)
    if stored["provider"] != LOCAL_PROVIDER and stored.get("dimension") is None:
        stored["dimension"] = None  # learned from the endpoint's first answer
    return stored


@router.post(BASE, status_code=201, responses=problem_responses(409, 422))
async def create_namespace(
    body: schemas.NamespaceCreate,
    request: Request,
    response: Response,
    kanri: Runtime,
    who: Writer,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> schemas.Namespace:
    """A namespace of this project and environment, with its embedding model and chunking."""
    embedding = await _embedding(kanri, who, body.embedding)
    return await idempotency.create(
        request, response, kanri.db, who, idempotency_key,
        service.create_namespace, who, body, embedding,
        location=lambda ns: f"{BASE}/{ns.id}",
    )  # fmt: skip


@router.get(BASE)
async def list_namespaces(db: Db, params: Listing, who: Reader) -> ListResponse[schemas.Namespace]:
    """Namespaces of this environment. Filter on id, name, entry_count, times."""
    return ListResponse.of(await db.read(service.list_namespaces, who, params))


@router.get(BASE + "/{namespace}")
async def get_namespace(namespace: NamespaceRef, db: Db, who: Reader) -> schemas.Namespace:
    """The namespace with its embedding model, chunking and entry count."""
    return await db.read(service.get_namespace, who, namespace)


@router.patch(BASE + "/{namespace}", responses=problem_responses(409, 422))
async def update_namespace(
    namespace: NamespaceRef, body: schemas.NamespaceUpdate, kanri: Runtime, who: Writer
) -> schemas.Namespace:
    """Change a namespace. A different embedding model re-embeds every entry in a background
    job (entries are `processing` until then; keyword search keeps working)."""
    embedding = None
    if body.embedding is not None:
        current = await kanri.db.read(service.namespace_embedding, who, namespace)
        embedding = await _embedding(kanri, who, body.embedding, current)
    updated = await kanri.db.write(service.update_namespace, who, namespace, body, embedding)
    kanri.wake_engine()
    return updated


@router.delete(BASE + "/{namespace}", status_code=204)
async def delete_namespace(namespace: NamespaceRef, db: Db, who: Writer) -> None:
    """Delete the namespace, its entries and their chunks."""
    await db.write(service.delete_namespace, who, namespace)


@router.put(
    BASE + "/{namespace}/entries/{entry_id}",
    responses={**ACCEPTED, **problem_responses(415, 422, 503)},
)
async def put_entry(
    namespace: NamespaceRef,
    entry_id: Annotated[str, Path(max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}$")],
    body: schemas.EntryWrite,
    kanri: Runtime,
    who: Writer,
    response: Response,
    wait: Wait = True,
) -> schemas.Entry:
    """Create or replace the entry with this id; its chunks are replaced in one transaction."""
    content = await flows.content_of(kanri, body)
    entry = await flows.write_entry(
        kanri, who, namespace, entry_id, body, content, replace=True, wait=wait
    )
    if entry.status == "processing":
        response.status_code = 202
    return entry


@router.post(
    BASE + "/{namespace}/entries",
    status_code=201,
    responses={**ACCEPTED, **problem_responses(409, 415, 422, 503)},
)
async def create_entry(
    namespace: NamespaceRef,
    body: schemas.EntryCreate,
    request: Request,
    kanri: Runtime,
    who: Writer,
    response: Response,
    wait: Wait = True,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> schemas.Entry:
    """A new entry (server-made id unless `id` is given); 202 while it is processed. With an
    `Idempotency-Key`, a repeated request gets the first answer and creates nothing."""
    content = await flows.content_of(kanri, body)
    write = schemas.EntryWrite.model_validate(body.model_dump(exclude={"id"}))
    embedded = await flows.embed_inline(kanri, who, namespace, write, content, wait=wait)
    entry = await idempotency.create(
        request, response, kanri.db, who, idempotency_key,
        partial(entry_service.write_entry, replace=False),
        who, namespace, body.id, write, content, embedded,
        location=lambda e: f"{BASE}/{e.namespace_id}/entries/{e.id}",
        status_code=_created_status,
    )  # fmt: skip
    response.status_code = _created_status(entry)
    if entry.status == "processing":
        kanri.wake_engine()
    return entry


def _created_status(entry: schemas.Entry) -> int:
    return 202 if entry.status == "processing" else 201


@router.post(
    BASE + "/{namespace}/entries:upload",
    status_code=201,
    responses={**ACCEPTED_LIST, **problem_responses(413, 415, 422, 503)},
)
async def upload_entries(
    namespace: NamespaceRef,
    kanri: Runtime,
    who: Writer,
    response: Response,
    files: Annotated[
        list[UploadFile | str],
        File(
            min_length=1,
            max_length=MAX_UPLOAD_FILES,
            description="text, Markdown, HTML, PDF or JSON; a part without a file name is text",
        ),
    ],
    metadata: Annotated[
        str | None, Form(description="JSON object of metadata for every file", max_length=20_000)
    ] = None,
    wait: Wait = True,
) -> ListResponse[schemas.Entry]:
    """One entry per file (title: the file name). Before anything is stored: unsupported
    types are a 415; files over the size cap, PDFs over the page cap and documents yielding
    more text than the cap a 413; documents not read within the time limit a 422."""
    await kanri.db.read(service.namespace_row, who, namespace)  # 404 before reading files
    meta: Any = {}
    if metadata:
        try:
            meta = json.loads(metadata) or {}  # `null` (and `{}`): no metadata
        except ValueError:
            meta = None
        if not isinstance(meta, dict):
            raise ValidationFailed(
                "metadata must be a JSON object",
                errors=[FieldError("body.metadata", "not a JSON object")],
            )
    try:
        # The text travels in each file's Content; the body carries metadata and title.
        shared = schemas.EntryWrite(text=" ", metadata=meta)
    except ValueError as exc:
        raise ValidationFailed(
            "metadata is not valid", errors=[FieldError("body.metadata", str(exc)[:300])]
        ) from None
    cap = kanri.settings.knowledge_max_file_bytes
    prepared: list[tuple[schemas.EntryWrite, Any]] = []
    for index, upload in enumerate(files):
        field = f"body.files.{index}"
        if isinstance(upload, str):  # a form value without a file name: plain text
            kind, data, filename = "text/plain", upload.encode(), None
        else:
            kind = media_type(upload.content_type, upload.filename, field=field)
            data, filename = await upload.read(cap + 1), upload.filename
        if len(data) > cap:
            raise PayloadTooLarge(
                f"'{filename or field}' is larger than {cap} bytes",
                errors=[FieldError(field, f"larger than {cap} bytes")],
            )
        text, found_title = await kanri.extractor.extract(data, kind, field)
        title = (found_title or filename or "")[:500]
        body = shared.model_copy(update={"title": title})
        prepared.append((body, entry_service.Content(text, kind, title)))
    entries = [
        await flows.write_entry(
            kanri, who, namespace, None, body, content, replace=False, wait=wait
        )
        for body, content in prepared
    ]
    if any(entry.status == "processing" for entry in entries):
        response.status_code = 202
    return ListResponse(data=entries)


@router.get(BASE + "/{namespace}/entries")
async def list_entries(
    namespace: NamespaceRef, db: Db, params: Listing, who: Reader
) -> ListResponse[schemas.Entry]:
    """Entries of the namespace. Filter on metadata.<key>, id, title, status, content_type,
    source_url, chunk_count, times; e.g. `metadata.team = "ops" AND status = "ready"`."""
    return ListResponse.of(await db.read(entry_service.list_entries, who, namespace, params))


@router.get(BASE + "/{namespace}/entries/{entry_id}")
async def get_entry(
    namespace: NamespaceRef, entry_id: EntryRef, db: Db, who: Reader
) -> schemas.Entry:
    """The entry (metadata, status, chunk count), without its text."""
    return await db.read(entry_service.get_entry, who, namespace, entry_id)


@router.delete(BASE + "/{namespace}/entries/{entry_id}", status_code=204)
async def delete_entry(namespace: NamespaceRef, entry_id: EntryRef, db: Db, who: Writer) -> None:
    """Delete the entry and its chunks (gone from keyword and vector search at once)."""
    await db.write(entry_service.delete_entry, who, namespace, entry_id)


@router.post(BASE + "/{namespace}/search", responses=problem_responses(503))
async def search_namespace(
    namespace: NamespaceRef, body: schemas.SearchRequest, kanri: Runtime, who: Reader
) -> schemas.SearchResponse:
    """The `top_k` best chunks for `query`: hybrid (keyword + vector, fused), keyword or vector."""
    found = await flows.search_knowledge(kanri, who, [namespace], body)
    return schemas.SearchResponse(data=[flows.to_result(f) for f in found])


@router.post("/v1/knowledge/search", responses=problem_responses(503))
async def search_namespaces(
    body: schemas.MultiSearchRequest, kanri: Runtime, who: Reader
) -> schemas.SearchResponse:
    """Search several namespaces at once; results are merged in one ranking."""
    found = await flows.search_knowledge(kanri, who, body.namespaces, body)
    return schemas.SearchResponse(data=[flows.to_result(f) for f in found])
