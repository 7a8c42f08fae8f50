"""An http step reads its response up to KANRI_HTTP_MAX_RESPONSE_BYTES, as it streams in:
beyond the cap the step fails for good, naming the cap; under it the body is the output."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from kanri.runtime import Kanri
from tests.engine.factories import make_automation, run_and_wait, until_status
from tests.factories import Tenant, make_tenant
from tests.fakes.body_server import SMALL, body_server

CAP = 65_536
ENDLESS = 64 << 20  # far more than the cap: a reader that stops early hangs up long before


@pytest.fixture
def small_cap(kanri: Kanri, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(kanri.settings, "http_max_response_bytes", CAP)
    return CAP


async def _http_run(
    client: httpx.AsyncClient, tenant: Tenant, url: str, retry: int = 1
) -> dict[str, Any]:
    step = {
        "id": "call",
        "kind": "http",
        "url": url,
        "timeout": 10,
        "retry": {"max_attempts": retry, "backoff_seconds": 0.05},
    }
    automation = await make_automation(client, tenant, [step])
    run = await run_and_wait(client, tenant, automation["id"])
    return await until_status(client, tenant, run["id"], {"completed", "failed"})


@pytest.mark.parametrize("path", [f"/stream/{ENDLESS}", f"/declared/{ENDLESS}"])
async def test_a_response_past_the_cap_fails_the_step_without_retries(
    client: httpx.AsyncClient, kanri: Kanri, small_cap: int, path: str
) -> None:
    tenant = await make_tenant(client, kanri, allow_private_network=True)
    async with body_server() as server:
        run = await _http_run(client, tenant, f"{server.url}{path}", retry=3)
    assert run["status"] == "failed"
    assert run["error"]["step_id"] == "call"
    assert run["error"]["message"] == (
        f"the response from {server.url}{path} is larger than {small_cap} bytes, the limit "
        "(KANRI_HTTP_MAX_RESPONSE_BYTES)"
    )
    steps = (await client.get(f"/v1/runs/{run['id']}/steps", headers=tenant.headers)).json()
    assert [(s["attempt"], s["status"]) for s in steps["data"]] == [(1, "failed")]
    assert server.finished == 0
    assert server.sent < ENDLESS // 4  # what the socket buffers took before the hang-up


async def test_a_response_under_the_cap_is_the_steps_output(
    client: httpx.AsyncClient, kanri: Kanri, small_cap: int
) -> None:
    tenant = await make_tenant(client, kanri, allow_private_network=True)
    async with body_server() as server:
        json_run = await _http_run(client, tenant, f"{server.url}/json")
        exact_run = await _http_run(client, tenant, f"{server.url}/stream/{small_cap}")
    assert json_run["status"] == "completed", json_run
    assert json_run["outputs"]["status"] == 200
    assert json_run["outputs"]["body"] == SMALL
    assert exact_run["status"] == "completed", exact_run["error"]
    assert exact_run["outputs"]["body"] == "x" * small_cap
    assert server.finished == 2
