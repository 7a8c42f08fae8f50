"""Retention per project: ingest refuses what is already past it, and the sweep deletes
what passes it (or whose project is gone) in bounded batches."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select

from kanri.core.ids import new_id
from kanri.core.time import rfc3339, utcnow
from kanri.observability import retention
from kanri.observability.models import BusinessEventRow, LogLineRow, SpanRow
from kanri.runtime import Kanri
from tests.factories import Tenant, make_tenant
from tests.observability.helpers import ingest, statuses


def _log(project_id: str, environment_id: str, at: datetime, message: str) -> LogLineRow:
    return LogLineRow(
        id=new_id("obs"),
        project_id=project_id,
        environment_id=environment_id,
        client_id=None,
        time=at,
        level="info",
        message=message,
        service=None,
        attributes={},
        trace_id=None,
        span_id=None,
        create_time=at,
    )


async def _environment(client: httpx.AsyncClient, tenant: Tenant) -> str:
    current = await client.get("/v1/environments/current", headers=tenant.headers)
    return str(current.json()["id"])


async def test_each_project_keeps_its_data_as_long_as_it_says(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    changed = await client.patch(
        f"/v1/projects/{tenant.project_id}",
        json={"observability_retention_days": 1},
        headers=tenant.admin_headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["observability_retention_days"] == 1
    two_days_ago = utcnow() - timedelta(days=2)
    refused = await ingest(
        client, tenant, "logs", [{"message": "late", "timestamp": rfc3339(two_days_ago)}]
    )
    assert statuses(refused) == [422]
    assert refused["results"][0]["errors"][0]["code"] == "timestamp_expired"

    other = await make_tenant(client, kanri)
    assert (
        await client.get(f"/v1/projects/{other.project_id}", headers=other.admin_headers)
    ).json()["observability_retention_days"] == 30
    await ingest(client, tenant, "logs", [{"message": "recent"}])
    mine, theirs = await _environment(client, tenant), await _environment(client, other)
    gone_project = new_id("prj")

    def plant(tx: Any) -> None:
        for n in range(3):
            tx.add(_log(tenant.project_id, mine, two_days_ago + timedelta(seconds=n), f"old {n}"))
        tx.add(_log(other.project_id, theirs, two_days_ago, "kept: 30 days"))
        tx.add(_log(gone_project, "", utcnow(), "of a deleted project"))
        common = {"project_id": tenant.project_id, "environment_id": mine}
        tx.add(
            BusinessEventRow(
                id=new_id("obs"),
                client_id=None,
                time=two_days_ago,
                name="old",
                properties={},
                user_id=None,
                session_id=None,
                value=None,
                create_time=two_days_ago,
                **common,
            )
        )
        tx.add(
            SpanRow(
                id=new_id("spn"),
                trace_id="a" * 32,
                span_id="b" * 16,
                parent_span_id=None,
                name="old",
                kind="internal",
                service=None,
                start_time=two_days_ago,
                end_time=two_days_ago,
                duration_ms=0.0,
                status="unset",
                status_message=None,
                attributes={},
                create_time=two_days_ago,
                **common,
            )
        )

    await kanri.db.write(plant)

    def messages(tx: Any, project_id: str) -> list[str]:
        return sorted(
            tx.execute(
                select(LogLineRow.message).where(LogLineRow.project_id == project_id)
            ).scalars()
        )

    # Bounded: at most 2 rows per table and condition in one transaction.
    assert await kanri.db.write(retention.sweep_batch, utcnow(), 2) >= 4
    left = await kanri.db.read(messages, tenant.project_id)
    assert len(left) == 2
    assert "recent" in left
    await retention.Sweeper(kanri, lambda: True).sweep()

    assert await kanri.db.read(messages, tenant.project_id) == ["recent"]
    assert await kanri.db.read(messages, other.project_id) == ["kept: 30 days"]
    assert await kanri.db.read(messages, gone_project) == []

    def spans(tx: Any) -> int:
        return len(
            tx.execute(select(SpanRow.id).where(SpanRow.project_id == tenant.project_id)).all()
        )

    assert await kanri.db.read(spans) == 0
