"""Public contract of webhook endpoints and deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StringConstraints

from kanri.core.schemas import Description, HttpUrlText, Model, Resource, examples
from kanri.events.schemas import EventTypePattern
from kanri.secrets.schemas import SecretName


def _distinct(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


EventTypes = Annotated[
    list[EventTypePattern], Field(min_length=1, max_length=100), AfterValidator(_distinct)
]
Url = HttpUrlText
FilterText = Annotated[
    str,
    StringConstraints(max_length=2000),
    Field(description="AIP-160 filter on the event, as `GET /v1/events` takes it"),
]
DeliveryStatus = Literal["pending", "succeeded", "failed"]
_SIGNING_HELP = (
    "name of a secret (`PUT /v1/secrets/{name}`, a `whsec_…` value) of the project's default "
    "environment (`production`, else the oldest) that signs the deliveries instead of a "
    "secret kanri makes: read at each attempt, so a new version signs from the next one. "
    "It must exist in some environment of the project when saved; only the name is shown"
)


class WebhookCreate(Model):
    model_config = examples(
        {
            "url": "https://hooks.example.com/kanri",
            "event_types": ["run.completed", "run.failed"],
            "description": "Run outcomes to the ops channel",
        }
    )

    url: Url = Field(description="http(s) URL; private addresses need allow_private_network")
    event_types: EventTypes
    description: Description = ""
    enabled: bool = True
    ordered: bool = Field(
        default=False, description="deliver one at a time, in outbox order (slower)"
    )
    filter: FilterText | None = None
    signing_secret: SecretName | None = Field(default=None, description=_SIGNING_HELP)


class WebhookUpdate(Model):
    url: Url | None = None
    event_types: EventTypes | None = None
    description: Description | None = None
    enabled: bool | None = None
    ordered: bool | None = None
    filter: FilterText | None = None
    signing_secret: SecretName | None = Field(
        default=None,
        description="sign with this secret from now on; null: with the endpoint's own secret "
        "again (rotate it to see it)",
    )


class RotateSecret(Model):
    grace_seconds: int = Field(
        default=86_400,
        ge=0,
        le=604_800,
        description="how long the old secret keeps signing next to the new one (≤ 7 days)",
    )


class Webhook(Resource):
    id: str
    project_id: str
    url: str
    event_types: list[str]
    description: str
    enabled: bool
    ordered: bool
    filter: str | None
    disabled_reason: str | None = Field(description="why kanri disabled it, if it did")
    previous_secret_expire_time: datetime | None = Field(
        description="until when the previous secret also signs, after a rotation"
    )
    signing_secret: str | None = Field(
        description="the name of the secret that signs, if one does (never its value)"
    )
    create_time: datetime
    update_time: datetime


class WebhookWithSecret(Webhook):
    secret: str | None = Field(
        description="`whsec_…`: shown only now; verify signatures with it (null when "
        "`signing_secret` names the secret that signs)"
    )


class Attempt(Resource):
    attempt: int
    status_code: int | None
    error: str | None
    latency_ms: int
    time: datetime
    response_body: str | None = Field(description="the first 1 KiB of the response")


class Delivery(Resource):
    id: str
    endpoint_id: str
    event_id: str
    event_type: str
    status: DeliveryStatus
    attempts: list[Attempt]
    next_attempt_time: datetime | None
    create_time: datetime
    update_time: datetime


class TestMessage(Model):
    data: dict[str, Any] = Field(default_factory=dict, description="sent as the event's data")
