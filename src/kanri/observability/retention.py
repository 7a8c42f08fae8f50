"""Retention of observability data: the leader deletes log lines, metric points, business
events and spans older than their project's `observability_retention_days` (or whose
project is gone) in bounded batches (each its own transaction,
so a large backlog never holds the writer for long)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import and_, delete, select
from sqlalchemy.orm import Session

from kanri.core.time import utcnow
from kanri.observability.models import BusinessEventRow, LogLineRow, MetricPointRow, SpanRow
from kanri.tenancy import service as tenancy

if TYPE_CHECKING:
    from kanri.runtime import Kanri

log = structlog.get_logger("kanri.observability")
SWEEP_BATCH = 5000
SWEEP_SECONDS = 600.0
# (table, its time column): what the sweep reads, through each table's index on that column.
TABLES: tuple[tuple[Any, Any], ...] = (
    (LogLineRow, LogLineRow.time),
    (MetricPointRow, MetricPointRow.time),
    (BusinessEventRow, BusinessEventRow.time),
    (SpanRow, SpanRow.start_time),
)


def sweep_batch(tx: Session, now: datetime, batch: int = SWEEP_BATCH) -> int:
    """Delete up to `batch` rows of each table that are past their project's retention
    (`observability_retention_days`), or whose project is gone; how many went."""
    retentions = tenancy.retention_days(tx)
    gone = 0
    for table, column in TABLES:
        conditions = [~table.project_id.in_(tenancy.project_ids())]
        for days in retentions:
            conditions.append(
                and_(
                    column < now - timedelta(days=days),
                    table.project_id.in_(tenancy.project_ids(days)),
                )
            )
        for condition in conditions:
            ids = list(tx.execute(select(table.id).where(condition).limit(batch)).scalars().all())
            if ids:
                tx.execute(delete(table).where(table.id.in_(ids)))
                gone += len(ids)
    return gone


class Sweeper:
    """Every SWEEP_SECONDS, while `leading()`, deletes what is past the retention."""

    def __init__(self, kanri: Kanri, leading: Callable[[], bool]) -> None:
        self.db = kanri.db
        self.leading = leading
        self._task: asyncio.Task[None] | None = None

    async def sweep(self) -> int:
        """Delete everything past the retention, batch after batch; how many rows went."""
        now = utcnow()
        total = 0
        while gone := await self.db.write(sweep_batch, now):
            total += gone
        return total

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="kanri-observability-sweeper")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_SECONDS * (0.8 + 0.4 * random.random()))
            if not self.leading():
                continue
            try:
                gone = await self.sweep()
                if gone:
                    log.info("observability_swept", rows=gone)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("observability_sweep_failed")
