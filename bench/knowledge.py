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

Nothing here asserts; results are printed and merged into bench/results/latest.json.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sqlite3
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from asgi_lifespan import LifespanManager
from ulid import ULID

from bench.engine import _merge_json
from kanri.app import create_app
from kanri.config import Settings
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
    boot = await kanri.db.write(tenancy.bootstrap, f"bench-{ULID()}", kanri.key_pepper)
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


def _fill(db_path: Path, namespace_id: str, project_id: str, env_id: str, count: int) -> None:
    """`count` chunks (in entries of 10) with random unit vectors, straight into SQLite."""
    rng = np.random.default_rng(8)
    words = random.Random(8)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    connection = sqlite3.connect(db_path)
    try:
        for start in range(0, count, 10_000):
            block = min(10_000, count - start)
            vectors = rng.standard_normal((block, DIMENSION)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            entries = []
            chunks = []
            for i in range(block):
                n = start + i
                if n % 10 == 0:
                    entry_pk = f"kne_{ULID()}"
                    entries.append(
                        (entry_pk, namespace_id, project_id, env_id, f"fill-{n // 10}",
                         f"Filler {n // 10}", "{}", "text/plain", "", "ready", 10, 2000, 1,
                         now, now)
                    )  # fmt: skip
                text = " ".join(words.choices(VOCABULARY, _WEIGHTS, k=150))
                chunks.append(
                    (f"knc_{ULID()}", namespace_id, entry_pk, n % 10, "", text, 200,
                     vectors[i].astype("<f4").tobytes())
                )  # fmt: skip
            connection.executemany(
                "INSERT INTO knowledge_entries (id, namespace_id, project_id, environment_id, "
                "entry_id, title, metadata, content_type, content, status, chunk_count, "
                "token_count, generation, create_time, update_time) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                entries,
            )
            connection.executemany(
                "INSERT INTO knowledge_chunks (chunk_id, namespace_id, entry_pk, seq, context, "
                "text, token_count, embedding) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                chunks,
            )
            connection.commit()
        connection.execute(
            "UPDATE knowledge_namespaces SET revision = revision + 1, entry_count = ? WHERE id = ?",
            (count // 10, namespace_id),
        )
        connection.commit()
    finally:
        connection.close()


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
    rng = random.Random(9)
    # Queries of five words from the vocabulary's middle ranks (as a user's question would be).
    texts = [" ".join(rng.choices(VOCABULARY[50:5000], k=5)) for _ in range(queries)]
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
    return {
        "model_load_seconds": round(load_seconds, 2),
        "quality": quality,
        "ingest": ingest,
        "search": search,
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
