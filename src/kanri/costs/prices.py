"""Prices: the shipped defaults, a project's own rows, and the cost of a call in Decimal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from kanri.costs.models import PriceRow
from kanri.db.prepared import Prepared

MILLION = Decimal(1_000_000)
QUANTUM = Decimal("0.00000001")  # costs are kept to 8 decimal places
SHIPPED_FROM = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class PriceTerms:
    id: str
    input_per_million: Decimal
    cached_input_per_million: Decimal
    output_per_million: Decimal


def _d(text: str) -> Decimal:
    return Decimal(text)


# USD per million tokens: (input, cached input, output). Editable per project: a project's
# own price for a model wins over these.
DEFAULT_PRICES: dict[str, tuple[Decimal, Decimal, Decimal]] = {
    "gpt-4o": (_d("2.50"), _d("1.25"), _d("10.00")),
    "gpt-4o-mini": (_d("0.15"), _d("0.075"), _d("0.60")),
    "gpt-4.1": (_d("2.00"), _d("0.50"), _d("8.00")),
    "gpt-4.1-mini": (_d("0.40"), _d("0.10"), _d("1.60")),
    "gpt-4.1-nano": (_d("0.10"), _d("0.025"), _d("0.40")),
    "o3": (_d("2.00"), _d("0.50"), _d("8.00")),
    "o4-mini": (_d("1.10"), _d("0.275"), _d("4.40")),
    "gpt-5": (_d("1.25"), _d("0.125"), _d("10.00")),
    "gpt-5-mini": (_d("0.25"), _d("0.025"), _d("2.00")),
    "claude-opus-4": (_d("15.00"), _d("1.50"), _d("75.00")),
    "claude-sonnet-4": (_d("3.00"), _d("0.30"), _d("15.00")),
    "claude-3-5-haiku": (_d("0.80"), _d("0.08"), _d("4.00")),
    "claude-haiku-4-5": (_d("1.00"), _d("0.10"), _d("5.00")),
}


def default_terms(model: str) -> PriceTerms | None:
    """The shipped price of `model`, or of the longest default name it starts with."""
    name = model.rsplit("/", 1)[-1].lower()  # `openai/gpt-4o` as OpenRouter names it
    matches = [key for key in DEFAULT_PRICES if name == key or name.startswith(key + "-")]
    if not matches:
        return None
    key = max(matches, key=len)
    unit, cached, output = DEFAULT_PRICES[key]
    return PriceTerms(f"default:{key}", unit, cached, output)


# A project's newest price row in force (built once: every model call asks it).
_IN_FORCE = Prepared(
    select(
        PriceRow.id,
        PriceRow.input_per_million,
        PriceRow.cached_input_per_million,
        PriceRow.output_per_million,
    )
    .where(
        PriceRow.project_id == bindparam("project"),
        PriceRow.model == bindparam("model"),
        PriceRow.provider.in_((bindparam("provider_id"), bindparam("provider_name"), "*")),
        PriceRow.effective_from <= bindparam("at", type_=PriceRow.effective_from.type),
    )
    .order_by(PriceRow.effective_from.desc(), PriceRow.id.desc())
    .limit(1)
)


def terms_for(
    tx: Session, project_id: str, provider_id: str, provider_name: str, model: str, at: datetime
) -> PriceTerms | None:
    """The price in force at `at` for this provider and model: the project's newest row
    effective by then, else the shipped default."""
    row = _IN_FORCE.read(
        tx,
        {
            "project": project_id,
            "model": model,
            "provider_id": provider_id,
            "provider_name": provider_name,
            "at": at,
        },
    )
    if row is not None:
        cached = row["cached_input_per_million"]
        return PriceTerms(
            row["id"],
            row["input_per_million"],
            row["input_per_million"] if cached is None else cached,
            row["output_per_million"],
        )
    return default_terms(model)


def cost_of(
    terms: PriceTerms | None, input_tokens: int, cached_input_tokens: int, output_tokens: int
) -> Decimal:
    """Uncached input + cached input + output (reasoning is part of output), in USD."""
    if terms is None:
        return Decimal(0).quantize(QUANTUM)
    cached = min(cached_input_tokens, input_tokens)
    total = (
        Decimal(input_tokens - cached) * terms.input_per_million
        + Decimal(cached) * terms.cached_input_per_million
        + Decimal(output_tokens) * terms.output_per_million
    ) / MILLION
    return total.quantize(QUANTUM, rounding=ROUND_HALF_UP)
