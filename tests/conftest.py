"""Test harness: one migrated database and one app per session; tenants per test.

The suite runs on SQLite by default and on PostgreSQL when KANRI_TEST_DATABASE_URL is set
(KANRI_TEST_BACKEND=sqlite forces SQLite even then, which `make test` uses for its first pass).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from kanri.app import create_app
from kanri.config import Settings
from kanri.core.time import advance_clock, reset_clock
from kanri.db import migrations
from kanri.runtime import Kanri
from kanri.wiring import install
from tests.factories import Tenant, make_tenant
from tests.fakes.openai_server import FakeOpenAI

PG_URL = os.environ.get("KANRI_TEST_DATABASE_URL", "")
BACKEND = os.environ.get("KANRI_TEST_BACKEND") or ("postgresql" if PG_URL else "sqlite")
# Tests that use the engine's registry or ports without building a runtime.
install()


def pytest_report_header() -> str:
    return f"kanri database backend: {BACKEND}"


async def _reset_postgres(url: str) -> None:
    parsed = make_url(url)
    conn = await asyncpg.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        database=parsed.database,
    )
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("kanri-data")


@pytest.fixture(scope="session")
def database_url(data_dir: Path) -> str:
    if BACKEND == "postgresql":
        if not PG_URL:
            pytest.exit("KANRI_TEST_BACKEND=postgresql needs KANRI_TEST_DATABASE_URL", 2)
        asyncio.run(_reset_postgres(PG_URL))
        url = PG_URL
    else:
        url = f"sqlite:///{data_dir / 'kanri.db'}"
    migrations.upgrade(url)
    return url


@pytest.fixture(scope="session")
def settings(data_dir: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        secret_key="test-secret-" + "x" * 40,
        default_rate_limit_per_minute=100_000,
        admin_rate_limit_per_minute=100_000,
        # The suite's requests all come from one address: the route walks alone answer
        # hundreds of 401s. tests/core/test_unauthenticated_limits.py tests the defaults.
        auth_failure_limit_per_minute=100_000,
        metrics_enabled=True,
        key_cache_seconds=5.0,
        poll_seconds=0.1,
        schedule_tick_seconds=0.2,
        log_level="warning",
    )


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with LifespanManager(application):
        yield application


@pytest.fixture(scope="session")
async def fastapi_routed_app(app: FastAPI, settings: Settings) -> AsyncIterator[FastAPI]:
    """The same app with `planned_routes` off (FastAPI's own router and handlers), on the
    session's database; runs go to the session app's worker."""
    off = settings.model_copy(update={"planned_routes": False, "worker_enabled": False})
    application = create_app(off)
    async with LifespanManager(application):
        yield application


@pytest.fixture(scope="session")
def kanri(app: FastAPI) -> Kanri:
    runtime: Kanri = app.state.kanri
    return runtime


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://kanri.test") as http:
        yield http


@pytest.fixture
async def tenant(client: httpx.AsyncClient, kanri: Kanri) -> Tenant:
    """An organization with one project and a full-access secret key for it."""
    return await make_tenant(client, kanri)


@pytest.fixture
def clock() -> Iterator[Any]:
    """`clock(seconds)` moves kanri's clock forward; the wall clock is back afterwards."""
    yield advance_clock
    reset_clock()


@pytest.fixture
async def fake_openai() -> AsyncIterator[FakeOpenAI]:
    """A fake OpenAI-compatible server on loopback (tests/fakes/openai_server.py)."""
    server = await FakeOpenAI().start()
    try:
        yield server
    finally:
        await server.stop()
