"""The `report` step kind: built-in reports rendered to HTML and stored; a scheduled one
opened in Chromium."""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import sync_playwright
from sqlalchemy.orm import Session

from kanri.runtime import Kanri
from kanri.schedules.models import ScheduleRow
from tests.engine.factories import make_automation, run_and_wait, until_status
from tests.factories import Tenant
from tests.observability.helpers import ingest

CHROMIUM = shutil.which("chromium")


async def _reports(client: httpx.AsyncClient, tenant: Tenant, **params: Any) -> list[Any]:
    response = await client.get("/v1/reports", params=params, headers=tenant.headers)
    assert response.status_code == 200, response.text
    data: list[Any] = response.json()["data"]
    return data


async def test_report_steps_render_the_built_in_reports(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    failing = await make_automation(client, tenant, [{"id": "x", "kind": "fail", "message": "no"}])
    failed = await run_and_wait(client, tenant, failing["id"])
    await until_status(client, tenant, failed["id"], {"failed"})
    await ingest(
        client, tenant, "logs", [{"level": "error", "message": "boom", "service": "billing"}]
    )
    steps = [
        {"id": kind, "kind": "report", "report": kind, "labels": {"team": "ops"}}
        for kind in ("costs", "exceptions", "audit", "observability")
    ]
    automation = await make_automation(client, tenant, steps)
    run = await run_and_wait(client, tenant, automation["id"])
    done = await until_status(client, tenant, run["id"], {"completed", "failed"})
    assert done["status"] == "completed", done
    listed = await _reports(client, tenant, author=automation["id"])
    assert len(listed) == 4
    by_kind = {}
    for summary in listed:
        report = (await client.get(f"/v1/reports/{summary['id']}", headers=tenant.headers)).json()
        assert report["format"] == "html"
        assert report["type"] == "daily"
        assert report["labels"] == {"team": "ops"}
        by_kind[report["metadata"]["report"]] = report["content"]
    assert "Total: <strong>$0.0000</strong>" in by_kind["costs"]
    assert failed["id"] in by_kind["exceptions"]
    assert "<strong>intact</strong>" in by_kind["audit"]
    assert "run.created" in by_kind["audit"]
    assert "<td>billing</td>" in by_kind["observability"]
    events = await client.get(
        "/v1/events", params={"filter": 'type = "report.created"'}, headers=tenant.headers
    )
    assert len(events.json()["data"]) == 4


def _open_in_chromium(url: str, key: str) -> dict[str, Any]:
    refused: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            context = browser.new_context(extra_http_headers={"Authorization": f"Bearer {key}"})
            origin = url.split("/v1/", 1)[0]

            def only_kanri(route: Any) -> None:
                if route.request.url.startswith(origin):
                    route.continue_()
                else:
                    refused.append(route.request.url)
                    route.abort()

            context.route("**/*", only_kanri)
            page = context.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            response = page.goto(url)
            assert response is not None
            return {
                "status": response.status,
                "title": page.title(),
                "heading": page.inner_text("h1"),
                "rows": page.locator("main table tr").count(),
                "refused": refused,
                "errors": errors,
            }
        finally:
            browser.close()


@pytest.mark.skipif(CHROMIUM is None, reason="no `chromium` on PATH (Debian's package)")
@pytest.mark.timeout(120)
async def test_a_scheduled_report_run_renders_in_chromium(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant, live_url: str
) -> None:
    automation = await make_automation(
        client,
        tenant,
        [{"id": "daily", "kind": "report", "report": "exceptions", "title": "Morning report"}],
    )
    created = await client.post(
        "/v1/schedules",
        json={"automation": automation["id"], "cron": "0 6 * * *"},
        headers=tenant.headers,
    )
    assert created.status_code == 201, created.text

    def due_now(tx: Session) -> None:
        row = tx.get(ScheduleRow, created.json()["id"])
        assert row is not None
        row.next_fire_time = datetime.now(UTC) - timedelta(seconds=1)

    await kanri.db.write(due_now)
    found: list[Any] = []
    for _ in range(300):  # bounded: the leader ticks every second
        found = await _reports(client, tenant, author=automation["id"])
        if found:
            break
        await asyncio.sleep(0.1)
    (report,) = found
    assert report["title"] == "Morning report"
    seen = await asyncio.to_thread(
        _open_in_chromium, f"{live_url}/v1/reports/{report['id']}", tenant.key
    )
    assert seen["status"] == 200
    assert seen["title"] == "Morning report"
    assert seen["heading"] == "Morning report"
    assert seen["rows"] >= 4  # two tables, a header and a "none" row each
    assert seen["refused"] == []
    assert seen["errors"] == []
