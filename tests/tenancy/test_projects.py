from __future__ import annotations

import httpx
from sqlalchemy import select

from kanri.core.models import OutboxEventRow
from kanri.runtime import Kanri
from kanri.tenancy.models import EnvironmentRow
from tests.factories import Tenant, bearer, make_org, make_project, unique


async def test_creating_a_project_answers_201_with_location_and_default_environments(
    client: httpx.AsyncClient, kanri: Kanri
) -> None:
    _, admin_key = await make_org(kanri)
    name = unique("shop")
    response = await client.post(
        "/v1/projects",
        json={"name": name, "description": "web shop", "rate_limit_per_minute": 120},
        headers=bearer(admin_key),
    )
    assert response.status_code == 201
    project = response.json()
    assert response.headers["Location"] == f"/v1/projects/{project['id']}"
    assert project["id"].startswith("prj_")
    assert project["name"] == name
    assert project["display_name"] == name
    assert project["rate_limit_per_minute"] == 120
    assert project["allow_private_network"] is False

    def environments(tx):  # type: ignore[no-untyped-def]
        stmt = select(EnvironmentRow.name).where(EnvironmentRow.project_id == project["id"])
        return sorted(tx.execute(stmt).scalars())

    assert await kanri.db.read(environments) == ["development", "production"]


async def test_a_project_without_a_rate_limit_gets_the_configured_default(
    client: httpx.AsyncClient, kanri: Kanri
) -> None:
    _, admin_key = await make_org(kanri)
    project = await make_project(client, admin_key)
    assert project["rate_limit_per_minute"] == kanri.settings.default_rate_limit_per_minute


async def test_project_names_are_unique_within_an_organization(
    client: httpx.AsyncClient, kanri: Kanri
) -> None:
    _, admin_key = await make_org(kanri)
    project = await make_project(client, admin_key)
    again = await client.post(
        "/v1/projects", json={"name": project["name"]}, headers=bearer(admin_key)
    )
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["code"] == "CONFLICT"
    assert again.json()["errors"][0]["field"] == "body.name"

    _, other_admin = await make_org(kanri)
    elsewhere = await client.post(
        "/v1/projects", json={"name": project["name"]}, headers=bearer(other_admin)
    )
    assert elsewhere.status_code == 201


async def test_project_keys_cannot_manage_projects(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.post("/v1/projects", json={"name": "nope"}, headers=tenant.headers)
    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"
    assert "admin key" in response.json()["detail"]


async def test_admin_keys_see_only_their_organizations_projects(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    _, other_admin = await make_org(kanri)
    response = await client.get(f"/v1/projects/{tenant.project_id}", headers=bearer(other_admin))
    assert response.status_code == 404
    listed = await client.get("/v1/projects", headers=bearer(other_admin))
    assert tenant.project_id not in [p["id"] for p in listed.json()["data"]]


async def test_patching_a_project_changes_only_the_given_fields_and_is_audited(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.patch(
        f"/v1/projects/{tenant.project_id}",
        json={"rate_limit_per_minute": 5, "allow_private_network": True},
        headers=tenant.admin_headers,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["rate_limit_per_minute"] == 5
    assert body["allow_private_network"] is True
    assert body["name"] == tenant.project_name
    assert body["update_time"] > body["create_time"]

    logs = await client.get(
        "/v1/audit-logs",
        params={"filter": f'action = "project.updated" AND resource_id = "{tenant.project_id}"'},
        headers=tenant.admin_headers,
    )
    changes = logs.json()["data"][0]["changes"]
    assert changes["rate_limit_per_minute"]["to"] == 5
    assert changes["allow_private_network"] == {"from": False, "to": True}


async def test_a_project_is_addressable_by_name(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.get(f"/v1/projects/{tenant.project_name}", headers=tenant.admin_headers)
    assert response.status_code == 200
    assert response.json()["id"] == tenant.project_id


async def test_deleting_a_project_removes_it_and_disables_its_keys(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    deleted = await client.delete(f"/v1/projects/{tenant.project_id}", headers=tenant.admin_headers)
    assert deleted.status_code == 204
    assert (
        await client.get(f"/v1/projects/{tenant.project_id}", headers=tenant.admin_headers)
    ).status_code == 404
    assert (await client.get("/v1/environments", headers=tenant.headers)).status_code == 401

    def events(tx):  # type: ignore[no-untyped-def]
        stmt = select(OutboxEventRow.type).where(OutboxEventRow.resource_id == tenant.project_id)
        return list(tx.execute(stmt).scalars())

    assert "project.deleted" in await kanri.db.read(events)


async def test_invalid_project_names_are_rejected_with_the_field(
    client: httpx.AsyncClient, kanri: Kanri
) -> None:
    _, admin_key = await make_org(kanri)
    response = await client.post(
        "/v1/projects", json={"name": "Not A Slug", "extra": 1}, headers=bearer(admin_key)
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR"
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"body.name", "body.extra"}


async def test_projects_list_pages_through_every_project_once(
    client: httpx.AsyncClient, kanri: Kanri
) -> None:
    _, admin_key = await make_org(kanri)
    made = {(await make_project(client, admin_key))["id"] for _ in range(5)}
    seen: list[str] = []
    token = None
    while True:
        params = {"page_size": 2, **({"page_token": token} if token else {})}
        page = await client.get("/v1/projects", params=params, headers=bearer(admin_key))
        assert page.status_code == 200
        seen += [p["id"] for p in page.json()["data"]]
        token = page.json()["next_page_token"]
        if token is None:
            break
    assert sorted(seen) == sorted(made)
