"""A provider's answer is checked before it counts: a 200 of the wrong shape fails the call
with an error naming the provider, never an empty success that costs nothing. Against the
fake OpenAI-compatible server (and its Anthropic route) over real HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from kanri.providers import clients
from kanri.providers.sdk import ProviderError
from kanri.providers.service import ProviderConfig
from tests.agents.factories import (
    make_agent,
    make_budget,
    make_provider,
    metered_provider,
    run_agent,
)
from tests.engine.factories import make_automation, run_and_wait
from tests.factories import Tenant
from tests.fakes.openai_server import FakeOpenAI

NO_USAGE = (
    "answered without token usage (turn the provider's `require_usage` option off only for an "
    "endpoint that never reports it: its calls then count no tokens and no cost)"
)
NO_CHOICES_BODY = {"id": "chatcmpl-odd", "object": "chat.completion", "model": "m"}

# (what the fake answers, whether the provider streams, what the run's error says)
WRONG_ANSWERS = [
    pytest.param({"body": NO_CHOICES_BODY}, False, "answered without choices", id="no-choices"),
    pytest.param(
        {"body": NO_CHOICES_BODY},
        True,
        "answered with a stream that carries no choices",
        id="no-choices-streamed",
    ),
    pytest.param(
        {"shape": "empty_stream"},
        True,
        "answered with a stream that carries no choices",
        id="empty-stream",
    ),
    pytest.param({"shape": "html"}, False, "answered text/html where JSON was expected", id="html"),
    pytest.param(
        {"shape": "html"},
        True,
        "answered text/html to a streamed request (an event stream or JSON was expected)",
        id="html-streamed",
    ),
    pytest.param({"shape": "not_json"}, False, "answered a body that is not JSON", id="not-json"),
    pytest.param(
        {"shape": "not_json"}, True, "answered a body that is not JSON", id="not-json-streamed"
    ),
    pytest.param({"usage": False}, False, NO_USAGE, id="no-usage"),
    pytest.param({"usage": False}, True, NO_USAGE, id="no-usage-streamed"),
    pytest.param(
        {"body": {"error": {"message": "the model is overloaded", "type": "server_error"}}},
        True,
        "reported an error in its stream: the model is overloaded",
        id="error-event",
    ),
]


async def _provider(
    client: httpx.AsyncClient, tenant: Tenant, fake: FakeOpenAI, **options: Any
) -> dict[str, Any]:
    return await metered_provider(
        client,
        tenant,
        fake,
        default_model="metered",
        options={"max_retries": 2, "timeout_seconds": 10, **options},
    )


@pytest.mark.parametrize(("answer", "stream", "problem"), WRONG_ANSWERS)
async def test_an_answer_of_the_wrong_shape_fails_the_agent_run_naming_the_provider(
    client: httpx.AsyncClient,
    tenant: Tenant,
    fake_openai: FakeOpenAI,
    answer: dict[str, Any],
    stream: bool,
    problem: str,
) -> None:
    provider = await _provider(client, tenant, fake_openai, stream=stream)
    agent = await make_agent(client, tenant, provider, model=None)
    fake_openai.reply("never read", **answer)
    run = await run_agent(client, tenant, agent["id"], "hi")

    assert run["status"] == "failed", run
    assert run["error"]["message"] == f"provider '{provider['name']}' {problem}"
    assert run["error"]["provider"] == provider["name"]
    assert run["outputs"] is None
    assert run["usage"] is None
    assert run["cost_usd"] is None
    steps = (await client.get(f"/v1/runs/{run['id']}/steps", headers=tenant.headers)).json()
    assert [s["status"] for s in steps["data"]] == ["failed"]
    costs = await client.get(
        "/v1/costs", params={"filter": f'run_id = "{run["id"]}"'}, headers=tenant.headers
    )
    assert costs.json()["total"]["calls"] == 0
    # The SDK retries 429 and 5xx (max_retries 2), not a 200 of the wrong shape.
    assert len(fake_openai.requests) == 1
    assert fake_openai.requests[0].get("stream", False) is stream


async def test_a_completion_answered_to_a_streamed_request_is_read_as_one(
    client: httpx.AsyncClient, tenant: Tenant, fake_openai: FakeOpenAI
) -> None:
    provider = await _provider(client, tenant, fake_openai)
    agent = await make_agent(client, tenant, provider, model=None, tools=[{"name": "emit_event"}])
    fake_openai.reply(tool_calls=[{"name": "emit_event", "arguments": {"type": "a.b"}}])
    fake_openai.reply("Done in one piece.", shape="json")
    run = await run_agent(client, tenant, agent["id"], "hi")

    assert run["status"] == "completed", run
    assert run["outputs"]["content"] == "Done in one piece."
    assert run["usage"]["total_tokens"] == 240
    assert run["cost_usd"] == "0.24000000"  # both calls priced, the second read from JSON
    assert [r["stream"] for r in fake_openai.requests] == [True, True]


async def test_a_reply_without_usage_spends_nothing_unseen_from_a_budget(
    client: httpx.AsyncClient, tenant: Tenant, fake_openai: FakeOpenAI
) -> None:
    provider = await _provider(client, tenant, fake_openai)
    agent = await make_agent(client, tenant, provider, model=None)
    budget = await make_budget(client, tenant, agent=agent["name"], limit_usd="0.20")
    spent = await run_agent(client, tenant, agent["id"], "one")
    assert spent["cost_usd"] == "0.12000000"

    fake_openai.reply("free tokens?", usage=False)
    unmetered = await run_agent(client, tenant, agent["id"], "two")
    assert unmetered["status"] == "failed"
    assert unmetered["error"]["message"] == f"provider '{provider['name']}' {NO_USAGE}"
    seen = await client.get(f"/v1/budgets/{budget['id']}", headers=tenant.headers)
    assert seen.json()["spent_usd"] == "0.12000000"

    # Once more within the budget (0.24 of 0.20 after it): the budget still sees every call.
    over = await run_agent(client, tenant, agent["id"], "three")
    assert over["status"] == "completed", over
    refused = await client.post(
        f"/v1/agents/{agent['id']}/runs", json={"message": "four"}, headers=tenant.headers
    )
    assert refused.status_code == 402
    assert len(fake_openai.requests) == 3


async def test_an_endpoint_that_never_reports_usage_may_be_let_through_by_its_option(
    client: httpx.AsyncClient, tenant: Tenant, fake_openai: FakeOpenAI
) -> None:
    provider = await _provider(client, tenant, fake_openai, require_usage=False)
    assert provider["options"]["require_usage"] is False
    agent = await make_agent(client, tenant, provider, model=None)
    fake_openai.reply("no usage here", usage=False)
    run = await run_agent(client, tenant, agent["id"], "hi")
    assert run["status"] == "completed", run
    assert run["outputs"]["content"] == "no usage here"
    assert run["usage"]["total_tokens"] == 0
    assert run["cost_usd"] == "0.00000000"


async def test_the_llm_step_fails_on_a_wrong_answer_and_retries_only_what_may_pass(
    client: httpx.AsyncClient, tenant: Tenant, fake_openai: FakeOpenAI
) -> None:
    provider = await _provider(client, tenant, fake_openai, max_retries=0)
    automation = await make_automation(
        client,
        tenant,
        [
            {
                "id": "ask",
                "kind": "llm",
                "provider": provider["name"],
                "prompt": "hi",
                "retry": {"max_attempts": 2, "backoff_seconds": 0},
            }
        ],
    )
    fake_openai.reply("never read", shape="html")
    fake_openai.reply("not asked")
    failed = await run_and_wait(client, tenant, automation["id"])
    assert failed["status"] == "failed", failed
    problem = "answered text/html to a streamed request (an event stream or JSON was expected)"
    assert failed["error"]["message"] == f"provider '{provider['name']}' {problem}"
    assert failed["error"]["step_id"] == "ask"
    assert failed["cost_usd"] is None
    assert len(fake_openai.requests) == 1  # a 200 of the wrong shape is not retried

    fake_openai.script.clear()
    fake_openai.reply(status=503)
    fake_openai.reply("second time lucky")
    retried = await run_and_wait(client, tenant, automation["id"])
    assert retried["status"] == "completed", retried
    assert retried["outputs"]["content"] == "second time lucky"
    assert len(fake_openai.requests) == 3


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        ({"shape": "html"}, "answered text/html where JSON was expected"),
        ({"usage": False}, NO_USAGE),
    ],
)
async def test_an_anthropic_answer_of_the_wrong_shape_fails_the_run(
    client: httpx.AsyncClient,
    tenant: Tenant,
    fake_openai: FakeOpenAI,
    answer: dict[str, Any],
    problem: str,
) -> None:
    provider = await make_provider(
        client,
        tenant,
        "anthropic",
        base_url=fake_openai.base_url.removesuffix("/v1"),
        api_key="sk-ant-test",
    )
    agent = await make_agent(client, tenant, provider, model="claude-sonnet-4-fake")
    fake_openai.reply("never read", **answer)
    run = await run_agent(client, tenant, agent["id"], "hi", wait=60)  # the SDK loads first
    assert run["status"] == "failed", run
    assert run["error"]["message"] == f"provider '{provider['name']}' {problem}"
    assert run["usage"] is None
    assert len(fake_openai.requests) == 1


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"object": "list", "data": [], "model": "m"}, "answered 0 embeddings for 2 inputs"),
        ({"object": "list", "model": "m"}, "answered embeddings of an unexpected shape"),
    ],
)
async def test_embeddings_of_the_wrong_shape_fail_naming_the_provider(
    fake_openai: FakeOpenAI, body: dict[str, Any], problem: str
) -> None:
    provider = ProviderConfig(
        id="prov_1",
        name="embedder",
        kind="openai",
        base_url=fake_openai.base_url,
        api_key="k",
        default_model=None,
        options={"max_retries": 0},
        allow_private_network=True,
    )
    fake_openai.embedding_body = body
    with pytest.raises(ProviderError) as failed:
        await clients.embed(provider, "bag", ["alpha", "beta"])
    assert failed.value.message == f"provider 'embedder' {problem}"
    assert failed.value.retryable is False
