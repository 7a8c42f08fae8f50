"""The dispatcher's guarantees under concurrency: leases keep two dispatchers from sending the
same delivery, fencing drops an outcome whose lease was lost, an event committed late (with
an id below ones already fanned out) is still delivered, and a redirect keeps the signed
POST where HTTP says so."""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import cast

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Table, select, true, update
from sqlalchemy.orm import Session

from kanri.core.ids import ulid_at, ulid_milliseconds
from kanri.runtime import Kanri
from kanri.webhooks import dispatch, dispatcher, fanout
from kanri.webhooks.dispatcher import Dispatcher
from kanri.webhooks.models import WebhookEndpointRow
from tests.conftest import BACKEND, PG_URL
from tests.factories import environment_event
from tests.webhooks.helpers import (
    deliveries,
    dispatcher_of,
    make_environment,
    make_webhook,
    private_tenant,
    until_delivery,
)
from tests.webhooks.receiver import receiver


async def test_two_dispatchers_never_send_a_delivery_twice(
    client: httpx.AsyncClient, kanri: Kanri
) -> None:
    tenant = await private_tenant(client, kanri)
    second = Dispatcher(kanri, concurrency=4)
    await second.start()
    try:
        async with receiver(delay=0.01) as sink:
            webhook = await make_webhook(client, tenant, sink.url)
            for _ in range(30):
                await make_environment(client, tenant)
            await sink.wait_for(30)
            deadline = time.monotonic() + 15
            while True:
                found = await deliveries(client, tenant, webhook["id"])
                if sum(d["status"] == "succeeded" for d in found) == 30:
                    break
                assert time.monotonic() < deadline, found
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)  # a second send, were there one, would have come by now
    finally:
        await second.stop()
    counts = Counter(request.headers["webhook-id"] for request in sink.received)
    assert len(counts) == 30
    assert set(counts.values()) == {1}
    assert all(len(d["attempts"]) == 1 for d in found)


async def test_an_outcome_whose_lease_was_lost_is_dropped(
    client: httpx.AsyncClient, kanri: Kanri, app: FastAPI
) -> None:
    tenant = await private_tenant(client, kanri)
    async with receiver(delay=1.0) as sink:
        webhook = await make_webhook(client, tenant, sink.url)
        await make_environment(client, tenant)
        # The running dispatcher has leased the delivery and is waiting for the answer.
        for _ in range(1000):
            if sink.in_flight:
                break
            await asyncio.sleep(0.01)
        else:
            raise AssertionError("the delivery was never sent")
        # Another dispatcher, once that lease ran out, claims it again: a new lease token.
        later = dispatcher_of(app).clock() + timedelta(hours=1)
        # (Deliveries other tests left pending fall due by then too: only ours is looked at.)
        claimed = await kanri.db.write(dispatch.claim, later, 1000, 60.0)
        (taken,) = [d for d in claimed if d.endpoint_id == webhook["id"]]
        await sink.wait_for(1)
        await asyncio.sleep(0.5)  # the first dispatcher's outcome is recorded, or dropped
        (pending,) = await deliveries(client, tenant, webhook["id"])
        assert pending["status"] == "pending"
        assert pending["attempts"] == []
        outcome = dispatch.Outcome(
            delivery_id=taken.id,
            lease_token=taken.lease_token,
            status_code=204,
            error=None,
            latency_ms=3,
            time=later,
            response_body="",
        )
        applied = await kanri.db.write(dispatch.record, [outcome], later, timedelta(days=5), 1)
    assert applied == 1
    (done,) = await deliveries(client, tenant, webhook["id"])
    assert done["status"] == "succeeded"
    assert [a["status_code"] for a in done["attempts"]] == [204]


async def test_an_event_committed_late_below_the_head_is_still_delivered(
    client: httpx.AsyncClient, kanri: Kanri
) -> None:
    tenant = await private_tenant(client, kanri)
    async with receiver() as sink:
        webhook = await make_webhook(client, tenant, sink.url)
        # An endpoint gets the events written from its creation on: the late event below,
        # written 1 ms before the first, must still come after it.
        await asyncio.sleep(0.01)
        await make_environment(client, tenant)
        (first,) = await sink.wait_for(1)  # fan-out has read past this event
        # Written (id and time) just before the first event, committed only now.
        first_ms = ulid_milliseconds(first.headers["webhook-id"].removeprefix("evt_"))
        written = datetime.fromtimestamp((first_ms - 1) / 1000, UTC)
        late_id = f"evt_{ulid_at(first_ms - 1, os.urandom(10))}"

        def commit_late(tx: Session) -> None:
            tx.add(environment_event(tenant, late_id, "env_late", {"id": "env_late"}, written))

        await kanri.db.write(commit_late)
        (late,) = (await sink.wait_for(2, within=5.0))[1:]
    assert late.headers["webhook-id"] == late_id
    assert late.json["data"] == {"id": "env_late"}
    found = await deliveries(client, tenant, webhook["id"])
    assert sorted(d["event_id"] for d in found)[0] == late_id


async def test_a_307_redirect_keeps_the_signed_post_and_a_303_turns_it_into_a_get(
    client: httpx.AsyncClient, kanri: Kanri
) -> None:
    tenant = await private_tenant(client, kanri)
    async with receiver() as final:
        async with receiver(307, location=final.url) as keeps:
            webhook = await make_webhook(client, tenant, keeps.url)
            await make_environment(client, tenant)
            (arrived,) = await final.wait_for(1)
            delivery = await until_delivery(
                client, tenant, webhook["id"], lambda d: d["status"] == "succeeded"
            )
        assert arrived.headers["webhook-id"] == delivery["event_id"]
        assert arrived.json["type"] == "environment.created"
        assert "webhook-signature" in arrived.headers
        async with receiver(303, location=final.url) as converts:
            other = await make_webhook(client, tenant, converts.url)
            await make_environment(client, tenant)
            await until_delivery(client, tenant, other["id"], lambda d: d["status"] == "succeeded")
        assert final.received[-1].body == b""


@pytest.mark.skipif(BACKEND != "postgresql", reason="a second connection's open transaction")
async def test_an_event_held_in_a_transaction_longer_than_the_settle_window_is_delivered(
    client: httpx.AsyncClient, kanri: Kanri
) -> None:
    tenant = await private_tenant(client, kanri)
    async with receiver() as sink:
        webhook = await make_webhook(client, tenant, sink.url)
        await asyncio.sleep(0.05)
        slow = await asyncpg.connect(PG_URL.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            transaction = slow.transaction()
            await transaction.start()
            written = datetime.now(UTC)
            held_id = f"evt_{ulid_at(int(written.timestamp() * 1000), os.urandom(10))}"
            await slow.execute(
                "INSERT INTO outbox_events (id, scope_id, organization_id, project_id, "
                "environment_id, type, resource_type, resource_id, data, request_id, "
                "create_time) VALUES ($1, $2, $3, $2, NULL, 'environment.created', "
                "'environment', 'env_held', '{\"id\": \"env_held\"}'::jsonb, NULL, $4)",
                held_id,
                tenant.project_id,
                tenant.organization_id,
                written,
            )
            await make_environment(client, tenant)  # a later id, fanned out meanwhile
            await sink.wait_for(1)
            await asyncio.sleep(dispatcher.SETTLE.total_seconds() + 1.5)
            await transaction.commit()
        finally:
            await slow.close()
        received = await sink.wait_for(2, within=5.0)
    assert received[1].headers["webhook-id"] == held_id
    found = await deliveries(client, tenant, webhook["id"])
    assert held_id in {d["event_id"] for d in found}


async def test_a_delivery_whose_lease_would_run_out_mid_send_is_not_started(
    kanri: Kanri,
) -> None:
    queued = Dispatcher(kanri, concurrency=4, timeout_seconds=2.0, lease_seconds=4.0)

    def claimed(delivery_id: str) -> dispatch.Claimed:
        return dispatch.Claimed(
            id=delivery_id,
            endpoint_id=f"whk_{delivery_id}",
            event_id="evt_x",
            url="http://127.0.0.1:9/hook",
            payload="{}",
            attempt=1,
            lease_token=1,
            secret_encrypted="x",
            previous_secret_encrypted=None,
            allow_private=True,
        )

    now = time.monotonic()
    queued._ready.extend([claimed("whd_short"), claimed("whd_long")])
    queued._lease_ends.update({"whd_short": now + 2.5, "whd_long": now + 4.0})
    queued._start_ready()
    try:
        # 2 s of timeout and 1 s of margin no longer fit in the first lease: left to expire
        # and be claimed again, never sent while another dispatcher may take it.
        assert list(queued._inflight) == ["whd_long"]
        assert not queued._ready
        assert queued._lease_ends == {}
    finally:
        for task in queued._inflight.values():
            task.cancel()
        await asyncio.gather(*queued._inflight.values(), return_exceptions=True)


async def test_events_passed_over_while_no_endpoint_is_enabled_still_reach_a_later_one(
    client: httpx.AsyncClient, kanri: Kanri
) -> None:
    """With no endpoint enabled, fan-out moves past events without reading them; an endpoint
    enabled afterwards still gets the events written after it, including one that committed
    late with an id below those passed over."""
    tenant = await private_tenant(client, kanri)
    endpoints = cast(Table, WebhookEndpointRow.__table__)

    def disable_all(tx: Session) -> list[str]:
        enabled = endpoints.c.enabled == true()
        ids = list(tx.execute(select(endpoints.c.id).where(enabled)).scalars())
        tx.execute(update(endpoints).where(enabled).values(enabled=False))
        return ids

    def enable(tx: Session, ids: list[str]) -> None:
        if ids:
            where = endpoints.c.id.in_(ids)
            tx.execute(update(endpoints).where(where).values(enabled=True))

    disabled = await kanri.db.write(disable_all)
    try:
        before = await make_environment(client, tenant)
        head = await kanri.db.read(fanout.idle_head)
        assert head is not None
        assert head > ""
        await asyncio.sleep(0.3)  # the dispatcher has passed over that event
        async with receiver() as sink:
            webhook = await make_webhook(client, tenant, sink.url)
            assert await kanri.db.read(fanout.idle_head) is None
            # Its id taken before the events passed over, committed only now.
            written_ms = ulid_milliseconds(head.removeprefix("evt_")) - 1
            late_id = f"evt_{ulid_at(written_ms, os.urandom(10))}"

            def commit_late(tx: Session) -> None:
                tx.add(
                    environment_event(
                        tenant, late_id, "env_late", {"id": "env_late"}, datetime.now(UTC)
                    )
                )

            await kanri.db.write(commit_late)
            after = await make_environment(client, tenant)
            received = await sink.wait_for(2, within=10.0)
            await asyncio.sleep(0.5)  # nothing else comes
        sent = sorted(request.json["data"]["id"] for request in sink.received)
        assert sent == sorted(["env_late", after["id"]])
        assert before["id"] not in sent
        assert len(received) == 2
        found = await deliveries(client, tenant, webhook["id"])
        assert late_id in {d["event_id"] for d in found}
    finally:
        await kanri.db.write(enable, disabled)
