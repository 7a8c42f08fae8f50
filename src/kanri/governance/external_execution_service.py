"""Business rules of external executions: runs of other engines (n8n and the like) reported
to kanri, their approvals on the terms of policy, cancellation and escalation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from kanri.audit import service as audit_service
from kanri.core import audit, events
from kanri.core.auth import Principal
from kanri.core.errors import Conflict, FieldError, Forbidden, ValidationFailed, not_found
from kanri.core.filtering import FilterField, FilterSpec
from kanri.core.ids import new_id
from kanri.core.pagination import ListParams, Page, paginate
from kanri.core.scoping import scoped
from kanri.core.time import utcnow
from kanri.engine import approvals
from kanri.engine.approval_states import OPEN
from kanri.engine.models import ApprovalRow
from kanri.engine.statuses import ApprovalStatus
from kanri.governance import evaluator, schemas
from kanri.governance.gate import evaluation_changes
from kanri.governance.models import ExternalExecutionRow
from kanri.governance.policy_service import environment_name
from kanri.runs import schemas as run_schemas

EXTERNAL_FILTERS = FilterSpec(
    {
        "id": FilterField(ExternalExecutionRow.id),
        "engine": FilterField(ExternalExecutionRow.engine),
        "workflow_id": FilterField(ExternalExecutionRow.workflow_id),
        "execution_id": FilterField(ExternalExecutionRow.execution_id),
        "status": FilterField(ExternalExecutionRow.status),
        "started_at": FilterField(ExternalExecutionRow.started_at, "timestamp", sortable=False),
        "create_time": FilterField(ExternalExecutionRow.create_time, "timestamp"),
        "update_time": FilterField(ExternalExecutionRow.update_time, "timestamp"),
    }
)
TERMINAL_EXTERNAL = frozenset({"success", "error", "cancelled"})


def _external(who: Principal) -> Select[ExternalExecutionRow]:
    return scoped(select(ExternalExecutionRow), who)


def external_row(
    tx: Session, who: Principal, execution_id: str, *, lock: bool = False
) -> ExternalExecutionRow:
    stmt = _external(who).where(ExternalExecutionRow.id == execution_id)
    if lock:
        stmt = stmt.with_for_update()
    row = tx.execute(stmt).scalar_one_or_none()
    if row is None:
        raise not_found("external execution", execution_id)
    return row


REPORTED = ("status", "started_at", "finished_at", "duration_ms", "output", "error", "workflow_id")


def report(
    tx: Session, who: Principal, body: schemas.ExternalExecutionReport
) -> tuple[schemas.ExternalExecution, bool]:
    """Upsert by engine + execution_id; True when it was created. A finished execution
    (success, error, cancelled) keeps its status: a different one is a Conflict."""
    stmt = _external(who).where(
        ExternalExecutionRow.engine == body.engine,
        ExternalExecutionRow.execution_id == body.execution_id,
    )
    row = tx.execute(stmt.with_for_update()).scalar_one_or_none()
    now = utcnow()
    values = body.model_dump(include=set(REPORTED))
    if row is None:
        row = ExternalExecutionRow(
            id=new_id("ext"),
            project_id=who.project(),
            engine=body.engine,
            execution_id=body.execution_id,
            reported_by=who.actor["id"],
            create_time=now,
            update_time=now,
            **values,
        )
        tx.add(row)
        tx.flush()
        audit.record(
            tx,
            who,
            "external_execution.created",
            "external_execution",
            row.id,
            {"status": {"to": row.status}, "workflow_id": {"to": row.workflow_id}},
        )
        _emit(tx, who, "external_execution.created", row)
        return schemas.ExternalExecution.model_validate(row), True
    if row.status in TERMINAL_EXTERNAL and body.status != row.status:
        raise Conflict(
            f"the execution is already {row.status}",
            errors=[FieldError("body.status", f"stays {row.status}")],
        )
    before = {name: getattr(row, name) for name in REPORTED}
    for name, value in values.items():
        setattr(row, name, value)
    after = {name: getattr(row, name) for name in REPORTED}
    changes = audit.changes_between(before, after)
    if changes:
        row.update_time = now
        summary = {k: v for k, v in changes.items() if k not in ("output", "error")}
        audit.record(tx, who, "external_execution.updated", "external_execution", row.id, summary)
        _emit(tx, who, "external_execution.updated", row)
    tx.flush()
    return schemas.ExternalExecution.model_validate(row), False


def _emit(tx: Session, who: Principal, event_type: str, row: ExternalExecutionRow) -> None:
    events.emit(
        tx,
        who,
        event_type,
        "external_execution",
        row.id,
        {
            "id": row.id,
            "engine": row.engine,
            "workflow_id": row.workflow_id,
            "execution_id": row.execution_id,
            "status": row.status,
        },
    )


def get_external(tx: Session, who: Principal, execution_id: str) -> schemas.ExternalExecution:
    return schemas.ExternalExecution.model_validate(external_row(tx, who, execution_id))


def list_external(
    tx: Session, who: Principal, params: ListParams
) -> Page[schemas.ExternalExecution]:
    page = paginate(
        tx,
        _external(who),
        EXTERNAL_FILTERS,
        params,
        id_column=ExternalExecutionRow.id,
        default_order="create_time desc",
    )
    return page.map(schemas.ExternalExecution.model_validate)


def _open_approval(tx: Session, row: ExternalExecutionRow, source: str) -> ApprovalRow | None:
    return tx.execute(
        select(ApprovalRow)
        .where(
            ApprovalRow.external_execution_id == row.id,
            ApprovalRow.status.in_(OPEN),
            ApprovalRow.source == source,
        )
        .limit(1)
    ).scalar_one_or_none()


def request_approval(
    tx: Session, who: Principal, execution_id: str, body: schemas.ApprovalAsk
) -> tuple[run_schemas.Approval, bool]:
    """An approval for the execution, on the terms of the policy rule that requires one
    for its workflow (pre-check of `workflow = workflow_id`), overridden by the body. A
    denied workflow is refused (403); an open approval is returned again (False)."""
    row = external_row(tx, who, execution_id, lock=True)
    if row.status in TERMINAL_EXTERNAL:
        raise Conflict(f"the execution is already {row.status}")
    existing = _open_approval(tx, row, "external")
    if existing is not None:
        return run_schemas.Approval.model_validate(existing), False
    context = evaluator.context_for(
        "run", workflow=row.workflow_id, environment=environment_name(tx, who)
    )
    decision = evaluator.evaluate(tx, who.project(), context)
    if decision.decision == "denied":
        raise Forbidden(
            f"policy denies workflow '{row.workflow_id}': {'; '.join(decision.reasons)}",
            policy=decision.policy,
            rule=decision.rule,
        )
    audit.record(
        tx,
        who,
        "policy.evaluated",
        "external_execution",
        row.id,
        evaluation_changes(context, decision),
    )
    terms = decision.approval or {}
    asked = body.model_dump(exclude_none=True)

    def pick(name: str, default: Any) -> Any:
        value = asked.get(name, terms.get(name))
        return default if value is None else value

    timeout = pick("timeout_seconds", None)
    now = utcnow()
    deadline = now + timedelta(seconds=timeout) if timeout else None
    approvers = list(pick("approvers", []))
    required = int(pick("required_approvals", 1))
    if approvers and required > len(approvers):
        raise ValidationFailed(
            "required_approvals is more than the approvers",
            errors=[FieldError("body.required_approvals", f"at most {len(approvers)}")],
        )
    fields = approvals.new_fields(
        {
            "source": "external",
            "severity": asked.get("severity") or decision.severity or "medium",
            "policy_id": decision.policy if decision.approval else None,
            "rule_id": decision.rule if decision.approval else None,
            "escalate_to": list(pick("escalate_to", [])),
            "timeout_seconds": timeout,
            "deadline": deadline,
        },
        now,
    )
    approval = ApprovalRow(
        id=new_id("apr"),
        project_id=row.project_id,
        run_id=None,
        external_execution_id=row.id,
        automation_id=None,
        step_id=f"{row.engine}:{row.workflow_id}"[:100],
        run_attempt_key=new_id("ext"),
        status=ApprovalStatus.PENDING,
        message=body.message or "; ".join(decision.reasons),
        approvers=approvers,
        required_approvals=required,
        decisions=[],
        allow_self_approval=False,
        on_timeout=pick("on_timeout", "reject"),
        triggered_by=who.actor["id"],
        create_time=now,
        update_time=now,
        **fields,
    )
    tx.add(approval)
    tx.flush()
    approvals.record_requested(tx, who, approval)
    return run_schemas.Approval.model_validate(approval), True


def cancel_external(tx: Session, who: Principal, execution_id: str) -> schemas.ExternalExecution:
    """Mark the execution cancelled (its engine learns it by polling) and expire its open
    approvals."""
    row = external_row(tx, who, execution_id, lock=True)
    if row.status in TERMINAL_EXTERNAL:
        raise Conflict(f"the execution is already {row.status}")
    before = row.status
    now = utcnow()
    row.status = "cancelled"
    row.finished_at = row.finished_at or now
    row.update_time = now
    approvals.expire_open(tx, who, ApprovalRow.external_execution_id == row.id, now)
    audit.record(
        tx,
        who,
        "external_execution.cancelled",
        "external_execution",
        row.id,
        {"status": {"from": before, "to": "cancelled"}},
    )
    _emit(tx, who, "external_execution.cancelled", row)
    tx.flush()
    return schemas.ExternalExecution.model_validate(row)


def escalate_external(
    tx: Session, who: Principal, execution_id: str, body: schemas.Escalation
) -> run_schemas.Approval:
    """An escalation record for the execution (severity, reason) and its event."""
    row = external_row(tx, who, execution_id)
    now = utcnow()
    approval = ApprovalRow(
        id=new_id("apr"),
        project_id=row.project_id,
        run_id=None,
        external_execution_id=row.id,
        automation_id=None,
        step_id=f"{row.engine}:{row.workflow_id}"[:100],
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
    tx.add(approval)
    tx.flush()
    audit.record(
        tx,
        who,
        "external_execution.escalated",
        "external_execution",
        row.id,
        {
            "approval_id": {"to": approval.id},
            "severity": {"to": body.severity},
            "reason": {"to": body.reason},
        },
    )
    approvals.record_requested(tx, who, approval)
    events.emit(
        tx,
        who,
        "external_execution.escalated",
        "external_execution",
        row.id,
        {
            "id": row.id,
            "approval_id": approval.id,
            "severity": body.severity,
            "reason": body.reason,
        },
    )
    return run_schemas.Approval.model_validate(approval)


def audit_trail(tx: Session, who: Principal, execution_id: str, params: ListParams) -> Page[Any]:
    row = external_row(tx, who, execution_id)
    return audit_service.list_resource(tx, who, "external_execution", row.id, params)
