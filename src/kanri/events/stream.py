"""Live events over server-sent events: one tail of the outbox per process, fanned out to
subscribers through bounded queues.

The hub reads new outbox rows every `POLL_SECONDS` while anyone listens and hands each row to
the matching subscribers. A subscriber whose queue is full is dropped (its stream ends, the
client reconnects with `Last-Event-ID` and catches up from the database): a slow client never
slows the hub or the producers. Ids are written before commit, so a transaction that commits
late can land an id below ones already seen; the hub re-reads the last `STRAGGLER_SECONDS`
every second and forwards what it had not seen.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kanri.core import sse
from kanri.core.auth import Principal
from kanri.core.models import OutboxEventRow
from kanri.core.time import rfc3339, utcnow
from kanri.db.database import Database
from kanri.events.service import id_floor, type_matches

log = structlog.get_logger("kanri.events")
POLL_SECONDS = 0.005
STRAGGLER_SECONDS = 3.0
QUEUE_SIZE = 1000
BATCH = 500
REPLAY_BATCH = 200
_SEEN_LIMIT = 50_000


@dataclass(frozen=True)
class LiveEvent:
    id: str
    project_id: str | None
    type: str
    frame: str


def frame(row: OutboxEventRow) -> str:
    """The SSE frame of one event: `id`, `event` (its type) and `data` (the event as JSON)."""
    payload: dict[str, Any] = {
        "id": row.id,
        "type": row.type,
        "resource_type": row.resource_type,
        "resource_id": row.resource_id,
        "environment_id": row.environment_id,
        "time": rfc3339(row.create_time),
        "data": row.data,
    }
    return sse.frame(json.dumps(payload), id=row.id, event=row.type)


def _newest_id(tx: Session) -> str:
    return tx.execute(select(func.max(OutboxEventRow.id))).scalar_one_or_none() or ""


def _rows_after(tx: Session, last_id: str, limit: int) -> list[OutboxEventRow]:
    stmt = (
        select(OutboxEventRow)
        .where(OutboxEventRow.id > last_id)
        .order_by(OutboxEventRow.id)
        .limit(limit)
    )
    return list(tx.execute(stmt).scalars())


def _project_rows_after(
    tx: Session, project_id: str, last_id: str, limit: int
) -> list[OutboxEventRow]:
    stmt = (
        select(OutboxEventRow)
        .where(OutboxEventRow.scope_id == project_id, OutboxEventRow.id > last_id)
        .order_by(OutboxEventRow.id)
        .limit(limit)
    )
    return list(tx.execute(stmt).scalars())


@dataclass(eq=False)  # compared (and hashed) by identity: the hub keeps a set of them
class Subscriber:
    project_id: str
    types: list[str]
    queue: asyncio.Queue[LiveEvent | None] = field(
        default_factory=lambda: asyncio.Queue(QUEUE_SIZE)
    )
    dropped: bool = False

    def wants(self, event: LiveEvent) -> bool:
        return event.project_id == self.project_id and (
            not self.types or type_matches(self.types, event.type)
        )

    def end(self) -> None:
        """End the stream now (the process stops): its client reconnects elsewhere."""
        self.dropped = True
        with contextlib.suppress(asyncio.QueueFull):
            self.queue.put_nowait(None)

    def offer(self, event: LiveEvent) -> None:
        if self.dropped:
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.dropped = True  # the stream ends; the client resumes from the database


class EventHub:
    """The process's one tail of the outbox; started by the first subscriber."""

    def __init__(self, db: Database, closing: asyncio.Event) -> None:
        self.db = db
        # Set when the process is asked to stop: every stream ends, so that the graceful
        # shutdown does not wait for clients that would stay connected for hours.
        self.closing = closing
        self._subscribers: set[Subscriber] = set()
        self._task: asyncio.Task[None] | None = None
        self._seen: OrderedDict[str, float] = OrderedDict()

    def subscribe(self, project_id: str, types: list[str]) -> Subscriber:
        subscriber = Subscriber(project_id, types)
        if self.closing.is_set():
            subscriber.end()
            return subscriber
        self._subscribers.add(subscriber)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._tail(), name="kanri-event-hub")
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.discard(subscriber)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    def _publish(self, rows: list[OutboxEventRow]) -> None:
        now = time.monotonic()
        for row in rows:
            if row.id in self._seen:
                continue
            self._seen[row.id] = now
            event = LiveEvent(row.id, row.project_id, row.type, frame(row))
            for subscriber in list(self._subscribers):
                if subscriber.wants(event):
                    subscriber.offer(event)
        while len(self._seen) > _SEEN_LIMIT:
            self._seen.popitem(last=False)

    async def _tail(self) -> None:
        last = await self.db.read(_newest_id)
        # What is already in the outbox is history: the straggler pass must not send it.
        floor = id_floor(utcnow() - timedelta(seconds=STRAGGLER_SECONDS))
        for row in await self.db.read(_rows_after, floor, BATCH * 4):
            self._seen[row.id] = time.monotonic()
        recheck_at = time.monotonic() + 1.0
        while self._subscribers:
            if self.closing.is_set():
                for subscriber in list(self._subscribers):
                    subscriber.end()
                return
            try:
                rows = await self.db.read(_rows_after, last, BATCH)
                if rows:
                    last = rows[-1].id
                    self._publish(rows)
                if time.monotonic() >= recheck_at:
                    recheck_at = time.monotonic() + 1.0
                    floor = id_floor(utcnow() - timedelta(seconds=STRAGGLER_SECONDS))
                    late = await self.db.read(_rows_after, min(floor, last), BATCH * 4)
                    self._publish([row for row in late if row.id <= last])
            except Exception:
                log.exception("event_hub_read_failed")
                await asyncio.sleep(1.0)
                continue
            if len(rows) < BATCH:
                await asyncio.sleep(POLL_SECONDS)


async def project_events(
    db: Database,
    hub: EventHub,
    who: Principal,
    types: list[str],
    last_event_id: str | None,
) -> AsyncIterator[str]:
    """SSE frames of who's project's events (of `types`, when given): first those after
    `last_event_id` from the database, then live ones; a heartbeat comment when quiet."""
    project_id = who.project()
    subscriber = hub.subscribe(project_id, types)
    try:
        yield sse.retry()
        # Replayed ids recent enough to come through the hub too, which must not repeat.
        replayed: set[str] = set()
        if last_event_id is not None:
            recent = id_floor(utcnow() - timedelta(seconds=2 * STRAGGLER_SECONDS))
            last = last_event_id
            while True:
                rows = await db.read(_project_rows_after, project_id, last, REPLAY_BATCH)
                for row in rows:
                    last = row.id
                    if row.id >= recent:
                        replayed.add(row.id)
                    if not types or type_matches(types, row.type):
                        yield frame(row)
                if len(rows) < REPLAY_BATCH:
                    break
        while not subscriber.dropped:
            try:
                event = await asyncio.wait_for(subscriber.queue.get(), sse.HEARTBEAT_SECONDS)
            except TimeoutError:
                yield sse.HEARTBEAT
                continue
            if event is None:
                return
            if event.id in replayed:
                continue
            yield event.frame
    finally:
        hub.unsubscribe(subscriber)
