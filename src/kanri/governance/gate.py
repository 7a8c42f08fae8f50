"""Where the engine meets the evaluator: the context of a run's facts (read with its claim,
`engine/claim.py`), the audit of each evaluation, and the approval a `needs_approval`
verdict parks the run on."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kanri.agents.models import AgentRow
from kanri.core import audit
from kanri.core.auth import Principal
from kanri.core.ids import looks_like_id
from kanri.core.time import utcnow
from kanri.engine import fencing
from kanri.engine.claim import RunFacts
from kanri.engine.registry import ApprovalRequest, Wait
from kanri.governance import evaluator
from kanri.runs.states import RUN_GATE as RUN_GATE  # where the engine parks a start
from kanri.runs.states import system_principal


def agent_name(tx: Session, project_id: str, ref: str) -> str:
    """The name of the project's agent `ref` (an id or already a name)."""
    if not looks_like_id(ref, "agt"):
        return ref
    name = tx.execute(
        select(AgentRow.name).where(AgentRow.project_id == project_id, AgentRow.id == ref)
    ).scalar_one_or_none()
    return name or ref


def context(
    run: RunFacts,
    action: str,
    *,
    step_kind: str | None = None,
    http_host: str | None = None,
    agent: str | None = None,
    tool: str | None = None,
) -> dict[str, Any]:
    """The evaluation context of `run` for `action` (`agent`: an agent step's own agent)."""
    return evaluator.context_for(
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


def record(
    tx: Session,
    run_id: str,
    attempt: int,
    step_id: str | None,
    context: dict[str, Any],
    decision: evaluator.Decision,
) -> None:
    """Audit one evaluation on the run (fenced: a worker that lost the run writes nothing)."""
    run = fencing.fenced(tx, run_id, attempt)
    who: Principal = system_principal(run)
    changes = evaluation_changes(context, decision, step_id)
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


def wait_for(decision: evaluator.Decision, message: str) -> Wait:
    """Park on an approval with the deciding rule's terms."""
    terms = decision.approval or {}
    timeout = terms.get("timeout_seconds")
    deadline = utcnow() + timedelta(seconds=timeout) if timeout else None
    on_timeout = terms.get("on_timeout") or "reject"
    request = ApprovalRequest(
        message=message,
        approvers=list(terms.get("approvers") or []),
        required_approvals=int(terms.get("required_approvals") or 1),
        deadline=deadline,
        on_timeout=on_timeout,
        allow_self_approval=False,
        extra={
            "source": "policy",
            "severity": decision.severity or "medium",
            "policy_id": decision.policy,
            "rule_id": decision.rule,
            "escalate_to": list(terms.get("escalate_to") or []),
            "timeout_seconds": timeout,
        },
    )
    return Wait(until=None if on_timeout == "escalate" else deadline, approval=request)
