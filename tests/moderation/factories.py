from __future__ import annotations

from typing import Any

import httpx

from tests.factories import Tenant, unique


def item(content: str, *, author: str = "user-1", **fields: Any) -> dict[str, Any]:
    return {
        "external_id": fields.pop("external_id", unique("ext")),
        "kind": fields.pop("kind", "post"),
        "content": content,
        "author": {"id": author},
        **fields,
    }


async def submit(
    client: httpx.AsyncClient, tenant: Tenant, content: str, **fields: Any
) -> dict[str, Any]:
    response = await client.post(
        "/v1/moderation/items", json=item(content, **fields), headers=tenant.headers
    )
    assert response.status_code == 201, response.text
    found: dict[str, Any] = response.json()
    return found


async def make_rule(
    client: httpx.AsyncClient, tenant: Tenant, when: dict[str, Any], action: str, **fields: Any
) -> dict[str, Any]:
    body = {"name": unique("rule"), "when": when, "action": action, **fields}
    response = await client.post("/v1/moderation/rules", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    rule: dict[str, Any] = response.json()
    return rule


async def put_settings(client: httpx.AsyncClient, tenant: Tenant, **settings: Any) -> None:
    response = await client.put("/v1/moderation/settings", json=settings, headers=tenant.headers)
    assert response.status_code == 200, response.text
