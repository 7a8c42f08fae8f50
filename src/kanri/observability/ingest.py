"""Ingest of logs, metric points and business events: each item checked on its own, the
valid ones stored with one INSERT … ON CONFLICT DO NOTHING RETURNING per table, one result
per item, one audit row per batch (counts), no outbox events."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import func, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kanri.core import audit
from kanri.core.auth import Principal
from kanri.core.errors import FieldError
from kanri.core.ids import new_id
from kanri.core.time import utcnow
from kanri.observability import schemas
from kanri.observability.models import (
    BusinessEventRow,
    LogLineRow,
    MetricPointRow,
    MetricSeriesRow,
)
from kanri.tenancy import service as tenancy

M = TypeVar("M", bound=BaseModel)
FUTURE_LIMIT = timedelta(days=7)
DEFAULT_RETENTION_DAYS = 30
SERIES_LIMIT = 1000  # label sets per metric name and environment


def environment_of(who: Principal) -> str:
    """The environment observability rows are kept under ('' for a caller without one)."""
    return who.environment_id or ""


@dataclass
class _Batch:
    results: list[schemas.IngestItemResult] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    # index of each row in `rows` → its result
    pending: list[schemas.IngestItemResult] = field(default_factory=list)

    def fail(
        self, index: int, client_id: str | None, errors: list[schemas.IngestItemError]
    ) -> None:
        self.results.append(
            schemas.IngestItemResult(
                index=index, id=None, client_id=client_id, status=422, errors=errors
            )
        )

    def duplicate(self, result: schemas.IngestItemResult) -> None:
        result.status = 409
        result.id = None
        result.errors = [
            _error(FieldError("id", "an item with this id is already stored", "duplicate"))
        ]


def _error(error: FieldError) -> schemas.IngestItemError:
    return schemas.IngestItemError(field=error.field, message=error.message, code=error.code)


def _errors(exc: ValidationError) -> list[schemas.IngestItemError]:
    return [
        schemas.IngestItemError(
            field=".".join(str(part) for part in error["loc"]) or "item",
            message=error["msg"],
            code=error["type"],
        )
        for error in exc.errors(include_url=False)
    ]


def _client_id(raw: Any) -> str | None:
    value = raw.get("id") if isinstance(raw, dict) else None
    return value if isinstance(value, str) else None


def _time_error(
    moment: datetime, now: datetime, retention_days: int
) -> list[schemas.IngestItemError] | None:
    if moment > now + FUTURE_LIMIT:
        return [_error(FieldError("timestamp", "more than 7 days ahead", "timestamp_in_future"))]
    if moment < now - timedelta(days=retention_days):
        message = f"older than the retention ({retention_days} days)"
        return [_error(FieldError("timestamp", message, "timestamp_expired"))]
    return None


def _check(
    items: Sequence[Any],
    model: type[M],
    now: datetime,
    retention_days: int,
    to_row: Callable[[M, datetime], dict[str, Any]],
) -> _Batch:
    """Each item validated on its own; rows for the valid ones (ids repeated within the
    batch are duplicates of the first)."""
    batch = _Batch()
    seen: set[str] = set()
    for index, raw in enumerate(items):
        client_id = _client_id(raw)
        try:
            item = model.model_validate(raw)
        except ValidationError as exc:
            batch.fail(index, client_id, _errors(exc))
            continue
        moment: datetime = getattr(item, "timestamp", None) or now
        problem = _time_error(moment, now, retention_days)
        if problem:
            batch.fail(index, client_id, problem)
            continue
        result = schemas.IngestItemResult(
            index=index, id=new_id("obs"), client_id=client_id, status=201
        )
        batch.results.append(result)
        if client_id is not None and client_id in seen:
            batch.duplicate(result)
            continue
        if client_id is not None:
            seen.add(client_id)
        row = to_row(item, moment)
        row["id"] = result.id
        row["client_id"] = client_id
        batch.rows.append(row)
        batch.pending.append(result)
    return batch


def _insert(tx: Session, table: Any, batch: _Batch) -> None:
    """One INSERT … ON CONFLICT (client id) DO NOTHING RETURNING id for the whole batch;
    rows that come back unstored are duplicates of stored items."""
    if not batch.rows:
        return
    dialect = tx.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(table)
        .on_conflict_do_nothing(index_elements=["project_id", "environment_id", "client_id"])
        .returning(table.id)
    )
    stored = set(tx.execute(stmt, batch.rows).scalars().all())
    for result in batch.pending:
        if result.id not in stored:
            batch.duplicate(result)


def _answer(tx: Session, who: Principal, what: str, batch: _Batch) -> schemas.IngestResult:
    created = sum(1 for r in batch.results if r.status == 201)
    duplicates = sum(1 for r in batch.results if r.status == 409)
    failed = sum(1 for r in batch.results if r.status == 422)
    audit.record(
        tx,
        who,
        f"{what}.ingested",
        what,
        new_id("ing"),
        {"created": created, "duplicates": duplicates, "failed": failed},
        chained=False,
    )
    return schemas.IngestResult(
        results=batch.results, created=created, duplicates=duplicates, failed=failed
    )


def _retention(tx: Session, who: Principal, days: int | None) -> int:
    """The project's `observability_retention_days` (unless the caller says)."""
    if days is not None:
        return days
    project = tenancy.project_settings(tx, who.project())
    return project.observability_retention_days if project else DEFAULT_RETENTION_DAYS


def _common(who: Principal, now: datetime) -> dict[str, Any]:
    return {
        "project_id": who.project(),
        "environment_id": environment_of(who),
        "create_time": now,
    }


def ingest_logs(
    tx: Session, who: Principal, items: list[Any], retention_days: int | None = None
) -> schemas.IngestResult:
    now = utcnow()
    common = _common(who, now)

    def row(item: schemas.LogItem, moment: datetime) -> dict[str, Any]:
        return {
            **common,
            "time": moment,
            "level": item.level,
            "message": item.message,
            "service": item.service,
            "attributes": item.attributes,
            "trace_id": item.trace_id.lower() if item.trace_id else None,
            "span_id": item.span_id.lower() if item.span_id else None,
        }

    batch = _check(items, schemas.LogItem, now, _retention(tx, who, retention_days), row)
    _insert(tx, LogLineRow, batch)
    return _answer(tx, who, "logs", batch)


def ingest_events(
    tx: Session, who: Principal, items: list[Any], retention_days: int | None = None
) -> schemas.IngestResult:
    now = utcnow()
    common = _common(who, now)

    def row(item: schemas.EventItem, moment: datetime) -> dict[str, Any]:
        return {
            **common,
            "time": moment,
            "name": item.name,
            "properties": item.properties,
            "user_id": item.user_id,
            "session_id": item.session_id,
            "value": item.value,
        }

    batch = _check(items, schemas.EventItem, now, _retention(tx, who, retention_days), row)
    _insert(tx, BusinessEventRow, batch)
    return _answer(tx, who, "events", batch)


def series_key(labels: dict[str, str]) -> str:
    """A label set's identity: the SHA-256 of its canonical JSON (keys sorted)."""
    text = json.dumps(labels, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def ingest_metrics(
    tx: Session,
    who: Principal,
    items: list[Any],
    retention_days: int | None = None,
    series_limit: int | None = None,
) -> schemas.IngestResult:
    now = utcnow()
    common = _common(who, now)

    def row(item: schemas.MetricItem, moment: datetime) -> dict[str, Any]:
        value = item.value
        return {
            **common,
            "time": moment,
            "name": item.name,
            "type": item.type,
            "value": value.sum if isinstance(value, schemas.Histogram) else value,
            "histogram": value.model_dump() if isinstance(value, schemas.Histogram) else None,
            "unit": item.unit,
            "labels": item.labels,
            "series_key": series_key(item.labels),
        }

    batch = _check(items, schemas.MetricItem, now, _retention(tx, who, retention_days), row)
    _limit_series(tx, who, batch, now, SERIES_LIMIT if series_limit is None else series_limit)
    _insert(tx, MetricPointRow, batch)
    return _answer(tx, who, "metrics", batch)


def _limit_series(tx: Session, who: Principal, batch: _Batch, now: datetime, limit: int) -> None:
    """Register the batch's new label sets (one insert); points of a new label set past
    `limit` per metric name are refused (422 `too_many_series`)."""
    if not batch.rows:
        return
    project, environment = who.project(), environment_of(who)
    names = sorted({row["name"] for row in batch.rows})
    keys = {(row["name"], row["series_key"]) for row in batch.rows}
    known = {
        (row[0], row[1])
        for row in tx.execute(
            select(MetricSeriesRow.name, MetricSeriesRow.series_key).where(
                MetricSeriesRow.project_id == project,
                MetricSeriesRow.environment_id == environment,
                tuple_(MetricSeriesRow.name, MetricSeriesRow.series_key).in_(sorted(keys)),
            )
        )
    }
    counts: dict[str, int] = {
        row[0]: row[1]
        for row in tx.execute(
            select(MetricSeriesRow.name, func.count())
            .where(
                MetricSeriesRow.project_id == project,
                MetricSeriesRow.environment_id == environment,
                MetricSeriesRow.name.in_(names),
            )
            .group_by(MetricSeriesRow.name)
        )
    }
    new_series: dict[tuple[str, str], dict[str, Any]] = {}
    kept_rows: list[dict[str, Any]] = []
    kept_pending: list[schemas.IngestItemResult] = []
    for row, result in zip(batch.rows, batch.pending, strict=True):
        key = (row["name"], row["series_key"])
        if key not in known and key not in new_series:
            if counts.get(row["name"], 0) >= limit:
                result.status = 422
                result.id = None
                message = (
                    f"metric '{row['name']}' already has {limit} label sets; this one would be more"
                )
                result.errors = [_error(FieldError("labels", message, "too_many_series"))]
                continue
            counts[row["name"]] = counts.get(row["name"], 0) + 1
            new_series[key] = {
                "project_id": project,
                "environment_id": environment,
                "name": row["name"],
                "series_key": row["series_key"],
                "type": row["type"],
                "unit": row["unit"],
                "labels": row["labels"],
                "create_time": now,
            }
        kept_rows.append(row)
        kept_pending.append(result)
    batch.rows, batch.pending = kept_rows, kept_pending
    if new_series:
        dialect = tx.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        tx.execute(insert(MetricSeriesRow).on_conflict_do_nothing(), list(new_series.values()))
