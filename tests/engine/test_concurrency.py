from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import asyncpg
import httpx
import pytest

from kanri.engine.claim import LIMITS_LOCK
from kanri.runtime import Kanri
from tests.conftest import BACKEND, PG_URL
from tests.engine.factories import make_automation, until_status
from tests.factories import Tenant


@dataclass
class SlowServer:
    url: str
    in_flight: dict[str, int] = field(default_factory=dict)
    peak: dict[str, int] = field(default_factory=dict)
    peak_total: int = 0


@pytest.fixture
async def slow_server() -> AsyncIterator[SlowServer]:
    """A loopback HTTP server that answers after 0.3 s and records concurrency per path."""
    server = SlowServer(url="")

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request_line = (await reader.readline()).decode()
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        path = request_line.split(" ")[1]
        server.in_flight[path] = server.in_flight.get(path, 0) + 1
        server.peak[path] = max(server.peak.get(path, 0), server.in_flight[path])
        server.peak_total = max(server.peak_total, sum(server.in_flight.values()))
        await asyncio.sleep(0.3)
        server.in_flight[path] -= 1
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}")
        await writer.drain()
        writer.close()

    listener = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    server.url = f"http://127.0.0.1:{port}"
    async with listener:
        yield server


async def test_runs_sharing_a_concurrency_key_run_one_at_a_time(
    client: httpx.AsyncClient, tenant: Tenant, slow_server: SlowServer
) -> None:
    await client.patch(
        f"/v1/projects/{tenant.project_id}",
        json={"allow_private_network": True},
        headers=tenant.admin_headers,
    )
    automation = await make_automation(
        client,
        tenant,
        [{"id": "call", "kind": "http", "url": slow_server.url + "/c/{{ inputs.customer }}"}],
        concurrency_key="{{ inputs.customer }}",
    )
    runs = []
    for customer in ("a", "a", "a", "b", "b"):
        response = await client.post(
            f"/v1/automations/{automation['id']}/runs",
            json={"inputs": {"customer": customer}},
            headers=tenant.headers,
        )
        assert response.status_code == 202
        runs.append(response.json()["id"])
    for run_id in runs:
        done = await until_status(client, tenant, run_id, {"completed", "failed"}, within=20)
        assert done["status"] == "completed", done
    assert slow_server.peak == {"/c/a": 1, "/c/b": 1}
    assert slow_server.peak_total == 2  # different keys ran side by side


async def test_a_concurrency_key_that_cannot_render_refuses_the_run(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    automation = await make_automation(
        client,
        tenant,
        [{"id": "t", "kind": "transform", "output": 1}],
        concurrency_key="{{ inputs.customer.id }}",
    )
    response = await client.post(
        f"/v1/automations/{automation['id']}/runs", json={"inputs": {}}, headers=tenant.headers
    )
    assert response.status_code == 422
    assert "concurrency_key" in response.json()["detail"]


@pytest.mark.skipif(BACKEND != "postgresql", reason="workers claim side by side on PostgreSQL")
async def test_claims_counting_a_limit_wait_for_each_other_on_postgresql(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    # Another worker in the middle of a claim that counts limits holds the limits lock: a
    # claim of a limited run waits for it to commit, then counts what it claimed.
    automation = await make_automation(
        client, tenant, [{"id": "t", "kind": "transform", "output": 1}], concurrency=1
    )
    other = await asyncpg.connect(PG_URL.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        claiming = other.transaction()
        await claiming.start()
        await other.execute("SELECT pg_advisory_xact_lock($1)", LIMITS_LOCK)
        response = await client.post(
            f"/v1/automations/{automation['id']}/runs", json={}, headers=tenant.headers
        )
        run_id = response.json()["id"]
        kanri.wake_engine()
        await asyncio.sleep(1.0)
        held = await client.get(f"/v1/runs/{run_id}", headers=tenant.headers)
        assert held.json()["status"] == "pending"
        await claiming.commit()
    finally:
        await other.close()
    done = await until_status(client, tenant, run_id, {"completed", "failed"}, within=10)
    assert done["status"] == "completed", done
