"""Tables of the knowledge base: namespaces, entries and their chunks.

Keyword indexes are dialect-specific and live outside the models (created by the
migration): on SQLite the FTS5 table `knowledge_chunks_fts` (external content over
`knowledge_chunks`, kept in step by triggers), on PostgreSQL the stored generated column
`keyword_tsv` = `to_tsvector('english', context || ' ' || text)` with a GIN index.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from kanri.core import ownership
from kanri.db.base import Base

# An INTEGER PRIMARY KEY is SQLite's rowid, which the FTS5 index refers to.
ChunkKey = BigInteger().with_variant(Integer(), "sqlite")


class KnowledgeNamespaceRow(Base):
    __tablename__ = "knowledge_namespaces"
    __table_args__ = (UniqueConstraint("project_id", "environment_id", "name"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE")
    )
    environment_id: Mapped[str | None] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(63))
    description: Mapped[str] = mapped_column(Text, default="")
    # {"provider": "local"|"openai", "model", "dimension", "base_url", "api_key" (encrypted)}
    embedding: Mapped[dict[str, Any]]
    chunking: Mapped[dict[str, Any]]
    # Bumped by every change of its chunks: the key of the per-process vector cache.
    revision: Mapped[int] = mapped_column(Integer, default=0)
    entry_count: Mapped[int] = mapped_column(Integer, default=0)
    create_time: Mapped[datetime]
    update_time: Mapped[datetime]


class KnowledgeEntryRow(Base):
    __tablename__ = "knowledge_entries"
    __table_args__ = (
        UniqueConstraint("namespace_id", "entry_id"),
        Index(None, "namespace_id", "create_time"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    namespace_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("knowledge_namespaces.id", ondelete="CASCADE")
    )
    project_id: Mapped[str] = mapped_column(String(40))
    environment_id: Mapped[str | None] = mapped_column(String(40))
    entry_id: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(500), default="")
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata")
    source_url: Mapped[str | None] = mapped_column(String(2000))
    content_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[str] = mapped_column(Text)
    chunking: Mapped[dict[str, Any] | None]
    status: Mapped[str] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)
    chunk_count: Mapped[int] = mapped_column(Integer, default=0)
    token_count: Mapped[int] = mapped_column(Integer, default=0)
    # Incremented by every replacement: an ingestion job applies only to its generation.
    generation: Mapped[int] = mapped_column(Integer, default=1)
    job_run_id: Mapped[str | None] = mapped_column(String(40))
    create_time: Mapped[datetime]
    update_time: Mapped[datetime]


class KnowledgeChunkRow(Base):
    __tablename__ = "knowledge_chunks"
    __table_args__ = (Index(None, "namespace_id", "pk"), Index(None, "entry_pk", "seq"))

    pk: Mapped[int] = mapped_column(ChunkKey, primary_key=True, autoincrement=True)
    chunk_id: Mapped[str] = mapped_column(String(40), unique=True)
    namespace_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("knowledge_namespaces.id", ondelete="CASCADE")
    )
    entry_pk: Mapped[str] = mapped_column(
        String(40), ForeignKey("knowledge_entries.id", ondelete="CASCADE")
    )
    seq: Mapped[int] = mapped_column(Integer)
    context: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text)
    token_count: Mapped[int] = mapped_column(Integer)
    # float32 little-endian, `dimension` values; null until embedded.
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)


ownership.register("kns", KnowledgeNamespaceRow, "knowledge namespace")
