"""Factories for automations and runs."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import Tenant, unique


async def make_automation(
    client: httpx.AsyncClient,
    tenant: Tenant,
    steps: list[dict[str, Any]],
    *,
    publish: bool = True,
    **definition: Any,
) -> dict[str, Any]:
    body = {"name": unique("auto"), "definition": {"steps": steps, **definition}}
    created = await client.post("/v1/automations", json=body, headers=tenant.headers)
    assert created.status_code == 201, created.text
    automation: dict[str, Any] = created.json()
    if publish:
        published = await client.post(
            f"/v1/automations/{automation['id']}/publish", headers=tenant.headers
        )
        assert published.status_code == 201, published.text
    return automation


async def run_and_wait(
    client: httpx.AsyncClient,
    tenant: Tenant,
    automation_id: str,
    inputs: dict[str, Any] | None = None,
    *,
    wait: float = 10,
    headers: dict[str, str] | None = None,
    **body: Any,
) -> dict[str, Any]:
    response = await client.post(
        f"/v1/automations/{automation_id}/runs",
        params={"wait": wait},
        json={"inputs": inputs or {}, **body},
        headers=headers or tenant.headers,
    )
    assert response.status_code == 202, response.text
    run: dict[str, Any] = response.json()
    return run


async def until_status(
    client: httpx.AsyncClient, tenant: Tenant, run_id: str, statuses: set[str], within: float = 10
) -> dict[str, Any]:
    """The run once its status is one of `statuses`, or as it is after `within` seconds."""
    import asyncio
    import time

    deadline = time.monotonic() + within
    while True:
        run: dict[str, Any] = (
            await client.get(f"/v1/runs/{run_id}", headers=tenant.headers)
        ).json()
        if run["status"] in statuses or time.monotonic() > deadline:
            return run
        await asyncio.sleep(0.05)
