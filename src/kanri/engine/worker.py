"""The worker: claims ready runs, executes their steps with checkpoints, heartbeats leases,
and sweeps runs whose worker died. Embedded in `kanri serve`, or alone as `kanri worker`."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import random
import socket
import time
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import structlog
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from kanri.core import audit
from kanri.core.canonical import non_finite_paths
from kanri.core.errors import KanriError
from kanri.core.ids import new_id
from kanri.core.time import utcnow
from kanri.db.database import RUNS_CHANNEL
from kanri.engine import queue, templates
from kanri.engine.registry import END, Fail, Outcome, StepContext, Wait, kinds
from kanri.governance import evaluator, gate
from kanri.runs import approvals
from kanri.tenancy.models import ProjectRow

log = structlog.get_logger("kanri.engine")
COMMON_FIELDS = frozenset({"id", "kind", "retry", "timeout_seconds"})
MAX_STEP_EXECUTIONS = 1000
INLINE_BACKOFF_SECONDS = 5.0
# Steps without effects outside the run: consecutive ones are checkpointed together, before
# the next step with effects starts or with the run's end (re-running one after a crash
# before that write changes nothing).
PURE_KINDS = frozenset({"transform", "condition", "log"})
MAX_PENDING_CHECKPOINTS = 100
# Advances (checkpoints, completions) of this worker's runs written in one transaction.
MAX_ADVANCE_BATCH = 64


def _allows_private(tx: Session, project_id: str) -> bool:
    return bool(
        tx.execute(
            select(ProjectRow.allow_private_network).where(ProjectRow.id == project_id)
        ).scalar_one_or_none()
    )


def _set(event: asyncio.Event, *_: Any) -> None:
    event.set()


class Services:
    """What step kinds may use of the process (kept small: steps do not import the app)."""

    def __init__(self, kanri: Any) -> None:
        self.kanri = kanri
        settings = kanri.settings
        self.template_limits = templates.Limits(
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
    queued when the previous write ends goes in one transaction (`queue.advance`), so a
    busy worker shares transactions between runs and an idle one waits for nothing."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self._queued: list[tuple[queue.Advance, asyncio.Future[bool]]] = []
        self._wake = asyncio.Event()

    async def advance(self, item: queue.Advance) -> None:
        """Write `item` (with others); LostLease if its run is no longer this worker's."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queued.append((item, future))
        self._wake.set()
        if not await future:
            raise queue.LostLease(item.run_id)

    async def run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._queued:
                batch = self._queued[:MAX_ADVANCE_BATCH]
                del self._queued[:MAX_ADVANCE_BATCH]
                await self._write(batch)

    async def _write(self, batch: list[tuple[queue.Advance, asyncio.Future[bool]]]) -> None:
        try:
            applied = await self.db.write(queue.advance, [item for item, _ in batch])
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
        kanri: Any,
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
            queue.register_worker, self.id, socket.gethostname(), os.getpid(), self.concurrency
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
            await self.db.write(queue.stop_worker, self.id)
        with contextlib.suppress(Exception):
            await self.db.write(audit.complete)  # leave no audit row unchained behind

    # ------------------------------------------------------------ loops

    async def _claim_loop(self) -> None:
        while True:
            free = self.concurrency - len(self._inflight)
            claimed: list[queue.Claimed] = []
            if free > 0:
                self._wake.clear()
                try:
                    claimed = await self.db.write(
                        queue.claim,
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
                lost = await self.db.write(queue.heartbeat, self.id, runs, self.lease_seconds)
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
                if await self.db.write(queue.sweep):
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

    async def _execute(self, claimed: queue.Claimed) -> None:
        try:
            await RunExecution(self, claimed).run()
        except queue.LostLease:
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
                await self.db.write(queue.fail, claimed.id, claimed.attempt, error)


def _finite(outcome: Outcome, emitted: list[tuple[str, dict[str, Any]]]) -> Outcome:
    """`outcome`, or a failure when its output (or an event it emits) holds NaN or
    ±Infinity, which no JSON column can store."""
    if isinstance(outcome, Wait | Fail):
        return outcome
    found = non_finite_paths(outcome.output, "output")
    for event_type, data in emitted:
        found += non_finite_paths(data, f"event {event_type}")
    if not found:
        return outcome
    message = f"the step's result holds a non-finite number (NaN or Infinity) at {found[0]}"
    return Fail(message, retryable=False)


class RunExecution:
    """Executes one claimed run from its cursor to completion, a wait, or a failure."""

    def __init__(self, engine: Engine, claimed: queue.Claimed) -> None:
        self.engine = engine
        self.db = engine.db
        self.claimed = claimed
        self.pending: list[queue.Done] = []  # completed pure steps not checkpointed yet
        self.facts: queue.RunFacts | None = None
        self.started: set[str] = set()  # ids of the steps this attempt has started

    async def _advance(self, state: queue.RunState, outputs: Any = queue.UNFINISHED) -> None:
        """Write the pending checkpoints (and with `outputs`, the run's completion)."""
        done, self.pending = self.pending, []
        if done or outputs is not queue.UNFINISHED:
            advance = queue.Advance(state.run_id, state.attempt, tuple(done), outputs)
            await self.engine.completer.advance(advance)

    async def run(self) -> None:
        state = self.claimed.state
        steps: list[dict[str, Any]] = state.definition["steps"]
        index = {step["id"]: i for i, step in enumerate(steps)}
        position = 0 if state.cursor is None else index.get(state.cursor, len(steps))
        if state.cursor == END:
            position = len(steps)
        last_output: Any = None
        executions = 0
        seq = state.next_seq
        resumed = state.resumed
        self.facts = state.facts
        fresh = state.cursor is None and state.next_seq == 1
        at_gate = state.cursor == gate.RUN_GATE
        if at_gate or (self.facts is not None and fresh):
            if not await self._run_gate(state, steps, seq, resumed if at_gate else None):
                return
            restart = state.restart_step if at_gate else None
            position = 0 if restart is None else index.get(restart, len(steps))
            resumed = None
        while position < len(steps):
            executions += 1
            if executions > MAX_STEP_EXECUTIONS:
                await self._fail(state, f"more than {MAX_STEP_EXECUTIONS} step executions", None)
                return
            if state.deadline is not None and utcnow() >= state.deadline:
                await self._fail(state, "the run exceeded its timeout", None, "timeout")
                return
            step = steps[position]
            if self.pending and step["kind"] not in PURE_KINDS:
                await self._advance(state)  # pure steps before it are never run again
            outcome, started, logs, emitted = await self._attempt(state, step, resumed)
            outcome = _finite(outcome, emitted)
            resumed_seq = seq - 1 if resumed is not None else None
            if isinstance(outcome, Wait | Fail):
                await self._advance(state)
                await self._flush(state, step["id"], logs, emitted)
            if isinstance(outcome, Wait):
                await self._park(state, step, outcome, seq, started)
                return
            if isinstance(outcome, Fail):
                done = await self._failed(state, step, outcome, seq, started, resumed_seq)
                seq += 1 if resumed_seq is None else 0
                resumed = None
                if done:
                    return
                continue  # retry the same step
            following = steps[position + 1]["id"] if position + 1 < len(steps) else END
            cursor = outcome.next or following
            self.pending.append(
                queue.Done(
                    seq=seq,
                    step_id=step["id"],
                    kind=step["kind"],
                    output=outcome.output,
                    step_attempt=state.failures.get(step["id"], 0) + 1,
                    started=started,
                    ended=utcnow(),
                    cursor=cursor,
                    resumed_seq=resumed_seq,
                    logs=tuple(logs),
                    emitted=tuple(emitted),
                    effects=outcome.effects,
                )
            )
            # A pure step's checkpoint waits for the next step with effects or the run's end;
            # the last step's is written with the run's completion (only rendering between).
            if cursor != END and (
                step["kind"] not in PURE_KINDS
                or emitted
                or len(self.pending) >= MAX_PENDING_CHECKPOINTS
            ):
                await self._advance(state)
            if resumed_seq is None:
                seq += 1
            resumed = None
            state.outputs[step["id"]] = {"output": outcome.output}
            last_output = outcome.output
            position = len(steps) if cursor == END else index[cursor]
        outputs = last_output
        if state.definition.get("outputs") is not None:
            try:
                outputs = await templates.render_async(
                    state.definition["outputs"],
                    self._context(state),
                    "outputs",
                    self.engine.services.template_limits,
                )
            except templates.TemplateError as exc:
                await self._fail(state, str(exc), None)
                return
        elif state.outputs and last_output is None:
            final = steps[-1]["id"]
            outputs = state.outputs.get(final, {}).get("output")
        if found := non_finite_paths(outputs, "outputs"):
            message = f"the run's outputs hold a non-finite number at {found[0]}"
            await self._fail(state, message, None)
            return
        await self._advance(state, outputs)

    async def _run_gate(
        self,
        state: queue.RunState,
        steps: list[dict[str, Any]],
        seq: int,
        resumed: dict[str, Any] | None,
    ) -> bool:
        """Policies before the run starts (action `run`). True: go on with the first step."""
        started = utcnow()
        if resumed is not None:  # woken at the gate: the start's approval is settled
            if resumed.get("status") == "approved":
                first = state.restart_step or (steps[0]["id"] if steps else END)
                await self.db.write(
                    queue.checkpoint,
                    state.run_id,
                    state.attempt,
                    seq,
                    gate.RUN_GATE,
                    "policy",
                    "completed",
                    resumed,
                    None,
                    1,
                    started,
                    first,
                    seq - 1,
                )
                return True
            message = f"approval {resumed.get('status')}"
            details: dict[str, Any] = {"approval": resumed}
            error = {"step_id": gate.RUN_GATE, "message": message, **details}
            await self.db.write(
                queue.checkpoint,
                state.run_id,
                state.attempt,
                seq,
                gate.RUN_GATE,
                "policy",
                "failed",
                None,
                error,
                1,
                started,
                state.cursor,
                seq - 1,
            )  # a retry asks again
            await self._fail(state, message, gate.RUN_GATE, "rejected", details)
            return False
        if self.facts is None:  # re-queued at the gate, and no policy has rules any more
            return True
        context = gate.context(self.facts, "run")
        decision = evaluator.decide(self.facts.policies, context)
        if decision.considered:
            await self.db.write(gate.record, state.run_id, state.attempt, None, context, decision)
        if decision.decision == "denied":
            details = {"policy_id": decision.policy, "rule_id": decision.rule}
            await self._fail(state, "; ".join(decision.reasons), None, "denied", details)
            return False
        if decision.decision == "needs_approval":
            wait = gate.wait_for(decision, "; ".join(decision.reasons))
            await self._park(state, {"id": gate.RUN_GATE, "kind": "policy"}, wait, seq, started)
            return False
        return True

    async def _step_gate(
        self,
        state: queue.RunState,
        step: dict[str, Any],
        config: Any,
        approval: dict[str, Any] | None,
    ) -> Outcome | None:
        """Policies before a step (action `step`, or `http` for an HTTP call). None: run it."""
        if approval is not None:  # resumed after this step's policy approval
            if approval.get("status") == "approved":
                return None
            details: dict[str, Any] = {"stop_reason": "rejected", "approval": approval}
            return Fail(f"approval {approval.get('status')}", retryable=False, details=details)
        if self.facts is None or not self.facts.policies.targets_calls:
            return None
        host = None
        if step["kind"] == "http":
            host = urlsplit(str(getattr(config, "url", ""))).hostname
        agent = None
        if step["kind"] == "agent":  # rules read the agent the step runs, by name
            ref = str(getattr(config, "agent", ""))
            agent = await self.db.read(gate.agent_name, state.project_id, ref)
        action = "http" if step["kind"] == "http" else "step"
        context = gate.context(
            self.facts, action, step_kind=step["kind"], http_host=host, agent=agent
        )
        decision = evaluator.decide(self.facts.policies, context)
        if decision.considered:
            await self.db.write(
                gate.record, state.run_id, state.attempt, step["id"], context, decision
            )
        if decision.decision == "denied":
            details = {
                "stop_reason": "denied",
                "policy_id": decision.policy,
                "rule_id": decision.rule,
            }
            return Fail("; ".join(decision.reasons), retryable=False, details=details)
        if decision.decision == "needs_approval":
            message = f"step '{step['id']}': {'; '.join(decision.reasons)}"
            return gate.wait_for(decision, message)
        return None

    def _context(self, state: queue.RunState) -> dict[str, Any]:
        return {
            "inputs": state.inputs,
            "steps": state.outputs,
            "run": {"id": state.run_id, "attempt": state.attempt},
            "env": {"id": state.environment_id},
        }

    async def _attempt(
        self, state: queue.RunState, step: dict[str, Any], resumed: dict[str, Any] | None
    ) -> tuple[Outcome, Any, list[tuple[str, str]], list[tuple[str, dict[str, Any]]]]:
        kind = kinds().get(step["kind"])
        started = utcnow()
        gated = None  # a policy approval this step was parked on
        if resumed is not None and resumed.get("source") == "policy" and not resumed.get("in_step"):
            gated, resumed = resumed, None
        logs: list[tuple[str, str]] = []
        emitted: list[tuple[str, dict[str, Any]]] = []
        if kind is None:
            return (
                Fail(f"unknown step kind '{step['kind']}'", retryable=False),
                started,
                logs,
                emitted,
            )
        context = StepContext(
            run_id=state.run_id,
            project_id=state.project_id,
            environment_id=state.environment_id,
            automation_id=state.automation_id,
            step_id=step["id"],
            attempt=state.attempt,
            inputs=state.inputs,
            steps=state.outputs,
            idempotency_key=f"{state.run_id}:{step['id']}",
            resumed=resumed,
            log=lambda level, message: logs.append((level, message)),
            services=self.engine.services,
            emit=lambda event_type, data: emitted.append((event_type, data)),
            facts=self.facts,
            fresh=state.attempt == 1 and step["id"] not in self.started,
        )
        self.started.add(step["id"])
        try:
            own = kind.config.model_fields
            raw = {k: v for k, v in step.items() if k not in COMMON_FIELDS or k in own}
            # A kind may own `timeout_seconds` (an approval's deadline); else it bounds the step,
            # its templates' rendering included.
            timeout = None if "timeout_seconds" in own else step.get("timeout_seconds")
            rendering = time.monotonic()
            rendered = await templates.render_async(
                {k: v for k, v in raw.items() if k not in kind.config.raw_fields},
                context.template_context(),
                step["id"],
                self.engine.services.template_limits.within(timeout),
            )
            if timeout is not None:
                timeout = max(0.0, timeout - (time.monotonic() - rendering))
            config = kind.config.model_validate({**raw, **rendered})
            # A step resumed from its own wait passed its gate before it first ran.
            blocked = None if resumed else await self._step_gate(state, step, config, gated)
            if blocked is not None:
                return blocked, started, logs, emitted
            outcome = await asyncio.wait_for(kind.run(context, config), timeout)
        except templates.TemplateError as exc:
            outcome = Fail(str(exc), retryable=False)
        except ValidationError as exc:
            outcome = Fail(f"invalid step configuration: {exc.errors()[0].get('msg')}", False)
        except TimeoutError:
            outcome = Fail(f"step timed out after {step.get('timeout_seconds')} s")
        return outcome, started, logs, emitted

    async def _flush(
        self,
        state: queue.RunState,
        step_id: str,
        logs: list[tuple[str, str]],
        emitted: list[tuple[str, dict[str, Any]]],
    ) -> None:
        if not logs and not emitted:
            return

        def write(tx: Session) -> None:
            # Fenced like a checkpoint: a worker that lost the run writes no logs or events.
            queue.fenced(tx, state.run_id, state.attempt)
            for level, message in logs:
                queue.log(tx, state.run_id, step_id, level, message)
            for event_type, data in emitted:
                queue.emit_for_run(tx, state.run_id, event_type, data)

        await self.db.write(write)

    async def _park(
        self, state: queue.RunState, step: dict[str, Any], wait: Wait, seq: int, started: Any
    ) -> None:
        approval = None
        if wait.approval is not None:
            request = wait.approval
            approval = {
                "message": request.message,
                "approvers": request.approvers,
                "required_approvals": request.required_approvals,
                "deadline": request.deadline,
                "on_timeout": request.on_timeout,
                "allow_self_approval": request.allow_self_approval,
                **request.extra,
            }
        try:
            await self.db.write(
                queue.park,
                state.run_id,
                state.attempt,
                seq,
                step["id"],
                step["kind"],
                wait.until,
                approval,
                started,
                wait.child,
            )
        except KanriError as exc:  # e.g. the child automation is unknown, or its inputs bad
            await self._fail(state, exc.detail, step["id"])

    async def _failed(
        self,
        state: queue.RunState,
        step: dict[str, Any],
        outcome: Fail,
        seq: int,
        started: Any,
        resumed_seq: int | None,
    ) -> bool:
        """Record the failure; retry (inline or later) or fail the run. True: stop here."""
        error = {"step_id": step["id"], "message": outcome.message, **outcome.details}
        failures = state.failures.get(step["id"], 0) + 1
        state.failures[step["id"]] = failures
        await self.db.write(
            queue.checkpoint,
            state.run_id,
            state.attempt,
            seq,
            step["id"],
            step["kind"],
            "failed",
            None,
            error,
            failures,
            started,
            state.cursor,
            resumed_seq,
        )
        policy = step.get("retry") or {}
        if outcome.retryable and failures < int(policy.get("max_attempts", 1)):
            delay = float(policy.get("backoff_seconds", 1.0)) * (2 ** (failures - 1))
            if delay <= INLINE_BACKOFF_SECONDS:
                await asyncio.sleep(delay)
                return False
            until = utcnow() + timedelta(seconds=delay)
            await self.db.write(queue.backoff, state.run_id, state.attempt, until)
            return True
        stop_reason = str(outcome.details.get("stop_reason", "error"))
        await self._fail(state, outcome.message, step["id"], stop_reason, outcome.details)
        return True

    async def _fail(
        self,
        state: queue.RunState,
        message: str,
        step_id: str | None,
        stop_reason: str = "error",
        details: dict[str, Any] | None = None,
    ) -> None:
        error = {"message": message, "step_id": step_id, **(details or {})}
        error.pop("stop_reason", None)
        await self._advance(state)
        await self.db.write(queue.fail, state.run_id, state.attempt, error, stop_reason)
