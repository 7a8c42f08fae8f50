"""The outbound guard on webhooks: private and metadata destinations are refused when the
endpoint is saved (by literal or name) and again when a delivery connects (after DNS, and on
every redirect hop). Names that must resolve are answered by a fake resolver on the running
loop, the edge of the world (tests/core/test_net.py)."""

from __future__ import annotations

import httpx
import pytest

from kanri.runtime import Kanri
from tests.core.test_net import fake_dns, treat_as_public
from tests.factories import make_tenant
from tests.webhooks.helpers import (
    make_environment,
    make_webhook,
    private_tenant,
    until_delivery,
)
from tests.webhooks.receiver import receiver


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost:8080/hook",
        "http://api.localhost/hook",
        "http://10.1.2.3/hook",
        "http://[::1]/hook",
        "http://2130706433/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://metadata.google.internal/computeMetadata/v1/",
    ],
)
async def test_a_private_or_metadata_url_is_refused_when_saved(
    client: httpx.AsyncClient, kanri: Kanri, url: str
) -> None:
    tenant = await make_tenant(client, kanri)
    response = await client.post(
        "/v1/webhooks", json={"url": url, "event_types": ["*"]}, headers=tenant.headers
    )
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "BLOCKED_DESTINATION"
    assert [e["field"] for e in problem["errors"]] == ["body.url"]
    listed = await client.get("/v1/webhooks", headers=tenant.headers)
    assert listed.json()["data"] == []


async def test_metadata_stays_refused_where_private_networks_are_allowed(
    client: httpx.AsyncClient, kanri: Kanri
) -> None:
    tenant = await private_tenant(client, kanri)
    webhook = await make_webhook(client, tenant, "http://127.0.0.1:9/hook")
    response = await client.patch(
        f"/v1/webhooks/{webhook['id']}",
        json={"url": "http://169.254.169.254/"},
        headers=tenant.headers,
    )
    assert response.status_code == 422
    assert response.json()["code"] == "BLOCKED_DESTINATION"
    fetched = await client.get(f"/v1/webhooks/{webhook['id']}", headers=tenant.headers)
    assert fetched.json()["url"] == "http://127.0.0.1:9/hook"


async def test_a_name_resolving_to_a_private_address_is_refused_at_delivery(
    client: httpx.AsyncClient, kanri: Kanri, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = await make_tenant(client, kanri)  # private networks off
    async with receiver() as sink:
        fake_dns(monkeypatch, {"rebind.test": ["127.0.0.1"]})
        webhook = await make_webhook(client, tenant, f"http://rebind.test:{sink.port}/hook")
        await make_environment(client, tenant)
        delivery = await until_delivery(client, tenant, webhook["id"], lambda d: d["attempts"])
    attempt = delivery["attempts"][0]
    assert attempt["status_code"] is None
    assert attempt["error"].startswith("blocked: rebind.test resolves to 127.0.0.1")
    assert delivery["status"] == "pending"  # retried later: DNS may change back
    assert sink.received == []


async def test_a_redirect_to_loopback_is_refused_at_delivery(
    client: httpx.AsyncClient, kanri: Kanri, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = await make_tenant(client, kanri)  # private networks off
    treat_as_public(monkeypatch, "127.0.0.2")  # stands in for a public host
    async with receiver() as internal:
        target = f"http://127.0.0.1:{internal.port}/admin"
        async with receiver(302, host="127.0.0.2", location=target) as origin:
            webhook = await make_webhook(client, tenant, origin.url)
            await make_environment(client, tenant)
            delivery = await until_delivery(client, tenant, webhook["id"], lambda d: d["attempts"])
            assert len(origin.received) >= 1
    assert delivery["attempts"][0]["error"].startswith("blocked: 127.0.0.1")
    assert internal.received == []
