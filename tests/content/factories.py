"""Factories of content types and entries through the API."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import Tenant, unique


def cfield(name: str, type: str = "text", **options: Any) -> dict[str, Any]:
    """A field definition as a content type takes it."""
    return {"name": name, "type": type, **options}


async def make_type(
    client: httpx.AsyncClient,
    tenant: Tenant,
    fields: list[dict[str, Any]],
    slug: str | None = None,
) -> dict[str, Any]:
    slug = slug or unique("type")
    created = await client.post(
        "/v1/content/types",
        json={"slug": slug, "name": slug, "fields": fields},
        headers=tenant.headers,
    )
    assert created.status_code == 201, created.text
    result: dict[str, Any] = created.json()
    return result


async def make_entry(
    client: httpx.AsyncClient,
    tenant: Tenant,
    type_slug: str,
    slug: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    created = await client.post(
        "/v1/content/entries",
        json={"type": type_slug, "slug": slug or unique("e"), "fields": fields},
        headers=tenant.headers,
    )
    assert created.status_code == 201, created.text
    result: dict[str, Any] = created.json()
    return result


async def publish(
    client: httpx.AsyncClient, tenant: Tenant, entry_id: str, **body: Any
) -> httpx.Response:
    return await client.post(
        f"/v1/content/entries/{entry_id}:publish", json=body, headers=tenant.headers
    )
