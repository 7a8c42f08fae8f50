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

from sqlalchemy import exists, false, func, or_, select, true, update
from sqlalchemy.orm import Session, aliased

from kanri.core import events
from kanri.core.auth import Principal
from kanri.core.models import OutboxEventRow
from kanri.core.time import rfc3339
from kanri.events.service import EVENT_FILTERS, id_floor, type_matches
from kanri.tenancy.models import ProjectRow
from kanri.webhooks.models import WebhookCursorRow, WebhookDeliveryRow, WebhookEndpointRow
from kanri.webhooks.service import new_delivery, payload

# Seconds to wait after failed attempt n (1-based): 10 attempts over about three days.
RETRY_DELAYS = (5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400)
JITTER = 0.1  # each delay is stretched or shrunk by up to 10 %
MAX_KEPT_ATTEMPTS = 50
RESPONSE_BODY_LIMIT = 1024
CURSOR = "main"
SYSTEM_ACTOR = "webhooks"


# ---------------------------------------------------------------- fan-out


@dataclass(frozen=True)
class FanOut:
    head: str  # the newest event id read
    created: int  # deliveries made
    read: int  # events read


def _endpoints_by_project(
    tx: Session, project_ids: set[str]
) -> dict[str, list[WebhookEndpointRow]]:
    found: dict[str, list[WebhookEndpointRow]] = defaultdict(list)
    if not project_ids:
        return found
    rows = tx.execute(
        select(WebhookEndpointRow).where(
            WebhookEndpointRow.project_id.in_(project_ids), WebhookEndpointRow.enabled == true()
        )
    ).scalars()
    for row in rows:
        found[row.project_id].append(row)
    return found


def _filter_passes(tx: Session, endpoint: WebhookEndpointRow, event_ids: list[str]) -> set[str]:
    """The ids among `event_ids` that the endpoint's AIP-160 filter accepts."""
    condition = EVENT_FILTERS.compile(endpoint.filter)
    stmt = select(OutboxEventRow.id).where(OutboxEventRow.id.in_(event_ids))
    if condition is not None:
        stmt = stmt.where(condition)
    return set(tx.execute(stmt).scalars())


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


def has_due(tx: Session, now: datetime) -> bool:
    """Whether a pending delivery is due (leases and endpoint state are the claim's to check)."""
    stmt = (
        select(WebhookDeliveryRow.id)
        .where(WebhookDeliveryRow.status == "pending", WebhookDeliveryRow.next_attempt_time <= now)
        .limit(1)
    )
    return tx.execute(stmt).first() is not None


def scan(tx: Session, after: str, limit: int) -> FanOut:
    """A read: the newest of up to `limit` event ids after `after`, and in `created` how
    many (event, endpoint) pairs among them may need a delivery (0: nothing to write)."""
    rows = tx.execute(
        select(OutboxEventRow.id, OutboxEventRow.project_id, OutboxEventRow.type)
        .where(OutboxEventRow.id > after)
        .order_by(OutboxEventRow.id)
        .limit(limit)
    ).all()
    if not rows:
        return FanOut(after, 0, 0)
    endpoints = _endpoints_by_project(tx, {r.project_id for r in rows if r.project_id})
    pairs = sum(
        1
        for row in rows
        for endpoint in endpoints.get(row.project_id or "", ())
        if type_matches(endpoint.event_types, row.type)
    )
    return FanOut(rows[-1].id, pairs, len(rows))


def fan_out(tx: Session, after: str, limit: int, now: datetime, settle: timedelta) -> FanOut:
    """Make the deliveries of up to `limit` events with ids after `after`.

    Events already turned into deliveries are skipped (the unique (event, endpoint) pair),
    so reading an id range twice is harmless. The stored cursor advances to the newest
    event read that is older than `settle`: a transaction that committed late may still add
    a smaller id within that window, and the next pass from the cursor picks it up.
    """
    # Only ids, projects, types and times: most events match no endpoint, and their data is
    # loaded only for those that do.
    rows = tx.execute(
        select(
            OutboxEventRow.id,
            OutboxEventRow.project_id,
            OutboxEventRow.type,
            OutboxEventRow.create_time,
        )
        .where(OutboxEventRow.id > after)
        .order_by(OutboxEventRow.id)
        .limit(limit)
    ).all()
    if not rows:
        return FanOut(after, 0, 0)
    endpoints = _endpoints_by_project(tx, {r.project_id for r in rows if r.project_id})
    wanted: list[tuple[WebhookEndpointRow, str]] = []
    for row in rows:
        for endpoint in endpoints.get(row.project_id or "", ()):
            if row.create_time >= endpoint.create_time and type_matches(
                endpoint.event_types, row.type
            ):
                wanted.append((endpoint, row.id))
    created = 0
    if wanted:
        # Fan-outs of several processes that make deliveries take turns on the cursor row;
        # each then sees the deliveries the previous one made (and skips them) instead of
        # colliding on inserts. A fan-out that makes none takes no lock.
        tx.execute(
            select(WebhookCursorRow.name).where(WebhookCursorRow.name == CURSOR).with_for_update()
        )
        wanted_ids = {event_id for _, event_id in wanted}
        made = set(
            tx.execute(
                select(WebhookDeliveryRow.event_id, WebhookDeliveryRow.endpoint_id).where(
                    WebhookDeliveryRow.event_id.in_(wanted_ids)
                )
            ).all()
        )
        wanted = [(e, event_id) for e, event_id in wanted if (event_id, e.id) not in made]
        filtered = {e.id: e for e, _ in wanted if e.filter}
        passing = {
            endpoint_id: _filter_passes(
                tx, endpoint, [event_id for e, event_id in wanted if e.id == endpoint_id]
            )
            for endpoint_id, endpoint in filtered.items()
        }
        events_by_id = {
            event.id: event
            for event in tx.execute(
                select(OutboxEventRow).where(
                    OutboxEventRow.id.in_({event_id for _, event_id in wanted})
                )
            ).scalars()
        }
        for endpoint, event_id in wanted:
            if endpoint.id in passing and event_id not in passing[endpoint.id]:
                continue
            event = events_by_id[event_id]
            body = payload(event.type, rfc3339(event.create_time), event.data)
            tx.add(new_delivery(endpoint, event.id, event.type, body))
            created += 1
    settled = [r.id for r in rows if r.create_time <= now - settle]
    if settled:
        tx.flush()
        tx.execute(
            update(WebhookCursorRow)
            .where(WebhookCursorRow.name == CURSOR, WebhookCursorRow.event_id < settled[-1])
            .values(event_id=settled[-1], update_time=now)
        )
    tx.flush()
    return FanOut(rows[-1].id, created, len(rows))


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
    leased, so its events arrive one at a time in outbox order.
    """
    earlier = aliased(WebhookDeliveryRow)
    blocked = exists().where(
        earlier.endpoint_id == WebhookDeliveryRow.endpoint_id,
        earlier.status == "pending",
        earlier.event_id < WebhookDeliveryRow.event_id,
    )
    stmt = (
        select(WebhookDeliveryRow, WebhookEndpointRow, ProjectRow.allow_private_network)
        .join(WebhookEndpointRow, WebhookEndpointRow.id == WebhookDeliveryRow.endpoint_id)
        .join(ProjectRow, ProjectRow.id == WebhookEndpointRow.project_id)
        .where(
            WebhookDeliveryRow.status == "pending",
            WebhookDeliveryRow.next_attempt_time <= now,
            or_(
                WebhookDeliveryRow.lease_expires_at.is_(None),
                WebhookDeliveryRow.lease_expires_at < now,
            ),
            WebhookEndpointRow.enabled == true(),
            or_(WebhookEndpointRow.ordered == false(), ~blocked),
        )
        .order_by(WebhookDeliveryRow.next_attempt_time, WebhookDeliveryRow.event_id)
        .limit(limit)
    )
    if tx.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=WebhookDeliveryRow, skip_locked=True)
    claimed: list[Claimed] = []
    lease_until = now + timedelta(seconds=lease_seconds)
    for delivery, endpoint, allow_private in tx.execute(stmt).all():
        delivery.lease_expires_at = lease_until
        delivery.lease_token += 1
        previous = endpoint.previous_secret_encrypted
        if (
            endpoint.previous_secret_expire_time is None
            or endpoint.previous_secret_expire_time <= now
        ):
            previous = None
        claimed.append(
            Claimed(
                id=delivery.id,
                endpoint_id=endpoint.id,
                event_id=delivery.event_id,
                url=endpoint.url,
                payload=delivery.payload,
                attempt=delivery.attempt_count + 1,
                lease_token=delivery.lease_token,
                secret_encrypted=endpoint.secret_encrypted,
                previous_secret_encrypted=previous,
                allow_private=bool(allow_private),
            )
        )
    tx.flush()
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
    delivery since) are dropped. Returns how many were applied.

    2xx → succeeded. 410 → failed, and the endpoint is disabled. Otherwise the next attempt
    is scheduled from RETRY_DELAYS, or the delivery fails when the schedule is spent; an
    endpoint failing without a success for `disable_after` is disabled (`webhook.disabled`).
    """
    rng = random.Random(seed)
    ids = [o.delivery_id for o in outcomes]
    # Rows are locked in id order, so recorders of several processes cannot deadlock.
    stmt = (
        select(WebhookDeliveryRow)
        .where(WebhookDeliveryRow.id.in_(ids))
        .order_by(WebhookDeliveryRow.id)
        .with_for_update(key_share=True)
    )
    deliveries = {row.id: row for row in tx.execute(stmt).scalars()}
    endpoint_ids = {row.endpoint_id for row in deliveries.values()}
    endpoints_stmt = (
        select(WebhookEndpointRow)
        .where(WebhookEndpointRow.id.in_(endpoint_ids))
        .order_by(WebhookEndpointRow.id)
        .with_for_update(key_share=True)
    )
    endpoints = {row.id: row for row in tx.execute(endpoints_stmt).scalars()}
    applied = 0
    for outcome in outcomes:
        delivery = deliveries.get(outcome.delivery_id)
        if delivery is None or delivery.status != "pending":
            continue
        if delivery.lease_token != outcome.lease_token:
            continue
        endpoint = endpoints[delivery.endpoint_id]
        delivery.attempt_count += 1
        attempt: dict[str, Any] = {
            "attempt": delivery.attempt_count,
            "status_code": outcome.status_code,
            "error": outcome.error,
            "latency_ms": outcome.latency_ms,
            "time": rfc3339(outcome.time),
            "response_body": outcome.response_body,
        }
        delivery.attempts = [*delivery.attempts, attempt][-MAX_KEPT_ATTEMPTS:]
        delivery.lease_expires_at = None
        delivery.update_time = now
        applied += 1
        if outcome.succeeded:
            delivery.status = "succeeded"
            delivery.next_attempt_time = None
            endpoint.failing_since = None
            continue
        if outcome.status_code == 410:
            delivery.status = "failed"
            delivery.next_attempt_time = None
            _disable(tx, endpoint, "the endpoint answered 410 Gone", now)
            continue
        if endpoint.failing_since is None:
            endpoint.failing_since = now
        delay = retry_delay(delivery.attempt_count - delivery.schedule_start, rng)
        if delay is None:
            delivery.status = "failed"
            delivery.next_attempt_time = None
        else:
            delivery.next_attempt_time = now + delay
        if now - endpoint.failing_since >= disable_after:
            days = disable_after / timedelta(days=1)
            _disable(tx, endpoint, f"every delivery failed for {days:g} days", now)
    tx.flush()
    return applied


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
