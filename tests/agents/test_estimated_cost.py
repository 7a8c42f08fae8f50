"""`estimated_cost` in rules: what a run's model calls may spend, priced before it starts."""

from __future__ import annotations

from typing import Any

import httpx

from tests.agents.factories import make_provider, run_agent
from tests.engine.factories import make_automation, run_and_wait
from tests.factories import Tenant, unique
from tests.governance.factories import make_policy

# USD per million tokens for the offline model in these tests: 1 output token = $0.0001.
INPUT, OUTPUT = "10", "100"


async def _priced_provider(client: httpx.AsyncClient, tenant: Tenant) -> dict[str, Any]:
    provider = await make_provider(client, tenant)
    body = {
        "provider": provider["name"],
        "model": "offline",
        "input_per_million": INPUT,
        "output_per_million": OUTPUT,
        "effective_from": "2020-01-01T00:00:00Z",
    }
    response = await client.post("/v1/prices", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    return provider


async def _cost_ceiling(client: httpx.AsyncClient, tenant: Tenant, usd: str) -> None:
    await make_policy(
        client,
        tenant,
        [{"when": f"estimated_cost > {usd}", "effect": "deny", "reason": "too expensive"}],
    )


async def test_an_agent_run_over_the_estimated_cost_ceiling_is_denied_before_it_starts(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    provider = await _priced_provider(client, tenant)
    # 3 calls * (2 input tokens * $10/M + 1,000 output tokens * $100/M) = $0.30006
    costly = await _agent(client, tenant, provider, max_steps=3, max_tokens=1000)
    cheap = await _agent(client, tenant, provider, max_steps=1, max_tokens=10)
    await _cost_ceiling(client, tenant, "0.3")
    denied = await run_agent(client, tenant, costly["id"], "hi!!")
    assert denied["status"] == "failed"
    assert denied["stop_reason"] == "denied"
    assert "too expensive" in denied["error"]["message"]
    allowed = await run_agent(client, tenant, cheap["id"], "hi!!")
    assert allowed["status"] == "completed", allowed


async def test_an_agent_without_max_tokens_is_estimated_at_the_default_output(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    provider = await _priced_provider(client, tenant)
    # 1 call * (1 input token * $10/M + 1,024 output tokens * $100/M) = $0.10241
    agent = await _agent(client, tenant, provider, max_steps=1, max_tokens=None)
    await _cost_ceiling(client, tenant, "0.1024")
    denied = await run_agent(client, tenant, agent["id"], "hi")
    assert denied["stop_reason"] == "denied"


async def test_llm_and_agent_steps_of_an_automation_add_up(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    provider = await _priced_provider(client, tenant)
    agent = await _agent(client, tenant, provider, max_steps=2, max_tokens=500)
    llm = {
        "id": "ask",
        "kind": "llm",
        "provider": provider["name"],
        "model": "offline",
        "prompt": "x" * 400,  # 100 input tokens
        "max_tokens": 1000,
    }
    delegate = {"id": "delegate", "kind": "agent", "agent": agent["name"], "message": "go"}
    # llm: 100 * $10/M + 1,000 * $100/M = $0.101; agent: 2 * (1 * $10/M + 500 * $100/M)
    # = $0.10002; together $0.20102.
    both = await make_automation(client, tenant, [llm, delegate])
    alone = await make_automation(client, tenant, [llm])
    await _cost_ceiling(client, tenant, "0.2")
    denied = await run_and_wait(client, tenant, both["id"])
    assert denied["status"] == "failed"
    assert denied["stop_reason"] == "denied"
    allowed = await run_and_wait(client, tenant, alone["id"])
    assert allowed["status"] == "completed", allowed


async def test_steps_that_call_no_priced_model_are_estimated_at_zero(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    unpriced = await make_provider(client, tenant)
    llm = {"id": "ask", "kind": "llm", "provider": unpriced["name"], "prompt": "hello"}
    automation = await make_automation(
        client, tenant, [{"id": "t", "kind": "transform", "output": 1}, llm]
    )
    await make_policy(
        client,
        tenant,
        [{"when": "estimated_cost > 0", "effect": "deny", "reason": "costs money"}],
    )
    run = await run_and_wait(client, tenant, automation["id"])
    assert run["status"] == "completed", run


async def _agent(
    client: httpx.AsyncClient,
    tenant: Tenant,
    provider: dict[str, Any],
    *,
    max_steps: int,
    max_tokens: int | None,
) -> dict[str, Any]:
    runtime: dict[str, Any] = {"provider": provider["name"], "model": "offline"}
    if max_tokens is not None:
        runtime["max_tokens"] = max_tokens
    body = {"name": unique("agent"), "runtime": runtime, "max_steps": max_steps}
    response = await client.post("/v1/agents", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    agent: dict[str, Any] = response.json()
    return agent


async def test_a_pre_check_of_an_automation_estimates_its_cost_unless_the_caller_gives_one(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    provider = await _priced_provider(client, tenant)
    llm = {"id": "ask", "kind": "llm", "provider": provider["name"], "model": "offline"}
    # 1 input token * $10/M + 2,000 output tokens * $100/M = $0.20001
    automation = await make_automation(
        client, tenant, [{**llm, "prompt": "hi", "max_tokens": 2000}]
    )
    await _cost_ceiling(client, tenant, "0.2")

    async def pre_check(context: dict[str, Any]) -> str:
        body = {"automation": automation["name"], "action": "run", "context": context}
        response = await client.post("/v1/governance/pre-check", json=body, headers=tenant.headers)
        assert response.status_code == 200, response.text
        decision: str = response.json()["decision"]
        return decision

    assert await pre_check({}) == "denied"
    assert await pre_check({"estimated_cost": 0.01}) == "approved"
