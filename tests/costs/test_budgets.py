from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from kanri.runtime import Kanri
from tests.agents.factories import (
    make_agent,
    make_budget,
    metered_provider,
    run_agent,
    threshold_notices,
)
from tests.engine.factories import until_status
from tests.factories import Tenant, bearer, make_key
from tests.fakes.openai_server import FakeOpenAI


async def _priced_agent(
    client: httpx.AsyncClient, tenant: Tenant, fake: FakeOpenAI
) -> dict[str, Any]:
    provider = await metered_provider(client, tenant, fake, default_model="metered")
    return await make_agent(client, tenant, provider, model=None)


async def test_a_blocking_budget_fails_the_run_and_refuses_new_ones(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant, fake_openai: FakeOpenAI
) -> None:
    agent = await _priced_agent(client, tenant, fake_openai)
    budget = await make_budget(
        client,
        tenant,
        agent=agent["name"],
        limit_usd="0.20",
        thresholds=[{"percent": 50, "action": "notify"}, {"percent": 100, "action": "block"}],
    )
    assert budget["agent_id"] == agent["id"]
    first = await run_agent(client, tenant, agent["id"], "one")
    assert first["status"] == "completed", first
    assert first["cost_usd"] == "0.12000000"
    second = await run_agent(client, tenant, agent["id"], "two")  # 60 %: notify, go on
    assert second["status"] == "completed", second
    await run_agent(client, tenant, agent["id"], "three", expect=402, wait=0)

    [notice] = await threshold_notices(kanri, budget["id"])  # once per period and threshold
    assert notice["percent"] == "50"
    seen = await client.get(f"/v1/budgets/{budget['id']}", headers=tenant.headers)
    assert seen.json()["spent_usd"] == "0.24000000"

    refused = await client.post(
        f"/v1/agents/{agent['id']}/runs", json={"message": "four"}, headers=tenant.headers
    )
    assert refused.status_code == 402
    assert refused.json()["code"] == "BUDGET_EXCEEDED"
    assert "cap" in refused.json()["detail"]
    assert len(fake_openai.requests) == 2


async def test_a_budget_reached_mid_run_stops_it_before_the_next_model_call(
    client: httpx.AsyncClient, tenant: Tenant, fake_openai: FakeOpenAI
) -> None:
    agent = await _priced_agent(client, tenant, fake_openai)
    await client.patch(
        f"/v1/agents/{agent['id']}",
        json={"tools": [{"name": "emit_event"}]},
        headers=tenant.headers,
    )
    await client.post(f"/v1/agents/{agent['id']}/publish", headers=tenant.headers)
    await make_budget(client, tenant, limit_usd="0.10")  # the project's, 80 % notify / 100 % block
    fake_openai.reply(tool_calls=[{"name": "emit_event", "arguments": {"type": "a.b"}}])
    fake_openai.reply("never asked")
    run = await run_agent(client, tenant, agent["id"], "go")
    assert run["status"] == "failed", run
    assert run["stop_reason"] == "budget_exceeded"
    assert len(fake_openai.requests) == 1


async def test_a_require_approval_budget_parks_the_run_until_a_person_agrees(
    client: httpx.AsyncClient, tenant: Tenant, fake_openai: FakeOpenAI
) -> None:
    agent = await _priced_agent(client, tenant, fake_openai)
    await make_budget(
        client,
        tenant,
        agent=agent["id"],
        limit_usd="0.10",
        thresholds=[{"percent": 100, "action": "require_approval"}],
    )
    await run_agent(client, tenant, agent["id"], "spend")  # 0.12: over the limit now
    run = await run_agent(client, tenant, agent["id"], "more", wait=0)
    waiting = await until_status(client, tenant, run["id"], {"waiting"})
    assert waiting["status"] == "waiting"
    approvals = await client.get(
        "/v1/approvals", params={"filter": f'run_id = "{run["id"]}"'}, headers=tenant.headers
    )
    [approval] = approvals.json()["data"]
    assert "over budget" in approval["message"]
    approver = await make_key(client, tenant.admin_key, tenant.project_id)
    await client.post(f"/v1/approvals/{approval['id']}/approve", headers=bearer(approver["key"]))
    done = await until_status(client, tenant, run["id"], {"completed", "failed"})
    assert done["status"] == "completed", done
    assert len(fake_openai.requests) == 2


async def test_budget_input_is_validated(client: httpx.AsyncClient, tenant: Tenant) -> None:
    bad = await client.post(
        "/v1/budgets",
        json={"name": "x", "period": "year", "limit_usd": "-1"},
        headers=tenant.headers,
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"body.period", "body.limit_usd"}
    unknown = await client.post(
        "/v1/budgets",
        json={"name": "x", "period": "day", "limit_usd": "5", "agent": "ghost"},
        headers=tenant.headers,
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "body.agent"


@pytest.mark.parametrize("limit", ["0.001", 1e-40, "0.00000001", 0])
async def test_a_limit_below_a_cent_is_refused(
    client: httpx.AsyncClient, tenant: Tenant, limit: object
) -> None:
    """Amounts keep 8 decimals: a smaller limit would be stored as 0 and no percentage of it
    could be computed when a run starts."""
    bad = await client.post(
        "/v1/budgets",
        json={"name": "tiny", "period": "day", "limit_usd": limit},
        headers=tenant.headers,
    )
    assert bad.status_code == 422, bad.text
    assert [e["field"] for e in bad.json()["errors"]] == ["body.limit_usd"]


async def test_a_limit_of_a_cent_is_kept(client: httpx.AsyncClient, tenant: Tenant) -> None:
    created = await client.post(
        "/v1/budgets",
        json={"name": "cent", "period": "day", "limit_usd": "0.01"},
        headers=tenant.headers,
    )
    assert created.status_code == 201, created.text
    assert Decimal(created.json()["limit_usd"]) == Decimal("0.01")
