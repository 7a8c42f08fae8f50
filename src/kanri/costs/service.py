"""Prices (a project's own, over the shipped defaults) and cost reports over model calls."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from kanri.core import audit, events, ownership
from kanri.core.auth import Principal
from kanri.core.errors import BadRequest, FieldError
from kanri.core.filtering import FilterField, FilterSpec
from kanri.core.ids import new_id
from kanri.core.pagination import ListParams, Page, paginate
from kanri.core.scoping import by_ref, scoped
from kanri.core.time import utcnow
from kanri.costs import prices, schemas
from kanri.costs.models import ModelCallRow, PriceRow

PRICE_FILTERS = FilterSpec(
    {
        "id": FilterField(PriceRow.id),
        "provider": FilterField(PriceRow.provider),
        "model": FilterField(PriceRow.model),
        "effective_from": FilterField(PriceRow.effective_from, "timestamp"),
        "create_time": FilterField(PriceRow.create_time, "timestamp"),
    }
)
CALL_FILTERS = FilterSpec(
    {
        "agent_id": FilterField(ModelCallRow.agent_id),
        "automation_id": FilterField(ModelCallRow.automation_id),
        "run_id": FilterField(ModelCallRow.run_id),
        "model": FilterField(ModelCallRow.model),
        "provider": FilterField(ModelCallRow.provider_name),
        "provider_id": FilterField(ModelCallRow.provider_id),
        "environment_id": FilterField(ModelCallRow.environment_id),
        "create_time": FilterField(ModelCallRow.create_time, "timestamp"),
    }
)
GROUPS = ("agent", "model", "day", "automation")


def _scoped(who: Principal) -> Select[PriceRow]:
    return scoped(select(PriceRow), who)


def price_row(tx: Session, who: Principal, price_id: str) -> PriceRow:
    return by_ref(tx, PriceRow, price_id, who, prefix="prc", noun="price")


def create_price(tx: Session, who: Principal, body: schemas.PriceCreate) -> schemas.Price:
    """A project price; the newest effective one for a provider and model wins."""
    now = utcnow()
    row = PriceRow(
        id=new_id("prc"),
        project_id=who.project(),
        provider=body.provider,
        model=body.model,
        input_per_million=body.input_per_million,
        cached_input_per_million=body.cached_input_per_million,
        output_per_million=body.output_per_million,
        effective_from=body.effective_from or now,
        create_time=now,
        update_time=now,
    )
    tx.add(row)
    tx.flush()
    audit.record(tx, who, "price.created", "price", row.id, {"model": {"to": row.model}})
    events.emit(tx, who, "price.created", "price", row.id, {"id": row.id, "model": row.model})
    return schemas.Price.model_validate(row)


def get_price(tx: Session, who: Principal, price_id: str) -> schemas.Price:
    return schemas.Price.model_validate(price_row(tx, who, price_id))


def list_prices(tx: Session, who: Principal, params: ListParams) -> Page[schemas.Price]:
    page = paginate(
        tx, _scoped(who), PRICE_FILTERS, params, id_column=PriceRow.id, default_order="create_time"
    )
    return page.map(schemas.Price.model_validate)


def default_prices() -> list[schemas.Price]:
    return [
        schemas.Price(
            id=f"default:{model}",
            provider="*",
            model=model,
            input_per_million=unit,
            cached_input_per_million=cached,
            output_per_million=output,
            effective_from=prices.SHIPPED_FROM,
            source="default",
        )
        for model, (unit, cached, output) in sorted(prices.DEFAULT_PRICES.items())
    ]


def update_price(
    tx: Session, who: Principal, price_id: str, body: schemas.PriceUpdate
) -> schemas.Price:
    row = price_row(tx, who, price_id)
    summary: dict[str, Any] = {}
    for name in body.model_fields_set:
        value = getattr(body, name)
        if value is None and name != "cached_input_per_million":
            continue
        summary[name] = {"from": str(getattr(row, name)), "to": str(value)}
        setattr(row, name, value)
    if summary:
        row.update_time = utcnow()
        audit.record(tx, who, "price.updated", "price", row.id, summary)
        events.emit(tx, who, "price.updated", "price", row.id, {"id": row.id})
    tx.flush()
    return schemas.Price.model_validate(row)


def delete_price(tx: Session, who: Principal, price_id: str) -> None:
    row = price_row(tx, who, price_id)
    audit.record(tx, who, "price.deleted", "price", row.id, {"model": {"from": row.model}})
    events.emit(tx, who, "price.deleted", "price", row.id, {"id": row.id})
    tx.delete(row)


# ---------------------------------------------------------------- reports


def _day(tx: Session) -> Any:
    if tx.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", ModelCallRow.create_time), "YYYY-MM-DD")
    return func.strftime("%Y-%m-%d", ModelCallRow.create_time)


def _usage(row: Any) -> schemas.Usage:
    return schemas.Usage(
        input_tokens=int(row.input_tokens or 0),
        output_tokens=int(row.output_tokens or 0),
        cached_input_tokens=int(row.cached_input_tokens or 0),
        reasoning_tokens=int(row.reasoning_tokens or 0),
        total_tokens=int(row.total_tokens or 0),
    )


def costs(
    tx: Session,
    who: Principal,
    group_by: str,
    start: datetime | None,
    end: datetime | None,
    filter_text: str | None,
) -> schemas.CostReport:
    """Usage and cost of the project's model calls in [start, end), grouped."""
    if group_by not in GROUPS:
        message = f"group_by must be one of {', '.join(GROUPS)}"
        raise BadRequest(message, errors=[FieldError("query.group_by", message)])
    keys: list[Any]
    if group_by == "agent":
        keys = [ModelCallRow.agent_id]
    elif group_by == "automation":
        keys = [ModelCallRow.automation_id]
    elif group_by == "model":
        keys = [ModelCallRow.provider_name, ModelCallRow.model]
    else:
        keys = [_day(tx).label("day")]
    sums = [
        func.count().label("calls"),
        func.sum(ModelCallRow.input_tokens).label("input_tokens"),
        func.sum(ModelCallRow.output_tokens).label("output_tokens"),
        func.sum(ModelCallRow.cached_input_tokens).label("cached_input_tokens"),
        func.sum(ModelCallRow.reasoning_tokens).label("reasoning_tokens"),
        func.sum(ModelCallRow.total_tokens).label("total_tokens"),
        func.sum(ModelCallRow.cost_usd).label("cost_usd"),
    ]
    stmt = scoped(select(*keys, *sums), who)
    if start is not None:
        stmt = stmt.where(ModelCallRow.create_time >= start)
    if end is not None:
        stmt = stmt.where(ModelCallRow.create_time < end)
    condition = CALL_FILTERS.compile(filter_text)
    if condition is not None:
        stmt = stmt.where(condition)
    rows = tx.execute(stmt.group_by(*keys).order_by(*keys).limit(10_000)).all()
    names = _names(tx, who, group_by, [r[0] for r in rows])
    data: list[schemas.CostRow] = []
    for row in rows:
        if group_by == "model":
            group: dict[str, Any] = {"provider": row[0], "model": row[1]}
        elif group_by == "day":
            group = {"day": row[0]}
        else:
            group = {f"{group_by}_id": row[0], "name": names.get(row[0])}
        data.append(
            schemas.CostRow(
                group=group,
                usage=_usage(row),
                calls=int(row.calls),
                cost_usd=Decimal(str(row.cost_usd or 0)).quantize(prices.QUANTUM),
            )
        )
    total = schemas.CostRow(
        group={},
        usage=schemas.Usage(
            **{
                key: sum(getattr(item.usage, key) for item in data)
                for key in schemas.Usage.model_fields
            }
        ),
        calls=sum(item.calls for item in data),
        cost_usd=sum((item.cost_usd for item in data), Decimal(0)).quantize(prices.QUANTUM),
    )
    return schemas.CostReport(data=data, total=total)


def _names(tx: Session, who: Principal, group_by: str, ids: list[Any]) -> dict[str, str]:
    wanted = [i for i in ids if i]
    if not wanted:
        return {}
    if group_by in ("agent", "automation"):
        prefix = "agt" if group_by == "agent" else "aut"
        return ownership.names(tx, who.project(), prefix, wanted)
    return {}
