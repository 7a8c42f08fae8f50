"""Factories: each test builds the organizations, projects and keys it reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from kanri.core.ids import ulid
from kanri.core.models import OutboxEventRow
from kanri.runtime import Kanri
from kanri.tenancy import service as tenancy


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@dataclass(kw_only=True)
class Tenant:
    organization_id: str
    admin_key: str
    project_id: str
    project_name: str
    key: str  # a full-access secret key of the project

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.key)

    @property
    def admin_headers(self) -> dict[str, str]:
        return bearer(self.admin_key)


def unique(prefix: str) -> str:
    return f"{prefix}-{ulid().lower()[-12:]}"


async def make_org(kanri: Kanri) -> tuple[str, str]:
    """A new organization; returns (organization_id, admin_key)."""
    result = await kanri.db.write(tenancy.bootstrap, unique("org"), kanri.key_pepper)
    return result.organization_id, result.admin_key


async def make_project(client: httpx.AsyncClient, admin_key: str, **fields: Any) -> dict[str, Any]:
    body = {"name": unique("proj"), **fields}
    response = await client.post("/v1/projects", json=body, headers=bearer(admin_key))
    assert response.status_code == 201, response.text
    project: dict[str, Any] = response.json()
    return project


async def make_key(
    client: httpx.AsyncClient, admin_key: str, project_id: str, **fields: Any
) -> dict[str, Any]:
    body = {"name": "test key", **fields}
    response = await client.post(
        f"/v1/projects/{project_id}/api-keys", json=body, headers=bearer(admin_key)
    )
    assert response.status_code == 201, response.text
    key: dict[str, Any] = response.json()
    return key


async def make_tenant(client: httpx.AsyncClient, kanri: Kanri, **project: Any) -> Tenant:
    organization_id, admin_key = await make_org(kanri)
    created = await make_project(client, admin_key, **project)
    key = await make_key(client, admin_key, created["id"])
    return Tenant(
        organization_id=organization_id,
        admin_key=admin_key,
        project_id=created["id"],
        project_name=created["name"],
        key=key["key"],
    )


def environment_event(
    tenant: Tenant, event_id: str, environment_id: str, data: dict[str, Any], at: datetime
) -> OutboxEventRow:
    """An `environment.created` outbox row of `tenant`'s project, written as a test says
    (an id and a time of its choosing: late commits, retention)."""
    return OutboxEventRow(
        id=event_id,
        scope_id=tenant.project_id,
        organization_id=tenant.organization_id,
        project_id=tenant.project_id,
        environment_id=None,
        type="environment.created",
        resource_type="environment",
        resource_id=environment_id,
        data=data,
        request_id=None,
        create_time=at,
    )
