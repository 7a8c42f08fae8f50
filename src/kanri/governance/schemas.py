"""The public contract of governance: policies, pre-checks, exceptions, external executions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from kanri.core.schemas import Model, Resource, UtcDatetime, exactly_one_of, examples, given

Severity = Literal["low", "medium", "high", "critical"]
OnTimeout = Literal["reject", "approve", "escalate"]
Action = Literal["run", "step", "tool_call", "http"]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
RuleId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,100}$")]
Approver = Annotated[str, StringConstraints(min_length=1, max_length=200)]
MAX_TIMEOUT = 366 * 86_400
MAX_RULES = 200


_EMPTY_LIST: dict[str, Any] = {"anyOf": [{"type": "null"}, {"type": "array", "maxItems": 0}]}
_NULL: dict[str, Any] = {"type": "null"}
# The documented parts of `ApprovalSettings._consistent` and `Rule._effect_fields` (that
# required_approvals fits the approvers listed is said in prose only).
_TIMEOUT_RULE: dict[str, Any] = {
    "if": {"required": ["on_timeout"], "properties": {"on_timeout": {"not": _NULL}}},
    "then": given("timeout_seconds"),
}
_EFFECT_RULES: list[Any] = [
    _TIMEOUT_RULE,
    {
        "if": {"properties": {"effect": {"const": "require_approval"}}},
        "else": {
            "properties": {
                "approvers": _EMPTY_LIST,
                "escalate_to": _EMPTY_LIST,
                **dict.fromkeys(("required_approvals", "timeout_seconds", "on_timeout"), _NULL),
            }
        },
    },
    {
        "if": {"properties": {"effect": {"const": "deny"}}},
        "then": given("reason", {"minLength": 1}),
    },
]


class ApprovalSettings(Model):
    """How an approval is requested: who, how many, how long, and what a timeout does."""

    model_config = ConfigDict(json_schema_extra={"allOf": [_TIMEOUT_RULE]})

    approvers: list[Approver] | None = Field(
        default=None, max_length=100, description="key ids allowed to decide; empty: anyone"
    )
    required_approvals: int | None = Field(default=None, ge=1, le=20)
    timeout_seconds: float | None = Field(default=None, gt=0, le=MAX_TIMEOUT)
    on_timeout: OnTimeout | None = Field(
        default=None, description="default reject; escalate extends the deadline once"
    )
    escalate_to: list[Approver] | None = Field(
        default=None, max_length=100, description="approvers added when the approval escalates"
    )
    severity: Severity | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ApprovalSettings:
        if self.on_timeout is not None and self.timeout_seconds is None:
            raise ValueError("on_timeout needs timeout_seconds")
        if self.approvers and (self.required_approvals or 1) > len(self.approvers):
            raise ValueError("required_approvals is more than the approvers listed")
        return self


class Rule(ApprovalSettings):
    """`{id?, when, effect, reason?, approvers?, required_approvals?, timeout_seconds?,
    on_timeout?, escalate_to?, severity?}`; the first rule whose `when` matches decides."""

    model_config = ConfigDict(json_schema_extra={"allOf": _EFFECT_RULES})

    id: RuleId | None = Field(default=None, description="generated when absent")
    when: str = Field(
        default="", max_length=2000, description="AIP-160 over the run context; empty: always"
    )
    effect: Literal["allow", "deny", "require_approval"]
    reason: str | None = Field(default=None, max_length=1000)

    @model_validator(mode="after")
    def _effect_fields(self) -> Rule:
        approval = ("approvers", "required_approvals", "timeout_seconds", "on_timeout")
        if self.effect != "require_approval":
            given = [name for name in (*approval, "escalate_to") if getattr(self, name)]
            if given:
                raise ValueError(f"{', '.join(given)} only apply to effect require_approval")
        if self.effect == "deny" and not self.reason:
            raise ValueError("a deny rule needs a reason")
        return self


class Attachments(Model):
    """Where a policy applies: by name (automations, agents, external workflows,
    environments) or to the whole project."""

    project: bool = False
    automations: list[Name] = Field(default_factory=list, max_length=200)
    agents: list[Name] = Field(default_factory=list, max_length=200)
    workflows: list[Name] = Field(default_factory=list, max_length=200)
    environments: list[Name] = Field(default_factory=list, max_length=200)


class PolicyCreate(Model):
    model_config = examples(
        {
            "name": "large-refunds",
            "description": "Refunds over 1000 need finance",
            "rules": [
                {
                    "when": "inputs.amount > 1000",
                    "effect": "require_approval",
                    "approvers": ["finance-lead"],
                    "timeout_seconds": 86400,
                }
            ],
            "attachments": {"automations": ["refund-order"]},
        }
    )

    name: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,99}$")]
    description: str = Field(default="", max_length=2000)
    enabled: bool = True
    rules: list[Rule] = Field(default_factory=list, max_length=MAX_RULES)
    attachments: Attachments = Field(default_factory=Attachments)


class PolicyUpdate(Model):
    name: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,99}$")] | None = None
    description: str | None = Field(default=None, max_length=2000)
    enabled: bool | None = None
    rules: list[Rule] | None = Field(default=None, max_length=MAX_RULES)
    attachments: Attachments | None = None


class StoredRule(Resource):
    id: str
    when: str
    effect: str
    reason: str | None = None
    approvers: list[str] | None = None
    required_approvals: int | None = None
    timeout_seconds: float | None = None
    on_timeout: str | None = None
    escalate_to: list[str] | None = None
    severity: str | None = None


class Policy(Resource):
    id: str
    name: str
    description: str
    enabled: bool
    rules: list[StoredRule]
    attachments: dict[str, Any]
    is_default: bool = False
    create_time: datetime
    update_time: datetime


class DefaultPolicy(Model):
    policy: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = Field(
        description="policy id or name; null: no default"
    )


class StepFacts(Model):
    kind: str | None = Field(default=None, max_length=100)


class HttpFacts(Model):
    host: str | None = Field(default=None, max_length=255)


class PreCheckContext(Model):
    """What the rules see besides the subject and the action."""

    environment: str | None = Field(default=None, max_length=100, description="default: yours")
    labels: dict[str, Any] = Field(default_factory=dict)
    inputs: dict[str, Any] = Field(default_factory=dict)
    estimated_cost: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    step: StepFacts | None = None
    tool: str | None = Field(default=None, max_length=200)
    http: HttpFacts | None = None


class PreCheck(Model):
    """Exactly one of automation, agent or workflow (by name)."""

    model_config = ConfigDict(json_schema_extra=exactly_one_of("automation", "agent", "workflow"))

    automation: Name | None = None
    agent: Name | None = None
    workflow: Name | None = None
    action: Action = "run"
    context: PreCheckContext = Field(default_factory=PreCheckContext)

    @model_validator(mode="after")
    def _one_subject(self) -> PreCheck:
        given = [n for n in ("automation", "agent", "workflow") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of automation, agent or workflow")
        return self


class ApprovalTerms(Model):
    approvers: list[str]
    required_approvals: int
    timeout_seconds: float | None
    on_timeout: str
    escalate_to: list[str]


class PreCheckResult(Model):
    decision: Literal["approved", "needs_approval", "denied"]
    reasons: list[str]
    policy: str | None = Field(description="the deciding policy's id")
    rule: str | None = Field(description="the deciding rule's id")
    severity: Severity | None = None
    approval: ApprovalTerms | None = Field(default=None, description="when needs_approval")


class ExceptionScope(Model):
    """Limit an exception to one automation, agent or external workflow (by name)."""

    automation: Name | None = None
    agent: Name | None = None
    workflow: Name | None = None

    @model_validator(mode="after")
    def _at_most_one(self) -> ExceptionScope:
        given = [n for n in ("automation", "agent", "workflow") if getattr(self, n) is not None]
        if len(given) > 1:
            raise ValueError("give at most one of automation, agent or workflow")
        return self


class PolicyExceptionCreate(Model):
    model_config = examples(
        {
            "policy": "large-refunds",
            "rule": 1,
            "scope": {"automation": "refund-order"},
            "justification": "Year-end clean-up, approved by finance",
            "expires_at": "2031-01-01T00:00:00Z",
        }
    )

    policy: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    rule: RuleId | Annotated[int, Field(ge=1, le=MAX_RULES)] = Field(
        description="rule id or 1-based position"
    )
    scope: ExceptionScope | None = None
    justification: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)] = Field(
        max_length=2000
    )
    expires_at: UtcDatetime


class PolicyException(Resource):
    id: str
    policy_id: str
    rule_id: str
    scope: dict[str, Any]
    justification: str
    expires_at: datetime
    active: bool
    created_by: str
    create_time: datetime


ExternalStatus = Literal["running", "waiting", "success", "error", "cancelled"]


class ExternalExecutionReport(Model):
    engine: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")] = Field(
        examples=["n8n"]
    )
    workflow_id: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    execution_id: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    status: ExternalStatus
    started_at: UtcDatetime | None = None
    finished_at: UtcDatetime | None = None
    duration_ms: int | None = Field(default=None, ge=0, le=2_147_483_647)  # 24.8 days
    output: Any = None
    error: Any = None

    @model_validator(mode="after")
    def _times(self) -> ExternalExecutionReport:
        if self.started_at and self.finished_at and self.finished_at < self.started_at:
            raise ValueError("finished_at is before started_at")
        return self


class ExternalExecution(Resource):
    id: str
    engine: str
    workflow_id: str
    execution_id: str
    status: str
    started_at: datetime | None
    finished_at: datetime | None
    duration_ms: int | None
    output: Any = None
    error: Any = None
    reported_by: str
    create_time: datetime
    update_time: datetime


class ApprovalAsk(ApprovalSettings):
    """An external execution asks for an approval; unset fields come from the policy rule
    that requires one (pre-check of the workflow), else the defaults."""

    message: str = Field(default="", max_length=10_000)


class Escalation(Model):
    severity: Severity
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)] = Field(
        max_length=2000
    )
