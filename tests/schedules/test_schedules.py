from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kanri.core.ids import ulid_milliseconds
from kanri.core.models import AuditLogRow, OutboxEventRow
from kanri.engine.models import RunRow
from kanri.runtime import Kanri
from kanri.schedules import service
from kanri.schedules.leader import Scheduler
from kanri.schedules.models import ScheduleRow
from tests.engine.factories import make_automation
from tests.factories import Tenant, make_tenant

STEPS: list[dict[str, Any]] = [{"id": "echo", "kind": "transform", "output": "{{ inputs.n }}"}]
N_SCHEMA = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
FAR = datetime(2100, 1, 1, tzinfo=UTC)  # fire times the running leader never reaches


async def _schedule(
    client: httpx.AsyncClient, tenant: Tenant, automation: str, **fields: Any
) -> dict[str, Any]:
    body = {"automation": automation, "cron": "0 0 1 1 *", **fields}
    response = await client.post("/v1/schedules", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def _set(kanri: Kanri, schedule_id: str, **values: Any) -> None:
    def change(tx: Session) -> None:
        row = tx.get(ScheduleRow, schedule_id)
        assert row is not None
        for name, value in values.items():
            setattr(row, name, value)

    await kanri.db.write(change)


async def _row(kanri: Kanri, schedule_id: str) -> ScheduleRow:
    def read(tx: Session) -> ScheduleRow:
        row = tx.get(ScheduleRow, schedule_id)
        assert row is not None
        return row

    return await kanri.db.read(read)


async def _run_ids(kanri: Kanri, schedule_id: str) -> list[str]:
    def read(tx: Session) -> list[str]:
        stmt = select(RunRow.id, RunRow.labels).order_by(RunRow.id)
        return [r.id for r in tx.execute(stmt) if r.labels.get("schedule_id") == schedule_id]

    return await kanri.db.read(read)


async def _actions(kanri: Kanri, resource_id: str) -> tuple[list[str], list[str]]:
    def read(tx: Session) -> tuple[list[str], list[str]]:
        audits = tx.execute(
            select(AuditLogRow.action)
            .where(AuditLogRow.resource_id == resource_id)
            .order_by(AuditLogRow.seq)
        ).scalars()
        outbox = tx.execute(
            select(OutboxEventRow.type)
            .where(OutboxEventRow.resource_id == resource_id)
            .order_by(OutboxEventRow.id)
        ).scalars()
        return list(audits), list(outbox)

    return await kanri.db.read(read)


# ---------------------------------------------------------------- CRUD


async def test_creating_a_schedule_answers_201_with_location_next_fire_time_and_trail(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    automation = await make_automation(client, tenant, STEPS)
    before = datetime.now(UTC)
    response = await client.post(
        "/v1/schedules",
        json={
            "automation": automation["name"],
            "cron": " 30  9 * *   1-5 ",
            "timezone": "Asia/Tokyo",
            "inputs": {"n": 1},
            "labels": {"team": "ops"},
        },
        headers=tenant.headers,
    )
    assert response.status_code == 201, response.text
    schedule = response.json()
    assert response.headers["Location"] == f"/v1/schedules/{schedule['id']}"
    assert schedule["id"].startswith("sch_")
    assert schedule["automation_id"] == automation["id"]
    assert schedule["cron"] == "30 9 * * 1-5"
    assert schedule["catchup"] == "latest"
    assert schedule["enabled"] is True
    assert schedule["last_fire_time"] is None
    assert schedule["triggered_by"].startswith("key_")
    environment = (await client.get("/v1/environments/production", headers=tenant.headers)).json()
    assert schedule["environment_id"] == environment["id"]
    fires = _time(schedule["next_fire_time"])
    assert before < fires <= before + timedelta(days=4)
    assert (fires.hour, fires.minute) == (0, 30)  # 09:30 in Tokyo
    assert fires.astimezone(UTC).weekday() in range(5)
    assert await _actions(kanri, schedule["id"]) == (["schedule.created"], ["schedule.created"])
    fetched = await client.get(f"/v1/schedules/{schedule['id']}", headers=tenant.headers)
    assert fetched.json() == schedule


async def test_an_idempotency_key_replays_the_first_schedule(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    automation = await make_automation(client, tenant, STEPS)
    body = {"automation": automation["id"], "cron": "0 0 1 1 *"}
    headers = {**tenant.headers, "Idempotency-Key": "sched-1"}
    first = await client.post("/v1/schedules", json=body, headers=headers)
    again = await client.post("/v1/schedules", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    listed = await client.get("/v1/schedules", headers=tenant.headers)
    assert [s["id"] for s in listed.json()["data"]] == [first.json()["id"]]


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"cron": "* * * *"}, "body.cron", "five fields"),
        ({"cron": "* * * * * *"}, "body.cron", "five fields"),
        ({"cron": "@hourly"}, "body.cron", "five fields"),
        ({"cron": "61 * * * *"}, "body.cron", "not a valid cron"),
        ({"cron": "H * * * *"}, "body.cron", "not a valid cron"),
        ({"cron": "0 0 31 2 *"}, "body.cron", "never fires"),
        ({"timezone": "Mars/Olympus_Mons"}, "body.timezone", "IANA"),
        ({"timezone": "../../etc/passwd"}, "body.timezone", "IANA"),
        ({"timezone": "localtime"}, "body.timezone", "IANA"),
        ({"catchup": "some"}, "body.catchup", ""),
    ],
)
async def test_a_bad_cron_timezone_or_catchup_is_a_422_naming_the_field(
    client: httpx.AsyncClient, tenant: Tenant, fields: dict[str, Any], field: str, words: str
) -> None:
    body = {"automation": "whatever", "cron": "* * * * *", **fields}
    response = await client.post("/v1/schedules", json=body, headers=tenant.headers)
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == [field]
    assert words in errors[0]["message"]


async def test_an_unknown_automation_is_404_and_an_unpublished_one_409(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    unknown = await client.post(
        "/v1/schedules", json={"automation": "nope", "cron": "* * * * *"}, headers=tenant.headers
    )
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "automation 'nope' not found"
    draft = await make_automation(client, tenant, STEPS, publish=False)
    refused = await client.post(
        "/v1/schedules",
        json={"automation": draft["id"], "cron": "* * * * *"},
        headers=tenant.headers,
    )
    assert refused.status_code == 409
    assert "no published version" in refused.json()["detail"]
    listed = await client.get("/v1/schedules", headers=tenant.headers)
    assert listed.json()["data"] == []


async def test_inputs_are_checked_against_the_automations_input_schema(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    automation = await make_automation(client, tenant, STEPS, inputs=N_SCHEMA)
    body = {"automation": automation["id"], "cron": "* * * * *", "inputs": {"n": "x"}}
    response = await client.post("/v1/schedules", json=body, headers=tenant.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.inputs.n"
    schedule = await _schedule(client, tenant, automation["id"], inputs={"n": 1})
    patched = await client.patch(
        f"/v1/schedules/{schedule['id']}", json={"inputs": {}}, headers=tenant.headers
    )
    assert patched.status_code == 422
    assert "'n' is a required property" in patched.json()["errors"][0]["message"]


async def test_updating_recounts_fire_times_from_now_and_disabling_clears_them(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    automation = await make_automation(client, tenant, STEPS)
    schedule = await _schedule(client, tenant, automation["id"], cron="0 0 1 1 *")
    url = f"/v1/schedules/{schedule['id']}"
    hourly = (await client.patch(url, json={"cron": "15 * * * *"}, headers=tenant.headers)).json()
    fires = _time(hourly["next_fire_time"])
    assert fires.minute == 15
    assert fires - datetime.now(UTC) <= timedelta(hours=1)
    assert _time(hourly["update_time"]) > _time(schedule["update_time"])

    disabled = (await client.patch(url, json={"enabled": False}, headers=tenant.headers)).json()
    assert disabled["enabled"] is False
    assert disabled["next_fire_time"] is None
    labelled = await client.patch(url, json={"labels": {"a": "b"}}, headers=tenant.headers)
    assert labelled.json()["next_fire_time"] is None
    enabled = (await client.patch(url, json={"enabled": True}, headers=tenant.headers)).json()
    assert enabled["next_fire_time"] == hourly["next_fire_time"]
    unchanged = (await client.patch(url, json={}, headers=tenant.headers)).json()
    assert unchanged["update_time"] == enabled["update_time"]

    audits, outbox = await _actions(kanri, schedule["id"])
    assert audits == ["schedule.created", *["schedule.updated"] * 4]
    assert outbox == audits


async def test_an_automation_can_be_given_by_name_on_update(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    first = await make_automation(client, tenant, STEPS)
    second = await make_automation(client, tenant, STEPS)
    schedule = await _schedule(client, tenant, first["id"])
    moved = await client.patch(
        f"/v1/schedules/{schedule['id']}",
        json={"automation": second["name"]},
        headers=tenant.headers,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["automation_id"] == second["id"]


async def test_schedules_are_listed_filtered_and_paged(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    one = await make_automation(client, tenant, STEPS)
    two = await make_automation(client, tenant, STEPS)
    a = await _schedule(client, tenant, one["id"], cron="0 0 1 1 *")
    b = await _schedule(client, tenant, one["id"], cron="0 0 1 1 *", enabled=False)
    c = await _schedule(client, tenant, two["id"], cron="* * * * *", enabled=False)

    async def ids(**params: Any) -> list[str]:
        response = await client.get("/v1/schedules", params=params, headers=tenant.headers)
        assert response.status_code == 200, response.text
        return [s["id"] for s in response.json()["data"]]

    assert await ids() == [a["id"], b["id"], c["id"]]
    assert await ids(filter=f'automation_id = "{one["id"]}"') == [a["id"], b["id"]]
    assert await ids(filter="enabled = false") == [b["id"], c["id"]]
    assert await ids(filter='next_fire_time > "2000-01-01T00:00:00Z"') == [a["id"]]
    assert await ids(filter=f'create_time > "{a["create_time"]}"') == [b["id"], c["id"]]
    assert await ids(order_by="create_time desc") == [c["id"], b["id"], a["id"]]
    first = (
        await client.get("/v1/schedules", params={"page_size": 2}, headers=tenant.headers)
    ).json()
    assert [s["id"] for s in first["data"]] == [a["id"], b["id"]]
    assert await ids(page_size=2, page_token=first["next_page_token"]) == [c["id"]]
    refused = await client.get(
        "/v1/schedules", params={"order_by": "next_fire_time"}, headers=tenant.headers
    )
    assert refused.status_code == 400


async def test_deleting_a_schedule_answers_204_and_leaves_an_audit_trail(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    automation = await make_automation(client, tenant, STEPS)
    schedule = await _schedule(client, tenant, automation["id"])
    url = f"/v1/schedules/{schedule['id']}"
    assert (await client.delete(url, headers=tenant.headers)).status_code == 204
    assert (await client.get(url, headers=tenant.headers)).status_code == 404
    assert (await client.delete(url, headers=tenant.headers)).status_code == 404
    audits, outbox = await _actions(kanri, schedule["id"])
    assert audits == outbox == ["schedule.created", "schedule.deleted"]


async def test_deleting_the_automation_deletes_its_schedules(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    automation = await make_automation(client, tenant, STEPS)
    schedule = await _schedule(client, tenant, automation["id"])
    deleted = await client.delete(f"/v1/automations/{automation['id']}", headers=tenant.headers)
    assert deleted.status_code == 204
    gone = await client.get(f"/v1/schedules/{schedule['id']}", headers=tenant.headers)
    assert gone.status_code == 404


async def test_another_projects_schedule_is_not_found(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    other = await make_tenant(client, kanri)
    automation = await make_automation(client, other, STEPS)
    theirs = await _schedule(client, other, automation["id"])
    url = f"/v1/schedules/{theirs['id']}"
    assert (await client.get(url, headers=tenant.headers)).status_code == 404
    patched = await client.patch(url, json={"enabled": False}, headers=tenant.headers)
    assert patched.status_code == 404
    assert (await client.delete(url, headers=tenant.headers)).status_code == 404
    assert (await client.get("/v1/schedules", headers=tenant.headers)).json()["data"] == []
    # nor can a schedule of ours name their automation
    borrowed = await client.post(
        "/v1/schedules",
        json={"automation": automation["id"], "cron": "* * * * *"},
        headers=tenant.headers,
    )
    assert borrowed.status_code == 404
    mine = await client.get(url, headers=other.headers)
    assert mine.json()["enabled"] is True


# ---------------------------------------------------------------- firing


async def test_the_leader_fires_a_due_schedule_and_its_run_completes(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    automation = await make_automation(client, tenant, STEPS)
    schedule = await _schedule(
        client, tenant, automation["id"], cron="* * * * *", inputs={"n": 7}, enabled=False
    )
    due = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)
    # `all`: the forced fire time fires even when a minute boundary passes meanwhile.
    await _set(kanri, schedule["id"], enabled=True, next_fire_time=due, catchup="all")
    run_id = service.run_id_for(schedule["id"], due)
    deadline = time.monotonic() + 3
    run: dict[str, Any] = {}
    while time.monotonic() < deadline:
        response = await client.get(f"/v1/runs/{run_id}", headers=tenant.headers)
        run = response.json()
        if response.status_code == 200 and run["status"] == "completed":
            break
        await asyncio.sleep(0.05)
    assert run.get("status") == "completed", run
    assert run["outputs"] == 7
    assert run["labels"] == {"schedule_id": schedule["id"]}
    assert run["environment_id"] == schedule["environment_id"]
    assert run["triggered_by"] == schedule["triggered_by"]
    listed = await client.get(
        "/v1/runs",
        params={"filter": f'labels.schedule_id = "{schedule["id"]}"'},
        headers=tenant.headers,
    )
    assert run_id in [r["id"] for r in listed.json()["data"]]
    fired = (await client.get(f"/v1/schedules/{schedule['id']}", headers=tenant.headers)).json()
    assert fired["last_fire_time"] is not None
    assert _time(fired["next_fire_time"]) > due
    audits, outbox = await _actions(kanri, schedule["id"])
    assert "schedule.fired" in audits
    assert "schedule.fired" in outbox
    await _set(kanri, schedule["id"], enabled=False, next_fire_time=None)


def test_a_run_id_is_derived_from_the_schedule_and_fire_time() -> None:
    fire_time = datetime(2030, 5, 6, 7, 8, tzinfo=UTC)
    run_id = service.run_id_for("sch_01JD3V0000000000000000000A", fire_time)
    assert run_id == service.run_id_for("sch_01JD3V0000000000000000000A", fire_time)
    assert run_id != service.run_id_for("sch_01JD3V0000000000000000000B", fire_time)
    assert run_id != service.run_id_for(
        "sch_01JD3V0000000000000000000A", fire_time + timedelta(minutes=1)
    )
    milliseconds = ulid_milliseconds(run_id.removeprefix("run_"))
    assert datetime.fromtimestamp(milliseconds / 1000, UTC) == fire_time


async def test_firing_the_same_fire_time_twice_starts_one_run(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    automation = await make_automation(client, tenant, STEPS)
    schedule = await _schedule(client, tenant, automation["id"], cron="* * * * *", enabled=False)
    await _set(kanri, schedule["id"], enabled=True, next_fire_time=FAR)

    def fire_at(tx: Session) -> str | None:
        row = tx.get(ScheduleRow, schedule["id"])
        assert row is not None
        who = service.scheduler_principal(tx, row)
        return service.fire_at(tx, row, FAR, who)

    first = await kanri.db.write(fire_at)
    assert first == service.run_id_for(schedule["id"], FAR)
    assert await kanri.db.write(fire_at) is None
    assert await _run_ids(kanri, schedule["id"]) == [first]

    # a whole fire that is repeated (a leader hand-over, say) starts nothing new either
    at = FAR + timedelta(seconds=10)
    assert await kanri.db.write(service.fire_due, schedule["id"], at) == []
    await _set(kanri, schedule["id"], next_fire_time=FAR)
    assert await kanri.db.write(service.fire_due, schedule["id"], at) == []
    assert await _run_ids(kanri, schedule["id"]) == [first]
    await _set(kanri, schedule["id"], enabled=False, next_fire_time=None)


@pytest.mark.parametrize(("catchup", "fired"), [("none", 0), ("latest", 1), ("all", 5)])
async def test_missed_fire_times_follow_catchup(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant, catchup: str, fired: int
) -> None:
    # Minutes 0-4 of each hour; the leader was down from 00:00 to 00:05:30.
    automation = await make_automation(client, tenant, STEPS)
    schedule = await _schedule(
        client, tenant, automation["id"], cron="0-4 * * * *", catchup=catchup, enabled=False
    )
    await _set(kanri, schedule["id"], enabled=True, next_fire_time=FAR)
    now = FAR + timedelta(minutes=5, seconds=30)
    started = await kanri.db.write(service.fire_due, schedule["id"], now)
    missed = [FAR + timedelta(minutes=m) for m in range(5)]
    expected = {"none": [], "latest": missed[-1:], "all": missed}[catchup]
    assert started == [service.run_id_for(schedule["id"], t) for t in expected]
    assert sorted(await _run_ids(kanri, schedule["id"])) == sorted(started)
    row = await _row(kanri, schedule["id"])
    assert row.next_fire_time == FAR + timedelta(hours=1)
    assert row.last_fire_time == (expected[-1] if expected else None)
    await _set(kanri, schedule["id"], enabled=False, next_fire_time=None)


async def test_catchup_none_still_fires_a_fire_time_at_most_a_minute_late(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    automation = await make_automation(client, tenant, STEPS)
    schedule = await _schedule(
        client, tenant, automation["id"], cron="* * * * *", catchup="none", enabled=False
    )
    await _set(kanri, schedule["id"], enabled=True, next_fire_time=FAR)
    # down from 00:00 to 00:05:30: 00:05 is 30 s late and fires, the five before do not
    started = await kanri.db.write(
        service.fire_due, schedule["id"], FAR + timedelta(minutes=5, seconds=30)
    )
    assert started == [service.run_id_for(schedule["id"], FAR + timedelta(minutes=5))]
    await _set(kanri, schedule["id"], enabled=False, next_fire_time=None)


async def test_a_fire_the_automation_refuses_is_recorded_and_skipped(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    automation = await make_automation(client, tenant, STEPS, inputs=N_SCHEMA)
    schedule = await _schedule(
        client, tenant, automation["id"], cron="* * * * *", inputs={"n": 1}, enabled=False
    )
    stricter = {**N_SCHEMA, "required": ["n", "m"]}
    changed = await client.patch(
        f"/v1/automations/{automation['id']}",
        json={"definition": {"steps": STEPS, "inputs": stricter}},
        headers=tenant.headers,
    )
    assert changed.status_code == 200, changed.text
    published = await client.post(
        f"/v1/automations/{automation['id']}/publish", headers=tenant.headers
    )
    assert published.status_code == 201
    await _set(kanri, schedule["id"], enabled=True, next_fire_time=FAR)
    assert await kanri.db.write(service.fire_due, schedule["id"], FAR) == []
    assert await _run_ids(kanri, schedule["id"]) == []
    row = await _row(kanri, schedule["id"])
    assert row.next_fire_time == FAR + timedelta(minutes=1)
    audits, outbox = await _actions(kanri, schedule["id"])
    assert audits[-1] == outbox[-1] == "schedule.fire_failed"
    await _set(kanri, schedule["id"], enabled=False, next_fire_time=None)


def test_catchup_all_fires_at_most_a_hundred_times_per_call() -> None:
    start = datetime(2030, 1, 1, tzinfo=UTC)
    now = start + timedelta(minutes=150)
    times, following = service.due_fire_times("* * * * *", "UTC", "all", start, now)
    assert len(times) == 100
    assert times[0] == start
    assert following == start + timedelta(minutes=100)  # still due: the next tick goes on
    rest, after = service.due_fire_times("* * * * *", "UTC", "all", following, now)
    assert len(rest) == 51
    assert after == now + timedelta(minutes=1)


def test_latest_finds_the_most_recent_fire_time_after_a_long_outage_without_walking() -> None:
    # Seven thousand years of minutes: walking them one fire time at a time would take days,
    # so this returning at all is the proof (pytest-timeout fails a regression).
    start = datetime(2030, 1, 1, tzinfo=UTC)
    now = datetime(9000, 1, 1, second=5, tzinfo=UTC)
    times, following = service.due_fire_times("* * * * *", "UTC", "latest", start, now)
    assert times == [datetime(9000, 1, 1, tzinfo=UTC)]
    assert following == datetime(9000, 1, 1, minute=1, tzinfo=UTC)


def test_fire_times_follow_the_time_zone_across_a_dst_change() -> None:
    # Berlin moves to summer time on 2026-03-29: 09:00 is 08:00 UTC before, 07:00 after.
    before = service.next_fire_time("0 9 * * *", "Europe/Berlin", datetime(2026, 3, 28, tzinfo=UTC))
    after = service.next_fire_time(
        "0 9 * * *", "Europe/Berlin", datetime(2026, 3, 29, 9, tzinfo=UTC)
    )
    assert before == datetime(2026, 3, 28, 8, tzinfo=UTC)
    assert after == datetime(2026, 3, 30, 7, tzinfo=UTC)


async def test_one_process_leads_on_postgresql_and_every_process_on_sqlite(kanri: Kanri) -> None:
    # The session app's scheduler holds the advisory lock on PostgreSQL.
    follower = Scheduler(kanri, tick_seconds=60)
    try:
        assert await follower.lead() is kanri.db.is_sqlite
        assert follower.is_leader is kanri.db.is_sqlite
    finally:
        await follower.stop()


async def test_leadership_passes_on_when_the_leader_stops(kanri: Kanri) -> None:
    key = int.from_bytes(b"testlead", "big")  # not the session scheduler's lock
    first = Scheduler(kanri, lock_key=key)
    second = Scheduler(kanri, lock_key=key)
    try:
        assert await first.lead() is True
        assert await first.lead() is True  # still leading at its next tick
        assert await second.lead() is kanri.db.is_sqlite
        await first.stop()
        assert await second.lead() is True
    finally:
        await first.stop()
        await second.stop()
