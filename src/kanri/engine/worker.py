"""The worker: claims ready runs, executes their steps with checkpoints, heartbeats leases,
and sweeps runs whose worker died. Embedded in `kanri serve`, or alone as `kanri worker`."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import random
import socket
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from kanri.core import audit
from kanri.core.ids import new_id
from kanri.db.database import RUNS_CHANNEL
from kanri.engine import approvals, fencing, leases
from kanri.engine.advance import Advance, advance
from kanri.engine.claim import Claimed, claim
from kanri.engine.execution import RunExecution
from kanri.engine.ports import ports
from kanri.engine.registry import kinds
from kanri.engine.template_budget import Limits

if TYPE_CHECKING:
    from kanri.runtime import Kanri

log = structlog.get_logger("kanri.engine")
# Advances (checkpoints, completions) of this worker's runs written in one transaction.
MAX_ADVANCE_BATCH = 64


def _allows_private(tx: Session, project_id: str) -> bool:
    project = ports().projects.project_settings(tx, project_id)
    return project is not None and project.allow_private_network


def _set(event: asyncio.Event, *_: Any) -> None:
    event.set()


class Services:
    """What step kinds may use of the process (kept small: steps do not import the app)."""

    def __init__(self, kanri: Kanri) -> None:
        self.kanri = kanri
        settings = kanri.settings
        self.template_limits = Limits(
            seconds=settings.template_timeout_seconds,
            max_output_chars=settings.template_max_output_chars,
            max_iterations=settings.template_max_iterations,
            seconds_source="KANRI_TEMPLATE_TIMEOUT_SECONDS",
        )

    async def allow_private_network(self, project_id: str) -> bool:
        allowed: bool = await self.kanri.db.read(_allows_private, project_id)
        return allowed


class Completer:
    """Writes the advances (checkpoints and completions) of a worker's runs: whatever is
    queued when the previous write ends goes in one transaction (`advance`), so a
    busy worker shares transactions between runs and an idle one waits for nothing."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self._queued: list[tuple[Advance, asyncio.Future[bool]]] = []
        self._wake = asyncio.Event()

    async def advance(self, item: Advance) -> None:
        """Write `item` (with others); LostLease if its run is no longer this worker's."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queued.append((item, future))
        self._wake.set()
        if not await future:
            raise fencing.LostLease(item.run_id)

    async def run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._queued:
                batch = self._queued[:MAX_ADVANCE_BATCH]
                del self._queued[:MAX_ADVANCE_BATCH]
                await self._write(batch)

    async def _write(self, batch: list[tuple[Advance, asyncio.Future[bool]]]) -> None:
        try:
            applied = await self.db.write(advance, [item for item, _ in batch])
        except asyncio.CancelledError:
            for _, future in batch:
                future.cancel()
            raise
        except Exception as exc:
            if len(batch) > 1:  # nothing was written: each alone, so one bad run fails alone
                for one in batch:
                    await self._write([one])
                return
            if not batch[0][1].done():
                batch[0][1].set_exception(exc)
            return
        for (_, future), ok in zip(batch, applied, strict=True):
            if not future.done():  # its run's task may have been cancelled meanwhile
                future.set_result(ok)


class Engine:
    """One worker: up to `concurrency` runs at once, leases of `lease_seconds`."""

    def __init__(
        self,
        kanri: Kanri,
        *,
        concurrency: int = 16,
        lease_seconds: float = 30.0,
        poll_seconds: float = 1.0,
        sweep_seconds: float = 5.0,
    ) -> None:
        self.kanri = kanri
        self.db = kanri.db
        self.concurrency = concurrency
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self.sweep_seconds = min(sweep_seconds, lease_seconds)
        self.id = new_id("wrk")
        self.services = Services(kanri)
        self.completer = Completer(self.db)
        self._completing: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._inflight: dict[str, tuple[int, asyncio.Task[None]]] = {}
        self._loops: list[asyncio.Task[None]] = []

    def wake(self) -> None:
        """A run became ready: claim now instead of at the next poll."""
        self._wake.set()

    async def start(self) -> None:
        kinds()  # import the step kinds now, not in the first run
        await self.db.write(
            leases.register_worker, self.id, socket.gethostname(), os.getpid(), self.concurrency
        )
        self._completing = asyncio.create_task(self.completer.run(), name="kanri-advance")
        self._loops = [
            asyncio.create_task(self._listen_loop(), name="kanri-listen"),
            asyncio.create_task(self._claim_loop(), name="kanri-claim"),
            asyncio.create_task(self._heartbeat_loop(), name="kanri-heartbeat"),
            asyncio.create_task(self._sweep_loop(), name="kanri-sweep"),
            asyncio.create_task(self._chain_loop(), name="kanri-audit-chain"),
        ]
        log.info("worker_started", worker=self.id, concurrency=self.concurrency)

    async def stop(self, grace_seconds: float = 10.0) -> None:
        for task in self._loops:
            task.cancel()
        await asyncio.gather(*self._loops, return_exceptions=True)
        running = [task for _, task in self._inflight.values()]
        if running:
            _, pending = await asyncio.wait(running, timeout=grace_seconds)
            for task in pending:
                task.cancel()  # its lease expires and another worker resumes the run
            await asyncio.gather(*pending, return_exceptions=True)
        if self._completing is not None:  # after the runs: they write through it
            self._completing.cancel()
            await asyncio.gather(self._completing, return_exceptions=True)
        with contextlib.suppress(Exception):
            await self.db.write(leases.stop_worker, self.id)
        with contextlib.suppress(Exception):
            await self.db.write(audit.complete)  # leave no audit row unchained behind

    # ------------------------------------------------------------ loops

    async def _claim_loop(self) -> None:
        while True:
            free = self.concurrency - len(self._inflight)
            claimed: list[Claimed] = []
            if free > 0:
                self._wake.clear()
                try:
                    claimed = await self.db.write(
                        claim,
                        self.id,
                        free,
                        self.lease_seconds,
                        self.kanri.settings.project_max_running_runs,
                    )
                except Exception:
                    log.exception("claim_failed")
            for run in claimed:
                task = asyncio.create_task(self._execute(run), name=f"kanri-run-{run.id}")
                self._inflight[run.id] = (run.attempt, task)
                task.add_done_callback(functools.partial(self._done, run.id))
            # Fewer than asked for: nothing else is ready now (a run made ready since the
            # claim began has set the event again, so the wait ends at once).
            if len(claimed) < free or len(self._inflight) >= self.concurrency:
                timeout = self.poll_seconds * (0.8 + 0.4 * random.random())
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout)

    async def _listen_loop(self) -> None:
        """PostgreSQL: LISTEN for ready runs so an idle worker claims at once."""
        if self.db.is_sqlite:
            return
        import asyncpg
        from sqlalchemy.engine import make_url

        dsn = make_url(self.db.url).set(drivername="postgresql").render_as_string(False)
        while True:
            connection = None
            try:
                connection = await asyncpg.connect(dsn)
                await connection.add_listener(RUNS_CHANNEL, lambda *_: self.wake())
                closed = asyncio.Event()
                connection.add_termination_listener(functools.partial(_set, closed))
                self.wake()  # anything that became ready while we were not listening
                await closed.wait()
            except asyncio.CancelledError:
                raise
            except Exception:
                # Polling still finds ready runs; retry listening without flooding the log.
                log.warning("listen_failed", exc_info=True)
                await asyncio.sleep(max(5.0, self.poll_seconds))
            finally:
                if connection is not None and not connection.is_closed():
                    await connection.close()

    def _done(self, run_id: str, task: asyncio.Task[None]) -> None:
        entry = self._inflight.get(run_id)
        if entry is not None and entry[1] is task:  # not a newer attempt of the same run
            del self._inflight[run_id]
        self._wake.set()  # a slot is free

    async def _heartbeat_loop(self) -> None:
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            runs = [(run_id, attempt) for run_id, (attempt, _) in self._inflight.items()]
            try:
                lost = await self.db.write(leases.heartbeat, self.id, runs, self.lease_seconds)
            except Exception:
                log.exception("heartbeat_failed")
                continue
            for run_id, attempt in lost:  # cancelled, or taken over: stop (aborts calls)
                entry = self._inflight.get(run_id)
                if entry is not None and entry[0] == attempt:  # not a newer claim of it
                    entry[1].cancel()

    async def _sweep_loop(self) -> None:
        while True:
            await asyncio.sleep(self.sweep_seconds * (0.8 + 0.4 * random.random()))
            try:
                if await self.db.write(leases.sweep):
                    self.wake()
                if await self.db.write(approvals.settle_timeouts):
                    self.wake()
            except Exception:
                log.exception("sweep_failed")

    async def _chain_loop(self) -> None:
        """PostgreSQL: chain the audit rows of run transitions (one process at a time);
        SQLite chains them in the writer's batch."""
        if self.db.is_sqlite:
            return
        interval = float(self.kanri.settings.audit_chain_seconds)
        while True:
            await asyncio.sleep(interval * (0.8 + 0.4 * random.random()))
            try:
                while await self.db.write(audit.complete) >= audit.CHAIN_BATCH:
                    pass  # a backlog: keep going
            except Exception:
                log.exception("audit_chain_failed")

    # ------------------------------------------------------------ one run

    async def _execute(self, claimed: Claimed) -> None:
        try:
            await RunExecution(self, claimed).run()
        except fencing.LostLease:
            log.info("run_abandoned", run=claimed.id, attempt=claimed.attempt)
        except asyncio.CancelledError:
            log.info("run_interrupted", run=claimed.id, attempt=claimed.attempt)
        except DBAPIError:
            # A deadlock victim or a full connection pool is no verdict on the run: drop it;
            # the lease expires and a worker resumes it from its last checkpoint.
            log.warning("run_abandoned_on_database_error", run=claimed.id, exc_info=True)
        except Exception:
            log.exception("run_crashed", run=claimed.id)
            with contextlib.suppress(Exception):
                error = {"message": "internal error while executing the run"}
                await self.db.write(fencing.fail, claimed.id, claimed.attempt, error)
