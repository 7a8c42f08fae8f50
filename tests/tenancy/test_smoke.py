from __future__ import annotations

import httpx

from tests.factories import Tenant


async def test_new_project_has_production_and_development(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.get("/v1/environments", headers=tenant.headers)
    assert response.status_code == 200, response.text
    names = sorted(e["name"] for e in response.json()["data"])
    assert names == ["development", "production"]
