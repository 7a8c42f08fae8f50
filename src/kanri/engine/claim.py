"""Claiming ready runs: the one write command that takes runs for a worker, with what the
worker needs to continue each (its definition, inputs, checkpoints, resumption state and
the facts its policies read)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

import structlog
from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, defer

from kanri.core.time import utcnow
from kanri.engine import approval_states, approvals, states
from kanri.engine.models import ApprovalRow, RunRow, RunStepRow
from kanri.engine.ports import ports
from kanri.engine.registry import IN_STEP_MARK
from kanri.engine.states import transition
from kanri.engine.statuses import RunStatus, StepStatus

logger = structlog.get_logger("kanri.engine")


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
        _RUNS.c.agent_id,
        _RUNS.c.waiting_reason,
        _RUNS.c.concurrency_key,
        _RUNS.c.definition["concurrency"].label("concurrency"),
        _RUNS.c.definition["concurrency_key_limit"].label("concurrency_key_limit"),
    )
    .where(
        _RUNS.c.status.in_((RunStatus.PENDING, RunStatus.WAITING)),
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
        status=RunStatus.RUNNING,
        stop_reason=None,
        waiting_reason=None,
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
_RUNNING = select(func.count()).where(_RUNS.c.status == RunStatus.RUNNING)
# PostgreSQL: claims that count running runs against a limit take this transaction-level
# advisory lock first, so two workers never both see the last free slot (READ COMMITTED:
# the count after the lock sees every claim committed before it).
LIMITS_LOCK = int.from_bytes(b"kanrilim", "big") & 0x7FFF_FFFF_FFFF_FFFF
_LOCK_LIMITS = select(func.pg_advisory_xact_lock(LIMITS_LOCK))


def claim(
    tx: Session, worker_id: str, limit: int, lease_seconds: float, project_limit: int = 0
) -> list[Claimed]:
    """Claim up to `limit` ready runs (pending, or waiting past `available_at`), keeping
    the automation's `concurrency`, its concurrency key's limit, the project's
    `max_running_runs` (default `project_limit`) and the agent's `concurrency`. A run a limit
    holds back gets the limit as its `waiting_reason`.

    Each claimed run comes with what the worker needs to continue it (its definition,
    inputs, checkpoints, resumption state and policies): there is no separate load."""
    now = utcnow()
    postgresql = tx.get_bind().dialect.name == "postgresql"
    chosen: list[Any] = []
    running: dict[tuple[str, str], int] = {}
    project_caps: dict[str, int | None] = {}
    agent_caps: dict[str, tuple[str, int | None]] = {}
    held: dict[str, list[str]] = {}  # reason -> ids of the runs it now holds back

    def caps_of(candidates: list[Any]) -> None:
        # The projects' and agents' limits, read once per claim (no lock needed).
        projects = {c.project_id for c in candidates} - project_caps.keys()
        if projects:
            project_caps.update(dict.fromkeys(projects))
            project_caps.update(ports().projects.run_limits(tx, projects))
        agents = {c.agent_id for c in candidates if c.agent_id} - agent_caps.keys()
        if agents:
            agent_caps.update(dict.fromkeys(agents, ("", None)))
            agent_caps.update(ports().agents.agent_limits(tx, agents))

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
        agent_name, agent_cap = agent_caps.get(candidate.agent_id or "", ("", None))
        limits = [
            ("automation", candidate.automation_id, _RUNS.c.automation_id, candidate.concurrency),
            (
                "key",
                candidate.concurrency_key,
                _RUNS.c.concurrency_key,
                1 if candidate.concurrency_key_limit is None else candidate.concurrency_key_limit,
            ),
            (
                "project",
                candidate.project_id,
                _RUNS.c.project_id,
                project_caps.get(candidate.project_id) or project_limit or None,
            ),
            ("agent", candidate.agent_id, _RUNS.c.agent_id, agent_cap),
        ]
        applicable = [(s, v, c, cap) for s, v, c, cap in limits if v is not None]
        for scope, value, column, cap in applicable:
            if not room(scope, value, column, cap):
                reason = f"concurrency: {scope}" + (f" {agent_name}" if scope == "agent" else "")
                if candidate.waiting_reason != reason:
                    held.setdefault(reason, []).append(candidate.id)
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
        caps_of(candidates)
        for candidate in candidates:
            if len(chosen) < limit:
                choose(candidate)
        if len(chosen) >= limit or len(candidates) < window:
            break
        seen += [c.id for c in candidates]
    for reason, ids in held.items():
        tx.execute(update(_RUNS).where(_RUNS.c.id.in_(ids)).values(waiting_reason=reason))
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
    gate = ports().policies
    policies = gate.load(tx, {run.project_id for run in taken.values()})
    claimed = []
    for candidate in chosen:
        run = taken[candidate.id]
        states.check(candidate.status, RunStatus.RUNNING, None)
        ref = states.RunRef(
            id=run.id,
            organization_id=run.organization_id,
            project_id=run.project_id,
            environment_id=run.environment_id,
            automation_id=run.automation_id,
        )
        states.record(
            tx,
            states.system_principal(ref),
            ref,
            candidate.status,
            RunStatus.RUNNING,
            candidate.stop_reason,
            None,
        )
        try:
            state = _state(tx, run, steps.get(run.id, []))
            state.facts = gate.facts(tx, run, policies[run.project_id])
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
            _RUNS.c.status.in_((RunStatus.PENDING, RunStatus.WAITING)),
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
    transition(tx, run, RunStatus.FAILED, stop_reason="internal", error={"message": message})


@dataclass(kw_only=True)
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
    # What the project's policies read of the run (the `Policies` port's; None: no policy
    # has rules).
    facts: Any = None
    # Where a restarted run goes on once its start passes the policy gate (None: the start).
    restart_step: str | None = None


def _state(tx: Session, run: Any, rows: list[Any]) -> RunState:
    """A worker's view of `run` (a row or a RunRow) from its checkpoints `rows` (in `seq`
    order)."""
    outputs = {r.step_id: {"output": r.output} for r in rows if r.status == StepStatus.COMPLETED}
    failures: dict[str, int] = {}
    for r in rows:
        if r.status == StepStatus.FAILED:
            failures[r.step_id] = failures.get(r.step_id, 0) + 1
    resumed = None
    last = rows[-1] if rows else None
    if last is not None and last.status == StepStatus.WAITING and last.step_id == run.cursor:
        resumed = _resumption(tx, run.id, last)
    return RunState(
        run_id=run.id,
        project_id=run.project_id,
        environment_id=run.environment_id,
        automation_id=run.automation_id,
        definition=run.definition,
        inputs=run.inputs,
        cursor=run.cursor,
        attempt=run.attempt,
        deadline=run.deadline,
        outputs=outputs,
        next_seq=(last.seq + 1) if last else 1,
        resumed=resumed,
        failures=failures,
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
    if approval.status in approval_states.OPEN:
        approvals.time_out(tx, approval, wake=False)  # woken by the deadline: on_timeout
    return {
        "approval_id": approval.id,
        "source": approval.source,
        "in_step": IN_STEP_MARK in approval.message,
        "status": approval.status,
        "decisions": approval.decisions,
    }
