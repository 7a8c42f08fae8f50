"""Policies before each agent tool call (action `tool_call`, and `http` for
`http_request`): the same evaluator and approvals as runs and steps."""

from __future__ import annotations

import json
from typing import Any

import httpx

from kanri.runtime import Kanri
from tests.agents.factories import make_agent, make_provider, run_agent
from tests.engine.factories import make_automation, run_and_wait, until_status
from tests.factories import Tenant, bearer, make_key
from tests.fakes.openai_server import FakeOpenAI
from tests.governance.factories import audit_actions, make_policy


async def _tool_calls(
    client: httpx.AsyncClient, tenant: Tenant, run_id: str
) -> list[dict[str, Any]]:
    response = await client.get(f"/v1/runs/{run_id}/tool-calls", headers=tenant.headers)
    calls: list[dict[str, Any]] = response.json()["data"]
    return calls


async def _evaluations(
    client: httpx.AsyncClient, tenant: Tenant, run_id: str, *actions: str
) -> list[dict[str, Any]]:
    """The run's `policy.evaluated` rows of these actions (default: tool calls and HTTP)."""
    audit = await audit_actions(client, tenant, f"/v1/runs/{run_id}/audit")
    wanted = actions or ("tool_call", "http")
    return [
        row["changes"]
        for row in audit
        if row["action"] == "policy.evaluated" and row["changes"]["action"]["to"] in wanted
    ]


async def _openai_agent(
    client: httpx.AsyncClient, tenant: Tenant, fake: FakeOpenAI, tools: list[str]
) -> dict[str, Any]:
    provider = await make_provider(
        client, tenant, "openai", base_url=fake.base_url, options={"max_retries": 0}
    )
    return await make_agent(
        client, tenant, provider, model="fake-model", tools=[{"name": t} for t in tools]
    )


async def test_a_denied_tool_call_is_refused_to_the_model_and_audited(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    agent = await make_agent(client, tenant, tools=[{"name": "emit_event"}])
    policy = await make_policy(
        client,
        tenant,
        [
            {
                "id": "no-events",
                "when": 'tool = "emit_event"',
                "effect": "deny",
                "reason": "agents may not emit events",
            }
        ],
        attachments={"agents": [agent["name"]]},
    )
    run = await run_agent(client, tenant, agent["id"], '/tool emit_event {"type": "order.shipped"}')
    assert run["status"] == "completed", run  # the model is told, the run goes on
    [call] = await _tool_calls(client, tenant, run["id"])
    assert call["status"] == "denied"
    assert call["result"]["error"] == "a policy denied this call"
    assert "agents may not emit events" in call["result"]["reasons"]
    assert call["result"]["rule_id"] == "no-events"
    assert "agents may not emit events" in run["outputs"]["content"]
    [evaluation] = await _evaluations(client, tenant, run["id"])
    assert evaluation["action"]["to"] == "tool_call"
    assert evaluation["tool"]["to"] == "emit_event"
    assert evaluation["decision"]["to"] == "denied"
    assert evaluation["policy_id"]["to"] == policy["id"]
    events = await client.get(
        "/v1/events", params={"filter": 'type = "agent.order.shipped"'}, headers=tenant.headers
    )
    assert events.status_code == 200
    assert events.json()["data"] == []


async def test_a_rule_on_the_http_host_denies_an_http_request_call(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    agent = await make_agent(client, tenant, tools=[{"name": "http_request"}])
    await make_policy(
        client,
        tenant,
        [
            {
                "when": 'action = "http" AND http.host = "pay.example.com"',
                "effect": "deny",
                "reason": "no payments",
            },
        ],
    )
    run = await run_agent(
        client, tenant, agent["id"], '/tool http_request {"url": "https://pay.example.com/x"}'
    )
    [call] = await _tool_calls(client, tenant, run["id"])
    assert call["status"] == "denied"
    assert "no payments" in call["result"]["reasons"]
    evaluations = await _evaluations(client, tenant, run["id"])
    assert [(e["action"]["to"], e["decision"]["to"]) for e in evaluations] == [
        ("tool_call", "approved"),
        ("http", "denied"),
    ]
    assert evaluations[1]["http_host"]["to"] == "pay.example.com"


async def test_a_tool_call_needing_approval_parks_with_the_rules_terms_and_runs_once_approved(
    client: httpx.AsyncClient, tenant: Tenant, fake_openai: FakeOpenAI
) -> None:
    agent = await _openai_agent(client, tenant, fake_openai, ["emit_event"])
    one, two = [await make_key(client, tenant.admin_key, tenant.project_id) for _ in "12"]
    policy = await make_policy(
        client,
        tenant,
        [
            {
                "id": "events-need-two",
                "when": 'tool = "emit_event" AND agent = "' + agent["name"] + '"',
                "effect": "require_approval",
                "approvers": [one["id"], two["id"]],
                "required_approvals": 2,
                "timeout_seconds": 3600,
                "on_timeout": "reject",
                "severity": "high",
            }
        ],
    )
    fake_openai.reply(tool_calls=[{"name": "emit_event", "arguments": {"type": "refund.sent"}}])
    fake_openai.reply("Refund sent.")
    run = await run_agent(client, tenant, agent["id"], "refund", wait=0)
    await until_status(client, tenant, run["id"], {"waiting"})
    listed = await client.get(
        "/v1/approvals", params={"filter": f'run_id = "{run["id"]}"'}, headers=tenant.headers
    )
    [approval] = listed.json()["data"]
    assert approval["source"] == "policy"
    assert approval["policy_id"] == policy["id"]
    assert approval["rule_id"] == "events-need-two"
    assert approval["severity"] == "high"
    assert approval["required_approvals"] == 2
    assert approval["approvers"] == [one["id"], two["id"]]
    assert approval["on_timeout"] == "reject"
    assert approval["deadline"] is not None
    assert 'emit_event with {"type": "refund.sent"}' in approval["message"]
    url = f"/v1/approvals/{approval['id']}"
    assert (await client.post(f"{url}/approve", headers=bearer(one["key"]))).status_code == 200
    run_now = await client.get(f"/v1/runs/{run['id']}", headers=tenant.headers)
    assert run_now.json()["status"] == "waiting"  # one of two
    assert (await client.post(f"{url}/approve", headers=bearer(two["key"]))).status_code == 200
    done = await until_status(client, tenant, run["id"], {"completed", "failed"})
    assert done["status"] == "completed", done
    assert done["outputs"]["content"] == "Refund sent."
    [call] = await _tool_calls(client, tenant, run["id"])
    assert call["status"] == "completed"
    assert call["result"] == {"emitted": "agent.refund.sent"}
    assert call["approval_id"] == approval["id"]
    assert len(fake_openai.requests) == 2  # the first model call was not made again
    audit = await audit_actions(client, tenant, f"/v1/runs/{run['id']}/audit")
    actions = [row["action"] for row in audit]
    assert len(await _evaluations(client, tenant, run["id"])) == 1  # not again on resuming
    assert actions.index("approval.requested") < actions.index("approval.decided")
    assert actions.count("approval.decided") == 2


async def test_a_rejected_tool_call_approval_is_fed_back_to_the_model(
    client: httpx.AsyncClient, tenant: Tenant, fake_openai: FakeOpenAI
) -> None:
    agent = await _openai_agent(client, tenant, fake_openai, ["emit_event"])
    await make_policy(
        client, tenant, [{"when": 'tool = "emit_event"', "effect": "require_approval"}]
    )
    fake_openai.reply(tool_calls=[{"name": "emit_event", "arguments": {"type": "wire.sent"}}])
    fake_openai.reply("Understood, not sending.")
    run = await run_agent(client, tenant, agent["id"], "wire money", wait=0)
    await until_status(client, tenant, run["id"], {"waiting"})
    listed = await client.get(
        "/v1/approvals", params={"filter": f'run_id = "{run["id"]}"'}, headers=tenant.headers
    )
    [approval] = listed.json()["data"]
    approver = await make_key(client, tenant.admin_key, tenant.project_id)
    rejected = await client.post(
        f"/v1/approvals/{approval['id']}/reject",
        json={"comment": "not today"},
        headers=bearer(approver["key"]),
    )
    assert rejected.status_code == 200, rejected.text
    done = await until_status(client, tenant, run["id"], {"completed", "failed"})
    assert done["status"] == "completed", done  # a refusal, not a failed run
    refusal = json.loads(fake_openai.requests[-1]["messages"][-1]["content"])
    assert refusal == {"error": "a person refused this call", "comment": "not today"}
    [call] = await _tool_calls(client, tenant, run["id"])
    assert call["status"] == "rejected"
    assert call["approval_id"] == approval["id"]


async def test_run_rules_do_not_gate_tool_calls_and_other_tools_pass(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    agent = await make_agent(client, tenant, tools=[{"name": "emit_event"}])
    await make_policy(
        client,
        tenant,
        [
            {"when": 'tool = "http_request"', "effect": "deny", "reason": "no http"},
            {"when": 'labels.team = "blocked"', "effect": "deny", "reason": "run rule"},
        ],
    )
    run = await run_agent(client, tenant, agent["id"], '/tool emit_event {"type": "a.b"}')
    assert run["status"] == "completed", run
    [call] = await _tool_calls(client, tenant, run["id"])
    assert call["status"] == "completed"
    [evaluation] = await _evaluations(client, tenant, run["id"], "tool_call")
    assert evaluation["decision"]["to"] == "approved"
    [at_start] = await _evaluations(client, tenant, run["id"], "run")  # the run rule
    assert at_start["decision"]["to"] == "approved"


async def test_an_unanswered_tool_call_approval_times_out_into_a_refusal(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant, clock: Any
) -> None:
    agent = await make_agent(client, tenant, tools=[{"name": "emit_event"}])
    await make_policy(
        client,
        tenant,
        [
            {
                "when": 'tool = "emit_event"',
                "effect": "require_approval",
                "timeout_seconds": 60,
                "on_timeout": "reject",
            }
        ],
    )
    run = await run_agent(client, tenant, agent["id"], '/tool emit_event {"type": "a.b"}', wait=0)
    await until_status(client, tenant, run["id"], {"waiting"})
    clock(61)
    kanri.wake_engine()
    done = await until_status(client, tenant, run["id"], {"completed", "failed"})
    assert done["status"] == "completed", done
    [call] = await _tool_calls(client, tenant, run["id"])
    assert call["status"] == "rejected"
    assert call["result"]["error"] == "nobody approved this call in time"
    listed = await client.get(
        "/v1/approvals", params={"filter": f'run_id = "{run["id"]}"'}, headers=tenant.headers
    )
    assert listed.json()["data"][0]["status"] == "expired"


async def test_an_agent_step_approved_by_a_step_rule_is_not_asked_again_after_a_tool_approval(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    agent = await make_agent(
        client, tenant, tools=[{"name": "emit_event", "requires_approval": True}]
    )
    await make_policy(
        client, tenant, [{"when": 'step.kind = "agent"', "effect": "require_approval"}]
    )
    approver = await make_key(client, tenant.admin_key, tenant.project_id)
    run = await run_agent(client, tenant, agent["id"], '/tool emit_event {"type": "a.b"}', wait=0)
    for expected in ("step 'agent'", "The agent asks to call emit_event"):
        await until_status(client, tenant, run["id"], {"waiting"})
        listed = await client.get(
            "/v1/approvals",
            params={"filter": f'run_id = "{run["id"]}" AND status = "pending"'},
            headers=tenant.headers,
        )
        [approval] = listed.json()["data"]
        assert expected in approval["message"]
        decided = await client.post(
            f"/v1/approvals/{approval['id']}/approve", headers=bearer(approver["key"])
        )
        assert decided.status_code == 200, decided.text
    done = await until_status(client, tenant, run["id"], {"completed", "failed"})
    assert done["status"] == "completed", done
    every = await client.get(
        "/v1/approvals", params={"filter": f'run_id = "{run["id"]}"'}, headers=tenant.headers
    )
    assert len(every.json()["data"]) == 2


async def test_a_policy_attached_to_an_agent_decides_its_runs_before_they_start(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    agent = await make_agent(client, tenant)
    other = await make_agent(client, tenant)
    await make_policy(
        client,
        tenant,
        [{"when": 'agent = "' + agent["name"] + '"', "effect": "deny", "reason": "retired"}],
        attachments={"agents": [agent["name"]]},
    )
    run = await run_agent(client, tenant, agent["id"], "hello")
    assert run["status"] == "failed"
    assert run["stop_reason"] == "denied"
    assert "retired" in run["error"]["message"]
    fine = await run_agent(client, tenant, other["id"], "hello")
    assert fine["status"] == "completed", fine


async def test_a_step_rule_on_the_agent_reads_the_agent_an_automation_step_runs(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    blocked = await make_agent(client, tenant)
    other = await make_agent(client, tenant)
    rule = 'step.kind = "agent" AND agent = "' + blocked["name"] + '"'
    await make_policy(client, tenant, [{"when": rule, "effect": "deny", "reason": "not here"}])

    async def run_step(agent_ref: str) -> dict[str, Any]:
        step = {"id": "delegate", "kind": "agent", "agent": agent_ref, "message": "hi"}
        automation = await make_automation(client, tenant, [step])
        return await run_and_wait(client, tenant, automation["id"])

    by_id = await run_step(blocked["id"])
    assert by_id["status"] == "failed"
    assert "not here" in by_id["error"]["message"]
    by_name = await run_step(blocked["name"])
    assert by_name["status"] == "failed"
    allowed = await run_step(other["id"])
    assert allowed["status"] == "completed", allowed
