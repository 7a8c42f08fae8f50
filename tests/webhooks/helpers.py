"""Factories and waits of the webhook tests."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta
from typing import Any

import httpx

from kanri.core.time import utcnow
from kanri.runtime import Kanri
from kanri.webhooks.dispatcher import Dispatcher
from tests.factories import Tenant, make_tenant, unique


async def private_tenant(client: httpx.AsyncClient, kanri: Kanri) -> Tenant:
    """A tenant whose project may reach private networks (the loopback receivers)."""
    tenant = await make_tenant(client, kanri)
    allowed = await client.patch(
        f"/v1/projects/{tenant.project_id}",
        json={"allow_private_network": True},
        headers=tenant.admin_headers,
    )
    assert allowed.status_code == 200, allowed.text
    return tenant


async def make_webhook(
    client: httpx.AsyncClient, tenant: Tenant, url: str, **fields: Any
) -> dict[str, Any]:
    body = {"url": url, "event_types": ["environment.*"], **fields}
    response = await client.post("/v1/webhooks", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def make_environment(client: httpx.AsyncClient, tenant: Tenant) -> dict[str, Any]:
    """A new environment: one `environment.created` event."""
    response = await client.post(
        "/v1/environments", json={"name": unique("env")}, headers=tenant.headers
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def event_of(
    client: httpx.AsyncClient, tenant: Tenant, event_type: str, resource_id: str
) -> dict[str, Any]:
    response = await client.get(
        "/v1/events",
        params={"filter": f'type = "{event_type}" AND resource_id = "{resource_id}"'},
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text
    events = response.json()["data"]
    assert events, f"no {event_type} event of {resource_id}"
    newest: dict[str, Any] = events[0]
    return newest


async def deliveries(
    client: httpx.AsyncClient, tenant: Tenant, webhook_id: str
) -> list[dict[str, Any]]:
    response = await client.get(f"/v1/webhooks/{webhook_id}/deliveries", headers=tenant.headers)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["data"]
    return found


async def until_delivery(
    client: httpx.AsyncClient,
    tenant: Tenant,
    webhook_id: str,
    check: Any,
    within: float = 15.0,
) -> dict[str, Any]:
    """The first delivery of the endpoint for which `check(delivery)` is true."""
    deadline = time.monotonic() + within
    while True:
        for delivery in await deliveries(client, tenant, webhook_id):
            if check(delivery):
                return delivery
        if time.monotonic() > deadline:
            found = await deliveries(client, tenant, webhook_id)
            raise AssertionError(f"no matching delivery within {within} s: {found}")
        await asyncio.sleep(0.05)


class Clock:
    """The dispatcher's clock, moved forward by the test: real time plus `offset`."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return utcnow() + self.offset

    def move_to(self, moment: datetime) -> None:
        self.offset = max(self.offset, moment - utcnow() + timedelta(milliseconds=50))


def dispatcher_of(app: Any) -> Dispatcher:
    dispatcher: Dispatcher = app.state.webhook_dispatcher
    return dispatcher
