"""Factories for providers, agents and agent runs."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from kanri.core.models import OutboxEventRow
from kanri.runtime import Kanri
from tests.factories import Tenant, unique
from tests.fakes.openai_server import FakeOpenAI


async def allow_private_network(client: httpx.AsyncClient, tenant: Tenant) -> None:
    """Let `tenant`'s project reach private networks, as an endpoint on loopback needs."""
    allowed = await client.patch(
        f"/v1/projects/{tenant.project_id}",
        json={"allow_private_network": True},
        headers=tenant.admin_headers,
    )
    assert allowed.status_code == 200, allowed.text


async def make_provider(
    client: httpx.AsyncClient, tenant: Tenant, kind: str = "offline", **fields: Any
) -> dict[str, Any]:
    """A provider of `tenant`'s project. One whose `base_url` is on loopback (the fake model
    server) first gets the project's `allow_private_network`, which such an endpoint needs."""
    if urlsplit(str(fields.get("base_url") or "")).hostname == "127.0.0.1":
        await allow_private_network(client, tenant)
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


async def metered_provider(
    client: httpx.AsyncClient, tenant: Tenant, fake: FakeOpenAI, **fields: Any
) -> dict[str, Any]:
    """An `openai` provider on `fake` whose model `metered` costs 1000 USD per million
    tokens in and out: a scripted call (100 + 20 tokens) costs 0.12 USD."""
    provider = await make_provider(
        client, tenant, "openai", base_url=fake.base_url, api_key="k", **fields
    )
    price = await client.post(
        "/v1/prices",
        json={
            "provider": provider["name"],
            "model": "metered",
            "input_per_million": "1000",
            "output_per_million": "1000",
        },
        headers=tenant.headers,
    )
    assert price.status_code == 201, price.text
    return provider


async def make_budget(client: httpx.AsyncClient, tenant: Tenant, **body: Any) -> dict[str, Any]:
    response = await client.post(
        "/v1/budgets", json={"name": "cap", "period": "day", **body}, headers=tenant.headers
    )
    assert response.status_code == 201, response.text
    budget: dict[str, Any] = response.json()
    return budget


async def threshold_notices(kanri: Kanri, budget_id: str) -> list[dict[str, Any]]:
    """The `budget.threshold_reached` events of a budget, as written to the outbox."""

    def read(tx: Session) -> list[dict[str, Any]]:
        rows = tx.execute(
            select(OutboxEventRow).where(
                OutboxEventRow.resource_id == budget_id,
                OutboxEventRow.type == "budget.threshold_reached",
            )
        ).scalars()
        return [row.data for row in rows]

    notices: list[dict[str, Any]] = await kanri.db.read(read)
    return notices
