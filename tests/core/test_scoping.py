"""`by_ref` finds a tenant's row by id or by name, in the caller's project only; features
read a project's settings through tenancy's `project_settings`."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.orm import Session

from kanri.core.auth import Principal
from kanri.core.errors import NotFound
from kanri.core.scoping import by_ref, find_by_ref
from kanri.runtime import Kanri
from kanri.tenancy import environment_service
from kanri.tenancy.models import EnvironmentRow
from kanri.tenancy.service import ProjectSettings, project_settings
from tests.factories import Tenant, make_tenant


def _env(tx: Session, who: Principal, ref: str) -> EnvironmentRow:
    return by_ref(
        tx, EnvironmentRow, ref, who, prefix="env", name_column=EnvironmentRow.name, noun="env"
    )


async def test_a_row_is_found_by_its_name_and_by_its_id_in_the_callers_project(
    kanri: Kanri, tenant: Tenant
) -> None:
    who = Principal.system(tenant.organization_id, tenant.project_id)
    by_name = await kanri.db.read(_env, who, "production")
    by_id = await kanri.db.read(_env, who, by_name.id)
    assert (by_name.name, by_name.project_id) == ("production", tenant.project_id)
    assert by_id.id == by_name.id


async def test_another_projects_row_is_not_found_under_the_usual_wording(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    other = await make_tenant(client, kanri)
    theirs = await kanri.db.read(
        _env, Principal.system(other.organization_id, other.project_id), "production"
    )
    who = Principal.system(tenant.organization_id, tenant.project_id)
    with pytest.raises(NotFound) as raised:
        await kanri.db.read(_env, who, theirs.id)
    assert raised.value.detail == f"env '{theirs.id}' not found"

    def find(tx: Session, ref: str) -> EnvironmentRow | None:
        return find_by_ref(tx, EnvironmentRow, ref, who, prefix="env")

    # Without a name column only ids match: the name `production` names nothing.
    assert await kanri.db.read(find, theirs.id) is None
    assert await kanri.db.read(find, "production") is None


async def test_the_prepared_lookup_picks_id_or_name_as_by_ref_does(
    kanri: Kanri, tenant: Tenant
) -> None:
    who = Principal.system(tenant.organization_id, tenant.project_id)
    named = await kanri.db.read_one(*environment_service.environment_lookup(who, "development"))
    assert named is not None
    assert named["name"] == "development"
    by_id = await kanri.db.read_one(*environment_service.environment_lookup(who, named["id"]))
    assert by_id is not None
    assert by_id["id"] == named["id"]


async def test_project_settings_are_the_projects_organization_flag_and_limit(
    kanri: Kanri, tenant: Tenant
) -> None:
    found = await kanri.db.read(project_settings, tenant.project_id)
    assert isinstance(found, ProjectSettings)
    assert found.organization_id == tenant.organization_id
    assert found.allow_private_network is False
    assert found.rate_limit_per_minute > 0
    assert await kanri.db.read(project_settings, "prj_01ARZ3NDEKTSV4RRFFQ69G5FAV") is None
