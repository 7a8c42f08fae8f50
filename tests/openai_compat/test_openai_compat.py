"""The official `openai` client against a live kanri server (real HTTP on loopback)."""

from __future__ import annotations

import httpx
import openai

from tests.agents.factories import make_agent, make_provider
from tests.factories import Tenant
from tests.fakes.openai_server import FakeOpenAI


async def test_the_openai_client_talks_to_an_agent(
    client: httpx.AsyncClient, tenant: Tenant, kanri_url: str
) -> None:
    agent = await make_agent(client, tenant, instructions="Echo.")
    sdk = openai.AsyncOpenAI(base_url=f"{kanri_url}/v1/openai", api_key=tenant.key)
    async with sdk:
        models = await sdk.models.list()
        assert agent["name"] in [m.id for m in models.data]
        completion = await sdk.chat.completions.create(
            model=agent["name"], messages=[{"role": "user", "content": "hello there"}]
        )
    assert completion.choices[0].message.content == "You said: hello there"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None
    assert completion.usage.prompt_tokens == 10
    assert completion.usage.total_tokens == 15
    run_id = completion.id.removeprefix("chatcmpl-")
    run = (await client.get(f"/v1/runs/{run_id}", headers=tenant.headers)).json()
    assert run["agent_id"] == agent["id"]
    assert run["status"] == "completed"
    assert run["labels"] == {"channel": "openai"}


async def test_the_openai_client_streams_tokens_with_usage(
    client: httpx.AsyncClient, tenant: Tenant, kanri_url: str, fake_openai: FakeOpenAI
) -> None:
    provider = await make_provider(
        client, tenant, "openai", base_url=fake_openai.base_url, api_key="k"
    )
    agent = await make_agent(client, tenant, provider, model="fake-model")
    fake_openai.reply(
        "streamed words arrive one by one",
        chunk_delay=0.1,
        prompt_tokens=50,
        cached_tokens=10,
        completion_tokens=7,
        reasoning_tokens=2,
    )
    sdk = openai.AsyncOpenAI(base_url=f"{kanri_url}/v1/openai", api_key=tenant.key)
    pieces: list[str] = []
    usage = None
    finish = None
    async with sdk:
        stream = await sdk.chat.completions.create(
            model=agent["name"],
            messages=[{"role": "user", "content": [{"type": "text", "text": "go"}]}],
            stream=True,
            stream_options={"include_usage": True},
        )
        async for chunk in stream:
            if chunk.usage is not None:
                usage = chunk.usage
            for choice in chunk.choices:
                if choice.delta.content:
                    pieces.append(choice.delta.content)
                finish = choice.finish_reason or finish
    assert "".join(pieces) == "streamed words arrive one by one"
    assert len(pieces) >= 2
    assert finish == "stop"
    assert usage is not None
    assert usage.prompt_tokens == 50
    assert usage.prompt_tokens_details is not None
    assert usage.prompt_tokens_details.cached_tokens == 10
    assert usage.completion_tokens_details is not None
    assert usage.completion_tokens_details.reasoning_tokens == 2


async def test_the_stream_is_data_lines_ending_in_done_and_is_not_buffered(
    tenant: Tenant, kanri_url: str, client: httpx.AsyncClient
) -> None:
    agent = await make_agent(client, tenant, instructions="Echo.")
    body = {"model": agent["name"], "messages": [{"role": "user", "content": "hi"}], "stream": True}
    async with httpx.AsyncClient(base_url=kanri_url, timeout=20) as http:
        response = await http.post("/v1/openai/chat/completions", json=body, headers=tenant.headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-accel-buffering"] == "no"
    assert response.headers["kanri-run-id"]
    text = response.text
    assert text.startswith('data: {"id": "chatcmpl-')
    assert text.endswith('"finish_reason": "stop", "logprobs": null}]}\n\ndata: [DONE]\n\n')
    assert all(frame.startswith("data: ") for frame in text.removesuffix("\n\n").split("\n\n"))


async def test_a_message_that_agents_cannot_take_is_a_422_naming_it(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    agent = await make_agent(client, tenant)
    response = await client.post(
        "/v1/openai/chat/completions",
        json={
            "model": agent["name"],
            "messages": [
                {"role": "user", "content": "hi"},
                {"role": "assistant", "tool_calls": [{"function": {"arguments": "a\x00b"}}]},
            ],
        },
        headers=tenant.headers,
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["param"].startswith("messages.1")
