"""A provider that names a secret (`api_key_secret`) instead of holding its key: checked
when saved, read from the run's environment when called, and only the name ever shown."""

from __future__ import annotations

from typing import Any

import httpx

from kanri.core.ids import ulid
from kanri.runtime import Kanri
from tests.agents.factories import make_provider
from tests.engine.factories import make_automation, run_and_wait
from tests.factories import Tenant
from tests.fakes.openai_server import FakeOpenAI


def _in(environment: str, tenant: Tenant) -> dict[str, str]:
    return {**tenant.headers, "Kanri-Environment": environment}


async def _put(client: httpx.AsyncClient, headers: dict[str, str], name: str, value: str) -> None:
    response = await client.put(f"/v1/secrets/{name}", json={"value": value}, headers=headers)
    assert response.status_code == 200, response.text


def _ask(provider: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "id": "ask",
            "kind": "llm",
            "provider": provider["name"],
            "model": "fake-model",
            "prompt": "hello",
        }
    ]


async def test_a_provider_reads_its_key_from_the_runs_environment(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant, fake_openai: FakeOpenAI
) -> None:
    production, development = f"sk-prod-{ulid()}", f"sk-devl-{ulid()}"
    await _put(client, _in("production", tenant), "MODEL_KEY", production)
    await _put(client, _in("development", tenant), "MODEL_KEY", development)
    provider = await make_provider(
        client,
        tenant,
        "openai",
        base_url=fake_openai.base_url,
        api_key_secret="MODEL_KEY",
        options={"max_retries": 0},
    )
    assert provider["api_key_secret"] == "MODEL_KEY"
    assert provider["has_api_key"] is False
    automation = await make_automation(client, tenant, _ask(provider))
    fake_openai.reply("hi")
    run = await run_and_wait(client, tenant, automation["id"])
    assert run["status"] == "completed", run
    assert fake_openai.headers[-1]["authorization"] == f"Bearer {production}"
    fake_openai.reply("hi")
    run = await run_and_wait(client, tenant, automation["id"], headers=_in("development", tenant))
    assert run["status"] == "completed", run
    assert fake_openai.headers[-1]["authorization"] == f"Bearer {development}"
    # A new version counts from the next call; the value is shown nowhere.
    rotated = f"sk-rot-{ulid()}"
    await _put(client, _in("production", tenant), "MODEL_KEY", rotated)
    fake_openai.reply("hi")
    run = await run_and_wait(client, tenant, automation["id"])
    assert fake_openai.headers[-1]["authorization"] == f"Bearer {rotated}"
    for path in ("/v1/providers", f"/v1/providers/{provider['id']}", "/v1/audit-logs"):
        shown = await client.get(path, headers=tenant.headers)
        assert shown.status_code == 200
        assert production not in shown.text
        assert rotated not in shown.text


async def test_a_secret_missing_from_the_runs_environment_fails_the_call_naming_it(
    client: httpx.AsyncClient, tenant: Tenant, fake_openai: FakeOpenAI
) -> None:
    await _put(client, _in("production", tenant), "PROD_ONLY_KEY", f"sk-{ulid()}")
    provider = await make_provider(
        client, tenant, "openai", base_url=fake_openai.base_url, api_key_secret="PROD_ONLY_KEY"
    )
    automation = await make_automation(client, tenant, _ask(provider))
    run = await run_and_wait(client, tenant, automation["id"], headers=_in("development", tenant))
    assert run["status"] == "failed"
    assert run["error"]["step_id"] == "ask"
    assert "secret 'PROD_ONLY_KEY'" in run["error"]["message"]
    assert provider["name"] in run["error"]["message"]


async def test_a_key_secret_must_exist_and_excludes_a_key(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    unknown = await client.post(
        "/v1/providers",
        json={"name": "claude", "kind": "anthropic", "api_key_secret": "NO_SUCH_KEY"},
        headers=tenant.headers,
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "body.api_key_secret"
    assert "NO_SUCH_KEY" in unknown.text
    await _put(client, _in("development", tenant), "CLAUDE_KEY", f"sk-{ulid()}")
    both = await client.post(
        "/v1/providers",
        json={
            "name": "claude",
            "kind": "anthropic",
            "api_key": "sk-x",
            "api_key_secret": "CLAUDE_KEY",
        },
        headers=tenant.headers,
    )
    assert both.status_code == 422
    assert both.json()["errors"][0]["field"] == "body.api_key_secret"
    bad = await client.post(
        "/v1/providers",
        json={"name": "claude", "kind": "anthropic", "api_key_secret": "lower"},
        headers=tenant.headers,
    )
    assert bad.status_code == 422
    # A secret of any environment of the project will do when saved.
    created = await client.post(
        "/v1/providers",
        json={"name": "claude", "kind": "anthropic", "api_key_secret": "CLAUDE_KEY"},
        headers=tenant.headers,
    )
    assert created.status_code == 201, created.text
    provider = created.json()
    # Setting a key replaces the secret's name, and the other way round.
    keyed = await client.patch(
        f"/v1/providers/{provider['id']}", json={"api_key": "sk-held"}, headers=tenant.headers
    )
    assert keyed.json()["has_api_key"] is True
    assert keyed.json()["api_key_secret"] is None
    named = await client.patch(
        f"/v1/providers/{provider['id']}",
        json={"api_key_secret": "CLAUDE_KEY"},
        headers=tenant.headers,
    )
    assert named.json()["has_api_key"] is False
    assert named.json()["api_key_secret"] == "CLAUDE_KEY"
    missing = await client.patch(
        f"/v1/providers/{provider['id']}",
        json={"api_key_secret": "GONE_KEY"},
        headers=tenant.headers,
    )
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "body.api_key_secret"
    audit = await client.get("/v1/audit-logs", headers=tenant.headers)
    assert "sk-held" not in audit.text
