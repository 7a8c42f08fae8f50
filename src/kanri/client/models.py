"""Models of kanri's API, generated from its OpenAPI document by tools/gen_client.py
(`make client`): do not edit by hand."""

# ruff: noqa: E501
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class KanriModel(BaseModel):
    """Base of every model: fields kanri adds later are kept (`extra="allow"`); each
    model builds its validator when first used (`defer_build`), so that importing
    the SDK (and starting `kanri`) does not build two hundred of them."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)


ApprovalStatus = Literal["pending", "escalated", "approved", "rejected", "expired"]
RunStatus = Literal["pending", "running", "waiting", "completed", "failed", "cancelled"]
StepStatus = Literal["completed", "failed", "waiting"]


class AdminKeyCreate(KanriModel):
    """AdminKeyCreate"""

    name: str
    expires_at: datetime | None = Field(default=None)


class Agent(KanriModel):
    """Agent"""

    id: str
    project_id: str
    name: str
    description: str
    instructions: str
    runtime: Runtime
    tools: list[ToolSpec]
    knowledge_namespaces: list[str]
    max_steps: int
    concurrency: int | None
    labels: dict[str, str]
    status: Literal["active", "suspended"]
    published_version: int | None
    latest_version: int
    draft_changed: bool
    create_time: datetime
    update_time: datetime


class AgentCreate(KanriModel):
    """AgentCreate"""

    instructions: str | None = Field(default=None)
    runtime: Runtime
    tools: list[ToolSpec] | None = Field(default=None)
    knowledge_namespaces: list[str] | None = Field(default=None)
    max_steps: int | None = Field(default=None)
    name: str
    description: str | None = Field(default=None)
    labels: dict[str, Any] | None = Field(default=None)
    concurrency: int | None = Field(default=None)


class AgentRunCreate(KanriModel):
    """AgentRunCreate"""

    message: str | None = Field(default=None)
    messages: list[ChatMessage] | None = Field(default=None)
    inputs: dict[str, Any] | None = Field(default=None)
    thread_id: str | None = Field(default=None)
    version: int | Literal["draft"] | None = Field(default=None)
    labels: dict[str, Any] | None = Field(default=None)


class AgentRuntimeStatus(KanriModel):
    """AgentRuntimeStatus"""

    id: str
    name: str
    status: Literal["active", "suspended"]
    runs_in_flight: int
    last_run_id: str | None
    last_run_time: datetime | None
    tokens_today: int
    cost_usd_today: str


class AgentUpdate(KanriModel):
    """AgentUpdate"""

    name: str | None = Field(default=None)
    description: str | None = Field(default=None)
    labels: dict[str, Any] | None = Field(default=None)
    instructions: str | None = Field(default=None)
    runtime: Runtime | None = Field(default=None)
    tools: list[ToolSpec] | None = Field(default=None)
    knowledge_namespaces: list[str] | None = Field(default=None)
    max_steps: int | None = Field(default=None)
    concurrency: int | None = Field(default=None)


class AgentVersion(KanriModel):
    """AgentVersion"""

    agent_id: str
    version: int
    spec: dict[str, Any]
    created_by: str
    create_time: datetime
    published: bool | None = Field(default=None)


class ApiKey(KanriModel):
    """ApiKey"""

    id: str
    name: str
    kind: Literal["secret", "publishable", "admin"]
    organization_id: str
    project_id: str | None
    environment_id: str | None
    scopes: list[str]
    prefix: str
    last_four: str
    expires_at: datetime | None
    revoked_at: datetime | None
    rotated_to: str | None
    allowed_origins: list[str] | None = Field(default=None)
    create_time: datetime
    update_time: datetime


class ApiKeyCreate(KanriModel):
    """ApiKeyCreate"""

    name: str
    kind: Literal["secret", "publishable"] | None = Field(default=None)
    scopes: list[str] | None = Field(default=None)
    environment: str | None = Field(default=None)
    expires_at: datetime | None = Field(default=None)
    allowed_origins: list[str] | None = Field(default=None)


class ApiKeyCreated(KanriModel):
    """ApiKeyCreated"""

    id: str
    name: str
    kind: Literal["secret", "publishable", "admin"]
    organization_id: str
    project_id: str | None
    environment_id: str | None
    scopes: list[str]
    prefix: str
    last_four: str
    expires_at: datetime | None
    revoked_at: datetime | None
    rotated_to: str | None
    allowed_origins: list[str] | None = Field(default=None)
    create_time: datetime
    update_time: datetime
    key: str


class ApiKeyRotate(KanriModel):
    """ApiKeyRotate"""

    grace_period_seconds: int | None = Field(default=None)


class Appeal(KanriModel):
    """Appeal"""

    reason: str
    status: Literal["pending", "decided"]
    create_time: datetime


class AppealCreate(KanriModel):
    """AppealCreate"""

    reason: str


class Approval(KanriModel):
    """Approval"""

    id: str
    run_id: str | None
    external_execution_id: str | None = Field(default=None)
    automation_id: str | None
    step_id: str
    source: Literal["step", "policy", "escalation", "external"]
    status: ApprovalStatus
    severity: Literal["low", "medium", "high", "critical"]
    message: str
    approvers: list[str]
    required_approvals: int
    decisions: list[dict[str, Any]]
    history: list[dict[str, Any]]
    policy_id: str | None = Field(default=None)
    rule_id: str | None = Field(default=None)
    escalations: int
    deadline: datetime | None
    on_timeout: str
    triggered_by: str
    create_time: datetime
    update_time: datetime


class ApprovalAsk(KanriModel):
    """An external execution asks for an approval; unset fields come from the policy rule that requires one (pre-check of the workflow), else the defaults."""

    approvers: list[str] | None = Field(default=None)
    required_approvals: int | None = Field(default=None)
    timeout_seconds: float | None = Field(default=None)
    on_timeout: Literal["reject", "approve", "escalate"] | None = Field(default=None)
    escalate_to: list[str] | None = Field(default=None)
    severity: Literal["low", "medium", "high", "critical"] | None = Field(default=None)
    message: str | None = Field(default=None)


class ApprovalTerms(KanriModel):
    """ApprovalTerms"""

    approvers: list[str]
    required_approvals: int
    timeout_seconds: float | None
    on_timeout: str
    escalate_to: list[str]


class Asset(KanriModel):
    """Asset"""

    id: str
    project_id: str
    filename: str
    content_type: str
    size: int
    sha256: str
    width: int | None
    height: int | None
    create_time: datetime


class Attachments(KanriModel):
    """Where a policy applies: by name (automations, agents, external workflows, environments) or to the whole project."""

    project: bool | None = Field(default=None)
    automations: list[str] | None = Field(default=None)
    agents: list[str] | None = Field(default=None)
    workflows: list[str] | None = Field(default=None)
    environments: list[str] | None = Field(default=None)


class Attempt(KanriModel):
    """Attempt"""

    attempt: int
    status_code: int | None
    error: str | None
    latency_ms: int
    time: datetime
    response_body: str | None


class AuditLog(KanriModel):
    """AuditLog"""

    id: str
    seq: int
    action: str
    resource_type: str
    resource_id: str
    actor: dict[str, Any]
    changes: dict[str, Any]
    request_id: str | None
    ip: str | None
    create_time: datetime
    prev_hash: str
    hash: str


class Author(KanriModel):
    """Author"""

    id: str
    name: str | None = Field(default=None)


class AuthorView(KanriModel):
    """AuthorView"""

    id: str
    name: str | None
    status: Literal["active", "restricted"]
    item_count: int
    warning_count: int
    window_warning_count: int
    statuses: dict[str, int]
    warnings: list[dict[str, Any]]
    items: list[Item]


class Automation(KanriModel):
    """Automation"""

    id: str
    project_id: str
    name: str
    description: str
    definition: dict[str, Any]
    published_version: int | None
    latest_version: int
    labels: dict[str, str]
    create_time: datetime
    update_time: datetime


class AutomationCreate(KanriModel):
    """AutomationCreate"""

    name: str
    description: str | None = Field(default=None)
    definition: Definition
    labels: dict[str, Any] | None = Field(default=None)


class AutomationUpdate(KanriModel):
    """AutomationUpdate"""

    name: str | None = Field(default=None)
    description: str | None = Field(default=None)
    definition: Definition | None = Field(default=None)
    labels: dict[str, Any] | None = Field(default=None)


class AutomationVersion(KanriModel):
    """AutomationVersion"""

    automation_id: str
    version: int
    definition: dict[str, Any]
    created_by: str
    create_time: datetime
    published: bool | None = Field(default=None)


class BatchCreate(KanriModel):
    """BatchCreate"""

    records: list[RecordWrite]
    atomic: bool | None = Field(default=None)


class BatchDelete(KanriModel):
    """BatchDelete"""

    records: list[RecordRef]
    atomic: bool | None = Field(default=None)


class BatchItem(KanriModel):
    """One item's outcome in a non-atomic batch."""

    index: int
    ok: bool
    record: Record | None = Field(default=None)
    error: ItemError | None = Field(default=None)


class BatchUpdate(KanriModel):
    """BatchUpdate"""

    records: list[RecordPatch]
    atomic: bool | None = Field(default=None)


class Body_content_assets_upload(KanriModel):
    """Body_content_assets_upload"""

    file: str


class Body_knowledge_namespaces_entries_upload(KanriModel):
    """Body_knowledge_namespaces_entries_upload"""

    files: list[str]
    metadata: str | None = Field(default=None)


class BrokenRow(KanriModel):
    """BrokenRow"""

    id: str | None
    seq: int
    reason: str


class Budget(KanriModel):
    """Budget"""

    id: str
    name: str
    agent_id: str | None
    period: Literal["day", "week", "month"]
    limit_usd: str
    thresholds: list[BudgetThreshold]
    spent_usd: str | None = Field(default=None)
    period_start: datetime | None = Field(default=None)
    create_time: datetime
    update_time: datetime


class BudgetCreate(KanriModel):
    """BudgetCreate"""

    name: str
    agent: str | None = Field(default=None)
    period: Literal["day", "week", "month"]
    limit_usd: float | str
    thresholds: list[Threshold] | None = Field(default=None)


class BudgetThreshold(KanriModel):
    """A threshold as stored and returned."""

    percent: str
    action: Literal["notify", "block", "require_approval"]


class BudgetUpdate(KanriModel):
    """BudgetUpdate"""

    period: Literal["day", "week", "month"] | None = Field(default=None)
    limit_usd: float | str | None = Field(default=None)
    thresholds: list[Threshold] | None = Field(default=None)


class ChatCompletion(KanriModel):
    """ChatCompletion"""

    id: str
    object: Literal["chat.completion"] | None = Field(default=None)
    created: int
    model: str
    choices: list[dict[str, Any]]
    usage: CompletionUsage


class ChatCompletionRequest(KanriModel):
    """Fields kanri does not use (temperature, tools, …) are accepted and ignored: the agent's published version decides them."""

    model: str
    messages: list[CompatMessage]
    stream: bool | None = Field(default=None)
    stream_options: StreamOptions | None = Field(default=None)
    user: str | None = Field(default=None)


class ChatMessage(KanriModel):
    """ChatMessage"""

    role: Literal["system", "user", "assistant", "tool"]
    content: str | None = Field(default=None)
    tool_calls: list[dict[str, Any]] | None = Field(default=None)
    tool_call_id: str | None = Field(default=None)
    name: str | None = Field(default=None)


class ChunkingSettings(KanriModel):
    """Chunk size and overlap in word pieces; capped by the embedding model's window."""

    max_tokens: int | None = Field(default=None)
    overlap_tokens: int | None = Field(default=None)


class Claim(KanriModel):
    """Claim"""

    lease_seconds: int | None = Field(default=None)


class Classifier(KanriModel):
    """Classifier"""

    provider: str
    model: str | None = Field(default=None)


class CompatMessage(KanriModel):
    """CompatMessage"""

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[dict[str, Any]] | None = Field(default=None)
    tool_calls: list[dict[str, Any]] | None = Field(default=None)
    tool_call_id: str | None = Field(default=None)


class CompletionUsage(KanriModel):
    """CompletionUsage"""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    prompt_tokens_details: dict[str, int]
    completion_tokens_details: dict[str, int]


class ContentEntry(KanriModel):
    """ContentEntry"""

    id: str
    project_id: str
    environment_id: str | None
    type: str
    type_id: str
    slug: str
    status: Literal["draft", "published", "scheduled", "archived"]
    labels: dict[str, Any]
    locale: str
    fields_: dict[str, Any] = Field(alias="fields")
    fallback_fields: list[str]
    version: int
    published_version: int | None
    published_time: datetime | None
    publish_at: datetime | None
    scheduled_run_id: str | None = Field(default=None)
    generated_by_run_id: str | None
    references: dict[str, Any] | None = Field(default=None)
    etag: str
    create_time: datetime
    update_time: datetime


class ContentEntryCreate(KanriModel):
    """ContentEntryCreate"""

    type: str
    slug: str
    fields_: dict[str, Any] | None = Field(default=None, alias="fields")
    labels: dict[str, str] | None = Field(default=None)
    locale: str | None = Field(default=None)


class ContentEntryUpdate(KanriModel):
    """ContentEntryUpdate"""

    slug: str | None = Field(default=None)
    fields_: dict[str, Any] | None = Field(default=None, alias="fields")
    labels: dict[str, str] | None = Field(default=None)
    locale: str | None = Field(default=None)


class ContentField(KanriModel):
    """ContentField"""

    name: str
    type: Literal[
        "text",
        "rich_text",
        "markdown",
        "number",
        "boolean",
        "date",
        "datetime",
        "select",
        "multi_select",
        "email",
        "url",
        "json",
        "asset",
        "reference",
        "slug",
    ]
    required: bool | None = Field(default=None)
    unique: bool | None = Field(default=None)
    localized: bool | None = Field(default=None)
    default: Any = Field(default=None)
    options: list[str] | None = Field(default=None)
    many: bool | None = Field(default=None)


class ContentType(KanriModel):
    """ContentType"""

    id: str
    project_id: str
    environment_id: str | None
    slug: str
    name: str
    description: str
    fields_: list[dict[str, Any]] = Field(alias="fields")
    create_time: datetime
    update_time: datetime


class Context(KanriModel):
    """Context"""

    thread_id: str | None = Field(default=None)
    url: str | None = Field(default=None)
    parent_id: str | None = Field(default=None)


class CostReport(KanriModel):
    """CostReport"""

    data: list[CostRow]
    total: CostRow


class CostRow(KanriModel):
    """CostRow"""

    group: dict[str, Any]
    usage: Usage
    calls: int
    cost_usd: str


class DayAggregate(KanriModel):
    """DayAggregate"""

    day: str
    count: int
    mean: float | None
    pass_rate: float | None


class Decide(KanriModel):
    """Decide"""

    action: Literal["approve", "flag", "hide", "warn", "reject"]
    reason: str | None = Field(default=None)
    category: (
        Literal[
            "spam",
            "harassment",
            "hate",
            "sexual",
            "violence",
            "self_harm",
            "illegal",
            "pii",
            "other",
        ]
        | None
    ) = Field(default=None)


class Decision(KanriModel):
    """Decision"""

    comment: str | None = Field(default=None)


class DefaultPolicy(KanriModel):
    """DefaultPolicy"""

    policy: str | None


class Definition(KanriModel):
    """What an automation does: its steps, run in order (a `condition` jumps)."""

    inputs: dict[str, Any] | None = Field(default=None)
    steps: list[
        AgentStep
        | ApprovalStep
        | AutomationStep
        | ConditionStep
        | ContentDraftStep
        | ContentGetStep
        | ContentPublishStep
        | EventEmitStep
        | FailStep
        | HttpStep
        | KnowledgeIngestStep
        | KnowledgeSearchStep
        | LlmStep
        | LogStep
        | ModerateStep
        | ModerationScanStep
        | RecordsCreateStep
        | RecordsDeleteStep
        | RecordsGetStep
        | RecordsQueryStep
        | RecordsUpdateStep
        | ReportStep
        | TransformStep
        | WaitStep
    ]
    outputs: Any = Field(default=None)
    concurrency: int | None = Field(default=None)
    concurrency_key: str | None = Field(default=None)
    concurrency_key_limit: int | None = Field(default=None)
    timeout_seconds: float | None = Field(default=None)


class Delivery(KanriModel):
    """Delivery"""

    id: str
    endpoint_id: str
    event_id: str
    event_type: str
    status: Literal["pending", "succeeded", "failed"]
    attempts: list[Attempt]
    next_attempt_time: datetime | None
    create_time: datetime
    update_time: datetime


class EmbeddingInfo(KanriModel):
    """EmbeddingInfo"""

    provider: str
    model: str
    dimension: int | None
    max_tokens: int
    provider_id: str | None = Field(default=None)
    base_url: str | None = Field(default=None)
    api_key_set: bool | None = Field(default=None)


class EmbeddingSettings(KanriModel):
    """Which model embeds a namespace. `local`: all-MiniLM-L6-v2 in process (384 dimensions, 256-token window). `openai`: an OpenAI-compatible `POST /embeddings`, either through a provider of the project (`provider_id`: its endpoint, key and options, with the official SDK) or at `base_url` (with `api_key`)."""

    provider: Literal["local", "openai"] | None = Field(default=None)
    model: str | None = Field(default=None)
    provider_id: str | None = Field(default=None)
    base_url: str | None = Field(default=None)
    api_key: str | None = Field(default=None)
    dimension: int | None = Field(default=None)
    max_tokens: int | None = Field(default=None)


class Entry(KanriModel):
    """Entry"""

    id: str
    namespace_id: str
    title: str
    metadata: dict[str, Any]
    source_url: str | None
    content_type: str
    status: Literal["processing", "ready", "failed"]
    error: str | None
    chunk_count: int
    token_count: int
    characters: int
    job_run_id: str | None = Field(default=None)
    create_time: datetime
    update_time: datetime


class EntryCreate(KanriModel):
    """EntryCreate"""

    text: str | None = Field(default=None)
    content_base64: str | None = Field(default=None)
    content_type: str | None = Field(default=None)
    title: str | None = Field(default=None)
    metadata: dict[str, Any] | None = Field(default=None)
    source_url: str | None = Field(default=None)
    chunking: ChunkingSettings | None = Field(default=None)
    id: str | None = Field(default=None)


class EntryWrite(KanriModel):
    """An entry's content: `text`, or `content_base64` with its `content_type`."""

    text: str | None = Field(default=None)
    content_base64: str | None = Field(default=None)
    content_type: str | None = Field(default=None)
    title: str | None = Field(default=None)
    metadata: dict[str, Any] | None = Field(default=None)
    source_url: str | None = Field(default=None)
    chunking: ChunkingSettings | None = Field(default=None)


class Environment(KanriModel):
    """Environment"""

    id: str
    project_id: str
    name: str
    description: str
    create_time: datetime
    update_time: datetime


class EnvironmentCreate(KanriModel):
    """EnvironmentCreate"""

    name: str
    description: str | None = Field(default=None)


class EnvironmentUpdate(KanriModel):
    """EnvironmentUpdate"""

    name: str | None = Field(default=None)
    description: str | None = Field(default=None)


class ErrorDetail(KanriModel):
    """ErrorDetail"""

    message: str
    type: str
    code: str | None
    param: str | None


class ErrorResponse(KanriModel):
    """An error as OpenAI answers it (every error under `/v1/openai/`)."""

    error: ErrorDetail


class Escalation(KanriModel):
    """Escalation"""

    severity: Literal["low", "medium", "high", "critical"]
    reason: str


class Event(KanriModel):
    """Event"""

    id: str
    type: str
    resource_type: str
    resource_id: str
    project_id: str | None
    environment_id: str | None
    data: dict[str, Any]
    request_id: str | None
    create_time: datetime


class EventType(KanriModel):
    """EventType"""

    type: str
    description: str
    schema_: dict[str, Any] = Field(alias="schema")


class EventTypeList(KanriModel):
    """EventTypeList"""

    data: list[EventType]


class EventsQuery(KanriModel):
    """EventsQuery"""

    from_: datetime = Field(alias="from")
    to: datetime
    step: Literal["1m", "5m", "1h", "1d"] | int | None = Field(default=None)
    name: str | None = Field(default=None)
    aggregation: Literal["count", "sum", "unique_users"] | None = Field(default=None)
    filter: str | None = Field(default=None)
    group_by: list[str] | None = Field(default=None)


class EventsResult(KanriModel):
    """EventsResult"""

    aggregation: str
    step_seconds: int
    series: list[Series]


class ExceptionScope(KanriModel):
    """Limit an exception to one automation, agent or external workflow (by name)."""

    automation: str | None = Field(default=None)
    agent: str | None = Field(default=None)
    workflow: str | None = Field(default=None)


class ExternalExecution(KanriModel):
    """ExternalExecution"""

    id: str
    engine: str
    workflow_id: str
    execution_id: str
    status: str
    started_at: datetime | None
    finished_at: datetime | None
    duration_ms: int | None
    output: Any = Field(default=None)
    error: Any = Field(default=None)
    reported_by: str
    create_time: datetime
    update_time: datetime


class ExternalExecutionReport(KanriModel):
    """ExternalExecutionReport"""

    engine: str
    workflow_id: str
    execution_id: str
    status: Literal["running", "waiting", "success", "error", "cancelled"]
    started_at: datetime | None = Field(default=None)
    finished_at: datetime | None = Field(default=None)
    duration_ms: int | None = Field(default=None)
    output: Any = Field(default=None)
    error: Any = Field(default=None)


class FieldCreate(KanriModel):
    """FieldCreate"""

    slug: str
    name: str
    type: Literal[
        "text",
        "long_text",
        "email",
        "phone",
        "url",
        "number",
        "currency",
        "boolean",
        "date",
        "datetime",
        "select",
        "multi_select",
        "relation",
        "json",
    ]
    description: str | None = Field(default=None)
    options: list[str] | None = Field(default=None)
    required: bool | None = Field(default=None)
    unique: bool | None = Field(default=None)
    indexed: bool | None = Field(default=None)
    default: Any = Field(default=None)
    relation: RelationSpec | None = Field(default=None)


class FieldUpdate(KanriModel):
    """Changes to a field. A new type, `required` or `unique` is checked against every record (409 with examples when some would not fit)."""

    slug: str | None = Field(default=None)
    name: str | None = Field(default=None)
    type: (
        Literal[
            "text",
            "long_text",
            "email",
            "phone",
            "url",
            "number",
            "currency",
            "boolean",
            "date",
            "datetime",
            "select",
            "multi_select",
            "relation",
            "json",
        ]
        | None
    ) = Field(default=None)
    description: str | None = Field(default=None)
    options: list[str] | None = Field(default=None)
    required: bool | None = Field(default=None)
    unique: bool | None = Field(default=None)
    indexed: bool | None = Field(default=None)
    default: Any = Field(default=None)


class FunnelQuery(KanriModel):
    """FunnelQuery"""

    steps: list[str]
    within_seconds: int
    from_: datetime = Field(alias="from")
    to: datetime


class FunnelResult(KanriModel):
    """FunnelResult"""

    steps: list[FunnelStep]


class FunnelStep(KanriModel):
    """FunnelStep"""

    name: str
    users: int
    conversion: float
    conversion_from_previous: float


class GenerateRequest(KanriModel):
    """GenerateRequest"""

    type: str
    brief: str
    provider: str
    model: str | None = Field(default=None)
    locale: str | None = Field(default=None)
    fields_: list[str] | None = Field(default=None, alias="fields")
    slug: str | None = Field(default=None)


class Health(KanriModel):
    """Health"""

    ok: bool
    status: Literal["healthy"]
    ts: str


class HttpFacts(KanriModel):
    """HttpFacts"""

    host: str | None = Field(default=None)


class IngestBatch(KanriModel):
    """IngestBatch"""

    items: list[dict[str, Any]]


class IngestItemError(KanriModel):
    """IngestItemError"""

    field: str
    message: str
    code: str | None = Field(default=None)


class IngestItemResult(KanriModel):
    """IngestItemResult"""

    index: int
    id: str | None
    client_id: str | None
    status: int
    errors: list[IngestItemError] | None = Field(default=None)


class IngestResult(KanriModel):
    """IngestResult"""

    results: list[IngestItemResult]
    created: int
    duplicates: int
    failed: int


class Item(KanriModel):
    """Item"""

    id: str
    external_id: str
    kind: Literal["post", "comment", "message", "profile", "other"]
    content: str
    author: dict[str, Any]
    context: dict[str, Any]
    metadata: dict[str, Any]
    status: Literal["pending", "approved", "flagged", "hidden", "warned", "rejected"]
    action: Literal["approve", "flag", "hide", "warn", "reject"] | None
    category: str | None
    severity: str | None
    rule_id: str | None
    rule_name: str | None
    reason: str | None
    scores: dict[str, Any]
    claimed_by: str | None
    claim_expire_time: datetime | None
    decided_by: str | None
    decide_time: datetime | None
    appeal: Appeal | None
    create_time: datetime
    update_time: datetime


class ItemBatch(KanriModel):
    """ItemBatch"""

    items: list[ItemSubmit]


class ItemError(KanriModel):
    """ItemError"""

    status: int
    code: str
    detail: str
    errors: list[dict[str, str]] | None = Field(default=None)
    conflicting_id: str | None = Field(default=None)


class ItemSubmit(KanriModel):
    """ItemSubmit"""

    external_id: str
    kind: Literal["post", "comment", "message", "profile", "other"] | None = Field(default=None)
    content: str
    author: Author
    context: Context | None = Field(default=None)
    metadata: dict[str, Any] | None = Field(default=None)


class ItemWithHistory(KanriModel):
    """ItemWithHistory"""

    id: str
    external_id: str
    kind: Literal["post", "comment", "message", "profile", "other"]
    content: str
    author: dict[str, Any]
    context: dict[str, Any]
    metadata: dict[str, Any]
    status: Literal["pending", "approved", "flagged", "hidden", "warned", "rejected"]
    action: Literal["approve", "flag", "hide", "warn", "reject"] | None
    category: str | None
    severity: str | None
    rule_id: str | None
    rule_name: str | None
    reason: str | None
    scores: dict[str, Any]
    claimed_by: str | None
    claim_expire_time: datetime | None
    decided_by: str | None
    decide_time: datetime | None
    appeal: Appeal | None
    create_time: datetime
    update_time: datetime
    decisions: list[ModerationDecision]


class Judge(KanriModel):
    """Judge"""

    id: str
    name: str
    kind: Literal["rule", "llm"]
    agent_id: str | None
    automation_id: str | None
    config: dict[str, Any]
    sample_rate: float
    enabled: bool
    create_time: datetime
    update_time: datetime


class JudgeConfig(KanriModel):
    """JudgeConfig"""

    checks: list[RuleCheck] | None = Field(default=None)
    provider: str | None = Field(default=None)
    model: str | None = Field(default=None)
    rubric: str | None = Field(default=None)
    pass_threshold: float | None = Field(default=None)


class JudgeCreate(KanriModel):
    """JudgeCreate"""

    name: str
    kind: Literal["rule", "llm"]
    agent: str | None = Field(default=None)
    automation: str | None = Field(default=None)
    config: JudgeConfig
    sample_rate: float | None = Field(default=None)
    enabled: bool | None = Field(default=None)


class JudgeScores(KanriModel):
    """JudgeScores"""

    data: list[Score]
    count: int
    mean: float | None
    pass_rate: float | None
    per_day: list[DayAggregate]


class JudgeUpdate(KanriModel):
    """JudgeUpdate"""

    config: JudgeConfig | None = Field(default=None)
    sample_rate: float | None = Field(default=None)
    enabled: bool | None = Field(default=None)


class KeywordList(KanriModel):
    """KeywordList"""

    words: list[str]
    case_sensitive: bool | None = Field(default=None)
    leetspeak: bool | None = Field(default=None)


class ListResponse_AgentRuntimeStatus_(KanriModel):
    """ListResponse[AgentRuntimeStatus]"""

    data: list[AgentRuntimeStatus]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_AgentVersion_(KanriModel):
    """ListResponse[AgentVersion]"""

    data: list[AgentVersion]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_Agent_(KanriModel):
    """ListResponse[Agent]"""

    data: list[Agent]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_ApiKey_(KanriModel):
    """ListResponse[ApiKey]"""

    data: list[ApiKey]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_Approval_(KanriModel):
    """ListResponse[Approval]"""

    data: list[Approval]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_Asset_(KanriModel):
    """ListResponse[Asset]"""

    data: list[Asset]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_AuditLog_(KanriModel):
    """ListResponse[AuditLog]"""

    data: list[AuditLog]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_AutomationVersion_(KanriModel):
    """ListResponse[AutomationVersion]"""

    data: list[AutomationVersion]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_Automation_(KanriModel):
    """ListResponse[Automation]"""

    data: list[Automation]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_Budget_(KanriModel):
    """ListResponse[Budget]"""

    data: list[Budget]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_ContentEntry_(KanriModel):
    """ListResponse[ContentEntry]"""

    data: list[ContentEntry]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_ContentType_(KanriModel):
    """ListResponse[ContentType]"""

    data: list[ContentType]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_Delivery_(KanriModel):
    """ListResponse[Delivery]"""

    data: list[Delivery]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_Entry_(KanriModel):
    """ListResponse[Entry]"""

    data: list[Entry]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_Environment_(KanriModel):
    """ListResponse[Environment]"""

    data: list[Environment]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_Event_(KanriModel):
    """ListResponse[Event]"""

    data: list[Event]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_ExternalExecution_(KanriModel):
    """ListResponse[ExternalExecution]"""

    data: list[ExternalExecution]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_Item_(KanriModel):
    """ListResponse[Item]"""

    data: list[Item]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_Judge_(KanriModel):
    """ListResponse[Judge]"""

    data: list[Judge]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_LogLine_(KanriModel):
    """ListResponse[LogLine]"""

    data: list[LogLine]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_ModerationRule_(KanriModel):
    """ListResponse[ModerationRule]"""

    data: list[ModerationRule]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_Namespace_(KanriModel):
    """ListResponse[Namespace]"""

    data: list[Namespace]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_ObjectField_(KanriModel):
    """ListResponse[ObjectField]"""

    data: list[ObjectField]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_Organization_(KanriModel):
    """ListResponse[Organization]"""

    data: list[Organization]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_PolicyException_(KanriModel):
    """ListResponse[PolicyException]"""

    data: list[PolicyException]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_Policy_(KanriModel):
    """ListResponse[Policy]"""

    data: list[Policy]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_Price_(KanriModel):
    """ListResponse[Price]"""

    data: list[Price]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_Project_(KanriModel):
    """ListResponse[Project]"""

    data: list[Project]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_Provider_(KanriModel):
    """ListResponse[Provider]"""

    data: list[Provider]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_PublicEntry_(KanriModel):
    """ListResponse[PublicEntry]"""

    data: list[PublicEntry]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_RecordObject_(KanriModel):
    """ListResponse[RecordObject]"""

    data: list[RecordObject]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_Record_(KanriModel):
    """ListResponse[Record]"""

    data: list[Record]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_ReportSummary_(KanriModel):
    """ListResponse[ReportSummary]"""

    data: list[ReportSummary]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_RunException_(KanriModel):
    """ListResponse[RunException]"""

    data: list[RunException]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_RunLog_(KanriModel):
    """ListResponse[RunLog]"""

    data: list[RunLog]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_RunStep_(KanriModel):
    """ListResponse[RunStep]"""

    data: list[RunStep]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_Run_(KanriModel):
    """ListResponse[Run]"""

    data: list[Run]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_Schedule_(KanriModel):
    """ListResponse[Schedule]"""

    data: list[Schedule]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_Score_(KanriModel):
    """ListResponse[Score]"""

    data: list[Score]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_Secret_(KanriModel):
    """ListResponse[Secret]"""

    data: list[Secret]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_Span_(KanriModel):
    """ListResponse[Span]"""

    data: list[Span]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_ThreadMessage_(KanriModel):
    """ListResponse[ThreadMessage]"""

    data: list[ThreadMessage]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_Thread_(KanriModel):
    """ListResponse[Thread]"""

    data: list[Thread]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_ToolCall_(KanriModel):
    """ListResponse[ToolCall]"""

    data: list[ToolCall]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_Variable_(KanriModel):
    """ListResponse[Variable]"""

    data: list[Variable]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_Version_(KanriModel):
    """ListResponse[Version]"""

    data: list[Version]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_Webhook_(KanriModel):
    """ListResponse[Webhook]"""

    data: list[Webhook]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class ListResponse_Worker_(KanriModel):
    """ListResponse[Worker]"""

    data: list[Worker]
    next_page_token: str | None = Field(default=None)
    total_size: int | None = Field(default=None)


class Locales(KanriModel):
    """Locales"""

    default: str
    locales: list[str]


class LogLine(KanriModel):
    """LogLine"""

    id: str
    client_id: str | None
    time: datetime
    level: str
    message: str
    service: str | None
    attributes: dict[str, Any]
    trace_id: str | None
    span_id: str | None


class MapRuntime(KanriModel):
    """MapRuntime"""

    provider: str
    model: str | None = Field(default=None)


class MetricName(KanriModel):
    """MetricName"""

    name: str
    type: str
    unit: str | None
    series_count: int
    labels: dict[str, list[str]]


class MetricNameList(KanriModel):
    """MetricNameList"""

    data: list[MetricName]


class MetricsQuery(KanriModel):
    """MetricsQuery"""

    from_: datetime = Field(alias="from")
    to: datetime
    step: Literal["1m", "5m", "1h", "1d"] | int | None = Field(default=None)
    name: str
    aggregation: (
        Literal["sum", "avg", "min", "max", "count", "rate", "p50", "p90", "p95", "p99"] | None
    ) = Field(default=None)
    filter: str | None = Field(default=None)
    group_by: list[str] | None = Field(default=None)


class MetricsResult(KanriModel):
    """MetricsResult"""

    name: str
    aggregation: str
    step_seconds: int
    series: list[Series]


class ModelCard(KanriModel):
    """ModelCard"""

    id: str
    object: Literal["model"] | None = Field(default=None)
    created: int
    owned_by: str | None = Field(default=None)


class ModelList(KanriModel):
    """ModelList"""

    object: Literal["list"] | None = Field(default=None)
    data: list[ModelCard]


class ModerationBatchResult(KanriModel):
    """ModerationBatchResult"""

    data: list[Item]


class ModerationDecision(KanriModel):
    """ModerationDecision"""

    id: str
    action: Literal["approve", "flag", "hide", "warn", "reject"]
    status: Literal["pending", "approved", "flagged", "hidden", "warned", "rejected"]
    source: Literal["rules", "manual", "scan", "appeal"]
    automatic: bool
    category: str | None
    rule_id: str | None
    rule_name: str | None
    reason: str | None
    actor: str
    create_time: datetime


class ModerationRule(KanriModel):
    """ModerationRule"""

    id: str
    name: str
    enabled: bool
    order: int
    when: dict[str, Any]
    action: Literal["approve", "flag", "hide", "warn", "reject"]
    category: str | None
    severity: str
    create_time: datetime
    update_time: datetime


class MultiSearchRequest(KanriModel):
    """MultiSearchRequest"""

    query: str
    top_k: int | None = Field(default=None)
    mode: Literal["hybrid", "keyword", "vector"] | None = Field(default=None)
    filter: str | None = Field(default=None)
    min_score: float | None = Field(default=None)
    weights: SearchWeights | None = Field(default=None)
    namespaces: list[str]


class Namespace(KanriModel):
    """Namespace"""

    id: str
    project_id: str
    environment_id: str | None
    name: str
    description: str
    embedding: EmbeddingInfo
    chunking: ChunkingSettings
    entry_count: int
    create_time: datetime
    update_time: datetime


class NamespaceCreate(KanriModel):
    """NamespaceCreate"""

    name: str
    description: str | None = Field(default=None)
    embedding: EmbeddingSettings | None = Field(default=None)
    chunking: ChunkingSettings | None = Field(default=None)


class NamespaceUpdate(KanriModel):
    """NamespaceUpdate"""

    name: str | None = Field(default=None)
    description: str | None = Field(default=None)
    embedding: EmbeddingSettings | None = Field(default=None)
    chunking: ChunkingSettings | None = Field(default=None)


class ObjectCreate(KanriModel):
    """ObjectCreate"""

    slug: str
    name: str
    description: str | None = Field(default=None)


class ObjectField(KanriModel):
    """ObjectField"""

    id: str
    object_id: str
    slug: str
    name: str
    description: str
    type: Literal[
        "text",
        "long_text",
        "email",
        "phone",
        "url",
        "number",
        "currency",
        "boolean",
        "date",
        "datetime",
        "select",
        "multi_select",
        "relation",
        "json",
    ]
    options: list[str]
    required: bool
    unique: bool
    indexed: bool
    default: Any = Field(default=None)
    has_default: bool
    relation: Relation | None
    create_time: datetime
    update_time: datetime


class ObjectUpdate(KanriModel):
    """ObjectUpdate"""

    slug: str | None = Field(default=None)
    name: str | None = Field(default=None)
    description: str | None = Field(default=None)


class Organization(KanriModel):
    """Organization"""

    id: str
    name: str
    create_time: datetime
    update_time: datetime


class OrganizationDetail(KanriModel):
    """OrganizationDetail"""

    id: str
    name: str
    create_time: datetime
    update_time: datetime
    project_count: int
    default_max_running_runs: int | None


class OrganizationUpdate(KanriModel):
    """OrganizationUpdate"""

    name: str | None = Field(default=None)
    default_max_running_runs: int | None = Field(default=None)


class Policy(KanriModel):
    """Policy"""

    id: str
    name: str
    description: str
    enabled: bool
    rules: list[StoredRule]
    attachments: dict[str, Any]
    is_default: bool | None = Field(default=None)
    create_time: datetime
    update_time: datetime


class PolicyCreate(KanriModel):
    """PolicyCreate"""

    name: str
    description: str | None = Field(default=None)
    enabled: bool | None = Field(default=None)
    rules: list[Rule] | None = Field(default=None)
    attachments: Attachments | None = Field(default=None)


class PolicyException(KanriModel):
    """PolicyException"""

    id: str
    policy_id: str
    rule_id: str
    scope: dict[str, Any]
    justification: str
    expires_at: datetime
    active: bool
    created_by: str
    create_time: datetime


class PolicyExceptionCreate(KanriModel):
    """PolicyExceptionCreate"""

    policy: str
    rule: str | int
    scope: ExceptionScope | None = Field(default=None)
    justification: str
    expires_at: datetime


class PolicyUpdate(KanriModel):
    """PolicyUpdate"""

    name: str | None = Field(default=None)
    description: str | None = Field(default=None)
    enabled: bool | None = Field(default=None)
    rules: list[Rule] | None = Field(default=None)
    attachments: Attachments | None = Field(default=None)


class PreCheck(KanriModel):
    """Exactly one of automation, agent or workflow (by name)."""

    automation: str | None = Field(default=None)
    agent: str | None = Field(default=None)
    workflow: str | None = Field(default=None)
    action: Literal["run", "step", "tool_call", "http"] | None = Field(default=None)
    context: PreCheckContext | None = Field(default=None)


class PreCheckContext(KanriModel):
    """What the rules see besides the subject and the action."""

    environment: str | None = Field(default=None)
    labels: dict[str, Any] | None = Field(default=None)
    inputs: dict[str, Any] | None = Field(default=None)
    estimated_cost: float | None = Field(default=None)
    step: StepFacts | None = Field(default=None)
    tool: str | None = Field(default=None)
    http: HttpFacts | None = Field(default=None)


class PreCheckResult(KanriModel):
    """PreCheckResult"""

    decision: Literal["approved", "needs_approval", "denied"]
    reasons: list[str]
    policy: str | None
    rule: str | None
    severity: Literal["low", "medium", "high", "critical"] | None = Field(default=None)
    approval: ApprovalTerms | None = Field(default=None)


class Price(KanriModel):
    """Price"""

    id: str
    provider: str
    model: str
    input_per_million: str
    cached_input_per_million: str | None
    output_per_million: str
    effective_from: datetime
    source: Literal["project", "default"] | None = Field(default=None)
    create_time: datetime | None = Field(default=None)
    update_time: datetime | None = Field(default=None)


class PriceCreate(KanriModel):
    """PriceCreate"""

    provider: str
    model: str
    input_per_million: float | str
    cached_input_per_million: float | str | None = Field(default=None)
    output_per_million: float | str
    effective_from: datetime | None = Field(default=None)


class PriceUpdate(KanriModel):
    """PriceUpdate"""

    input_per_million: float | str | None = Field(default=None)
    cached_input_per_million: float | str | None = Field(default=None)
    output_per_million: float | str | None = Field(default=None)
    effective_from: datetime | None = Field(default=None)


class Project(KanriModel):
    """Project"""

    id: str
    organization_id: str
    name: str
    display_name: str
    description: str
    rate_limit_per_minute: int
    allow_private_network: bool
    max_running_runs: int | None
    observability_retention_days: int
    create_time: datetime
    update_time: datetime


class ProjectCreate(KanriModel):
    """ProjectCreate"""

    name: str
    display_name: str | None = Field(default=None)
    description: str | None = Field(default=None)
    rate_limit_per_minute: int | None = Field(default=None)
    allow_private_network: bool | None = Field(default=None)
    observability_retention_days: int | None = Field(default=None)


class ProjectUpdate(KanriModel):
    """ProjectUpdate"""

    name: str | None = Field(default=None)
    display_name: str | None = Field(default=None)
    description: str | None = Field(default=None)
    rate_limit_per_minute: int | None = Field(default=None)
    allow_private_network: bool | None = Field(default=None)
    max_running_runs: int | None = Field(default=None)
    observability_retention_days: int | None = Field(default=None)


class Provider(KanriModel):
    """Provider"""

    id: str
    project_id: str
    name: str
    kind: Literal["openai", "anthropic", "offline"]
    base_url: str | None
    has_api_key: bool
    api_key_secret: str | None
    default_model: str | None
    options: ProviderOptions
    create_time: datetime
    update_time: datetime


class ProviderCreate(KanriModel):
    """ProviderCreate"""

    name: str
    kind: Literal["openai", "anthropic", "offline"]
    base_url: str | None = Field(default=None)
    api_key: str | None = Field(default=None)
    api_key_secret: str | None = Field(default=None)
    default_model: str | None = Field(default=None)
    options: ProviderOptions | None = Field(default=None)


class ProviderOptions(KanriModel):
    """ProviderOptions"""

    timeout_seconds: float | None = Field(default=None)
    max_retries: int | None = Field(default=None)
    headers: dict[str, str] | None = Field(default=None)
    stream: bool | None = Field(default=None)
    require_usage: bool | None = Field(default=None)


class ProviderUpdate(KanriModel):
    """ProviderUpdate"""

    name: str | None = Field(default=None)
    base_url: str | None = Field(default=None)
    api_key: str | None = Field(default=None)
    api_key_secret: str | None = Field(default=None)
    default_model: str | None = Field(default=None)
    options: ProviderOptions | None = Field(default=None)


class PublicEntry(KanriModel):
    """PublicEntry"""

    id: str
    type: str
    slug: str
    locale: str
    fields_: dict[str, Any] = Field(alias="fields")
    fallback_fields: list[str]
    labels: dict[str, Any]
    version: int
    published_time: datetime


class PublishRequest(KanriModel):
    """PublishRequest"""

    publish_at: datetime | None = Field(default=None)


class Ranks(KanriModel):
    """Ranks"""

    keyword: int | None
    vector: int | None


class Ready(KanriModel):
    """Ready"""

    ok: bool
    database: str
    revision: str | None


class Record(KanriModel):
    """Record"""

    id: str
    object_id: str
    object: str
    field_values: dict[str, Any]
    create_time: datetime
    update_time: datetime
    deleted_time: datetime | None


class RecordBatchResult(KanriModel):
    """RecordBatchResult"""

    data: list[Record] | list[BatchItem]


class RecordObject(KanriModel):
    """RecordObject"""

    id: str
    project_id: str
    slug: str
    name: str
    description: str
    fields_: list[ObjectField] = Field(alias="fields")
    create_time: datetime
    update_time: datetime


class RecordPatch(KanriModel):
    """RecordPatch"""

    id: str
    field_values: dict[str, Any]


class RecordQuery(KanriModel):
    """RecordQuery"""

    filter: str | None = Field(default=None)
    order_by: str | None = Field(default=None)
    page_size: int | None = Field(default=None)
    page_token: str | None = Field(default=None)
    include_total: bool | None = Field(default=None)
    show_deleted: bool | None = Field(default=None)
    expand: list[str] | None = Field(default=None)


class RecordRef(KanriModel):
    """RecordRef"""

    id: str


class RecordWrite(KanriModel):
    """RecordWrite"""

    field_values: dict[str, Any]


class RegexCondition(KanriModel):
    """RegexCondition"""

    pattern: str
    case_sensitive: bool | None = Field(default=None)


class Relation(KanriModel):
    """Relation"""

    object_id: str
    many: bool


class RelationSpec(KanriModel):
    """RelationSpec"""

    object: str
    many: bool | None = Field(default=None)


class Repeated(KanriModel):
    """Repeated"""

    count: int | None = Field(default=None)
    window_seconds: int | None = Field(default=None)


class Report(KanriModel):
    """Report"""

    id: str
    project_id: str
    type: Literal["daily", "weekly", "audit", "incident", "custom"]
    title: str
    format: Literal["html", "markdown", "text"]
    author: str
    period_start: datetime | None
    period_end: datetime | None
    labels: dict[str, str]
    create_time: datetime
    content: str
    metadata: dict[str, Any]
    created_by: dict[str, Any]


class ReportCreate(KanriModel):
    """ReportCreate"""

    type: Literal["daily", "weekly", "audit", "incident", "custom"]
    title: str
    content: str
    format: Literal["html", "markdown", "text"] | None = Field(default=None)
    author: str | None = Field(default=None)
    period_start: datetime | None = Field(default=None)
    period_end: datetime | None = Field(default=None)
    metadata: dict[str, Any] | None = Field(default=None)
    labels: dict[str, Any] | None = Field(default=None)


class ReportSummary(KanriModel):
    """ReportSummary"""

    id: str
    project_id: str
    type: Literal["daily", "weekly", "audit", "incident", "custom"]
    title: str
    format: Literal["html", "markdown", "text"]
    author: str
    period_start: datetime | None
    period_end: datetime | None
    labels: dict[str, str]
    create_time: datetime


class Rollback(KanriModel):
    """Rollback"""

    version: int


class RotateSecret(KanriModel):
    """RotateSecret"""

    grace_seconds: int | None = Field(default=None)


class Rule(KanriModel):
    """`{id?, when, effect, reason?, approvers?, required_approvals?, timeout_seconds?, on_timeout?, escalate_to?, severity?}`; the first rule whose `when` matches decides."""

    approvers: list[str] | None = Field(default=None)
    required_approvals: int | None = Field(default=None)
    timeout_seconds: float | None = Field(default=None)
    on_timeout: Literal["reject", "approve", "escalate"] | None = Field(default=None)
    escalate_to: list[str] | None = Field(default=None)
    severity: Literal["low", "medium", "high", "critical"] | None = Field(default=None)
    id: str | None = Field(default=None)
    when: str | None = Field(default=None)
    effect: Literal["allow", "deny", "require_approval"]
    reason: str | None = Field(default=None)


class RuleCheck(KanriModel):
    """RuleCheck"""

    type: Literal["contains", "not_contains", "regex", "length", "equals", "exists"]
    path: str | None = Field(default=None)
    value: Any = Field(default=None)
    pattern: str | None = Field(default=None)
    min: int | None = Field(default=None)
    max: int | None = Field(default=None)


class RuleCreate(KanriModel):
    """RuleCreate"""

    name: str
    enabled: bool | None = Field(default=None)
    order: int | None = Field(default=None)
    when: When | None = Field(default=None)
    action: Literal["approve", "flag", "hide", "warn", "reject"]
    category: (
        Literal[
            "spam",
            "harassment",
            "hate",
            "sexual",
            "violence",
            "self_harm",
            "illegal",
            "pii",
            "other",
        ]
        | None
    ) = Field(default=None)
    severity: Literal["low", "medium", "high", "critical"] | None = Field(default=None)


class RuleUpdate(KanriModel):
    """RuleUpdate"""

    enabled: bool | None = Field(default=None)
    order: int | None = Field(default=None)
    when: When | None = Field(default=None)
    action: Literal["approve", "flag", "hide", "warn", "reject"] | None = Field(default=None)
    category: (
        Literal[
            "spam",
            "harassment",
            "hate",
            "sexual",
            "violence",
            "self_harm",
            "illegal",
            "pii",
            "other",
        ]
        | None
    ) = Field(default=None)
    severity: Literal["low", "medium", "high", "critical"] | None = Field(default=None)


class Run(KanriModel):
    """Run"""

    id: str
    project_id: str
    environment_id: str | None
    automation_id: str | None
    version: int | None
    status: RunStatus
    stop_reason: str | None
    waiting_reason: str | None = Field(default=None)
    inputs: dict[str, Any]
    outputs: Any = Field(default=None)
    error: dict[str, Any] | None
    labels: dict[str, str]
    attempt: int
    parent_run_id: str | None
    triggered_by: str
    agent_id: str | None = Field(default=None)
    usage: dict[str, Any] | None = Field(default=None)
    cost_usd: str | None = Field(default=None)
    create_time: datetime
    start_time: datetime | None
    end_time: datetime | None
    update_time: datetime


class RunBatch(KanriModel):
    """RunBatch"""

    filter: str | None = Field(default=None)
    limit: int | None = Field(default=None)


class RunBatchResult(KanriModel):
    """RunBatchResult"""

    matched: int
    changed: int


class RunCreate(KanriModel):
    """RunCreate"""

    inputs: dict[str, Any] | None = Field(default=None)
    version: int | Literal["draft"] | None = Field(default=None)
    labels: dict[str, Any] | None = Field(default=None)


class RunException(KanriModel):
    """RunException"""

    run: Run
    reason: str
    approval_id: str | None = Field(default=None)


class RunFork(KanriModel):
    """A new run of the same definition that keeps the checkpoints made before `from_step`. It is a new start: its inputs are checked against the automation's schema and the project's policies are evaluated on it before any step runs; it never starts past an approval step (fork from the approval step and it asks again)."""

    from_step: str
    inputs: dict[str, Any] | None = Field(default=None)


class RunLog(KanriModel):
    """RunLog"""

    id: str
    step_id: str | None
    level: str
    message: str
    create_time: datetime


class RunStep(KanriModel):
    """RunStep"""

    id: str
    seq: int
    step_id: str
    kind: str
    status: StepStatus
    output: Any = Field(default=None)
    error: dict[str, Any] | None
    attempt: int
    start_time: datetime
    end_time: datetime | None


class Runtime(KanriModel):
    """Runtime"""

    provider: str
    model: str | None = Field(default=None)
    temperature: float | None = Field(default=None)
    max_tokens: int | None = Field(default=None)
    top_p: float | None = Field(default=None)


class ScanCreate(KanriModel):
    """ScanCreate"""

    since: datetime | None = Field(default=None)
    filter: str | None = Field(default=None)
    limit: int | None = Field(default=None)


class ScanStarted(KanriModel):
    """ScanStarted"""

    id: str
    run_id: str
    status: str


class Schedule(KanriModel):
    """Schedule"""

    id: str
    project_id: str
    environment_id: str | None
    automation_id: str
    cron: str
    timezone: str
    inputs: dict[str, Any]
    labels: dict[str, str]
    enabled: bool
    catchup: Literal["none", "latest", "all"]
    next_fire_time: datetime | None
    last_fire_time: datetime | None
    triggered_by: str
    create_time: datetime
    update_time: datetime


class ScheduleCreate(KanriModel):
    """ScheduleCreate"""

    automation: str
    cron: str
    timezone: str | None = Field(default=None)
    inputs: dict[str, Any] | None = Field(default=None)
    labels: dict[str, Any] | None = Field(default=None)
    enabled: bool | None = Field(default=None)
    catchup: Literal["none", "latest", "all"] | None = Field(default=None)


class ScheduleUpdate(KanriModel):
    """ScheduleUpdate"""

    automation: str | None = Field(default=None)
    cron: str | None = Field(default=None)
    timezone: str | None = Field(default=None)
    inputs: dict[str, Any] | None = Field(default=None)
    labels: dict[str, Any] | None = Field(default=None)
    enabled: bool | None = Field(default=None)
    catchup: Literal["none", "latest", "all"] | None = Field(default=None)


class Score(KanriModel):
    """Score"""

    id: str
    judge_id: str
    run_id: str
    status: Literal["scored", "error"]
    score: float | None
    passed: bool | None
    reasoning: str
    details: dict[str, Any]
    create_time: datetime


class SearchRequest(KanriModel):
    """SearchRequest"""

    query: str
    top_k: int | None = Field(default=None)
    mode: Literal["hybrid", "keyword", "vector"] | None = Field(default=None)
    filter: str | None = Field(default=None)
    min_score: float | None = Field(default=None)
    weights: SearchWeights | None = Field(default=None)


class SearchResponse(KanriModel):
    """SearchResponse"""

    data: list[SearchResult]


class SearchResult(KanriModel):
    """SearchResult"""

    namespace: str
    entry_id: str
    chunk_id: str
    title: str
    text: str
    context: str
    metadata: dict[str, Any]
    source_url: str | None
    score: float
    ranks: Ranks


class SearchWeights(KanriModel):
    """SearchWeights"""

    keyword: float | None = Field(default=None)
    vector: float | None = Field(default=None)


class Secret(KanriModel):
    """A secret as every endpoint shows it: never its value."""

    id: str
    project_id: str
    environment_id: str
    name: str
    description: str
    version: int
    last_used_time: datetime | None
    create_time: datetime
    update_time: datetime


class SecretPut(KanriModel):
    """SecretPut"""

    value: str
    description: str | None = Field(default=None)


class Series(KanriModel):
    """Series"""

    group: dict[str, str | None]
    points: list[list[Any]]


class SeriesPoint(KanriModel):
    """SeriesPoint"""

    key: str
    count: int


class Settings(KanriModel):
    """Settings"""

    auto_moderate: bool | None = Field(default=None)
    default_action: Literal["approve", "flag", "hide", "warn", "reject"] | None = Field(
        default=None
    )
    classifier: Classifier | None = Field(default=None)
    warnings_to_hide: int | None = Field(default=None)
    warning_window_seconds: int | None = Field(default=None)
    max_content_bytes: int | None = Field(default=None)
    rule_timeout_ms: int | None = Field(default=None)


class Span(KanriModel):
    """Span"""

    id: str
    trace_id: str
    span_id: str
    parent_span_id: str | None
    name: str
    kind: str
    service: str | None
    start_time: datetime
    end_time: datetime
    duration_ms: float
    status: str
    status_message: str | None
    attributes: dict[str, Any]


class SpanNode(KanriModel):
    """SpanNode"""

    id: str
    trace_id: str
    span_id: str
    parent_span_id: str | None
    name: str
    kind: str
    service: str | None
    start_time: datetime
    end_time: datetime
    duration_ms: float
    status: str
    status_message: str | None
    attributes: dict[str, Any]
    children: list[SpanNode] | None = Field(default=None)


class Stats(KanriModel):
    """Stats"""

    totals: Totals
    series: list[SeriesPoint]
    totalActions: int
    autoModerated: int
    manualReview: int
    flagged: int


class StepFacts(KanriModel):
    """StepFacts"""

    kind: str | None = Field(default=None)


class StoredRule(KanriModel):
    """StoredRule"""

    id: str
    when: str
    effect: str
    reason: str | None = Field(default=None)
    approvers: list[str] | None = Field(default=None)
    required_approvals: int | None = Field(default=None)
    timeout_seconds: float | None = Field(default=None)
    on_timeout: str | None = Field(default=None)
    escalate_to: list[str] | None = Field(default=None)
    severity: str | None = Field(default=None)


class StreamOptions(KanriModel):
    """StreamOptions"""

    include_usage: bool | None = Field(default=None)


class TestMessage(KanriModel):
    """TestMessage"""

    data: dict[str, Any] | None = Field(default=None)


class Thread(KanriModel):
    """Thread"""

    id: str
    project_id: str
    agent_id: str | None
    title: str
    labels: dict[str, str]
    message_count: int
    create_time: datetime
    update_time: datetime


class ThreadCreate(KanriModel):
    """ThreadCreate"""

    agent: str | None = Field(default=None)
    title: str | None = Field(default=None)
    labels: dict[str, Any] | None = Field(default=None)


class ThreadMessage(KanriModel):
    """ThreadMessage"""

    id: str
    seq: int
    run_id: str | None
    role: str
    message: dict[str, Any]
    create_time: datetime


class Threshold(KanriModel):
    """Threshold"""

    percent: float | str
    action: Literal["notify", "block", "require_approval"]


class ToolCall(KanriModel):
    """ToolCall"""

    id: str
    run_id: str
    call_key: str
    tool_call_id: str
    name: str
    arguments: Any
    status: str
    result: Any
    approval_id: str | None
    create_time: datetime


class ToolSpec(KanriModel):
    """ToolSpec"""

    name: str
    requires_approval: bool | None = Field(default=None)
    config: dict[str, Any] | None = Field(default=None)


class Totals(KanriModel):
    """Totals"""

    total_actions: int
    auto_moderated: int
    manual_review: int
    flagged: int
    hidden: int
    approved: int
    rejected: int
    warned: int
    appeals: int
    median_time_to_decision: float | None
    queue_size: int


class Trace(KanriModel):
    """Trace"""

    trace_id: str
    span_count: int
    duration_ms: float
    roots: list[SpanNode]


class TypeCreate(KanriModel):
    """TypeCreate"""

    slug: str
    name: str
    description: str | None = Field(default=None)
    fields_: list[ContentField] | None = Field(default=None, alias="fields")


class TypeUpdate(KanriModel):
    """TypeUpdate"""

    name: str | None = Field(default=None)
    description: str | None = Field(default=None)
    fields_: list[ContentField] | None = Field(default=None, alias="fields")
    force: bool | None = Field(default=None)


class Usage(KanriModel):
    """Usage"""

    input_tokens: int | None = Field(default=None)
    output_tokens: int | None = Field(default=None)
    cached_input_tokens: int | None = Field(default=None)
    reasoning_tokens: int | None = Field(default=None)
    total_tokens: int | None = Field(default=None)


class Variable(KanriModel):
    """Variable"""

    id: str
    project_id: str
    environment_id: str
    name: str
    description: str
    value: Any
    create_time: datetime
    update_time: datetime


class VariablePut(KanriModel):
    """VariablePut"""

    value: Any
    description: str | None = Field(default=None)


class Verification(KanriModel):
    """Verification"""

    valid: bool
    checked: int
    first_broken: BrokenRow | None = Field(default=None)


class Version(KanriModel):
    """Version"""

    entry_id: str
    number: int
    slug: str
    labels: dict[str, Any]
    fields_: dict[str, Any] = Field(alias="fields")
    changed: list[str]
    author: str
    create_time: datetime


class VersionDiff(KanriModel):
    """VersionDiff"""

    entry_id: str
    from_version: int
    to_version: int
    patch: list[dict[str, Any]]


class Webhook(KanriModel):
    """Webhook"""

    id: str
    project_id: str
    url: str
    event_types: list[str]
    description: str
    enabled: bool
    ordered: bool
    filter: str | None
    disabled_reason: str | None
    previous_secret_expire_time: datetime | None
    signing_secret: str | None
    create_time: datetime
    update_time: datetime


class WebhookCreate(KanriModel):
    """WebhookCreate"""

    url: str
    event_types: list[str]
    description: str | None = Field(default=None)
    enabled: bool | None = Field(default=None)
    ordered: bool | None = Field(default=None)
    filter: str | None = Field(default=None)
    signing_secret: str | None = Field(default=None)


class WebhookUpdate(KanriModel):
    """WebhookUpdate"""

    url: str | None = Field(default=None)
    event_types: list[str] | None = Field(default=None)
    description: str | None = Field(default=None)
    enabled: bool | None = Field(default=None)
    ordered: bool | None = Field(default=None)
    filter: str | None = Field(default=None)
    signing_secret: str | None = Field(default=None)


class WebhookWithSecret(KanriModel):
    """WebhookWithSecret"""

    id: str
    project_id: str
    url: str
    event_types: list[str]
    description: str
    enabled: bool
    ordered: bool
    filter: str | None
    disabled_reason: str | None
    previous_secret_expire_time: datetime | None
    signing_secret: str | None
    create_time: datetime
    update_time: datetime
    secret: str | None


class When(KanriModel):
    """Every condition given must hold; none given: the rule always matches."""

    keywords: KeywordList | None = Field(default=None)
    regex: RegexCondition | None = Field(default=None)
    link_count: int | None = Field(default=None)
    blocked_domains: list[str] | None = Field(default=None)
    repeated_content: Repeated | None = Field(default=None)
    author_rate: int | None = Field(default=None)
    new_author: bool | None = Field(default=None)
    classifier: dict[str, float] | None = Field(default=None)
    kinds: list[Literal["post", "comment", "message", "profile", "other"]] | None = Field(
        default=None
    )


class Worker(KanriModel):
    """Worker"""

    id: str
    hostname: str
    pid: int
    concurrency: int
    start_time: datetime
    heartbeat_time: datetime


class Problem(KanriModel):
    """RFC 9457 problem details, as every error response carries them."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[dict[str, str]] | None = Field(default=None)
    request_id: str | None = Field(default=None)


class AgentStep(KanriModel):
    """`agent`: run an agent on `message` or `messages` (model and tool calls, each checkpointed); its answer is the step's output."""

    id: str
    kind: Literal["agent"]
    agent: str
    version: int | Literal["draft"] | str | None = Field(default=None)
    message: str | None = Field(default=None)
    messages: list[dict[str, Any]] | str | None = Field(default=None)
    thread_id: str | None = Field(default=None)
    spec: dict[str, Any] | str | None = Field(default=None)
    from_run_inputs: bool | str | None = Field(default=None)
    retry: RetryPolicy | None = Field(default=None)
    timeout_seconds: float | None = Field(default=None)


class ApprovalStep(KanriModel):
    """`approval`: park the run until people approve or reject; the decision is the step's output, a rejection fails the run."""

    id: str
    kind: Literal["approval"]
    message: str | None = Field(default=None)
    approvers: list[str] | str | None = Field(default=None)
    required_approvals: int | str | None = Field(default=None)
    timeout_seconds: float | str | None = Field(default=None)
    on_timeout: Literal["reject", "approve", "escalate"] | str | None = Field(default=None)
    allow_self_approval: bool | str | None = Field(default=None)
    retry: RetryPolicy | None = Field(default=None)


class AutomationStep(KanriModel):
    """`automation`: start another automation as a child run and wait for it; its outputs are the step's output."""

    id: str
    kind: Literal["automation"]
    automation: str
    inputs: dict[str, Any] | str | None = Field(default=None)
    version: int | Literal["draft"] | str | None = Field(default=None)
    retry: RetryPolicy | None = Field(default=None)
    timeout_seconds: float | None = Field(default=None)


class ConditionStep(KanriModel):
    """`condition`: evaluate the expression `if` and jump to `then` or `else` (a step id, or `end`)."""

    id: str
    kind: Literal["condition"]
    if_: str = Field(alias="if")
    then: str | None = Field(default=None)
    else_: str | None = Field(default=None, alias="else")
    retry: RetryPolicy | None = Field(default=None)
    timeout_seconds: float | None = Field(default=None)


class ContentDraftStep(KanriModel):
    """`content.draft`: save a step's JSON output as a new draft entry."""

    id: str
    kind: Literal["content.draft"]
    type: str
    from_step: str
    locale: str | None = Field(default=None)
    slug: str | None = Field(default=None)
    retry: RetryPolicy | None = Field(default=None)
    timeout_seconds: float | None = Field(default=None)


class ContentGetStep(KanriModel):
    """`content.get`: read an entry's draft in a locale."""

    id: str
    kind: Literal["content.get"]
    entry: str
    locale: str | None = Field(default=None)
    retry: RetryPolicy | None = Field(default=None)
    timeout_seconds: float | None = Field(default=None)


class ContentPublishStep(KanriModel):
    """`content.publish`: publish an entry's current draft version."""

    id: str
    kind: Literal["content.publish"]
    entry: str
    scheduled: bool | str | None = Field(default=None)
    retry: RetryPolicy | None = Field(default=None)
    timeout_seconds: float | None = Field(default=None)


class EventEmitStep(KanriModel):
    """`event.emit`: append an event of `type` with `data` to the project's events."""

    id: str
    kind: Literal["event.emit"]
    type: str
    data: dict[str, Any] | str | None = Field(default=None)
    retry: RetryPolicy | None = Field(default=None)
    timeout_seconds: float | None = Field(default=None)


class FailStep(KanriModel):
    """`fail`: end the run as failed with `message` (never retried)."""

    id: str
    kind: Literal["fail"]
    message: str
    retry: RetryPolicy | None = Field(default=None)
    timeout_seconds: float | None = Field(default=None)


class HttpStep(KanriModel):
    """`http`: call a URL (through the outbound guard); a status outside 2xx and `allow_status` fails the step."""

    id: str
    kind: Literal["http"]
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"] | str | None = Field(
        default=None
    )
    url: str
    headers: dict[str, str] | str | None = Field(default=None)
    body: Any = Field(default=None)
    timeout: float | str | None = Field(default=None)
    allow_status: list[int] | str | None = Field(default=None)
    retry: RetryPolicy | None = Field(default=None)
    timeout_seconds: float | None = Field(default=None)


class KnowledgeIngestStep(KanriModel):
    """`knowledge.ingest`: chunk and embed a namespace's entries (or one of them)."""

    id: str
    kind: Literal["knowledge.ingest"]
    namespace_id: str
    entry: str | None = Field(default=None)
    generation: int | str | None = Field(default=None)
    retry: RetryPolicy | None = Field(default=None)
    timeout_seconds: float | None = Field(default=None)


class KnowledgeSearchStep(KanriModel):
    """`knowledge.search`: the `top_k` best chunks of `namespaces` for `query`, with citations."""

    id: str
    kind: Literal["knowledge.search"]
    namespaces: list[str] | str
    query: str
    top_k: int | str | None = Field(default=None)
    mode: Literal["hybrid", "keyword", "vector"] | str | None = Field(default=None)
    filter: str | None = Field(default=None)
    min_score: float | str | None = Field(default=None)
    retry: RetryPolicy | None = Field(default=None)
    timeout_seconds: float | None = Field(default=None)


class LlmStep(KanriModel):
    """`llm`: one model call with a templated `prompt`; with `output_schema` the answer is JSON matching it."""

    id: str
    kind: Literal["llm"]
    provider: str
    model: str | None = Field(default=None)
    prompt: str
    system: str | None = Field(default=None)
    output_schema: dict[str, Any] | str | None = Field(default=None)
    temperature: float | str | None = Field(default=None)
    max_tokens: int | str | None = Field(default=None)
    retry: RetryPolicy | None = Field(default=None)
    timeout_seconds: float | None = Field(default=None)


class LogStep(KanriModel):
    """`log`: write `message` to the run's log at `level`."""

    id: str
    kind: Literal["log"]
    message: str
    level: Literal["debug", "info", "warning", "error"] | str | None = Field(default=None)
    retry: RetryPolicy | None = Field(default=None)
    timeout_seconds: float | None = Field(default=None)


class ModerateStep(KanriModel):
    """`moderate`: submit one item to moderation; the output is the item (`status`, `action`, `category`, `rule_name`, `scores`)."""

    id: str
    kind: Literal["moderate"]
    external_id: str
    content: str
    author: dict[str, Any] | str
    item_kind: Literal["post", "comment", "message", "profile", "other"] | str | None = Field(
        default=None
    )
    context: dict[str, Any] | str | None = Field(default=None)
    metadata: dict[str, Any] | str | None = Field(default=None)
    retry: RetryPolicy | None = Field(default=None)
    timeout_seconds: float | None = Field(default=None)


class ModerationScanStep(KanriModel):
    """`moderation.scan`: moderate stored items again with the current rules."""

    id: str
    kind: Literal["moderation.scan"]
    since: datetime | str | None = Field(default=None)
    filter: str | None = Field(default=None)
    limit: int | str | None = Field(default=None)
    retry: RetryPolicy | None = Field(default=None)
    timeout_seconds: float | None = Field(default=None)


class RecordsCreateStep(KanriModel):
    """`records.create`: create a record of `object`."""

    id: str
    kind: Literal["records.create"]
    object: str
    field_values: dict[str, Any] | str | None = Field(default=None)
    retry: RetryPolicy | None = Field(default=None)
    timeout_seconds: float | None = Field(default=None)


class RecordsDeleteStep(KanriModel):
    """`records.delete`: delete a record (soft)."""

    id: str
    kind: Literal["records.delete"]
    object: str
    record: str
    retry: RetryPolicy | None = Field(default=None)
    timeout_seconds: float | None = Field(default=None)


class RecordsGetStep(KanriModel):
    """`records.get`: read one record, relations in `expand` inlined."""

    id: str
    kind: Literal["records.get"]
    object: str
    record: str
    expand: list[str] | str | None = Field(default=None)
    retry: RetryPolicy | None = Field(default=None)
    timeout_seconds: float | None = Field(default=None)


class RecordsQueryStep(KanriModel):
    """`records.query`: one page of the records of `object` matching `filter`."""

    id: str
    kind: Literal["records.query"]
    object: str
    filter: str | None = Field(default=None)
    order_by: str | None = Field(default=None)
    page_size: int | str | None = Field(default=None)
    page_token: str | None = Field(default=None)
    include_total: bool | str | None = Field(default=None)
    expand: list[str] | str | None = Field(default=None)
    retry: RetryPolicy | None = Field(default=None)
    timeout_seconds: float | None = Field(default=None)


class RecordsUpdateStep(KanriModel):
    """`records.update`: change a record's fields (`replace`: clear the others)."""

    id: str
    kind: Literal["records.update"]
    object: str
    record: str
    field_values: dict[str, Any] | str | None = Field(default=None)
    replace: bool | str | None = Field(default=None)
    retry: RetryPolicy | None = Field(default=None)
    timeout_seconds: float | None = Field(default=None)


class ReportStep(KanriModel):
    """`report`: render the built-in `report` over the last `period` (ending now) to HTML and store it as a report of `type`; the output is the report's id, title and type."""

    id: str
    kind: Literal["report"]
    report: Literal["costs", "exceptions", "audit", "observability"] | str
    period: Literal["day", "week"] | str | None = Field(default=None)
    type: Literal["daily", "weekly", "audit", "incident", "custom"] | str | None = Field(
        default=None
    )
    title: str | None = Field(default=None)
    labels: dict[str, str] | str | None = Field(default=None)
    retry: RetryPolicy | None = Field(default=None)
    timeout_seconds: float | None = Field(default=None)


class RetryPolicy(KanriModel):
    """RetryPolicy"""

    max_attempts: int | None = Field(default=None)
    backoff_seconds: float | None = Field(default=None)


class TransformStep(KanriModel):
    """`transform`: the step's output is its `output` value, templates rendered."""

    id: str
    kind: Literal["transform"]
    output: Any = Field(default=None)
    retry: RetryPolicy | None = Field(default=None)
    timeout_seconds: float | None = Field(default=None)


class WaitStep(KanriModel):
    """`wait`: park the run for `seconds` or until `until` (exactly one); it holds no worker meanwhile."""

    id: str
    kind: Literal["wait"]
    seconds: float | str | None = Field(default=None)
    until: datetime | str | None = Field(default=None)
    retry: RetryPolicy | None = Field(default=None)
    timeout_seconds: float | None = Field(default=None)
