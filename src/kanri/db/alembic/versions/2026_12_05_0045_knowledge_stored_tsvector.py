"""knowledge chunks keep their tsvector on PostgreSQL (keyword ranking reads it)

On PostgreSQL, `knowledge_chunks.keyword_tsv` is a stored generated column,
`to_tsvector('english', context || ' ' || text)`, with a GIN index in place of the
expression index over the same value: `ts_rank_cd` reads the stored vector of each match
instead of parsing the chunk's text again. SQLite (FTS5) is unchanged.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 00:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DOCUMENT = "to_tsvector('english'::regconfig, context || ' ' || text)"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "ALTER TABLE knowledge_chunks ADD COLUMN IF NOT EXISTS keyword_tsv tsvector "
        f"GENERATED ALWAYS AS ({DOCUMENT}) STORED"
    )
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_knowledge_chunks_keyword_tsv "
        "ON knowledge_chunks USING gin (keyword_tsv)"
    )
    op.execute("DROP INDEX IF EXISTS ix_knowledge_chunks_tsv")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_knowledge_chunks_tsv "
        f"ON knowledge_chunks USING gin ({DOCUMENT})"
    )
    op.execute("DROP INDEX IF EXISTS ix_knowledge_chunks_keyword_tsv")
    op.execute("ALTER TABLE knowledge_chunks DROP COLUMN IF EXISTS keyword_tsv")
