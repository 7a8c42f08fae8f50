"""Pages of an object's records in any order over field values (keyset, never OFFSET).

`order_by` names built-ins (`create_time`, `update_time`, `id`) and fields of orderable
types, each `asc` (default) or `desc`; ties are broken by `id` (in the direction of the
last term). Records without a value for a field sort after those with one, in either
direction ("nulls last"). A page token carries the sort values of the last record and a
fingerprint of the filter and order; it is refused with another filter or order.

How the databases answer from indexes:

- the first term a side-indexed field: records with a value are read by an inner join on
  the field's side-index rows, in (value, record id) order, which the (field_id, value,
  create_time, record_id) index gives with at most a sort of the records sharing a value;
  the records without one follow (an anti-join, in the order of the other terms);
- a filter with an equality on a side-indexed field (`status = "won" AND …`) listed in
  `create_time` order is read from that field's side-index rows, which hold the record's
  `create_time`: the first page stops after a page of index rows, however common the value;
- other fields are compared inside the JSON document (the object's records are scanned).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import ColumnElement, Select, and_, bindparam, exists, false, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import Join

from kanri.core.errors import BadRequest, FieldError
from kanri.core.filter_sql import json_member
from kanri.core.pagination import ListParams, Page
from kanri.records.fields import FieldDef
from kanri.records.models import RecordRow
from kanri.records.query import RECORDS, Drivers, alias

# Single values with a total order; long_text is left out (a page token carries the value).
ORDERABLE: Final = frozenset(
    {"text", "email", "phone", "url", "number", "currency", "boolean", "date", "datetime", "select"}
)
BUILTINS: Final = ("create_time", "update_time", "id")
MAX_ORDER_TERMS: Final = 4
MAX_TOKEN_TEXT: Final = 600  # characters of sort values a page token carries itself


@dataclass(frozen=True)
class SortTerm:
    """One term of `order_by`: a built-in (`field` None) or a field of the object."""

    name: str
    descending: bool
    field: FieldDef | None = None


def _order_error(message: str) -> BadRequest:
    return BadRequest(f"invalid order_by: {message}", errors=[FieldError("order_by", message)])


def parse_order(fields: list[FieldDef], text: str | None) -> list[SortTerm]:
    """The terms of `order_by` (`amount desc, name`), default `create_time`; BadRequest on
    field `order_by` naming an unknown, unorderable or repeated field."""
    if text is None or not text.strip():
        return [SortTerm("create_time", False), SortTerm("id", False)]
    by_slug = {f.slug: f for f in fields}
    sortable = ", ".join([*BUILTINS, *(f.slug for f in fields if f.type in ORDERABLE)])
    terms: list[SortTerm] = []
    for part in text.split(","):
        words = part.split()
        if not words:
            raise _order_error("an empty sort term; separate terms with single commas")
        name, *rest = words
        if len(rest) > 1 or (rest and rest[0].lower() not in ("asc", "desc")):
            raise _order_error(f"expected 'asc' or 'desc' after '{name}', found '{rest[0]}'")
        field = None
        if name not in BUILTINS:
            field = by_slug.get(name)
            if field is None:
                raise _order_error(f"unknown field '{name}'; sortable fields: {sortable}")
            if field.type not in ORDERABLE:
                raise _order_error(
                    f"field '{name}' is a {field.type} field and cannot be sorted on; "
                    f"sortable fields: {sortable}"
                )
        if any(t.name == name for t in terms):
            raise _order_error(f"field '{name}' appears more than once")
        terms.append(SortTerm(name, bool(rest) and rest[0].lower() == "desc", field))
    if len(terms) > MAX_ORDER_TERMS:
        raise _order_error(f"at most {MAX_ORDER_TERMS} sort terms")
    if terms[-1].name != "id" and not any(t.name == "id" for t in terms):
        terms.append(SortTerm("id", terms[-1].descending))
    return terms


class _LeadJoin(Join):
    """An inner join whose left side (the side index) SQLite reads first: its planner would
    rather scan every record and sort than walk the index in order and stop after a page."""

    inherit_cache = True


@compiles(_LeadJoin, "sqlite")
def _lead_join_sqlite(join: _LeadJoin, compiler: SQLCompiler, **kw: Any) -> str:
    kw.pop("asfrom", None)
    left = join.left._compiler_dispatch(compiler, asfrom=True, **kw)
    right = join.right._compiler_dispatch(compiler, asfrom=True, **kw)
    assert join.onclause is not None
    on = join.onclause._compiler_dispatch(compiler, **kw)
    return f"{left} CROSS JOIN {right} ON {on}"  # SQLite keeps the order of a CROSS JOIN


@dataclass(frozen=True)
class _Key:
    expression: ColumnElement[Any]
    descending: bool
    nullable: bool
    # The record's attribute holding the same value (built-ins); else it is selected.
    attribute: str | None = None


def _side_column(field: FieldDef) -> str:
    return "number_value" if field.type in ("number", "currency") else "text_value"


def _json_kind(field: FieldDef) -> str:
    return {"number": "number", "boolean": "boolean"}.get(field.type, "string")


def _member(field: FieldDef) -> ColumnElement[Any]:
    """The field's value inside the record's JSON document (NULL when absent)."""
    return json_member(RECORDS.c.field_values, field.id, _json_kind(field))


def _side_row(field: FieldDef, name: str) -> tuple[Any, ColumnElement[bool]]:
    """An alias (`name`) of the side index and the condition joining a record's (single)
    value row."""
    value = alias("record_values", name)
    on = and_(
        value.c.record_id == RECORDS.c.id, value.c.field_id == field.id, value.c.position == 0
    )
    return value, on


def _keys(
    stmt: Select[Any], terms: list[SortTerm], id_column: ColumnElement[Any]
) -> tuple[Select[Any], list[_Key]]:
    """Sort keys of `terms` (the object's records as `stmt`), joining side rows as needed."""
    keys: list[_Key] = []
    for position, term in enumerate(terms):
        if term.field is None:
            column = id_column if term.name == "id" else RECORDS.c[term.name]
            keys.append(_Key(column, term.descending, False, term.name))
        elif term.field.side_indexed:
            value, on = _side_row(term.field, f"sort{position}")
            stmt = stmt.outerjoin(value, on)
            column = value.c[_side_column(term.field)]
            keys.append(_Key(column, term.descending, True))
        else:
            member = _member(term.field)
            keys.append(_Key(member, term.descending, True))
    return stmt, keys


def _after(keys: list[_Key], values: list[Any]) -> ColumnElement[bool]:
    """Rows strictly after `values` in the order of `keys` (nulls last in both directions).

    A non-null first key is also bounded on its own (`>=` / `<=`), which lets the databases
    seek the index instead of reading it from its start."""
    # Explicit binds: a boolean is compared as a value, and a column's type still applies.
    bound = [
        bindparam(None, v, type_=key.expression.type) for key, v in zip(keys, values, strict=True)
    ]
    clauses: list[ColumnElement[bool]] = []
    for i, key in enumerate(keys):
        if values[i] is None:
            continue  # nothing is after a null but the rows that tie with it
        equal = [
            keys[j].expression.is_(None) if values[j] is None else keys[j].expression == bound[j]
            for j in range(i)
        ]
        step = key.expression < bound[i] if key.descending else key.expression > bound[i]
        if key.nullable:
            step = or_(step, key.expression.is_(None))
        clauses.append(and_(*equal, step))
    condition = or_(false(), *clauses)
    first = keys[0]
    if values[0] is not None and not first.nullable:
        seek = first.expression <= bound[0] if first.descending else first.expression >= bound[0]
        condition = and_(seek, condition)
    return condition


def _fetch(
    tx: Session, stmt: Select[Any], keys: list[_Key], after: list[Any] | None, limit: int
) -> list[tuple[RecordRow, list[Any]]]:
    selected = [key for key in keys if key.attribute is None]
    query = stmt.add_columns(*(key.expression.label(f"sort_{i}") for i, key in enumerate(selected)))
    if after is not None:
        query = query.where(_after(keys, after))
    order: list[ColumnElement[Any]] = []
    for key in keys:
        if key.nullable:
            order.append(key.expression.is_(None))
        order.append(key.expression.desc() if key.descending else key.expression.asc())
    out: list[tuple[RecordRow, list[Any]]] = []
    for row in tx.execute(query.order_by(*order).limit(limit)):
        record, others = row[0], iter(row[1:])
        values = [
            next(others) if key.attribute is None else getattr(record, key.attribute)
            for key in keys
        ]
        out.append((record, values))
    return out


def fingerprint(filter_text: str | None, terms: list[SortTerm]) -> str:
    """What a page token is bound to: the filter and the order."""
    payload = json.dumps(["records", filter_text or "", [(t.name, t.descending) for t in terms]])
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def records_page(
    tx: Session,
    stmt: Select[Any],
    condition: ColumnElement[bool] | None,
    drivers: Drivers,
    terms: list[SortTerm],
    params: ListParams,
) -> Page[RecordRow]:
    """One page of `stmt` (the caller's records of one object, `select(RecordRow)`) matching
    `condition`, in the order of `terms` (from `parse_order`, ending with `id`)."""
    bound_to = fingerprint(params.filter, terms)
    after = params.codec.decode(params.page_token, bound_to) if params.page_token else None
    if after is not None and len(after) == 1 and isinstance(after[0], list):
        after = _values_of(tx, str(after[0][-1]), terms)
    if after is not None and len(after) != len(terms):
        raise BadRequest(
            "page_token was made for another order_by",
            errors=[FieldError("query.page_token", "page_token does not fit this order_by")],
        )
    total = None
    if params.include_total:
        counted = stmt if condition is None else stmt.where(condition)
        total = tx.execute(select(func.count()).select_from(counted.subquery())).scalar_one()
    wanted = params.page_size + 1
    first = terms[0]
    found: list[tuple[RecordRow, list[Any]]] = []
    if first.field is None:
        driver, rest = (None, condition)
        if (
            first.name == "create_time"
            and len(terms) == 2
            and (terms[1].descending == first.descending)
        ):
            driver, rest = drivers.pick(condition)
        if driver is not None:
            # Read in the side index's order: (field, value, create_time, record_id).
            driving = alias("record_values", "drive")
            value = driving.c
            driven = stmt.join(driving, value.record_id == RECORDS.c.id).where(
                value.field_id == driver.field_id, value[driver.column] == driver.value
            )
            if rest is not None:
                driven = driven.where(rest)
            keys = [
                _Key(value.create_time, first.descending, False, "create_time"),
                _Key(value.record_id, first.descending, False, "id"),
            ]
            found = _fetch(tx, driven, keys, after, wanted)
        else:
            plain = stmt if condition is None else stmt.where(condition)
            plain, keys = _keys(plain, terms, RECORDS.c.id)
            found = _fetch(tx, plain, keys, after, wanted)
    else:
        found = _by_field(tx, stmt, condition, first.field, terms, after, wanted)
    next_token = None
    if len(found) > params.page_size:
        found = found[: params.page_size]
        last, values = found[-1]
        if len(json.dumps([v for v in values if isinstance(v, str)])) > MAX_TOKEN_TEXT:
            # Long texts would not fit a page token: it names the record, whose sort values
            # the next page reads again.
            values = [["after", last.id]]
        next_token = params.codec.encode(values, bound_to)
    return Page([row for row, _ in found], next_token, total)


def _values_of(tx: Session, record_id: str, terms: list[SortTerm]) -> list[Any]:
    """The sort values of record `record_id` (a page token naming the last record)."""
    stmt, keys = _keys(select(RecordRow).where(RECORDS.c.id == record_id), terms, RECORDS.c.id)
    found = _fetch(tx, stmt, keys, None, 1)
    if not found:
        raise BadRequest(
            "page_token names a record that no longer exists",
            errors=[FieldError("query.page_token", "the page's last record is gone")],
        )
    return found[0][1]


def _by_field(
    tx: Session,
    stmt: Select[Any],
    condition: ColumnElement[bool] | None,
    field: FieldDef,
    terms: list[SortTerm],
    after: list[Any] | None,
    wanted: int,
) -> list[tuple[RecordRow, list[Any]]]:
    """Records with a value of `field` (the first term) in its order, then those without."""
    if condition is not None:
        stmt = stmt.where(condition)
    first, rest = terms[0], terms[1:]
    found: list[tuple[RecordRow, list[Any]]] = []
    if after is None or after[0] is not None:
        if field.side_indexed:
            value, on = _side_row(field, "lead")
            column = value.c[_side_column(field)]
            valued = stmt.select_from(_LeadJoin(value, RECORDS, on))
            first_key = _Key(column, first.descending, False)
            valued, keys = _keys(valued, rest, value.c.record_id)
        else:
            member = _member(field)
            valued = stmt.where(member.is_not(None))
            first_key = _Key(member, first.descending, False)
            valued, keys = _keys(valued, rest, RECORDS.c.id)
        found = _fetch(tx, valued, [first_key, *keys], after, wanted)
        if len(found) >= wanted:
            return found
        after = None
    if field.side_indexed:
        value, on = _side_row(field, "lead_missing")
        missing = stmt.where(~exists().where(on))
    else:
        member = _member(field)
        missing = stmt.where(member.is_(None))
    missing, keys = _keys(missing, rest, RECORDS.c.id)
    tail = _fetch(tx, missing, keys, None if after is None else after[1:], wanted - len(found))
    return found + [(row, [None, *values]) for row, values in tail]
