"""The one policy evaluator: the pre-check API, the engine (before a run and before each
targeted step or HTTP call) and agents (tool calls) all decide through `decide`.

Which policies apply to a context, in this order: those attached to its automation, agent
or external workflow; those attached to its environment; those attached to the project;
then the project's default policy. Within that order the first rule that matches decides;
rules naming `step.kind`, `tool` or `http.host` only take part in step, tool-call and HTTP
evaluations, the others only in run evaluations. No match: approved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, Literal, cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from kanri.core.time import utcnow
from kanri.governance import expressions
from kanri.governance.models import PolicyDefaultRow, PolicyExceptionRow, PolicyRow

Verdict = Literal["approved", "needs_approval", "denied"]


@dataclass(frozen=True)
class CompiledRule:
    id: str
    position: int
    expression: expressions.Expression
    spec: dict[str, Any]


@dataclass(frozen=True)
class CompiledPolicy:
    id: str
    name: str
    rules: tuple[CompiledRule, ...]
    attachments: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class ActiveException:
    id: str
    policy_id: str
    rule_id: str
    scope: dict[str, Any]
    expires_at: datetime


@dataclass(frozen=True)
class PolicySet:
    """A project's enabled policies, its default policy and its unexpired exceptions."""

    policies: tuple[CompiledPolicy, ...] = ()
    default_id: str | None = None
    exceptions: tuple[ActiveException, ...] = ()

    @property
    def empty(self) -> bool:
        return not any(policy.rules for policy in self.policies)

    @property
    def targets_calls(self) -> bool:
        """True when some rule applies to steps, tool calls or HTTP calls."""
        return any(rule.expression.targeted for p in self.policies for rule in p.rules)

    def reads(self, field: str) -> bool:
        """True when some rule's `when` names `field`."""
        return any(field in rule.expression.fields for p in self.policies for rule in p.rules)

    def applicable(self, context: dict[str, Any]) -> list[CompiledPolicy]:
        def attached(policy: CompiledPolicy, kind: str, key: str) -> bool:
            value = context.get(key)
            return value is not None and value in policy.attachments.get(kind, [])

        tiers: list[list[CompiledPolicy]] = [[], [], [], []]
        for policy in self.policies:
            if (
                attached(policy, "automations", "automation")
                or attached(policy, "agents", "agent")
                or attached(policy, "workflows", "workflow")
            ):
                tiers[0].append(policy)
            elif attached(policy, "environments", "environment"):
                tiers[1].append(policy)
            elif policy.attachments.get("project"):
                tiers[2].append(policy)
            elif policy.id == self.default_id:
                tiers[3].append(policy)
        return [policy for tier in tiers for policy in tier]


@dataclass(frozen=True, kw_only=True)
class Decision:
    """The verdict and what decided it; `approval` holds the terms when one is needed."""

    decision: Verdict
    reasons: list[str] = field(default_factory=list)
    policy: str | None = None
    rule: str | None = None
    severity: str | None = None
    approval: dict[str, Any] | None = None
    considered: int = 0  # rules that took part (0: there was nothing to evaluate)

    def as_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "reasons": self.reasons,
            "policy": self.policy,
            "rule": self.rule,
            "severity": self.severity,
            "approval": self.approval,
        }


def context_for(
    action: str,
    *,
    automation: str | None = None,
    agent: str | None = None,
    workflow: str | None = None,
    environment: str | None = None,
    labels: dict[str, Any] | None = None,
    inputs: dict[str, Any] | None = None,
    estimated_cost: float | None = None,
    step_kind: str | None = None,
    tool: str | None = None,
    http_host: str | None = None,
) -> dict[str, Any]:
    """The run context rules are written against (`step.kind`, `http.host`, `labels.*`…)."""
    return {
        "action": action,
        "automation": automation,
        "agent": agent,
        "workflow": workflow,
        "environment": environment,
        "labels": labels or {},
        "inputs": inputs or {},
        "estimated_cost": estimated_cost,
        "step": {"kind": step_kind} if step_kind is not None else None,
        "tool": tool,
        "http": {"host": http_host} if http_host is not None else None,
    }


def _excepted(
    policy_set: PolicySet, policy: CompiledPolicy, rule: CompiledRule, context: dict[str, Any]
) -> bool:
    now = utcnow()
    for exception in policy_set.exceptions:
        if exception.policy_id != policy.id or exception.rule_id != rule.id:
            continue
        if exception.expires_at <= now:
            continue
        if all(context.get(key) == value for key, value in exception.scope.items()):
            return True
    return False


def decide(policy_set: PolicySet, context: dict[str, Any]) -> Decision:
    """The first matching rule's verdict for `context` (pure: no database)."""
    targeted = context.get("action") != "run"
    considered = 0
    for policy in policy_set.applicable(context):
        for rule in policy.rules:
            if rule.expression.targeted != targeted:
                continue
            considered += 1
            if not rule.expression.matches(context):
                continue
            if _excepted(policy_set, policy, rule, context):
                continue
            return _verdict(policy, rule, considered)
    return Decision(decision="approved", considered=considered)


def _verdict(policy: CompiledPolicy, rule: CompiledRule, considered: int) -> Decision:
    spec = rule.spec
    effect = spec["effect"]
    severity = spec.get("severity")
    where = f"rule '{rule.id}' (#{rule.position}) of policy '{policy.name}'"
    if effect == "allow":
        reasons = [spec["reason"]] if spec.get("reason") else []
        return Decision(
            decision="approved",
            reasons=reasons,
            policy=policy.id,
            rule=rule.id,
            severity=severity,
            approval=None,
            considered=considered,
        )
    if effect == "deny":
        return Decision(
            decision="denied",
            reasons=[spec["reason"], where],
            policy=policy.id,
            rule=rule.id,
            severity=severity or "high",
            approval=None,
            considered=considered,
        )
    approvers = spec.get("approvers") or []
    approval = {
        "approvers": approvers,
        "required_approvals": spec.get("required_approvals") or 1,
        "timeout_seconds": spec.get("timeout_seconds"),
        "on_timeout": spec.get("on_timeout") or "reject",
        "escalate_to": spec.get("escalate_to") or [],
    }
    reason = spec.get("reason") or f"{where} requires approval"
    return Decision(
        decision="needs_approval",
        reasons=[reason],
        policy=policy.id,
        rule=rule.id,
        severity=severity or "medium",
        approval=approval,
        considered=considered,
    )


@lru_cache(maxsize=4096)
def _expression(text: str) -> expressions.Expression:
    return expressions.parse(text)


def compile_policy(row: PolicyRow) -> CompiledPolicy:
    rules = tuple(
        CompiledRule(spec["id"], position, _expression(spec.get("when") or ""), spec)
        for position, spec in enumerate(row.rules, start=1)
    )
    return CompiledPolicy(row.id, row.name, rules, row.attachments)


def load(tx: Session, project_id: str) -> PolicySet:
    """The project's enabled policies, default and unexpired exceptions (one read each)."""
    rows = tx.execute(
        select(PolicyRow)
        .where(PolicyRow.project_id == project_id, PolicyRow.enabled.is_(True))
        .order_by(PolicyRow.create_time, PolicyRow.id)
    ).scalars()
    policies = tuple(compile_policy(row) for row in rows)
    if not policies:
        return PolicySet()
    default_id = tx.execute(
        select(PolicyDefaultRow.policy_id).where(PolicyDefaultRow.project_id == project_id)
    ).scalar_one_or_none()
    exceptions = tuple(
        ActiveException(
            id=row.id,
            policy_id=row.policy_id,
            rule_id=row.rule_id,
            scope=row.scope,
            expires_at=row.expires_at,
        )
        for row in tx.execute(
            select(PolicyExceptionRow).where(
                PolicyExceptionRow.project_id == project_id,
                PolicyExceptionRow.expires_at > utcnow(),
            )
        ).scalars()
    )
    return PolicySet(policies, default_id, exceptions)


_POLICIES = cast(Table, PolicyRow.__table__)
# Built once: the claim of every batch of runs asks it.
_WITH_POLICIES = (
    select(_POLICIES.c.project_id)
    .where(_POLICIES.c.project_id.in_(bindparam("ids", expanding=True)))
    .where(_POLICIES.c.enabled.is_(True))
    .distinct()
)


def load_many(tx: Session, project_ids: set[str]) -> dict[str, PolicySet]:
    """`load` for several projects: one read finds those with enabled policies (few, for a
    batch of runs), and only theirs are loaded."""
    with_policies = set(tx.execute(_WITH_POLICIES, {"ids": list(project_ids)}).scalars())
    return {
        project_id: load(tx, project_id) if project_id in with_policies else PolicySet()
        for project_id in project_ids
    }


def evaluate(tx: Session, project_id: str, context: dict[str, Any]) -> Decision:
    """Load the project's policies and decide `context` (build it with `context_for`).

    For agents' tool calls: `evaluate(tx, project_id, context_for("tool_call", agent=…,
    tool=…))`; `needs_approval` carries the approval terms, `denied` the reasons.
    """
    return decide(load(tx, project_id), context)
