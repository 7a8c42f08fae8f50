"""The knowledge base's async work: extract, chunk, embed (inline or as an engine job), search.

`search_knowledge` is the entry point other features use (the `knowledge.search` step kind,
agents' `search_knowledge` tool).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import dataclasses
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy.orm import Session

from kanri.core.auth import Principal
from kanri.core.errors import FieldError, ServiceUnavailable, ValidationFailed
from kanri.knowledge import entry_service, ingestion, pgvector, schemas, search, service
from kanri.knowledge.chunking import Chunk, Chunker
from kanri.knowledge.embeddings import (
    LOCAL_PROVIDER,
    Embedder,
    EmbeddingFailed,
    LocalEmbedder,
    OpenAIEmbedder,
    ProviderEmbedder,
    embedding_key,
    word_pieces,
)
from kanri.knowledge.extract import media_type
from kanri.knowledge.models import KnowledgeNamespaceRow
from kanri.providers import service as providers
from kanri.providers.service import ProviderConfig
from kanri.tenancy import service as tenancy

if TYPE_CHECKING:
    from kanri.runtime import Kanri

# Inputs up to this many characters are chunked and embedded in the request (with wait);
# longer ones go to an engine job.
INLINE_MAX_CHARACTERS = 20_000
EMBED_BATCH = 64


def embedder_for(
    embedding: dict[str, Any], kanri: Kanri, allow_private: bool, project_id: str
) -> Embedder:
    """The model a namespace's `embedding` settings name."""
    if embedding["provider"] == LOCAL_PROVIDER:
        return LocalEmbedder()
    if embedding.get("provider_id"):
        ref = str(embedding["provider_id"])

        async def resolve() -> ProviderConfig:
            config: ProviderConfig = await kanri.db.read(
                providers.resolve, project_id, kanri.settings.secret, ref
            )
            return config

        return ProviderEmbedder(
            resolve=resolve,
            model=embedding["model"],
            dimension=embedding.get("dimension"),
            max_tokens=int(embedding["max_tokens"]),
        )
    return OpenAIEmbedder(
        base_url=embedding["base_url"],
        model=embedding["model"],
        api_key=service.api_key_of(embedding, service.secret_box(kanri.settings.secret)),
        dimension=embedding.get("dimension"),
        max_tokens=int(embedding["max_tokens"]),
        allow_private=allow_private,
    )


def chunk_text(text: str, chunking: dict[str, Any], embedding: dict[str, Any]) -> list[Chunk]:
    return Chunker(word_pieces()).chunk(
        text,
        max_tokens=int(chunking["max_tokens"]),
        overlap_tokens=int(chunking["overlap_tokens"]),
        window=int(embedding["max_tokens"]),
    )


async def _embed_batch(embedder: Embedder, chunks: list[Chunk]) -> np.ndarray[Any, Any]:
    if isinstance(embedder, LocalEmbedder) and all(c.embedded_ids for c in chunks):
        # The chunker's word pieces: the text is not tokenised a second time.
        return await embedder.embed_pieces([c.embedded_ids for c in chunks])
    return await embedder.embed([c.embedded_text for c in chunks])


async def embed_chunks(embedder: Embedder, chunks: list[Chunk]) -> np.ndarray[Any, Any]:
    parts = [
        await _embed_batch(embedder, chunks[i : i + EMBED_BATCH])
        for i in range(0, len(chunks), EMBED_BATCH)
    ]
    if not parts:
        return np.zeros((0, embedder.dimension or 1), dtype=np.float32)
    return np.concatenate(parts)


async def content_of(kanri: Kanri, body: schemas.EntryWrite) -> entry_service.Content:
    """The entry's text, extracted from `content_base64` when given. Raises 413/415/422
    (and 503 while the document readers are busy)."""
    if body.text is not None:
        kind = media_type(body.content_type or "text/plain", field="body.content_type")
        if kind == "application/pdf":
            raise ValidationFailed(
                "a PDF must be sent as content_base64",
                errors=[FieldError("body.content_type", "use content_base64 for PDFs")],
            )
        text, title = await kanri.extractor.extract(body.text.encode(), kind, "body.text")
        return entry_service.Content(text, kind, title)
    kind = media_type(body.content_type, field="body.content_type")
    try:
        data = base64.b64decode(body.content_base64 or "", validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed(
            "content_base64 is not valid base64",
            errors=[FieldError("body.content_base64", "not valid base64")],
        ) from None
    text, title = await kanri.extractor.extract(data, kind, "body.content_base64")
    return entry_service.Content(text, kind, title)


@dataclass(frozen=True)
class _Target:
    namespace_id: str
    embedding: dict[str, Any]
    chunking: dict[str, Any]
    allow_private: bool


def _target(tx: Session, who: Principal, ns_ref: str) -> _Target:
    ns = service.namespace_row(tx, who, ns_ref)
    project = tenancy.project_settings(tx, ns.project_id)
    allow = project is not None and project.allow_private_network
    return _Target(ns.id, dict(ns.embedding), dict(ns.chunking), allow)


async def write_entry(
    kanri: Kanri,
    who: Principal,
    ns_ref: str,
    entry_id: str | None,
    body: schemas.EntryWrite,
    content: entry_service.Content,
    *,
    replace: bool,
    wait: bool,
) -> schemas.Entry:
    """Store an entry: small input with `wait` is chunked and embedded here and ready in the
    answer; the rest is `processing` until its engine job is done."""
    embedded = await embed_inline(kanri, who, ns_ref, body, content, wait=wait)
    entry = await kanri.db.write(
        entry_service.write_entry, who, ns_ref, entry_id, body, content, embedded, replace=replace
    )
    if entry.status == "processing":
        kanri.wake_engine()
    return entry


async def embed_inline(
    kanri: Kanri,
    who: Principal,
    ns_ref: str,
    body: schemas.EntryWrite,
    content: entry_service.Content,
    *,
    wait: bool,
) -> entry_service.Embedded | None:
    """The chunks and vectors of an entry small enough to be ready in the answer (with
    `wait`); None: the entry is ingested by an engine job."""
    target = await kanri.db.read(_target, who, ns_ref)
    embedded = None
    if wait and len(content.text) <= INLINE_MAX_CHARACTERS:
        chunking = body.chunking.model_dump() if body.chunking else target.chunking
        chunks = chunk_text(content.text, chunking, target.embedding)
        embedder = embedder_for(target.embedding, kanri, target.allow_private, who.project())
        try:
            vectors = await embed_chunks(embedder, chunks)
        except EmbeddingFailed as exc:
            raise ServiceUnavailable(f"the embedding model failed: {exc}") from None
        key = embedding_key(target.embedding)
        if target.embedding.get("dimension") is None and len(vectors):
            dimension = int(vectors.shape[1])
            await kanri.db.write(ingestion.learn_dimension, target.namespace_id, key, dimension)
            key = embedding_key({**target.embedding, "dimension": dimension})
        embedded = entry_service.Embedded(chunks, vectors, key)
    return embedded


def _chunk_all(work: list[ingestion.IngestWork]) -> list[list[Chunk]]:
    return [chunk_text(item.text, item.chunking, item.embedding) for item in work]


async def ingest(
    kanri: Kanri,
    project_id: str,
    namespace_id: str,
    entry_pk: str | None,
    generation: int | None,
) -> dict[str, int]:
    """An ingestion job: chunk and embed the entry (or every processing entry of the
    namespace), storing each entry's chunks in one transaction. Failures mark the entry."""
    done = failed = 0
    while True:
        work = await kanri.db.read(
            ingestion.pending_work, project_id, namespace_id, entry_pk, generation
        )
        if not work:
            return {"ingested": done, "failed": failed}
        progressed = False
        # Every entry of this round is chunked first and their chunks are embedded together:
        # the encoder gets full batches even when entries are one chunk each.
        chunked = await asyncio.to_thread(_chunk_all, work)
        embedding = work[0].embedding
        try:
            embedder = embedder_for(embedding, kanri, work[0].allow_private, project_id)
            vectors = await embed_chunks(embedder, [c for chunks in chunked for c in chunks])
        except EmbeddingFailed as exc:
            for item in work:
                await kanri.db.write(ingestion.fail_ingestion, item, str(exc))
            return {"ingested": done, "failed": failed + len(work)}
        if embedding.get("dimension") is None and len(vectors):
            key = embedding_key(embedding)
            await kanri.db.write(
                ingestion.learn_dimension, namespace_id, key, int(vectors.shape[1])
            )
            embedding = {**embedding, "dimension": int(vectors.shape[1])}
        offset = 0
        for item, chunks in zip(work, chunked, strict=True):
            part = vectors[offset : offset + len(chunks)]
            offset += len(chunks)
            if item.embedding != embedding:
                item = dataclasses.replace(item, embedding=embedding)
            if await kanri.db.write(ingestion.store_ingested, item, chunks, part):
                done += 1
                progressed = True
        if entry_pk is not None or not progressed:
            return {"ingested": done, "failed": failed}


# --- search --------------------------------------------------------------------------------


def _resolve(
    tx: Session, who: Principal, refs: list[str]
) -> tuple[list[KnowledgeNamespaceRow], bool]:
    rows: dict[str, KnowledgeNamespaceRow] = {}
    for ref in refs:
        row = service.namespace_row(tx, who, ref)
        rows[row.id] = row
    project = tenancy.project_settings(tx, who.project())
    return list(rows.values()), project is not None and project.allow_private_network


def _embeddings(
    tx: Session, who: Principal, refs: list[str]
) -> tuple[dict[str, dict[str, Any]], bool]:
    rows, allow = _resolve(tx, who, refs)
    return {row.id: dict(row.embedding) for row in rows}, allow


def _search(
    tx: Session,
    who: Principal,
    refs: list[str],
    query: search.Query,
    hnsw: pgvector.PgVector | None,
) -> list[search.Found]:
    rows, _ = _resolve(tx, who, refs)
    keys = {row.id: embedding_key(row.embedding) for row in rows}
    return search.run(tx, rows, keys, query, hnsw)


async def search_knowledge(
    kanri: Kanri, who: Principal, namespaces: list[str], request: schemas.SearchBase
) -> list[search.Found]:
    """Search the namespaces (ids or names, in who's project and environment).

    Raises NotFound for an unknown namespace, BadRequest for a bad filter,
    ServiceUnavailable when the embedding model fails.
    """
    query = search.Query(
        text=request.query,
        top_k=request.top_k,
        mode=request.mode,
        filter=request.filter,
        min_score=request.min_score,
        keyword_weight=request.weights.keyword,
        vector_weight=request.weights.vector,
    )
    search.SEARCH_FILTERS.compile(request.filter)  # a bad filter fails before any embedding
    if request.mode != "keyword":
        settings, allow = await kanri.db.read(_embeddings, who, namespaces)
        by_key = {embedding_key(e): e for e in settings.values()}
        for key, embedding in by_key.items():
            embedder = embedder_for(embedding, kanri, allow, who.project())
            if isinstance(embedder, LocalEmbedder):
                # Embedded on the scoring thread while the keyword query runs.
                query.vectors[key] = functools.partial(embedder.embed_one_sync, request.query)
                continue
            try:
                query.vectors[key] = (await embedder.embed([request.query]))[0]
            except EmbeddingFailed as exc:
                raise ServiceUnavailable(f"the embedding model failed: {exc}") from None
    try:
        found: list[search.Found] = await kanri.db.read(
            _search, who, namespaces, query, kanri.knowledge_hnsw
        )
    except EmbeddingFailed as exc:
        raise ServiceUnavailable(f"the embedding model failed: {exc}") from None
    return found


def to_result(found: search.Found) -> schemas.SearchResult:
    return schemas.SearchResult(
        namespace=found.namespace,
        entry_id=found.entry_id,
        chunk_id=found.chunk_id,
        title=found.title,
        text=found.text,
        context=found.context,
        metadata=found.metadata,
        source_url=found.source_url,
        score=found.score,
        ranks=schemas.Ranks(keyword=found.keyword_rank, vector=found.vector_rank),
    )
