"""Approval records beyond a single decision: their defaults, the audit of each request,
decision and escalation, the timeouts the sweeper settles (escalation, expiry), and the
expiry of the open approvals of a cancelled run or external execution."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from kanri.core import audit, events
from kanri.core.auth import Principal
from kanri.core.time import utcnow
from kanri.engine.approval_states import OPEN, move, raise_severity
from kanri.engine.models import ApprovalRow, RunRow
from kanri.engine.ports import ports
from kanri.engine.states import system_principal, transition
from kanri.engine.statuses import ApprovalStatus, RunStatus

FAR_FUTURE = datetime(9999, 12, 31, tzinfo=UTC)
SWEEP_BATCH = 200


def new_fields(approval: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The columns of a new approval beyond what its requester gave (defaults, history)."""
    fields = {
        "source": "step",
        "severity": "medium",
        "policy_id": None,
        "rule_id": None,
        "escalate_to": [],
        "timeout_seconds": None,
        "escalations": 0,
        **approval,
    }
    fields["due_time"] = fields.get("deadline") or FAR_FUTURE
    fields["history"] = [
        {"type": "requested", "time": now.isoformat(), "severity": fields["severity"]}
    ]
    return fields


def subject(row: ApprovalRow) -> tuple[str, str]:
    """What the approval's audit rows are filed under: its run or its external execution."""
    if row.run_id is not None:
        return "run", row.run_id
    return "external_execution", row.external_execution_id or row.id


def record_requested(tx: Session, who: Principal, row: ApprovalRow) -> None:
    resource_type, resource_id = subject(row)
    audit.record(
        tx,
        who,
        "approval.requested",
        resource_type,
        resource_id,
        {
            "approval_id": {"to": row.id},
            "source": {"to": row.source},
            "severity": {"to": row.severity},
            "policy_id": {"to": row.policy_id},
            "rule_id": {"to": row.rule_id},
            "step_id": {"to": row.step_id},
        },
        project_id=row.project_id,
    )
    events.emit(
        tx,
        who,
        "approval.requested",
        "approval",
        row.id,
        {
            "id": row.id,
            "run_id": row.run_id,
            "external_execution_id": row.external_execution_id,
            "step_id": row.step_id,
            "severity": row.severity,
            "approvers": row.approvers,
        },
        project_id=row.project_id,
    )


def record_decided(
    tx: Session,
    who: Principal,
    row: ApprovalRow,
    outcome: ApprovalStatus,
    before: str,
    comment: str = "",
) -> None:
    """One audit row per decision: approver and outcome."""
    resource_type, resource_id = subject(row)
    audit.record(
        tx,
        who,
        "approval.decided",
        resource_type,
        resource_id,
        {
            "approval_id": {"to": row.id},
            "approver": {"to": who.actor["id"]},
            "outcome": {"to": outcome},
            "status": {"from": before, "to": row.status},
            "comment": {"to": comment},
        },
        project_id=row.project_id,
    )


def _wake(tx: Session, row: ApprovalRow, who: Principal | None = None) -> None:
    """A run waiting on this (settled) approval becomes ready, unless it is paused."""
    if row.run_id is None or row.source not in ("step", "policy"):
        return
    run = tx.get(RunRow, row.run_id)
    if run is not None and run.status == RunStatus.WAITING and run.stop_reason != "paused":
        transition(tx, run, RunStatus.PENDING, who=who, available_at=utcnow())


def settled(tx: Session, who: Principal, row: ApprovalRow) -> None:
    """After a decision settled the approval: wake its run."""
    _wake(tx, row, who)


def escalate(tx: Session, who: Principal, row: ApprovalRow, reason: str) -> None:
    """Raise severity, add the escalation approvers, extend the deadline; audit and event."""
    now = utcnow()
    before = row.severity
    move(row, ApprovalStatus.ESCALATED)
    row.severity = raise_severity(row.severity)
    row.escalations += 1
    if row.approvers and row.escalate_to:
        row.approvers = list(dict.fromkeys([*row.approvers, *row.escalate_to]))
    if row.timeout_seconds:
        row.deadline = now + timedelta(seconds=row.timeout_seconds)
    row.due_time = row.deadline or FAR_FUTURE
    row.history = [
        *row.history,
        {
            "type": "escalated",
            "time": now.isoformat(),
            "reason": reason,
            "severity": row.severity,
            "deadline": row.deadline.isoformat() if row.deadline else None,
            "approvers": row.approvers,
        },
    ]
    row.update_time = now
    resource_type, resource_id = subject(row)
    audit.record(
        tx,
        who,
        "approval.escalated",
        resource_type,
        resource_id,
        {
            "approval_id": {"to": row.id},
            "severity": {"from": before, "to": row.severity},
            "reason": {"to": reason},
        },
        project_id=row.project_id,
    )
    events.emit(
        tx,
        who,
        "approval.escalated",
        "approval",
        row.id,
        {
            "id": row.id,
            "run_id": row.run_id,
            "external_execution_id": row.external_execution_id,
            "severity": row.severity,
            "approvers": row.approvers,
            "notify": row.escalate_to or row.approvers,
            "deadline": row.deadline,
        },
        project_id=row.project_id,
    )


def time_out(tx: Session, row: ApprovalRow, *, wake: bool = True) -> None:
    """Apply the approval's `on_timeout`: escalate (once), approve, or expire it."""
    who = _principal(tx, row)
    if row.on_timeout == "escalate" and row.escalations == 0:
        escalate(tx, who, row, "timed out")
        return
    before = row.status
    outcome = ApprovalStatus.APPROVED if row.on_timeout == "approve" else ApprovalStatus.EXPIRED
    now = utcnow()
    move(row, outcome)
    decision = {"by": "system", "outcome": outcome, "comment": "timed out", "time": now.isoformat()}
    row.decisions = [*row.decisions, decision]
    row.history = [*row.history, {"type": "decision", **decision}]
    row.update_time = now
    record_decided(tx, who, row, outcome, before, "timed out")
    if wake:
        _wake(tx, row, who)


def _principal(tx: Session, row: ApprovalRow) -> Principal:
    run = tx.get(RunRow, row.run_id) if row.run_id else None
    if run is not None:
        return system_principal(run)
    project = ports().projects.project_settings(tx, row.project_id)
    organization_id = project.organization_id if project is not None else ""
    return Principal.system(organization_id, row.project_id, name="governance")


def settle_timeouts(tx: Session) -> int:
    """Approvals past their deadline that no run wake settles: those that escalate on timeout
    (escalated once, then expired) and external executions' approvals. Returns how many."""
    stmt = (
        select(ApprovalRow)
        .where(
            ApprovalRow.status.in_(OPEN),
            ApprovalRow.deadline.is_not(None),
            ApprovalRow.deadline <= utcnow(),
            or_(ApprovalRow.on_timeout == "escalate", ApprovalRow.run_id.is_(None)),
        )
        .order_by(ApprovalRow.deadline)
        .limit(SWEEP_BATCH)
    )
    if tx.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    rows = list(tx.execute(stmt).scalars())
    for row in rows:
        time_out(tx, row)
    return len(rows)


def expire_open(tx: Session, who: Principal, of: ColumnElement[bool], now: datetime) -> None:
    """Expire the open approvals `of` a run or an external execution that `who` cancelled
    (each notes the cancellation in its history)."""
    for approval in tx.execute(
        select(ApprovalRow).where(of, ApprovalRow.status.in_(OPEN))
    ).scalars():
        move(approval, ApprovalStatus.EXPIRED)
        approval.history = [
            *approval.history,
            {"type": "cancelled", "by": who.actor["id"], "time": now.isoformat()},
        ]
        approval.update_time = now
