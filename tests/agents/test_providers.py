from __future__ import annotations

import json

import httpx
from sqlalchemy import select

from kanri.core import secrets
from kanri.providers import service
from kanri.providers.models import ProviderRow
from kanri.runtime import Kanri
from tests.agents.factories import make_agent, make_provider, run_agent
from tests.factories import Tenant
from tests.fakes.openai_server import FakeOpenAI


async def test_a_provider_key_is_encrypted_at_rest_and_never_returned(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    provider = await make_provider(
        client,
        tenant,
        "openai",
        base_url="http://127.0.0.1:11434/v1/",
        api_key="sk-very-secret-value",
        default_model="llama3",
    )
    assert provider["has_api_key"] is True
    assert provider["base_url"] == "http://127.0.0.1:11434/v1"
    assert "api_key" not in provider
    listed = await client.get("/v1/providers", headers=tenant.headers)
    assert "sk-very-secret-value" not in listed.text

    def stored(tx: object) -> str | None:
        return tx.execute(  # type: ignore[attr-defined,no-any-return]
            select(ProviderRow.api_key_encrypted).where(ProviderRow.id == provider["id"])
        ).scalar_one()

    token = await kanri.db.read(stored)
    assert token is not None
    assert "sk-very-secret-value" not in token
    box = secrets.box(kanri.settings.secret, service.SECRET_PURPOSE)
    assert box.decrypt(token) == "sk-very-secret-value"
    audit = await client.get("/v1/audit-logs", headers=tenant.headers)
    assert "sk-very-secret-value" not in audit.text


async def test_a_provider_can_be_renamed_rekeyed_and_deleted(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    provider = await make_provider(client, tenant, "openai", base_url="http://127.0.0.1:1/v1")
    assert provider["has_api_key"] is False
    changed = await client.patch(
        f"/v1/providers/{provider['id']}",
        json={"name": "renamed", "api_key": "sk-new"},
        headers=tenant.headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["name"] == "renamed"
    assert changed.json()["has_api_key"] is True
    by_name = await client.get("/v1/providers/renamed", headers=tenant.headers)
    assert by_name.json()["id"] == provider["id"]
    deleted = await client.delete(f"/v1/providers/{provider['id']}", headers=tenant.headers)
    assert deleted.status_code == 204
    gone = await client.get(f"/v1/providers/{provider['id']}", headers=tenant.headers)
    assert gone.status_code == 404


async def test_provider_input_is_validated(client: httpx.AsyncClient, tenant: Tenant) -> None:
    bad_kind = await client.post(
        "/v1/providers", json={"name": "x", "kind": "magic"}, headers=tenant.headers
    )
    assert bad_kind.status_code == 422
    assert bad_kind.json()["errors"][0]["field"] == "body.kind"
    no_key = await client.post(
        "/v1/providers", json={"name": "claude", "kind": "anthropic"}, headers=tenant.headers
    )
    assert no_key.status_code == 422
    assert no_key.json()["errors"][0]["field"] == "body.api_key"
    first = await make_provider(client, tenant)
    clash = await client.post(
        "/v1/providers", json={"name": first["name"], "kind": "offline"}, headers=tenant.headers
    )
    assert clash.status_code == 409


async def test_another_tenant_cannot_see_a_provider(
    client: httpx.AsyncClient, tenant: Tenant, kanri: Kanri
) -> None:
    from tests.factories import make_tenant

    provider = await make_provider(client, tenant)
    other = await make_tenant(client, kanri)
    response = await client.get(f"/v1/providers/{provider['id']}", headers=other.headers)
    assert response.status_code == 404


async def test_provider_header_values_are_sealed_masked_and_still_sent(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant, fake_openai: FakeOpenAI
) -> None:
    provider = await make_provider(
        client,
        tenant,
        "openai",
        base_url=fake_openai.base_url,
        options={"headers": {"X-Gateway-Token": "gw-secret-1"}, "max_retries": 0},
    )
    assert provider["options"]["headers"] == {"X-Gateway-Token": "********"}
    listed = await client.get("/v1/providers", headers=tenant.headers)
    assert "gw-secret-1" not in listed.text

    def stored(tx: object) -> dict[str, object]:
        return tx.execute(  # type: ignore[attr-defined,no-any-return]
            select(ProviderRow.options).where(ProviderRow.id == provider["id"])
        ).scalar_one()

    assert "gw-secret-1" not in json.dumps(await kanri.db.read(stored))
    # Sending the masked value back keeps the stored one; a new header is added.
    shown = provider["options"]
    changed = await client.patch(
        f"/v1/providers/{provider['id']}",
        json={"options": {**shown, "headers": {**shown["headers"], "X-Team": "ops"}}},
        headers=tenant.headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["options"]["headers"] == {
        "X-Gateway-Token": "********",
        "X-Team": "********",
    }
    unknown = await client.patch(
        f"/v1/providers/{provider['id']}",
        json={"options": {"headers": {"X-Other": "********"}}},
        headers=tenant.headers,
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "body.options.headers.X-Other"
    agent = await make_agent(client, tenant, provider, model="fake-model")
    fake_openai.reply("hi")
    run = await run_agent(client, tenant, agent["id"], "hello")
    assert run["status"] == "completed", run
    assert fake_openai.headers[-1]["x-gateway-token"] == "gw-secret-1"
    assert fake_openai.headers[-1]["x-team"] == "ops"
