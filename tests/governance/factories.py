"""Factories for policies and external executions."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import Tenant, unique


async def make_policy(
    client: httpx.AsyncClient,
    tenant: Tenant,
    rules: list[dict[str, Any]],
    *,
    attachments: dict[str, Any] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    body = {
        "name": unique("pol"),
        "rules": rules,
        "attachments": {"project": True} if attachments is None else attachments,
        **fields,
    }
    response = await client.post("/v1/policies", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    policy: dict[str, Any] = response.json()
    return policy


async def audit_actions(
    client: httpx.AsyncClient, tenant: Tenant, path: str
) -> list[dict[str, Any]]:
    response = await client.get(path, params={"page_size": 1000}, headers=tenant.headers)
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["data"]
    return rows
