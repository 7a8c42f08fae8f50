"""The organization as its admin keys see it: settings, the defaults of new projects, the
organization audit trail and its verification, and admin keys managed by the API."""

from __future__ import annotations

import httpx

from kanri.runtime import Kanri
from tests.factories import Tenant, bearer, make_project, make_tenant, unique


async def test_an_admin_key_reads_and_changes_its_organization(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    listed = await client.get("/v1/organizations", headers=tenant.admin_headers)
    assert listed.status_code == 200
    assert [o["id"] for o in listed.json()["data"]] == [tenant.organization_id]
    shown = await client.get("/v1/organization", headers=tenant.admin_headers)
    assert shown.json()["project_count"] == 1
    assert shown.json()["default_max_running_runs"] is None
    name = unique("org")
    changed = await client.patch(
        "/v1/organization",
        json={"name": name, "default_max_running_runs": 3},
        headers=tenant.admin_headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["name"] == name
    project = await make_project(client, tenant.admin_key)
    assert project["max_running_runs"] == 3
    assert (await client.get("/v1/organization", headers=tenant.admin_headers)).json()[
        "project_count"
    ] == 2
    other = await make_tenant(client, kanri)
    taken = await client.patch("/v1/organization", json={"name": name}, headers=other.admin_headers)
    assert taken.status_code == 409
    assert (
        await client.patch(
            "/v1/organization", json={"default_max_running_runs": 0}, headers=tenant.admin_headers
        )
    ).status_code == 422
    # a project key reaches none of it
    for path in ("/v1/organization", "/v1/organizations", "/v1/admin-keys"):
        assert (await client.get(path, headers=tenant.headers)).status_code == 403

    trail = await client.get(
        "/v1/organization/audit-logs",
        params={"filter": 'action = "organization.updated"'},
        headers=tenant.admin_headers,
    )
    assert trail.status_code == 200
    [row] = trail.json()["data"]
    assert row["changes"]["default_max_running_runs"] == {"from": None, "to": 3}
    verified = await client.get("/v1/organization/audit-logs/verify", headers=tenant.admin_headers)
    assert verified.json()["valid"] is True


async def test_admin_keys_are_created_listed_rotated_and_revoked_but_never_the_last(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    created = await client.post(
        "/v1/admin-keys", json={"name": "ops laptop"}, headers=tenant.admin_headers
    )
    assert created.status_code == 201, created.text
    second = created.json()
    assert second["key"].startswith("kanri_ak_")
    assert second["kind"] == "admin"
    works = await client.get("/v1/organization", headers=bearer(second["key"]))
    assert works.status_code == 200
    listed = await client.get("/v1/admin-keys", headers=tenant.admin_headers)
    assert len(listed.json()["data"]) == 2
    assert second["key"] not in listed.text

    rotated = await client.post(
        f"/v1/admin-keys/{second['id']}/rotate", json={}, headers=bearer(second["key"])
    )
    assert rotated.status_code == 201, rotated.text
    third = rotated.json()
    assert (await client.get("/v1/organization", headers=bearer(second["key"]))).status_code == 401
    assert (await client.get("/v1/organization", headers=bearer(third["key"]))).status_code == 200

    # the bootstrap key goes; the organization keeps the rotated one
    first_id = next(k["id"] for k in listed.json()["data"] if k["id"] != second["id"])
    revoked = await client.delete(f"/v1/admin-keys/{first_id}", headers=bearer(third["key"]))
    assert revoked.status_code == 200
    assert (await client.get("/v1/organization", headers=tenant.admin_headers)).status_code == 401
    last = await client.delete(f"/v1/admin-keys/{third['id']}", headers=bearer(third["key"]))
    assert last.status_code == 409
    project_key = await client.delete(f"/v1/admin-keys/{first_id}x", headers=bearer(third["key"]))
    assert project_key.status_code == 404
    past = await client.post(
        "/v1/admin-keys",
        json={"name": "old", "expires_at": "2020-01-01T00:00:00Z"},
        headers=bearer(third["key"]),
    )
    assert past.status_code == 422
