"""Public contract of moderation: items, rules, the review queue, authors, settings, stats."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, field_validator

from kanri.core import regex
from kanri.core.schemas import Model, Resource, Slug, UtcDatetime, examples

Kind = Literal["post", "comment", "message", "profile", "other"]
Action = Literal["approve", "flag", "hide", "warn", "reject"]
Status = Literal["pending", "approved", "flagged", "hidden", "warned", "rejected"]
Severity = Literal["low", "medium", "high", "critical"]
Category = Literal[
    "spam", "harassment", "hate", "sexual", "violence", "self_harm", "illegal", "pii", "other"
]
CATEGORIES: tuple[str, ...] = (
    "spam",
    "harassment",
    "hate",
    "sexual",
    "violence",
    "self_harm",
    "illegal",
    "pii",
)
STATUS_OF: dict[str, str] = {
    "approve": "approved",
    "flag": "flagged",
    "hide": "hidden",
    "warn": "warned",
    "reject": "rejected",
}
ShortText = Field(default=None, max_length=2000)


class Author(Model):
    id: str = Field(min_length=1, max_length=200, description="the author's id in your system")
    name: str | None = Field(default=None, max_length=200)


class Context(Model):
    thread_id: str | None = Field(default=None, max_length=200)
    url: str | None = Field(default=None, max_length=2000)
    parent_id: str | None = Field(default=None, max_length=200)


class ItemSubmit(Model):
    model_config = examples(
        {
            "external_id": "post-1842",
            "kind": "post",
            "content": "Selling cheap watches at https://spam.example",
            "author": {"id": "user-77", "name": "Kim"},
            "context": {"thread_id": "t-9"},
            "metadata": {"forum": "general"},
        }
    )

    external_id: str = Field(
        min_length=1, max_length=200, description="your id; the same id again updates the item"
    )
    kind: Kind = "post"
    content: str = Field(description="the text (up to the project's content cap, 64 KB)")
    author: Author
    context: Context = Field(default_factory=Context)
    metadata: dict[str, Any] = Field(default_factory=dict, max_length=50)


class ItemBatch(Model):
    model_config = examples(
        {
            "items": [
                {
                    "external_id": "c-1",
                    "kind": "comment",
                    "content": "Nice post!",
                    "author": {"id": "user-1"},
                }
            ]
        }
    )

    items: list[ItemSubmit] = Field(min_length=1, max_length=500)


class ModerationDecision(Resource):
    id: str
    action: Action
    status: Status
    source: Literal["rules", "manual", "scan", "appeal"]
    automatic: bool
    category: str | None
    rule_id: str | None
    rule_name: str | None
    reason: str | None
    actor: str
    create_time: datetime


class Appeal(Model):
    reason: str
    status: Literal["pending", "decided"]
    create_time: datetime


class Item(Resource):
    id: str
    external_id: str
    kind: Kind
    content: str
    author: dict[str, Any]
    context: dict[str, Any]
    metadata: dict[str, Any]
    status: Status
    action: Action | None
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


class ItemWithHistory(Item):
    decisions: list[ModerationDecision]


class ModerationBatchResult(Model):
    data: list[Item]


class Claim(Model):
    model_config = examples({"lease_seconds": 300})

    lease_seconds: int = Field(default=300, ge=10, le=86_400, description="how long it is yours")


class Decide(Model):
    model_config = examples({"action": "hide", "reason": "off-topic advertising"})

    action: Action
    reason: str | None = ShortText
    category: Category | None = None


class AppealCreate(Model):
    model_config = examples({"reason": "This was a quote, not my words."})

    reason: str = Field(min_length=1, max_length=2000)


# ---------------------------------------------------------------- rules


class KeywordList(Model):
    words: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        min_length=1, max_length=20_000, description="words or phrases, 1 to 200 characters each"
    )
    case_sensitive: bool = False
    leetspeak: bool = Field(default=True, description="fold `h4t3` to `hate` before matching")


class RegexCondition(Model):
    pattern: str = Field(
        min_length=1,
        max_length=2000,
        description="an RE2 regular expression (no backreferences or lookaround)",
    )
    case_sensitive: bool = False

    @field_validator("pattern")
    @classmethod
    def _runs_on_re2(cls, value: str) -> str:
        return regex.check(value)


class Repeated(Model):
    count: int = Field(default=1, ge=1, le=10_000, description="earlier copies at least")
    window_seconds: int = Field(default=3600, ge=1, le=30 * 86_400)


class When(Model):
    """Every condition given must hold; none given: the rule always matches."""

    keywords: KeywordList | None = None
    regex: RegexCondition | None = None
    link_count: int | None = Field(default=None, ge=0, le=10_000, description="more links than")
    blocked_domains: list[str] = Field(default_factory=list, max_length=5000)
    repeated_content: Repeated | None = Field(
        default=None, description="the same normalised text from the author within the window"
    )
    author_rate: int | None = Field(
        default=None, ge=0, le=100_000, description="more items per minute than"
    )
    new_author: bool | None = Field(default=None, description="the author's first item")
    classifier: dict[Category, float] = Field(
        default_factory=dict, description="category → threshold (score ≥ threshold)"
    )
    kinds: list[Kind] = Field(default_factory=list, max_length=5, description="only these kinds")

    @field_validator("classifier")
    @classmethod
    def _thresholds(cls, value: dict[str, float]) -> dict[str, float]:
        for threshold in value.values():
            if not 0 <= threshold <= 1:
                raise ValueError("thresholds are from 0 to 1")
        return value


class RuleCreate(Model):
    model_config = examples(
        {
            "name": "no-spam-links",
            "order": 10,
            "when": {"link_count": 3},
            "action": "flag",
            "category": "spam",
            "severity": "medium",
        },
        {
            "name": "slurs",
            "when": {"keywords": {"words": ["badword", "worse phrase"]}},
            "action": "hide",
            "category": "hate",
            "severity": "high",
        },
    )

    name: Slug
    enabled: bool = True
    order: int = Field(default=100, ge=0, le=1_000_000, description="lower runs first")
    when: When = Field(default_factory=When)
    action: Action
    category: Category | None = None
    severity: Severity = "medium"


class RuleUpdate(Model):
    enabled: bool | None = None
    order: int | None = Field(default=None, ge=0, le=1_000_000)
    when: When | None = None
    action: Action | None = None
    category: Category | None = None
    severity: Severity | None = None


class ModerationRule(Resource):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    enabled: bool
    order: int
    when: dict[str, Any]
    action: Action
    category: str | None
    severity: str
    create_time: datetime
    update_time: datetime


# ---------------------------------------------------------------- settings


class Classifier(Model):
    provider: str = Field(
        min_length=1,
        max_length=100,
        description="`builtin` (the local word-list classifier) or a provider's id or name",
    )
    model: str | None = Field(default=None, max_length=200)


class Settings(Model):
    model_config = examples(
        {
            "auto_moderate": True,
            "classifier": {"provider": "builtin"},
            "warnings_to_hide": 3,
            "warning_window_seconds": 2_592_000,
        }
    )

    auto_moderate: bool = Field(
        default=True, description="apply rule actions; false: any non-approve action only flags"
    )
    default_action: Action = Field(default="approve", description="when no rule matches")
    classifier: Classifier | None = None
    warnings_to_hide: int = Field(
        default=3, ge=0, le=1000, description="warnings in the window that hide new items; 0: off"
    )
    warning_window_seconds: int = Field(default=30 * 86_400, ge=60, le=365 * 86_400)
    max_content_bytes: int = Field(default=65_536, ge=1, le=1_048_576)
    rule_timeout_ms: int = Field(default=1000, ge=1, le=60_000)


# ---------------------------------------------------------------- authors, scan, stats


class AuthorView(Model):
    id: str
    name: str | None
    status: Literal["active", "restricted"]
    item_count: int
    warning_count: int
    window_warning_count: int
    statuses: dict[str, int]
    warnings: list[dict[str, Any]]
    items: list[Item]


class ScanCreate(Model):
    model_config = examples({"since": "2026-12-01T00:00:00Z", "limit": 1000})

    since: UtcDatetime | None = None
    filter: str | None = Field(default=None, max_length=2000, description="AIP-160 as the list")
    limit: int = Field(default=1000, ge=1, le=100_000)


class ScanStarted(Model):
    id: str = Field(description="the run doing the scan (GET /v1/runs/{id})")
    run_id: str
    status: str


class Totals(Model):
    total_actions: int
    auto_moderated: int
    manual_review: int
    flagged: int
    hidden: int
    approved: int
    rejected: int
    warned: int
    appeals: int
    median_time_to_decision: float | None = Field(description="seconds, manual decisions")
    queue_size: int


class SeriesPoint(Model):
    key: str
    count: int


class Stats(Model):
    totals: Totals
    series: list[SeriesPoint]
    # K0nsult's names of four of the totals.
    totalActions: int
    autoModerated: int
    manualReview: int
    flagged: int
