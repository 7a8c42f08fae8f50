"""NaN and Infinity: refused in bodies and step results; a stored one fails its run alone."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text

from kanri.automations.models import AutomationRow
from kanri.runtime import Kanri
from tests.conftest import BACKEND
from tests.engine.factories import make_automation, run_and_wait, until_status
from tests.factories import Tenant, make_tenant


@pytest.mark.parametrize("word", ["NaN", "Infinity", "-Infinity"])
async def test_a_body_with_a_non_finite_number_is_a_422_naming_the_field(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant, word: str
) -> None:
    name = f"poison-{word.lower()}"
    step = '{"id": "a", "kind": "transform", "output": {"x": WORD}}'.replace("WORD", word)
    raw = f'{{"name": "{name}", "definition": {{"steps": [{step}]}}}}'
    response = await client.post(
        "/v1/automations",
        content=raw,
        headers={**tenant.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"] == [
        {"field": "body.definition.steps.0.output.x", "message": "must be a finite number"}
    ]

    def stored(tx: Any) -> int:
        return int(
            tx.execute(
                select(func.count()).where(
                    AutomationRow.project_id == tenant.project_id, AutomationRow.name == name
                )
            ).scalar_one()
        )

    assert await kanri.db.read(stored) == 0


async def test_the_words_inside_strings_are_plain_text(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    steps = [{"id": "a", "kind": "transform", "output": {"note": "NaN and Infinity"}}]
    automation = await make_automation(client, tenant, steps)
    run = await run_and_wait(client, tenant, automation["id"])
    assert run["status"] == "completed"
    assert run["outputs"] == {"note": "NaN and Infinity"}


async def test_a_step_whose_result_is_not_finite_fails_with_a_clear_error(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    steps: list[dict[str, Any]] = [
        {"id": "huge", "kind": "transform", "output": {"value": "{{ 1e308 * 10 }}"}},
        {"id": "after", "kind": "transform", "output": "never"},
    ]
    automation = await make_automation(client, tenant, steps)
    run = await run_and_wait(client, tenant, automation["id"])
    assert run["status"] == "failed"
    assert run["error"]["step_id"] == "huge"
    assert "non-finite" in run["error"]["message"]
    assert "output.value" in run["error"]["message"]


@pytest.mark.skipif(BACKEND != "sqlite", reason="PostgreSQL's jsonb cannot store NaN at all")
async def test_a_stored_run_sqlite_cannot_read_fails_alone_and_other_projects_go_on(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    parked = await make_automation(
        client, tenant, [{"id": "later", "kind": "wait", "seconds": 3600}]
    )
    poisoned = await run_and_wait(client, tenant, parked["id"], wait=0)
    await until_status(client, tenant, poisoned["id"], {"waiting"})

    def poison(tx: Any) -> None:  # as a row written before non-finite numbers were refused
        tx.execute(
            text(
                "UPDATE runs SET definition = :d, available_at = '2000-01-01 00:00:00.000000' "
                "WHERE id = :id"
            ),
            {
                "d": '{"steps": [{"id": "later", "kind": "wait", "seconds": NaN}]}',
                "id": poisoned["id"],
            },
        )

    await kanri.db.write(poison)
    other = await make_tenant(client, kanri)
    healthy = await make_automation(client, other, [{"id": "a", "kind": "transform", "output": 1}])
    run = await run_and_wait(client, other, healthy["id"])
    assert run["status"] == "completed"

    failed = await until_status(client, tenant, poisoned["id"], {"failed"})
    assert failed["status"] == "failed"
    assert failed["stop_reason"] == "internal"
    assert "not valid JSON" in failed["error"]["message"]
