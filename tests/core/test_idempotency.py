from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from kanri.core.idempotency import BOX_PURPOSE, open_body
from kanri.core.models import IdempotencyRow
from kanri.core.secrets import box
from kanri.runtime import Kanri
from kanri.tenancy.models import EnvironmentRow
from tests.factories import Tenant, bearer, make_key


async def _count(kanri: Kanri, tenant: Tenant, name: str) -> int:
    def count(tx):  # type: ignore[no-untyped-def]
        return tx.execute(
            select(func.count()).where(
                EnvironmentRow.project_id == tenant.project_id, EnvironmentRow.name == name
            )
        ).scalar_one()

    result: int = await kanri.db.read(count)
    return result


async def test_a_repeated_key_replays_the_first_response(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    headers = {**tenant.headers, "Idempotency-Key": "create-staging-1"}
    first = await client.post("/v1/environments", json={"name": "staging"}, headers=headers)
    again = await client.post("/v1/environments", json={"name": "staging"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Location"] == first.headers["Location"]
    assert await _count(kanri, tenant, "staging") == 1


async def test_the_same_key_with_another_body_is_a_409(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    headers = {**tenant.headers, "Idempotency-Key": "k-2"}
    await client.post("/v1/environments", json={"name": "one"}, headers=headers)
    other = await client.post("/v1/environments", json={"name": "two"}, headers=headers)
    assert other.status_code == 409
    assert other.json()["errors"][0]["field"] == "header.Idempotency-Key"


async def test_concurrent_duplicates_create_one_resource(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    headers = {**tenant.headers, "Idempotency-Key": "race-1"}
    answers = await asyncio.gather(
        *[
            client.post("/v1/environments", json={"name": "raced"}, headers=headers)
            for _ in range(10)
        ]
    )
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["id"] for a in answers}) == 1
    assert await _count(kanri, tenant, "raced") == 1


async def test_keys_are_scoped_per_project(client: httpx.AsyncClient, kanri: Kanri) -> None:
    from tests.factories import make_tenant

    first, second = await make_tenant(client, kanri), await make_tenant(client, kanri)
    for tenant in (first, second):
        response = await client.post(
            "/v1/environments",
            json={"name": "shared"},
            headers={**tenant.headers, "Idempotency-Key": "same"},
        )
        assert response.status_code == 201
        assert "Idempotent-Replayed" not in response.headers


async def test_a_failed_create_is_not_stored(client: httpx.AsyncClient, tenant: Tenant) -> None:
    headers = {**tenant.headers, "Idempotency-Key": "k-fail"}
    clash = await client.post("/v1/environments", json={"name": "production"}, headers=headers)
    assert clash.status_code == 409
    retry = await client.post("/v1/environments", json={"name": "production"}, headers=headers)
    assert retry.status_code == 409
    assert "Idempotent-Replayed" not in retry.headers


async def test_an_overlong_or_unprintable_key_is_a_422(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    for key in ("x" * 300, "with spaces"):
        response = await client.post(
            "/v1/environments",
            json={"name": "x"},
            headers={**tenant.headers, "Idempotency-Key": key},
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "header.Idempotency-Key"


async def _stored_bodies(kanri: Kanri, key: str) -> list[str]:
    def bodies(tx):  # type: ignore[no-untyped-def]
        return list(
            tx.execute(select(IdempotencyRow.body).where(IdempotencyRow.key == key)).scalars()
        )

    result: list[str] = await kanri.db.read(bodies)
    return result


async def test_a_created_api_key_is_stored_encrypted_and_replayed_in_full(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    headers = {**tenant.headers, "Idempotency-Key": f"key-{tenant.project_id}"}
    first = await client.post("/v1/api-keys", json={"name": "ci"}, headers=headers)
    assert first.status_code == 201, first.text
    secret = first.json()["key"]
    assert secret.startswith("kanri_sk_")
    [stored] = await _stored_bodies(kanri, headers["Idempotency-Key"])
    assert secret not in stored
    assert first.json()["id"] not in stored  # the whole body is sealed, not just the key
    again = await client.post("/v1/api-keys", json={"name": "ci"}, headers=headers)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert again.json()["key"] == secret


async def test_another_key_with_the_same_idempotency_key_never_sees_the_first_secret(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    other = await make_key(client, tenant.admin_key, tenant.project_id, name="second")
    idempotency = {"Idempotency-Key": f"shared-{tenant.project_id}"}
    first = await client.post(
        "/v1/api-keys", json={"name": "ci"}, headers={**tenant.headers, **idempotency}
    )
    assert first.status_code == 201, first.text
    second = await client.post(
        "/v1/api-keys", json={"name": "ci"}, headers={**bearer(other["key"]), **idempotency}
    )
    assert second.status_code == 201, second.text
    assert "Idempotent-Replayed" not in second.headers
    assert second.json()["key"] != first.json()["key"]
    assert second.json()["id"] != first.json()["id"]
    assert len(await _stored_bodies(kanri, idempotency["Idempotency-Key"])) == 2
    replayed = await client.post(
        "/v1/api-keys", json={"name": "ci"}, headers={**bearer(other["key"]), **idempotency}
    )
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert replayed.json()["key"] == second.json()["key"]


async def test_a_rotated_api_key_is_stored_encrypted_and_replayed_in_full(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    created = await client.post("/v1/api-keys", json={"name": "old"}, headers=tenant.headers)
    assert created.status_code == 201, created.text
    headers = {**tenant.headers, "Idempotency-Key": f"rotate-{tenant.project_id}"}
    path = f"/v1/api-keys/{created.json()['id']}/rotate"
    first = await client.post(path, json={"grace_period_seconds": 60}, headers=headers)
    assert first.status_code == 201, first.text
    [stored] = await _stored_bodies(kanri, headers["Idempotency-Key"])
    assert first.json()["key"] not in stored
    again = await client.post(path, json={"grace_period_seconds": 60}, headers=headers)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["key"] == first.json()["key"]


async def test_a_webhook_signing_secret_is_stored_encrypted_and_replayed(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    headers = {**tenant.headers, "Idempotency-Key": f"hook-{tenant.project_id}"}
    body = {"url": "https://hooks.example.com/kanri", "event_types": ["environment.*"]}
    first = await client.post("/v1/webhooks", json=body, headers=headers)
    assert first.status_code == 201, first.text
    secret = first.json()["secret"]
    assert secret.startswith("whsec_")
    [stored] = await _stored_bodies(kanri, headers["Idempotency-Key"])
    assert secret not in stored
    assert secret.removeprefix("whsec_") not in stored
    again = await client.post("/v1/webhooks", json=body, headers=headers)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["secret"] == secret


async def test_a_stored_body_opens_only_with_the_servers_secret(kanri: Kanri) -> None:
    sealed = box(kanri.settings.secret, BOX_PURPOSE).encrypt('{"key": "kanri_sk_x"}')
    assert open_body(sealed, box(kanri.settings.secret, BOX_PURPOSE)) == '{"key": "kanri_sk_x"}'
    with pytest.raises(ValueError, match="cannot be decrypted"):
        open_body(sealed, box(b"another-secret-" + b"y" * 40, BOX_PURPOSE))


def test_a_body_stored_in_clear_before_encryption_is_replayed_as_stored(kanri: Kanri) -> None:
    assert open_body('{"id": "env_x"}', box(kanri.settings.secret, BOX_PURPOSE)) == (
        '{"id": "env_x"}'
    )


@pytest.mark.parametrize(
    ("path", "body", "listed_after"),
    [
        (
            "/v1/policies",
            {"name": "guard", "rules": [{"when": 'action = "run"', "effect": "allow"}]},
            1,
        ),
        ("/v1/automations/{automation}/publish", None, 1),
        ("/v1/agents/{agent}/publish", None, 2),  # creating an agent published version 1
    ],
)
async def test_policy_creates_and_publishes_happen_once_per_key(
    client: httpx.AsyncClient,
    tenant: Tenant,
    path: str,
    body: dict[str, Any] | None,
    listed_after: int,
) -> None:
    automation = await client.post(
        "/v1/automations",
        json={
            "name": "once",
            "definition": {"steps": [{"id": "t", "kind": "transform", "output": 1}]},
        },
        headers=tenant.headers,
    )
    provider = await client.post(
        "/v1/providers", json={"name": "local", "kind": "offline"}, headers=tenant.headers
    )
    agent = await client.post(
        "/v1/agents",
        json={"name": "once", "runtime": {"provider": "local", "model": "offline"}},
        headers=tenant.headers,
    )
    for made in (automation, provider, agent):
        assert made.status_code == 201, made.text
    url = path.format(automation=automation.json()["id"], agent=agent.json()["id"])
    headers = {**tenant.headers, "Idempotency-Key": "publish-or-create-1"}
    first = await client.post(url, json=body, headers=headers)
    again = await client.post(url, json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert again.headers["Location"] == first.headers["Location"]
    listing = first.headers["Location"].rsplit("/", 1)[0]
    listed = await client.get(listing, headers=tenant.headers)
    assert len(listed.json()["data"]) == listed_after
