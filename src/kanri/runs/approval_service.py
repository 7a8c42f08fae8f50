"""Business rules of approvals as the API sees them: reading them, deciding them, and the
escalations people raise on a run (the engine's side of approvals is in approvals.py)."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from kanri.core import audit, events
from kanri.core.auth import Principal
from kanri.core.errors import Conflict, Forbidden, not_found
from kanri.core.filtering import FilterField, FilterSpec
from kanri.core.ids import new_id
from kanri.core.pagination import ListParams, Page, paginate
from kanri.core.scoping import scoped
from kanri.core.time import utcnow
from kanri.engine import approvals
from kanri.engine.approval_states import OPEN, move
from kanri.engine.models import ApprovalRow
from kanri.engine.statuses import ApprovalStatus
from kanri.runs import schemas
from kanri.runs.service import run_row

# What a person decides on an approval.
Outcome = Literal[ApprovalStatus.APPROVED, ApprovalStatus.REJECTED]

APPROVAL_FILTERS = FilterSpec(
    {
        "id": FilterField(ApprovalRow.id),
        "status": FilterField(ApprovalRow.status),
        "run_id": FilterField(ApprovalRow.run_id),
        "automation_id": FilterField(ApprovalRow.automation_id),
        "external_execution_id": FilterField(ApprovalRow.external_execution_id),
        "source": FilterField(ApprovalRow.source),
        "severity": FilterField(ApprovalRow.severity),
        "policy_id": FilterField(ApprovalRow.policy_id),
        # Sorted by `due_time` (the deadline; none: last) so it can page without nulls.
        "deadline": FilterField(ApprovalRow.due_time, "timestamp"),
        "create_time": FilterField(ApprovalRow.create_time, "timestamp"),
    }
)


def _approvals(who: Principal) -> Select[ApprovalRow]:
    return scoped(select(ApprovalRow), who)


def approval_row(
    tx: Session, who: Principal, approval_id: str, *, lock: bool = False
) -> ApprovalRow:
    stmt = _approvals(who).where(ApprovalRow.id == approval_id)
    if lock:
        stmt = stmt.with_for_update()  # concurrent decisions on PostgreSQL queue here
    row = tx.execute(stmt).scalar_one_or_none()
    if row is None:
        raise not_found("approval", approval_id)
    return row


def get_approval(tx: Session, who: Principal, approval_id: str) -> schemas.Approval:
    return schemas.Approval.model_validate(approval_row(tx, who, approval_id))


def list_approvals(tx: Session, who: Principal, params: ListParams) -> Page[schemas.Approval]:
    page = paginate(
        tx,
        _approvals(who),
        APPROVAL_FILTERS,
        params,
        id_column=ApprovalRow.id,
        default_order="create_time desc",
    )
    return page.map(schemas.Approval.model_validate)


def decide(
    tx: Session,
    who: Principal,
    approval_id: str,
    outcome: Outcome,
    body: schemas.Decision,
) -> schemas.Approval:
    """Record one approver's decision exactly once; settle the approval and wake its run.

    The same decision again by the same approver replays the stored approval; a different
    one is a Conflict. `required_approvals` distinct approvers settle it; one rejection ends
    it. The key that triggered the run (or asked for the approval) cannot decide it.
    """
    row = approval_row(tx, who, approval_id, lock=True)
    actor = who.actor["id"]
    mine = [d for d in row.decisions if d.get("by") == actor]
    if mine:
        if mine[0]["outcome"] == outcome:
            return schemas.Approval.model_validate(row)  # the stored answer, again
        raise Conflict(f"you already decided '{mine[0]['outcome']}' on this approval")
    if row.status not in OPEN:
        raise Conflict(f"the approval is already {row.status}")
    if actor == row.triggered_by and not row.allow_self_approval:
        raise Forbidden(
            "self-approval is not allowed: this key started the run or asked for the approval"
        )
    if row.approvers and actor not in row.approvers:
        raise Forbidden("this key is not among the approval's approvers")
    now = utcnow()
    before = row.status
    decision = {"by": actor, "outcome": outcome, "comment": body.comment, "time": now.isoformat()}
    row.decisions = [*row.decisions, decision]
    row.history = [*row.history, {"type": "decision", **decision}]
    row.update_time = now
    if outcome == ApprovalStatus.REJECTED:
        move(row, ApprovalStatus.REJECTED)
    elif (
        sum(1 for d in row.decisions if d["outcome"] == ApprovalStatus.APPROVED)
        >= row.required_approvals
    ):
        move(row, ApprovalStatus.APPROVED)
    approvals.record_decided(tx, who, row, outcome, before, body.comment)
    events.emit(
        tx,
        who,
        f"approval.{outcome}",
        "approval",
        row.id,
        {
            "id": row.id,
            "run_id": row.run_id,
            "external_execution_id": row.external_execution_id,
            "status": row.status,
            "by": actor,
        },
        project_id=row.project_id,
    )
    if row.status not in OPEN:
        approvals.settled(tx, who, row)
    tx.flush()
    return schemas.Approval.model_validate(row)


def escalate(
    tx: Session, who: Principal, run_id: str, body: schemas.Escalation
) -> schemas.Approval:
    """An escalation record (an approval people acknowledge) and a `run.escalated` event;
    the run itself carries on."""
    run = run_row(tx, who, run_id)
    now = utcnow()
    row = ApprovalRow(
        id=new_id("apr"),
        project_id=run.project_id,
        run_id=run.id,
        automation_id=run.automation_id,
        # Never the step's own id: the run's approval at that step must stay the one it reads.
        step_id="escalation",
        run_attempt_key=new_id("esc"),
        status=ApprovalStatus.PENDING,
        message=body.reason,
        approvers=[],
        required_approvals=1,
        decisions=[],
        allow_self_approval=False,
        on_timeout="reject",
        triggered_by=who.actor["id"],
        deadline=None,
        create_time=now,
        update_time=now,
        **approvals.new_fields({"source": "escalation", "severity": body.severity}, now),
    )
    row.history = [
        {**row.history[0], "reason": body.reason, "by": who.actor["id"], "at_step": run.cursor}
    ]
    tx.add(row)
    tx.flush()
    audit.record(
        tx,
        who,
        "run.escalated",
        "run",
        run.id,
        {
            "approval_id": {"to": row.id},
            "severity": {"to": body.severity},
            "reason": {"to": body.reason},
        },
    )
    approvals.record_requested(tx, who, row)
    events.emit(
        tx,
        who,
        "run.escalated",
        "run",
        run.id,
        {"id": run.id, "approval_id": row.id, "severity": body.severity, "reason": body.reason},
        environment_id=run.environment_id,
    )
    return schemas.Approval.model_validate(row)
