"""The SQL constructs of AIP-160 filters whose rendering differs between SQLite and
PostgreSQL: a typed member of a JSON object, a JSON array containing a string, and a
case-sensitive wildcard match.

They are picked at statement-compile time via @compiles, so FilterSpec.compile needs no
dialect. Every attribute that changes the SQL is in `_traverse_internals`, which makes
them part of SQLAlchemy's statement cache key (user values stay bound parameters).
Boolean ones render parenthesised because SQLAlchemy cannot know their precedence.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Boolean, Float, String, case, cast, func, literal, literal_column
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler, StrSQLCompiler
from sqlalchemy.sql.elements import BindParameter, ColumnElement, Grouping
from sqlalchemy.sql.type_api import TypeEngine
from sqlalchemy.sql.visitors import InternalTraversal

__all__ = ["JsonContains", "JsonMember", "Wildcard", "json_member"]


class JsonMember(ColumnElement[Any]):
    """Member `member` of JSON object `column` when it has JSON kind `kind`, else NULL.

    Kind ``any`` yields the JSON type name, NULL when the member is absent or JSON null.
    """

    inherit_cache = True
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("member", InternalTraversal.dp_string),
        ("kind", InternalTraversal.dp_string),
    ]

    def __init__(self, column: ColumnElement[Any], member: str, kind: str) -> None:
        self.column = column
        self.member = member
        self.kind = kind
        types: dict[str, TypeEngine[Any]] = {"number": Float(), "boolean": Boolean()}
        self.type = types.get(kind, String())

    @property
    def _from_objects(self) -> list[Any]:
        return self.column._from_objects


class JsonContains(ColumnElement[bool]):
    """True when JSON array `column` contains the string `value`."""

    inherit_cache = True
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("value", InternalTraversal.dp_clauseelement),
    ]
    type = Boolean()

    def __init__(self, column: ColumnElement[Any], value: BindParameter[str]) -> None:
        self.column = column
        self.value = value

    @property
    def _from_objects(self) -> list[Any]:
        return self.column._from_objects


class Wildcard(ColumnElement[bool]):
    """Case-sensitive wildcard match: LIKE on PostgreSQL, GLOB on SQLite (whose LIKE is not)."""

    inherit_cache = True
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("like_pattern", InternalTraversal.dp_clauseelement),
        ("glob_pattern", InternalTraversal.dp_clauseelement),
    ]
    type = Boolean()

    def __init__(self, column: ColumnElement[Any], parts: tuple[str, ...]) -> None:
        self.column = column
        self.like_pattern = literal("%".join(_like_escape(p) for p in parts), String())
        self.glob_pattern = literal("*".join(_glob_escape(p) for p in parts), String())

    @property
    def _from_objects(self) -> list[Any]:
        return self.column._from_objects


def _like_escape(text: str) -> str:
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def _require_known_dialect(compiler: SQLCompiler, what: str) -> None:
    # Other dialects fail loudly; str(statement) (the string compiler) shows the PostgreSQL
    # form so that logging a statement never breaks.
    if not isinstance(compiler, StrSQLCompiler):
        raise CompileError(f"{what} filters support only SQLite and PostgreSQL")


def _pg_jsonb(column: ColumnElement[Any]) -> ColumnElement[Any]:
    return column if isinstance(column.type, JSONB) else cast(column, JSONB)


@compiles(JsonMember)
def _json_member_default(element: JsonMember, compiler: SQLCompiler, **kw: Any) -> str:
    _require_known_dialect(compiler, "map")
    return _json_member_pg(element, compiler, **kw)


@compiles(JsonMember, "postgresql")
def _json_member_pg(element: JsonMember, compiler: SQLCompiler, **kw: Any) -> str:
    doc = _pg_jsonb(element.column)
    key = literal(element.member, String())
    jtype = func.jsonb_typeof(doc.op("->")(key))
    as_text = doc.op("->>")(key)
    expr: ColumnElement[Any]
    if element.kind == "any":
        expr = func.nullif(jtype, literal_column("'null'"))
    elif element.kind == "number":
        expr = case((jtype == literal_column("'number'"), cast(as_text, Float())))
    elif element.kind == "boolean":
        expr = case((jtype == literal_column("'boolean'"), cast(as_text, Boolean())))
    else:
        expr = case((jtype == literal_column("'string'"), as_text))
    return compiler.process(expr, **kw)


@compiles(JsonMember, "sqlite")
def _json_member_sqlite(element: JsonMember, compiler: SQLCompiler, **kw: Any) -> str:
    path = literal(f'$."{element.member}"', String())
    jtype = func.json_type(element.column, path)
    expr: ColumnElement[Any]
    if element.kind == "any":
        expr = func.nullif(jtype, literal_column("'null'"))
    else:
        # json_extract yields SQLite's native value: TEXT, INTEGER/REAL, or 1/0 for booleans.
        types = {"number": "('integer', 'real')", "boolean": "('true', 'false')"}
        wanted: ColumnElement[Any] = literal_column(types.get(element.kind, "('text')"))
        expr = case((jtype.op("IN")(wanted), func.json_extract(element.column, path)))
    return compiler.process(expr, **kw)


@compiles(JsonContains)
def _json_contains_default(element: JsonContains, compiler: SQLCompiler, **kw: Any) -> str:
    _require_known_dialect(compiler, "list")
    return _json_contains_pg(element, compiler, **kw)


@compiles(JsonContains, "postgresql")
def _json_contains_pg(element: JsonContains, compiler: SQLCompiler, **kw: Any) -> str:
    # Same as `col::jsonb @> '["vip"]'`, but the value stays one plain bound string.
    needle = func.jsonb_build_array(cast(element.value, String()))
    return compiler.process(Grouping(_pg_jsonb(element.column).op("@>")(needle)), **kw)


@compiles(JsonContains, "sqlite")
def _json_contains_sqlite(element: JsonContains, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    value = compiler.process(element.value, **kw)
    # Both parts are SQL rendered by the compiler (the value is a bound parameter).
    return f"EXISTS (SELECT 1 FROM json_each({column}) WHERE json_each.value = {value})"  # noqa: S608


@compiles(Wildcard)
def _wildcard_default(element: Wildcard, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(Grouping(element.column.like(element.like_pattern, escape="/")), **kw)


@compiles(Wildcard, "sqlite")
def _wildcard_sqlite(element: Wildcard, compiler: SQLCompiler, **kw: Any) -> str:
    glob = element.column.op("GLOB", is_comparison=True)(element.glob_pattern)
    return compiler.process(Grouping(glob), **kw)


def json_member(column: ColumnElement[Any], member: str, kind: str) -> ColumnElement[Any]:
    """Member `member` of JSON object `column` when its JSON type is `kind` (``string``,
    ``number``, ``boolean``), else NULL; with ``any``, its JSON type name (NULL when absent)."""
    return JsonMember(column, member, kind)
