"""Filters over record values: an object's fields as a `FilterSpec` of the AIP-160 parser.

A field kept in the side index (indexed, unique, or of a list-like type) filters through
`record_values` (``records.id IN (SELECT record_id FROM record_values WHERE field_id = …
AND text_value = …)``), which both databases answer from the (field_id, value) indexes.
Any other field compares the member of the `field_values` JSON document in place.
A relation field `owner` also offers `owner.<field>` for every field of the related
object (depth 1): records whose related record matches.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, String, Table, and_, select, true, type_coerce
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression, BindParameter, BooleanClauseList, Grouping
from sqlalchemy.sql.selectable import NamedFromClause
from sqlalchemy.types import TypeDecorator

from kanri.core.filter_sql import json_member
from kanri.core.filtering import FieldType, FilterField, FilterSpec, Through
from kanri.records.fields import FieldDef, canonical_datetime
from kanri.records.models import RecordRow, RecordValueRow

# Core tables and aliases: cheaper to build expressions from than ORM aliases, per request.
RECORDS = cast(Table, RecordRow.__table__)
VALUES = cast(Table, RecordValueRow.__table__)


@functools.cache
def alias(table: str, name: str) -> NamedFromClause:
    """A named alias of `records` or `record_values`, made once per process: building an
    alias's columns costs more than the rest of a filter. A statement uses each name once
    per role (`v3`: the object's 4th field, `r0_v3`: a related object's, `sort1`: a sort
    key), so shared aliases never meet in one query as different rows."""
    return (RECORDS if table == "records" else VALUES).alias(name)


MAX_FILTER_LENGTH = 20_000


class _BooleanText(TypeDecorator[Any]):
    """A boolean compared with its side-index text form (`true` / `false`)."""

    impl = String()
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if isinstance(value, bool):
            return "true" if value else "false"
        return value


class _TimeText(TypeDecorator[Any]):
    """A datetime compared with its stored fixed-width UTC text form."""

    impl = String()
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if isinstance(value, datetime):
            return canonical_datetime(value)
        return value


def _typed(column: Any, kind: str) -> tuple[ColumnElement[Any], FieldType]:
    if kind == "boolean":
        return type_coerce(column, _BooleanText()), "boolean"
    if kind == "datetime":
        return type_coerce(column, _TimeText()), "timestamp"
    return column, "string"


@dataclass(frozen=True)
class Driver:
    """An equality on a side-indexed field that can drive a list: `column = value` rows of
    `field_id` in the side index, read in (create_time, record_id) order."""

    field_id: str
    column: str  # "text_value" or "number_value"
    value: BindParameter[Any]


class Drivers:
    """The side-index equalities a compiled filter contains, by the expression each became."""

    def __init__(self) -> None:
        self._by_expression: dict[int, tuple[ColumnElement[bool], Driver]] = {}

    def add(self, expression: ColumnElement[bool], driver: Driver) -> None:
        self._by_expression[id(expression)] = (expression, driver)

    def pick(self, condition: ColumnElement[bool] | None) -> tuple[Driver | None, Any]:
        """A driver among the top-level AND terms of `condition`, and the condition without it
        (None when nothing else is left)."""
        if condition is None:
            return None, None
        terms = _conjuncts(condition)
        for position, term in enumerate(terms):
            found = self._by_expression.get(id(term))
            if found is not None and found[0] is term:
                rest = terms[:position] + terms[position + 1 :]
                return found[1], and_(*rest) if rest else None
        return None, condition


def _conjuncts(condition: ColumnElement[Any]) -> list[ColumnElement[Any]]:
    if isinstance(condition, Grouping):
        return _conjuncts(cast(ColumnElement[Any], condition.element))
    if isinstance(condition, BooleanClauseList) and condition.operator is operators.and_:
        return [term for clause in condition.clauses for term in _conjuncts(clause)]
    return [condition]


def _column_name(expression: Any) -> str | None:
    while expression is not None and not isinstance(getattr(expression, "key", None), str):
        expression = getattr(expression, "clause", None)  # a type_coerce wrapper
    key = getattr(expression, "key", None)
    return key if key in ("text_value", "number_value") else None


def _side_through(records: Any, field_id: str, value: Any, drivers: Drivers | None) -> Through:
    def through(condition: ColumnElement[bool] | None) -> ColumnElement[bool]:
        matching = select(value.record_id).where(
            value.field_id == field_id, true() if condition is None else condition
        )
        in_: ColumnElement[bool] = records.id.in_(matching)
        if (
            drivers is not None
            and isinstance(condition, BinaryExpression)
            and condition.operator is operators.eq
            and isinstance(condition.right, BindParameter)
        ):
            column = _column_name(condition.left)
            if column is not None:
                drivers.add(in_, Driver(field_id, column, condition.right))
        return in_

    return through


def _field_filters(
    records: Any, field: FieldDef, value_alias: str, drivers: Drivers | None = None
) -> dict[str, FilterField]:
    """The filter fields of one object field, against `records` (the table or an alias);
    `value_alias` names the side index alias its conditions read."""
    if field.type == "json":
        return {}
    if field.side_indexed:
        value = alias("record_values", value_alias).c
        through = _side_through(records, field.id, value, drivers)
        if field.type in ("number", "currency"):
            out = {field.slug: FilterField(value.number_value, "number", through=through)}
            if field.type == "currency":
                out[f"{field.slug}.currency"] = FilterField(value.text_value, through=through)
            return out
        column, kind = _typed(value.text_value, field.type)
        return {field.slug: FilterField(column, kind, through=through)}
    document = records.field_values
    if field.type == "number":
        return {field.slug: FilterField(json_member(document, field.id, "number"), "number", False)}
    if field.type == "boolean":
        member = json_member(document, field.id, "boolean")
        return {field.slug: FilterField(member, "boolean", False)}
    column, kind = _typed(json_member(document, field.id, "string"), field.type)
    return {field.slug: FilterField(column, kind, False)}


def _builtin(records: Any) -> dict[str, FilterField]:
    return {
        "id": FilterField(records.id),
        "create_time": FilterField(records.create_time, "timestamp"),
        "update_time": FilterField(records.update_time, "timestamp"),
    }


def _related(
    records: Any, relation: FieldDef, target_fields: list[FieldDef], number: int
) -> dict[str, FilterField]:
    """`relation.<field>` filters: records whose related (live) record matches."""
    target = alias("records", f"r{number}_record").c
    link = alias("record_values", f"r{number}_link").c
    inner: dict[str, FilterField] = _builtin(target)
    for position, definition in enumerate(target_fields):
        inner.update(_field_filters(target, definition, f"r{number}_v{position}"))
    out: dict[str, FilterField] = {}
    for name, field in inner.items():
        out[f"{relation.slug}.{name}"] = FilterField(
            field.column, field.type, through=_path_through(records, relation, target, link, field)
        )
    return out


def _path_through(
    records: Any, relation: FieldDef, target: Any, link: Any, field: FilterField
) -> Through:
    def through(condition: ColumnElement[bool] | None) -> ColumnElement[bool]:
        if field.through is not None:
            matched = field.through(condition)
        else:
            matched = field.column.is_not(None) if condition is None else condition
        targets = select(target.id).where(
            target.object_id == relation.relation_object_id,
            target.deleted_time.is_(None),
            matched,
        )
        linked = select(link.record_id).where(
            link.field_id == relation.id, link.text_value.in_(targets)
        )
        in_: ColumnElement[bool] = records.id.in_(linked)
        return in_

    return through


def record_filters(
    fields: list[FieldDef],
    related: dict[str, list[FieldDef]],
    *,
    deleted: bool = False,
    drivers: Drivers | None = None,
) -> FilterSpec:
    """The FilterSpec of an object's records: built-in fields, every field, relation paths
    (`related` maps a relation field's id to the related object's fields). With `drivers`,
    compiling a filter notes its equalities on side-indexed fields there."""
    spec: dict[str, FilterField] = _builtin(RECORDS.c)
    if deleted:
        spec["deleted_time"] = FilterField(RECORDS.c.deleted_time, "timestamp", sortable=False)
    for position, field in enumerate(fields):
        spec.update(_field_filters(RECORDS.c, field, f"v{position}", drivers))
    for position, field in enumerate(fields):
        if field.type == "relation" and field.id in related:
            spec.update(_related(RECORDS.c, field, related[field.id], position))
    return FilterSpec(spec, max_length=MAX_FILTER_LENGTH, max_terms=100)


def live(stmt: Select[Any], show_deleted: bool) -> Select[Any]:
    """`stmt` without deleted records unless asked."""
    return stmt if show_deleted else stmt.where(RecordRow.deleted_time.is_(None))
