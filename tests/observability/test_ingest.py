"""Ingest of logs, metrics and business events: 207 with one result per item, dedupe by
the item's id, timestamp rules, the label cardinality limit, one statement per table and
one audit row per batch."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from kanri.core.models import AuditLogRow
from kanri.core.time import rfc3339, utcnow
from kanri.observability import ingest as module
from kanri.observability.models import LogLineRow
from kanri.runtime import Kanri
from tests.factories import Tenant, bearer, make_key, make_tenant
from tests.observability.helpers import at, ingest, statuses


async def test_a_mixed_log_batch_stores_the_valid_items_and_answers_each(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    items: list[dict[str, Any]] = [
        {"id": "a-1", "message": "ok", "level": "info", "service": "web"},
        {"message": "no level given"},
        {"id": "a-2", "message": "bad level", "level": "loud"},
        {"id": "a-3", "message": 7},
        {"id": "a-1", "message": "same id again in the batch"},
        {"message": "future", "timestamp": rfc3339(utcnow() + timedelta(days=8))},
        {"message": "too old", "timestamp": rfc3339(utcnow() - timedelta(days=31))},
        {"message": "no offset", "timestamp": "2026-12-07T10:00:00"},
        {"message": "near future is fine", "timestamp": rfc3339(utcnow() + timedelta(days=6))},
    ]
    result = await ingest(client, tenant, "logs", items)
    assert statuses(result) == [201, 201, 422, 422, 409, 422, 422, 422, 201]
    assert [r["index"] for r in result["results"]] == list(range(len(items)))
    assert (result["created"], result["duplicates"], result["failed"]) == (3, 1, 5)
    first = result["results"][0]
    assert first["client_id"] == "a-1"
    assert first["id"].startswith("obs_")
    assert result["results"][2]["errors"][0]["field"] == "level"
    assert result["results"][5]["errors"][0]["code"] == "timestamp_in_future"
    assert result["results"][6]["errors"][0]["code"] == "timestamp_expired"
    assert result["results"][4]["errors"][0]["code"] == "duplicate"
    listed = await client.get("/v1/logs", headers=tenant.headers)
    assert len(listed.json()["data"]) == 3


async def test_the_same_ids_sent_twice_are_stored_once(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    items = [{"id": f"x-{n}", "message": f"line {n}"} for n in range(5)]
    assert statuses(await ingest(client, tenant, "logs", items[:3])) == [201] * 3
    again = await ingest(client, tenant, "logs", items)
    assert statuses(again) == [409, 409, 409, 201, 201]
    listed = await client.get("/v1/logs", params={"page_size": 100}, headers=tenant.headers)
    assert sorted(line["client_id"] for line in listed.json()["data"]) == [
        f"x-{n}" for n in range(5)
    ]
    events = await ingest(client, tenant, "events", [{"id": "e", "name": "signup"}] * 2)
    assert statuses(events) == [201, 409]
    points = [{"id": "m", "name": "jobs", "type": "counter", "value": 1}]
    assert statuses(await ingest(client, tenant, "metrics", points)) == [201]
    assert statuses(await ingest(client, tenant, "metrics", points)) == [409]


async def test_ids_are_per_environment_and_other_projects_never_see_the_lines(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    other = await make_tenant(client, kanri)
    item = [{"id": "same", "message": "hello"}]
    assert statuses(await ingest(client, tenant, "logs", item)) == [201]
    assert statuses(await ingest(client, other, "logs", item)) == [201]
    staging = {**tenant.headers, "Kanri-Environment": "development"}
    assert statuses(await ingest(client, tenant, "logs", item, headers=staging)) == [201]
    listed = await client.get("/v1/logs", headers=other.headers)
    assert [line["message"] for line in listed.json()["data"]] == ["hello"]
    mine = await client.get("/v1/logs", headers=staging)
    assert len(mine.json()["data"]) == 1


async def test_one_insert_per_table_and_one_audit_row_per_batch(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO OBS_"):
            statements.append(statement.split("(")[0].strip())

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        result = await ingest(
            client, tenant, "logs", [{"message": f"line {n}"} for n in range(300)]
        )
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    assert result["created"] == 300
    assert statements == ["INSERT INTO obs_logs"]

    def audit_rows(tx: Any) -> list[AuditLogRow]:
        return list(
            tx.execute(
                select(AuditLogRow).where(
                    AuditLogRow.project_id == tenant.project_id,
                    AuditLogRow.action == "logs.ingested",
                )
            ).scalars()
        )

    rows = await kanri.db.read(audit_rows)
    assert len(rows) == 1
    assert rows[0].changes == {"created": 300, "duplicates": 0, "failed": 0}

    def count(tx: Any) -> int:
        return len(
            tx.execute(
                select(LogLineRow.id).where(LogLineRow.project_id == tenant.project_id)
            ).all()
        )

    assert await kanri.db.read(count) == 300


async def test_metric_points_are_checked_by_type_and_labels_are_limited(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(module, "SERIES_LIMIT", 3)
    points: list[dict[str, Any]] = [
        {"name": "requests", "type": "counter", "value": 1, "labels": {"route": f"/{n}"}}
        for n in range(4)
    ]
    points += [
        {"name": "requests", "type": "counter", "value": 2, "labels": {"route": "/0"}},
        {"name": "requests", "type": "counter", "value": -1},
        {"name": "latency", "type": "histogram", "value": 0.2},
        {
            "name": "latency",
            "type": "histogram",
            "value": {"buckets": [0.1, 0.5], "counts": [1, 2], "sum": 1.0, "count": 3},
        },
        {
            "name": "latency",
            "type": "histogram",
            "value": {"buckets": [0.1, 0.5], "counts": [1, 2, 0], "sum": 1.0, "count": 3},
        },
        {"name": "kanri.runs", "type": "gauge", "value": 1},
        {"name": "temperature", "type": "gauge", "value": -3.5, "unit": "C"},
    ]
    result = await ingest(client, tenant, "metrics", points)
    assert statuses(result) == [201, 201, 201, 422, 201, 422, 422, 422, 201, 422, 201]
    assert result["results"][3]["errors"][0]["code"] == "too_many_series"
    names = await client.get("/v1/metrics", headers=tenant.headers)
    listed = {m["name"]: m for m in names.json()["data"] if not m["name"].startswith("kanri.")}
    assert set(listed) == {"requests", "latency", "temperature"}
    assert listed["requests"]["series_count"] == 3
    assert sorted(listed["requests"]["labels"]["route"]) == ["/0", "/1", "/2"]
    assert listed["temperature"]["unit"] == "C"


async def test_a_read_key_cannot_ingest_and_a_write_key_needs_the_section(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    reader = await make_key(
        client, tenant.admin_key, tenant.project_id, scopes=["observability:read"]
    )
    response = await client.post(
        "/v1/logs:ingest", json={"items": [{"message": "x"}]}, headers=bearer(reader["key"])
    )
    assert response.status_code == 403
    assert (await client.get("/v1/logs", headers=bearer(reader["key"]))).status_code == 200


async def test_batches_are_limited_to_1000_items_and_4_mib(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    too_many = await client.post(
        "/v1/logs:ingest",
        json={"items": [{"message": "x"}] * 1001},
        headers=tenant.headers,
    )
    assert too_many.status_code == 422
    big = [{"message": "x" * 3000, "timestamp": at()} for _ in range(1000)]  # ~3 MB
    fits = await client.post("/v1/logs:ingest", json={"items": big}, headers=tenant.headers)
    assert fits.status_code == 207, fits.text[:300]
    huge = [{"message": "x" * 5000} for _ in range(1000)]  # ~5 MB
    refused = await client.post("/v1/logs:ingest", json={"items": huge}, headers=tenant.headers)
    assert refused.status_code == 413
    elsewhere = await client.post(
        "/v1/reports",
        json={"type": "daily", "title": "t", "content": "x" * 1_100_000},
        headers=tenant.headers,
    )
    assert elsewhere.status_code == 413
