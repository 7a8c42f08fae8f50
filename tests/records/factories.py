"""Factories of objects, fields and records through the API."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from kanri.core.models import AuditLogRow, OutboxEventRow
from kanri.runtime import Kanri
from tests.factories import Tenant, unique


def field(slug: str, type: str = "text", **options: Any) -> dict[str, Any]:
    """A field definition as POST /fields takes it."""
    return {"slug": slug, "name": slug.replace("_", " ").title(), "type": type, **options}


async def make_object(
    client: httpx.AsyncClient, tenant: Tenant, fields: list[dict[str, Any]], slug: str | None = None
) -> dict[str, Any]:
    """An object with these fields; returns the object as GET answers it."""
    slug = slug or unique("obj")
    created = await client.post(
        "/v1/objects", json={"slug": slug, "name": slug}, headers=tenant.headers
    )
    assert created.status_code == 201, created.text
    for definition in fields:
        added = await client.post(
            f"/v1/objects/{slug}/fields", json=definition, headers=tenant.headers
        )
        assert added.status_code == 201, added.text
    found = await client.get(f"/v1/objects/{slug}", headers=tenant.headers)
    result: dict[str, Any] = found.json()
    return result


async def make_record(
    client: httpx.AsyncClient, tenant: Tenant, obj: dict[str, Any], **values: Any
) -> dict[str, Any]:
    response = await client.post(
        f"/v1/objects/{obj['slug']}/records", json={"field_values": values}, headers=tenant.headers
    )
    assert response.status_code == 201, response.text
    record: dict[str, Any] = response.json()
    return record


async def find(
    client: httpx.AsyncClient, tenant: Tenant, obj: dict[str, Any], filter: str, **params: Any
) -> list[dict[str, Any]]:
    """The records matching `filter` (one page of up to 1000)."""
    response = await client.get(
        f"/v1/objects/{obj['slug']}/records",
        params={"filter": filter, "page_size": 1000, **params},
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


async def trail(kanri: Kanri, resource_id: str) -> tuple[list[str], list[str]]:
    """The audit actions (in the order written) and outbox event types (sorted) of a resource.

    Not in `seq` order: record rows take their chain places shortly after they are written
    (the background chainer on PostgreSQL)."""

    def read(tx: Session) -> tuple[list[str], list[str]]:
        audits = tx.execute(
            select(AuditLogRow.action)
            .where(AuditLogRow.resource_id == resource_id)
            .order_by(AuditLogRow.create_time, AuditLogRow.id)
        ).scalars()
        outbox = tx.execute(
            select(OutboxEventRow.type).where(OutboxEventRow.resource_id == resource_id)
        ).scalars()
        return list(audits), sorted(outbox)

    return await kanri.db.read(read)
