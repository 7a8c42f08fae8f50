"""How record values are written in bulk: `records` rows and their `field_values`, and the
side index `record_values`.

Values of indexed, unique and list-like fields are also written to `record_values`, one
row per value. A unique value is claimed by an ``INSERT … ON CONFLICT DO NOTHING`` on the
(field_id, unique_value) constraint: a value another writer holds (committed, or committing
at the same time on PostgreSQL) comes back unclaimed, a `Clash` naming the holder, and the
command answers 409.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kanri.core.auth import Principal
from kanri.core.errors import Conflict, FieldError
from kanri.records import fields as types
from kanri.records.definitions import ObjectContext
from kanri.records.fields import FieldDef
from kanri.records.models import RecordRow, RecordValueRow

_RECORDS = cast(Table, RecordRow.__table__)
_VALUES = cast(Table, RecordValueRow.__table__)
# A record's values by id; executed with one parameter set per record of a batch.
UPDATE_RECORD = (
    update(_RECORDS)
    .where(_RECORDS.c.id == bindparam("record_id"))
    .values(field_values=bindparam("values"), update_time=bindparam("now"))
)


def index_rows(
    record_id: str, create_time: datetime, field: FieldDef, value: Any, *, holds: bool
) -> list[dict[str, Any]]:
    """The side-index rows of a field's value (its unique key only when the record `holds`
    it, i.e. is live)."""
    key = types.unique_key(field, value) if field.unique and holds else None
    return [
        {
            "record_id": record_id,
            "field_id": field.id,
            "position": position,
            "text_value": text,
            "number_value": number,
            "unique_value": key,
            "create_time": create_time,
        }
        for position, (text, number) in enumerate(types.index_entries(field, value))
    ]


@dataclass(frozen=True)
class Clash:
    """A unique value of `record_id` that record `holder_id` already holds."""

    record_id: str
    field: FieldDef
    holder_id: str


def write_index(
    tx: Session, ctx: ObjectContext, records: list[tuple[str, dict[str, Any], datetime]]
) -> list[Clash]:
    """Write the side index rows of live records (id, stored values, create_time); the
    unique values others already hold."""
    plain: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    indexed = [f for f in ctx.fields if f.side_indexed]
    for record_id, stored, created in records:
        for definition in indexed:
            value = stored.get(definition.id)
            if value is not None:
                rows = index_rows(record_id, created, definition, value, holds=True)
                (claims if definition.unique else plain).extend(rows)
    connection = tx.connection()
    if plain:
        connection.execute(insert(_VALUES), plain)
    if not claims:
        return []
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    # executemany with RETURNING (SQLAlchemy's insertmanyvalues): one cached statement.
    claimed = connection.execute(
        dialect.insert(_VALUES)
        .on_conflict_do_nothing()
        .returning(_VALUES.c.record_id, _VALUES.c.field_id),
        claims,
    ).all()
    if len(claimed) == len(claims):
        return []
    got = {(r.record_id, r.field_id) for r in claimed}
    lost = [c for c in claims if (c["record_id"], c["field_id"]) not in got]
    holders = {
        (r.field_id, r.unique_value): r.record_id
        for r in connection.execute(
            select(_VALUES.c.field_id, _VALUES.c.unique_value, _VALUES.c.record_id).where(
                tuple_(_VALUES.c.field_id, _VALUES.c.unique_value).in_(
                    [(c["field_id"], c["unique_value"]) for c in lost]
                )
            )
        )
    }
    return [
        Clash(
            c["record_id"],
            ctx.by_id[c["field_id"]],
            holders.get((c["field_id"], c["unique_value"]), ""),
        )
        for c in lost
    ]


def clash_error(clashes: list[Clash], prefixes: dict[str, str]) -> Conflict:
    """The Conflict naming the first holder, one FieldError per clash (`prefixes` by record id)."""
    first = clashes[0]
    return Conflict(
        f"'{first.field.slug}' must be unique: record {first.holder_id} has this value",
        conflicting_id=first.holder_id,
        errors=[
            FieldError(
                f"{prefixes[c.record_id]}{c.field.slug}", f"already used by {c.holder_id}", "unique"
            )
            for c in clashes
        ],
    )


def insert_records(
    tx: Session,
    who: Principal,
    ctx: ObjectContext,
    items: list[tuple[str, dict[str, Any]]],
    now: datetime,
) -> list[Clash]:
    """Insert new records (id, stored values) and their side index rows; the unique values
    others already hold."""
    project_id = who.project()
    created_by = who.actor["id"]
    tx.connection().execute(
        insert(_RECORDS),
        [
            {
                "id": record_id,
                "project_id": project_id,
                "object_id": ctx.obj.id,
                "field_values": stored,
                "created_by": created_by,
                "create_time": now,
                "update_time": now,
                "deleted_time": None,
            }
            for record_id, stored in items
        ],
    )
    return write_index(tx, ctx, [(record_id, stored, now) for record_id, stored in items])
