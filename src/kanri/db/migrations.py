"""Alembic migrations, run programmatically on SQLite and PostgreSQL."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.orm import Session

SCRIPT_LOCATION = str(Path(__file__).with_name("alembic"))


def alembic_config(url: str) -> Config:
    """An Alembic config for `url` (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.set_main_option(
        "file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d_%%(slug)s"
    )
    return config


# Dialect-specific objects the migrations create outside the models: SQLite's FTS5 table of
# knowledge chunks (and its shadow tables), PostgreSQL's stored tsvector of each chunk and
# its GIN index (an expression index before 0013), and where PostgreSQL has pgvector, the
# chunk vectors' table and its HNSW indexes.
UNMODELLED_PREFIXES = (
    "knowledge_chunks_fts",
    "ix_knowledge_chunks_tsv",
    "keyword_tsv",
    "ix_knowledge_chunks_keyword_tsv",
    "knowledge_chunk_vectors",
    "ix_knowledge_chunk_vectors",
)


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic's filter: False for the unmodelled objects above, so comparisons skip them."""
    return not (name or "").startswith(UNMODELLED_PREFIXES)


def upgrade(url: str, revision: str = "head") -> None:
    """Apply pending migrations. Safe to call from a thread while an event loop runs elsewhere."""
    command.upgrade(alembic_config(url), revision)


@cache
def head_revision() -> str | None:
    return ScriptDirectory(SCRIPT_LOCATION).get_current_head()


def current_revision(tx: Session) -> str | None:
    """The revision the database is at (None when never migrated)."""
    return MigrationContext.configure(tx.connection()).get_current_revision()
