"""Sending batches and asking queries as a client does."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from kanri.core.time import rfc3339, utcnow
from tests.factories import Tenant


def at(minutes_ago: float = 0, base: datetime | None = None) -> str:
    return rfc3339((base or utcnow()) - timedelta(minutes=minutes_ago))


async def ingest(
    client: httpx.AsyncClient,
    tenant: Tenant,
    what: str,
    items: list[dict[str, Any]],
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    response = await client.post(
        f"/v1/{what}:ingest", json={"items": items}, headers=headers or tenant.headers
    )
    assert response.status_code == 207, response.text
    body: dict[str, Any] = response.json()
    return body


def statuses(result: dict[str, Any]) -> list[int]:
    return [item["status"] for item in result["results"]]
