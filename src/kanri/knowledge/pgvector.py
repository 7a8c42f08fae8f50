"""Chunk vectors in pgvector on PostgreSQL, searched through HNSW indexes.

Migration 0012 sets this up only where the `vector` extension is available: the side table
`knowledge_chunk_vectors` (chunk key, namespace, entry, dimension, vector; deleted with its
chunk by ON DELETE CASCADE) and partial HNSW indexes over a cast, one per dimension:
`USING hnsw ((embedding::vector(d)) vector_cosine_ops) WHERE dimension = d`. Writers fill
the table whenever it exists (checked once per connection), in the transaction that writes
the chunks; searches use it when start-up found it (`detect`), exact numpy search otherwise.
The float32 blobs on the chunks stay the source of truth (re-embedding, the exact path).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import (
    REAL,
    ColumnElement,
    Float,
    Select,
    bindparam,
    cast,
    column,
    delete,
    func,
    insert,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import UserDefinedType

from kanri.knowledge.models import KnowledgeEntryRow

# pgvector's HNSW indexes `vector` columns of up to 2,000 dimensions; wider models are
# searched exactly (in SQL, over their namespaces' rows).
MAX_INDEXED_DIMENSION = 2000
# hnsw.ef_search (the candidate list of a scan): 4 times the rows asked for, at least 100
# (pgvector's default, 40, found 34 % of the exact top 5 of 10k random unit vectors, 100
# found 62 %, 200 found 80 %, for 3.6 / 5.0 / 6.2 ms a query: bench/knowledge.py (d)), at
# most pgvector's maximum.
EF_SEARCH_MIN, EF_SEARCH_PER_ROW, EF_SEARCH_MAX = 100, 4, 1000
_ON_CONNECTION = "kanri.knowledge.pgvector"


class VectorType(UserDefinedType[Any]):
    """pgvector's `vector` (of `dimension` values when given)."""

    cache_ok = True

    def __init__(self, dimension: int | None = None) -> None:
        self.dimension = dimension

    def get_col_spec(self, **kw: Any) -> str:
        return "vector" if self.dimension is None else f"vector({self.dimension})"


VECTORS = table(
    "knowledge_chunk_vectors",
    column("chunk_pk"),
    column("namespace_id"),
    column("entry_pk"),
    column("dimension"),
    column("embedding", VectorType()),
)


@dataclass(frozen=True)
class PgVector:
    """The database's pgvector, as start-up found it."""

    version: str

    @property
    def iterative_scan(self) -> bool:
        """pgvector 0.8 goes on scanning an index until enough rows pass the filter."""
        parts = tuple(int(p) for p in self.version.split(".")[:2] if p.isdigit())
        return parts >= (0, 8)


def detect(tx: Session) -> PgVector | None:
    """pgvector's version when the extension is installed and migration 0012 made the
    side table; None otherwise (SQLite, no extension, or it came after the migration)."""
    if tx.get_bind().dialect.name != "postgresql":
        return None
    version = tx.execute(
        text(
            "SELECT extversion FROM pg_extension WHERE extname = 'vector' "
            "AND to_regclass('knowledge_chunk_vectors') IS NOT NULL"
        )
    ).scalar_one_or_none()
    return None if version is None else PgVector(str(version))


def _on_connection(tx: Session) -> dict[str, Any]:
    """What this connection learnt: whether the side table exists, which HNSW indexes do."""
    info = tx.connection().info
    known: dict[str, Any] | None = info.get(_ON_CONNECTION)
    if known is None:
        found = detect(tx)
        indexed: set[int] = set()
        if found is not None:
            names = tx.execute(
                text(
                    "SELECT indexname FROM pg_indexes WHERE tablename = 'knowledge_chunk_vectors' "
                    "AND indexname LIKE 'ix_knowledge_chunk_vectors_hnsw_%'"
                )
            ).scalars()
            indexed = {int(name.rsplit("_", 1)[1]) for name in names}
        known = info[_ON_CONNECTION] = {"enabled": found is not None, "indexed": indexed}
    return known


def enabled(tx: Session) -> bool:
    """True where chunk writes must also write the side table (it exists)."""
    if tx.get_bind().dialect.name != "postgresql":
        return False
    return bool(_on_connection(tx)["enabled"])


def _ensure_index(tx: Session, dimension: int) -> None:
    """The partial HNSW index of `dimension`, built in this transaction the first time a
    model of this dimension stores vectors (an advisory lock keeps two writers apart).
    Only indexes the catalogue shows are remembered: a build rolled back is tried again."""
    known: set[int] = _on_connection(tx)["indexed"]
    if dimension in known or dimension > MAX_INDEXED_DIMENSION:
        return
    name = f"ix_knowledge_chunk_vectors_hnsw_{dimension:d}"
    exists = tx.execute(
        text("SELECT 1 FROM pg_indexes WHERE indexname = :name"), {"name": name}
    ).first()
    if exists is None:
        tx.execute(select(func.pg_advisory_xact_lock(0x6B6E5F766563)))  # "kn_vec"
        # The dimension is an int: the DDL below cannot carry user text.
        tx.execute(
            text(
                f"CREATE INDEX IF NOT EXISTS {name} ON knowledge_chunk_vectors USING hnsw "
                f"((embedding::vector({dimension:d})) vector_cosine_ops) "
                f"WHERE dimension = {dimension:d}"
            )
        )
    else:
        known.add(dimension)


def store(
    tx: Session,
    namespace_id: str,
    entry_pk: str,
    chunk_pks: list[int],
    vectors: np.ndarray[Any, np.dtype[np.float32]],
) -> None:
    """Write the vectors of chunks just inserted (same transaction, same order)."""
    if not chunk_pks:
        return
    dimension = int(vectors.shape[1])
    _ensure_index(tx, dimension)
    # Sent as float4[] (binary, exact for float32 values) and cast to vector by the server.
    values = cast(cast(bindparam("values", type_=ARRAY(REAL)), ARRAY(REAL)), VectorType())
    tx.execute(
        insert(VECTORS).values(embedding=values),
        [
            {
                "chunk_pk": pk,
                "namespace_id": namespace_id,
                "entry_pk": entry_pk,
                "dimension": dimension,
                "values": vector,
            }
            for pk, vector in zip(chunk_pks, vectors.tolist(), strict=True)
        ],
    )


def forget_namespace(tx: Session, namespace_id: str) -> None:
    """Drop a namespace's vectors (its model changed; the chunks stay for keyword search)."""
    tx.execute(delete(VECTORS).where(VECTORS.c.namespace_id == namespace_id))


def nearest(
    tx: Session,
    found: PgVector,
    namespace_ids: list[str],
    query: np.ndarray[Any, np.dtype[np.float32]],
    where: ColumnElement[bool] | None,
    limit: int,
) -> list[tuple[int, float]]:
    """(chunk pk, cosine) of the `limit` nearest chunks of the namespaces (all embedded with
    the model of `query`) that pass `where`, through the HNSW index of the query's dimension.

    When the index scan yields fewer than `limit` rows (a filter kept too few of its
    candidates), the same query runs again without the index: exact, over the rows that
    pass the filter, which are then few.
    """
    ef_search = min(max(EF_SEARCH_MIN, EF_SEARCH_PER_ROW * limit), EF_SEARCH_MAX)
    settings = [func.set_config("hnsw.ef_search", str(ef_search), False)]
    if found.iterative_scan:
        settings.append(func.set_config("hnsw.iterative_scan", "relaxed_order", False))
    # Session settings (reads run outside a transaction block, where SET LOCAL would not
    # last until the query); every HNSW scan of kanri sets them first.
    tx.execute(select(*settings))
    rows = tx.execute(nearest_statement(namespace_ids, query, where, limit)).all()
    if len(rows) < limit:
        exact = nearest_statement(namespace_ids, query, where, limit, exact=True)
        rows = tx.execute(exact).all()
    return [(int(pk), 1.0 - float(distance)) for pk, distance in rows]


def nearest_statement(
    namespace_ids: list[str],
    query: np.ndarray[Any, np.dtype[np.float32]],
    where: ColumnElement[bool] | None,
    limit: int,
    *,
    exact: bool = False,
) -> Select[tuple[Any, float]]:
    """SELECT chunk_pk, cosine distance … ORDER BY distance LIMIT `limit`: in the form the
    HNSW index of the query's dimension serves, or (`exact`) in one no index serves."""
    v = VECTORS
    dimension = int(query.shape[0])
    probe = cast(
        cast(bindparam("query", query.tolist(), type_=ARRAY(REAL)), ARRAY(REAL)),
        VectorType(dimension),
    )
    # The index is on `embedding::vector(d)`; `<=>` on the bare column is the exact form.
    stored = v.c.embedding if exact else cast(v.c.embedding, VectorType(dimension))
    distance = stored.op("<=>", return_type=Float())(probe)
    stmt = (
        select(v.c.chunk_pk, distance.label("distance"))
        # A literal, not a parameter: the planner proves the partial index's predicate
        # from it, in generic plans too.
        .where(v.c.namespace_id.in_(namespace_ids), v.c.dimension == literal_column(str(dimension)))
        .order_by(distance)
        .limit(limit)
    )
    if where is not None:
        stmt = stmt.join(KnowledgeEntryRow, KnowledgeEntryRow.id == v.c.entry_pk).where(where)
    return stmt
