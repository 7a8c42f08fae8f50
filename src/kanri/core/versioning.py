"""Versioned resources (automations, agents): immutable numbered versions of a draft, one of
them published. The version tables differ in their owner column only."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from kanri.core import audit, events
from kanri.core.auth import Principal
from kanri.core.errors import not_found
from kanri.core.time import utcnow

V = TypeVar("V")


class Versioned(Protocol):
    """The owner row: its id and the number of its published version."""

    id: str
    published_version: int | None
    update_time: datetime


def find(
    tx: Session, model: type[V], owner: InstrumentedAttribute[str], owner_id: str, number: int
) -> V:
    """Version `number` of the owner `owner_id` (`owner` is the version table's owner column);
    404 `version` when there is none."""
    number_column = getattr(model, "version")  # noqa: B009 (a column of any version table)
    found = tx.execute(
        select(model).where(owner == owner_id, number_column == number)
    ).scalar_one_or_none()
    if found is None:
        raise not_found("version", str(number))
    return found


def newest_first(
    tx: Session, model: type[V], owner: InstrumentedAttribute[str], owner_id: str
) -> list[V]:
    """Every version of the owner `owner_id`, newest first."""
    number_column = getattr(model, "version")  # noqa: B009 (a column of any version table)
    query = select(model).where(owner == owner_id).order_by(number_column.desc())
    return list(tx.execute(query).scalars())


def republish(tx: Session, who: Principal, row: Versioned, resource_type: str, number: int) -> None:
    """Make version `number` (checked by the caller) the published one again: audited as
    `<resource_type>.rolled_back` and emitted under the same name."""
    before = row.published_version
    row.published_version = number
    row.update_time = utcnow()
    action = f"{resource_type}.rolled_back"
    changes = {"published_version": {"from": before, "to": number}}
    audit.record(tx, who, action, resource_type, row.id, changes)
    events.emit(tx, who, action, resource_type, row.id, {"id": row.id, "version": number})
    tx.flush()
