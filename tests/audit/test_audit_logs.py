"""Reading the audit trail: an admin key reads its organization's chain, a key needs the
section to read any."""

from __future__ import annotations

import httpx

from tests.factories import Tenant, bearer, make_key


async def test_admin_keys_read_the_organizations_chain(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    logs = await client.get("/v1/audit-logs", headers=tenant.admin_headers)
    actions = [r["action"] for r in logs.json()["data"]]
    assert "project.created" in actions
    assert "organization.created" in actions
    assert (await client.get("/v1/audit-logs/verify", headers=tenant.admin_headers)).json()["valid"]


async def test_audit_logs_need_their_section(client: httpx.AsyncClient, tenant: Tenant) -> None:
    key = await make_key(client, tenant.admin_key, tenant.project_id, scopes=["environments:*"])
    response = await client.get("/v1/audit-logs", headers=bearer(key["key"]))
    assert response.status_code == 403
