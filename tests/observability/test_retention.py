"""The retention sweep deletes what is older than the retention, in bounded batches."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from kanri.core.ids import new_id
from kanri.core.time import utcnow
from kanri.observability import retention
from kanri.observability.models import BusinessEventRow, LogLineRow, SpanRow
from kanri.runtime import Kanri
from tests.factories import Tenant
from tests.observability.helpers import ingest


async def test_the_sweep_deletes_old_rows_in_batches_and_keeps_recent_ones(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    await ingest(client, tenant, "logs", [{"message": "recent"}])
    await ingest(client, tenant, "events", [{"name": "recent"}])
    old = utcnow() - timedelta(days=40)
    environment = (await client.get("/v1/environments/current", headers=tenant.headers)).json()

    def plant(tx: Any) -> None:
        common = {
            "project_id": tenant.project_id,
            "environment_id": environment["id"],
            "create_time": old,
        }
        for n in range(5):
            tx.add(
                LogLineRow(
                    id=new_id("obs"),
                    client_id=None,
                    time=old + timedelta(seconds=n),
                    level="info",
                    message=f"old {n}",
                    service=None,
                    attributes={},
                    trace_id=None,
                    span_id=None,
                    **common,
                )
            )
        tx.add(
            BusinessEventRow(
                id=new_id("obs"),
                client_id=None,
                time=old,
                name="old",
                properties={},
                user_id=None,
                session_id=None,
                value=None,
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
                start_time=old,
                end_time=old,
                duration_ms=0.0,
                status="unset",
                status_message=None,
                attributes={},
                **common,
            )
        )

    await kanri.db.write(plant)
    before = utcnow() - timedelta(days=30)
    assert await kanri.db.write(retention.sweep_batch, before, 2) == 4  # 2 logs, 1 event, 1 span
    sweeper = retention.Sweeper(kanri, lambda: True)
    assert await sweeper.sweep() == 3

    def messages(tx: Any) -> list[str]:
        return list(
            tx.execute(
                select(LogLineRow.message).where(LogLineRow.project_id == tenant.project_id)
            ).scalars()
        )

    assert await kanri.db.read(messages) == ["recent"]
    events = await client.post(
        "/v1/events:query",
        json={
            "from": (utcnow() - timedelta(days=60)).isoformat(),
            "to": utcnow().isoformat(),
            "step": "1d",
        },
        headers=tenant.headers,
    )
    assert sum(v or 0 for _, v in events.json()["series"][0]["points"]) == 1
