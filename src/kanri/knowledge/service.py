"""Business rules of the knowledge base: namespaces, entries, chunk storage, ingestion jobs.

Functions here are database commands and reads (no awaits inside); the async work —
extracting, chunking, embedding, searching — is in `flows.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Select, delete, func, insert, select, update
from sqlalchemy.orm import Session

from kanri.core import audit, events, secrets
from kanri.core.auth import Principal
from kanri.core.errors import Conflict, FieldError, ValidationFailed, not_found
from kanri.core.filtering import FilterField, FilterSpec
from kanri.core.ids import looks_like_id, new_id
from kanri.core.pagination import ListParams, Page, paginate
from kanri.core.scoping import scoped
from kanri.core.time import utcnow
from kanri.knowledge import pgvector, schemas
from kanri.knowledge.chunking import Chunk
from kanri.knowledge.embeddings import LOCAL_PROVIDER, minilm
from kanri.knowledge.models import KnowledgeChunkRow, KnowledgeEntryRow, KnowledgeNamespaceRow
from kanri.knowledge.search import MetadataFilterSpec
from kanri.providers.models import ProviderRow
from kanri.runs.service import create_run
from kanri.tenancy.models import ProjectRow

INGEST_KIND = "knowledge.ingest"
ENTRY_FILTERS = MetadataFilterSpec(
    {
        "id": FilterField(KnowledgeEntryRow.entry_id),
        "title": FilterField(KnowledgeEntryRow.title),
        "status": FilterField(KnowledgeEntryRow.status),
        "content_type": FilterField(KnowledgeEntryRow.content_type),
        "source_url": FilterField(KnowledgeEntryRow.source_url),
        "chunk_count": FilterField(KnowledgeEntryRow.chunk_count, "integer"),
        "metadata": FilterField(KnowledgeEntryRow.metadata_, "map"),
        "create_time": FilterField(KnowledgeEntryRow.create_time, "timestamp"),
        "update_time": FilterField(KnowledgeEntryRow.update_time, "timestamp"),
    }
)
NAMESPACE_FILTERS = FilterSpec(
    {
        "id": FilterField(KnowledgeNamespaceRow.id),
        "name": FilterField(KnowledgeNamespaceRow.name),
        "entry_count": FilterField(KnowledgeNamespaceRow.entry_count, "integer"),
        "create_time": FilterField(KnowledgeNamespaceRow.create_time, "timestamp"),
        "update_time": FilterField(KnowledgeNamespaceRow.update_time, "timestamp"),
    }
)
OPENAI_WINDOW = 8191
# How long an ingestion job may run before it fails.
JOB_TIMEOUT_SECONDS = 6 * 3600


# --- secrets -------------------------------------------------------------------------------


def secret_box(secret: bytes) -> secrets.SecretBox:
    """What encrypts embedding endpoints' API keys at rest (core/secrets.py)."""
    return secrets.box(secret, "knowledge-embedding-api-key")


def api_key_of(embedding: dict[str, Any], box: secrets.SecretBox) -> str | None:
    token = embedding.get("api_key_encrypted")
    if not token:
        return None
    try:
        return box.decrypt(token)
    except ValueError:  # another secret key: the endpoint is called without one
        return None


# --- namespaces ----------------------------------------------------------------------------


def _namespaces(who: Principal) -> Select[KnowledgeNamespaceRow]:
    return scoped(select(KnowledgeNamespaceRow), who, environment=True)


def namespace_row(tx: Session, who: Principal, ref: str) -> KnowledgeNamespaceRow:
    """Namespace `ref` (id or name) of who's project and environment; NotFound otherwise."""
    column = KnowledgeNamespaceRow.id if looks_like_id(ref, "kns") else KnowledgeNamespaceRow.name
    row = tx.execute(_namespaces(who).where(column == ref)).scalar_one_or_none()
    if row is None:
        raise not_found("namespace", ref)
    return row


def namespace_embedding(tx: Session, who: Principal, ref: str) -> dict[str, Any]:
    return dict(namespace_row(tx, who, ref).embedding)


def embedding_key(embedding: dict[str, Any]) -> str:
    """What identifies a model: vectors are comparable only under one key."""
    return "|".join(
        str(embedding.get(name) or "")
        for name in ("provider", "model", "base_url", "provider_id", "dimension")
    )


def stored_embedding(
    tx: Session,
    who: Principal,
    body: schemas.EmbeddingSettings,
    box: secrets.SecretBox,
    before: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The namespace's `embedding` column for settings `body` (a provider must be one of the
    project's, of kind openai)."""
    if body.provider == LOCAL_PROVIDER:
        return {
            "provider": LOCAL_PROVIDER,
            "model": minilm.MODEL_NAME,
            "dimension": minilm.DIMENSION,
            "max_tokens": minilm.MAX_TOKENS,
        }
    if body.provider_id is not None:
        found = _provider(tx, who, body.provider_id)
        return {
            "provider": body.provider,
            "model": body.model,
            "provider_id": found.id,
            "dimension": body.dimension,
            "max_tokens": body.max_tokens or OPENAI_WINDOW,
        }
    stored: dict[str, Any] = {
        "provider": body.provider,
        "model": body.model,
        "base_url": (body.base_url or "").rstrip("/"),
        "dimension": body.dimension,
        "max_tokens": body.max_tokens or OPENAI_WINDOW,
    }
    if body.api_key is not None:
        stored["api_key_encrypted"] = box.encrypt(body.api_key)
    elif before and before.get("base_url") == stored["base_url"]:
        stored["api_key_encrypted"] = before.get("api_key_encrypted")
    return stored


def _provider(tx: Session, who: Principal, ref: str) -> ProviderRow:
    column = ProviderRow.id if looks_like_id(ref, "prv") else ProviderRow.name
    row = tx.execute(
        select(ProviderRow).where(ProviderRow.project_id == who.project(), column == ref)
    ).scalar_one_or_none()
    field = "body.embedding.provider_id"
    if row is None:
        raise ValidationFailed(
            f"no provider '{ref}' in this project",
            errors=[FieldError(field, "no such provider in this project")],
        )
    if row.kind != "openai":
        raise ValidationFailed(
            f"provider '{ref}' is of kind {row.kind}: embeddings need an openai provider",
            errors=[FieldError(field, "must be a provider of kind openai")],
        )
    return row


def to_namespace(row: KnowledgeNamespaceRow) -> schemas.Namespace:
    e = row.embedding
    return schemas.Namespace(
        id=row.id,
        project_id=row.project_id,
        environment_id=row.environment_id,
        name=row.name,
        description=row.description,
        embedding=schemas.EmbeddingInfo(
            provider=e["provider"],
            model=e["model"],
            dimension=e.get("dimension"),
            max_tokens=e["max_tokens"],
            provider_id=e.get("provider_id"),
            base_url=e.get("base_url"),
            api_key_set=bool(e.get("api_key_encrypted")),
        ),
        chunking=schemas.ChunkingSettings.model_validate(row.chunking),
        entry_count=row.entry_count,
        create_time=row.create_time,
        update_time=row.update_time,
    )


def _name_free(tx: Session, who: Principal, name: str) -> None:
    if tx.execute(_namespaces(who).where(KnowledgeNamespaceRow.name == name)).first():
        raise Conflict(
            f"a namespace named '{name}' already exists in this environment",
            errors=[FieldError("body.name", "already used in this environment")],
        )


def create_namespace(
    tx: Session, who: Principal, body: schemas.NamespaceCreate, embedding: dict[str, Any]
) -> schemas.Namespace:
    _name_free(tx, who, body.name)
    now = utcnow()
    row = KnowledgeNamespaceRow(
        id=new_id("kns"),
        project_id=who.project(),
        environment_id=who.environment_id,
        name=body.name,
        description=body.description,
        embedding=embedding,
        chunking=body.chunking.model_dump(),
        revision=0,
        entry_count=0,
        create_time=now,
        update_time=now,
    )
    tx.add(row)
    tx.flush()
    audit.record(
        tx, who, "knowledge.namespace.created", "namespace", row.id, {"name": {"to": row.name}}
    )
    events.emit(
        tx,
        who,
        "knowledge.namespace.created",
        "namespace",
        row.id,
        {"id": row.id, "name": row.name},
    )
    return to_namespace(row)


def get_namespace(tx: Session, who: Principal, ref: str) -> schemas.Namespace:
    return to_namespace(namespace_row(tx, who, ref))


def list_namespaces(tx: Session, who: Principal, params: ListParams) -> Page[schemas.Namespace]:
    page = paginate(
        tx,
        _namespaces(who),
        NAMESPACE_FILTERS,
        params,
        id_column=KnowledgeNamespaceRow.id,
        default_order="create_time",
    )
    return page.map(to_namespace)


def update_namespace(
    tx: Session,
    who: Principal,
    ref: str,
    body: schemas.NamespaceUpdate,
    embedding: dict[str, Any] | None,
) -> schemas.Namespace:
    """Change a namespace; a different embedding model re-embeds every entry in the background."""
    row = namespace_row(tx, who, ref)
    changes: dict[str, Any] = {}
    if body.name is not None and body.name != row.name:
        _name_free(tx, who, body.name)
        changes["name"] = {"from": row.name, "to": body.name}
        row.name = body.name
    if body.description is not None and body.description != row.description:
        changes["description"] = {"changed": True}
        row.description = body.description
    if body.chunking is not None and body.chunking.model_dump() != row.chunking:
        changes["chunking"] = {"from": row.chunking, "to": body.chunking.model_dump()}
        row.chunking = body.chunking.model_dump()
    if embedding is not None and embedding != row.embedding:
        model_changed = embedding_key(embedding) != embedding_key(row.embedding)
        changes["embedding"] = {"from": row.embedding["model"], "to": embedding["model"]}
        row.embedding = embedding
        if model_changed:
            _reembed(tx, who, row)
    if changes:
        row.update_time = utcnow()
        audit.record(tx, who, "knowledge.namespace.updated", "namespace", row.id, changes)
        events.emit(tx, who, "knowledge.namespace.updated", "namespace", row.id, {"id": row.id})
    tx.flush()
    return to_namespace(row)


def _reembed(tx: Session, who: Principal, row: KnowledgeNamespaceRow) -> None:
    # Old vectors are of another model: drop them now (keyword search keeps working).
    tx.execute(
        update(KnowledgeChunkRow)
        .where(KnowledgeChunkRow.namespace_id == row.id)
        .values(embedding=None)
    )
    if pgvector.enabled(tx):
        pgvector.forget_namespace(tx, row.id)
    row.revision += 1
    has_entries = tx.execute(
        select(KnowledgeEntryRow.id).where(KnowledgeEntryRow.namespace_id == row.id).limit(1)
    ).first()
    if has_entries is None:
        return
    run_id = _start_job(tx, who, row, None, 0)
    tx.execute(
        update(KnowledgeEntryRow)
        .where(KnowledgeEntryRow.namespace_id == row.id)
        .values(
            status="processing",
            error=None,
            generation=KnowledgeEntryRow.generation + 1,
            job_run_id=run_id,
            update_time=utcnow(),
        )
    )


def delete_namespace(tx: Session, who: Principal, ref: str) -> None:
    row = namespace_row(tx, who, ref)
    # Row by row so that SQLite's full-text triggers see every chunk go.
    tx.execute(delete(KnowledgeChunkRow).where(KnowledgeChunkRow.namespace_id == row.id))
    tx.execute(delete(KnowledgeEntryRow).where(KnowledgeEntryRow.namespace_id == row.id))
    audit.record(
        tx, who, "knowledge.namespace.deleted", "namespace", row.id, {"name": {"from": row.name}}
    )
    events.emit(tx, who, "knowledge.namespace.deleted", "namespace", row.id, {"id": row.id})
    tx.delete(row)


# --- entries -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Content:
    """An entry's extracted text and what it came from."""

    text: str
    content_type: str
    title: str


@dataclass(frozen=True)
class Embedded:
    """Chunks embedded inline, and the model (embedding_key) that made the vectors."""

    chunks: list[Chunk]
    vectors: np.ndarray[Any, np.dtype[np.float32]]
    model_key: str


def _entries(who: Principal) -> Select[KnowledgeEntryRow]:
    return scoped(select(KnowledgeEntryRow), who, environment=True)


def to_entry(row: KnowledgeEntryRow) -> schemas.Entry:
    return schemas.Entry(
        id=row.entry_id,
        namespace_id=row.namespace_id,
        title=row.title,
        metadata=row.metadata_,
        source_url=row.source_url,
        content_type=row.content_type,
        status=row.status,
        error=row.error,
        chunk_count=row.chunk_count,
        token_count=row.token_count,
        characters=len(row.content),
        job_run_id=row.job_run_id,
        create_time=row.create_time,
        update_time=row.update_time,
    )


def entry_row(
    tx: Session, who: Principal, ns: KnowledgeNamespaceRow, entry_id: str
) -> KnowledgeEntryRow:
    row = tx.execute(
        _entries(who).where(
            KnowledgeEntryRow.namespace_id == ns.id, KnowledgeEntryRow.entry_id == entry_id
        )
    ).scalar_one_or_none()
    if row is None:
        raise not_found("entry", entry_id)
    return row


def chunking_of(ns: KnowledgeNamespaceRow, body: schemas.EntryWrite) -> dict[str, Any]:
    return body.chunking.model_dump() if body.chunking else dict(ns.chunking)


def write_entry(
    tx: Session,
    who: Principal,
    ns_ref: str,
    entry_id: str | None,
    body: schemas.EntryWrite,
    content: Content,
    embedded: Embedded | None,
    *,
    replace: bool,
) -> schemas.Entry:
    """Create (or, with `replace`, replace) an entry and its chunks in one transaction.

    With `embedded` chunks (made with the namespace's current model) the entry is ready at
    once; otherwise it is `processing` and an ingestion job on the engine makes its chunks.
    Raises NotFound (namespace), Conflict (an id already used, when not replacing).
    """
    ns = namespace_row(tx, who, ns_ref)
    now = utcnow()
    row = None
    if entry_id is not None:
        row = tx.execute(
            _entries(who).where(
                KnowledgeEntryRow.namespace_id == ns.id, KnowledgeEntryRow.entry_id == entry_id
            )
        ).scalar_one_or_none()
        if row is not None and not replace:
            raise Conflict(
                f"entry '{entry_id}' already exists: PUT it to replace it",
                errors=[FieldError("body.id", "already used in this namespace")],
            )
    created = row is None
    if row is None:
        row = KnowledgeEntryRow(
            id=new_id("kne"),
            namespace_id=ns.id,
            project_id=ns.project_id,
            environment_id=ns.environment_id,
            entry_id=entry_id or new_id("ent"),
            generation=1,
            status="processing",
            chunk_count=0,
            token_count=0,
            create_time=now,
        )
        tx.add(row)
        ns.entry_count += 1
    else:
        row.generation += 1
    row.title = body.title or content.title
    row.metadata_ = dict(body.metadata)
    row.source_url = body.source_url
    row.content_type = content.content_type
    row.content = content.text
    row.chunking = body.chunking.model_dump() if body.chunking else None
    row.error = None
    row.update_time = now
    tx.flush()
    if embedded is not None and embedded.model_key == embedding_key(ns.embedding):
        _replace_chunks(tx, ns, row, embedded.chunks, embedded.vectors)
        row.status = "ready"
        row.job_run_id = None
    else:
        row.status = "processing"
        row.job_run_id = _start_job(tx, who, ns, row, row.generation)
    action = "knowledge.entry.created" if created else "knowledge.entry.replaced"
    audit.record(tx, who, action, "knowledge_entry", row.id, {"entry_id": {"to": row.entry_id}})
    events.emit(
        tx, who, action, "knowledge_entry", row.id,
        {"namespace_id": ns.id, "entry_id": row.entry_id, "status": row.status},
    )  # fmt: skip
    tx.flush()
    return to_entry(row)


def _replace_chunks(
    tx: Session,
    ns: KnowledgeNamespaceRow,
    row: KnowledgeEntryRow,
    chunks: list[Chunk],
    vectors: np.ndarray[Any, np.dtype[np.float32]] | None,
) -> None:
    tx.execute(delete(KnowledgeChunkRow).where(KnowledgeChunkRow.entry_pk == row.id))
    if chunks:
        stored = None if vectors is None else np.ascontiguousarray(vectors, dtype="<f4")
        # With pgvector, the vectors also go to its table, keyed by the chunks' new keys.
        in_pgvector = stored is not None and pgvector.enabled(tx)
        stmt = insert(KnowledgeChunkRow)
        if in_pgvector:
            stmt = stmt.returning(KnowledgeChunkRow.pk, sort_by_parameter_order=True)
        # One multi-row INSERT (no ORM objects): the indexes' triggers run as for any row.
        inserted = tx.execute(
            stmt,
            [
                {
                    "chunk_id": new_id("knc"),
                    "namespace_id": ns.id,
                    "entry_pk": row.id,
                    "seq": chunk.seq,
                    "context": chunk.context,
                    "text": chunk.text,
                    "token_count": chunk.token_count,
                    "embedding": None if stored is None else stored[index].tobytes(),
                }
                for index, chunk in enumerate(chunks)
            ],
        )
        if in_pgvector and stored is not None:
            pgvector.store(tx, ns.id, row.id, list(inserted.scalars()), stored)
    row.chunk_count = len(chunks)
    row.token_count = sum(chunk.token_count for chunk in chunks)
    ns.revision += 1
    tx.flush()


def get_entry(tx: Session, who: Principal, ns_ref: str, entry_id: str) -> schemas.Entry:
    return to_entry(entry_row(tx, who, namespace_row(tx, who, ns_ref), entry_id))


def list_entries(
    tx: Session, who: Principal, ns_ref: str, params: ListParams
) -> Page[schemas.Entry]:
    ns = namespace_row(tx, who, ns_ref)
    page = paginate(
        tx,
        _entries(who).where(KnowledgeEntryRow.namespace_id == ns.id),
        ENTRY_FILTERS,
        params,
        id_column=KnowledgeEntryRow.id,
        default_order="create_time",
    )
    return page.map(to_entry)


def delete_entry(tx: Session, who: Principal, ns_ref: str, entry_id: str) -> None:
    """Remove the entry and its chunks (from both the keyword and the vector index)."""
    ns = namespace_row(tx, who, ns_ref)
    row = entry_row(tx, who, ns, entry_id)
    tx.execute(delete(KnowledgeChunkRow).where(KnowledgeChunkRow.entry_pk == row.id))
    ns.revision += 1
    ns.entry_count -= 1
    audit.record(
        tx,
        who,
        "knowledge.entry.deleted",
        "knowledge_entry",
        row.id,
        {"entry_id": {"from": row.entry_id}},
    )
    events.emit(
        tx,
        who,
        "knowledge.entry.deleted",
        "knowledge_entry",
        row.id,
        {"namespace_id": ns.id, "entry_id": row.entry_id},
    )
    tx.delete(row)


# --- ingestion jobs ------------------------------------------------------------------------


def _start_job(
    tx: Session,
    who: Principal,
    ns: KnowledgeNamespaceRow,
    entry: KnowledgeEntryRow | None,
    generation: int,
) -> str:
    """A pending engine run whose one `knowledge.ingest` step chunks and embeds the entry
    (or every processing entry of the namespace): durable, retried, visible under /v1/runs."""
    step: dict[str, Any] = {"id": "ingest", "kind": INGEST_KIND, "namespace_id": ns.id}
    if entry is not None:
        step |= {"entry": entry.id, "generation": generation}
    run = create_run(
        tx,
        who,
        definition={"steps": [step], "timeout_seconds": JOB_TIMEOUT_SECONDS},
        inputs={},
        labels={"kanri.knowledge.namespace": ns.id},
        project_id=ns.project_id,
        environment_id=ns.environment_id,
    )
    return run.id


@dataclass(frozen=True)
class IngestWork:
    """What an ingestion job reads before its (awaiting) chunk-and-embed work."""

    entry_pk: str
    generation: int
    text: str
    chunking: dict[str, Any]
    embedding: dict[str, Any]
    allow_private: bool


def pending_work(
    tx: Session, project_id: str, namespace_id: str, entry_pk: str | None, generation: int | None
) -> list[IngestWork]:
    """The entries a job still has to ingest (none once superseded or done)."""
    ns = tx.execute(
        select(KnowledgeNamespaceRow).where(
            KnowledgeNamespaceRow.id == namespace_id,
            KnowledgeNamespaceRow.project_id == project_id,
        )
    ).scalar_one_or_none()
    if ns is None:
        return []
    stmt = select(KnowledgeEntryRow).where(
        KnowledgeEntryRow.namespace_id == ns.id, KnowledgeEntryRow.status == "processing"
    )
    if entry_pk is not None:
        stmt = stmt.where(
            KnowledgeEntryRow.id == entry_pk, KnowledgeEntryRow.generation == generation
        )
    allow_private = bool(
        tx.execute(
            select(ProjectRow.allow_private_network).where(ProjectRow.id == project_id)
        ).scalar_one_or_none()
    )
    return [
        IngestWork(
            row.id,
            row.generation,
            row.content,
            row.chunking or dict(ns.chunking),
            dict(ns.embedding),
            allow_private,
        )
        for row in tx.execute(stmt.order_by(KnowledgeEntryRow.create_time).limit(100)).scalars()
    ]


def store_ingested(
    tx: Session,
    work: IngestWork,
    chunks: list[Chunk],
    vectors: np.ndarray[Any, np.dtype[np.float32]],
) -> bool:
    """Replace the entry's chunks with the job's, if the entry and the model are unchanged."""
    row = tx.get(KnowledgeEntryRow, work.entry_pk, with_for_update=True)
    if row is None or row.generation != work.generation or row.status != "processing":
        return False
    ns = tx.get(KnowledgeNamespaceRow, row.namespace_id, with_for_update=True)
    if ns is None or embedding_key(ns.embedding) != embedding_key(work.embedding):
        return False
    _replace_chunks(tx, ns, row, chunks, vectors)
    row.status = "ready"
    row.update_time = utcnow()
    return True


def fail_ingestion(tx: Session, work: IngestWork, message: str) -> None:
    row = tx.get(KnowledgeEntryRow, work.entry_pk, with_for_update=True)
    if row is None or row.generation != work.generation:
        return
    row.status = "failed"
    row.error = message[:2000]
    row.update_time = utcnow()


def learn_dimension(tx: Session, namespace_id: str, key: str, dimension: int) -> None:
    """Record an endpoint's dimension the first time it answers."""
    ns = tx.get(KnowledgeNamespaceRow, namespace_id, with_for_update=True)
    if (
        ns is not None
        and ns.embedding.get("dimension") is None
        and embedding_key(ns.embedding) == key
    ):
        ns.embedding = {**ns.embedding, "dimension": dimension}


def project_organization(tx: Session, project_id: str) -> str | None:
    return tx.execute(
        select(ProjectRow.organization_id).where(ProjectRow.id == project_id)
    ).scalar_one_or_none()


def count_chunks(tx: Session, namespace_id: str) -> int:
    return int(
        tx.execute(
            select(func.count()).where(KnowledgeChunkRow.namespace_id == namespace_id)
        ).scalar_one()
    )
