"""The run state machine, declared in one place: (from, to) → allowed stop reasons.

Every transition goes through `transition`, which checks the table, stamps the times, and
writes the audit row and outbox event in the caller's transaction (the audit row is
chained into the project's trail shortly after, see core/audit.py).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from kanri.core import audit, events
from kanri.core.auth import Principal
from kanri.core.errors import Conflict
from kanri.core.time import utcnow
from kanri.db.database import notify_runs_ready
from kanri.engine.models import RunRow
from kanri.engine.statuses import RunStatus

TERMINAL = frozenset({RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELLED})
# The pseudo-step where a run's start is checked against the project's policies: a new
# run, and a fork, retry or resume before it goes on (its `restart_step`), park there while
# a policy's approval is pending.
RUN_GATE = "policy:run"
ACTIVE = frozenset({RunStatus.PENDING, RunStatus.RUNNING, RunStatus.WAITING})

# (from, to): the stop reasons that transition may carry (None: none).
TRANSITIONS: dict[tuple[str, str], frozenset[str | None]] = {
    (RunStatus.PENDING, RunStatus.RUNNING): frozenset({None}),
    # its wait or approval deadline has come
    (RunStatus.WAITING, RunStatus.RUNNING): frozenset({None}),
    # lease lost, backoff before a retry
    (RunStatus.RUNNING, RunStatus.PENDING): frozenset({None}),
    (RunStatus.RUNNING, RunStatus.WAITING): frozenset({None, "paused"}),
    (RunStatus.PENDING, RunStatus.WAITING): frozenset({"paused"}),
    # paused, or resumed to its wait
    (RunStatus.WAITING, RunStatus.WAITING): frozenset({None, "paused"}),
    # decided, or the wait is over
    (RunStatus.WAITING, RunStatus.PENDING): frozenset({None}),
    (RunStatus.RUNNING, RunStatus.COMPLETED): frozenset({"completed"}),
    # budget_exceeded, max_steps: agents; internal: a run kanri cannot execute
    (RunStatus.RUNNING, RunStatus.FAILED): frozenset(
        {"error", "timeout", "rejected", "denied", "budget_exceeded", "max_steps", "internal"}
    ),
    (RunStatus.PENDING, RunStatus.CANCELLED): frozenset({"cancelled"}),
    (RunStatus.RUNNING, RunStatus.CANCELLED): frozenset({"cancelled"}),
    (RunStatus.WAITING, RunStatus.CANCELLED): frozenset({"cancelled"}),
    (RunStatus.PENDING, RunStatus.FAILED): frozenset({"timeout", "internal"}),
    (RunStatus.WAITING, RunStatus.FAILED): frozenset({"timeout", "rejected", "internal"}),
    # retry
    (RunStatus.FAILED, RunStatus.PENDING): frozenset({None}),
}
EVENTS: dict[str, str] = {
    RunStatus.RUNNING: "run.started",
    RunStatus.WAITING: "run.waiting",
    RunStatus.COMPLETED: "run.completed",
    RunStatus.FAILED: "run.failed",
    RunStatus.CANCELLED: "run.cancelled",
    RunStatus.PENDING: "run.queued",
}


class InProject(Protocol):
    @property
    def organization_id(self) -> str: ...

    @property
    def project_id(self) -> str: ...


def system_principal(run: InProject) -> Principal:
    return engine_principal(run.organization_id, run.project_id)


@functools.lru_cache(maxsize=1024)
def engine_principal(organization_id: str, project_id: str) -> Principal:
    """The engine acting in a project (immutable: one per project is kept)."""
    return Principal.system(organization_id, project_id, name="engine")


def transition(
    tx: Session,
    run: RunRow,
    to: RunStatus,
    *,
    who: Principal | None = None,
    stop_reason: str | None = None,
    **fields: Any,
) -> None:
    """Move `run` to `to` (Conflict when the table forbids it) with audit and outbox."""
    before = run.status
    stop_before = run.stop_reason
    check(before, to, stop_reason)
    now = utcnow()
    run.status = to
    run.stop_reason = stop_reason
    run.update_time = now
    if to == RunStatus.RUNNING and run.start_time is None:
        run.start_time = now
    if to in TERMINAL:
        run.end_time = now
        run.lease_owner = None
        run.lease_expires_at = None
    for name, value in fields.items():
        setattr(run, name, value)
    if to == RunStatus.PENDING:
        notify_runs_ready(tx)
    if to in TERMINAL and run.parent_run_id is not None:
        wake_parent(tx, run.parent_run_id, run.parent_step_id)
    record(
        tx,
        who or system_principal(run),
        RunRef(
            id=run.id,
            organization_id=run.organization_id,
            project_id=run.project_id,
            environment_id=run.environment_id,
            automation_id=run.automation_id,
        ),
        before,
        to,
        stop_before,
        stop_reason,
    )


def check(before: str, to: RunStatus, stop_reason: str | None) -> None:
    """Conflict unless the table allows `before` → `to` with `stop_reason`."""
    allowed = TRANSITIONS.get((before, to))
    if allowed is None or stop_reason not in allowed:
        raise Conflict(f"a {before} run cannot become {to}")


@dataclass(frozen=True, kw_only=True)
class RunRef:
    """What a transition's audit row and event name of a run."""

    id: str
    organization_id: str
    project_id: str
    environment_id: str | None
    automation_id: str | None


def record(
    tx: Session,
    actor: Principal,
    run: RunRef,
    before: str,
    to: RunStatus,
    stop_before: str | None,
    stop_reason: str | None,
) -> None:
    """The audit row and outbox event of a transition the caller has written (and checked):
    `transition` for a loaded run, the engine's claim and completion for rows they update
    with one statement."""
    changes: dict[str, Any] = {"status": {"from": before, "to": to}}
    if stop_reason or stop_before:
        changes["stop_reason"] = {"from": stop_before, "to": stop_reason}
    # Chained by the background chainer: every run's transitions would otherwise queue on
    # the project's chain head (core/audit.py).
    audit.record(
        tx,
        actor,
        "run.status_changed",
        "run",
        run.id,
        changes,
        project_id=run.project_id,
        chained=False,
    )
    events.emit(
        tx,
        actor,
        EVENTS[to],
        "run",
        run.id,
        {
            "id": run.id,
            "status": to,
            "stop_reason": stop_reason,
            "automation_id": run.automation_id,
        },
        project_id=run.project_id,
        environment_id=run.environment_id,
    )


def wake_parent(tx: Session, parent_run_id: str, parent_step_id: str | None) -> None:
    """A child run ended: its parent, waiting at the child's step, becomes ready."""
    parent = tx.execute(
        select(RunRow).where(RunRow.id == parent_run_id).with_for_update()
    ).scalar_one_or_none()
    if (
        parent is not None
        and parent.status == RunStatus.WAITING
        and parent.stop_reason != "paused"
        and parent.cursor == parent_step_id
    ):
        transition(tx, parent, RunStatus.PENDING, available_at=utcnow())
