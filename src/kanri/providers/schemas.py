"""Public contract of providers. The API key is write-only: never returned."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AnyHttpUrl, Field, SecretStr

from kanri.core.schemas import Model, Resource, Slug, exactly_one_of, examples, given
from kanri.secrets.schemas import SecretName

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


# `api_key` and `api_key_secret` exclude each other (checked by the service; documented).
_NOT_BOTH = {"not": {"allOf": [given("api_key"), given("api_key_secret")]}}
_BY_NAME_HELP = (
    "name of a secret (`PUT /v1/secrets/{name}`) that holds the key, instead of `api_key`: "
    "read when a call is made, from the environment the call acts in (a run's environment; "
    "the project's default environment for calls outside runs); it must exist in some "
    "environment of the project when saved. Only the name is ever shown"
)


class ProviderCreate(Model):
    # An anthropic provider needs exactly one of its key or a secret's name (checked by the
    # service; documented here).
    model_config = examples(
        {
            "name": "openai",
            "kind": "openai",
            "api_key": "sk-your-key",
            "default_model": "gpt-4o-mini",
        },
        {
            "name": "claude",
            "kind": "anthropic",
            "api_key_secret": "ANTHROPIC_KEY",
            "default_model": "claude-sonnet-4-5",
        },
        schema={
            "allOf": [
                _NOT_BOTH,
                {
                    "if": {"properties": {"kind": {"const": "anthropic"}}},
                    "then": exactly_one_of("api_key", "api_key_secret"),
                },
            ]
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
    api_key: ApiKey | None = Field(
        default=None, description="write-only; not together with `api_key_secret`"
    )
    api_key_secret: SecretName | None = Field(default=None, description=_BY_NAME_HELP)
    default_model: str | None = Field(default=None, min_length=1, max_length=200)
    options: ProviderOptions = Field(default_factory=ProviderOptions)


class ProviderUpdate(Model):
    # Setting one of `api_key` and `api_key_secret` clears the other.
    model_config = examples({"api_key_secret": "OPENAI_KEY"}, schema=_NOT_BOTH)

    name: Slug | None = None
    base_url: AnyHttpUrl | None = None
    api_key: ApiKey | None = Field(
        default=None, description="write-only; replaces a stored `api_key_secret`"
    )
    api_key_secret: SecretName | None = Field(
        default=None,
        description="the secret that holds the key from now on (replaces a stored `api_key`)",
    )
    default_model: str | None = Field(default=None, min_length=1, max_length=200)
    options: ProviderOptions | None = None


class Provider(Resource):
    id: str
    project_id: str
    name: str
    kind: ProviderKind
    base_url: str | None
    has_api_key: bool = Field(description="whether a key is stored (it is never returned)")
    api_key_secret: str | None = Field(
        description="the name of the secret that holds the key, if one does (never its value)"
    )
    default_model: str | None
    options: ProviderOptions
    create_time: datetime
    update_time: datetime


def base_url_text(value: AnyHttpUrl | None) -> str | None:
    return _url(value)
