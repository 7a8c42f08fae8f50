"""Chunk storage and the ingestion jobs that fill it: an engine run per job, the entries it
still has to ingest, and storing (or failing) what it made.

Functions here are database commands and reads (no awaits inside); the job's async work —
chunking, embedding — is in `flows.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from kanri.core.auth import Principal
from kanri.core.ids import new_id
from kanri.core.time import utcnow
from kanri.knowledge import pgvector
from kanri.knowledge.chunking import Chunk
from kanri.knowledge.embeddings import embedding_key
from kanri.knowledge.models import KnowledgeChunkRow, KnowledgeEntryRow, KnowledgeNamespaceRow
from kanri.runs.service import create_run
from kanri.tenancy import service as tenancy

INGEST_KIND = "knowledge.ingest"
# How long an ingestion job may run before it fails.
JOB_TIMEOUT_SECONDS = 6 * 3600


def start_job(
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


def replace_chunks(
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


@dataclass(frozen=True, kw_only=True)
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
    project = tenancy.project_settings(tx, project_id)
    allow_private = project is not None and project.allow_private_network
    return [
        IngestWork(
            entry_pk=row.id,
            generation=row.generation,
            text=row.content,
            chunking=row.chunking or dict(ns.chunking),
            embedding=dict(ns.embedding),
            allow_private=allow_private,
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
    replace_chunks(tx, ns, row, chunks, vectors)
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


def count_chunks(tx: Session, namespace_id: str) -> int:
    return int(
        tx.execute(
            select(func.count()).where(KnowledgeChunkRow.namespace_id == namespace_id)
        ).scalar_one()
    )
