"""Where the engine meets the evaluator: what a run's policies read of it (read with its
claim), the verdict on each action, the audit of each evaluation. This module is the
engine's `Policies` port (`kanri.engine.ports`), which the agent loop asks too for its tool
calls."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from kanri.agents.estimate import estimate
from kanri.core import audit, ownership
from kanri.core.auth import Principal
from kanri.core.ids import looks_like_id
from kanri.core.time import utcnow
from kanri.engine import fencing
from kanri.engine.ports import Verdict
from kanri.engine.states import system_principal
from kanri.governance import evaluator


@dataclass(frozen=True, kw_only=True)
class RunFacts:
    """A run as the policies see it: the project's policies and what rules read of it."""

    policies: evaluator.PolicySet
    automation: str | None
    agent: str | None
    environment: str | None
    labels: dict[str, Any]
    inputs: dict[str, Any]
    # USD, what its model calls may spend (kanri.agents.estimate); None when no rule reads it.
    estimated_cost: float | None


def load(tx: Session, project_ids: set[str]) -> dict[str, Any]:
    """The policies of each project (one batch of claimed runs' projects)."""
    return dict(evaluator.load_many(tx, project_ids))


def facts(tx: Session, run: Any, policies: evaluator.PolicySet) -> RunFacts | None:
    """What the project's policies read of `run`; None when no policy has rules."""
    if policies.empty:
        return None
    inputs = dict(run.inputs or {})
    return RunFacts(
        policies=policies,
        automation=ownership.name_of(tx, run.project_id, run.automation_id),
        agent=ownership.name_of(tx, run.project_id, run.agent_id),
        environment=ownership.name_of(tx, run.project_id, run.environment_id),
        labels=dict(run.labels or {}),
        inputs=inputs,
        # Priced only when a rule reads it (price look-ups per model-calling step).
        estimated_cost=estimate(tx, run.project_id, dict(run.definition or {}), inputs, utcnow())
        if policies.reads("estimated_cost")
        else None,
    )


def agent_name(tx: Session, project_id: str, ref: str) -> str:
    """The name of the project's agent `ref` (an id or already a name)."""
    if not looks_like_id(ref, "agt"):
        return ref
    return ownership.name_of(tx, project_id, ref) or ref


def gates_calls(run: RunFacts | None) -> bool:
    """True when some rule applies to steps, tool calls or HTTP calls."""
    return run is not None and run.policies.targets_calls


def decide(
    run: RunFacts,
    action: str,
    *,
    step_kind: str | None = None,
    http_host: str | None = None,
    agent: str | None = None,
    tool: str | None = None,
) -> Verdict:
    """The verdict on `action` for `run` (`agent`: an agent step's own agent)."""
    context = evaluator.context_for(
        action,
        automation=run.automation,
        agent=agent or run.agent,
        environment=run.environment,
        labels=run.labels,
        inputs=run.inputs,
        estimated_cost=run.estimated_cost,
        step_kind=step_kind,
        tool=tool,
        http_host=http_host,
    )
    decision = evaluator.decide(run.policies, context)
    return Verdict(
        decision=decision.decision,
        reasons=list(decision.reasons),
        policy=decision.policy,
        rule=decision.rule,
        severity=decision.severity,
        approval=decision.approval,
        considered=decision.considered,
        evidence=evaluation_changes(context, decision),
    )


def evaluation_changes(
    context: dict[str, Any], decision: evaluator.Decision, step_id: str | None = None
) -> dict[str, Any]:
    """How a `policy.evaluated` audit row reads."""
    return {
        "action": {"to": context.get("action")},
        "step_id": {"to": step_id},
        "step_kind": {"to": (context.get("step") or {}).get("kind")},
        "tool": {"to": context.get("tool")},
        "http_host": {"to": (context.get("http") or {}).get("host")},
        "decision": {"to": decision.decision},
        "policy_id": {"to": decision.policy},
        "rule_id": {"to": decision.rule},
        "severity": {"to": decision.severity},
        "reasons": {"to": decision.reasons},
    }


def record(tx: Session, run_id: str, attempt: int, step_id: str | None, verdict: Verdict) -> None:
    """Audit one evaluation on the run (fenced: a worker that lost the run writes nothing)."""
    run = fencing.fenced(tx, run_id, attempt)
    who: Principal = system_principal(run)
    changes = {**(verdict.evidence or {}), "step_id": {"to": step_id}}
    audit.record(
        tx,
        who,
        "policy.evaluated",
        "run",
        run.id,
        changes,
        project_id=run.project_id,
        chained=False,  # with the run's transitions: chained by the background chainer
    )
