"""Public contract of organizations, projects, environments and API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, field_validator

from kanri.core.schemas import (
    Description,
    DisplayName,
    Model,
    Ref,
    Resource,
    Slug,
    UtcDatetime,
    examples,
)

Scope = Annotated[str, StringConstraints(min_length=1, max_length=40)]
Origin = Annotated[
    str,
    StringConstraints(pattern=r"^https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?$", max_length=300),
    Field(description="scheme, host and optional port", examples=["https://shop.example"]),
]


class Organization(Resource):
    id: str
    name: str
    create_time: datetime
    update_time: datetime


class OrganizationDetail(Organization):
    project_count: int = Field(description="projects of the organization")
    default_max_running_runs: int | None = Field(
        description="what a new project's `max_running_runs` starts as; null: the server's default"
    )


class OrganizationUpdate(Model):
    model_config = examples({"name": "Acme", "default_max_running_runs": 20})

    name: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
        | None
    ) = None
    default_max_running_runs: int | None = Field(
        default=None,
        ge=1,
        le=1_000_000,
        description="what new projects' `max_running_runs` starts as; null: the server's default",
    )


class AdminKeyCreate(Model):
    model_config = examples({"name": "ops laptop", "expires_at": "2031-01-01T00:00:00Z"})

    name: DisplayName
    expires_at: UtcDatetime | None = Field(
        default=None, description="RFC 3339 with an offset, in the future"
    )


class ProjectCreate(Model):
    model_config = examples(
        {
            "name": "support",
            "display_name": "Customer support",
            "description": "Agents and automations of the support team",
            "rate_limit_per_minute": 600,
        }
    )

    name: Slug
    display_name: DisplayName | None = None
    description: Description = ""
    rate_limit_per_minute: int | None = Field(
        default=None, ge=1, le=1_000_000, description="requests per minute shared by all keys"
    )
    allow_private_network: bool = Field(
        default=False, description="let outbound calls reach private and loopback addresses"
    )
    observability_retention_days: int = Field(
        default=30,
        ge=1,
        le=3650,
        description="days logs, metric points, business events and spans are kept",
    )


class ProjectUpdate(Model):
    name: Slug | None = None
    display_name: DisplayName | None = None
    description: Description | None = None
    rate_limit_per_minute: int | None = Field(default=None, ge=1, le=1_000_000)
    allow_private_network: bool | None = None
    max_running_runs: int | None = Field(
        default=None,
        ge=1,
        le=1_000_000,
        description="runs of the project running at once; null: the server's default "
        "(`KANRI_PROJECT_MAX_RUNNING_RUNS`)",
    )
    observability_retention_days: int | None = Field(default=None, ge=1, le=3650)


class Project(Resource):
    id: str
    organization_id: str
    name: str
    display_name: str
    description: str
    rate_limit_per_minute: int
    allow_private_network: bool
    max_running_runs: int | None = Field(
        description="runs of the project running at once; null: the server's default"
    )
    observability_retention_days: int
    create_time: datetime
    update_time: datetime


class EnvironmentCreate(Model):
    model_config = examples({"name": "staging", "description": "checks before production"})

    name: Slug
    description: Description = ""


class EnvironmentUpdate(Model):
    name: Slug | None = None
    description: Description | None = None


class Environment(Resource):
    id: str
    project_id: str
    name: str
    description: str
    create_time: datetime
    update_time: datetime


class ApiKeyCreate(Model):
    model_config = examples(
        {
            "name": "CI deploys",
            "scopes": ["automations:*", "deployments:write"],
            "environment": "production",
            "expires_at": "2031-01-01T00:00:00Z",
        }
    )

    name: DisplayName
    kind: Literal["secret", "publishable"] = "secret"
    scopes: list[Scope] | None = Field(
        default=None,
        max_length=50,
        description="`section:read`, `section:write`, `section:*` or `*`, each held by the "
        "calling key itself; default: the caller's scopes for secret keys (`*` from an admin "
        "key), none for publishable keys",
    )
    environment: Ref | None = Field(
        default=None, description="default environment (name or id); `production` if absent"
    )
    expires_at: UtcDatetime | None = Field(
        default=None, description="RFC 3339 with an offset, in the future"
    )
    allowed_origins: list[Origin] = Field(
        default_factory=list,
        max_length=50,
        description="publishable keys: the browser origins (`https://shop.example`) that may "
        "call the public delivery API with this key (CORS); secret keys take none",
    )


class ApiKeyRotate(Model):
    grace_period_seconds: int = Field(
        default=0, ge=0, le=30 * 86_400, description="how long the old key keeps working"
    )


class ApiKey(Resource):
    id: str
    name: str
    kind: Literal["secret", "publishable", "admin"]
    organization_id: str
    project_id: str | None
    environment_id: str | None
    scopes: list[str]
    prefix: str = Field(description="the key's first characters, e.g. `kanri_sk_Ab3d`")
    last_four: str
    expires_at: datetime | None
    revoked_at: datetime | None
    rotated_to: str | None = Field(description="id of the key that replaced this one")
    allowed_origins: list[str] = Field(
        default_factory=list, description="publishable keys: the CORS origins"
    )

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value

    create_time: datetime
    update_time: datetime


class ApiKeyCreated(ApiKey):
    key: str = Field(description="the full key; shown once, store it now")


class Bootstrap(Model):
    organization_id: str
    admin_key: str
