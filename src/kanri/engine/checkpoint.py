"""A step's checkpoint, written alone (a failure, a step with effects written on its own),
and parking a run at a step: waiting until a time, for an approval or for a child run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from kanri.core import events
from kanri.core.auth import Principal
from kanri.core.ids import new_id
from kanri.core.time import utcnow
from kanri.engine import approvals
from kanri.engine.fencing import fenced
from kanri.engine.models import ApprovalRow, RunRow, RunStepRow
from kanri.engine.ports import ports
from kanri.engine.registry import ChildRun
from kanri.engine.states import system_principal, transition
from kanri.engine.statuses import ApprovalStatus, RunStatus, StepStatus


def checkpoint(
    tx: Session,
    *,
    run_id: str,
    attempt: int,
    seq: int,
    step_id: str,
    kind: str,
    status: StepStatus,
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
    if status == StepStatus.COMPLETED:
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
    *,
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
            status=StepStatus.WAITING,
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
            status=ApprovalStatus.PENDING,
            decisions=[],
            triggered_by=run.triggered_by,
            create_time=now,
            update_time=now,
            **approvals.new_fields(approval, now),
        )
        tx.add(row)
        tx.flush()
        approvals.record_requested(tx, system_principal(run), row)
    transition(
        tx, run, RunStatus.WAITING, available_at=until, lease_owner=None, lease_expires_at=None
    )
    return approval_id


def _start_child(tx: Session, parent: RunRow, step_id: str, child: ChildRun) -> str:
    who = Principal(
        organization_id=parent.organization_id,
        project_id=parent.project_id,
        environment_id=parent.environment_id,
        key_id=parent.triggered_by,
        kind="system",
        scopes=frozenset({"*"}),
    )
    child_id = ports().child_runs.start_child(
        tx, who, child.automation, child.inputs, child.version
    )
    row = tx.get(RunRow, child_id)
    assert row is not None
    row.parent_run_id = parent.id
    row.parent_step_id = step_id
    return child_id
