"""The worker role: what a process runs besides (or instead of) the API.

`kanri serve` runs it in the API process unless `--no-worker`; `kanri worker` runs it alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kanri.engine.worker import Engine
from kanri.judges.scorer import Scorer
from kanri.observability.retention import Sweeper
from kanri.observability.run_traces import RunTracer
from kanri.schedules.leader import Scheduler
from kanri.webhooks.dispatcher import Dispatcher

if TYPE_CHECKING:
    from kanri.runtime import Kanri


class WorkerRole:
    """The run engine, the schedule leader, the webhook dispatcher, the judges' scorer and
    the observability housekeeping (retention sweep, traces of runs)."""

    def __init__(self, kanri: Kanri, *, concurrency: int | None = None) -> None:
        settings = kanri.settings
        self.kanri = kanri
        self.engine = Engine(
            kanri,
            concurrency=concurrency or settings.worker_concurrency,
            lease_seconds=settings.lease_seconds,
            poll_seconds=settings.poll_seconds,
        )
        self.scheduler = Scheduler(kanri, tick_seconds=settings.schedule_tick_seconds)
        self.dispatcher = (
            Dispatcher.for_settings(kanri) if settings.webhook_dispatch_enabled else None
        )
        self.scorer = Scorer(kanri, poll_seconds=settings.poll_seconds)
        # Observability data past its retention, deleted, and finished runs written as
        # traces, by the schedule leader only.
        self.sweeper = Sweeper(kanri, lambda: self.scheduler.is_leader)
        self.tracer = RunTracer(kanri, lambda: self.scheduler.is_leader)

    async def start(self) -> None:
        self.kanri.engine = self.engine
        await self.engine.start()
        await self.scheduler.start()
        if self.dispatcher is not None:
            await self.dispatcher.start()
        await self.scorer.start()
        await self.sweeper.start()
        await self.tracer.start()

    async def stop(self) -> None:
        """Stop in the reverse order; the engine last, so in-flight runs settle."""
        await self.tracer.stop()
        await self.sweeper.stop()
        await self.scorer.stop()
        if self.dispatcher is not None:
            await self.dispatcher.stop()
        await self.scheduler.stop()
        await self.engine.stop()
        self.kanri.engine = None
