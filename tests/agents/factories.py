"""Factories for providers, agents and agent runs."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import Tenant, unique


async def make_provider(
    client: httpx.AsyncClient, tenant: Tenant, kind: str = "offline", **fields: Any
) -> dict[str, Any]:
    body = {"name": unique("prov"), "kind": kind, **fields}
    response = await client.post("/v1/providers", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    provider: dict[str, Any] = response.json()
    return provider


async def make_agent(
    client: httpx.AsyncClient,
    tenant: Tenant,
    provider: dict[str, Any] | None = None,
    *,
    model: str | None = "offline",
    **fields: Any,
) -> dict[str, Any]:
    if provider is None:
        provider = await make_provider(client, tenant)
    runtime: dict[str, Any] = {"provider": provider["name"]}
    if model is not None:
        runtime["model"] = model
    body = {"name": unique("agent"), "runtime": runtime, **fields}
    response = await client.post("/v1/agents", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    agent: dict[str, Any] = response.json()
    return agent


async def run_agent(
    client: httpx.AsyncClient,
    tenant: Tenant,
    agent_id: str,
    message: str = "hello",
    *,
    wait: float = 10,
    expect: int = 202,
    **body: Any,
) -> dict[str, Any]:
    payload = {"message": message, **body} if "messages" not in body else body
    response = await client.post(
        f"/v1/agents/{agent_id}/runs", params={"wait": wait}, json=payload, headers=tenant.headers
    )
    assert response.status_code == expect, response.text
    run: dict[str, Any] = response.json()
    return run
