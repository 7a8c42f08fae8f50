"""Business rules of knowledge entries: writing (inline-embedded or left to an ingestion
job), reading, listing and deleting them.

Functions here are database commands and reads (no awaits inside); the async work —
extracting, chunking, embedding — is in `flows.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from kanri.core import audit, events
from kanri.core.auth import Principal
from kanri.core.errors import Conflict, FieldError, not_found
from kanri.core.filtering import FilterField
from kanri.core.ids import new_id
from kanri.core.pagination import ListParams, Page, paginate
from kanri.core.scoping import scoped
from kanri.core.time import utcnow
from kanri.knowledge import schemas
from kanri.knowledge.chunking import Chunk
from kanri.knowledge.embeddings import embedding_key
from kanri.knowledge.ingestion import replace_chunks, start_job
from kanri.knowledge.models import KnowledgeChunkRow, KnowledgeEntryRow, KnowledgeNamespaceRow
from kanri.knowledge.search import MetadataFilterSpec
from kanri.knowledge.service import namespace_row

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
        replace_chunks(tx, ns, row, embedded.chunks, embedded.vectors)
        row.status = "ready"
        row.job_run_id = None
    else:
        row.status = "processing"
        row.job_run_id = start_job(tx, who, ns, row, row.generation)
    action = "knowledge.entry.created" if created else "knowledge.entry.replaced"
    audit.record(tx, who, action, "knowledge_entry", row.id, {"entry_id": {"to": row.entry_id}})
    events.emit(
        tx, who, action, "knowledge_entry", row.id,
        {"namespace_id": ns.id, "entry_id": row.entry_id, "status": row.status},
    )  # fmt: skip
    tx.flush()
    return to_entry(row)


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
