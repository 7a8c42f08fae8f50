from __future__ import annotations

import json
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import select

from kanri.core import secrets
from kanri.providers import service
from kanri.providers.models import ProviderRow
from kanri.runtime import Kanri
from tests.agents.factories import allow_private_network, make_agent, make_provider, run_agent
from tests.core.test_net import fake_dns
from tests.factories import Tenant, make_tenant
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


@pytest.mark.parametrize(
    "base_url",
    [
        "http://127.0.0.1:11434/v1",
        "http://[::1]:11434/v1",
        "http://localhost:11434/v1",
        "http://10.0.0.5/v1",
        "http://169.254.169.254/latest",
    ],
)
async def test_a_provider_endpoint_outside_the_public_internet_is_refused_on_save(
    client: httpx.AsyncClient, tenant: Tenant, base_url: str
) -> None:
    body = {"name": "local", "kind": "openai", "base_url": base_url}
    refused = await client.post("/v1/providers", json=body, headers=tenant.headers)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "BLOCKED_DESTINATION"
    [error] = refused.json()["errors"]
    assert error["field"] == "body.base_url"
    provider = await make_provider(
        client, tenant, "openai", base_url="https://models.example.com/v1"
    )
    moved = await client.patch(
        f"/v1/providers/{provider['id']}", json={"base_url": base_url}, headers=tenant.headers
    )
    assert moved.status_code == 422, moved.text
    assert moved.json()["errors"][0]["field"] == "body.base_url"
    kept = await client.get(f"/v1/providers/{provider['id']}", headers=tenant.headers)
    assert kept.json()["base_url"] == "https://models.example.com/v1"


async def test_a_project_with_private_networks_may_use_them_but_never_metadata_addresses(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await allow_private_network(client, tenant)
    local = {"name": "ollama", "kind": "openai", "base_url": "http://localhost:11434/v1"}
    created = await client.post("/v1/providers", json=local, headers=tenant.headers)
    assert created.status_code == 201, created.text
    for base_url in ("http://169.254.169.254/v1", "http://metadata.google.internal/v1"):
        metadata = {"name": "meta", "kind": "openai", "base_url": base_url}
        refused = await client.post("/v1/providers", json=metadata, headers=tenant.headers)
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] == "body.base_url"
        assert "never allowed" in refused.json()["errors"][0]["message"]


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
async def test_a_provider_name_that_resolves_to_loopback_is_refused_when_called(
    client: httpx.AsyncClient,
    kanri: Kanri,
    fake_openai: FakeOpenAI,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
) -> None:
    tenant = await make_tenant(client, kanri)
    fake_dns(monkeypatch, {"models.example.test": ["127.0.0.1"]})
    endpoint = f"http://models.example.test:{urlsplit(fake_openai.base_url).port}"
    provider = await make_provider(
        client,
        tenant,
        kind,
        base_url=f"{endpoint}/v1" if kind == "openai" else endpoint,
        api_key="sk-test",
        options={"headers": {"X-Gateway-Token": "gw-secret"}, "max_retries": 0},
    )
    agent = await make_agent(client, tenant, provider, model="fake-model")
    run = await run_agent(client, tenant, agent["id"], "hello")
    assert run["status"] == "failed", run
    assert run["error"]["message"] == (
        f"provider '{provider['name']}' has an endpoint that is not allowed: models.example.test "
        "resolves to 127.0.0.1: 127.0.0.1 is not a public address and private networks are off "
        "for this project"
    )
    assert fake_openai.requests == []  # nothing, custom headers included, reached it
    await allow_private_network(client, tenant)
    fake_openai.reply("hi")
    allowed = await run_agent(client, tenant, agent["id"], "hello")
    assert allowed["status"] == "completed", allowed
    assert len(fake_openai.requests) == 1


async def test_a_provider_saved_on_loopback_is_refused_once_the_project_disallows_it(
    client: httpx.AsyncClient, kanri: Kanri, fake_openai: FakeOpenAI
) -> None:
    tenant = await make_tenant(client, kanri)
    provider = await make_provider(
        client, tenant, "openai", base_url=fake_openai.base_url, options={"max_retries": 0}
    )
    agent = await make_agent(client, tenant, provider, model="fake-model")
    disallowed = await client.patch(
        f"/v1/projects/{tenant.project_id}",
        json={"allow_private_network": False},
        headers=tenant.admin_headers,
    )
    assert disallowed.status_code == 200, disallowed.text
    run = await run_agent(client, tenant, agent["id"], "hello")
    assert run["status"] == "failed", run
    assert run["error"]["message"].startswith(
        f"provider '{provider['name']}' has an endpoint that is not allowed: 127.0.0.1 is not"
    )
    assert fake_openai.requests == []
