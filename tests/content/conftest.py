from __future__ import annotations

import httpx
import pytest

from kanri.runtime import Kanri
from tests.factories import Tenant, make_tenant


@pytest.fixture
async def other_tenant(client: httpx.AsyncClient, kanri: Kanri) -> Tenant:
    """A second organization and project, for isolation tests."""
    return await make_tenant(client, kanri)
