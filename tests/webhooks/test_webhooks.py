"""Webhook endpoints and deliveries, against loopback receivers that verify signatures with
the `standardwebhooks` library."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from standardwebhooks.webhooks import WebhookVerificationError

from kanri.core import secrets
from kanri.runtime import Kanri
from kanri.webhooks.dispatch import JITTER, RETRY_DELAYS
from kanri.webhooks.models import WebhookEndpointRow
from kanri.webhooks.service import SECRET_PURPOSE
from tests.factories import make_tenant
from tests.webhooks.helpers import (
    Clock,
    deliveries,
    dispatcher_of,
    event_of,
    make_environment,
    make_webhook,
    private_tenant,
    until_delivery,
)
from tests.webhooks.receiver import Received, receiver


@pytest.fixture
def clock(app: FastAPI) -> Iterator[Clock]:
    """The dispatcher's clock, under the test's control until it ends."""
    dispatcher = dispatcher_of(app)
    controlled = Clock()
    real = dispatcher.clock
    dispatcher.clock = controlled
    try:
        yield controlled
    finally:
        dispatcher.clock = real


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def test_a_webhook_shows_its_secret_once_and_stores_it_encrypted(
    client: httpx.AsyncClient, kanri: Kanri
) -> None:
    tenant = await private_tenant(client, kanri)
    created = await make_webhook(client, tenant, "http://127.0.0.1:9/hook", description="ops")
    assert created["secret"].startswith("whsec_")
    assert created["event_types"] == ["environment.*"]
    assert created["enabled"] is True
    fetched = await client.get(f"/v1/webhooks/{created['id']}", headers=tenant.headers)
    assert fetched.status_code == 200
    assert "secret" not in fetched.json()
    listed = await client.get("/v1/webhooks", headers=tenant.headers)
    assert [w["id"] for w in listed.json()["data"]] == [created["id"]]

    def stored(tx: Any) -> str:
        row = tx.execute(
            select(WebhookEndpointRow).where(WebhookEndpointRow.id == created["id"])
        ).scalar_one()
        return str(row.secret_encrypted)

    token = await kanri.db.read(stored)
    assert created["secret"] not in token
    box = secrets.box(kanri.settings.secret, SECRET_PURPOSE)
    assert box.decrypt(token) == created["secret"]


async def test_a_delivery_is_signed_per_standard_webhooks_and_logged(
    client: httpx.AsyncClient, kanri: Kanri
) -> None:
    tenant = await private_tenant(client, kanri)
    async with receiver() as sink:
        webhook = await make_webhook(client, tenant, sink.url)
        environment = await make_environment(client, tenant)
        (request,) = await sink.wait_for(1)
        body = request.verify(webhook["secret"])
    event = await event_of(client, tenant, "environment.created", environment["id"])
    assert body == {
        "type": "environment.created",
        "timestamp": event["create_time"],
        "data": event["data"],
    }
    assert body["data"]["id"] == environment["id"]
    assert request.headers["webhook-id"] == event["id"]
    assert request.headers["webhook-signature"].startswith("v1,")
    assert request.headers["content-type"] == "application/json"
    with pytest.raises(WebhookVerificationError):
        request.verify("whsec_" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB")
    delivery = await until_delivery(
        client, tenant, webhook["id"], lambda d: d["status"] == "succeeded"
    )
    assert delivery["event_id"] == event["id"]
    assert delivery["event_type"] == "environment.created"
    assert delivery["next_attempt_time"] is None
    (attempt,) = delivery["attempts"]
    assert attempt["attempt"] == 1
    assert attempt["status_code"] == 200
    assert attempt["error"] is None
    assert attempt["latency_ms"] >= 0
    assert attempt["response_body"] == '{"received": 1}'


async def test_only_matching_types_and_filters_are_delivered(
    client: httpx.AsyncClient, kanri: Kanri
) -> None:
    tenant = await private_tenant(client, kanri)
    async with receiver() as sink:
        exact = await make_webhook(
            client, tenant, sink.url + "?exact", event_types=["environment.deleted"]
        )
        named = await make_webhook(
            client, tenant, sink.url + "?named", filter='data.name = "staging-*"'
        )
        first = await make_environment(client, tenant)
        staging = await client.post(
            "/v1/environments", json={"name": "staging-eu"}, headers=tenant.headers
        )
        assert staging.status_code == 201
        removed = await client.delete(f"/v1/environments/{first['name']}", headers=tenant.headers)
        assert removed.status_code == 204
        await sink.wait_for(2)
        await until_delivery(client, tenant, exact["id"], lambda d: d["status"] == "succeeded")
        await until_delivery(client, tenant, named["id"], lambda d: d["status"] == "succeeded")
    exact_types = [d["event_type"] for d in await deliveries(client, tenant, exact["id"])]
    named_ids = [d["event_id"] for d in await deliveries(client, tenant, named["id"])]
    assert exact_types == ["environment.deleted"]
    staging_event = await event_of(client, tenant, "environment.created", staging.json()["id"])
    assert named_ids == [staging_event["id"]]
    assert sorted(r.path for r in sink.received) == ["/hook?exact", "/hook?named"]


async def test_another_projects_events_never_reach_an_endpoint(
    client: httpx.AsyncClient, kanri: Kanri
) -> None:
    tenant = await private_tenant(client, kanri)
    other = await private_tenant(client, kanri)
    async with receiver() as sink:
        webhook = await make_webhook(client, tenant, sink.url)
        await make_environment(client, other)
        mine = await make_environment(client, tenant)
        (request,) = await sink.wait_for(1)
        assert request.json["data"]["id"] == mine["id"]
    assert len(await deliveries(client, tenant, webhook["id"])) == 1


async def test_failures_are_retried_on_the_schedule_until_it_is_spent(
    client: httpx.AsyncClient, kanri: Kanri, clock: Clock, app: FastAPI
) -> None:
    tenant = await private_tenant(client, kanri)
    async with receiver(500) as sink:
        webhook = await make_webhook(client, tenant, sink.url)
        await make_environment(client, tenant)
        await sink.wait_for(1)
        for attempt, delay in enumerate(RETRY_DELAYS, start=1):
            delivery = await until_delivery(
                client, tenant, webhook["id"], lambda d, n=attempt: len(d["attempts"]) == n
            )
            assert delivery["status"] == "pending"
            last = delivery["attempts"][-1]
            assert last["status_code"] == 500
            assert last["error"] == "answered 500"
            due = _time(delivery["next_attempt_time"])
            wait = (due - _time(last["time"])).total_seconds()
            assert delay * (1 - JITTER) - 1 <= wait <= delay * (1 + JITTER) + 1, (attempt, wait)
            clock.move_to(due)
            dispatcher_of(app).wake()
            await sink.wait_for(attempt + 1)
        final = await until_delivery(
            client, tenant, webhook["id"], lambda d: d["status"] == "failed"
        )
    assert len(final["attempts"]) == len(RETRY_DELAYS) + 1
    assert final["next_attempt_time"] is None
    assert len({r.headers["webhook-id"] for r in sink.received}) == 1  # stable across retries


async def test_an_endpoint_failing_for_days_is_disabled_with_an_event(
    client: httpx.AsyncClient, kanri: Kanri, clock: Clock, app: FastAPI
) -> None:
    tenant = await private_tenant(client, kanri)
    async with receiver(503) as sink:
        webhook = await make_webhook(client, tenant, sink.url)
        await make_environment(client, tenant)
        first = await until_delivery(client, tenant, webhook["id"], lambda d: d["attempts"])
        assert first["status"] == "pending"
        # Six days on, its retries have all failed in between; the next failure disables.
        clock.move_to(clock() + timedelta(days=6))
        dispatcher_of(app).wake()
        await until_delivery(client, tenant, webhook["id"], lambda d: len(d["attempts"]) == 2)
        fetched = (await client.get(f"/v1/webhooks/{webhook['id']}", headers=tenant.headers)).json()
    assert fetched["enabled"] is False, fetched
    assert fetched["disabled_reason"] == "every delivery failed for 5 days"
    disabled = await event_of(client, tenant, "webhook.disabled", webhook["id"])
    assert disabled["data"]["reason"] == fetched["disabled_reason"]


async def test_410_gone_disables_the_endpoint_and_enabling_resumes_it(
    client: httpx.AsyncClient, kanri: Kanri
) -> None:
    tenant = await private_tenant(client, kanri)
    answers = iter([410, 200, 200])
    async with receiver(lambda _: next(answers)) as sink:
        webhook = await make_webhook(client, tenant, sink.url)
        await make_environment(client, tenant)
        failed = await until_delivery(
            client, tenant, webhook["id"], lambda d: d["status"] == "failed"
        )
        assert failed["attempts"][0]["status_code"] == 410
        fetched = await client.get(f"/v1/webhooks/{webhook['id']}", headers=tenant.headers)
        assert fetched.json()["enabled"] is False
        assert "410" in fetched.json()["disabled_reason"]
        refused = await client.post(
            f"/v1/webhooks/{webhook['id']}/deliveries/{failed['id']}/redeliver",
            headers=tenant.headers,
        )
        assert refused.status_code == 409
        enabled = await client.patch(
            f"/v1/webhooks/{webhook['id']}", json={"enabled": True}, headers=tenant.headers
        )
        assert enabled.json()["disabled_reason"] is None
        redelivered = await client.post(
            f"/v1/webhooks/{webhook['id']}/deliveries/{failed['id']}/redeliver",
            headers=tenant.headers,
        )
        assert redelivered.status_code == 202, redelivered.text
        done = await until_delivery(
            client, tenant, webhook["id"], lambda d: d["status"] == "succeeded"
        )
    assert done["id"] == failed["id"]
    assert [a["status_code"] for a in done["attempts"]] == [410, 200]
    assert sink.received[0].headers["webhook-id"] == sink.received[1].headers["webhook-id"]


async def test_a_test_message_goes_to_that_endpoint_only(
    client: httpx.AsyncClient, kanri: Kanri
) -> None:
    tenant = await private_tenant(client, kanri)
    async with receiver() as sink, receiver() as bystander:
        webhook = await make_webhook(client, tenant, sink.url)
        await make_webhook(client, tenant, bystander.url)
        sent = await client.post(
            f"/v1/webhooks/{webhook['id']}/test",
            json={"data": {"hello": 1}},
            headers=tenant.headers,
        )
        assert sent.status_code == 202, sent.text
        assert sent.json()["event_type"] == "webhook.test"
        (request,) = await sink.wait_for(1)
    body = request.verify(webhook["secret"])
    assert body["type"] == "webhook.test"
    assert body["data"] == {"webhook_id": webhook["id"], "data": {"hello": 1}}
    assert request.headers["webhook-id"] == sent.json()["event_id"]
    assert bystander.received == []


async def test_rotation_signs_with_both_secrets_during_the_grace_period(
    client: httpx.AsyncClient, kanri: Kanri
) -> None:
    tenant = await private_tenant(client, kanri)
    async with receiver() as sink:
        webhook = await make_webhook(client, tenant, sink.url)
        rotated = await client.post(
            f"/v1/webhooks/{webhook['id']}/rotate-secret",
            json={"grace_seconds": 3600},
            headers=tenant.headers,
        )
        assert rotated.status_code == 200, rotated.text
        new_secret = rotated.json()["secret"]
        assert new_secret != webhook["secret"]
        assert rotated.json()["previous_secret_expire_time"] is not None
        await make_environment(client, tenant)
        (during,) = await sink.wait_for(1)
        again = await client.post(
            f"/v1/webhooks/{webhook['id']}/rotate-secret",
            json={"grace_seconds": 0},
            headers=tenant.headers,
        )
        newest = again.json()["secret"]
        await make_environment(client, tenant)
        _, after = await sink.wait_for(2)
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    during.verify(webhook["secret"])
    during.verify(new_secret)
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    after.verify(newest)
    with pytest.raises(WebhookVerificationError):
        after.verify(new_secret)
    rotated_event = await event_of(client, tenant, "webhook.secret_rotated", webhook["id"])
    assert rotated_event["data"] == {"id": webhook["id"], "previous_secret_expire_time": None}


async def test_an_ordered_endpoint_gets_events_one_at_a_time_in_outbox_order(
    client: httpx.AsyncClient, kanri: Kanri, clock: Clock, app: FastAPI
) -> None:
    tenant = await private_tenant(client, kanri)
    seen: list[str] = []

    def answer(request: Received) -> int:
        seen.append(request.headers["webhook-id"])
        return 500 if len(seen) == 2 else 200  # the second event fails once

    async with receiver(answer, delay=0.02) as sink:
        webhook = await make_webhook(client, tenant, sink.url, ordered=True)
        for _ in range(5):
            await make_environment(client, tenant)
        await sink.wait_for(2)
        retry = await until_delivery(
            client, tenant, webhook["id"], lambda d: d["attempts"] and d["status"] == "pending"
        )
        clock.move_to(datetime.fromisoformat(retry["next_attempt_time"]))
        dispatcher_of(app).wake()
        await sink.wait_for(6)
    event_ids = sorted(d["event_id"] for d in await deliveries(client, tenant, webhook["id"]))
    assert len(event_ids) == 5
    assert seen == [event_ids[0], event_ids[1], *event_ids[1:]]
    assert sink.most_in_flight == 1


async def test_webhook_validation_errors_name_the_field(
    client: httpx.AsyncClient, kanri: Kanri
) -> None:
    tenant = await make_tenant(client, kanri)
    site = "https://example.com"
    cases: list[tuple[dict[str, Any], str]] = [
        ({"url": "ftp://example.com", "event_types": ["run.*"]}, "body.url"),
        ({"url": site, "event_types": []}, "body.event_types"),
        ({"url": site, "event_types": ["Run!"]}, "body.event_types.0"),
        ({"url": site, "event_types": ["*"], "filter": "nope ="}, "body.filter"),
        ({"url": site, "event_types": ["*"], "extra": 1}, "body.extra"),
    ]
    for body, field in cases:
        response = await client.post("/v1/webhooks", json=body, headers=tenant.headers)
        assert response.status_code == 422, (body, response.text)
        assert field in [e["field"] for e in response.json()["errors"]], response.json()


async def test_a_long_or_binary_answer_is_kept_truncated_and_storable(
    client: httpx.AsyncClient, kanri: Kanri
) -> None:
    tenant = await private_tenant(client, kanri)
    async with receiver(reply=b"ok\x00" + b"x" * 5000) as sink:
        webhook = await make_webhook(client, tenant, sink.url)
        await make_environment(client, tenant)
        delivery = await until_delivery(
            client, tenant, webhook["id"], lambda d: d["status"] == "succeeded"
        )
    body = delivery["attempts"][0]["response_body"]
    assert body.startswith("ok\ufffdxxx")
    assert len(body) == 1024
