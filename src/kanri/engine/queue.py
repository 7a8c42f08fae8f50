"""The engine's database commands: claim, checkpoint, park, finish, heartbeat, sweep.

Every write a worker makes for a run is fenced by `attempt`: it only applies while the run
is still `running` under the attempt the worker claimed. A worker that lost its lease
(paused, partitioned) changes nothing once another has claimed the run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, cast

import structlog
from sqlalchemy import Table, bindparam, func, insert, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, defer

from kanri.agents.models import AgentRow
from kanri.automations.models import AutomationRow
from kanri.core import events
from kanri.core.auth import Principal
from kanri.core.ids import new_id
from kanri.core.time import utcnow
from kanri.costs.estimate import estimate
from kanri.db.prepared import Prepared
from kanri.engine.registry import IN_STEP_MARK, ChildRun
from kanri.governance import evaluator
from kanri.runs import approvals, states
from kanri.runs.models import ApprovalRow, RunLogRow, RunRow, RunStepRow, WorkerRow
from kanri.runs.states import system_principal, transition
from kanri.tenancy.models import EnvironmentRow

logger = structlog.get_logger("kanri.engine")


class LostLease(Exception):
    """The run is no longer this worker's (cancelled, or claimed by another after a lease)."""


@dataclass(frozen=True)
class Claimed:
    id: str
    attempt: int
    # What the worker needs to continue the run, read in the claim's transaction.
    state: RunState = field(compare=False, repr=False)


_RUNS = cast(Table, RunRow.__table__)
_STEPS = cast(Table, RunStepRow.__table__)
_UTC = _RUNS.c.update_time.type

# Ready runs, best first, with what the concurrency limits need (not their definitions).
_READY = (
    select(
        _RUNS.c.id,
        _RUNS.c.status,
        _RUNS.c.stop_reason,
        _RUNS.c.project_id,
        _RUNS.c.automation_id,
        _RUNS.c.concurrency_key,
        _RUNS.c.definition["concurrency"].label("concurrency"),
        _RUNS.c.definition["concurrency_key_limit"].label("concurrency_key_limit"),
    )
    .where(
        _RUNS.c.status.in_(("pending", "waiting")),
        _RUNS.c.available_at.is_not(None),
        _RUNS.c.available_at <= bindparam("now", type_=_UTC),
    )
    .order_by(_RUNS.c.priority.desc(), _RUNS.c.available_at)
    .limit(bindparam("limit"))
)
_READY_LOCKED = _READY.with_for_update(skip_locked=True)
# The claim itself: one statement for all chosen runs, returning what the worker needs.
_TAKE = (
    update(_RUNS)
    .where(_RUNS.c.id.in_(bindparam("ids", expanding=True)))
    .values(
        status="running",
        stop_reason=None,
        attempt=_RUNS.c.attempt + 1,
        lease_owner=bindparam("owner"),
        lease_expires_at=bindparam("lease", type_=_UTC),
        update_time=bindparam("now", type_=_UTC),
        start_time=func.coalesce(_RUNS.c.start_time, bindparam("now", type_=_UTC)),
    )
    .returning(
        _RUNS.c.id,
        _RUNS.c.organization_id,
        _RUNS.c.project_id,
        _RUNS.c.environment_id,
        _RUNS.c.automation_id,
        _RUNS.c.agent_id,
        _RUNS.c.definition,
        _RUNS.c.inputs,
        _RUNS.c.labels,
        _RUNS.c.cursor,
        _RUNS.c.restart_step,
        _RUNS.c.attempt,
        _RUNS.c.deadline,
    )
)
_CHECKPOINTS = (
    select(_STEPS.c.run_id, _STEPS.c.seq, _STEPS.c.step_id, _STEPS.c.status, _STEPS.c.output)
    .where(_STEPS.c.run_id.in_(bindparam("ids", expanding=True)))
    .order_by(_STEPS.c.run_id, _STEPS.c.seq)
)
_RUNNING = select(func.count()).where(_RUNS.c.status == "running")
# PostgreSQL: claims that count running runs against a limit take this transaction-level
# advisory lock first, so two workers never both see the last free slot (READ COMMITTED:
# the count after the lock sees every claim committed before it).
LIMITS_LOCK = int.from_bytes(b"kanrilim", "big") & 0x7FFF_FFFF_FFFF_FFFF
_LOCK_LIMITS = select(func.pg_advisory_xact_lock(LIMITS_LOCK))


def claim(
    tx: Session, worker_id: str, limit: int, lease_seconds: float, project_limit: int = 0
) -> list[Claimed]:
    """Claim up to `limit` ready runs (pending, or waiting past `available_at`), keeping
    the automation's `concurrency`, its concurrency key's limit and the project's limit.

    Each claimed run comes with what the worker needs to continue it (its definition,
    inputs, checkpoints, resumption state and policies): there is no separate load."""
    now = utcnow()
    postgresql = tx.get_bind().dialect.name == "postgresql"
    chosen: list[Any] = []
    running: dict[tuple[str, str], int] = {}

    def room(scope: str, value: str, column: Any, cap: Any) -> bool:
        # Running runs of this automation / concurrency key / project, counted once per claim.
        if cap is None:
            return True
        key = (scope, value)
        if key not in running:
            if postgresql and not running:
                tx.execute(_LOCK_LIMITS)
            running[key] = tx.execute(_RUNNING.where(column == value)).scalar_one()
        return bool(running[key] < cap)

    def choose(candidate: Any) -> None:
        limits = [
            ("automation", candidate.automation_id, _RUNS.c.automation_id, candidate.concurrency),
            (
                "key",
                candidate.concurrency_key,
                _RUNS.c.concurrency_key,
                1 if candidate.concurrency_key_limit is None else candidate.concurrency_key_limit,
            ),
            ("project", candidate.project_id, _RUNS.c.project_id, project_limit or None),
        ]
        applicable = [(s, v, c, cap) for s, v, c, cap in limits if v is not None]
        if not all(room(s, v, c, cap) for s, v, c, cap in applicable):
            return
        for scope, value, _, cap in applicable:
            if cap is not None:
                running[(scope, value)] += 1
        chosen.append(candidate)

    # Candidates are locked (others skip them) until this transaction ends: as many as
    # asked for; only when limits hold some back, up to four times as many behind them.
    seen: list[str] = []
    for window in (limit, limit * 4):
        query = _READY_LOCKED if postgresql else _READY
        if seen:
            query = query.where(_RUNS.c.id.not_in(seen))
        candidates = _ready(tx, query, {"now": now, "limit": window}, postgresql)
        for candidate in candidates:
            if len(chosen) < limit:
                choose(candidate)
        if len(chosen) >= limit or len(candidates) < window:
            break
        seen += [c.id for c in candidates]
    if not chosen:
        return []
    taken = {
        row.id: row
        for row in tx.execute(
            _TAKE,
            {
                "ids": [c.id for c in chosen],
                "owner": worker_id,
                "lease": now + timedelta(seconds=lease_seconds),
                "now": now,
            },
        )
    }
    # Checkpoints of the runs that have some (resumed ones), all in one query.
    resumed = [row.id for row in taken.values() if row.cursor is not None or row.attempt > 1]
    steps: dict[str, list[Any]] = {}
    if resumed:
        for step in tx.execute(_CHECKPOINTS, {"ids": resumed}):
            steps.setdefault(step.run_id, []).append(step)
    policies = evaluator.load_many(tx, {run.project_id for run in taken.values()})
    claimed = []
    for candidate in chosen:
        run = taken[candidate.id]
        states.check(candidate.status, "running", None)
        ref = states.RunRef(
            run.id, run.organization_id, run.project_id, run.environment_id, run.automation_id
        )
        states.record(
            tx,
            states.system_principal(ref),
            ref,
            candidate.status,
            "running",
            candidate.stop_reason,
            None,
        )
        try:
            state = _state(tx, run, steps.get(run.id, []))
            state.facts = run_facts(tx, run, policies[run.project_id])
        except Exception:
            # One run that cannot be loaded fails alone; the others of the claim go on.
            logger.exception("run_unloadable", run=run.id)
            fail_unreadable(tx, run.id, "the run's stored state cannot be loaded")
            continue
        claimed.append(Claimed(run.id, run.attempt, state))
    return claimed


def _ready(tx: Session, query: Any, params: dict[str, Any], postgresql: bool) -> list[Any]:
    """The ready candidates. On SQLite, a run whose stored definition its JSON functions
    cannot read (a non-finite number stored before they were refused) would fail the query
    for every project: such runs are failed first, on their own, and the query is asked
    again."""
    try:
        return list(tx.execute(query, params).all())
    except OperationalError:
        if postgresql or not _fail_malformed(tx):
            raise
        return list(tx.execute(query, params).all())


def _fail_malformed(tx: Session) -> int:
    """Fail the active runs whose stored definition is not JSON SQLite can read."""
    ids = tx.execute(
        select(_RUNS.c.id).where(
            _RUNS.c.status.in_(("pending", "waiting")),
            func.json_valid(_RUNS.c.definition) == 0,
        )
    ).scalars()
    bad = list(ids)
    for run_id in bad:
        logger.warning("run_unreadable", run=run_id)
        fail_unreadable(tx, run_id, "the run's stored definition is not valid JSON")
    return len(bad)


def fail_unreadable(tx: Session, run_id: str, message: str) -> None:
    """Fail a run that cannot be executed (`stop_reason: internal`), reading none of its
    JSON columns."""
    run = tx.get(
        RunRow,
        run_id,
        options=[
            defer(RunRow.definition),
            defer(RunRow.inputs),
            defer(RunRow.outputs),
            defer(RunRow.labels),
            defer(RunRow.error),
        ],
    )
    if run is None or run.status in states.TERMINAL:
        return
    transition(tx, run, "failed", stop_reason="internal", error={"message": message})


def run_facts(tx: Session, run: Any, policies: evaluator.PolicySet) -> RunFacts | None:
    """What the project's policies read of `run`; None when no policy has rules."""
    if policies.empty:
        return None

    def name(model: Any, ref: str | None) -> str | None:
        if ref is None:
            return None
        found: str | None = tx.execute(
            select(model.name).where(model.id == ref)
        ).scalar_one_or_none()
        return found

    inputs = dict(run.inputs or {})
    return RunFacts(
        policies,
        name(AutomationRow, run.automation_id),
        name(AgentRow, run.agent_id),
        name(EnvironmentRow, run.environment_id),
        dict(run.labels or {}),
        inputs,
        # Priced only when a rule reads it (price look-ups per model-calling step).
        estimate(tx, run.project_id, dict(run.definition or {}), inputs, utcnow())
        if policies.reads("estimated_cost")
        else None,
    )


@dataclass(frozen=True)
class RunFacts:
    """A run as the policies see it: the project's policies and what rules read of it."""

    policies: evaluator.PolicySet
    automation: str | None
    agent: str | None
    environment: str | None
    labels: dict[str, Any]
    inputs: dict[str, Any]
    # USD, what its model calls may spend (kanri.costs.estimate); None when no rule reads it.
    estimated_cost: float | None


# Built once (compiled-cache hits); a fenced write sets the JSON columns but seldom reads
# them: they are not loaded unless used.
_FENCED = (
    select(RunRow)
    .options(
        defer(RunRow.definition),
        defer(RunRow.inputs),
        defer(RunRow.outputs),
        defer(RunRow.error),
        defer(RunRow.labels),
    )
    .where(RunRow.id == bindparam("run_id"))
    .with_for_update()
)


@dataclass
class FencedRun:
    """A run locked by a fenced write, read with Core: what records about it need. Its
    `usage` and `cost_usd` may be changed; `save_totals` writes them."""

    id: str
    organization_id: str
    project_id: str
    environment_id: str | None
    automation_id: str | None
    agent_id: str | None
    usage: dict[str, Any] | None
    cost_usd: Decimal | None


_FENCED_TOTALS = Prepared(
    select(
        _RUNS.c.id,
        _RUNS.c.status,
        _RUNS.c.attempt,
        _RUNS.c.organization_id,
        _RUNS.c.project_id,
        _RUNS.c.environment_id,
        _RUNS.c.automation_id,
        _RUNS.c.agent_id,
        _RUNS.c.usage,
        _RUNS.c.cost_usd,
    )
    .where(_RUNS.c.id == bindparam("run_id"))
    .with_for_update()
)
_SAVE_TOTALS = (
    update(_RUNS)
    .where(_RUNS.c.id == bindparam("b_id"))
    .values(
        usage=bindparam("b_usage", type_=_RUNS.c.usage.type),
        cost_usd=bindparam("b_cost", type_=_RUNS.c.cost_usd.type),
    )
)


def fenced_run(tx: Session, run_id: str, attempt: int) -> FencedRun:
    """`fenced` without the ORM (one prepared read): for writes that only add records."""
    row = _FENCED_TOTALS.read(tx, {"run_id": run_id})
    if row is None or row.pop("status") != "running" or row.pop("attempt") != attempt:
        raise LostLease(run_id)
    return FencedRun(**row)


def save_totals(tx: Session, run: FencedRun) -> None:
    tx.execute(_SAVE_TOTALS, {"b_id": run.id, "b_usage": run.usage, "b_cost": run.cost_usd})


def fenced(tx: Session, run_id: str, attempt: int) -> RunRow:
    """The run, locked, if it is still running under `attempt`; LostLease otherwise."""
    run = tx.execute(_FENCED, {"run_id": run_id}).scalar_one_or_none()
    if run is None or run.status != "running" or run.attempt != attempt:
        raise LostLease(run_id)
    return run


@dataclass
class RunState:
    """What a worker needs to continue a run."""

    run_id: str
    project_id: str
    environment_id: str | None
    automation_id: str | None
    definition: dict[str, Any]
    inputs: dict[str, Any]
    cursor: str | None
    attempt: int
    deadline: datetime | None
    outputs: dict[str, dict[str, Any]]
    next_seq: int
    resumed: dict[str, Any] | None
    failures: dict[str, int]
    facts: RunFacts | None = None
    # Where a restarted run goes on once its start passes the policy gate (None: the start).
    restart_step: str | None = None


def _state(tx: Session, run: Any, rows: list[Any]) -> RunState:
    """A worker's view of `run` (a row or a RunRow) from its checkpoints `rows` (in `seq`
    order)."""
    outputs = {r.step_id: {"output": r.output} for r in rows if r.status == "completed"}
    failures: dict[str, int] = {}
    for r in rows:
        if r.status == "failed":
            failures[r.step_id] = failures.get(r.step_id, 0) + 1
    resumed = None
    last = rows[-1] if rows else None
    if last is not None and last.status == "waiting" and last.step_id == run.cursor:
        resumed = _resumption(tx, run.id, last)
    return RunState(
        run.id,
        run.project_id,
        run.environment_id,
        run.automation_id,
        run.definition,
        run.inputs,
        run.cursor,
        run.attempt,
        run.deadline,
        outputs,
        (last.seq + 1) if last else 1,
        resumed,
        failures,
        restart_step=run.restart_step,
    )


def _resumption(tx: Session, run_id: str, step: Any) -> dict[str, Any]:
    child = tx.execute(
        select(RunRow)
        .where(RunRow.parent_run_id == run_id, RunRow.parent_step_id == step.step_id)
        .order_by(RunRow.create_time.desc())
        .limit(1)
    ).scalar_one_or_none()
    if child is not None and (step.output or {}).get("child_run_id") == child.id:
        return {
            "run_id": child.id,
            "status": child.status,
            "outputs": child.outputs,
            "error": child.error,
        }
    approval = tx.execute(
        select(ApprovalRow)
        .where(ApprovalRow.run_id == run_id, ApprovalRow.step_id == step.step_id)
        .order_by(ApprovalRow.create_time.desc())
        .limit(1)
    ).scalar_one_or_none()
    if approval is None:
        return {"until": (step.output or {}).get("until")}
    if approval.status in approvals.OPEN:
        approvals.time_out(tx, approval, wake=False)  # woken by the deadline: on_timeout
    return {
        "approval_id": approval.id,
        "source": approval.source,
        "in_step": IN_STEP_MARK in approval.message,
        "status": approval.status,
        "decisions": approval.decisions,
    }


def checkpoint(
    tx: Session,
    run_id: str,
    attempt: int,
    seq: int,
    step_id: str,
    kind: str,
    status: str,
    output: Any,
    error: dict[str, Any] | None,
    step_attempt: int,
    started: datetime,
    cursor: str | None,
    resumed_seq: int | None = None,
) -> None:
    """Record a step's result and move the run's cursor, if the run is still ours."""
    run = fenced(tx, run_id, attempt)
    now = utcnow()
    if resumed_seq is not None:
        tx.execute(
            update(RunStepRow)
            .where(RunStepRow.run_id == run_id, RunStepRow.seq == resumed_seq)
            .values(status=status, output=output, error=error, end_time=now)
        )
    else:
        tx.add(
            RunStepRow(
                id=new_id("stp"),
                run_id=run_id,
                seq=seq,
                step_id=step_id,
                kind=kind,
                status=status,
                output=output,
                error=error,
                attempt=step_attempt,
                run_attempt=attempt,
                start_time=started,
                end_time=now,
            )
        )
    if status == "completed":
        run.cursor = cursor
    run.update_time = now
    events.emit(
        tx,
        system_principal(run),
        f"run.step_{status}",
        "run",
        run.id,
        {"run_id": run.id, "step_id": step_id, "kind": kind, "status": status, "error": error},
        project_id=run.project_id,
        environment_id=run.environment_id,
    )


def park(
    tx: Session,
    run_id: str,
    attempt: int,
    seq: int,
    step_id: str,
    kind: str,
    until: datetime | None,
    approval: dict[str, Any] | None,
    started: datetime,
    child: ChildRun | None = None,
) -> str | None:
    """Put the run to sleep at `step_id` (waiting); returns the approval id if one was made.

    With `child`, the child run is created in the same transaction, so a crash can never
    leave a parent waiting for a child that does not exist, nor start the child twice.
    """
    run = fenced(tx, run_id, attempt)
    output: dict[str, Any] = {"until": until.isoformat() if until else None}
    if child is not None:
        output["child_run_id"] = _start_child(tx, run, step_id, child)
    tx.add(
        RunStepRow(
            id=new_id("stp"),
            run_id=run_id,
            seq=seq,
            step_id=step_id,
            kind=kind,
            status="waiting",
            output=output,
            error=None,
            attempt=1,
            run_attempt=attempt,
            start_time=started,
            end_time=None,
        )
    )
    run.cursor = step_id
    approval_id = None
    if approval is not None:
        approval_id = new_id("apr")
        now = utcnow()
        row = ApprovalRow(
            id=approval_id,
            project_id=run.project_id,
            run_id=run.id,
            automation_id=run.automation_id,
            step_id=step_id,
            run_attempt_key=f"{attempt}:{seq}",  # a retried run asks again
            status="pending",
            decisions=[],
            triggered_by=run.triggered_by,
            create_time=now,
            update_time=now,
            **approvals.new_fields(approval, now),
        )
        tx.add(row)
        tx.flush()
        approvals.record_requested(tx, system_principal(run), row)
    transition(tx, run, "waiting", available_at=until, lease_owner=None, lease_expires_at=None)
    return approval_id


def _start_child(tx: Session, parent: RunRow, step_id: str, child: ChildRun) -> str:
    from kanri.runs import schemas as run_schemas
    from kanri.runs import service as runs

    who = Principal(
        parent.organization_id,
        parent.project_id,
        parent.environment_id,
        parent.triggered_by,
        "system",
        frozenset({"*"}),
    )
    body = run_schemas.RunCreate(inputs=child.inputs, version=child.version)
    created = runs.trigger(tx, who, child.automation, body)
    row = tx.get(RunRow, created.id)
    assert row is not None
    row.parent_run_id = parent.id
    row.parent_step_id = step_id
    return created.id


@dataclass(frozen=True)
class Done:
    """A completed step waiting to be checkpointed (with the logs and events it made)."""

    seq: int
    step_id: str
    kind: str
    output: Any
    step_attempt: int
    started: datetime
    ended: datetime
    cursor: str | None
    resumed_seq: int | None = None
    logs: tuple[tuple[str, str], ...] = ()
    emitted: tuple[tuple[str, dict[str, Any]], ...] = ()
    effects: tuple[Callable[[Session], Any], ...] = ()  # registry.Done.effects


@dataclass(frozen=True)
class Advance:
    """A run's completed steps to checkpoint and, unless `outputs` is UNFINISHED, its
    completion with those outputs."""

    run_id: str
    attempt: int
    done: tuple[Done, ...]
    outputs: Any


_INSERT_STEP = insert(_STEPS)
_INSERT_LOG = insert(cast(Table, RunLogRow.__table__))
UNFINISHED: Any = object()
# The runs a batch of advances writes, locked in one order (id) by every writer.
_LOCK_RUNS = (
    select(
        _RUNS.c.id,
        _RUNS.c.status,
        _RUNS.c.attempt,
        _RUNS.c.stop_reason,
        _RUNS.c.cursor,
        _RUNS.c.organization_id,
        _RUNS.c.project_id,
        _RUNS.c.environment_id,
        _RUNS.c.automation_id,
        _RUNS.c.parent_run_id,
        _RUNS.c.parent_step_id,
    )
    .where(_RUNS.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(_RUNS.c.id)
    .with_for_update()
)
_MOVE_CURSOR = (
    update(_RUNS)
    .where(_RUNS.c.id == bindparam("b_id"))
    .values(cursor=bindparam("b_cursor"), update_time=bindparam("b_now", type_=_UTC))
)
_COMPLETE = (
    update(_RUNS)
    .where(_RUNS.c.id == bindparam("b_id"))
    .values(
        status="completed",
        stop_reason="completed",
        outputs=bindparam("b_outputs", type_=_RUNS.c.outputs.type),
        cursor=bindparam("b_cursor"),
        lease_owner=None,
        lease_expires_at=None,
        end_time=bindparam("b_now", type_=_UTC),
        update_time=bindparam("b_now", type_=_UTC),
    )
)
_RESUMED_STEP = (
    update(_STEPS)
    .where(_STEPS.c.run_id == bindparam("b_run"), _STEPS.c.seq == bindparam("b_seq"))
    .values(
        status="completed",
        output=bindparam("b_output", type_=_STEPS.c.output.type),
        error=None,
        end_time=bindparam("b_now", type_=_UTC),
    )
)


def advance(tx: Session, batch: list[Advance]) -> list[bool]:
    """Checkpoint the completed steps of several runs (their logs and events first, each),
    move each run's cursor past its last, and complete the runs that have outputs: one
    transaction, a few statements for the whole batch. Fenced per run: an advance applies
    only while its run is `running` under its attempt; the result says, per advance in
    order, whether it did (False: the run is no longer the worker's)."""
    now = utcnow()  # a checkpoint's end_time is when it was written
    rows = {row.id: row for row in tx.execute(_LOCK_RUNS, {"ids": [a.run_id for a in batch]})}
    applied: list[bool] = []
    effected = False
    new_steps: list[dict[str, Any]] = []
    resumed_steps: list[dict[str, Any]] = []
    logs: list[dict[str, Any]] = []
    cursors: list[dict[str, Any]] = []
    completions: list[dict[str, Any]] = []
    for item in batch:
        run = rows.get(item.run_id)
        if run is None or run.status != "running" or run.attempt != item.attempt:
            applied.append(False)
            continue
        applied.append(True)
        ref = states.RunRef(
            run.id, run.organization_id, run.project_id, run.environment_id, run.automation_id
        )
        who = states.system_principal(ref)
        for step in item.done:
            for effect in step.effects:
                effect(tx)
                effected = True
            for level, message in step.logs:
                logs.append(
                    {
                        "id": new_id("log"),
                        "run_id": run.id,
                        "step_id": step.step_id,
                        "level": level,
                        "message": message[:10_000],
                        "create_time": step.ended,
                    }
                )
            for event_type, data in step.emitted:
                emit_on_run(tx, who, run, event_type, data)
            if step.resumed_seq is not None:
                resumed_steps.append(
                    {"b_run": run.id, "b_seq": step.resumed_seq, "b_output": step.output}
                )
            else:
                new_steps.append(
                    {
                        "id": new_id("stp"),
                        "run_id": run.id,
                        "seq": step.seq,
                        "step_id": step.step_id,
                        "kind": step.kind,
                        "status": "completed",
                        "output": step.output,
                        "error": None,
                        "attempt": step.step_attempt,
                        "run_attempt": item.attempt,
                        "start_time": step.started,
                        "end_time": now,
                    }
                )
            events.emit(
                tx,
                who,
                "run.step_completed",
                "run",
                run.id,
                {
                    "run_id": run.id,
                    "step_id": step.step_id,
                    "kind": step.kind,
                    "status": "completed",
                    "error": None,
                },
                project_id=run.project_id,
                environment_id=run.environment_id,
            )
        cursor = item.done[-1].cursor if item.done else run.cursor
        if item.outputs is UNFINISHED:
            if item.done:
                cursors.append({"b_id": run.id, "b_cursor": cursor})
            continue
        states.check(run.status, "completed", "completed")
        completions.append({"b_id": run.id, "b_cursor": cursor, "b_outputs": item.outputs})
        states.record(tx, who, ref, run.status, "completed", run.stop_reason, "completed")
        if run.parent_run_id is not None:
            states.wake_parent(tx, run.parent_run_id, run.parent_step_id)
    if effected:  # what the effects changed through the ORM, before the statements below
        tx.flush()
    if logs:
        tx.execute(_INSERT_LOG, logs)
    if new_steps:
        tx.execute(_INSERT_STEP, new_steps)
    for values in (resumed_steps, cursors, completions):
        for row in values:
            row["b_now"] = now
    if resumed_steps:
        tx.execute(_RESUMED_STEP, resumed_steps)
    if cursors:
        tx.execute(_MOVE_CURSOR, cursors)
    if completions:
        tx.execute(_COMPLETE, completions)
    return applied


def finish(tx: Session, run_id: str, attempt: int, outputs: Any) -> None:
    run = fenced(tx, run_id, attempt)
    transition(tx, run, "completed", stop_reason="completed", outputs=outputs)


def fail(
    tx: Session, run_id: str, attempt: int, error: dict[str, Any], stop_reason: str = "error"
) -> None:
    run = fenced(tx, run_id, attempt)
    transition(tx, run, "failed", stop_reason=stop_reason, error=error)


def backoff(tx: Session, run_id: str, attempt: int, until: datetime) -> None:
    """Hand the run back to the queue until `until` (a step retry with a long backoff)."""
    run = fenced(tx, run_id, attempt)
    transition(tx, run, "pending", available_at=until, lease_owner=None, lease_expires_at=None)


def log(tx: Session, run_id: str, step_id: str | None, level: str, message: str) -> None:
    tx.add(
        RunLogRow(
            id=new_id("log"),
            run_id=run_id,
            step_id=step_id,
            level=level,
            message=message[:10_000],
            create_time=utcnow(),
        )
    )


def emit_on_run(
    tx: Session, who: Principal, run: Any, event_type: str, data: dict[str, Any]
) -> None:
    """An outbox event about `run` (a row with its id, project and environment)."""
    events.emit(
        tx,
        who,
        event_type,
        "run",
        run.id,
        data,
        project_id=run.project_id,
        environment_id=run.environment_id,
    )


def emit_for_run(tx: Session, run_id: str, event_type: str, data: dict[str, Any]) -> None:
    run = tx.get(RunRow, run_id)
    if run is not None:
        emit_on_run(tx, system_principal(run), run, event_type, data)


def heartbeat(
    tx: Session, worker_id: str, runs: list[tuple[str, int]], lease_seconds: float
) -> list[tuple[str, int]]:
    """Extend the leases of in-flight runs; returns the (id, attempt) pairs no longer ours."""
    now = utcnow()
    tx.execute(update(WorkerRow).where(WorkerRow.id == worker_id).values(heartbeat_time=now))
    lost = []
    for run_id, attempt in runs:
        result = tx.execute(
            update(RunRow)
            .where(RunRow.id == run_id, RunRow.attempt == attempt, RunRow.status == "running")
            .values(lease_expires_at=now + timedelta(seconds=lease_seconds))
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            lost.append((run_id, attempt))
    return lost


def sweep(tx: Session) -> int:
    """Re-queue runs whose lease expired (their worker died or stalled)."""
    now = utcnow()
    # Lock what we take (skipping rows a worker is writing right now) so the sweep never
    # overwrites a run claimed or heartbeated after our look, and takes locks in the same
    # order as everyone else: the run row first, then the audit head.
    stale_query = select(RunRow).where(
        RunRow.status == "running",
        or_(RunRow.lease_expires_at.is_(None), RunRow.lease_expires_at < now),
    )
    if tx.get_bind().dialect.name == "postgresql":
        stale_query = stale_query.with_for_update(skip_locked=True)
    stale = list(tx.execute(stale_query.limit(500)).scalars())
    for run in stale:
        transition(tx, run, "pending", available_at=now, lease_owner=None, lease_expires_at=None)
    return len(stale)


def register_worker(tx: Session, worker_id: str, hostname: str, pid: int, concurrency: int) -> None:
    now = utcnow()
    tx.add(
        WorkerRow(
            id=worker_id,
            hostname=hostname,
            pid=pid,
            concurrency=concurrency,
            start_time=now,
            heartbeat_time=now,
            stop_time=None,
        )
    )


def stop_worker(tx: Session, worker_id: str) -> None:
    tx.execute(update(WorkerRow).where(WorkerRow.id == worker_id).values(stop_time=utcnow()))
