"""Retries through a loopback proxy in front of a live kanri: an answer lost after kanri
acted, a 429 with Retry-After, a POST without an Idempotency-Key."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from kanri.client import APIConnectionError, AsyncKanri, Kanri, RateLimited
from kanri.client._base import Transport
from tests.client.conftest import Proxy
from tests.client.test_sdk import DEFINITION
from tests.factories import Tenant, unique


async def test_a_create_whose_answer_was_lost_is_retried_and_makes_one_resource(
    proxy: Proxy, tenant: Tenant, sdk: AsyncKanri
) -> None:
    proxy.drop = {0}
    name = unique("once")
    async with AsyncKanri(base_url=proxy.url, api_key=tenant.key) as client:
        created = await client.automations.create(name=name, definition=DEFINITION)
    posts = [headers for method, _, headers in proxy.seen if method == "POST"]
    assert len(posts) == 2
    assert posts[0]["idempotency-key"] == posts[1]["idempotency-key"]
    same = [a.id async for a in sdk.automations.list(filter=f'name = "{name}"')]
    assert same == [created.id]


async def test_the_sync_client_retries_a_lost_run_start_once(
    proxy: Proxy, tenant: Tenant, sdk: AsyncKanri
) -> None:
    name = unique("start")
    automation = await sdk.automations.create(name=name, definition=DEFINITION)
    await sdk.automations.publish(name)
    proxy.drop = {0}

    def start() -> str:
        with Kanri(base_url=proxy.url, api_key=tenant.key) as client:
            return client.runs.start(name, {"amount": 1}, idempotency_key="order-1").id

    run_id = await asyncio.to_thread(start)
    assert [h["idempotency-key"] for _, _, h in proxy.seen] == ["order-1", "order-1"]
    runs = [r.id async for r in sdk.runs.list(filter=f'automation_id = "{automation.id}"')]
    assert runs == [run_id]


async def test_a_post_without_an_idempotency_key_is_not_retried(
    proxy: Proxy, tenant: Tenant
) -> None:
    proxy.drop = {0}
    async with AsyncKanri(base_url=proxy.url, api_key=tenant.key) as client:
        with pytest.raises(APIConnectionError):
            await client.runs.batch_cancel(filter='status = "running"')
    assert len(proxy.seen) == 1


async def test_429_waits_for_retry_after(
    proxy: Proxy, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []
    delay = Transport.delay

    def recorded(self: Transport, attempt: int, response: httpx.Response | None) -> float:
        seconds = delay(self, attempt, response)
        waits.append(seconds)
        return seconds

    monkeypatch.setattr(Transport, "delay", recorded)
    proxy.refuse = {0}
    async with AsyncKanri(base_url=proxy.url, api_key=tenant.key) as client:
        page = await client.runs.list().first_page()
    assert page.data == []
    assert waits == [1.0]
    assert len(proxy.seen) == 2


async def test_a_429_past_the_retries_is_rate_limited_with_retry_after(
    proxy: Proxy, tenant: Tenant
) -> None:
    proxy.refuse = {0, 1}
    async with AsyncKanri(base_url=proxy.url, api_key=tenant.key, max_retries=0) as client:
        with pytest.raises(RateLimited) as limited:
            await client.runs.list().first_page()
    assert limited.value.retry_after == 1.0
    assert len(proxy.seen) == 1
