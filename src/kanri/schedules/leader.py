"""The scheduler: one leader among kanri's processes fires due schedules every tick.

PostgreSQL: leadership is the session-level advisory lock `LEADER_LOCK`, held on a
connection of the scheduler's own for as long as it runs. A follower tries to take it each
tick, so when a leader stops or dies (its session ends) another process leads within a
tick. SQLite: the database belongs to one process, which always leads.

Each due schedule is fired by one write command (`service.fire_due`): it locks the
schedule row, starts the runs of its due fire times under ids derived from the schedule
id and fire time, and advances `next_fire_time`, all in one transaction. A hand-over
that lets two processes fire at once therefore starts nothing twice.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from typing import TYPE_CHECKING

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from kanri.core.time import utcnow
from kanri.schedules import service

if TYPE_CHECKING:
    from kanri.runtime import Kanri

log = structlog.get_logger("kanri.schedules")
LEADER_LOCK = int.from_bytes(b"kanrisch", "big")  # the advisory lock key (a bigint)
DUE_BATCH = 50  # schedules fired per tick; a full batch is followed by another at once
FIRING_AT_ONCE = 4  # fire commands in flight (PostgreSQL: pooled connections they hold)


class Scheduler:
    """Fires due schedules every `tick_seconds` while this process is the leader."""

    def __init__(
        self, kanri: Kanri, *, tick_seconds: float = 1.0, lock_key: int = LEADER_LOCK
    ) -> None:
        self.kanri = kanri
        self.db = kanri.db
        self.tick_seconds = tick_seconds
        self.lock_key = lock_key
        self._task: asyncio.Task[None] | None = None
        self._engine: AsyncEngine | None = None
        self._connection: AsyncConnection | None = None
        self._leading = False

    @property
    def is_leader(self) -> bool:
        return self.db.is_sqlite or self._leading

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="kanri-scheduler")
        log.info("scheduler_started", tick_seconds=self.tick_seconds)

    async def stop(self) -> None:
        """Stop ticking and give up leadership (another process takes it at its next tick)."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await self._disconnect()
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

    async def _loop(self) -> None:
        while True:
            again = False
            try:
                leading = await self.lead()
            except Exception as exc:  # the database is unreachable: try again next tick
                log.warning("scheduler_lead_failed", error=str(exc) or type(exc).__name__)
                leading = False
            try:
                if leading:
                    again = await self.tick() == DUE_BATCH
            except Exception:
                log.exception("schedule_tick_failed")
            if not again:
                await asyncio.sleep(self.tick_seconds)

    async def lead(self) -> bool:
        """Whether this process leads now; on PostgreSQL, take or check the advisory lock."""
        if self.db.is_sqlite:
            return True
        try:
            if self._connection is None:
                if self._engine is None:
                    self._engine = create_async_engine(
                        self.db.url,
                        poolclass=NullPool,
                        connect_args={"server_settings": {"application_name": "kanri-scheduler"}},
                    )
                connection = await self._engine.connect()
                # Autocommit: the lock belongs to the session, no transaction stays open.
                self._connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            if self._leading:
                await self._connection.execute(text("SELECT 1"))  # the session, and its lock, live
                return True
            taken = await self._connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self.lock_key}
            )
            self._leading = bool(taken.scalar_one())
        except Exception:
            if self._leading:
                log.warning("scheduler_leadership_lost")
            await self._disconnect()
            raise
        if self._leading:
            log.info("scheduler_leading")
        return self._leading

    async def _disconnect(self) -> None:
        self._leading = False
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.close()  # ends the session: the lock is released
            self._connection = None

    async def tick(self, now: datetime | None = None) -> int:
        """Fire every schedule due at `now` (default: now); how many it fired (one that
        fails is logged and stays due for the next tick)."""
        now = now or utcnow()
        due = await self.db.read(service.due, now, DUE_BATCH)
        slots = asyncio.Semaphore(FIRING_AT_ONCE)

        async def fire(schedule_id: str) -> list[str]:
            async with slots:
                return await self.db.write(service.fire_due, schedule_id, now)

        outcomes = await asyncio.gather(*(fire(s) for s in due), return_exceptions=True)
        fired = started = 0
        for schedule_id, outcome in zip(due, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                log.error("schedule_fire_failed", schedule=schedule_id, error=repr(outcome))
                continue
            fired += 1
            started += len(outcome)
        if started:
            self.kanri.wake_engine()
            log.info("schedules_fired", schedules=fired, runs=started)
        return fired
