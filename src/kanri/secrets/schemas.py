"""Public contract of secrets and variables."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from kanri.core.schemas import Description, Model, Resource, examples

NAME_PATTERN = r"^[A-Z][A-Z0-9_]{0,63}$"
MAX_VALUE_BYTES = 65_536
SecretName = Annotated[
    str,
    StringConstraints(pattern=NAME_PATTERN),
    Field(description="an upper-case letter, then upper-case letters, digits and `_` (≤ 64)"),
]
SecretValue = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_VALUE_BYTES),
    Field(description="the value (≤ 64 KiB as UTF-8); stored encrypted, never shown again"),
]


class SecretPut(Model):
    model_config = examples(
        {"value": "sk-live-4f9a…", "description": "the payment provider's API token"}
    )

    value: SecretValue
    description: Description | None = Field(
        default=None, description="what the secret is for (kept when omitted)"
    )


class Secret(Resource):
    """A secret as every endpoint shows it: never its value."""

    id: str
    project_id: str
    environment_id: str
    name: str
    description: str
    version: int = Field(description="the current version (1, then +1 on every PUT)")
    last_used_time: datetime | None = Field(description="when a run last read it")
    create_time: datetime
    update_time: datetime


class VariablePut(Model):
    model_config = examples(
        {"value": {"base_url": "https://api.example.com", "retries": 3}},
        {"value": "eu-west-1", "description": "the region runs call"},
    )

    value: Any = Field(description="any JSON value (≤ 64 KiB as JSON)")
    description: Description | None = Field(
        default=None, description="what the variable is for (kept when omitted)"
    )


class Variable(Resource):
    id: str
    project_id: str
    environment_id: str
    name: str
    description: str
    value: Any
    create_time: datetime
    update_time: datetime
