"""Moderation from automations and agents: the `moderate` step kind, scans as durable runs,
the `moderation_submit` tool."""

from __future__ import annotations

import httpx

from tests.agents.factories import make_agent, run_agent
from tests.engine.factories import make_automation, run_and_wait, until_status
from tests.factories import Tenant
from tests.moderation.factories import make_rule, submit


async def test_the_moderate_step_checks_content_before_an_automation_goes_on(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await make_rule(client, tenant, {"keywords": {"words": ["scam"]}}, "reject", category="spam")
    automation = await make_automation(
        client,
        tenant,
        [
            {
                "id": "check",
                "kind": "moderate",
                "external_id": "{{ inputs.id }}",
                "content": "{{ inputs.text }}",
                "author": {"id": "{{ inputs.user }}"},
            },
            {
                "id": "route",
                "kind": "condition",
                "if": "steps.check.output.status == 'approved'",
                "then": "end",
            },
            {"id": "refuse", "kind": "transform", "output": "refused"},
        ],
    )

    async def steps_run(text: str, external_id: str) -> list[str]:
        run = await run_and_wait(
            client, tenant, automation["id"], {"id": external_id, "text": text, "user": "u1"}
        )
        run = await until_status(client, tenant, run["id"], {"completed", "failed"})
        assert run["status"] == "completed", run
        steps = (await client.get(f"/v1/runs/{run['id']}/steps", headers=tenant.headers)).json()
        return [s["step_id"] for s in steps["data"]]

    assert await steps_run("hello", "chat-1") == ["check", "route"]
    assert await steps_run("a scam", "chat-2") == ["check", "route", "refuse"]
    item = (await client.get("/v1/moderation/items/chat-2", headers=tenant.headers)).json()
    assert (item["status"], item["kind"]) == ("rejected", "message")


async def test_a_scan_moderates_stored_items_again_as_a_run(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    before = [await submit(client, tenant, text) for text in ("buy pills", "hello", "pills")]
    decided = await submit(client, tenant, "pills again")
    assert all(i["status"] == "approved" for i in [*before, decided])
    await client.post(
        f"/v1/moderation/items/{decided['id']}:decide",
        json={"action": "approve", "reason": "fine"},
        headers=tenant.headers,
    )
    await make_rule(client, tenant, {"keywords": {"words": ["pills"]}}, "flag", category="spam")
    started = await client.post("/v1/moderation/scan", json={"limit": 100}, headers=tenant.headers)
    assert started.status_code == 202, started.text
    assert started.headers["location"] == f"/v1/runs/{started.json()['run_id']}"
    run = await until_status(client, tenant, started.json()["run_id"], {"completed", "failed"})
    assert run["status"] == "completed", run
    result = run["outputs"]
    assert (result["scanned"], result["flagged"]) == (3, 2), result
    assert sorted(a["external_id"] for a in result["actions"]) == sorted(
        [before[0]["external_id"], before[2]["external_id"]]
    )
    # The reviewer's decision stands.
    kept = (
        await client.get(f"/v1/moderation/items/{decided['id']}", headers=tenant.headers)
    ).json()
    assert kept["status"] == "approved"
    bad = await client.post(
        "/v1/moderation/scan", json={"filter": "colour = 1"}, headers=tenant.headers
    )
    assert bad.status_code == 400


async def test_an_agent_submits_content_with_the_moderation_tool(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await make_rule(client, tenant, {"keywords": {"words": ["scam"]}}, "hide")
    agent = await make_agent(client, tenant, tools=[{"name": "moderation_submit"}])
    ask = (
        '/tool moderation_submit {"external_id": "dm-1", "content": "a scam", '
        '"author": {"id": "u9"}}'
    )
    run = await run_agent(client, tenant, agent["id"], ask)
    assert run["status"] == "completed", run
    item = (await client.get("/v1/moderation/items/dm-1", headers=tenant.headers)).json()
    assert (item["status"], item["kind"], item["author"]["id"]) == ("hidden", "message", "u9")
