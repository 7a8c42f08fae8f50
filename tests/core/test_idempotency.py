from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import func, select

from kanri.runtime import Kanri
from kanri.tenancy.models import EnvironmentRow
from tests.factories import Tenant


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
