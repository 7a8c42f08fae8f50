"""Filters over record values: an object's fields as a `FilterSpec` of the AIP-160 parser.

A field kept in the side index (indexed, unique, or of a list-like type) filters through
`record_values` (``records.id IN (SELECT record_id FROM record_values WHERE field_id = …
AND text_value = …)``), which both databases answer from the (field_id, value) indexes.
Any other field compares the member of the `field_values` JSON document in place.
A relation field `owner` also offers `owner.<field>` for every field of the related
object (depth 1): records whose related record matches.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, String, select, true, type_coerce
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import aliased
from sqlalchemy.types import TypeDecorator

from kanri.core.filtering import FieldType, FilterField, FilterSpec, Through, json_member
from kanri.records.fields import FieldDef, canonical_datetime
from kanri.records.models import RecordRow, RecordValueRow

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


def _side_through(records: Any, field_id: str, value: Any) -> Through:
    def through(condition: ColumnElement[bool] | None) -> ColumnElement[bool]:
        matching = select(value.record_id).where(
            value.field_id == field_id, true() if condition is None else condition
        )
        in_: ColumnElement[bool] = records.id.in_(matching)
        return in_

    return through


def _field_filters(records: Any, field: FieldDef) -> dict[str, FilterField]:
    """The filter fields of one object field, against `records` (the table or an alias)."""
    if field.type == "json":
        return {}
    if field.side_indexed:
        value = aliased(RecordValueRow)
        through = _side_through(records, field.id, value)
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
    records: Any, relation: FieldDef, target_fields: list[FieldDef]
) -> dict[str, FilterField]:
    """`relation.<field>` filters: records whose related (live) record matches."""
    target = aliased(RecordRow)
    link = aliased(RecordValueRow)
    inner: dict[str, FilterField] = _builtin(target)
    for definition in target_fields:
        inner.update(_field_filters(target, definition))
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
    fields: list[FieldDef], related: dict[str, list[FieldDef]], *, deleted: bool = False
) -> FilterSpec:
    """The FilterSpec of an object's records: built-in fields, every field, relation paths
    (`related` maps a relation field's id to the related object's fields)."""
    spec: dict[str, FilterField] = _builtin(RecordRow)
    if deleted:
        spec["deleted_time"] = FilterField(RecordRow.deleted_time, "timestamp", sortable=False)
    for field in fields:
        spec.update(_field_filters(RecordRow, field))
    for field in fields:
        if field.type == "relation" and field.id in related:
            spec.update(_related(RecordRow, field, related[field.id]))
    return FilterSpec(spec, max_length=MAX_FILTER_LENGTH, max_terms=100)


def live(stmt: Select[Any], show_deleted: bool) -> Select[Any]:
    """`stmt` without deleted records unless asked."""
    return stmt if show_deleted else stmt.where(RecordRow.deleted_time.is_(None))
