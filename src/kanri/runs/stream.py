"""Server-sent events of one run: its outbox events in order, resumable by event id."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kanri.core import sse
from kanri.core.auth import Principal
from kanri.core.models import OutboxEventRow
from kanri.core.time import rfc3339
from kanri.db.database import Database
from kanri.engine.states import TERMINAL
from kanri.runs import service

POLL_SECONDS = 0.1
BATCH = 200


def _after(tx: Session, run_id: str, last_id: str) -> list[OutboxEventRow]:
    return list(
        tx.execute(
            select(OutboxEventRow)
            .where(OutboxEventRow.resource_id == run_id, OutboxEventRow.id > last_id)
            .order_by(OutboxEventRow.id)
            .limit(BATCH)
        ).scalars()
    )


def _frame(event: OutboxEventRow) -> str:
    payload: dict[str, Any] = {
        "id": event.id,
        "type": event.type,
        "time": rfc3339(event.create_time),
        "data": event.data,
    }
    return sse.frame(json.dumps(payload), id=event.id, event=event.type)


async def run_events(
    db: Database,
    who: Principal,
    run_id: str,
    last_event_id: str | None,
    closing: asyncio.Event,
) -> AsyncIterator[str]:
    """SSE frames for the run's events after `last_event_id`, until the run has ended or the
    process is asked to stop (`closing`: the client reconnects with `Last-Event-ID`)."""
    last = last_event_id or ""
    quiet_since = time.monotonic()
    yield sse.retry()
    while not closing.is_set():
        batch = await db.read(_after, run_id, last)
        for event in batch:
            last = event.id
            yield _frame(event)
        if batch:
            quiet_since = time.monotonic()
            continue
        if await db.read(service.status_of, who, run_id) in TERMINAL:
            # One more look: the terminal event may have been written just now.
            for event in await db.read(_after, run_id, last):
                yield _frame(event)
            return
        if time.monotonic() - quiet_since > sse.HEARTBEAT_SECONDS:
            quiet_since = time.monotonic()
            yield sse.HEARTBEAT
        await asyncio.sleep(POLL_SECONDS)
