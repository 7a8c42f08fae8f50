from __future__ import annotations

import httpx

from tests.engine.factories import make_automation, run_and_wait, until_status
from tests.factories import Tenant
from tests.knowledge.factories import make_namespace, put_entry


async def test_the_knowledge_search_step_returns_cited_chunks_the_run_records(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    ns = await make_namespace(client, tenant)
    await put_entry(
        client, tenant, ns["name"], "refunds", "Refunds take five days.", title="Refund policy"
    )
    await put_entry(
        client, tenant, ns["name"], "shipping", "Parcels ship on Mondays.", title="Shipping"
    )
    automation = await make_automation(
        client,
        tenant,
        [
            {
                "id": "lookup",
                "kind": "knowledge.search",
                "namespaces": [ns["name"]],
                "query": "{{ inputs.question }}",
                "top_k": 1,
            }
        ],
    )
    run = await run_and_wait(
        client, tenant, automation["id"], {"question": "how long do refunds take"}
    )
    run = await until_status(client, tenant, run["id"], {"completed", "failed"})
    assert run["status"] == "completed", run
    output = run["outputs"]
    assert output["citations"] == [
        {
            "namespace": ns["name"],
            "entry_id": "refunds",
            "chunk_id": output["results"][0]["chunk_id"],
            "title": "Refund policy",
        }
    ]
    steps = (await client.get(f"/v1/runs/{run['id']}/steps", headers=tenant.headers)).json()["data"]
    assert steps[0]["output"]["results"][0]["text"] == "Refunds take five days."


async def test_the_step_fails_on_an_unknown_namespace(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    automation = await make_automation(
        client,
        tenant,
        [{"id": "lookup", "kind": "knowledge.search", "namespaces": ["nope"], "query": "x"}],
    )
    run = await run_and_wait(client, tenant, automation["id"])
    run = await until_status(client, tenant, run["id"], {"completed", "failed"})
    assert run["status"] == "failed"
    assert "nope" in run["error"]["message"]
