"""Business rules of policies: their rules and attachments, the project's default policy,
and the pre-check (the verdict the engine would reach, audited on its subject)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from kanri.agents.estimate import estimate
from kanri.automations import service as automations
from kanri.core import audit, events, ownership
from kanri.core.auth import Principal
from kanri.core.errors import Conflict, FieldError, ValidationFailed, not_found
from kanri.core.filtering import FilterField, FilterSpec
from kanri.core.ids import new_id
from kanri.core.pagination import ListParams, Page, paginate
from kanri.core.scoping import find_by_ref, scoped
from kanri.core.time import utcnow
from kanri.governance import evaluator, expressions, schemas
from kanri.governance.gate import evaluation_changes
from kanri.governance.models import PolicyDefaultRow, PolicyExceptionRow, PolicyRow

POLICY_FILTERS = FilterSpec(
    {
        "id": FilterField(PolicyRow.id),
        "name": FilterField(PolicyRow.name),
        "enabled": FilterField(PolicyRow.enabled, "boolean"),
        "create_time": FilterField(PolicyRow.create_time, "timestamp"),
        "update_time": FilterField(PolicyRow.update_time, "timestamp"),
    }
)
MAX_POLICIES = 200


# ---------------------------------------------------------------- policies


def _policies(who: Principal) -> Select[PolicyRow]:
    return scoped(select(PolicyRow), who)


def policy_row(tx: Session, who: Principal, ref: str, *, field: str | None = None) -> PolicyRow:
    """The policy `ref` (id or name) of who's project; NotFound (or 422 on `field`)."""
    row = find_by_ref(tx, PolicyRow, ref, who, prefix="pol", name_column=PolicyRow.name)
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


# ---------------------------------------------------------------- pre-check


def environment_name(tx: Session, who: Principal) -> str | None:
    """The name of the environment who's key acts in (None for keys without one)."""
    if who.environment_id is None:
        return None
    return ownership.name_of(tx, who.project(), who.environment_id)


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
        environment=ctx.environment or environment_name(tx, who),
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
