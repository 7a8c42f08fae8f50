"""knowledge chunk vectors in pgvector (HNSW), where PostgreSQL has the extension

Where the `vector` extension is available, installs it (tolerating a missing privilege),
creates `knowledge_chunk_vectors` (a side table: one row per embedded chunk, removed with
it) with a partial HNSW index for MiniLM's 384 dimensions, and copies the vectors already
stored on the chunks. Elsewhere (SQLite, PostgreSQL without pgvector) it does nothing, and
search stays exact. Every statement is idempotent.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 23:50:00
"""

from collections.abc import Sequence

import numpy as np
import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL_BATCH = 1000


def _pgvector_installed(bind: sa.Connection) -> bool:
    """True once the extension is installed: here, if it is available and we may create it."""
    row = bind.execute(
        sa.text(
            "SELECT installed_version IS NOT NULL FROM pg_available_extensions "
            "WHERE name = 'vector'"
        )
    ).first()
    if row is None:
        return False
    if row[0]:
        return True
    try:
        with bind.begin_nested():  # a refused CREATE EXTENSION must not abort the migration
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS vector"))
    except sa.exc.DBAPIError:
        return False
    return True


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or not _pgvector_installed(bind):
        return
    op.execute(
        "CREATE TABLE IF NOT EXISTS knowledge_chunk_vectors ("
        " chunk_pk BIGINT NOT NULL,"
        " namespace_id VARCHAR(40) NOT NULL,"
        " entry_pk VARCHAR(40) NOT NULL,"
        " dimension INTEGER NOT NULL,"
        " embedding vector NOT NULL,"
        " CONSTRAINT pk_knowledge_chunk_vectors PRIMARY KEY (chunk_pk),"
        " CONSTRAINT fk_knowledge_chunk_vectors_chunk_pk_knowledge_chunks"
        " FOREIGN KEY (chunk_pk) REFERENCES knowledge_chunks (pk) ON DELETE CASCADE)"
    )
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_knowledge_chunk_vectors_namespace_id_dimension"
        " ON knowledge_chunk_vectors (namespace_id, dimension)"
    )
    # HNSW needs one dimension per index: a partial index over a cast, per dimension (other
    # dimensions get theirs when their first vectors are stored, kanri.knowledge.pgvector).
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_knowledge_chunk_vectors_hnsw_384"
        " ON knowledge_chunk_vectors USING hnsw ((embedding::vector(384)) vector_cosine_ops)"
        " WHERE dimension = 384"
    )
    _backfill(bind)


def _backfill(bind: sa.Connection) -> None:
    """Copy the float32 blobs of the chunks (those of their namespace's dimension)."""
    read = sa.text(
        "SELECT c.pk, c.namespace_id, c.entry_pk, c.embedding FROM knowledge_chunks c"
        " JOIN knowledge_namespaces n ON n.id = c.namespace_id"
        " WHERE c.pk > :after AND c.embedding IS NOT NULL"
        " AND length(c.embedding) = 4 * (n.embedding ->> 'dimension')::int"
        " ORDER BY c.pk LIMIT :batch"
    )
    write = sa.text(
        "INSERT INTO knowledge_chunk_vectors"
        " (chunk_pk, namespace_id, entry_pk, dimension, embedding)"
        " VALUES (:chunk_pk, :namespace_id, :entry_pk, :dimension,"
        " CAST(CAST(:embedding AS real[]) AS vector))"
        " ON CONFLICT (chunk_pk) DO NOTHING"
    )
    after = 0
    while True:
        rows = bind.execute(read, {"after": after, "batch": BACKFILL_BATCH}).all()
        if not rows:
            return
        values = [np.frombuffer(blob, dtype="<f4") for _, _, _, blob in rows]
        bind.execute(
            write,
            [
                {
                    "chunk_pk": pk,
                    "namespace_id": namespace_id,
                    "entry_pk": entry_pk,
                    "dimension": len(vector),
                    "embedding": vector.tolist(),
                }
                for (pk, namespace_id, entry_pk, _), vector in zip(rows, values, strict=True)
            ],
        )
        after = rows[-1][0]


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE IF EXISTS knowledge_chunk_vectors")
