"""Routes of model providers (section `agents`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from kanri.core import idempotency
from kanri.core.auth import Principal, RequireSection
from kanri.core.deps import Db, Listing, Runtime
from kanri.core.openapi import BODY_ID, link_to, operation_id
from kanri.core.schemas import ListResponse
from kanri.providers import schemas, service

router = APIRouter(tags=["providers"], generate_unique_id_function=operation_id)
ProviderId = Annotated[str, Path(description="provider id or name", max_length=100)]
Reader = Annotated[Principal, RequireSection("agents", "read")]
Writer = Annotated[Principal, RequireSection("agents", "write")]


@router.post(
    "/v1/providers",
    status_code=201,
    responses=link_to("providers_get", provider_id=BODY_ID),
)
async def create_provider(
    body: schemas.ProviderCreate,
    request: Request,
    response: Response,
    kanri: Runtime,
    who: Writer,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> schemas.Provider:
    """Register a model provider; `api_key` is encrypted at rest and never returned."""
    return await idempotency.create(
        request,
        response,
        kanri.db,
        who,
        idempotency_key,
        service.create,
        who,
        kanri.settings.secret,
        body,
        location=lambda p: f"/v1/providers/{p.id}",
    )


@router.get("/v1/providers")
async def list_providers(db: Db, params: Listing, who: Reader) -> ListResponse[schemas.Provider]:
    """Providers of the project. Filter on id, name, kind, create_time."""
    return ListResponse.of(await db.read(service.list_providers, who, params))


@router.get("/v1/providers/{provider_id}")
async def get_provider(provider_id: ProviderId, db: Db, who: Reader) -> schemas.Provider:
    """The provider (its API key is never returned)."""
    return await db.read(service.get, who, provider_id)


@router.patch("/v1/providers/{provider_id}")
async def update_provider(
    provider_id: ProviderId, body: schemas.ProviderUpdate, kanri: Runtime, who: Writer
) -> schemas.Provider:
    """Change a provider; a new `api_key` replaces the stored one."""
    return await kanri.db.write(service.update, who, kanri.settings.secret, provider_id, body)


@router.delete("/v1/providers/{provider_id}", status_code=204)
async def delete_provider(provider_id: ProviderId, db: Db, who: Writer) -> None:
    """Delete a provider that no agent uses."""
    await db.write(service.delete, who, provider_id)
