"""The dispatcher's database commands: turn outbox events into deliveries (fan-out), claim
due deliveries under a lease, and record the outcome of each attempt.

Durability: a delivery row is made in the same transaction that advances the outbox
cursor, and is marked `succeeded` only by `record` after a 2xx answer; a dispatcher that
dies mid-flight leaves its claimed deliveries leased, and another claims them once the
lease has run out (at-least-once, with the same `webhook-id`).
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, exists, false, func, or_, select, text, true, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from kanri.core import events
from kanri.core.auth import Principal
from kanri.core.ids import new_id
from kanri.core.models import OutboxEventRow
from kanri.core.time import rfc3339
from kanri.db.base import UTCDateTime
from kanri.events.service import EVENT_FILTERS, id_floor, type_matches
from kanri.tenancy.models import ProjectRow
from kanri.webhooks.models import WebhookCursorRow, WebhookDeliveryRow, WebhookEndpointRow
from kanri.webhooks.service import delivery_values, payload

# Seconds to wait after failed attempt n (1-based): 10 attempts over about three days.
RETRY_DELAYS = (5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400)
JITTER = 0.1  # each delay is stretched or shrunk by up to 10 %
MAX_KEPT_ATTEMPTS = 50
RESPONSE_BODY_LIMIT = 1024
CURSOR = "main"
SYSTEM_ACTOR = "webhooks"


# ---------------------------------------------------------------- fan-out


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


@dataclass(frozen=True)
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
        found[row.project_id].append(_Endpoint(*row))
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


def has_due(tx: Session, now: datetime) -> bool:
    """Whether a pending delivery is due (leases and endpoint state are the claim's to check)."""
    stmt = (
        select(WebhookDeliveryRow.id)
        .where(WebhookDeliveryRow.status == "pending", WebhookDeliveryRow.next_attempt_time <= now)
        .limit(1)
    )
    return tx.connection().execute(stmt).first() is not None


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


# ---------------------------------------------------------------- claim


@dataclass(frozen=True)
class Claimed:
    id: str
    endpoint_id: str
    event_id: str
    url: str
    payload: str
    attempt: int  # the number this attempt will have
    lease_token: int
    secret_encrypted: str
    previous_secret_encrypted: str | None
    allow_private: bool


def claim(tx: Session, now: datetime, limit: int, lease_seconds: float) -> list[Claimed]:
    """Lease up to `limit` due deliveries of enabled endpoints, oldest due first.

    An ordered endpoint yields only its oldest open delivery, and none while that one is
    leased, so its events arrive one at a time in outbox order. Each lease bumps the
    delivery's `lease_token`: an outcome recorded with an older token is dropped (fencing).
    """
    delivery = WebhookDeliveryRow
    endpoint = WebhookEndpointRow
    earlier = aliased(WebhookDeliveryRow)
    blocked = exists().where(
        earlier.endpoint_id == delivery.endpoint_id,
        earlier.status == "pending",
        earlier.event_id < delivery.event_id,
    )
    due = (
        select(delivery.id)
        .join(endpoint, endpoint.id == delivery.endpoint_id)
        .where(
            delivery.status == "pending",
            delivery.next_attempt_time <= now,
            or_(delivery.lease_expires_at.is_(None), delivery.lease_expires_at < now),
            endpoint.enabled == true(),
            or_(endpoint.ordered == false(), ~blocked),
        )
        .order_by(delivery.next_attempt_time, delivery.event_id)
        .limit(limit)
    )
    if tx.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(of=delivery, skip_locked=True)
    ids = list(tx.connection().execute(due).scalars())
    if not ids:
        return []
    leased = (
        tx.connection()
        .execute(
            update(delivery)
            .where(delivery.id.in_(ids))
            .values(
                lease_expires_at=now + timedelta(seconds=lease_seconds),
                lease_token=delivery.lease_token + 1,
            )
            .execution_options(synchronize_session=False)
            .returning(
                delivery.id,
                delivery.endpoint_id,
                delivery.event_id,
                delivery.payload,
                delivery.attempt_count,
                delivery.lease_token,
                delivery.next_attempt_time,
            )
        )
        .all()
    )
    endpoints = {
        row.id: row
        for row in tx.connection()
        .execute(
            select(
                endpoint.id,
                endpoint.url,
                endpoint.secret_encrypted,
                endpoint.previous_secret_encrypted,
                endpoint.previous_secret_expire_time,
                ProjectRow.allow_private_network,
            )
            .join(ProjectRow, ProjectRow.id == endpoint.project_id)
            .where(endpoint.id.in_({row.endpoint_id for row in leased}))
        )
        .all()
    }
    claimed: list[Claimed] = []
    # In the order they fell due: an ordered endpoint's one delivery is never behind.
    for row in sorted(leased, key=lambda r: (r.next_attempt_time, r.event_id)):
        target = endpoints[row.endpoint_id]
        previous = target.previous_secret_encrypted
        if target.previous_secret_expire_time is None or target.previous_secret_expire_time <= now:
            previous = None
        claimed.append(
            Claimed(
                id=row.id,
                endpoint_id=row.endpoint_id,
                event_id=row.event_id,
                url=target.url,
                payload=row.payload,
                attempt=row.attempt_count + 1,
                lease_token=row.lease_token,
                secret_encrypted=target.secret_encrypted,
                previous_secret_encrypted=previous,
                allow_private=bool(target.allow_private_network),
            )
        )
    return claimed


# ---------------------------------------------------------------- record


@dataclass(frozen=True)
class Outcome:
    delivery_id: str
    lease_token: int
    status_code: int | None
    error: str | None
    latency_ms: int
    time: datetime
    response_body: str | None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def retry_delay(failed_attempts: int, rng: random.Random) -> timedelta | None:
    """How long after the `failed_attempts`-th failure to try again (jittered); None when the
    schedule is spent."""
    if failed_attempts > len(RETRY_DELAYS):
        return None
    base = RETRY_DELAYS[failed_attempts - 1]
    return timedelta(seconds=base * (1 + JITTER * (2 * rng.random() - 1)))


def _disable(tx: Session, endpoint: WebhookEndpointRow, reason: str, now: datetime) -> None:
    if not endpoint.enabled:
        return
    endpoint.enabled = False
    endpoint.disabled_reason = reason
    endpoint.update_time = now
    organization_id = tx.execute(
        select(ProjectRow.organization_id).where(ProjectRow.id == endpoint.project_id)
    ).scalar_one()
    who = Principal.system(organization_id, endpoint.project_id, name=SYSTEM_ACTOR)
    events.emit(
        tx, who, "webhook.disabled", "webhook", endpoint.id, {"id": endpoint.id, "reason": reason}
    )


def record(
    tx: Session, outcomes: list[Outcome], now: datetime, disable_after: timedelta, seed: int
) -> int:
    """Apply attempt outcomes; those whose lease was lost (another dispatcher claimed the
    delivery since: its `lease_token` moved on) are dropped. Returns how many were applied.

    2xx → succeeded. 410 → failed, and the endpoint is disabled. Otherwise the next attempt
    is scheduled from RETRY_DELAYS, or the delivery fails when the schedule is spent; an
    endpoint failing without a success for `disable_after` is disabled (`webhook.disabled`).
    The deliveries are written with one executemany UPDATE.
    """
    rng = random.Random(seed)
    table = WebhookDeliveryRow
    ids = sorted({o.delivery_id for o in outcomes})
    # Rows are locked in id order, so recorders of several processes cannot deadlock.
    current = {
        row.id: row
        for row in tx.connection()
        .execute(
            select(
                table.id,
                table.endpoint_id,
                table.status,
                table.lease_token,
                table.attempt_count,
                table.schedule_start,
                table.attempts,
            )
            .where(table.id.in_(ids))
            .order_by(table.id)
            .with_for_update(key_share=True)
        )
        .all()
    }
    endpoints_stmt = (
        select(WebhookEndpointRow)
        .where(WebhookEndpointRow.id.in_({row.endpoint_id for row in current.values()}))
        .order_by(WebhookEndpointRow.id)
        .with_for_update(key_share=True)
    )
    endpoints = {row.id: row for row in tx.execute(endpoints_stmt).scalars()}
    changes: list[dict[str, Any]] = []
    for outcome in outcomes:
        delivery = current.pop(outcome.delivery_id, None)
        if delivery is None or delivery.status != "pending":
            continue
        if delivery.lease_token != outcome.lease_token:
            continue
        endpoint = endpoints[delivery.endpoint_id]
        count = delivery.attempt_count + 1
        attempt: dict[str, Any] = {
            "attempt": count,
            "status_code": outcome.status_code,
            "error": outcome.error,
            "latency_ms": outcome.latency_ms,
            "time": rfc3339(outcome.time),
            "response_body": outcome.response_body,
        }
        change: dict[str, Any] = {
            "delivery_id": delivery.id,
            "attempt_count": count,
            "attempts": [*delivery.attempts, attempt][-MAX_KEPT_ATTEMPTS:],
            "status": "pending",
            "next_attempt_time": None,
        }
        changes.append(change)
        if outcome.succeeded:
            change["status"] = "succeeded"
            if endpoint.failing_since is not None:
                endpoint.failing_since = None
            continue
        if outcome.status_code == 410:
            change["status"] = "failed"
            _disable(tx, endpoint, "the endpoint answered 410 Gone", now)
            continue
        if endpoint.failing_since is None:
            endpoint.failing_since = now
        delay = retry_delay(count - delivery.schedule_start, rng)
        if delay is None:
            change["status"] = "failed"
        else:
            change["next_attempt_time"] = now + delay
        if now - endpoint.failing_since >= disable_after:
            days = disable_after / timedelta(days=1)
            _disable(tx, endpoint, f"every delivery failed for {days:g} days", now)
    if changes:
        deliveries = WebhookDeliveryRow.__table__
        assert isinstance(deliveries, Table)
        columns = deliveries.c
        tx.connection().execute(
            update(deliveries)
            .where(columns.id == bindparam("delivery_id"))
            .values(
                status=bindparam("status", type_=columns.status.type),
                attempt_count=bindparam("attempt_count", type_=columns.attempt_count.type),
                attempts=bindparam("attempts", type_=columns.attempts.type),
                next_attempt_time=bindparam(
                    "next_attempt_time", type_=columns.next_attempt_time.type
                ),
                lease_expires_at=None,
                update_time=now,
            ),
            changes,
        )
    tx.flush()
    return len(changes)


def release(tx: Session, delivery_ids: list[str], lease_tokens: dict[str, int]) -> None:
    """Give back leased deliveries that were not attempted (the dispatcher is stopping)."""
    rows = tx.execute(
        select(WebhookDeliveryRow).where(WebhookDeliveryRow.id.in_(delivery_ids))
    ).scalars()
    for row in rows:
        if row.status == "pending" and row.lease_token == lease_tokens.get(row.id):
            row.lease_expires_at = None
    tx.flush()


def pending_count(tx: Session) -> int:
    """Deliveries still to be made (the bench waits on it)."""
    return int(
        tx.execute(select(func.count()).where(WebhookDeliveryRow.status == "pending")).scalar_one()
    )
