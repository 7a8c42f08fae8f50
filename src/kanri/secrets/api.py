"""Routes of secrets and variables (section `secrets`), in the caller's environment."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from kanri.core.auth import Principal, RequireSection
from kanri.core.deps import Db, Listing, Runtime
from kanri.core.openapi import operation_id
from kanri.core.schemas import ListResponse
from kanri.secrets import schemas, service

router = APIRouter(tags=["secrets"], generate_unique_id_function=operation_id)
Name = Annotated[
    str,
    Path(
        description="upper-case letters, digits and `_`, starting with a letter (≤ 64)",
        pattern=schemas.NAME_PATTERN,
        max_length=64,
        examples=["PAYMENTS_TOKEN"],
    ),
]
Reader = Annotated[Principal, RequireSection("secrets", "read")]
Writer = Annotated[Principal, RequireSection("secrets", "write")]


@router.put("/v1/secrets/{secret_name}", operation_id="secrets_set")
async def set_secret(
    secret_name: Name, body: schemas.SecretPut, kanri: Runtime, who: Writer
) -> schemas.Secret:
    """Create the environment's secret `name`, or give it a new version: steps that start
    from now on read the new value as `{{ secrets.NAME }}`. The value is stored encrypted
    and never returned by any endpoint; runs write `[secret:NAME]` where it would appear."""
    box = service.secret_box(kanri.settings.secret)
    return await kanri.db.write(service.put_secret, who, secret_name, body, box)


@router.get("/v1/secrets")
async def list_secrets(db: Db, params: Listing, who: Reader) -> ListResponse[schemas.Secret]:
    """The environment's secrets (names, versions, last use; never values), by name.
    Filter on name, version, last_used_time, times."""
    return ListResponse.of(await db.read(service.list_secrets, who, params))


@router.get("/v1/secrets/{secret_name}")
async def get_secret(secret_name: Name, db: Db, who: Reader) -> schemas.Secret:
    """One secret of the environment, without its value."""
    return await db.read(service.get_secret, who, secret_name)


@router.delete("/v1/secrets/{secret_name}", status_code=204)
async def delete_secret(secret_name: Name, db: Db, who: Writer) -> None:
    """Delete the secret and its versions; a step that reads it from now on fails."""
    await db.write(service.delete_secret, who, secret_name)


@router.put("/v1/variables/{variable_name}", operation_id="variables_set")
async def set_variable(
    variable_name: Name, body: schemas.VariablePut, db: Db, who: Writer
) -> schemas.Variable:
    """Create or replace the environment's variable `name`: any JSON value that steps read
    as `{{ vars.NAME }}` (not secret: shown, audited and logged as is)."""
    return await db.write(service.put_variable, who, variable_name, body)


@router.get("/v1/variables")
async def list_variables(db: Db, params: Listing, who: Reader) -> ListResponse[schemas.Variable]:
    """The environment's variables with their values, by name. Filter on name, times."""
    return ListResponse.of(await db.read(service.list_variables, who, params))


@router.get("/v1/variables/{variable_name}")
async def get_variable(variable_name: Name, db: Db, who: Reader) -> schemas.Variable:
    """One variable of the environment, with its value."""
    return await db.read(service.get_variable, who, variable_name)


@router.delete("/v1/variables/{variable_name}", status_code=204)
async def delete_variable(variable_name: Name, db: Db, who: Writer) -> None:
    """Delete the variable; a step that reads it from now on fails."""
    await db.write(service.delete_variable, who, variable_name)
