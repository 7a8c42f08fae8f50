"""Versioned resources (automations, agents): immutable numbered versions of a draft, one of
them published. The version tables differ in their owner column only."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from kanri.core import audit, events
from kanri.core.auth import Principal
from kanri.core.errors import not_found
from kanri.core.scoping import PreparedByRef, scope_params, scoped_template
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


class PublishedRead:
    """The one read a trigger makes of a versioned resource by id or name, in who's
    project: the owner's `id`, `name`, `published_version` and `extra` columns, and the
    published version's `content` column under its own name (None when none is published).
    Built once (`Prepared.read`)."""

    def __init__(
        self,
        owner: Any,
        version: Any,
        owner_column: InstrumentedAttribute[str],
        content: InstrumentedAttribute[Any],
        extra: tuple[InstrumentedAttribute[Any], ...] = (),
        *,
        prefix: str,
    ) -> None:
        base: Select[Any] = scoped_template(
            select(owner.id, owner.name, owner.published_version, *extra, content).outerjoin(
                version,
                (owner_column == owner.id) & (version.version == owner.published_version),
            )
        )
        self._read = PreparedByRef(base, prefix=prefix, id_column=owner.id, name_column=owner.name)

    def first(self, tx: Session, who: Principal, ref: str) -> Mapping[str, Any] | None:
        """The owner `ref` (an id of `prefix`, or a name) with its published content, or None."""
        return self._read.read(tx, ref, scope_params(who))
