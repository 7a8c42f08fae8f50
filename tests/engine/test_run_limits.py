"""Concurrency limits a user sets: a project's `max_running_runs` and an agent's
`concurrency`, the `waiting_reason` of a run they hold back, and two workers racing for a
project's last slot."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from kanri.core.time import utcnow
from kanri.engine.claim import claim
from kanri.engine.models import RunRow
from kanri.runtime import Kanri
from tests.agents.factories import make_agent, run_agent
from tests.engine.factories import make_automation, run_and_wait, until_status
from tests.factories import Tenant


async def _occupy(kanri: Kanri, run_id: str, running: bool = True) -> None:
    """Make a finished run count as running (held by a worker elsewhere), or finished again."""

    def write(tx: Session) -> None:
        values: dict[str, Any] = (
            {
                "status": "running",
                "lease_owner": "wrk_elsewhere",
                "lease_expires_at": utcnow() + timedelta(hours=1),
            }
            if running
            else {"status": "completed", "lease_owner": None, "lease_expires_at": None}
        )
        tx.execute(update(RunRow).where(RunRow.id == run_id).values(**values))

    await kanri.db.write(write)
    kanri.wake_engine()


async def _held(
    client: httpx.AsyncClient, tenant: Tenant, run_id: str, reason: str
) -> dict[str, Any]:
    """The run as `GET /v1/runs?filter=status = "pending"` shows it, once a limit holds it
    back with `reason`."""
    for _ in range(200):
        listed = await client.get(
            "/v1/runs", params={"filter": 'status = "pending"'}, headers=tenant.headers
        )
        found = [r for r in listed.json()["data"] if r["id"] == run_id]
        if found and found[0]["waiting_reason"] == reason:
            run: dict[str, Any] = found[0]
            return run
        await asyncio.sleep(0.05)
    raise AssertionError(f"run {run_id} never waited for {reason!r}: {found}")


async def _set_project_limit(client: httpx.AsyncClient, tenant: Tenant, limit: Any) -> Any:
    return await client.patch(
        f"/v1/projects/{tenant.project_id}",
        json={"max_running_runs": limit},
        headers=tenant.admin_headers,
    )


async def test_a_project_limit_holds_runs_back_and_says_so(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    for bad in (0, -1):
        assert (await _set_project_limit(client, tenant, bad)).status_code == 422
    limited = await _set_project_limit(client, tenant, 1)
    assert limited.status_code == 200, limited.text
    assert limited.json()["max_running_runs"] == 1
    automation = await make_automation(client, tenant, [{"id": "t", "kind": "transform"}])
    occupant = await run_and_wait(client, tenant, automation["id"])
    await _occupy(kanri, occupant["id"])
    started = await client.post(
        f"/v1/automations/{automation['id']}/runs", json={}, headers=tenant.headers
    )
    run_id = started.json()["id"]
    held = await _held(client, tenant, run_id, "concurrency: project")
    assert held["status"] == "pending"
    await _occupy(kanri, occupant["id"], running=False)
    done = await until_status(client, tenant, run_id, {"completed", "failed"})
    assert done["status"] == "completed"
    assert done["waiting_reason"] is None
    reset = await _set_project_limit(client, tenant, None)
    assert reset.json()["max_running_runs"] is None


async def test_an_agents_concurrency_holds_its_runs_back_and_names_it(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    agent = await make_agent(client, tenant, concurrency=1)
    assert agent["concurrency"] == 1
    refused = await client.patch(
        f"/v1/agents/{agent['id']}", json={"concurrency": 0}, headers=tenant.headers
    )
    assert refused.status_code == 422
    occupant = await run_agent(client, tenant, agent["id"])
    assert occupant["status"] == "completed", occupant
    await _occupy(kanri, occupant["id"])
    started = await run_agent(client, tenant, agent["id"], wait=0)
    await _held(client, tenant, started["id"], f"concurrency: agent {agent['name']}")
    await _occupy(kanri, occupant["id"], running=False)
    done = await until_status(client, tenant, started["id"], {"completed", "failed"})
    assert done["status"] == "completed", done
    unlimited = await client.patch(
        f"/v1/agents/{agent['id']}", json={"concurrency": None}, headers=tenant.headers
    )
    assert unlimited.json()["concurrency"] is None


@pytest.fixture
async def gate() -> AsyncIterator[tuple[str, asyncio.Event]]:
    """A loopback HTTP server that answers once the event is set."""
    release = asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        await release.wait()
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}")
        await writer.drain()
        writer.close()

    listener = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    async with listener:
        try:
            yield f"http://127.0.0.1:{port}/", release
        finally:
            release.set()


async def test_two_workers_racing_for_a_projects_last_slot_take_it_once(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant, gate: tuple[str, asyncio.Event]
) -> None:
    url, release = gate
    await client.patch(
        f"/v1/projects/{tenant.project_id}",
        json={"allow_private_network": True, "max_running_runs": 1},
        headers=tenant.admin_headers,
    )
    quick = await make_automation(client, tenant, [{"id": "t", "kind": "transform"}])
    occupant = await run_and_wait(client, tenant, quick["id"])
    await _occupy(kanri, occupant["id"])
    slow = await make_automation(client, tenant, [{"id": "call", "kind": "http", "url": url}])
    ids = []
    for _ in range(4):
        started = await client.post(
            f"/v1/automations/{slow['id']}/runs", json={}, headers=tenant.headers
        )
        ids.append(started.json()["id"])
    for run_id in ids:
        await _held(client, tenant, run_id, "concurrency: project")

    def running(tx: Session) -> int:
        return int(
            tx.execute(
                select(func.count()).where(
                    RunRow.project_id == tenant.project_id, RunRow.status == "running"
                )
            ).scalar_one()
        )

    # The last slot frees: two more workers claim side by side with this process's own.
    await _occupy(kanri, occupant["id"], running=False)
    claims = await asyncio.gather(
        kanri.db.write(claim, "wrk_racer_a", 4, 30.0),
        kanri.db.write(claim, "wrk_racer_b", 4, 30.0),
    )
    await asyncio.sleep(0.2)  # whatever this process's worker claimed is running by now
    assert await kanri.db.read(running) == 1
    assert sum(len(c) for c in claims) <= 1
    for run_id in ids:
        response = await client.post(f"/v1/runs/{run_id}/cancel", headers=tenant.headers)
        assert response.status_code in (200, 202, 409), response.text
    release.set()
