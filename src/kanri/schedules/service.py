"""Business rules of schedules: CRUD, fire-time arithmetic, and the command that fires one.

Fire times are cron times read in the schedule's time zone (croniter's rules across DST
changes) and stored in UTC. `next_fire_time` is the next fire time of an enabled schedule
(null while disabled), computed from "now" on create, on enable and when the cron or time
zone changes, so fire times missed while a schedule was disabled never fire.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from croniter import croniter
from sqlalchemy import Select, select, true
from sqlalchemy.orm import Session

from kanri.automations import service as automations
from kanri.core import audit, events, regex
from kanri.core.auth import Principal
from kanri.core.errors import Conflict, FieldError, KanriError, ValidationFailed
from kanri.core.filtering import FilterField, FilterSpec
from kanri.core.ids import new_id, ulid_at
from kanri.core.pagination import ListParams, Page, paginate
from kanri.core.scoping import by_ref, scoped
from kanri.core.time import rfc3339, utcnow
from kanri.engine.models import RunRow
from kanri.runs import service as runs
from kanri.runs.schemas import RunCreate
from kanri.schedules import schemas
from kanri.schedules.models import ScheduleRow
from kanri.tenancy import service as tenancy

SCHEDULE_FILTERS = FilterSpec(
    {
        "id": FilterField(ScheduleRow.id),
        "automation_id": FilterField(ScheduleRow.automation_id),
        "environment_id": FilterField(ScheduleRow.environment_id),
        "enabled": FilterField(ScheduleRow.enabled, "boolean"),
        "catchup": FilterField(ScheduleRow.catchup),
        "labels": FilterField(ScheduleRow.labels, "map"),
        "create_time": FilterField(ScheduleRow.create_time, "timestamp"),
        "update_time": FilterField(ScheduleRow.update_time, "timestamp"),
        # Null while disabled: keyset pages cannot order on a nullable column.
        "next_fire_time": FilterField(ScheduleRow.next_fire_time, "timestamp", sortable=False),
        "last_fire_time": FilterField(ScheduleRow.last_fire_time, "timestamp", sortable=False),
    }
)
FIELDS = ("automation_id", "cron", "timezone", "labels", "enabled", "catchup")
NONE_GRACE = timedelta(seconds=60)  # catchup `none`: how late a fire time may still fire
MAX_FIRES_PER_TICK = 100  # catchup `all`: the rest of a backlog fires on the next ticks
SCHEDULER_ACTOR = "scheduler"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _scoped(who: Principal) -> Select[ScheduleRow]:
    return scoped(select(ScheduleRow), who)


def schedule_row(tx: Session, who: Principal, schedule_id: str) -> ScheduleRow:
    """The schedule of who's project; NotFound otherwise."""
    return by_ref(tx, ScheduleRow, schedule_id, who, prefix="sch", noun="schedule")


# ---------------------------------------------------------------- fire-time arithmetic


def next_fire_time(cron: str, timezone: str, after: datetime) -> datetime:
    """The first fire time strictly after `after`, in UTC."""
    start = after.astimezone(ZoneInfo(timezone))
    found: datetime = croniter(cron, start).get_next(datetime)
    return found.astimezone(UTC)


def _previous_fire_time(cron: str, timezone: str, before: datetime) -> datetime:
    start = before.astimezone(ZoneInfo(timezone))
    found: datetime = croniter(cron, start).get_prev(datetime)
    return found.astimezone(UTC)


def due_fire_times(
    cron: str, timezone: str, catchup: str, first: datetime, now: datetime
) -> tuple[list[datetime], datetime]:
    """The fire times to fire at `now` of a schedule due since `first`, and the next one.

    The due times are `first` and every cron time after it up to `now` inclusive.
    `none` fires the most recent due time only when it is at most `NONE_GRACE` late
    (a tick, a pause, a leader hand-over), `latest` fires the most recent one however late,
    `all` fires every one in order, at most `MAX_FIRES_PER_TICK` per call (the next fire
    time is then still due and the next tick goes on).
    """
    if first > now:
        return [], first
    if catchup == "all":
        times = [first]
        iterator = croniter(cron, first.astimezone(ZoneInfo(timezone)))
        while True:
            following: datetime = iterator.get_next(datetime).astimezone(UTC)
            if following > now or len(times) == MAX_FIRES_PER_TICK:
                return times, following
            times.append(following)
    following = next_fire_time(cron, timezone, now)
    latest = max(first, _previous_fire_time(cron, timezone, following))
    if catchup == "none" and now - latest > NONE_GRACE:
        return [], following
    return [latest], following


def run_id_for(schedule_id: str, fire_time: datetime) -> str:
    """The id of the run a schedule starts at `fire_time`: the same every time it is computed.

    `run_` + a ULID whose 48-bit time is the fire time in ms since the epoch and whose
    80 random bits are the first 10 bytes of SHA-256(schedule id + RFC 3339 UTC fire time).
    """
    milliseconds = (fire_time - _EPOCH) // timedelta(milliseconds=1)
    digest = hashlib.sha256((schedule_id + rfc3339(fire_time)).encode()).digest()
    return f"run_{ulid_at(milliseconds, digest[:10])}"


# ---------------------------------------------------------------- CRUD


def _published(tx: Session, who: Principal, ref: str) -> tuple[str, dict[str, Any]]:
    """The id of automation `ref` and its published definition; Conflict when none is
    published."""
    row = automations.automation_row(tx, who, ref)
    if row.published_version is None:
        raise Conflict(f"automation '{row.name}' has no published version: publish it first")
    _, _, definition = automations.definition_for_run(tx, who, row.id, None)
    return row.id, definition


def _check_inputs(definition: dict[str, Any], inputs: dict[str, Any]) -> None:
    schema = definition.get("inputs")
    if not schema:
        return
    validator = regex.schema_validator(schema)
    errors = [
        FieldError(".".join(["body", "inputs", *(str(p) for p in e.absolute_path)]), e.message)
        for e in sorted(validator.iter_errors(inputs), key=lambda e: list(e.absolute_path))
    ]
    if errors:
        raise ValidationFailed("inputs do not match the automation's schema", errors=errors)


def create(tx: Session, who: Principal, body: schemas.ScheduleCreate) -> schemas.Schedule:
    """A schedule of a published automation, firing in who's environment.

    NotFound for an unknown automation, Conflict when it has no published version,
    ValidationFailed when the inputs do not match its input schema.
    """
    automation_id, definition = _published(tx, who, body.automation)
    _check_inputs(definition, body.inputs)
    now = utcnow()
    row = ScheduleRow(
        id=new_id("sch"),
        project_id=who.project(),
        environment_id=who.environment_id,
        automation_id=automation_id,
        cron=body.cron,
        timezone=body.timezone,
        inputs=body.inputs,
        labels=body.labels,
        enabled=body.enabled,
        catchup=body.catchup,
        next_fire_time=next_fire_time(body.cron, body.timezone, now) if body.enabled else None,
        last_fire_time=None,
        triggered_by=who.actor["id"],
        create_time=now,
        update_time=now,
    )
    tx.add(row)
    tx.flush()
    created = {name: {"to": getattr(row, name)} for name in FIELDS}
    audit.record(tx, who, "schedule.created", "schedule", row.id, created)
    events.emit(
        tx,
        who,
        "schedule.created",
        "schedule",
        row.id,
        {"id": row.id, "automation_id": row.automation_id},
        environment_id=row.environment_id,
    )
    return schemas.Schedule.model_validate(row)


def get(tx: Session, who: Principal, schedule_id: str) -> schemas.Schedule:
    return schemas.Schedule.model_validate(schedule_row(tx, who, schedule_id))


def list_schedules(tx: Session, who: Principal, params: ListParams) -> Page[schemas.Schedule]:
    page = paginate(
        tx,
        _scoped(who),
        SCHEDULE_FILTERS,
        params,
        id_column=ScheduleRow.id,
        default_order="create_time",
    )
    return page.map(schemas.Schedule.model_validate)


def update(
    tx: Session, who: Principal, schedule_id: str, body: schemas.ScheduleUpdate
) -> schemas.Schedule:
    """Change a schedule; a new cron, time zone or enabling counts fire times from now."""
    row = schedule_row(tx, who, schedule_id)
    before = {name: getattr(row, name) for name in FIELDS}
    before_inputs = row.inputs
    if body.automation is not None or body.inputs is not None:
        automation_id, definition = _published(tx, who, body.automation or row.automation_id)
        _check_inputs(definition, row.inputs if body.inputs is None else body.inputs)
        row.automation_id = automation_id
    if body.inputs is not None:
        row.inputs = body.inputs
    for name in ("cron", "timezone", "labels", "enabled", "catchup"):
        value = getattr(body, name)
        if value is not None:
            setattr(row, name, value)
    changes = audit.changes_between(before, {name: getattr(row, name) for name in FIELDS})
    if row.inputs != before_inputs:
        changes["inputs"] = {"changed": True}  # values may be sensitive: not in the trail
    if changes:
        now = utcnow()
        if not row.enabled:
            row.next_fire_time = None
        elif changes.keys() & {"cron", "timezone", "enabled"}:
            row.next_fire_time = next_fire_time(row.cron, row.timezone, now)
        row.update_time = now
        audit.record(tx, who, "schedule.updated", "schedule", row.id, changes)
        events.emit(
            tx,
            who,
            "schedule.updated",
            "schedule",
            row.id,
            {"id": row.id, "enabled": row.enabled},
            environment_id=row.environment_id,
        )
    tx.flush()
    return schemas.Schedule.model_validate(row)


def delete(tx: Session, who: Principal, schedule_id: str) -> None:
    row = schedule_row(tx, who, schedule_id)
    audit.record(
        tx, who, "schedule.deleted", "schedule", row.id, {"cron": {"from": row.cron, "to": None}}
    )
    events.emit(
        tx,
        who,
        "schedule.deleted",
        "schedule",
        row.id,
        {"id": row.id},
        environment_id=row.environment_id,
    )
    tx.delete(row)


# ---------------------------------------------------------------- firing (the leader's commands)


def due(tx: Session, now: datetime, limit: int) -> list[str]:
    """Ids of enabled schedules of every project whose next fire time has come, oldest first."""
    return list(
        tx.execute(
            select(ScheduleRow.id)
            .where(ScheduleRow.enabled == true(), ScheduleRow.next_fire_time <= now)
            .order_by(ScheduleRow.next_fire_time)
            .limit(limit)
        ).scalars()
    )


def scheduler_principal(tx: Session, row: ScheduleRow) -> Principal:
    """The system principal that fires `row`: its project and environment, actor `scheduler`."""
    project = tenancy.project_settings(tx, row.project_id)
    assert project is not None  # the schedule's own project
    return Principal(
        organization_id=project.organization_id,
        project_id=row.project_id,
        environment_id=row.environment_id,
        key_id=SCHEDULER_ACTOR,
        kind="system",
        scopes=frozenset({"*"}),
    )


def fire_at(tx: Session, row: ScheduleRow, fire_time: datetime, who: Principal) -> str | None:
    """Start the run of `row` for `fire_time` unless it exists; its id, or None when it did.

    A run the automation refuses (its published inputs schema changed, say) is not started:
    `schedule.fire_failed` records why, and the schedule goes on with its next fire time.
    """
    changes = {"last_fire_time": {"from": row.last_fire_time, "to": fire_time}}
    row.last_fire_time = fire_time
    run_id = run_id_for(row.id, fire_time)
    if tx.get(RunRow, run_id) is not None:
        return None
    body = RunCreate(inputs=row.inputs, labels={"schedule_id": row.id})
    data = {"id": row.id, "fire_time": fire_time}
    try:
        # trigger checks everything before it writes: a refusal leaves nothing behind.
        runs.trigger(tx, who, row.automation_id, body, run_id=run_id)
    except KanriError as exc:
        failed = {**changes, "error": {"to": exc.detail}}
        audit.record(tx, who, "schedule.fire_failed", "schedule", row.id, failed)
        events.emit(
            tx,
            who,
            "schedule.fire_failed",
            "schedule",
            row.id,
            {**data, "error": exc.detail},
            environment_id=row.environment_id,
        )
        return None
    run = tx.get(RunRow, run_id)
    assert run is not None
    run.triggered_by = row.triggered_by  # on whose authority: approvals' four-eyes rule holds
    fired = {**changes, "run_id": {"to": run_id}}
    audit.record(tx, who, "schedule.fired", "schedule", row.id, fired)
    events.emit(
        tx,
        who,
        "schedule.fired",
        "schedule",
        row.id,
        {**data, "run_id": run_id},
        environment_id=row.environment_id,
    )
    return run_id


def fire_due(tx: Session, schedule_id: str, now: datetime) -> list[str]:
    """Fire what is due of one schedule at `now` as its catchup says; the new run ids.

    The schedule row is locked (PostgreSQL) so two firers of one schedule take turns, and
    the second finds `next_fire_time` already advanced; the derived run ids make a fire
    time that is fired again anyway start nothing.
    """
    stmt = select(ScheduleRow).where(ScheduleRow.id == schedule_id).with_for_update()
    row = tx.execute(stmt).scalar_one_or_none()
    if row is None or not row.enabled or row.next_fire_time is None:
        return []
    times, following = due_fire_times(row.cron, row.timezone, row.catchup, row.next_fire_time, now)
    started: list[str] = []
    if times:
        who = scheduler_principal(tx, row)
        started = [run_id for t in times if (run_id := fire_at(tx, row, t, who)) is not None]
    elif following == row.next_fire_time:
        return []
    row.next_fire_time = following
    tx.flush()
    return started
