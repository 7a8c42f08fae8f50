from __future__ import annotations

import httpx
from sqlalchemy import select

from kanri.core.models import AuditLogRow, OutboxEventRow
from kanri.runtime import Kanri
from tests.factories import Tenant, bearer, make_key, make_tenant


async def test_creating_an_environment_writes_audit_and_outbox_in_the_same_change(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    response = await client.post(
        "/v1/environments",
        json={"name": "staging", "description": "pre-prod"},
        headers={**tenant.headers, "X-Request-Id": "req-staging-1"},
    )
    assert response.status_code == 201
    environment = response.json()
    assert environment["id"].startswith("env_")
    assert environment["project_id"] == tenant.project_id
    assert response.headers["Location"] == f"/v1/environments/{environment['id']}"
    assert response.headers["X-Request-Id"] == "req-staging-1"

    def effects(tx):  # type: ignore[no-untyped-def]
        audit = tx.execute(
            select(AuditLogRow).where(AuditLogRow.resource_id == environment["id"])
        ).scalar_one()
        event = tx.execute(
            select(OutboxEventRow).where(OutboxEventRow.resource_id == environment["id"])
        ).scalar_one()
        return audit, event

    audit, event = await kanri.db.read(effects)
    assert audit.action == "environment.created"
    assert audit.scope_id == tenant.project_id
    assert audit.request_id == "req-staging-1"
    assert audit.changes["name"] == {"from": None, "to": "staging"}
    assert audit.actor["type"] == "api_key"
    assert event.type == "environment.created"
    assert event.data["name"] == "staging"


async def test_environment_names_are_unique_per_project(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    again = await client.post(
        "/v1/environments", json={"name": "production"}, headers=tenant.headers
    )
    assert again.status_code == 409
    assert again.json()["errors"] == [
        {"field": "body.name", "message": "already used in this project"}
    ]


async def test_environments_are_addressable_by_id_or_name_and_patchable(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    by_name = await client.get("/v1/environments/development", headers=tenant.headers)
    assert by_name.status_code == 200
    env_id = by_name.json()["id"]
    patched = await client.patch(
        f"/v1/environments/{env_id}",
        json={"name": "dev", "description": "d"},
        headers=tenant.headers,
    )
    assert patched.status_code == 200
    assert patched.json()["name"] == "dev"
    assert (await client.get("/v1/environments/dev", headers=tenant.headers)).json()["id"] == env_id
    assert (
        await client.get("/v1/environments/development", headers=tenant.headers)
    ).status_code == 404


async def test_the_kanri_environment_header_selects_the_environment(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    default = await client.get("/v1/environments/current", headers=tenant.headers)
    assert default.json()["name"] == "production"
    chosen = await client.get(
        "/v1/environments/current", headers={**tenant.headers, "Kanri-Environment": "development"}
    )
    assert chosen.json()["name"] == "development"
    by_id = await client.get(
        "/v1/environments/current",
        headers={**tenant.headers, "Kanri-Environment": chosen.json()["id"]},
    )
    assert by_id.json()["name"] == "development"


async def test_a_key_made_for_development_acts_there_by_default(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    dev = await make_key(client, tenant.admin_key, tenant.project_id, environment="development")
    response = await client.get("/v1/environments/current", headers=bearer(dev["key"]))
    assert response.json()["name"] == "development"


async def test_an_unknown_environment_header_is_a_400_naming_the_header(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    other = await make_tenant(client, kanri)
    theirs = (await client.get("/v1/environments/production", headers=other.headers)).json()["id"]
    for value in ("staging", theirs):
        response = await client.get(
            "/v1/environments", headers={**tenant.headers, "Kanri-Environment": value}
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "header.Kanri-Environment"


async def test_another_projects_environment_is_404_for_every_verb(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    other = await make_tenant(client, kanri)
    theirs = (await client.get("/v1/environments/production", headers=other.headers)).json()["id"]
    for method, body in (("GET", None), ("PATCH", {"description": "x"}), ("DELETE", None)):
        response = await client.request(
            method, f"/v1/environments/{theirs}", json=body, headers=tenant.headers
        )
        assert response.status_code == 404, method
        assert response.json()["code"] == "NOT_FOUND"


async def test_an_environment_that_keys_default_to_cannot_be_deleted(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.delete("/v1/environments/production", headers=tenant.headers)
    assert response.status_code == 409
    assert "default environment" in response.json()["detail"]


async def test_deleting_an_unused_environment_succeeds_and_is_audited(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    created = await client.post("/v1/environments", json={"name": "tmp"}, headers=tenant.headers)
    deleted = await client.delete(
        f"/v1/environments/{created.json()['id']}", headers=tenant.headers
    )
    assert deleted.status_code == 204
    assert (await client.get("/v1/environments/tmp", headers=tenant.headers)).status_code == 404
    logs = await client.get(
        "/v1/audit-logs",
        params={"filter": 'action = "environment.deleted"'},
        headers=tenant.headers,
    )
    assert [row["resource_id"] for row in logs.json()["data"]] == [created.json()["id"]]


async def test_admin_keys_act_on_a_project_through_the_kanri_project_header(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    without = await client.get("/v1/environments", headers=tenant.admin_headers)
    assert without.status_code == 403
    assert "Kanri-Project" in without.json()["detail"]
    with_header = await client.get(
        "/v1/environments", headers={**tenant.admin_headers, "Kanri-Project": tenant.project_name}
    )
    assert with_header.status_code == 200
    assert len(with_header.json()["data"]) == 2
