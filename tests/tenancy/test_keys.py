from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from kanri.core import keys
from kanri.runtime import Kanri
from kanri.tenancy.models import ApiKeyRow
from tests.factories import Tenant, bearer, make_key


async def test_a_new_key_is_shown_once_and_stored_only_as_a_hash(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    response = await client.post(
        "/v1/api-keys",
        json={"name": "ci", "scopes": ["runs:read", "environments:write"]},
        headers=tenant.headers,
    )
    assert response.status_code == 201
    created = response.json()
    assert response.headers["Location"] == f"/v1/api-keys/{created['id']}"
    assert created["key"].startswith("kanri_sk_")
    assert created["prefix"] == created["key"][:13]
    assert created["last_four"] == created["key"][-4:]
    assert created["scopes"] == ["environments:write", "runs:read"]
    assert created["project_id"] == tenant.project_id

    shown = await client.get(f"/v1/api-keys/{created['id']}", headers=tenant.headers)
    assert "key" not in shown.json()
    listed = await client.get("/v1/api-keys", headers=tenant.headers)
    assert all("key" not in k for k in listed.json()["data"])
    assert created["key"] not in listed.text

    def stored(tx):  # type: ignore[no-untyped-def]
        return tx.execute(select(ApiKeyRow).where(ApiKeyRow.id == created["id"])).scalar_one()

    row = await kanri.db.read(stored)
    assert row.key_hash == keys.hash_key(created["key"], kanri.key_pepper)
    assert created["key"] not in (row.key_hash, row.prefix)


async def test_both_bearer_and_x_api_key_headers_authenticate(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    by_bearer = await client.get("/v1/environments", headers=tenant.headers)
    by_header = await client.get("/v1/environments", headers={"x-api-key": tenant.key})
    assert by_bearer.status_code == by_header.status_code == 200


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, "missing API key"),
        ({"Authorization": "Bearer kanri_sk_short"}, "malformed"),
        ({"x-api-key": "not-a-key"}, "malformed"),
    ],
)
async def test_requests_without_a_usable_key_get_401_problems(
    client: httpx.AsyncClient, headers: dict[str, str], detail: str
) -> None:
    response = await client.get("/v1/environments", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["code"] == "UNAUTHORIZED"
    assert detail in response.json()["detail"]


async def test_a_mistyped_key_fails_its_checksum(client: httpx.AsyncClient, tenant: Tenant) -> None:
    last = tenant.key[-1]
    typo = tenant.key[:-1] + ("a" if last != "a" else "b")
    response = await client.get("/v1/environments", headers=bearer(typo))
    assert response.status_code == 401
    assert "checksum" in response.json()["detail"]


async def test_a_well_formed_unknown_key_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/environments", headers=bearer(keys.generate("secret")))
    assert response.status_code == 401
    assert response.json()["detail"] == "unknown API key"


async def test_a_revoked_key_stops_working_at_once(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    created = await make_key(client, tenant.admin_key, tenant.project_id)
    assert (await client.get("/v1/environments", headers=bearer(created["key"]))).status_code == 200
    revoked = await client.delete(f"/v1/api-keys/{created['id']}", headers=tenant.headers)
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    after = await client.get("/v1/environments", headers=bearer(created["key"]))
    assert after.status_code == 401
    assert after.json()["detail"] == "this API key was revoked"


async def test_an_expired_key_is_401(client: httpx.AsyncClient, tenant: Tenant) -> None:
    soon = datetime.now(UTC) + timedelta(seconds=1)
    created = await make_key(
        client, tenant.admin_key, tenant.project_id, expires_at=soon.isoformat()
    )
    await asyncio.sleep(1.1)
    response = await client.get("/v1/environments", headers=bearer(created["key"]))
    assert response.status_code == 401
    assert response.json()["detail"] == "this API key has expired"


async def test_expiry_in_the_past_is_a_validation_error(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.post(
        "/v1/api-keys",
        json={"name": "old", "expires_at": "2020-01-01T00:00:00Z"},
        headers=tenant.headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.expires_at"


async def test_rotation_with_a_grace_period_keeps_the_old_key_working_meanwhile(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    old = await make_key(client, tenant.admin_key, tenant.project_id, scopes=["environments:read"])
    rotated = await client.post(
        f"/v1/api-keys/{old['id']}/rotate",
        json={"grace_period_seconds": 3600},
        headers=tenant.headers,
    )
    assert rotated.status_code == 201
    new = rotated.json()
    assert new["id"] != old["id"]
    assert new["scopes"] == ["environments:read"]
    assert new["key"] != old["key"]
    assert (await client.get("/v1/environments", headers=bearer(old["key"]))).status_code == 200
    assert (await client.get("/v1/environments", headers=bearer(new["key"]))).status_code == 200
    shown = await client.get(f"/v1/api-keys/{old['id']}", headers=tenant.headers)
    assert shown.json()["rotated_to"] == new["id"]


async def test_rotation_without_grace_retires_the_old_key_now(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    old = await make_key(client, tenant.admin_key, tenant.project_id)
    rotated = await client.post(f"/v1/api-keys/{old['id']}/rotate", headers=tenant.headers)
    assert rotated.status_code == 201
    assert (await client.get("/v1/environments", headers=bearer(old["key"]))).status_code == 401
    new_key = rotated.json()["key"]
    assert (await client.get("/v1/environments", headers=bearer(new_key))).status_code == 200
    again = await client.post(f"/v1/api-keys/{old['id']}/rotate", headers=tenant.headers)
    assert again.status_code == 409


async def test_a_key_lacking_the_section_gets_403_naming_the_scope(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    reader = await make_key(
        client, tenant.admin_key, tenant.project_id, scopes=["environments:read"]
    )
    assert (await client.get("/v1/environments", headers=bearer(reader["key"]))).status_code == 200
    response = await client.post(
        "/v1/environments", json={"name": "qa"}, headers=bearer(reader["key"])
    )
    assert response.status_code == 403
    assert "environments:write" in response.json()["detail"]


async def test_write_scope_implies_read(client: httpx.AsyncClient, tenant: Tenant) -> None:
    writer = await make_key(
        client, tenant.admin_key, tenant.project_id, scopes=["environments:write"]
    )
    assert (await client.get("/v1/environments", headers=bearer(writer["key"]))).status_code == 200


async def test_publishable_keys_reach_only_public_routes(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    publishable = await make_key(
        client, tenant.admin_key, tenant.project_id, kind="publishable", scopes=["*"]
    )
    assert publishable["key"].startswith("kanri_pk_")
    response = await client.get("/v1/environments", headers=bearer(publishable["key"]))
    assert response.status_code == 403
    assert "publishable" in response.json()["detail"]
    assert (await client.get("/health", headers=bearer(publishable["key"]))).status_code == 200


async def test_unknown_scopes_and_admin_sections_are_rejected(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.post(
        "/v1/api-keys",
        json={"name": "bad", "scopes": ["runs:read", "rockets:write", "projects:read"]},
        headers=tenant.headers,
    )
    assert response.status_code == 422
    fields = [e["field"] for e in response.json()["errors"]]
    assert fields == ["body.scopes.1", "body.scopes.2"]


async def test_another_projects_key_is_not_found(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    from tests.factories import make_tenant

    other = await make_tenant(client, kanri)
    theirs = await make_key(client, other.admin_key, other.project_id)
    for method in ("GET", "DELETE"):
        response = await client.request(
            method, f"/v1/api-keys/{theirs['id']}", headers=tenant.headers
        )
        assert response.status_code == 404
    assert (await client.get("/v1/environments", headers=bearer(theirs["key"]))).status_code == 200


async def test_keys_default_to_production_and_can_name_another_environment(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    environments = (await client.get("/v1/environments", headers=tenant.headers)).json()["data"]
    by_name = {e["name"]: e["id"] for e in environments}
    default = await make_key(client, tenant.admin_key, tenant.project_id)
    dev = await make_key(client, tenant.admin_key, tenant.project_id, environment="development")
    assert default["environment_id"] == by_name["production"]
    assert dev["environment_id"] == by_name["development"]
    unknown = await client.post(
        "/v1/api-keys", json={"name": "x", "environment": "staging"}, headers=tenant.headers
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "body.environment"


async def test_a_key_cannot_create_a_key_with_scopes_it_does_not_hold(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    keymaker = await make_key(client, tenant.admin_key, tenant.project_id, scopes=["keys:write"])
    for scopes in (["*"], ["runs:write"], ["keys:write", "governance:read"]):
        response = await client.post(
            "/v1/api-keys",
            json={"name": "wider", "scopes": scopes},
            headers=bearer(keymaker["key"]),
        )
        assert response.status_code == 403, scopes
        assert response.json()["errors"][0]["field"].startswith("body.scopes.")
    narrower = await client.post(
        "/v1/api-keys",
        json={"name": "reader", "scopes": ["keys:read"]},
        headers=bearer(keymaker["key"]),
    )
    assert narrower.status_code == 201
    assert narrower.json()["scopes"] == ["keys:read"]
    listed = await client.get("/v1/api-keys", headers=tenant.headers)
    assert {k["name"] for k in listed.json()["data"]} >= {"reader"}
    assert "wider" not in {k["name"] for k in listed.json()["data"]}


async def test_a_key_made_without_scopes_gets_its_creators_scopes(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    keymaker = await make_key(
        client, tenant.admin_key, tenant.project_id, scopes=["keys:write", "runs:read"]
    )
    response = await client.post(
        "/v1/api-keys", json={"name": "inherits"}, headers=bearer(keymaker["key"])
    )
    assert response.status_code == 201
    assert response.json()["scopes"] == ["keys:write", "runs:read"]
    by_admin = await make_key(client, tenant.admin_key, tenant.project_id)
    assert by_admin["scopes"] == ["*"]
    publishable = await client.post(
        "/v1/api-keys",
        json={"name": "widget", "kind": "publishable", "scopes": ["runs:write"]},
        headers=bearer(keymaker["key"]),
    )
    assert publishable.status_code == 403


async def test_rotating_needs_every_scope_of_the_rotated_key(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    keymaker = await make_key(client, tenant.admin_key, tenant.project_id, scopes=["keys:write"])
    full = await make_key(client, tenant.admin_key, tenant.project_id, scopes=["*"])
    response = await client.post(
        f"/v1/api-keys/{full['id']}/rotate", headers=bearer(keymaker["key"])
    )
    assert response.status_code == 403
    assert "key" not in response.json()
    shown = await client.get(f"/v1/api-keys/{full['id']}", headers=tenant.headers)
    assert shown.json()["rotated_to"] is None
    assert shown.json()["revoked_at"] is None
    assert (await client.get("/v1/environments", headers=bearer(full["key"]))).status_code == 200


async def test_a_key_rotated_once_cannot_be_rotated_again_during_its_grace(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    old = await make_key(
        client, tenant.admin_key, tenant.project_id, name="rotating", scopes=["environments:read"]
    )
    first = await client.post(
        f"/v1/api-keys/{old['id']}/rotate",
        json={"grace_period_seconds": 3600},
        headers=tenant.headers,
    )
    assert first.status_code == 201
    grace_ends = (await client.get(f"/v1/api-keys/{old['id']}", headers=tenant.headers)).json()[
        "revoked_at"
    ]
    second = await client.post(
        f"/v1/api-keys/{old['id']}/rotate",
        json={"grace_period_seconds": 7200},
        headers=tenant.headers,
    )
    assert second.status_code == 409
    assert first.json()["id"] in second.json()["detail"]
    shown = (await client.get(f"/v1/api-keys/{old['id']}", headers=tenant.headers)).json()
    assert shown["revoked_at"] == grace_ends
    assert shown["rotated_to"] == first.json()["id"]
    names = [
        k["id"]
        for k in (await client.get("/v1/api-keys", headers=tenant.headers)).json()["data"]
        if k["name"] == old["name"]
    ]
    assert len(names) == 2
