"""Public contract of providers. The API key is write-only: never returned."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AnyHttpUrl, Field, SecretStr

from kanri.core.schemas import Model, Resource, Slug, examples, given

ProviderKind = Literal["openai", "anthropic", "offline"]


class ProviderOptions(Model):
    timeout_seconds: float = Field(default=60, gt=0, le=600, description="per request")
    max_retries: int = Field(
        default=2, ge=0, le=10, description="retries on 429/5xx/timeouts (honouring Retry-After)"
    )
    headers: dict[str, str] = Field(default_factory=dict, max_length=20)
    stream: bool = Field(default=True, description="stream tokens when the provider can")
    require_usage: bool = Field(
        default=True,
        description="a reply without token usage fails the call; turn off only for an endpoint "
        "that never reports usage (its calls then count no tokens, no cost and no budget spend)",
    )


def _url(value: AnyHttpUrl | None) -> str | None:
    return str(value).rstrip("/") if value is not None else None


def _not_blank(value: SecretStr) -> SecretStr:
    if not value.get_secret_value().strip():
        raise ValueError("must not be blank")
    return value


# A key with a character that is not white space, and no NUL.
ApiKey = Annotated[
    SecretStr,
    Field(max_length=4000, json_schema_extra={"pattern": r"^[^\u0000]*[^\s\u0000][^\u0000]*$"}),
    AfterValidator(_not_blank),
]


class ProviderCreate(Model):
    # An anthropic provider needs its key (checked by the service; documented here).
    model_config = examples(
        {
            "name": "openai",
            "kind": "openai",
            "api_key": "sk-your-key",
            "default_model": "gpt-4o-mini",
        },
        schema={
            "if": {"properties": {"kind": {"const": "anthropic"}}},
            "then": given("api_key"),
        },
    )

    name: Slug
    kind: ProviderKind
    base_url: AnyHttpUrl | None = Field(
        default=None,
        description="endpoint (e.g. `https://api.example.com/v1`); a private address (such as "
        "`http://localhost:11434/v1` for Ollama) needs the project's allow_private_network, "
        "and link-local and cloud metadata addresses are never allowed",
    )
    api_key: ApiKey | None = Field(default=None, description="write-only")
    default_model: str | None = Field(default=None, min_length=1, max_length=200)
    options: ProviderOptions = Field(default_factory=ProviderOptions)


class ProviderUpdate(Model):
    name: Slug | None = None
    base_url: AnyHttpUrl | None = None
    api_key: ApiKey | None = None
    default_model: str | None = Field(default=None, min_length=1, max_length=200)
    options: ProviderOptions | None = None


class Provider(Resource):
    id: str
    project_id: str
    name: str
    kind: ProviderKind
    base_url: str | None
    has_api_key: bool = Field(description="whether a key is stored (it is never returned)")
    default_model: str | None
    options: ProviderOptions
    create_time: datetime
    update_time: datetime


def base_url_text(value: AnyHttpUrl | None) -> str | None:
    return _url(value)
