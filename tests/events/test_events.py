"""The outbox as an API, the event-type catalogue, and the live stream (over a real socket:
the stream never ends, so it is read from a uvicorn server of the test app)."""

from __future__ import annotations

import ast
import asyncio
import json
import os
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy.orm import Session

import kanri as kanri_package
from kanri.core.ids import ulid_at
from kanri.core.time import utcnow
from kanri.engine import states as run_states
from kanri.events import service as events_service
from kanri.events import stream
from kanri.events.catalogue import CATALOGUE
from kanri.runtime import Kanri
from tests.factories import environment_event, make_key, make_tenant
from tests.webhooks.helpers import make_environment


@pytest.fixture(scope="session")
async def live_url(app: FastAPI) -> AsyncIterator[str]:
    """The test app served on a loopback port (its lifespan is the session's)."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, lifespan="off", log_level="warning", proxy_headers=False
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(1000):  # bounded: 10 s
        if server.started:
            break
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def sse_events(lines: AsyncIterator[str], count: int) -> list[dict[str, Any]]:
    """The next `count` events of an open SSE response's lines (id, event, data); comments
    and the retry hint are skipped."""
    found: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    async with asyncio.timeout(15):
        async for line in lines:
            if line.startswith((":", "retry:")):
                continue
            if not line:
                if "id" in current:
                    found.append(current)
                    if len(found) == count:
                        return found
                current = {}
                continue
            name, _, value = line.partition(": ")
            current[name] = json.loads(value) if name == "data" else value
    return found


async def test_events_list_filters_and_reads_one(client: httpx.AsyncClient, kanri: Kanri) -> None:
    tenant = await make_tenant(client, kanri)
    first = await make_environment(client, tenant)
    second = await make_environment(client, tenant)
    listed = await client.get(
        "/v1/events", params={"filter": 'type = "environment.*"'}, headers=tenant.headers
    )
    assert listed.status_code == 200, listed.text
    data = listed.json()["data"][:2]  # the project's own environments came before
    assert [e["resource_id"] for e in data] == [second["id"], first["id"]]  # newest first
    assert data[0]["type"] == "environment.created"
    assert data[0]["data"]["id"] == second["id"]
    assert data[0]["project_id"] == tenant.project_id
    one = await client.get(f"/v1/events/{data[1]['id']}", headers=tenant.headers)
    assert one.status_code == 200
    assert one.json() == data[1]
    paged = await client.get(
        "/v1/events",
        params={"filter": 'type = "environment.created"', "page_size": 1},
        headers=tenant.headers,
    )
    token = paged.json()["next_page_token"]
    assert token
    rest = await client.get(
        "/v1/events",
        params={"filter": 'type = "environment.created"', "page_size": 1, "page_token": token},
        headers=tenant.headers,
    )
    assert [e["id"] for e in rest.json()["data"]] == [data[1]["id"]]


async def test_another_projects_event_is_not_found(client: httpx.AsyncClient, kanri: Kanri) -> None:
    tenant = await make_tenant(client, kanri)
    other = await make_tenant(client, kanri)
    await make_environment(client, other)
    theirs = (await client.get("/v1/events", headers=other.headers)).json()["data"][0]
    response = await client.get(f"/v1/events/{theirs['id']}", headers=tenant.headers)
    assert response.status_code == 404
    mine = (await client.get("/v1/events", headers=tenant.headers)).json()["data"]
    assert theirs["id"] not in [e["id"] for e in mine]


async def test_a_bad_filter_is_a_400_naming_it(client: httpx.AsyncClient, kanri: Kanri) -> None:
    tenant = await make_tenant(client, kanri)
    response = await client.get(
        "/v1/events", params={"filter": "colour = 1"}, headers=tenant.headers
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "filter"


async def test_the_catalogue_lists_every_type_with_a_json_schema(
    client: httpx.AsyncClient, kanri: Kanri
) -> None:
    tenant = await make_tenant(client, kanri)
    reader = await make_key(client, tenant.admin_key, tenant.project_id, scopes=["webhooks:read"])
    response = await client.get(
        "/v1/event-types", headers={"Authorization": f"Bearer {reader['key']}"}
    )
    assert response.status_code == 200
    types = {t["type"]: t for t in response.json()["data"]}
    for name in ("run.completed", "run.failed", "approval.requested", "webhook.test"):
        assert name in types
    assert set(types) == set(CATALOGUE)
    completed = types["run.completed"]
    assert completed["description"]
    assert completed["schema"]["type"] == "object"
    assert set(completed["schema"]["required"]) >= {"id", "status"}


async def test_the_stream_sends_new_events_and_resumes_after_last_event_id(
    client: httpx.AsyncClient, kanri: Kanri, live_url: str
) -> None:
    tenant = await make_tenant(client, kanri)
    other = await make_tenant(client, kanri)
    async with httpx.AsyncClient(base_url=live_url, timeout=20) as http:
        async with http.stream(
            "GET",
            "/v1/events/stream",
            params={"type": "environment.*"},
            headers=tenant.headers,
        ) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            await asyncio.sleep(0.1)  # subscribed before the event
            await make_environment(client, other)  # another project: never seen
            key = await make_key(client, tenant.admin_key, tenant.project_id)  # wrong type
            first = await make_environment(client, tenant)
            (seen,) = await sse_events(response.aiter_lines(), 1)
        assert seen["event"] == "environment.created"
        assert seen["data"]["data"]["id"] == first["id"]
        assert seen["id"] == seen["data"]["id"]
        # Missed while disconnected: delivered first on reconnect, then live ones.
        missed = [await make_environment(client, tenant) for _ in range(3)]
        async with http.stream(
            "GET",
            "/v1/events/stream",
            params={"type": "environment.*"},
            headers={**tenant.headers, "Last-Event-ID": seen["id"]},
        ) as response:
            lines = response.aiter_lines()
            replayed = await sse_events(lines, 3)
            live = await make_environment(client, tenant)
            (after,) = await sse_events(lines, 1)
    assert [e["data"]["resource_id"] for e in replayed] == [m["id"] for m in missed]
    assert after["data"]["resource_id"] == live["id"]
    assert key["id"] not in [e["data"]["resource_id"] for e in [*replayed, after]]


async def test_the_stream_refuses_a_key_without_the_section(
    client: httpx.AsyncClient, kanri: Kanri
) -> None:
    tenant = await make_tenant(client, kanri)
    narrow = await make_key(client, tenant.admin_key, tenant.project_id, scopes=["runs:read"])
    response = await client.get(
        "/v1/events/stream", headers={"Authorization": f"Bearer {narrow['key']}"}
    )
    assert response.status_code == 403


async def test_events_older_than_the_retention_are_pruned(
    client: httpx.AsyncClient, kanri: Kanri
) -> None:
    tenant = await make_tenant(client, kanri)
    recent = await make_environment(client, tenant)
    old_time = utcnow() - timedelta(days=40)
    old_id = f"evt_{ulid_at(int(old_time.timestamp() * 1000), os.urandom(10))}"

    def write_old(tx: Session) -> None:
        tx.add(environment_event(tenant, old_id, "env_old", {}, old_time))

    await kanri.db.write(write_old)
    assert (await client.get(f"/v1/events/{old_id}", headers=tenant.headers)).status_code == 200
    retention = timedelta(days=kanri.settings.event_retention_days)
    while await kanri.db.write(events_service.prune, utcnow() - retention):
        pass
    assert (await client.get(f"/v1/events/{old_id}", headers=tenant.headers)).status_code == 404
    kept = await client.get(
        "/v1/events",
        params={"filter": f'resource_id = "{recent["id"]}"'},
        headers=tenant.headers,
    )
    assert len(kept.json()["data"]) == 1


async def test_a_client_that_does_not_read_is_dropped_without_slowing_producers(
    client: httpx.AsyncClient, kanri: Kanri, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = await make_tenant(client, kanri)
    monkeypatch.setattr(stream, "QUEUE_SIZE", 2)
    hub = stream.EventHub(kanri.db, kanri.closing)
    reader = hub.subscribe(tenant.project_id, [])
    try:
        await asyncio.sleep(0.2)  # the hub's tail has started
        for _ in range(4):  # every write returns although nobody reads
            await make_environment(client, tenant)
        for _ in range(500):  # up to 10 s
            if reader.dropped:
                break
            await asyncio.sleep(0.02)
        assert reader.dropped
        assert reader.queue.qsize() == 2
    finally:
        hub.unsubscribe(reader)
        await hub.close()


def _literal_emits() -> dict[str, str]:
    """Every event type the source emits by name: `emit(tx, who, "<type>", …)` calls."""
    found: dict[str, str] = {}
    for path in Path(kanri_package.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or len(node.args) < 3:
                continue
            called = node.func
            name = called.attr if isinstance(called, ast.Attribute) else ""
            name = name or (called.id if isinstance(called, ast.Name) else "")
            kind = node.args[2]
            if name == "emit" and isinstance(kind, ast.Constant) and isinstance(kind.value, str):
                found[kind.value] = f"{path.name}:{node.lineno}"
    return found


def test_every_event_type_kanri_emits_is_in_the_catalogue() -> None:
    literal = _literal_emits()
    assert len(literal) > 40  # the scan sees the source
    # Types whose names are made at run time (transitions, verbs, decisions).
    made = {
        *run_states.EVENTS.values(),
        *(f"record.{verb}" for verb in ("created", "updated", "deleted", "restored")),
        *(f"knowledge.entry.{verb}" for verb in ("created", "replaced", "deleted")),
        *(
            f"content.entry.{verb}"
            for verb in ("created", "updated", "deleted", "published", "unpublished")
        ),
        *(f"external_execution.{verb}" for verb in ("created", "updated", "cancelled")),
        *(f"webhook.{verb}" for verb in ("created", "updated", "deleted")),
        *(f"approval.{outcome}" for outcome in ("approved", "rejected")),
        "agent.suspended",
        "agent.resumed",
        "agent.rolled_back",
        "automation.rolled_back",
        "run.tool_call",
        "run.delta",
    }
    missing = {t: where for t, where in literal.items() if t not in CATALOGUE}
    assert missing == {}
    assert made - set(CATALOGUE) == set()
    for entry in CATALOGUE.values():
        assert entry["description"]
        assert entry["schema"]["type"] == "object"
