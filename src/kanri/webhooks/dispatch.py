"""The dispatcher's delivery commands: claim due deliveries under a lease, and record the
outcome of each attempt (fan-out, which makes the deliveries, is in fanout.py).

Durability: a delivery row is made in the same transaction that advances the outbox
cursor, and is marked `succeeded` only by `record` after a 2xx answer; a dispatcher that
dies mid-flight leaves its claimed deliveries leased, and another claims them once the
lease has run out (at-least-once, with the same `webhook-id`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, exists, false, func, or_, select, true, update
from sqlalchemy.orm import Session, aliased

from kanri.core import events
from kanri.core.auth import Principal
from kanri.core.time import rfc3339
from kanri.tenancy import service as tenancy
from kanri.webhooks.models import WebhookDeliveryRow, WebhookEndpointRow

# Seconds to wait after failed attempt n (1-based): 10 attempts over about three days.
RETRY_DELAYS = (5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400)
JITTER = 0.1  # each delay is stretched or shrunk by up to 10 %
MAX_KEPT_ATTEMPTS = 50
RESPONSE_BODY_LIMIT = 1024
SYSTEM_ACTOR = "webhooks"


# ---------------------------------------------------------------- claim


def has_due(tx: Session, now: datetime) -> bool:
    """Whether a pending delivery is due (leases and endpoint state are the claim's to check)."""
    stmt = (
        select(WebhookDeliveryRow.id)
        .where(WebhookDeliveryRow.status == "pending", WebhookDeliveryRow.next_attempt_time <= now)
        .limit(1)
    )
    return tx.connection().execute(stmt).first() is not None


@dataclass(frozen=True, kw_only=True)
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
    project_id: str = ""
    signing_secret: str | None = None  # the name of the secret that signs instead


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
            tenancy.with_private_network_flag(
                select(
                    endpoint.id,
                    endpoint.url,
                    endpoint.secret_encrypted,
                    endpoint.previous_secret_encrypted,
                    endpoint.previous_secret_expire_time,
                    endpoint.project_id,
                    endpoint.signing_secret,
                ),
                endpoint.project_id,
            ).where(endpoint.id.in_({row.endpoint_id for row in leased}))
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
                project_id=target.project_id,
                signing_secret=target.signing_secret,
            )
        )
    return claimed


# ---------------------------------------------------------------- record


@dataclass(frozen=True, kw_only=True)
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
    project = tenancy.project_settings(tx, endpoint.project_id)
    assert project is not None  # the endpoint's own project
    who = Principal.system(project.organization_id, endpoint.project_id, name=SYSTEM_ACTOR)
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
