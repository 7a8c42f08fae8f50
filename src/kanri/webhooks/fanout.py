"""The dispatcher's fan-out commands: read outbox events past the cursor, turn those that
match an endpoint into deliveries, and advance the cursor (durability: see dispatch.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, exists, func, select, text, true, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from kanri.core.ids import new_id
from kanri.core.models import OutboxEventRow
from kanri.core.time import rfc3339
from kanri.db.base import UTCDateTime
from kanri.events.service import EVENT_FILTERS, id_floor, type_matches
from kanri.webhooks.models import WebhookCursorRow, WebhookDeliveryRow, WebhookEndpointRow
from kanri.webhooks.service import delivery_values, payload

CURSOR = "main"


@dataclass(frozen=True)
class Scan:
    """Events read for fan-out: their ids and times in id order, and the ids among them that
    match an endpoint (the only ones that need a write)."""

    ids: list[str]
    times: list[datetime]
    wanted: list[str]

    @property
    def head(self) -> str | None:
        return self.ids[-1] if self.ids else None


@dataclass(frozen=True, kw_only=True)
class _Endpoint:
    id: str
    project_id: str
    event_types: list[str]
    filter: str | None
    create_time: datetime


def _endpoints_by_project(tx: Session, project_ids: set[str]) -> dict[str, list[_Endpoint]]:
    found: dict[str, list[_Endpoint]] = defaultdict(list)
    if not project_ids:
        return found
    table = WebhookEndpointRow
    rows = (
        tx.connection()
        .execute(
            select(table.id, table.project_id, table.event_types, table.filter, table.create_time)
            .where(table.project_id.in_(project_ids), table.enabled == true())
            .order_by(table.id)
        )
        .all()
    )
    for row in rows:
        found[row.project_id].append(_Endpoint(**row._mapping))
    return found


def _matches(endpoint: _Endpoint, event_type: str, create_time: datetime) -> bool:
    # Events written before the endpoint existed are not sent to it.
    return create_time >= endpoint.create_time and type_matches(endpoint.event_types, event_type)


def _scan(tx: Session, rows: list[Any]) -> Scan:
    endpoints = _endpoints_by_project(tx, {r.project_id for r in rows if r.project_id})
    wanted = [
        row.id
        for row in rows
        if any(_matches(e, row.type, row.create_time) for e in endpoints.get(row.project_id, ()))
    ]
    return Scan([r.id for r in rows], [r.create_time for r in rows], wanted)


_SCAN_COLUMNS = (
    OutboxEventRow.id,
    OutboxEventRow.project_id,
    OutboxEventRow.type,
    OutboxEventRow.create_time,
)


def scan(tx: Session, after: str, limit: int) -> Scan:
    """A read: up to `limit` events with ids after `after`, in id order."""
    rows = (
        tx.connection()
        .execute(
            select(*_SCAN_COLUMNS)
            .where(OutboxEventRow.id > after)
            .order_by(OutboxEventRow.id)
            .limit(limit)
        )
        .all()
    )
    return _scan(tx, list(rows))


def scan_ids(tx: Session, event_ids: list[str]) -> Scan:
    """A read: the events of `event_ids` (those still in the outbox), in id order."""
    rows = (
        tx.connection()
        .execute(
            select(*_SCAN_COLUMNS)
            .where(OutboxEventRow.id.in_(event_ids))
            .order_by(OutboxEventRow.id)
        )
        .all()
    )
    return _scan(tx, list(rows))


def ids_between(tx: Session, after: str, upto: str) -> list[str]:
    """A read: the ids of events in (`after`, `upto`] — an index-only range scan that
    finds events committed late with an id below ones already read."""
    return list(
        tx.connection()
        .execute(
            select(OutboxEventRow.id).where(OutboxEventRow.id > after, OutboxEventRow.id <= upto)
        )
        .scalars()
    )


_ANY_ENABLED_ENDPOINT = select(exists().where(WebhookEndpointRow.enabled == true()))
_LAST_EVENT_ID = select(func.max(OutboxEventRow.id))


def idle_head(tx: Session) -> str | None:
    """A read: when no webhook endpoint is enabled, the newest event id (`""` if there is
    none); None otherwise. Every event this read can see matches no endpoint: fan-out can
    pass over them without reading them (both answers come from one snapshot)."""
    connection = tx.connection()
    if connection.execute(_ANY_ENABLED_ENDPOINT).scalar():
        return None
    return connection.execute(_LAST_EVENT_ID).scalar() or ""


def cursor(tx: Session, start: datetime) -> str:
    """The event id fan-out has settled up to; created at `start` on first use."""
    row = tx.get(WebhookCursorRow, CURSOR)
    if row is None:
        row = WebhookCursorRow(name=CURSOR, event_id=id_floor(start), update_time=start)
        tx.add(row)
        tx.flush()
    return row.event_id


def stored_cursor(tx: Session) -> str | None:
    """The settled cursor, without creating it (a read)."""
    row = tx.get(WebhookCursorRow, CURSOR)
    return None if row is None else row.event_id


def oldest_open_write(tx: Session) -> datetime | None:
    """When the oldest transaction still open on this PostgreSQL database that has written
    something began (a read; None when there is none, and on SQLite, whose one writer
    commits in order). An event it holds can only carry a time after that."""
    if tx.get_bind().dialect.name != "postgresql":
        return None
    started: datetime | None = (
        tx.connection()
        .execute(
            text(
                "SELECT min(xact_start) FROM pg_stat_activity WHERE datname = current_database() "
                "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
            )
        )
        .scalar()
    )
    return started


def advance_cursor(tx: Session, event_id: str, now: datetime) -> None:
    """Store that every event up to `event_id` has its deliveries (never moves back)."""
    tx.execute(
        update(WebhookCursorRow)
        .where(WebhookCursorRow.name == CURSOR, WebhookCursorRow.event_id < event_id)
        .values(event_id=event_id, update_time=now)
    )


def fan_out(tx: Session, event_ids: list[str], now: datetime) -> int:
    """Make the deliveries of the events `event_ids` for every enabled endpoint whose types
    (and filter) they match; returns how many were made.

    One INSERT … SELECT over arrays (PostgreSQL) or one multi-row INSERT (SQLite), both ON
    CONFLICT DO NOTHING on the unique (event, endpoint) pair, so fanning an event out twice
    (a re-scan, a restart, a second dispatcher) is harmless.
    """
    if not event_ids:
        return 0
    # Fan-outs of several processes take turns on the cursor row, so their inserts of the
    # same pairs never wait on each other in opposite orders.
    tx.connection().execute(
        select(WebhookCursorRow.name).where(WebhookCursorRow.name == CURSOR).with_for_update()
    )
    events_table = OutboxEventRow
    rows = (
        tx.connection()
        .execute(
            select(
                events_table.id,
                events_table.project_id,
                events_table.type,
                events_table.create_time,
                events_table.data,
            )
            .where(events_table.id.in_(event_ids))
            .order_by(events_table.id)
        )
        .all()
    )
    endpoints = _endpoints_by_project(tx, {r.project_id for r in rows if r.project_id})
    pairs = [
        (endpoint, row)
        for row in rows
        for endpoint in endpoints.get(row.project_id, ())
        if _matches(endpoint, row.type, row.create_time)
    ]
    passing: dict[str, set[str]] = {}
    for endpoint in {e.id: e for e, _ in pairs if e.filter}.values():
        condition = EVENT_FILTERS.compile(endpoint.filter)
        candidates = [row.id for e, row in pairs if e.id == endpoint.id]
        stmt = select(events_table.id).where(events_table.id.in_(candidates))
        if condition is not None:
            stmt = stmt.where(condition)
        passing[endpoint.id] = set(tx.connection().execute(stmt).scalars())
    made: list[tuple[_Endpoint, Any]] = [
        (endpoint, row)
        for endpoint, row in pairs
        if endpoint.id not in passing or row.id in passing[endpoint.id]
    ]
    if not made:
        return 0
    bodies = {row.id: payload(row.type, rfc3339(row.create_time), row.data) for _, row in made}
    if tx.get_bind().dialect.name == "postgresql":
        return _insert_select(tx, made, bodies, now)
    values = [
        delivery_values(endpoint.id, endpoint.project_id, row.id, row.type, bodies[row.id], now)
        for endpoint, row in made
    ]
    inserted = tx.connection().execute(
        sqlite_insert(WebhookDeliveryRow)
        .on_conflict_do_nothing(index_elements=["event_id", "endpoint_id"])
        .returning(WebhookDeliveryRow.id),
        values,
    )
    return len(inserted.all())


# Set-based on PostgreSQL: the (delivery id, endpoint, event) triples and one body per event
# travel as arrays, and the rows are made by the server in one INSERT … SELECT.
_INSERT_SELECT = text(
    """
    INSERT INTO webhook_deliveries (id, endpoint_id, project_id, event_id, event_type, payload,
        status, attempt_count, schedule_start, attempts, next_attempt_time, lease_expires_at,
        lease_token, create_time, update_time)
    SELECT pair.id, e.id, e.project_id, o.id, o.type, body.payload,
        'pending', 0, 0, '[]'::jsonb, :now, NULL, 0, :now, :now
    FROM unnest(CAST(:ids AS text[]), CAST(:endpoint_ids AS text[]), CAST(:event_ids AS text[]))
        AS pair(id, endpoint_id, event_id)
    JOIN unnest(CAST(:body_event_ids AS text[]), CAST(:bodies AS text[]))
        AS body(event_id, payload) ON body.event_id = pair.event_id
    JOIN outbox_events o ON o.id = pair.event_id
    JOIN webhook_endpoints e ON e.id = pair.endpoint_id
    ORDER BY o.id, e.id
    ON CONFLICT (event_id, endpoint_id) DO NOTHING
    RETURNING id
    """
).bindparams(bindparam("now", type_=UTCDateTime()))


def _insert_select(
    tx: Session, made: list[tuple[_Endpoint, Any]], bodies: dict[str, str], now: datetime
) -> int:
    inserted = tx.connection().execute(
        _INSERT_SELECT,
        {
            "ids": [new_id("whd") for _ in made],
            "endpoint_ids": [endpoint.id for endpoint, _ in made],
            "event_ids": [row.id for _, row in made],
            "body_event_ids": list(bodies),
            "bodies": list(bodies.values()),
            "now": now,
        },
    )
    return len(inserted.all())
