"""Public contract of prices, cost reports and budgets. Money is USD as decimal strings."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, PlainSerializer, field_validator

from kanri.core.schemas import DecimalText, Model, Resource, Slug, UtcDatetime, examples

# USD as a fixed-point string (never `0E-8`).
Usd = Annotated[
    Decimal,
    PlainSerializer(lambda value: format(value, "f"), return_type=str, when_used="json"),
]


# Amounts in requests: a JSON number, or its exact text (digits, one optional point);
# not strict, so a number or text becomes a Decimal.
PerMillion = Annotated[
    Decimal,
    Field(ge=0, le=1_000_000, strict=False),
    DecimalText(r"^(?:(?:0|[1-9][0-9]{0,5})(?:\.[0-9]+)?|1000000(?:\.0+)?)$"),
]
LimitUsd = Annotated[
    Decimal,
    # At least a cent: amounts are stored with 8 decimals, so a smaller limit could round
    # to nothing and every percentage of it would be undefined.
    Field(ge=Decimal("0.01"), le=1_000_000_000, strict=False),
    DecimalText(
        r"^(?:[1-9][0-9]{0,8}(?:\.[0-9]+)?|0?\.(?:0[1-9]|[1-9])[0-9]*|1000000000(?:\.0+)?)$"
    ),
]
Percent = Annotated[
    Decimal,
    Field(gt=0, le=1000, strict=False),
    DecimalText(r"^(?:[1-9][0-9]{0,2}(?:\.[0-9]+)?|0?\.[0-9]*[1-9][0-9]*|1000(?:\.0+)?)$"),
]


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
    input_per_million: PerMillion
    cached_input_per_million: PerMillion | None = Field(
        default=None, description="default: input_per_million"
    )
    output_per_million: PerMillion
    effective_from: UtcDatetime | None = Field(default=None, description="default: now")


class PriceUpdate(Model):
    input_per_million: PerMillion | None = None
    cached_input_per_million: PerMillion | None = None
    output_per_million: PerMillion | None = None
    effective_from: UtcDatetime | None = None


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
    percent: Percent
    action: Literal["notify", "block", "require_approval"]


class BudgetThreshold(Resource):
    """A threshold as stored and returned."""

    percent: Decimal
    action: Literal["notify", "block", "require_approval"]


def _distinct_percents(thresholds: list[Threshold] | None) -> list[Threshold] | None:
    percents = [t.percent for t in thresholds or []]
    if len(percents) != len(set(percents)):
        raise ValueError("threshold percents must be distinct")
    return thresholds


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
        default=None,
        min_length=1,
        max_length=100,
        description="agent id or name; none: the whole project",
    )
    period: Literal["day", "week", "month"]
    limit_usd: LimitUsd
    thresholds: list[Threshold] = Field(
        default_factory=lambda: [
            Threshold(percent=Decimal(80), action="notify"),
            Threshold(percent=Decimal(100), action="block"),
        ],
        min_length=1,
        max_length=10,
    )

    _distinct = field_validator("thresholds")(_distinct_percents)


class BudgetUpdate(Model):
    period: Literal["day", "week", "month"] | None = None
    limit_usd: LimitUsd | None = None
    thresholds: list[Threshold] | None = Field(default=None, min_length=1, max_length=10)

    _distinct = field_validator("thresholds")(_distinct_percents)


class Budget(Resource):
    id: str
    name: str
    agent_id: str | None
    period: Literal["day", "week", "month"]
    limit_usd: Decimal
    thresholds: list[BudgetThreshold]
    spent_usd: Usd = Decimal(0)
    period_start: datetime | None = None
    create_time: datetime
    update_time: datetime
