"""Business rules of providers: CRUD with the key encrypted at rest, and resolution for calls."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from kanri.core import audit, events, secrets
from kanri.core.auth import Principal
from kanri.core.errors import Conflict, FieldError, ValidationFailed, not_found
from kanri.core.filtering import FilterField, FilterSpec
from kanri.core.ids import looks_like_id, new_id
from kanri.core.net import check_url
from kanri.core.pagination import ListParams, Page, paginate
from kanri.core.scoping import PreparedByRef, by_ref, scoped
from kanri.core.time import utcnow
from kanri.providers import schemas
from kanri.providers.models import ProviderRow
from kanri.secrets import service as secret_store
from kanri.tenancy import service as tenancy

PROVIDER_FILTERS = FilterSpec(
    {
        "id": FilterField(ProviderRow.id),
        "name": FilterField(ProviderRow.name),
        "kind": FilterField(ProviderRow.kind),
        "create_time": FilterField(ProviderRow.create_time, "timestamp"),
    }
)

# The purpose under which provider API keys are encrypted (core/secrets.py).
SECRET_PURPOSE = "provider-api-key"  # noqa: S105 (a label, not a secret)
HEADERS_PURPOSE = "provider-headers"
# Header values (often credentials) are stored encrypted and shown as this; a value sent
# back as the mask keeps the stored one.
MASK = "********"
_SEALED = "headers_encrypted"


@dataclass(frozen=True, kw_only=True)
class ProviderConfig:
    """What a model call needs of a provider (the key decrypted; never logged)."""

    id: str
    name: str
    kind: str
    base_url: str | None
    api_key: str | None = field(repr=False)
    default_model: str | None
    options: dict[str, Any]
    # The project's flag: whether the endpoint may be on a private network.
    allow_private_network: bool = False


def _scoped(who: Principal) -> Select[ProviderRow]:
    return scoped(select(ProviderRow), who)


def _stored_options(
    secret: bytes, options: schemas.ProviderOptions, before: dict[str, Any] | None = None
) -> dict[str, Any]:
    """`options` as stored: header values sealed; a masked value keeps the stored one."""
    stored = options.model_dump()
    headers: dict[str, str] = stored.pop("headers")
    if any(value == MASK for value in headers.values()):
        old = _headers(secret, before or {})
        missing = [name for name, value in headers.items() if value == MASK and name not in old]
        if missing:
            raise ValidationFailed(
                "a masked header value stands for a stored one",
                errors=[
                    FieldError(f"body.options.headers.{name}", "no stored value to keep")
                    for name in missing
                ],
            )
        headers = {name: old[name] if v == MASK else v for name, v in headers.items()}
    if headers:
        box = secrets.box(secret, HEADERS_PURPOSE)
        stored[_SEALED] = box.encrypt(json.dumps(headers))
        stored["header_names"] = list(headers)  # shown (values masked) without the key
    return stored


def _headers(secret: bytes, options: dict[str, Any]) -> dict[str, str]:
    """The stored headers in clear (rows written before sealing hold them in clear)."""
    if options.get(_SEALED):
        opened: dict[str, str] = json.loads(
            secrets.box(secret, HEADERS_PURPOSE).decrypt(options[_SEALED])
        )
        return opened
    return dict(options.get("headers") or {})


def _shown_options(options: dict[str, Any]) -> schemas.ProviderOptions:
    names = list(options.get("headers") or {})
    if options.get(_SEALED):
        names = list(options.get("header_names") or [])
    shown = {k: v for k, v in options.items() if k not in (_SEALED, "header_names")}
    shown["headers"] = dict.fromkeys(names, MASK)
    return schemas.ProviderOptions.model_validate(shown)


def _view(row: ProviderRow) -> schemas.Provider:
    return schemas.Provider(
        id=row.id,
        project_id=row.project_id,
        name=row.name,
        kind=row.kind,
        base_url=row.base_url,
        has_api_key=row.api_key_encrypted is not None,
        api_key_secret=row.api_key_secret,
        default_model=row.default_model,
        options=_shown_options(row.options),
        create_time=row.create_time,
        update_time=row.update_time,
    )


def provider_row(tx: Session, who: Principal, ref: str) -> ProviderRow:
    """The provider `ref` (id or name) of who's project; NotFound otherwise."""
    return by_ref(
        tx, ProviderRow, ref, who, prefix="prv", name_column=ProviderRow.name, noun="provider"
    )


def _checked_base_url(tx: Session, who: Principal, value: Any) -> str | None:
    """The endpoint as stored, once the outbound guard passed it: private addresses only
    where the project allows private networks, link-local and metadata addresses never."""
    url = schemas.base_url_text(value)
    if url is None:
        return None
    project = tenancy.project_settings(tx, who.project())
    assert project is not None  # who's own project
    check_url(url, allow_private=project.allow_private_network, field="body.base_url")
    return url


def _key_secret_known(tx: Session, who: Principal, name: str | None, field: str) -> None:
    """422 on `field` when no environment of who's project has the secret `name`."""
    if name is not None and not secret_store.known_names(tx, who.project(), {name}):
        raise ValidationFailed(
            f"no environment of the project has a secret named '{name}'",
            errors=[FieldError(field, f"unknown secret '{name}'", "unknown_secret")],
        )


def _one_key(body: schemas.ProviderCreate | schemas.ProviderUpdate) -> None:
    if body.api_key is not None and body.api_key_secret is not None:
        raise ValidationFailed(
            "give the key or the name of the secret that holds it, not both",
            errors=[FieldError("body.api_key_secret", "not together with api_key")],
        )


def _name_free(tx: Session, who: Principal, name: str) -> None:
    if tx.execute(_scoped(who).where(ProviderRow.name == name)).first() is not None:
        raise Conflict(
            f"a provider named '{name}' already exists",
            errors=[FieldError("body.name", "already used in this project")],
        )


def create(
    tx: Session, who: Principal, secret: bytes, body: schemas.ProviderCreate
) -> schemas.Provider:
    """A new provider; the key is stored encrypted."""
    _name_free(tx, who, body.name)
    _one_key(body)
    if body.kind == "anthropic" and body.api_key is None and body.api_key_secret is None:
        raise ValidationFailed(
            "an anthropic provider needs an api_key (or api_key_secret)",
            errors=[FieldError("body.api_key", "required for kind anthropic")],
        )
    _key_secret_known(tx, who, body.api_key_secret, "body.api_key_secret")
    now = utcnow()
    row = ProviderRow(
        id=new_id("prv"),
        project_id=who.project(),
        name=body.name,
        kind=body.kind,
        base_url=_checked_base_url(tx, who, body.base_url),
        api_key_encrypted=(
            secrets.box(secret, SECRET_PURPOSE).encrypt(body.api_key.get_secret_value())
            if body.api_key
            else None
        ),
        api_key_secret=body.api_key_secret,
        default_model=body.default_model,
        options=_stored_options(secret, body.options),
        create_time=now,
        update_time=now,
    )
    tx.add(row)
    tx.flush()
    audit.record(
        tx,
        who,
        "provider.created",
        "provider",
        row.id,
        {"name": {"to": row.name}, "kind": {"to": row.kind}},
    )
    events.emit(tx, who, "provider.created", "provider", row.id, {"id": row.id, "name": row.name})
    return _view(row)


def get(tx: Session, who: Principal, ref: str) -> schemas.Provider:
    return _view(provider_row(tx, who, ref))


def list_providers(tx: Session, who: Principal, params: ListParams) -> Page[schemas.Provider]:
    page = paginate(
        tx,
        _scoped(who),
        PROVIDER_FILTERS,
        params,
        id_column=ProviderRow.id,
        default_order="create_time",
    )
    return page.map(_view)


def update(
    tx: Session, who: Principal, secret: bytes, ref: str, body: schemas.ProviderUpdate
) -> schemas.Provider:
    row = provider_row(tx, who, ref)
    summary: dict[str, Any] = {}
    if body.name is not None and body.name != row.name:
        _name_free(tx, who, body.name)
        summary["name"] = {"from": row.name, "to": body.name}
        row.name = body.name
    if "base_url" in body.model_fields_set:
        row.base_url = _checked_base_url(tx, who, body.base_url)
        summary["base_url"] = {"changed": True}
    _one_key(body)
    if body.api_key is not None:
        box = secrets.box(secret, SECRET_PURPOSE)
        row.api_key_encrypted = box.encrypt(body.api_key.get_secret_value())
        summary["api_key"] = {"changed": True}  # never the value
        if row.api_key_secret is not None:
            summary["api_key_secret"] = {"from": row.api_key_secret, "to": None}
            row.api_key_secret = None
    if body.api_key_secret is not None and body.api_key_secret != row.api_key_secret:
        _key_secret_known(tx, who, body.api_key_secret, "body.api_key_secret")
        summary["api_key_secret"] = {"from": row.api_key_secret, "to": body.api_key_secret}
        row.api_key_secret = body.api_key_secret
        if row.api_key_encrypted is not None:
            row.api_key_encrypted = None
            summary["api_key"] = {"changed": True}
    if "default_model" in body.model_fields_set:
        row.default_model = body.default_model
        summary["default_model"] = {"changed": True}
    if body.options is not None:
        row.options = _stored_options(secret, body.options, row.options)
        summary["options"] = {"changed": True}
    if summary:
        row.update_time = utcnow()
        audit.record(tx, who, "provider.updated", "provider", row.id, summary)
        events.emit(tx, who, "provider.updated", "provider", row.id, {"id": row.id})
    tx.flush()
    return _view(row)


# Who uses a provider: (tx, who, provider id) → names of its users. The features that call
# models through providers (agents) add theirs at start-up (`kanri.wiring`): providers do
# not import them.
USAGE_CHECKS: list[Callable[[Session, Principal, str], list[str]]] = []


def find(tx: Session, project_id: str, ref: str) -> Any:
    """The project's provider `ref` (id or name) as a row of `id`, `name`, `kind`,
    `default_model`; None when there is none."""
    column = ProviderRow.id if looks_like_id(ref, "prv") else ProviderRow.name
    return tx.execute(
        select(ProviderRow.id, ProviderRow.name, ProviderRow.kind, ProviderRow.default_model).where(
            ProviderRow.project_id == project_id, column == ref
        )
    ).one_or_none()


def delete(tx: Session, who: Principal, ref: str) -> None:
    """Delete a provider no agent uses (409 naming the agents otherwise)."""
    row = provider_row(tx, who, ref)
    users = [name for check in USAGE_CHECKS for name in check(tx, who, row.id)]
    if users:
        raise Conflict(
            f"the provider is used by agents: {', '.join(users[:10])}", agents=users[:100]
        )
    audit.record(tx, who, "provider.deleted", "provider", row.id, {"name": {"from": row.name}})
    events.emit(tx, who, "provider.deleted", "provider", row.id, {"id": row.id})
    tx.delete(row)


_RESOLVE = tenancy.with_private_network_flag(
    select(
        ProviderRow.id,
        ProviderRow.name,
        ProviderRow.kind,
        ProviderRow.base_url,
        ProviderRow.api_key_encrypted,
        ProviderRow.api_key_secret,
        ProviderRow.default_model,
        ProviderRow.options,
    ),
    ProviderRow.project_id,
).where(ProviderRow.project_id == bindparam("project"))
# Built once: every agent run and model-calling step resolves its provider.
_RESOLVE_BY = PreparedByRef(
    _RESOLVE, prefix="prv", id_column=ProviderRow.id, name_column=ProviderRow.name
)


def resolve(
    tx: Session, project_id: str, secret: bytes, ref: str, environment_id: str | None = None
) -> ProviderConfig:
    """The provider `ref` (id or name) of a project with its key decrypted and the project's
    private-network flag (for the engine).

    A key held in a secret (`api_key_secret`) is read from `environment_id` (a run's
    environment), or from the project's default environment when None (calls outside
    runs). ValueError naming the secret when that environment has none of that name."""
    row = _RESOLVE_BY.read(tx, ref, {"project": project_id})
    if row is None:
        raise not_found("provider", ref)
    box = secrets.box(secret, SECRET_PURPOSE)
    encrypted = row["api_key_encrypted"]
    key = box.decrypt(encrypted) if encrypted else None
    if row["api_key_secret"] is not None:
        name = row["api_key_secret"]
        if environment_id is None:
            environment_id = tenancy.TenancyAuthStore().environment_for_auth(tx, project_id, None)
        try:
            key = secret_store.read_one(tx, secret, project_id, environment_id, name)
        except LookupError:
            raise ValueError(
                f"provider '{row['name']}' reads its key from secret '{name}', which does not "
                "exist in the environment"
            ) from None
    stored = row["options"]
    options = {k: v for k, v in stored.items() if k not in (_SEALED, "header_names")}
    options["headers"] = _headers(secret, stored)
    return ProviderConfig(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        base_url=row["base_url"],
        api_key=key,
        default_model=row["default_model"],
        options=options,
        allow_private_network=bool(row["allow_private_network"]),
    )
