"""Business rules of webhook endpoints: CRUD, secrets and rotation, the delivery log,
redelivery and test messages. Sending is the dispatcher's (`webhooks/dispatch.py`)."""

from __future__ import annotations

import base64
import json
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy import delete as sql_delete
from sqlalchemy.orm import Session

from kanri.core import audit, events
from kanri.core.auth import Principal
from kanri.core.errors import BadRequest, Conflict, FieldError, ValidationFailed, not_found
from kanri.core.filtering import FilterField, FilterSpec
from kanri.core.ids import new_id
from kanri.core.net import check_url
from kanri.core.pagination import ListParams, Page, paginate
from kanri.core.scoping import by_ref, scoped
from kanri.core.secrets import SecretBox
from kanri.core.time import rfc3339, utcnow
from kanri.events.service import EVENT_FILTERS
from kanri.secrets import service as secret_store
from kanri.tenancy import service as tenancy
from kanri.webhooks import schemas
from kanri.webhooks.models import WebhookDeliveryRow, WebhookEndpointRow

MAX_ENDPOINTS_PER_PROJECT = 100
SECRET_BYTES = 32
SECRET_PURPOSE = "webhook-secret"  # noqa: S105 - an HKDF label, not a secret
WEBHOOK_FILTERS = FilterSpec(
    {
        "id": FilterField(WebhookEndpointRow.id),
        "url": FilterField(WebhookEndpointRow.url),
        "enabled": FilterField(WebhookEndpointRow.enabled, "boolean"),
        "ordered": FilterField(WebhookEndpointRow.ordered, "boolean"),
        "create_time": FilterField(WebhookEndpointRow.create_time, "timestamp"),
        "update_time": FilterField(WebhookEndpointRow.update_time, "timestamp"),
    }
)
DELIVERY_FILTERS = FilterSpec(
    {
        "id": FilterField(WebhookDeliveryRow.id),
        "event_id": FilterField(WebhookDeliveryRow.event_id),
        "event_type": FilterField(WebhookDeliveryRow.event_type),
        "status": FilterField(WebhookDeliveryRow.status),
        "create_time": FilterField(WebhookDeliveryRow.create_time, "timestamp"),
        "update_time": FilterField(WebhookDeliveryRow.update_time, "timestamp"),
    }
)
FIELDS = ("url", "event_types", "description", "enabled", "ordered", "filter", "signing_secret")


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` + base64 of 32 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def payload(event_type: str, time: str, data: dict[str, Any]) -> str:
    """The body every delivery sends: `{"type", "timestamp", "data"}` as compact JSON."""
    return json.dumps({"type": event_type, "timestamp": time, "data": data}, separators=(",", ":"))


def _scoped(who: Principal) -> Select[WebhookEndpointRow]:
    return scoped(select(WebhookEndpointRow), who)


def endpoint_row(tx: Session, who: Principal, webhook_id: str) -> WebhookEndpointRow:
    """The endpoint of who's project; NotFound otherwise."""
    return by_ref(tx, WebhookEndpointRow, webhook_id, who, prefix="whk", noun="webhook")


def _allows_private(tx: Session, who: Principal) -> bool:
    project = tenancy.project_settings(tx, who.project())
    assert project is not None  # who's own project
    return project.allow_private_network


def _checked_url(tx: Session, who: Principal, url: str) -> str:
    return check_url(url, allow_private=_allows_private(tx, who), field="body.url")


def _checked_filter(text: str | None) -> str | None:
    if not text:
        return None
    try:
        EVENT_FILTERS.compile(text)
    except BadRequest as exc:
        raise ValidationFailed(
            exc.detail or "invalid filter",
            errors=[FieldError("body.filter", exc.detail or "invalid filter", "invalid_filter")],
        ) from exc
    return text


def _known_secret(tx: Session, who: Principal, name: str | None) -> str | None:
    """`name`, once some environment of who's project has that secret (422 otherwise)."""
    if name is not None and not secret_store.known_names(tx, who.project(), {name}):
        raise ValidationFailed(
            f"no environment of the project has a secret named '{name}'",
            errors=[
                FieldError("body.signing_secret", f"unknown secret '{name}'", "unknown_secret")
            ],
        )
    return name


def signing_value(tx: Session, master_secret: bytes, project_id: str, name: str) -> str:
    """The value of the secret `name` of the project's default environment, which signs an
    endpoint's deliveries. LookupError naming the secret when that environment has none."""
    environment = tenancy.TenancyAuthStore().environment_for_auth(tx, project_id, None)
    return secret_store.read_one(tx, master_secret, project_id, environment, name)


def _event(tx: Session, who: Principal, event_type: str, row_id: str, data: dict[str, Any]) -> None:
    events.emit(tx, who, event_type, "webhook", row_id, {"id": row_id, **data})


def create(
    tx: Session, who: Principal, body: schemas.WebhookCreate, box: SecretBox
) -> schemas.WebhookWithSecret:
    """A new endpoint and its secret (returned only here).

    ValidationFailed for a malformed URL or filter; BlockedDestination (422) for a private
    or metadata host; Conflict past MAX_ENDPOINTS_PER_PROJECT endpoints.
    """
    url = _checked_url(tx, who, body.url)
    count = tx.execute(select(func.count()).select_from(_scoped(who).subquery())).scalar_one()
    if count >= MAX_ENDPOINTS_PER_PROJECT:
        raise Conflict(f"a project may have at most {MAX_ENDPOINTS_PER_PROJECT} webhook endpoints")
    signing_secret = _known_secret(tx, who, body.signing_secret)
    secret = new_secret()  # its own, kept for when it stops naming a secret
    now = utcnow()
    row = WebhookEndpointRow(
        id=new_id("whk"),
        project_id=who.project(),
        url=url,
        description=body.description,
        event_types=body.event_types,
        filter=_checked_filter(body.filter),
        enabled=body.enabled,
        ordered=body.ordered,
        disabled_reason=None,
        secret_encrypted=box.encrypt(secret),
        previous_secret_encrypted=None,
        previous_secret_expire_time=None,
        signing_secret=signing_secret,
        failing_since=None,
        create_time=now,
        update_time=now,
    )
    tx.add(row)
    tx.flush()
    audit.record(
        tx, who, "webhook.created", "webhook", row.id, {n: {"to": getattr(row, n)} for n in FIELDS}
    )
    _event(tx, who, "webhook.created", row.id, {"url": row.url})
    shown = None if signing_secret else secret
    return schemas.WebhookWithSecret.model_validate(
        {**schemas.Webhook.model_validate(row).model_dump(), "secret": shown}
    )


def get(tx: Session, who: Principal, webhook_id: str) -> schemas.Webhook:
    return schemas.Webhook.model_validate(endpoint_row(tx, who, webhook_id))


def list_webhooks(tx: Session, who: Principal, params: ListParams) -> Page[schemas.Webhook]:
    page = paginate(
        tx,
        _scoped(who),
        WEBHOOK_FILTERS,
        params,
        id_column=WebhookEndpointRow.id,
        default_order="create_time",
    )
    return page.map(schemas.Webhook.model_validate)


def update(
    tx: Session, who: Principal, webhook_id: str, body: schemas.WebhookUpdate
) -> schemas.Webhook:
    """Change an endpoint; enabling it clears `disabled_reason` and its failure streak."""
    row = endpoint_row(tx, who, webhook_id)
    before = {name: getattr(row, name) for name in FIELDS}
    if body.url is not None:
        row.url = _checked_url(tx, who, body.url)
    if "filter" in body.model_fields_set:
        row.filter = _checked_filter(body.filter)
    if "signing_secret" in body.model_fields_set and body.signing_secret != row.signing_secret:
        row.signing_secret = _known_secret(tx, who, body.signing_secret)
    for name in ("event_types", "description", "enabled", "ordered"):
        value = getattr(body, name)
        if value is not None:
            setattr(row, name, value)
    changes = audit.changes_between(before, {name: getattr(row, name) for name in FIELDS})
    if changes:
        if row.enabled and not before["enabled"]:
            row.disabled_reason = None
            row.failing_since = None
        row.update_time = utcnow()
        audit.record(tx, who, "webhook.updated", "webhook", row.id, changes)
        _event(tx, who, "webhook.updated", row.id, {"changes": sorted(changes)})
    tx.flush()
    return schemas.Webhook.model_validate(row)


def delete(tx: Session, who: Principal, webhook_id: str) -> None:
    """Delete an endpoint with its delivery log."""
    row = endpoint_row(tx, who, webhook_id)
    audit.record(tx, who, "webhook.deleted", "webhook", row.id, {"url": {"from": row.url}})
    _event(tx, who, "webhook.deleted", row.id, {})
    tx.execute(sql_delete(WebhookDeliveryRow).where(WebhookDeliveryRow.endpoint_id == row.id))
    tx.delete(row)


def rotate_secret(
    tx: Session, who: Principal, webhook_id: str, body: schemas.RotateSecret, box: SecretBox
) -> schemas.WebhookWithSecret:
    """A new secret; the current one keeps signing (a second signature) for `grace_seconds`.

    Conflict while the endpoint signs with a named secret (a new version of that secret is
    its rotation)."""
    row = endpoint_row(tx, who, webhook_id)
    if row.signing_secret is not None:
        raise Conflict(
            f"the endpoint signs with secret '{row.signing_secret}': put a new version of it "
            "(PUT /v1/secrets/{name}) to rotate"
        )
    secret = new_secret()
    now = utcnow()
    if body.grace_seconds > 0:
        row.previous_secret_encrypted = row.secret_encrypted
        row.previous_secret_expire_time = now + timedelta(seconds=body.grace_seconds)
    else:
        row.previous_secret_encrypted = None
        row.previous_secret_expire_time = None
    row.secret_encrypted = box.encrypt(secret)
    row.update_time = now
    expires = row.previous_secret_expire_time
    audit.record(
        tx,
        who,
        "webhook.secret_rotated",
        "webhook",
        row.id,
        {"grace_seconds": {"to": body.grace_seconds}},
    )
    _event(
        tx,
        who,
        "webhook.secret_rotated",
        row.id,
        {"previous_secret_expire_time": rfc3339(expires) if expires else None},
    )
    tx.flush()
    return schemas.WebhookWithSecret.model_validate(
        {**schemas.Webhook.model_validate(row).model_dump(), "secret": secret}
    )


# ---------------------------------------------------------------- deliveries


def delivery_values(
    endpoint_id: str, project_id: str, event_id: str, event_type: str, body: str, now: datetime
) -> dict[str, Any]:
    """The column values of a pending delivery of `body` to the endpoint, due at `now`."""
    return {
        "id": new_id("whd"),
        "endpoint_id": endpoint_id,
        "project_id": project_id,
        "event_id": event_id,
        "event_type": event_type,
        "payload": body,
        "status": "pending",
        "attempt_count": 0,
        "schedule_start": 0,
        "attempts": [],
        "next_attempt_time": now,
        "lease_expires_at": None,
        "lease_token": 0,
        "create_time": now,
        "update_time": now,
    }


def new_delivery(
    endpoint: WebhookEndpointRow, event_id: str, event_type: str, body: str
) -> WebhookDeliveryRow:
    """A pending delivery of `body` to `endpoint`, due now."""
    values = delivery_values(endpoint.id, endpoint.project_id, event_id, event_type, body, utcnow())
    return WebhookDeliveryRow(**values)


def _delivery_row(
    tx: Session, who: Principal, webhook_id: str, delivery_id: str
) -> tuple[WebhookEndpointRow, WebhookDeliveryRow]:
    endpoint = endpoint_row(tx, who, webhook_id)
    row = tx.execute(
        select(WebhookDeliveryRow).where(
            WebhookDeliveryRow.id == delivery_id, WebhookDeliveryRow.endpoint_id == endpoint.id
        )
    ).scalar_one_or_none()
    if row is None:
        raise not_found("delivery", delivery_id)
    return endpoint, row


def list_deliveries(
    tx: Session, who: Principal, webhook_id: str, params: ListParams
) -> Page[schemas.Delivery]:
    """The endpoint's deliveries, newest first; filter on status, event_type, event_id."""
    endpoint = endpoint_row(tx, who, webhook_id)
    page = paginate(
        tx,
        select(WebhookDeliveryRow).where(WebhookDeliveryRow.endpoint_id == endpoint.id),
        DELIVERY_FILTERS,
        params,
        id_column=WebhookDeliveryRow.id,
        default_order="create_time desc",
    )
    return page.map(schemas.Delivery.model_validate)


def get_delivery(
    tx: Session, who: Principal, webhook_id: str, delivery_id: str
) -> schemas.Delivery:
    return schemas.Delivery.model_validate(_delivery_row(tx, who, webhook_id, delivery_id)[1])


def _require_enabled(endpoint: WebhookEndpointRow) -> None:
    if not endpoint.enabled:
        raise Conflict("the webhook endpoint is disabled: enable it first")


def redeliver(tx: Session, who: Principal, webhook_id: str, delivery_id: str) -> schemas.Delivery:
    """Send a delivery again now with the same `webhook-id`, restarting its retry schedule.

    Conflict when the endpoint is disabled.
    """
    endpoint, row = _delivery_row(tx, who, webhook_id, delivery_id)
    _require_enabled(endpoint)
    now = utcnow()
    if row.status != "pending":
        row.status = "pending"
        row.schedule_start = row.attempt_count
    row.next_attempt_time = now
    row.update_time = now
    audit.record(
        tx, who, "webhook.redelivered", "webhook", endpoint.id, {"delivery_id": {"to": row.id}}
    )
    tx.flush()
    return schemas.Delivery.model_validate(row)


def send_test(
    tx: Session, who: Principal, webhook_id: str, body: schemas.TestMessage
) -> schemas.Delivery:
    """A `webhook.test` message to this endpoint only (not written to the outbox)."""
    endpoint = endpoint_row(tx, who, webhook_id)
    _require_enabled(endpoint)
    event_id = new_id("evt")
    data = {"webhook_id": endpoint.id, "data": body.data}
    row = new_delivery(
        endpoint, event_id, "webhook.test", payload("webhook.test", rfc3339(utcnow()), data)
    )
    tx.add(row)
    tx.flush()
    return schemas.Delivery.model_validate(row)
