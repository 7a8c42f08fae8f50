"""Business rules of governance: policies, the default policy, exceptions, pre-checks and
external executions (and their approvals)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from kanri.automations import service as automations
from kanri.core import audit, events
from kanri.core.auth import Principal
from kanri.core.errors import Conflict, FieldError, Forbidden, ValidationFailed, not_found
from kanri.core.filtering import FilterField, FilterSpec
from kanri.core.ids import looks_like_id, new_id
from kanri.core.pagination import ListParams, Page, paginate
from kanri.core.scoping import scoped
from kanri.core.time import utcnow
from kanri.costs.estimate import estimate
from kanri.governance import evaluator, expressions, schemas
from kanri.governance.gate import evaluation_changes
from kanri.governance.models import (
    ExternalExecutionRow,
    PolicyDefaultRow,
    PolicyExceptionRow,
    PolicyRow,
)
from kanri.runs import approvals
from kanri.runs import schemas as run_schemas
from kanri.runs.approvals import OPEN
from kanri.runs.models import ApprovalRow
from kanri.tenancy.models import EnvironmentRow

POLICY_FILTERS = FilterSpec(
    {
        "id": FilterField(PolicyRow.id),
        "name": FilterField(PolicyRow.name),
        "enabled": FilterField(PolicyRow.enabled, "boolean"),
        "create_time": FilterField(PolicyRow.create_time, "timestamp"),
        "update_time": FilterField(PolicyRow.update_time, "timestamp"),
    }
)
EXCEPTION_FILTERS = FilterSpec(
    {
        "id": FilterField(PolicyExceptionRow.id),
        "policy_id": FilterField(PolicyExceptionRow.policy_id),
        "rule_id": FilterField(PolicyExceptionRow.rule_id),
        "expires_at": FilterField(PolicyExceptionRow.expires_at, "timestamp"),
        "create_time": FilterField(PolicyExceptionRow.create_time, "timestamp"),
    }
)
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
MAX_POLICIES = 200
MAX_EXCEPTION_DAYS = 366
TERMINAL_EXTERNAL = frozenset({"success", "error", "cancelled"})


# ---------------------------------------------------------------- policies


def _policies(who: Principal) -> Select[PolicyRow]:
    return scoped(select(PolicyRow), who)


def policy_row(tx: Session, who: Principal, ref: str, *, field: str | None = None) -> PolicyRow:
    """The policy `ref` (id or name) of who's project; NotFound (or 422 on `field`)."""
    column = PolicyRow.id if looks_like_id(ref, "pol") else PolicyRow.name
    row = tx.execute(_policies(who).where(column == ref)).scalar_one_or_none()
    if row is None:
        if field is not None:
            raise ValidationFailed(
                f"policy '{ref}' not found", errors=[FieldError(field, "no such policy")]
            )
        raise not_found("policy", ref)
    return row


def _default_id(tx: Session, project_id: str) -> str | None:
    return tx.execute(
        select(PolicyDefaultRow.policy_id).where(PolicyDefaultRow.project_id == project_id)
    ).scalar_one_or_none()


def _out(row: PolicyRow, default_id: str | None) -> schemas.Policy:
    policy = schemas.Policy.model_validate(row)
    policy.is_default = row.id == default_id
    return policy


def _rules(rules: list[schemas.Rule]) -> list[dict[str, Any]]:
    """Rules as stored: ids given or generated, `when` checked; 422 names the rule field."""
    stored: list[dict[str, Any]] = []
    errors: list[FieldError] = []
    seen: set[str] = set()
    for position, rule in enumerate(rules):
        where = f"body.rules.{position}"
        try:
            expressions.parse(rule.when)
        except expressions.InvalidExpression as exc:
            errors.append(FieldError(f"{where}.when", str(exc)))
        rule_id = rule.id or f"rule-{new_id('r')[-10:].lower()}"
        if rule_id in seen:
            errors.append(FieldError(f"{where}.id", f"rule id '{rule_id}' is used twice"))
        seen.add(rule_id)
        stored.append({**rule.model_dump(exclude_none=True), "id": rule_id, "when": rule.when})
    if errors:
        raise ValidationFailed("the policy's rules are invalid", errors=errors)
    return stored


def create_policy(tx: Session, who: Principal, body: schemas.PolicyCreate) -> schemas.Policy:
    """A new policy; rules are checked (fields, syntax) before anything is written."""
    rules = _rules(body.rules)
    count = len(tx.execute(_policies(who).with_only_columns(PolicyRow.id)).all())
    if count >= MAX_POLICIES:
        raise Conflict(f"a project holds at most {MAX_POLICIES} policies")
    _name_free(tx, who, body.name)
    now = utcnow()
    row = PolicyRow(
        id=new_id("pol"),
        project_id=who.project(),
        name=body.name,
        description=body.description,
        enabled=body.enabled,
        rules=rules,
        attachments=body.attachments.model_dump(),
        create_time=now,
        update_time=now,
    )
    tx.add(row)
    tx.flush()
    audit.record(
        tx,
        who,
        "policy.created",
        "policy",
        row.id,
        {"name": {"to": row.name}, "rules": {"to": rules}},
    )
    events.emit(tx, who, "policy.created", "policy", row.id, {"id": row.id, "name": row.name})
    return _out(row, _default_id(tx, row.project_id))


def _name_free(tx: Session, who: Principal, name: str) -> None:
    if tx.execute(_policies(who).where(PolicyRow.name == name)).first() is not None:
        raise Conflict(
            f"a policy named '{name}' already exists",
            errors=[FieldError("body.name", "already used in this project")],
        )


def get_policy(tx: Session, who: Principal, ref: str) -> schemas.Policy:
    row = policy_row(tx, who, ref)
    return _out(row, _default_id(tx, row.project_id))


def list_policies(tx: Session, who: Principal, params: ListParams) -> Page[schemas.Policy]:
    page = paginate(
        tx,
        _policies(who),
        POLICY_FILTERS,
        params,
        id_column=PolicyRow.id,
        default_order="create_time",
    )
    default_id = _default_id(tx, who.project())
    return page.map(lambda row: _out(row, default_id))


FIELDS = ("name", "description", "enabled", "rules", "attachments")


def update_policy(
    tx: Session, who: Principal, ref: str, body: schemas.PolicyUpdate
) -> schemas.Policy:
    row = policy_row(tx, who, ref)
    before = {name: getattr(row, name) for name in FIELDS}
    if body.rules is not None:
        row.rules = _rules(body.rules)
    if body.name is not None and body.name != row.name:
        _name_free(tx, who, body.name)
        row.name = body.name
    if body.description is not None:
        row.description = body.description
    if body.enabled is not None:
        row.enabled = body.enabled
    if body.attachments is not None:
        row.attachments = body.attachments.model_dump()
    changes = audit.changes_between(before, {name: getattr(row, name) for name in FIELDS})
    if changes:
        row.update_time = utcnow()
        audit.record(tx, who, "policy.updated", "policy", row.id, changes)
        events.emit(tx, who, "policy.updated", "policy", row.id, {"id": row.id, "name": row.name})
    tx.flush()
    return _out(row, _default_id(tx, row.project_id))


def delete_policy(tx: Session, who: Principal, ref: str) -> None:
    """Delete a policy and its exceptions; the default policy cannot go (set another first)."""
    row = policy_row(tx, who, ref)
    if _default_id(tx, row.project_id) == row.id:
        raise Conflict("this is the project's default policy: set another default first")
    tx.execute(PolicyExceptionRow.__table__.delete().where(PolicyExceptionRow.policy_id == row.id))  # type: ignore[attr-defined]
    tx.delete(row)
    audit.record(tx, who, "policy.deleted", "policy", row.id, {"name": {"from": row.name}})
    events.emit(tx, who, "policy.deleted", "policy", row.id, {"id": row.id, "name": row.name})


def get_default(tx: Session, who: Principal) -> schemas.DefaultPolicy:
    return schemas.DefaultPolicy(policy=_default_id(tx, who.project()))


def set_default(tx: Session, who: Principal, body: schemas.DefaultPolicy) -> schemas.DefaultPolicy:
    """Make one policy the project's default (null: none)."""
    project_id = who.project()
    current = tx.get(PolicyDefaultRow, project_id)
    before = current.policy_id if current is not None else None
    if body.policy is None:
        if current is not None:
            tx.delete(current)
    else:
        row = policy_row(tx, who, body.policy, field="body.policy")
        if current is None:
            tx.add(PolicyDefaultRow(project_id=project_id, policy_id=row.id, update_time=utcnow()))
        else:
            current.policy_id = row.id
            current.update_time = utcnow()
    after = None if body.policy is None else policy_row(tx, who, body.policy).id
    if before != after:
        audit.record(
            tx,
            who,
            "policy.default_changed",
            "project",
            project_id,
            {"default_policy": {"from": before, "to": after}},
        )
    tx.flush()
    return schemas.DefaultPolicy(policy=after)


# ---------------------------------------------------------------- exceptions


def _exceptions(who: Principal) -> Select[PolicyExceptionRow]:
    return scoped(select(PolicyExceptionRow), who)


def _exception_out(row: PolicyExceptionRow) -> schemas.PolicyException:
    return schemas.PolicyException(
        id=row.id,
        policy_id=row.policy_id,
        rule_id=row.rule_id,
        scope=row.scope,
        justification=row.justification,
        expires_at=row.expires_at,
        active=row.expires_at > utcnow(),
        created_by=row.created_by,
        create_time=row.create_time,
    )


def create_exception(
    tx: Session, who: Principal, body: schemas.PolicyExceptionCreate
) -> schemas.PolicyException:
    """An exception to one rule until `expires_at` (within a year), optionally scoped."""
    policy = policy_row(tx, who, body.policy, field="body.policy")
    if isinstance(body.rule, int):
        if body.rule > len(policy.rules):
            raise ValidationFailed(
                f"policy '{policy.name}' has {len(policy.rules)} rules",
                errors=[FieldError("body.rule", f"a position from 1 to {len(policy.rules)}")],
            )
        rule_id = policy.rules[body.rule - 1]["id"]
    else:
        ids = [rule["id"] for rule in policy.rules]
        if body.rule not in ids:
            raise ValidationFailed(
                f"policy '{policy.name}' has no rule '{body.rule}'",
                errors=[FieldError("body.rule", f"one of: {', '.join(ids) or '(no rules)'}")],
            )
        rule_id = body.rule
    now = utcnow()
    if body.expires_at <= now:
        raise ValidationFailed(
            "expires_at is in the past", errors=[FieldError("body.expires_at", "must be later")]
        )
    if body.expires_at > now + timedelta(days=MAX_EXCEPTION_DAYS):
        raise ValidationFailed(
            "expires_at is too far away",
            errors=[FieldError("body.expires_at", f"at most {MAX_EXCEPTION_DAYS} days ahead")],
        )
    scope = body.scope.model_dump(exclude_none=True) if body.scope else {}
    row = PolicyExceptionRow(
        id=new_id("pex"),
        project_id=who.project(),
        policy_id=policy.id,
        rule_id=rule_id,
        scope=scope,
        justification=body.justification,
        expires_at=body.expires_at,
        created_by=who.actor["id"],
        create_time=now,
    )
    tx.add(row)
    tx.flush()
    audit.record(
        tx,
        who,
        "policy_exception.created",
        "policy_exception",
        row.id,
        {
            "policy_id": {"to": policy.id},
            "rule_id": {"to": rule_id},
            "scope": {"to": scope},
            "expires_at": {"to": body.expires_at},
            "justification": {"to": body.justification},
        },
    )
    events.emit(
        tx,
        who,
        "policy_exception.created",
        "policy_exception",
        row.id,
        {"id": row.id, "policy_id": policy.id, "rule_id": rule_id},
    )
    return _exception_out(row)


def exception_row(tx: Session, who: Principal, exception_id: str) -> PolicyExceptionRow:
    row = tx.execute(
        _exceptions(who).where(PolicyExceptionRow.id == exception_id)
    ).scalar_one_or_none()
    if row is None:
        raise not_found("policy exception", exception_id)
    return row


def get_exception(tx: Session, who: Principal, exception_id: str) -> schemas.PolicyException:
    return _exception_out(exception_row(tx, who, exception_id))


def list_exceptions(
    tx: Session, who: Principal, params: ListParams
) -> Page[schemas.PolicyException]:
    page = paginate(
        tx,
        _exceptions(who),
        EXCEPTION_FILTERS,
        params,
        id_column=PolicyExceptionRow.id,
        default_order="create_time desc",
    )
    return page.map(_exception_out)


def delete_exception(tx: Session, who: Principal, exception_id: str) -> None:
    row = exception_row(tx, who, exception_id)
    tx.delete(row)
    audit.record(
        tx,
        who,
        "policy_exception.deleted",
        "policy_exception",
        row.id,
        {"rule_id": {"from": row.rule_id}},
    )


# ---------------------------------------------------------------- pre-check


def _environment_name(tx: Session, who: Principal) -> str | None:
    if who.environment_id is None:
        return None
    row = tx.get(EnvironmentRow, who.environment_id)
    return row.name if row is not None else None


def pre_check(tx: Session, who: Principal, body: schemas.PreCheck) -> schemas.PreCheckResult:
    """The verdict the engine would reach; the evaluation is audited on its subject."""
    automation_name = None
    resource: tuple[str, str]
    if body.automation is not None:
        automation = automations.automation_row(tx, who, body.automation)
        automation_name = automation.name
        resource = ("automation", automation.id)
    elif body.agent is not None:
        resource = ("agent", body.agent)
    else:
        resource = ("workflow", str(body.workflow))
    ctx = body.context
    estimated_cost = ctx.estimated_cost
    if estimated_cost is None and body.automation is not None:
        # As the engine will see it: what the published version's model calls may spend.
        definition = automations.published_definition(tx, automation)
        estimated_cost = estimate(tx, who.project(), definition, ctx.inputs or {}, utcnow())
    context = evaluator.context_for(
        body.action,
        automation=automation_name,
        agent=body.agent,
        workflow=body.workflow,
        environment=ctx.environment or _environment_name(tx, who),
        labels=ctx.labels,
        inputs=ctx.inputs,
        estimated_cost=estimated_cost,
        step_kind=ctx.step.kind if ctx.step else None,
        tool=ctx.tool,
        http_host=ctx.http.host if ctx.http else None,
    )
    decision = evaluator.evaluate(tx, who.project(), context)
    audit.record(
        tx, who, "policy.evaluated", resource[0], resource[1], evaluation_changes(context, decision)
    )
    return schemas.PreCheckResult.model_validate(decision.as_dict())


# ---------------------------------------------------------------- external executions


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
        "run", workflow=row.workflow_id, environment=_environment_name(tx, who)
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
        status="pending",
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
    for approval in tx.execute(
        select(ApprovalRow).where(
            ApprovalRow.external_execution_id == row.id, ApprovalRow.status.in_(OPEN)
        )
    ).scalars():
        approval.status = "expired"
        approval.history = [
            *approval.history,
            {"type": "cancelled", "by": who.actor["id"], "time": now.isoformat()},
        ]
        approval.update_time = now
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
        status="pending",
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
    from kanri.audit import service as audit_service

    row = external_row(tx, who, execution_id)
    return audit_service.list_resource(tx, who, "external_execution", row.id, params)
