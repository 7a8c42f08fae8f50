"""The registry of step kinds. The engine's generic kinds are one module each in
`kanri.engine.steps`; a feature's kinds live in its own `steps.py` and register themselves
with `@step_kind` when `kanri.wiring` imports them.

A kind declares its configuration model (validated when a definition is saved and again,
rendered, when the step runs) and an async `run` that returns an Outcome.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict

from kanri.core.time import utcnow

if TYPE_CHECKING:
    from kanri.engine.ports import Verdict
    from kanri.engine.worker import Services

END = "end"
# The fields every step has, whatever its kind (a kind may declare `timeout_seconds` itself).
COMMON_FIELDS = frozenset({"id", "kind", "retry", "timeout_seconds"})


class StepConfig(BaseModel):
    """Base of a kind's configuration: the step object less its common fields."""

    model_config = ConfigDict(extra="forbid")
    # Keys (as written in the definition) not rendered before `run`: a raw expression.
    raw_fields: ClassVar[frozenset[str]] = frozenset()


@dataclass(frozen=True)
class Done:
    """The step finished; `next` names the step to jump to (None: the following one)."""

    output: Any = None
    next: str | None = None
    # Writes the step still owes (each `effect(tx)`, fenced already): made in the
    # transaction of the step's checkpoint, so a step that ends with a record to write
    # (an agent's last model call) costs one transaction, not two.
    effects: tuple[Callable[[Any], Any], ...] = ()


# An approval a step asks for from inside its own work (an agent's tool call) ends its
# message with this mark and the call's key: the step reads the decision itself, and the
# engine does not take it for the decision of a policy gate in front of the step.
IN_STEP_MARK = "\n\ncall: "


@dataclass(frozen=True, kw_only=True)
class ApprovalRequest:
    message: str
    approvers: list[str]
    required_approvals: int
    deadline: datetime | None
    on_timeout: str
    allow_self_approval: bool
    # More approval columns (source, severity, policy_id, rule_id, …) for a policy's gate.
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ChildRun:
    automation: str
    inputs: dict[str, Any]
    version: int | str | None = None


@dataclass(frozen=True)
class Wait:
    """Park the run (holding no worker) until `until`, an approval's decision, or the end of
    a child run."""

    until: datetime | None = None
    approval: ApprovalRequest | None = None
    child: ChildRun | None = None


@dataclass(frozen=True)
class Fail:
    message: str
    retryable: bool = True
    details: dict[str, Any] = field(default_factory=dict)


Outcome = Done | Wait | Fail


def policy_wait(verdict: Verdict, message: str) -> Wait:
    """Park on an approval with the terms of the rule that asked for one."""
    terms = verdict.approval or {}
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
            "severity": verdict.severity or "medium",
            "policy_id": verdict.policy,
            "rule_id": verdict.rule,
            "escalate_to": list(terms.get("escalate_to") or []),
            "timeout_seconds": timeout,
        },
    )
    return Wait(until=None if on_timeout == "escalate" else deadline, approval=request)


@dataclass(kw_only=True)
class StepContext:
    """What a step sees: the run, earlier outputs, its own resumption state, and services."""

    run_id: str
    project_id: str
    environment_id: str | None
    automation_id: str | None
    step_id: str
    attempt: int
    inputs: dict[str, Any]
    steps: dict[str, dict[str, Any]]
    idempotency_key: str
    # Set when the run resumes a parked step: the decided approval, or the wait's end.
    resumed: dict[str, Any] | None
    log: Callable[[str, str], None]
    services: Services  # typed only: steps do not import the app
    emit: Callable[[str, dict[str, Any]], None]
    # What the project's policies read of the run, read with its claim (the `Policies`
    # port's; None: no policy has rules).
    facts: Any = None
    # True when this step never ran before in this run (first claim, first start of the
    # step: no failed try, no jump back to it): nothing it records (model calls, tool
    # calls, approvals) can exist yet. False: it may have.
    fresh: bool = False
    # The environment's secrets and variables the step's templates read (`secrets`, `vars`).
    named: dict[str, Any] = field(default_factory=dict)

    def template_context(self) -> dict[str, Any]:
        return {
            "inputs": self.inputs,
            "steps": self.steps,
            "run": {"id": self.run_id, "attempt": self.attempt},
            "env": {"id": self.environment_id},
            "secrets": {},
            "vars": {},
            **self.named,
        }


@dataclass(frozen=True)
class StepKind:
    name: str
    config: type[StepConfig]
    run: Callable[[StepContext, Any], Awaitable[Outcome]]
    # Step ids the configuration may jump to (validated to exist at save time).
    targets: Callable[[Any], list[str]] = lambda _config: []


_KINDS: dict[str, StepKind] = {}


def step_kind(
    name: str,
    config: type[StepConfig],
    *,
    targets: Callable[[Any], list[str]] | None = None,
) -> Callable[[Callable[[StepContext, Any], Awaitable[Outcome]]], Any]:
    """Decorator registering `run` as the executor of kind `name`."""

    def register(run: Callable[[StepContext, Any], Awaitable[Outcome]]) -> Any:
        _KINDS[name] = StepKind(name, config, run, targets or (lambda _config: []))
        return run

    return register


_SEALED: list[bool] = []


def seal() -> None:
    """Mark the registry complete: `kanri.wiring` calls this once it has imported the
    engine's generic kinds (`kanri.engine.steps`) and the features' `steps` modules, which
    register their kinds on import."""
    _SEALED[:] = [True]


def kinds() -> Mapping[str, StepKind]:
    """Every registered kind; the registry must have been wired (`kanri.wiring.install`),
    so that no feature's kind is missing."""
    if not _SEALED:
        raise RuntimeError("step kinds are not wired: call kanri.wiring.install() first")
    return _KINDS
