"""An endpoint that signs with a named secret (`signing_secret`) of the project's default
environment instead of one kanri makes: checked when saved, read at each attempt, shown by
name only."""

from __future__ import annotations

import httpx
import pytest
from standardwebhooks.webhooks import WebhookVerificationError

from kanri.runtime import Kanri
from kanri.webhooks.service import new_secret
from tests.factories import Tenant
from tests.webhooks.helpers import make_webhook, private_tenant, until_delivery
from tests.webhooks.receiver import receiver


def _in(environment: str, tenant: Tenant) -> dict[str, str]:
    return {**tenant.headers, "Kanri-Environment": environment}


async def _put(client: httpx.AsyncClient, headers: dict[str, str], name: str, value: str) -> None:
    response = await client.put(f"/v1/secrets/{name}", json={"value": value}, headers=headers)
    assert response.status_code == 200, response.text


async def _ping(client: httpx.AsyncClient, tenant: Tenant, webhook_id: str) -> str:
    sent = await client.post(
        f"/v1/webhooks/{webhook_id}/test", json={"data": {}}, headers=tenant.headers
    )
    assert sent.status_code == 202, sent.text
    event_id: str = sent.json()["event_id"]
    return event_id


async def test_deliveries_are_signed_with_the_named_secrets_current_version(
    client: httpx.AsyncClient, kanri: Kanri
) -> None:
    tenant = await private_tenant(client, kanri)
    first, second = new_secret(), new_secret()
    await _put(client, _in("production", tenant), "HOOK_SIGNING", first)
    async with receiver() as sink:
        webhook = await make_webhook(client, tenant, sink.url, signing_secret="HOOK_SIGNING")
        assert webhook["secret"] is None
        assert webhook["signing_secret"] == "HOOK_SIGNING"
        await _ping(client, tenant, webhook["id"])
        (before,) = await sink.wait_for(1)
        await _put(client, _in("production", tenant), "HOOK_SIGNING", second)
        await _ping(client, tenant, webhook["id"])
        _, after = await sink.wait_for(2)
    before.verify(first)
    after.verify(second)
    with pytest.raises(WebhookVerificationError):
        after.verify(first)
    shown = await client.get(f"/v1/webhooks/{webhook['id']}", headers=tenant.headers)
    assert shown.json()["signing_secret"] == "HOOK_SIGNING"
    for path in (f"/v1/webhooks/{webhook['id']}", "/v1/audit-logs", "/v1/events"):
        text = (await client.get(path, headers=tenant.headers)).text
        assert first not in text
        assert second not in text
    # Rotating is putting a new version of the secret.
    rotate = await client.post(
        f"/v1/webhooks/{webhook['id']}/rotate-secret", json={}, headers=tenant.headers
    )
    assert rotate.status_code == 409
    assert "HOOK_SIGNING" in rotate.text
    # Back to its own secret: rotating shows it.
    own = await client.patch(
        f"/v1/webhooks/{webhook['id']}", json={"signing_secret": None}, headers=tenant.headers
    )
    assert own.status_code == 200, own.text
    assert own.json()["signing_secret"] is None
    rotated = await client.post(
        f"/v1/webhooks/{webhook['id']}/rotate-secret", json={}, headers=tenant.headers
    )
    assert rotated.json()["secret"].startswith("whsec_")


async def test_a_secret_the_default_environment_lacks_fails_the_attempt_naming_it(
    client: httpx.AsyncClient, kanri: Kanri
) -> None:
    tenant = await private_tenant(client, kanri)
    await _put(client, _in("development", tenant), "DEV_SIGNING", new_secret())
    await _put(client, _in("production", tenant), "NOT_WHSEC", "whsec_")
    async with receiver() as sink:
        missing = await make_webhook(client, tenant, sink.url, signing_secret="DEV_SIGNING")
        malformed = await make_webhook(client, tenant, sink.url, signing_secret="NOT_WHSEC")
        await _ping(client, tenant, missing["id"])
        await _ping(client, tenant, malformed["id"])
        failed = await until_delivery(client, tenant, missing["id"], lambda d: d["attempts"])
        bad = await until_delivery(client, tenant, malformed["id"], lambda d: d["attempts"])
    assert sink.received == []
    error = failed["attempts"][0]["error"]
    assert (
        error == "signing secret 'DEV_SIGNING' does not exist in the project's default environment"
    )
    assert (
        "signing secret 'NOT_WHSEC' is not a Standard Webhooks secret"
        in bad["attempts"][0]["error"]
    )


async def test_an_unknown_signing_secret_is_refused_on_save(
    client: httpx.AsyncClient, kanri: Kanri
) -> None:
    tenant = await private_tenant(client, kanri)
    body = {"url": "http://127.0.0.1:9/hook", "event_types": ["environment.*"]}
    unknown = await client.post(
        "/v1/webhooks", json={**body, "signing_secret": "NO_SUCH"}, headers=tenant.headers
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "body.signing_secret"
    assert "NO_SUCH" in unknown.text
    webhook = await make_webhook(client, tenant, "http://127.0.0.1:9/hook")
    patched = await client.patch(
        f"/v1/webhooks/{webhook['id']}", json={"signing_secret": "NO_SUCH"}, headers=tenant.headers
    )
    assert patched.status_code == 422
    assert patched.json()["errors"][0]["field"] == "body.signing_secret"
    invalid = await client.post(
        "/v1/webhooks", json={**body, "signing_secret": "lower"}, headers=tenant.headers
    )
    assert invalid.status_code == 422
