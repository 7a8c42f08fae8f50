"""Hybrid search: keyword (SQLite FTS5 BM25 / PostgreSQL full text) and vector (exact cosine
in numpy over a per-namespace cache, or pgvector's HNSW index on a PostgreSQL that has it),
merged by weighted reciprocal-rank fusion.

Everything here runs inside one read transaction: the vector cache is keyed by the
namespace's `revision`, which every change of its chunks bumps in the same transaction, so
a search never mixes a stale matrix with fresh rows.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import (
    Boolean,
    ColumnElement,
    String,
    cast,
    column,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import Grouping
from sqlalchemy.sql.visitors import InternalTraversal

from kanri.core.filtering import FilterField, FilterSpec
from kanri.knowledge import pgvector
from kanri.knowledge.models import KnowledgeChunkRow, KnowledgeEntryRow, KnowledgeNamespaceRow

# Reciprocal-rank fusion's constant (Cormack et al. 2009).
RRF_K = 60


class _MemberContains(ColumnElement[bool]):
    """True when member `key` of JSON object `column` is an array holding the string `value`."""

    inherit_cache = True
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("key", InternalTraversal.dp_string),
        ("value", InternalTraversal.dp_clauseelement),
    ]
    type = Boolean()

    def __init__(self, column: ColumnElement[Any], key: str, value: str) -> None:
        self.column = column
        self.key = key
        self.value = literal(value, String())

    @property
    def _from_objects(self) -> list[Any]:
        return self.column._from_objects


@compiles(_MemberContains, "sqlite")
def _member_contains_sqlite(element: _MemberContains, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    path = compiler.process(literal(f'$."{element.key}"', String()), **kw)
    value = compiler.process(element.value, **kw)
    # All parts are SQL the compiler rendered (the path and value are bound parameters).
    return (
        f"(json_type({column}, {path}) = 'array' AND EXISTS (SELECT 1 FROM "  # noqa: S608
        f"json_each({column}, {path}) WHERE json_each.value = {value}))"
    )


@compiles(_MemberContains)
def _member_contains_pg(element: _MemberContains, compiler: SQLCompiler, **kw: Any) -> str:
    member = element.column.op("->")(literal(element.key, String()))
    needle = func.jsonb_build_array(cast(element.value, String()))
    return compiler.process(Grouping(member.op("@>")(needle)), **kw)


class MetadataFilterSpec(FilterSpec):
    """AIP-160 where `metadata.<key>:"v"` also matches a list member holding "v"."""

    @staticmethod
    def _map(
        name: str, column: ColumnElement[Any], key: str | None, op: str, value: Any, pos: int
    ) -> ColumnElement[bool]:
        scalar = FilterSpec._map(name, column, key, op, value, pos)
        if key is None or op != ":" or value.is_null or value.wildcard:
            return scalar
        return or_(scalar, _MemberContains(column, key, value.text))


SEARCH_FILTERS = MetadataFilterSpec(
    {
        "entry_id": FilterField(KnowledgeEntryRow.entry_id),
        "title": FilterField(KnowledgeEntryRow.title),
        "content_type": FilterField(KnowledgeEntryRow.content_type),
        "source_url": FilterField(KnowledgeEntryRow.source_url),
        "metadata": FilterField(KnowledgeEntryRow.metadata_, "map"),
        "create_time": FilterField(KnowledgeEntryRow.create_time, "timestamp"),
        "update_time": FilterField(KnowledgeEntryRow.update_time, "timestamp"),
    }
)
_TERM = re.compile(r"\w+")
MAX_TERMS = 32
CACHE_BYTES = 1 << 30


Vector = np.ndarray[Any, np.dtype[np.float32]]
QueryVector = Vector | Callable[[], Vector]


@dataclass(frozen=True, kw_only=True)
class Query:
    text: str
    top_k: int
    mode: str
    filter: str | None = None
    min_score: float | None = None
    keyword_weight: float = 1.0
    vector_weight: float = 1.0
    # Query vectors by embedding key (hybrid and vector modes), or what computes one (the
    # local model: called on the scoring thread, while the keyword query runs).
    vectors: dict[str, QueryVector] = field(default_factory=dict)


@dataclass(kw_only=True)
class Hit:
    pk: int
    score: float = 0.0
    keyword_rank: int | None = None
    vector_rank: int | None = None
    keyword_score: float | None = None
    vector_score: float | None = None


@dataclass(frozen=True, kw_only=True)
class Found:
    """A result chunk with its entry's fields."""

    namespace: str
    entry_id: str
    chunk_id: str
    title: str
    text: str
    context: str
    metadata: dict[str, Any]
    source_url: str | None
    score: float
    keyword_rank: int | None
    vector_rank: int | None


def terms(text: str) -> list[str]:
    """The query's distinct words (lower case, at most MAX_TERMS): what keyword search matches."""
    seen: dict[str, None] = {}
    for term in _TERM.findall(text.lower()):
        seen.setdefault(term, None)
    return list(seen)[:MAX_TERMS]


# --- keyword -------------------------------------------------------------------------------


def keyword_hits(
    tx: Session, namespace_ids: list[str], text: str, where: ColumnElement[bool] | None, limit: int
) -> list[tuple[int, float]]:
    """(chunk pk, relevance: higher is better) of the best `limit` keyword matches."""
    words = terms(text)
    if not words:
        return []
    if tx.get_bind().dialect.name == "sqlite":
        return _keyword_sqlite(tx, namespace_ids, words, where, limit)
    c = KnowledgeChunkRow
    # The stored to_tsvector('english', context || ' ' || text), GIN-indexed (migration 0013).
    document: ColumnElement[Any] = literal_column("knowledge_chunks.keyword_tsv")
    tsquery = func.to_tsquery(literal_column("'english'::regconfig"), " | ".join(words))
    score = func.ts_rank_cd(document, tsquery)
    stmt = (
        select(c.pk, score.label("score"))
        .where(document.op("@@")(tsquery), c.namespace_id.in_(namespace_ids))
        .order_by(score.desc(), c.pk)
    )
    if where is not None:
        stmt = stmt.join(KnowledgeEntryRow, KnowledgeEntryRow.id == c.entry_pk).where(where)
    return [(int(pk), float(s)) for pk, s in tx.execute(stmt.limit(limit)).all()]


# The FTS5 index spans every namespace: its best matches are read in bm25 order, this many
# times `limit` at first, and only those rows are joined to their chunks and entries to keep
# the namespaces' (and the filter's) ones; more are read while too few are kept.
_FTS_OVERFETCH = 4


def _keyword_sqlite(
    tx: Session,
    namespace_ids: list[str],
    words: list[str],
    where: ColumnElement[bool] | None,
    limit: int,
) -> list[tuple[int, float]]:
    c = KnowledgeChunkRow
    fts_table = table("knowledge_chunks_fts", column("rowid"))
    fts: ColumnElement[Any] = literal_column("knowledge_chunks_fts")
    # Each term quoted: FTS5 query syntax in the user's text is never interpreted.
    match = " OR ".join('"' + word.replace('"', '""') + '"' for word in words)
    score = func.bm25(fts)
    fetch = limit * _FTS_OVERFETCH
    matched: int | None = None
    while True:
        # ORDER BY bm25 LIMIT inside FTS5: only the best `fetch` matches leave the index.
        best = (
            select(fts_table.c.rowid.label("pk"), score.label("score"))
            .select_from(fts_table)
            .where(fts.op("MATCH")(match))
            .order_by(score, fts_table.c.rowid)  # ties cut as the outer order breaks them
            .limit(fetch)
            .subquery("best")
        )
        stmt = (
            select(c.pk, best.c.score)
            .select_from(best)
            .join(c, c.pk == best.c.pk)
            .where(c.namespace_id.in_(namespace_ids))
            .order_by(best.c.score, c.pk)
            .limit(limit)
        )
        if where is not None:
            stmt = stmt.join(KnowledgeEntryRow, KnowledgeEntryRow.id == c.entry_pk).where(where)
        rows = tx.execute(stmt).all()
        if len(rows) >= limit:
            break
        if matched is None:
            matched = int(
                tx.execute(
                    select(func.count()).select_from(fts_table).where(fts.op("MATCH")(match))
                ).scalar_one()
            )
        if fetch >= matched:
            break
        fetch *= 16
    return [(int(pk), -float(s)) for pk, s in rows]


# --- vector --------------------------------------------------------------------------------


@dataclass(frozen=True)
class VectorIndex:
    revision: int
    pks: np.ndarray[Any, np.dtype[np.int64]]
    matrix: np.ndarray[Any, np.dtype[np.float32]]

    @property
    def nbytes(self) -> int:
        return int(self.matrix.nbytes + self.pks.nbytes)


class VectorCache:
    """Per-process matrices of each namespace's chunk vectors, least recently used first out."""

    def __init__(self, max_bytes: int = CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, VectorIndex] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, tx: Session, ns: KnowledgeNamespaceRow) -> VectorIndex:
        with self._lock:
            found = self._items.get(ns.id)
            if found is not None and found.revision == ns.revision:
                self._items.move_to_end(ns.id)
                return found
        index = self._load(tx, ns)
        with self._lock:
            self._items[ns.id] = index
            self._items.move_to_end(ns.id)
            while (
                sum(i.nbytes for i in self._items.values()) > self.max_bytes
                and len(self._items) > 1
            ):
                self._items.popitem(last=False)
        return index

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    @staticmethod
    def _load(tx: Session, ns: KnowledgeNamespaceRow) -> VectorIndex:
        dimension = int(ns.embedding.get("dimension") or 0)
        rows: list[Any] = tx.execute(
            select(KnowledgeChunkRow.pk, KnowledgeChunkRow.embedding)
            .where(
                KnowledgeChunkRow.namespace_id == ns.id,
                KnowledgeChunkRow.embedding.is_not(None),
            )
            .order_by(KnowledgeChunkRow.pk)
        ).all()  # type: ignore[assignment]
        width = dimension * 4
        kept = [(pk, blob) for pk, blob in rows if dimension and blob and len(blob) == width]
        pks = np.fromiter((pk for pk, _ in kept), dtype=np.int64, count=len(kept))
        if kept:
            matrix = np.frombuffer(b"".join(blob for _, blob in kept), dtype="<f4").reshape(
                len(kept), dimension
            )
        else:
            matrix = np.zeros((0, max(dimension, 1)), dtype=np.float32)
        return VectorIndex(ns.revision, pks, matrix.astype(np.float32, copy=False))


CACHE = VectorCache()


Scores = list[tuple[np.ndarray[Any, np.dtype[np.int64]], np.ndarray[Any, np.dtype[np.float32]]]]
# Cosine scores are computed here while the keyword query runs on the calling thread (numpy's
# BLAS and SQLite both release the GIL): a hybrid search takes the longer of the two, not
# their sum.
_SCORER = ThreadPoolExecutor(max_workers=2, thread_name_prefix="kanri-knowledge-cosine")


def _indexes(
    tx: Session,
    namespaces: list[KnowledgeNamespaceRow],
    vectors: dict[str, QueryVector],
    keys: dict[str, str],
) -> list[tuple[VectorIndex, QueryVector]]:
    """Each namespace's cached matrix (loaded in this transaction if stale) with its query."""
    out = []
    for ns in namespaces:
        query = vectors.get(keys[ns.id])
        if query is None:
            continue
        index = CACHE.get(tx, ns)
        if len(index.pks):
            out.append((index, query))
    return out


def _cosines(work: list[tuple[VectorIndex, QueryVector]]) -> Scores:
    """Exact cosine of every cached row (rows and queries are unit vectors): one GEMV each."""
    out: Scores = []
    computed: dict[int, Vector] = {}
    for index, source in work:
        if callable(source):
            query = computed.get(id(source))
            if query is None:
                query = computed[id(source)] = source()
        else:
            query = source
        if index.matrix.shape[1] == query.shape[0]:
            out.append((index.pks, index.matrix @ query))
    return out


def _top(
    tx: Session,
    namespaces: list[KnowledgeNamespaceRow],
    scored: Scores,
    where: ColumnElement[bool] | None,
    limit: int,
) -> list[tuple[int, float]]:
    """(chunk pk, cosine) of the `limit` best scored rows that pass the filter."""
    allowed = None
    if where is not None:
        allowed = np.fromiter(
            tx.execute(
                select(KnowledgeChunkRow.pk)
                .join(KnowledgeEntryRow, KnowledgeEntryRow.id == KnowledgeChunkRow.entry_pk)
                .where(KnowledgeChunkRow.namespace_id.in_([n.id for n in namespaces]), where)
            ).scalars(),
            dtype=np.int64,
        )
    found: list[tuple[int, float]] = []
    for pks, scores in scored:
        if allowed is not None:
            keep = np.isin(pks, allowed, assume_unique=True)
            scores, pks = scores[keep], pks[keep]
        if len(scores) > limit:
            top = np.argpartition(-scores, limit - 1)[:limit]
            scores, pks = scores[top], pks[top]
        found.extend(zip(pks.tolist(), scores.tolist(), strict=True))
    found.sort(key=lambda hit: (-hit[1], hit[0]))
    return found[:limit]


def vector_hits(
    tx: Session,
    namespaces: list[KnowledgeNamespaceRow],
    vectors: dict[str, QueryVector],
    keys: dict[str, str],
    where: ColumnElement[bool] | None,
    limit: int,
) -> list[tuple[int, float]]:
    """(chunk pk, cosine) of the `limit` nearest chunks over the namespaces (exact search)."""
    return _top(tx, namespaces, _cosines(_indexes(tx, namespaces, vectors, keys)), where, limit)


def _query_vectors(
    namespaces: list[KnowledgeNamespaceRow], vectors: dict[str, QueryVector], keys: dict[str, str]
) -> dict[str, Vector]:
    """The query's vector for each model of the namespaces (computed here if need be)."""
    out: dict[str, Vector] = {}
    for ns in namespaces:
        key = keys[ns.id]
        source = vectors.get(key)
        if source is not None and key not in out:
            out[key] = source() if callable(source) else source
    return out


def pgvector_hits(
    tx: Session,
    found: pgvector.PgVector,
    namespaces: list[KnowledgeNamespaceRow],
    queries: dict[str, Vector],
    keys: dict[str, str],
    where: ColumnElement[bool] | None,
    limit: int,
) -> list[tuple[int, float]]:
    """(chunk pk, cosine) of the `limit` nearest chunks over the namespaces, one HNSW query
    per embedding model (namespaces of one model are searched together)."""
    by_model: dict[str, list[str]] = {}
    for ns in namespaces:
        if keys[ns.id] in queries:
            by_model.setdefault(keys[ns.id], []).append(ns.id)
    hits: list[tuple[int, float]] = []
    for key, ids in by_model.items():
        hits.extend(pgvector.nearest(tx, found, ids, queries[key], where, limit))
    hits.sort(key=lambda hit: (-hit[1], hit[0]))
    return hits[:limit]


# --- fusion --------------------------------------------------------------------------------


def fuse(
    keyword: list[tuple[int, float]],
    vector: list[tuple[int, float]],
    keyword_weight: float,
    vector_weight: float,
) -> list[Hit]:
    """Weighted reciprocal-rank fusion: sum of weight / (RRF_K + rank) over the modes."""
    hits: dict[int, Hit] = {}
    for rank, (pk, score) in enumerate(keyword, start=1):
        hit = hits.setdefault(pk, Hit(pk=pk))
        hit.keyword_rank, hit.keyword_score = rank, score
        hit.score += keyword_weight / (RRF_K + rank)
    for rank, (pk, score) in enumerate(vector, start=1):
        hit = hits.setdefault(pk, Hit(pk=pk))
        hit.vector_rank, hit.vector_score = rank, score
        hit.score += vector_weight / (RRF_K + rank)
    return sorted(hits.values(), key=lambda h: (-h.score, h.pk))


def run(
    tx: Session,
    namespaces: list[KnowledgeNamespaceRow],
    keys: dict[str, str],
    query: Query,
    hnsw: pgvector.PgVector | None = None,
) -> list[Found]:
    """The best `top_k` chunks of the namespaces for `query` (namespaces already scoped);
    vector search through pgvector's HNSW indexes with `hnsw`, exact in numpy without."""
    where = SEARCH_FILTERS.compile(query.filter)
    ids = [ns.id for ns in namespaces]
    pool = query.top_k if query.mode != "hybrid" else max(query.top_k * 4, 50)
    keyword: list[tuple[int, float]] = []
    vector: list[tuple[int, float]] = []
    scoring: Future[Scores] | None = None
    embedding: Future[dict[str, Vector]] | None = None
    if query.mode in ("hybrid", "vector"):
        if hnsw is not None:
            # The local model embeds the query while the keyword query runs.
            embedding = _SCORER.submit(_query_vectors, namespaces, query.vectors, keys)
        elif work := _indexes(tx, namespaces, query.vectors, keys):
            scoring = _SCORER.submit(_cosines, work)
    if query.mode in ("hybrid", "keyword"):
        keyword = keyword_hits(tx, ids, query.text, where, pool)
    if scoring is not None:
        vector = _top(tx, namespaces, scoring.result(), where, pool)
    if embedding is not None and hnsw is not None:
        vector = pgvector_hits(tx, hnsw, namespaces, embedding.result(), keys, where, pool)
    if query.mode == "hybrid":
        hits = fuse(keyword, vector, query.keyword_weight, query.vector_weight)
    else:
        hits = fuse(keyword, vector, 1.0, 1.0)
        for hit in hits:
            hit.score = (hit.keyword_score if query.mode == "keyword" else hit.vector_score) or 0.0
    if query.min_score is not None:
        hits = [hit for hit in hits if hit.score >= query.min_score]
    hits = hits[: query.top_k]
    return _details(tx, namespaces, hits)


def _details(tx: Session, namespaces: list[KnowledgeNamespaceRow], hits: list[Hit]) -> list[Found]:
    if not hits:
        return []
    names = {ns.id: ns.name for ns in namespaces}
    c, e = KnowledgeChunkRow, KnowledgeEntryRow
    rows = {
        row.pk: row
        for row in tx.execute(
            select(
                c.pk,
                c.chunk_id,
                c.namespace_id,
                c.text,
                c.context,
                e.entry_id,
                e.title,
                e.metadata_,
                e.source_url,
            )
            .join(e, e.id == c.entry_pk)
            .where(c.pk.in_([hit.pk for hit in hits]))
        ).all()
    }
    out: list[Found] = []
    for hit in hits:
        row = rows.get(hit.pk)
        if row is None:
            continue
        out.append(
            Found(
                namespace=names[row.namespace_id],
                entry_id=row.entry_id,
                chunk_id=row.chunk_id,
                title=row.title,
                text=row.text,
                context=row.context,
                metadata=row.metadata_,
                source_url=row.source_url,
                score=round(hit.score, 6),
                keyword_rank=hit.keyword_rank,
                vector_rank=hit.vector_rank,
            )
        )
    return out
