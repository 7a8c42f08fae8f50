"""The agent loop against a fake OpenAI-compatible server over real HTTP."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from sqlalchemy import update

from kanri.engine import leases
from kanri.engine.models import RunRow
from kanri.runtime import Kanri
from tests.agents.factories import make_agent, make_provider, run_agent
from tests.engine.factories import make_automation, until_status
from tests.factories import Tenant, bearer, make_key
from tests.fakes.openai_server import FakeOpenAI
from tests.runs.test_events import _frames


async def _openai_agent(
    client: httpx.AsyncClient, tenant: Tenant, fake: FakeOpenAI, **fields: Any
) -> dict[str, Any]:
    provider = await make_provider(
        client,
        tenant,
        "openai",
        base_url=fake.base_url,
        api_key="sk-test-key",
        options={"max_retries": 2, "timeout_seconds": 10},
    )
    return await make_agent(client, tenant, provider, model="fake-model", **fields)


async def test_a_model_call_a_tool_call_and_a_final_answer(
    client: httpx.AsyncClient, tenant: Tenant, fake_openai: FakeOpenAI
) -> None:
    agent = await _openai_agent(
        client,
        tenant,
        fake_openai,
        instructions="You close tickets.",
        tools=[{"name": "emit_event"}],
    )
    fake_openai.reply(
        tool_calls=[
            {"name": "emit_event", "arguments": {"type": "ticket.closed", "data": {"n": 7}}}
        ]
    )
    fake_openai.reply("Closed ticket 7.")
    run = await run_agent(client, tenant, agent["id"], "close 7")
    assert run["status"] == "completed", run
    assert run["outputs"]["content"] == "Closed ticket 7."
    assert run["outputs"]["model_calls"] == 2

    first, second = fake_openai.requests
    assert first["messages"][0] == {"role": "system", "content": "You close tickets."}
    assert first["messages"][1] == {"role": "user", "content": "close 7"}
    assert [t["function"]["name"] for t in first["tools"]] == ["emit_event"]
    assert fake_openai.headers[0]["authorization"] == "Bearer sk-test-key"
    tool_message = second["messages"][-1]
    assert tool_message["role"] == "tool"
    assert json.loads(tool_message["content"]) == {"emitted": "agent.ticket.closed"}

    calls = await client.get(f"/v1/runs/{run['id']}/tool-calls", headers=tenant.headers)
    [call] = calls.json()["data"]
    assert call["name"] == "emit_event"
    assert call["status"] == "completed"
    assert call["arguments"] == {"type": "ticket.closed", "data": {"n": 7}}
    events = _frames(
        (await client.get(f"/v1/runs/{run['id']}/events", headers=tenant.headers)).text
    )
    emitted = [f for f in events if f["event"] == "agent.ticket.closed"]
    assert emitted[0]["data"]["data"] == {"n": 7}


async def test_tokens_stream_on_the_runs_event_stream(
    client: httpx.AsyncClient, tenant: Tenant, fake_openai: FakeOpenAI
) -> None:
    agent = await _openai_agent(client, tenant, fake_openai)
    fake_openai.reply("one two three four five", chunk_delay=0.1)
    run = await run_agent(client, tenant, agent["id"], "count")
    assert run["status"] == "completed", run
    frames = _frames(
        (await client.get(f"/v1/runs/{run['id']}/events", headers=tenant.headers)).text
    )
    deltas = [f["data"] for f in frames if f["event"] == "run.delta"]
    assert len(deltas) >= 2  # flushed while streaming, not only at the end
    assert "".join(d["delta"] for d in deltas) == "one two three four five"
    assert [d["index"] for d in deltas] == list(range(len(deltas)))


async def test_429_is_retried_honouring_retry_after_and_a_400_fails_the_run(
    client: httpx.AsyncClient, tenant: Tenant, fake_openai: FakeOpenAI
) -> None:
    agent = await _openai_agent(client, tenant, fake_openai)
    fake_openai.reply(status=429, retry_after="0.3")
    fake_openai.reply("after the wait")
    run = await run_agent(client, tenant, agent["id"], "hi")
    assert run["status"] == "completed", run
    assert run["outputs"]["content"] == "after the wait"
    assert len(fake_openai.requests) == 2
    assert fake_openai.request_times[1] - fake_openai.request_times[0] >= 0.25

    fake_openai.reply(status=400)
    failed = await run_agent(client, tenant, agent["id"], "hi")
    assert failed["status"] == "failed"
    assert "HTTP 400" in failed["error"]["message"]
    assert "sk-test-key" not in json.dumps(failed)


async def test_usage_with_cached_and_reasoning_tokens_is_priced_to_the_cent(
    client: httpx.AsyncClient, tenant: Tenant, fake_openai: FakeOpenAI
) -> None:
    agent = await _openai_agent(client, tenant, fake_openai, tools=[{"name": "emit_event"}])
    price = await client.post(
        "/v1/prices",
        json={
            "provider": "*",
            "model": "fake-model",
            "input_per_million": "2.50",
            "cached_input_per_million": "1.25",
            "output_per_million": "10.00",
        },
        headers=tenant.headers,
    )
    assert price.status_code == 201, price.text
    usage: dict[str, Any] = {"prompt_tokens": 1000, "cached_tokens": 400, "completion_tokens": 200}
    fake_openai.reply(
        tool_calls=[{"name": "emit_event", "arguments": {"type": "a.b"}}],
        reasoning_tokens=50,
        **usage,
    )
    fake_openai.reply("done", **usage)
    run = await run_agent(client, tenant, agent["id"], "go")
    assert run["status"] == "completed", run
    # Per call: 600 * 2.50 + 400 * 1.25 + 200 * 10.00 per million = 0.004 USD.
    assert run["cost_usd"] == "0.00800000"
    assert run["usage"] == {
        "input_tokens": 2000,
        "output_tokens": 400,
        "cached_input_tokens": 800,
        "reasoning_tokens": 50,
        "total_tokens": 2400,
    }
    report = await client.get(
        "/v1/costs",
        params={"group_by": "agent", "filter": f'agent_id = "{agent["id"]}"'},
        headers=tenant.headers,
    )
    assert report.status_code == 200, report.text
    [row] = report.json()["data"]
    assert row["group"] == {"agent_id": agent["id"], "name": agent["name"]}
    assert row["cost_usd"] == "0.00800000"
    assert row["calls"] == 2
    assert row["usage"]["cached_input_tokens"] == 800
    by_day = await client.get("/v1/costs", params={"group_by": "day"}, headers=tenant.headers)
    assert by_day.json()["total"]["cost_usd"] == "0.00800000"
    assert len(by_day.json()["data"][0]["group"]["day"]) == 10
    bad = await client.get("/v1/costs", params={"group_by": "colour"}, headers=tenant.headers)
    assert bad.status_code == 422


async def test_an_approval_gated_tool_parks_the_run_and_runs_once_approved(
    client: httpx.AsyncClient, tenant: Tenant, fake_openai: FakeOpenAI
) -> None:
    agent = await _openai_agent(
        client, tenant, fake_openai, tools=[{"name": "emit_event", "requires_approval": True}]
    )
    fake_openai.reply(tool_calls=[{"name": "emit_event", "arguments": {"type": "refund.sent"}}])
    fake_openai.reply("Refund sent.")
    run = await run_agent(client, tenant, agent["id"], "refund", wait=0)
    waiting = await until_status(client, tenant, run["id"], {"waiting"})
    assert waiting["status"] == "waiting"
    approvals = await client.get(
        "/v1/approvals", params={"filter": f'run_id = "{run["id"]}"'}, headers=tenant.headers
    )
    [approval] = approvals.json()["data"]
    assert "emit_event" in approval["message"]
    assert '"type": "refund.sent"' in approval["message"]
    approver = await make_key(client, tenant.admin_key, tenant.project_id)
    decided = await client.post(
        f"/v1/approvals/{approval['id']}/approve", headers=bearer(approver["key"])
    )
    assert decided.status_code == 200, decided.text
    done = await until_status(client, tenant, run["id"], {"completed", "failed"})
    assert done["status"] == "completed", done
    assert done["outputs"]["content"] == "Refund sent."
    # The model call made before parking was replayed from its record, not made again.
    assert len(fake_openai.requests) == 2
    calls = await client.get(f"/v1/runs/{run['id']}/tool-calls", headers=tenant.headers)
    assert calls.json()["data"][0]["status"] == "completed"


async def test_a_rejected_tool_call_is_fed_back_to_the_model(
    client: httpx.AsyncClient, tenant: Tenant, fake_openai: FakeOpenAI
) -> None:
    agent = await _openai_agent(
        client, tenant, fake_openai, tools=[{"name": "emit_event", "requires_approval": True}]
    )
    fake_openai.reply(tool_calls=[{"name": "emit_event", "arguments": {"type": "wire.sent"}}])
    fake_openai.reply("Understood, not sending.")
    run = await run_agent(client, tenant, agent["id"], "wire money", wait=0)
    await until_status(client, tenant, run["id"], {"waiting"})
    approvals = await client.get(
        "/v1/approvals", params={"filter": f'run_id = "{run["id"]}"'}, headers=tenant.headers
    )
    approver = await make_key(client, tenant.admin_key, tenant.project_id)
    await client.post(
        f"/v1/approvals/{approvals.json()['data'][0]['id']}/reject",
        json={"comment": "not today"},
        headers=bearer(approver["key"]),
    )
    done = await until_status(client, tenant, run["id"], {"completed", "failed"})
    assert done["status"] == "completed", done
    refusal = json.loads(fake_openai.requests[-1]["messages"][-1]["content"])
    assert refusal == {"error": "a person refused this call", "comment": "not today"}
    calls = await client.get(f"/v1/runs/{run['id']}/tool-calls", headers=tenant.headers)
    assert calls.json()["data"][0]["status"] == "rejected"


async def test_a_run_taken_over_mid_call_resumes_without_repeating_finished_calls(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant, fake_openai: FakeOpenAI
) -> None:
    agent = await _openai_agent(client, tenant, fake_openai, tools=[{"name": "emit_event"}])
    fake_openai.reply(tool_calls=[{"name": "emit_event", "arguments": {"type": "x.y"}}])
    fake_openai.reply("a b c d e f g h i j", chunk_delay=0.3)  # interrupted
    fake_openai.reply("final answer")
    run = await run_agent(client, tenant, agent["id"], "go", wait=0)
    for _ in range(200):
        if len(fake_openai.requests) >= 2:
            break
        await asyncio.sleep(0.05)
    assert len(fake_openai.requests) == 2

    def expire(tx: Any) -> None:  # the worker "dies": its lease runs out
        tx.execute(
            update(RunRow).where(RunRow.id == run["id"]).values(lease_expires_at=RunRow.create_time)
        )

    await kanri.db.write(expire)
    await kanri.db.write(leases.sweep)
    kanri.wake_engine()
    done = await until_status(client, tenant, run["id"], {"completed", "failed"}, within=20)
    assert done["status"] == "completed", done
    assert done["outputs"]["content"] == "final answer"
    assert done["attempt"] >= 2
    assert len(fake_openai.requests) == 3  # the first call was not made again
    assert fake_openai.requests[2]["messages"][-1]["role"] == "tool"
    calls = await client.get(f"/v1/runs/{run['id']}/tool-calls", headers=tenant.headers)
    assert len(calls.json()["data"]) == 1  # nor the tool call
    assert done["usage"]["input_tokens"] == 200  # two recorded calls, not three


async def test_an_agent_step_retried_within_its_claim_replays_what_it_recorded(
    client: httpx.AsyncClient, tenant: Tenant, fake_openai: FakeOpenAI
) -> None:
    provider = await make_provider(
        client,
        tenant,
        "openai",
        base_url=fake_openai.base_url,
        api_key="k",
        options={"max_retries": 0, "timeout_seconds": 10},
    )
    agent = await make_agent(
        client, tenant, provider, model="fake-model", tools=[{"name": "emit_event"}]
    )
    fake_openai.reply(tool_calls=[{"name": "emit_event", "arguments": {"type": "x.y"}}])
    fake_openai.reply(status=503)  # fails the step after a model call and a tool call
    fake_openai.reply("final answer")
    retry = {"max_attempts": 2, "backoff_seconds": 0.05}  # inline: the same claim
    automation = await make_automation(
        client,
        tenant,
        [{"id": "ask", "kind": "agent", "agent": agent["id"], "message": "go", "retry": retry}],
    )
    response = await client.post(
        f"/v1/automations/{automation['id']}/runs",
        params={"wait": 20},
        json={"inputs": {}},
        headers=tenant.headers,
    )
    run = response.json()
    assert run["status"] == "completed", run
    assert run["attempt"] == 1
    assert run["outputs"]["content"] == "final answer"
    assert len(fake_openai.requests) == 3  # the first call was not made again
    calls = await client.get(f"/v1/runs/{run['id']}/tool-calls", headers=tenant.headers)
    assert [c["status"] for c in calls.json()["data"]] == ["completed"]  # nor the tool call
    steps = await client.get(f"/v1/runs/{run['id']}/steps", headers=tenant.headers)
    assert [s["status"] for s in steps.json()["data"]] == ["failed", "completed"]


async def test_an_anthropic_provider_maps_tools_system_and_usage(
    client: httpx.AsyncClient, tenant: Tenant, fake_openai: FakeOpenAI
) -> None:
    provider = await make_provider(
        client,
        tenant,
        "anthropic",
        base_url=fake_openai.base_url.removesuffix("/v1"),
        api_key="sk-ant-test",
    )
    agent = await make_agent(
        client,
        tenant,
        provider,
        model="claude-sonnet-4-fake",
        instructions="Be kind.",
        tools=[{"name": "emit_event"}],
    )
    fake_openai.reply(
        tool_calls=[{"name": "emit_event", "arguments": {"type": "a.b"}}],
        prompt_tokens=100,
        cached_tokens=60,
    )
    fake_openai.reply("All done.")
    run = await run_agent(client, tenant, agent["id"], "hi", wait=60)  # the SDK loads first
    assert run["status"] == "completed", run
    assert run["outputs"]["content"] == "All done."
    first, second = fake_openai.requests
    assert first["system"] == "Be kind."
    assert first["tools"][0]["name"] == "emit_event"
    assert second["messages"][-1]["content"][0]["type"] == "tool_result"
    assert run["usage"]["input_tokens"] == 200
    assert run["usage"]["cached_input_tokens"] == 60
    # claude-sonnet-4 (shipped default): 3.00 / 0.30 / 15.00 USD per million tokens;
    # (40 * 3 + 60 * 0.3 + 20 * 15) + (100 * 3 + 20 * 15) = 1038 per million.
    assert run["cost_usd"] == "0.00103800"


async def test_llm_and_agent_step_kinds_in_an_automation(
    client: httpx.AsyncClient, tenant: Tenant, fake_openai: FakeOpenAI
) -> None:
    provider = await make_provider(
        client, tenant, "openai", base_url=fake_openai.base_url, api_key="k"
    )
    agent = await make_agent(client, tenant)  # offline
    fake_openai.reply('{"sentiment": "positive", "score": 0.9}')
    automation = await make_automation(
        client,
        tenant,
        [
            {
                "id": "classify",
                "kind": "llm",
                "provider": provider["name"],
                "model": "fake-model",
                "prompt": "Classify: {{ inputs.text }}",
                "output_schema": {
                    "type": "object",
                    "required": ["sentiment"],
                    "properties": {"sentiment": {"type": "string"}},
                },
            },
            {
                "id": "reply",
                "kind": "agent",
                "agent": agent["name"],
                "message": "Say {{ steps.classify.output.json.sentiment }}",
            },
        ],
    )
    response = await client.post(
        f"/v1/automations/{automation['id']}/runs",
        params={"wait": 10},
        json={"inputs": {"text": "great"}},
        headers=tenant.headers,
    )
    run = response.json()
    assert run["status"] == "completed", run
    assert run["outputs"]["content"] == "You said: Say positive"
    assert fake_openai.requests[0]["messages"] == [{"role": "user", "content": "Classify: great"}]
    assert fake_openai.requests[0]["response_format"]["type"] == "json_schema"
    assert run["usage"]["total_tokens"] == 120 + 15
    report = await client.get(
        "/v1/costs", params={"group_by": "automation"}, headers=tenant.headers
    )
    groups = [r["group"] for r in report.json()["data"]]
    assert {"automation_id": automation["id"], "name": automation["name"]} in groups


async def test_offline_tools_run_automation_and_the_ssrf_guard(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    child = await make_automation(
        client, tenant, [{"id": "double", "kind": "transform", "output": "{{ inputs.n * 2 }}"}]
    )
    agent = await make_agent(
        client, tenant, tools=[{"name": "run_automation"}, {"name": "http_request"}]
    )
    run = await run_agent(
        client,
        tenant,
        agent["id"],
        f'/tool run_automation {{"automation": "{child["name"]}", "inputs": {{"n": 21}}}}',
    )
    assert run["status"] == "completed", run
    assert '"outputs": 42' in run["outputs"]["content"]
    blocked = await run_agent(
        client, tenant, agent["id"], '/tool http_request {"url": "http://127.0.0.1:9/x"}'
    )
    assert blocked["status"] == "completed", blocked
    calls = await client.get(f"/v1/runs/{blocked['id']}/tool-calls", headers=tenant.headers)
    [call] = calls.json()["data"]
    assert call["status"] == "failed"
    assert "error" in call["result"]


async def test_cancelling_a_run_aborts_the_in_flight_model_call(
    client: httpx.AsyncClient, tenant: Tenant, fake_openai: FakeOpenAI
) -> None:
    agent = await _openai_agent(client, tenant, fake_openai)
    fake_openai.reply(" ".join(["word"] * 40), chunk_delay=0.2)
    run = await run_agent(client, tenant, agent["id"], "talk", wait=0)
    for _ in range(200):
        if fake_openai.requests:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    cancelled = await client.post(f"/v1/runs/{run['id']}/cancel", headers=tenant.headers)
    assert cancelled.json()["status"] == "cancelled"
    for _ in range(200):
        if fake_openai.disconnects:
            break
        await asyncio.sleep(0.05)
    assert fake_openai.disconnects == 1  # long before the 8 s stream would have ended


async def test_an_agent_stops_at_max_steps(client: httpx.AsyncClient, tenant: Tenant) -> None:
    agent = await make_agent(client, tenant, tools=[{"name": "emit_event"}], max_steps=1)
    run = await run_agent(client, tenant, agent["id"], '/tool emit_event {"type": "a.b"}')
    assert run["status"] == "failed"
    assert run["stop_reason"] == "max_steps"
    assert "max_steps (1)" in run["error"]["message"]
