"""The outbox as an API: list and read a project's events; retention; type patterns."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from kanri.core.auth import Principal
from kanri.core.errors import not_found
from kanri.core.filtering import FilterField, FilterSpec
from kanri.core.ids import ulid_at
from kanri.core.models import OutboxEventRow
from kanri.core.pagination import ListParams, Page, paginate
from kanri.core.scoping import scoped
from kanri.events import schemas
from kanri.events.catalogue import CATALOGUE

EVENT_FILTERS = FilterSpec(
    {
        "id": FilterField(OutboxEventRow.id),
        "type": FilterField(OutboxEventRow.type),
        "resource_type": FilterField(OutboxEventRow.resource_type),
        "resource_id": FilterField(OutboxEventRow.resource_id),
        "environment_id": FilterField(OutboxEventRow.environment_id),
        "request_id": FilterField(OutboxEventRow.request_id),
        "data": FilterField(OutboxEventRow.data, "map"),
        "create_time": FilterField(OutboxEventRow.create_time, "timestamp"),
    }
)
PRUNE_BATCH = 1000


def type_matches(patterns: list[str], event_type: str) -> bool:
    """Whether `event_type` matches one of `patterns` (`*`, `run.*`, or an exact type)."""
    for pattern in patterns:
        if pattern == "*" or pattern == event_type:
            return True
        if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
            return True
    return False


def _scoped(who: Principal) -> Select[OutboxEventRow]:
    # scope_id equals project_id for project events and leads the outbox's (scope_id, id)
    # index, which the project_id condition alone would not use.
    stmt = scoped(select(OutboxEventRow), who)
    return stmt.where(OutboxEventRow.scope_id == who.project())


def list_events(tx: Session, who: Principal, params: ListParams) -> Page[schemas.Event]:
    """A page of who's project's events, newest first unless `order_by` says otherwise."""
    page = paginate(
        tx,
        _scoped(who),
        EVENT_FILTERS,
        params,
        id_column=OutboxEventRow.id,
        default_order="id desc",
    )
    return page.map(schemas.Event.model_validate)


def get(tx: Session, who: Principal, event_id: str) -> schemas.Event:
    row = tx.execute(_scoped(who).where(OutboxEventRow.id == event_id)).scalar_one_or_none()
    if row is None:
        raise not_found("event", event_id)
    return schemas.Event.model_validate(row)


def catalogue() -> schemas.EventTypeList:
    return schemas.EventTypeList(
        data=[
            schemas.EventType(type=name, description=entry["description"], schema_=entry["schema"])
            for name, entry in sorted(CATALOGUE.items())
        ]
    )


def id_floor(moment: datetime) -> str:
    """The smallest event id of `moment`: event ids are `evt_` + a ULID, which sorts by time."""
    milliseconds = int(moment.timestamp() * 1000)
    return f"evt_{ulid_at(milliseconds)}"


def prune(tx: Session, before: datetime) -> int:
    """Delete up to PRUNE_BATCH outbox events written before `before`; how many went."""
    ids = list(
        tx.execute(
            select(OutboxEventRow.id)
            .where(OutboxEventRow.id < id_floor(before))
            .order_by(OutboxEventRow.id)
            .limit(PRUNE_BATCH)
        ).scalars()
    )
    if ids:
        tx.execute(delete(OutboxEventRow).where(OutboxEventRow.id.in_(ids)))
    return len(ids)
