"""Step kinds records.create|update|get|query|delete inside automation runs."""

from __future__ import annotations

import httpx

from kanri.records.record_service import record_id_for
from kanri.runtime import Kanri
from tests.engine.factories import make_automation, run_and_wait
from tests.factories import Tenant
from tests.records.factories import field, make_object, make_record, trail


async def test_a_run_creates_updates_reads_queries_and_deletes_records(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    obj = await make_object(
        client,
        tenant,
        [field("name", required=True), field("stage", "select", options=["lead", "won"])],
    )
    slug = obj["slug"]
    steps = [
        {
            "id": "make",
            "kind": "records.create",
            "object": slug,
            "field_values": {"name": "{{ inputs.name }}", "stage": "lead"},
        },
        {
            "id": "win",
            "kind": "records.update",
            "object": slug,
            "record": "{{ steps.make.output.id }}",
            "field_values": {"stage": "won"},
        },
        {
            "id": "read",
            "kind": "records.get",
            "object": slug,
            "record": "{{ steps.make.output.id }}",
        },
        {
            "id": "search",
            "kind": "records.query",
            "object": slug,
            "filter": 'stage = "won"',
            "include_total": True,
        },
        {
            "id": "drop",
            "kind": "records.delete",
            "object": slug,
            "record": "{{ steps.make.output.id }}",
        },
    ]
    automation = await make_automation(client, tenant, steps)
    run = await run_and_wait(client, tenant, automation["id"], {"name": "Acme"})
    assert run["status"] == "completed", run
    outputs = {
        s["step_id"]: s["output"]
        for s in (await client.get(f"/v1/runs/{run['id']}/steps", headers=tenant.headers)).json()[
            "data"
        ]
    }
    record_id = outputs["make"]["id"]
    assert record_id == record_id_for(run["id"], f"{run['id']}:make")
    assert outputs["make"]["field_values"] == {"name": "Acme", "stage": "lead"}
    assert outputs["win"]["field_values"]["stage"] == "won"
    assert outputs["read"]["field_values"] == {"name": "Acme", "stage": "won"}
    assert outputs["search"]["total_size"] == 1
    assert [r["id"] for r in outputs["search"]["data"]] == [record_id]
    assert outputs["drop"] == {"id": record_id, "deleted": True}
    gone = await client.get(f"/v1/objects/{slug}/records/{record_id}", headers=tenant.headers)
    assert gone.status_code == 404
    audits, _ = await trail(kanri, record_id)
    assert audits == ["record.created", "record.updated", "record.deleted"]


async def test_a_refused_record_write_fails_the_step_with_the_problem(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    obj = await make_object(client, tenant, [field("email", "email", unique=True)])
    taken = await make_record(client, tenant, obj, email="ada@x.io")
    automation = await make_automation(
        client,
        tenant,
        [
            {
                "id": "make",
                "kind": "records.create",
                "object": obj["slug"],
                "field_values": {"email": "{{ inputs.email }}"},
            }
        ],
    )
    clash = await run_and_wait(client, tenant, automation["id"], {"email": "ADA@x.io"})
    assert clash["status"] == "failed", clash
    assert clash["error"]["status"] == 409
    assert clash["error"]["conflicting_id"] == taken["id"]
    invalid = await run_and_wait(client, tenant, automation["id"], {"email": "nope"})
    assert invalid["status"] == "failed"
    assert invalid["error"]["errors"][0]["field"] == "body.field_values.email"
    missing = await make_automation(
        client,
        tenant,
        [{"id": "read", "kind": "records.get", "object": "nothing-here", "record": "rec_x"}],
    )
    not_found = await run_and_wait(client, tenant, missing["id"])
    assert not_found["status"] == "failed"
    assert not_found["error"]["status"] == 404
