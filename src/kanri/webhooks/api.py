"""Routes of webhook endpoints and their deliveries (section `webhooks`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from kanri.core import idempotency, secrets
from kanri.core.auth import Principal, RequireSection
from kanri.core.deps import Db, Listing, Runtime
from kanri.core.openapi import BODY_ID, link_to, operation_id
from kanri.core.schemas import ListResponse
from kanri.webhooks import schemas, service

router = APIRouter(tags=["webhooks"], generate_unique_id_function=operation_id)
WebhookId = Annotated[str, Path(description="webhook endpoint id", max_length=100)]
DeliveryId = Annotated[str, Path(description="delivery id", max_length=100)]
Reader = Annotated[Principal, RequireSection("webhooks", "read")]
Writer = Annotated[Principal, RequireSection("webhooks", "write")]


def _box(request: Request) -> secrets.SecretBox:
    return secrets.box(request.app.state.kanri.settings.secret, service.SECRET_PURPOSE)


def _wake(request: Request) -> None:
    dispatcher = getattr(request.app.state, "webhook_dispatcher", None)
    if dispatcher is not None:
        dispatcher.wake()


@router.post(
    "/v1/webhooks",
    status_code=201,
    responses=link_to("webhooks_get", webhook_id=BODY_ID),
)
async def create_webhook(
    body: schemas.WebhookCreate,
    request: Request,
    response: Response,
    kanri: Runtime,
    who: Writer,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> schemas.WebhookWithSecret:
    """Subscribe a URL to the project's events. The answer holds the signing `secret`
    (`whsec_…`), shown only this once. A URL naming a private or metadata address is a 422
    unless the project allows private networks."""
    return await idempotency.create(
        request,
        response,
        kanri.db,
        who,
        idempotency_key,
        service.create,
        who,
        body,
        _box(request),
        location=lambda w: f"/v1/webhooks/{w.id}",
    )


@router.get("/v1/webhooks")
async def list_webhooks(db: Db, params: Listing, who: Reader) -> ListResponse[schemas.Webhook]:
    """Webhook endpoints of the project. Filter on url, enabled, ordered, times."""
    return ListResponse.of(await db.read(service.list_webhooks, who, params))


@router.get("/v1/webhooks/{webhook_id}")
async def get_webhook(webhook_id: WebhookId, db: Db, who: Reader) -> schemas.Webhook:
    """The endpoint (its signing secret is never shown again)."""
    return await db.read(service.get, who, webhook_id)


@router.patch("/v1/webhooks/{webhook_id}")
async def update_webhook(
    webhook_id: WebhookId, body: schemas.WebhookUpdate, request: Request, db: Db, who: Writer
) -> schemas.Webhook:
    """Change an endpoint; enabling a disabled one resumes its pending deliveries."""
    updated = await db.write(service.update, who, webhook_id, body)
    _wake(request)
    return updated


@router.delete("/v1/webhooks/{webhook_id}", status_code=204)
async def delete_webhook(webhook_id: WebhookId, db: Db, who: Writer) -> None:
    """Delete an endpoint and its delivery log."""
    await db.write(service.delete, who, webhook_id)


@router.post("/v1/webhooks/{webhook_id}/rotate-secret")
async def rotate_webhook_secret(
    webhook_id: WebhookId, body: schemas.RotateSecret, request: Request, db: Db, who: Writer
) -> schemas.WebhookWithSecret:
    """A new signing secret (shown once). Until `previous_secret_expire_time` deliveries
    carry two signatures, one per secret, so receivers can switch without a gap."""
    return await db.write(service.rotate_secret, who, webhook_id, body, _box(request))


@router.get("/v1/webhooks/{webhook_id}/deliveries")
async def list_deliveries(
    webhook_id: WebhookId, db: Db, params: Listing, who: Reader
) -> ListResponse[schemas.Delivery]:
    """The endpoint's deliveries with their attempts, newest first. Filter on status,
    event_type, event_id, times."""
    return ListResponse.of(await db.read(service.list_deliveries, who, webhook_id, params))


@router.get("/v1/webhooks/{webhook_id}/deliveries/{delivery_id}")
async def get_delivery(
    webhook_id: WebhookId, delivery_id: DeliveryId, db: Db, who: Reader
) -> schemas.Delivery:
    """One delivery with its attempts."""
    return await db.read(service.get_delivery, who, webhook_id, delivery_id)


@router.post("/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver", status_code=202)
async def redeliver(
    webhook_id: WebhookId, delivery_id: DeliveryId, request: Request, db: Db, who: Writer
) -> schemas.Delivery:
    """Send the delivery again now, with the same `webhook-id`; a failure restarts its retry
    schedule. 409 when the endpoint is disabled."""
    delivery = await db.write(service.redeliver, who, webhook_id, delivery_id)
    _wake(request)
    return delivery


@router.post("/v1/webhooks/{webhook_id}/test", status_code=202)
async def send_test(
    webhook_id: WebhookId, body: schemas.TestMessage, request: Request, db: Db, who: Writer
) -> schemas.Delivery:
    """Send a `webhook.test` event to this endpoint only; follow it in its deliveries."""
    delivery = await db.write(service.send_test, who, webhook_id, body)
    _wake(request)
    return delivery
