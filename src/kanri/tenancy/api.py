"""Routes of projects (admin keys), environments and API keys. Parse, authorise, call, shape."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Path, Request, Response

from kanri.core import idempotency
from kanri.core.auth import Principal, RequireSection
from kanri.core.deps import Db, Listing, Runtime
from kanri.core.openapi import BODY_ID, link_to, operation_id
from kanri.core.schemas import ListResponse
from kanri.tenancy import (
    api_key_service,
    environment_service,
    organization_service,
    project_service,
    schemas,
)

if TYPE_CHECKING:
    from kanri.runtime import Kanri

router = APIRouter(generate_unique_id_function=operation_id)

ProjectId = Annotated[str, Path(description="project id or name", max_length=100)]
EnvironmentId = Annotated[str, Path(description="environment id or name", max_length=100)]
KeyId = Annotated[str, Path(description="API key id", max_length=100)]
AdminKeyId = Annotated[str, Path(description="admin key id", max_length=100)]
OrgReader = Annotated[Principal, RequireSection("projects", "read", reach="organization")]
OrgWriter = Annotated[Principal, RequireSection("projects", "write", reach="organization")]


async def _create_key(
    request: Request,
    response: Response,
    kanri: Kanri,
    who: Principal,
    idempotency_key: str | None,
    project_ref: str | None,
    body: schemas.ApiKeyCreate,
) -> schemas.ApiKeyCreated:
    return await idempotency.create(
        request,
        response,
        kanri.db,
        who,
        idempotency_key,
        api_key_service.create_key,
        who,
        project_ref,
        body,
        kanri.key_pepper,
        location=lambda k: f"/v1/api-keys/{k.id}",
    )


# ---------------------------------------------------------------- projects


@router.post(
    "/v1/projects",
    status_code=201,
    tags=["projects"],
    responses=link_to("projects_get", project_id=BODY_ID),
)
async def create_project(
    body: schemas.ProjectCreate,
    request: Request,
    response: Response,
    kanri: Runtime,
    who: Annotated[Principal, RequireSection("projects", "write", reach="organization")],
    idempotency_key: idempotency.IdempotencyKey = None,
) -> schemas.Project:
    """Create a project with environments `production` and `development`."""
    project = await idempotency.create(
        request,
        response,
        kanri.db,
        who,
        idempotency_key,
        project_service.create_project,
        who,
        body,
        kanri.settings.default_rate_limit_per_minute,
        location=lambda p: f"/v1/projects/{p.id}",
    )
    kanri.auth_cache.invalidate("project")
    return project


@router.get("/v1/projects", tags=["projects"])
async def list_projects(
    db: Db,
    params: Listing,
    who: Annotated[Principal, RequireSection("projects", "read", reach="organization")],
) -> ListResponse[schemas.Project]:
    """Projects of the organization. Filter and order on id, name, display_name, create_time."""
    page = await db.read(project_service.list_projects, who, params)
    return ListResponse.of(page)


@router.get("/v1/projects/{project_id}", tags=["projects"])
async def get_project(
    project_id: ProjectId,
    db: Db,
    who: Annotated[Principal, RequireSection("projects", "read", reach="organization")],
) -> schemas.Project:
    """The project (by id or name) with its settings."""
    return await db.read(project_service.get_project, who, project_id)


@router.patch("/v1/projects/{project_id}", tags=["projects"])
async def update_project(
    project_id: ProjectId,
    body: schemas.ProjectUpdate,
    kanri: Runtime,
    who: Annotated[Principal, RequireSection("projects", "write", reach="organization")],
) -> schemas.Project:
    """Change a project's name, description, rate limit or private-network permission."""
    project = await kanri.db.write(project_service.update_project, who, project_id, body)
    kanri.auth_cache.invalidate("project")
    return project


@router.delete("/v1/projects/{project_id}", status_code=204, tags=["projects"])
async def delete_project(
    project_id: ProjectId,
    kanri: Runtime,
    who: Annotated[Principal, RequireSection("projects", "write", reach="organization")],
) -> None:
    """Delete a project, its environments and its keys."""
    await kanri.db.write(project_service.delete_project, who, project_id)
    kanri.auth_cache.invalidate()


@router.post(
    "/v1/projects/{project_id}/api-keys",
    status_code=201,
    tags=["projects", "api-keys"],
    responses=link_to("api_keys_get", key_id=BODY_ID),
)
async def create_project_api_key(
    project_id: ProjectId,
    body: schemas.ApiKeyCreate,
    request: Request,
    response: Response,
    kanri: Runtime,
    who: Annotated[Principal, RequireSection("keys", "write", reach="organization")],
    idempotency_key: idempotency.IdempotencyKey = None,
) -> schemas.ApiKeyCreated:
    """Create a key for a project; the full key is in `key`, shown only in this response."""
    return await _create_key(request, response, kanri, who, idempotency_key, project_id, body)


@router.get("/v1/projects/{project_id}/api-keys", tags=["projects", "api-keys"])
async def list_project_api_keys(
    project_id: ProjectId,
    db: Db,
    params: Listing,
    who: Annotated[Principal, RequireSection("keys", "read", reach="organization")],
) -> ListResponse[schemas.ApiKey]:
    """Keys of the project: prefix and last four characters only. Filter and order on id,
    name, kind, environment_id, create_time, expires_at, revoked_at."""
    page = await db.read(api_key_service.list_keys, who, project_id, params)
    return ListResponse.of(page)


# ---------------------------------------------------------------- environments


@router.post(
    "/v1/environments",
    status_code=201,
    tags=["environments"],
    responses=link_to("environments_get", environment_id=BODY_ID),
)
async def create_environment(
    body: schemas.EnvironmentCreate,
    request: Request,
    response: Response,
    kanri: Runtime,
    who: Annotated[Principal, RequireSection("environments", "write")],
    idempotency_key: idempotency.IdempotencyKey = None,
) -> schemas.Environment:
    """Create an environment in the key's project."""
    environment = await idempotency.create(
        request,
        response,
        kanri.db,
        who,
        idempotency_key,
        environment_service.create_environment,
        who,
        body,
        location=lambda e: f"/v1/environments/{e.id}",
    )
    kanri.auth_cache.invalidate("environment")
    return environment


@router.get("/v1/environments", tags=["environments"])
async def list_environments(
    db: Db,
    params: Listing,
    who: Annotated[Principal, RequireSection("environments", "read")],
) -> ListResponse[schemas.Environment]:
    """Environments of the key's project. Filter and order on id, name, create_time."""
    page = await db.read(environment_service.list_environments, who, params)
    return ListResponse.of(page)


@router.get(
    "/v1/environments/current", tags=["environments"], operation_id="environments_get_current"
)
async def get_current_environment(
    db: Db,
    who: Annotated[Principal, RequireSection("environments", "read")],
) -> schemas.Environment:
    """The environment this request acts in: the key's default or the Kanri-Environment header."""
    return await db.read(
        environment_service.get_environment, who, who.environment_id or "production"
    )


@router.get("/v1/environments/{environment_id}", tags=["environments"])
async def get_environment(
    environment_id: EnvironmentId,
    db: Db,
    who: Annotated[Principal, RequireSection("environments", "read")],
) -> schemas.Environment:
    """The environment (by id or name)."""
    row = await db.read_one(*environment_service.environment_lookup(who, environment_id))
    return environment_service.environment_found(row, environment_id)


@router.patch("/v1/environments/{environment_id}", tags=["environments"])
async def update_environment(
    environment_id: EnvironmentId,
    body: schemas.EnvironmentUpdate,
    kanri: Runtime,
    who: Annotated[Principal, RequireSection("environments", "write")],
) -> schemas.Environment:
    """Rename an environment or change its description."""
    environment = await kanri.db.write(
        environment_service.update_environment, who, environment_id, body
    )
    kanri.auth_cache.invalidate("environment")
    return environment


@router.delete("/v1/environments/{environment_id}", status_code=204, tags=["environments"])
async def delete_environment(
    environment_id: EnvironmentId,
    kanri: Runtime,
    who: Annotated[Principal, RequireSection("environments", "write")],
) -> None:
    """Delete an environment (409 while keys default to it)."""
    await kanri.db.write(environment_service.delete_environment, who, environment_id)
    kanri.auth_cache.invalidate("environment")


# ---------------------------------------------------------------- API keys


@router.post(
    "/v1/api-keys",
    status_code=201,
    tags=["api-keys"],
    responses=link_to("api_keys_get", key_id=BODY_ID),
)
async def create_api_key(
    body: schemas.ApiKeyCreate,
    request: Request,
    response: Response,
    kanri: Runtime,
    who: Annotated[Principal, RequireSection("keys", "write")],
    idempotency_key: idempotency.IdempotencyKey = None,
) -> schemas.ApiKeyCreated:
    """Create a key in the caller's project; the full key is in `key`, shown only here."""
    return await _create_key(request, response, kanri, who, idempotency_key, None, body)


@router.get("/v1/api-keys", tags=["api-keys"])
async def list_api_keys(
    db: Db,
    params: Listing,
    who: Annotated[Principal, RequireSection("keys", "read")],
) -> ListResponse[schemas.ApiKey]:
    """Keys of the caller's project: prefix and last four characters only."""
    page = await db.read(api_key_service.list_keys, who, None, params)
    return ListResponse.of(page)


@router.get("/v1/api-keys/{key_id}", tags=["api-keys"])
async def get_api_key(
    key_id: KeyId,
    db: Db,
    who: Annotated[Principal, RequireSection("keys", "read", reach="either")],
) -> schemas.ApiKey:
    """The key's metadata (prefix and last four characters, scopes, expiry), never the key."""
    return await db.read(api_key_service.get_key, who, key_id)


@router.delete("/v1/api-keys/{key_id}", tags=["api-keys"])
async def revoke_api_key(
    key_id: KeyId,
    kanri: Runtime,
    who: Annotated[Principal, RequireSection("keys", "write", reach="either")],
) -> schemas.ApiKey:
    """Revoke a key at once; it answers 401 from now on."""
    key = await kanri.db.write(api_key_service.revoke_key, who, key_id)
    kanri.auth_cache.invalidate("key")
    return key


@router.post(
    "/v1/api-keys/{key_id}/rotate",
    status_code=201,
    tags=["api-keys"],
    responses=link_to("api_keys_get", key_id=BODY_ID),
)
async def rotate_api_key(
    key_id: KeyId,
    request: Request,
    response: Response,
    kanri: Runtime,
    who: Annotated[Principal, RequireSection("keys", "write", reach="either")],
    idempotency_key: idempotency.IdempotencyKey = None,
    body: schemas.ApiKeyRotate | None = None,
) -> schemas.ApiKeyCreated:
    """Replace a key; the old one keeps working for `grace_period_seconds` (default 0)."""
    created = await idempotency.create(
        request,
        response,
        kanri.db,
        who,
        idempotency_key,
        api_key_service.rotate_key,
        who,
        key_id,
        body or schemas.ApiKeyRotate(),
        kanri.key_pepper,
        location=lambda k: f"/v1/api-keys/{k.id}",
    )
    kanri.auth_cache.invalidate("key")
    return created


# ---------------------------------------------------------------- the organization


@router.get("/v1/organization", tags=["organizations"], operation_id="organization_get")
async def get_organization(db: Db, who: OrgReader) -> schemas.OrganizationDetail:
    """The admin key's organization: its name, how many projects it has, and the defaults
    new projects start with."""
    return await db.read(organization_service.get_organization, who)


@router.patch("/v1/organization", tags=["organizations"], operation_id="organization_update")
async def update_organization(
    body: schemas.OrganizationUpdate, db: Db, who: OrgWriter
) -> schemas.OrganizationDetail:
    """Rename the organization (409 when another has the name) or change what new
    projects' `max_running_runs` starts as (null: the server's default)."""
    return await db.write(organization_service.update_organization, who, body)


@router.get("/v1/organizations", tags=["organizations"])
async def list_organizations(db: Db, who: OrgReader) -> ListResponse[schemas.Organization]:
    """The organizations the admin key reaches: its own, one."""
    return ListResponse(data=await db.read(organization_service.list_organizations, who))


@router.post(
    "/v1/admin-keys",
    status_code=201,
    tags=["organizations"],
    responses=link_to("api_keys_get", key_id=BODY_ID),
)
async def create_admin_key(
    body: schemas.AdminKeyCreate,
    request: Request,
    response: Response,
    kanri: Runtime,
    who: OrgWriter,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> schemas.ApiKeyCreated:
    """A new admin key of the organization (scopes `*`); the full key is in `key`, shown
    only here."""
    return await idempotency.create(
        request,
        response,
        kanri.db,
        who,
        idempotency_key,
        organization_service.create_admin_key,
        who,
        body,
        kanri.key_pepper,
        location=lambda k: f"/v1/api-keys/{k.id}",
    )


@router.get("/v1/admin-keys", tags=["organizations"])
async def list_admin_keys(db: Db, params: Listing, who: OrgReader) -> ListResponse[schemas.ApiKey]:
    """The organization's admin keys: prefix and last four characters only."""
    return ListResponse.of(await db.read(organization_service.list_admin_keys, who, params))


@router.delete("/v1/admin-keys/{admin_key_id}", tags=["organizations"])
async def revoke_admin_key(
    admin_key_id: AdminKeyId, kanri: Runtime, who: OrgWriter
) -> schemas.ApiKey:
    """Revoke an admin key at once (409 for the organization's last working one)."""
    key = await kanri.db.write(organization_service.revoke_admin_key, who, admin_key_id)
    kanri.auth_cache.invalidate("key")
    return key


@router.post(
    "/v1/admin-keys/{admin_key_id}/rotate",
    status_code=201,
    tags=["organizations"],
    responses=link_to("api_keys_get", key_id=BODY_ID),
)
async def rotate_admin_key(
    admin_key_id: AdminKeyId,
    request: Request,
    response: Response,
    kanri: Runtime,
    who: OrgWriter,
    idempotency_key: idempotency.IdempotencyKey = None,
    body: schemas.ApiKeyRotate | None = None,
) -> schemas.ApiKeyCreated:
    """Replace an admin key; the old one keeps working for `grace_period_seconds`."""
    created = await idempotency.create(
        request,
        response,
        kanri.db,
        who,
        idempotency_key,
        organization_service.rotate_admin_key,
        who,
        admin_key_id,
        body or schemas.ApiKeyRotate(),
        kanri.key_pepper,
        location=lambda k: f"/v1/api-keys/{k.id}",
    )
    kanri.auth_cache.invalidate("key")
    return created
