"""Routes of prices and cost reports (section `costs`) and budgets (section `budgets`)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from kanri.core import idempotency
from kanri.core.auth import Principal, RequireSection
from kanri.core.deps import Db, Listing, Runtime
from kanri.core.filtering import DEFAULT_MAX_FILTER_LENGTH
from kanri.core.openapi import BODY_ID, link_to, operation_id
from kanri.core.schemas import ListResponse, UtcDatetime
from kanri.costs import budgets, schemas, service

router = APIRouter(tags=["costs"], generate_unique_id_function=operation_id)
PriceId = Annotated[str, Path(description="price id", max_length=100)]
BudgetId = Annotated[str, Path(description="budget id", max_length=100)]
CostReader = Annotated[Principal, RequireSection("costs", "read")]
CostWriter = Annotated[Principal, RequireSection("costs", "write")]
BudgetReader = Annotated[Principal, RequireSection("budgets", "read")]
BudgetWriter = Annotated[Principal, RequireSection("budgets", "write")]


@router.post("/v1/prices", status_code=201, responses=link_to("prices_get", price_id=BODY_ID))
async def create_price(
    body: schemas.PriceCreate,
    request: Request,
    response: Response,
    kanri: Runtime,
    who: CostWriter,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> schemas.Price:
    """A project price for a provider (name, id or `*`) and model; it wins over the shipped
    default, and the newest `effective_from` in force applies."""
    return await idempotency.create(
        request,
        response,
        kanri.db,
        who,
        idempotency_key,
        service.create_price,
        who,
        body,
        location=lambda p: f"/v1/prices/{p.id}",
    )


@router.get("/v1/prices")
async def list_prices(db: Db, params: Listing, who: CostReader) -> ListResponse[schemas.Price]:
    """The project's own prices. Filter on provider, model, effective_from, create_time."""
    return ListResponse.of(await db.read(service.list_prices, who, params))


@router.get("/v1/prices/defaults")
async def list_default_prices(who: CostReader) -> ListResponse[schemas.Price]:
    """The prices kanri ships (USD per million tokens), used when the project has none."""
    return ListResponse(data=service.default_prices())


@router.get("/v1/prices/{price_id}")
async def get_price(price_id: PriceId, db: Db, who: CostReader) -> schemas.Price:
    """The price: USD per million input, cached input and output tokens."""
    return await db.read(service.get_price, who, price_id)


@router.patch("/v1/prices/{price_id}")
async def update_price(
    price_id: PriceId, body: schemas.PriceUpdate, db: Db, who: CostWriter
) -> schemas.Price:
    """Change a price; calls already made keep the cost they were given."""
    return await db.write(service.update_price, who, price_id, body)


@router.delete("/v1/prices/{price_id}", status_code=204)
async def delete_price(price_id: PriceId, db: Db, who: CostWriter) -> None:
    """Delete the price; calls already made keep their cost."""
    await db.write(service.delete_price, who, price_id)


@router.get("/v1/costs", operation_id="costs_get")
async def get_costs(
    db: Db,
    who: CostReader,
    group_by: Annotated[Literal["agent", "model", "day", "automation"], Query()] = "model",
    start: Annotated[UtcDatetime | None, Query(alias="from", description="inclusive")] = None,
    end: Annotated[UtcDatetime | None, Query(alias="to", description="exclusive")] = None,
    filter: Annotated[
        str | None,
        Query(
            max_length=DEFAULT_MAX_FILTER_LENGTH,
            description="AIP-160 over agent_id, automation_id, run_id, model, provider, "
            "provider_id, environment_id, create_time",
        ),
    ] = None,
) -> schemas.CostReport:
    """Usage and cost of the project's model calls, grouped; `total` sums the groups."""
    return await db.read(service.costs, who, group_by, start, end, filter)


@router.post("/v1/budgets", status_code=201, responses=link_to("budgets_get", budget_id=BODY_ID))
async def create_budget(
    body: schemas.BudgetCreate,
    request: Request,
    response: Response,
    kanri: Runtime,
    who: BudgetWriter,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> schemas.Budget:
    """A budget for the project or one agent: checked before every model call."""
    return await idempotency.create(
        request,
        response,
        kanri.db,
        who,
        idempotency_key,
        budgets.create,
        who,
        body,
        location=lambda b: f"/v1/budgets/{b.id}",
    )


@router.get("/v1/budgets")
async def list_budgets(db: Db, params: Listing, who: BudgetReader) -> ListResponse[schemas.Budget]:
    """Budgets with what was spent this period. Filter on name, agent_id, period."""
    return ListResponse.of(await db.read(budgets.list_budgets, who, params))


@router.get("/v1/budgets/{budget_id}")
async def get_budget(budget_id: BudgetId, db: Db, who: BudgetReader) -> schemas.Budget:
    """The budget with what was spent this period."""
    return await db.read(budgets.get, who, budget_id)


@router.patch("/v1/budgets/{budget_id}")
async def update_budget(
    budget_id: BudgetId, body: schemas.BudgetUpdate, db: Db, who: BudgetWriter
) -> schemas.Budget:
    """Change the budget's period, limit or thresholds."""
    return await db.write(budgets.update, who, budget_id, body)


@router.delete("/v1/budgets/{budget_id}", status_code=204)
async def delete_budget(budget_id: BudgetId, db: Db, who: BudgetWriter) -> None:
    """Delete the budget; its thresholds no longer apply."""
    await db.write(budgets.delete, who, budget_id)
