"""Public contract of prices, cost reports and budgets. Money is USD as decimal strings."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, PlainSerializer, field_validator, model_validator

from kanri.core.schemas import Model, Resource, Slug, UtcDatetime, examples

# USD as a fixed-point string (never `0E-8`).
Usd = Annotated[
    Decimal,
    PlainSerializer(lambda value: format(value, "f"), return_type=str, when_used="json"),
]


def _money(value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    if not value.is_finite() or value < 0 or value > Decimal(1_000_000):
        raise ValueError("must be between 0 and 1000000 USD")
    return value


class PriceCreate(Model):
    model_config = examples(
        {
            "provider": "openai",
            "model": "gpt-4o-mini",
            "input_per_million": "0.15",
            "cached_input_per_million": "0.075",
            "output_per_million": "0.60",
        }
    )

    provider: str = Field(
        min_length=1, max_length=63, description="provider name or id, or `*` for any"
    )
    model: str = Field(min_length=1, max_length=200)
    input_per_million: Decimal
    cached_input_per_million: Decimal | None = Field(
        default=None, description="default: input_per_million"
    )
    output_per_million: Decimal
    effective_from: UtcDatetime | None = Field(default=None, description="default: now")

    _checked = field_validator(
        "input_per_million", "cached_input_per_million", "output_per_million"
    )(_money)


class PriceUpdate(Model):
    input_per_million: Decimal | None = None
    cached_input_per_million: Decimal | None = None
    output_per_million: Decimal | None = None
    effective_from: UtcDatetime | None = None

    _checked = field_validator(
        "input_per_million", "cached_input_per_million", "output_per_million"
    )(_money)


class Price(Resource):
    id: str
    provider: str
    model: str
    input_per_million: Decimal
    cached_input_per_million: Decimal | None
    output_per_million: Decimal
    effective_from: datetime
    source: Literal["project", "default"] = "project"
    create_time: datetime | None = None
    update_time: datetime | None = None


class Usage(Model):
    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0
    reasoning_tokens: int = 0
    total_tokens: int = 0


class CostRow(Model):
    group: dict[str, Any]
    usage: Usage
    calls: int
    cost_usd: Usd


class CostReport(Model):
    data: list[CostRow]
    total: CostRow


class Threshold(Model):
    percent: Decimal = Field(gt=0, le=1000)
    action: Literal["notify", "block", "require_approval"]


class BudgetCreate(Model):
    model_config = examples(
        {
            "name": "monthly-models",
            "period": "month",
            "limit_usd": "500",
            "thresholds": [
                {"percent": 80, "action": "notify"},
                {"percent": 100, "action": "block"},
            ],
        }
    )

    name: Slug
    agent: str | None = Field(
        default=None, max_length=100, description="agent id or name; none: the whole project"
    )
    period: Literal["day", "week", "month"]
    limit_usd: Decimal
    thresholds: list[Threshold] = Field(
        default_factory=lambda: [
            Threshold(percent=Decimal(80), action="notify"),
            Threshold(percent=Decimal(100), action="block"),
        ],
        min_length=1,
        max_length=10,
    )

    @field_validator("limit_usd")
    @classmethod
    def _positive(cls, value: Decimal) -> Decimal:
        if not value.is_finite() or value <= 0 or value > Decimal(1_000_000_000):
            raise ValueError("must be more than 0")
        return value

    @model_validator(mode="after")
    def _distinct(self) -> BudgetCreate:
        percents = [t.percent for t in self.thresholds]
        if len(percents) != len(set(percents)):
            raise ValueError("threshold percents must be distinct")
        return self


class BudgetUpdate(Model):
    period: Literal["day", "week", "month"] | None = None
    limit_usd: Decimal | None = None
    thresholds: list[Threshold] | None = Field(default=None, min_length=1, max_length=10)

    @field_validator("limit_usd")
    @classmethod
    def _positive(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and (not value.is_finite() or value <= 0):
            raise ValueError("must be more than 0")
        return value


class Budget(Resource):
    id: str
    name: str
    agent_id: str | None
    period: Literal["day", "week", "month"]
    limit_usd: Decimal
    thresholds: list[Threshold]
    spent_usd: Usd = Decimal(0)
    period_start: datetime | None = None
    create_time: datetime
    update_time: datetime
