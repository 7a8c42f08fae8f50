"""AIP-160 ``filter`` and AIP-132 ``order_by`` compiled to SQLAlchemy expressions.

A resource declares which fields a client may filter and sort on with a `FilterSpec`;
`FilterSpec.compile` turns the client's filter text into a `WHERE` expression and
`FilterSpec.order_by` turns the sort text into `OrderTerm`s. Every problem with the
client's text is a `BadRequest` whose single `FieldError` is on ``filter`` or ``order_by``
and names the offending field and/or the 1-based character position.

Grammar (AIP-160): comparisons ``field OP value`` with OP one of ``= != < <= > >=`` and ``:``
(has); ``AND``; ``OR`` (binds tighter than ``AND``, so ``a=1 OR b=2 AND c=3`` is
``(a=1 OR b=2) AND c=3``); ``NOT x`` and ``-x``; parentheses; juxtaposition means ``AND``.
Values are double- or single-quoted strings with backslash escapes, numbers, ``true`` /
``false``, ``null`` and bare words (strings). Keywords are upper case, as in AIP-160.

Semantics, by field type:

* ``string``: ``=`` is exact and case-sensitive on every database. An unescaped ``*`` in the
  value makes ``=`` a wildcard match (``name = "prod*"``) and ``!=`` its negation; write
  ``\\*`` inside quotes for a literal star. ``<`` etc. compare lexicographically (in the
  database's collation). ``:`` on a scalar means the same as ``=`` (AIP-160 "has" on a
  non-repeated field), so ``name:*`` selects rows where ``name`` is set.
* ``number`` / ``integer``: the value must be numeric; ``integer`` rejects ``1.5``.
* ``boolean``: ``true`` or ``false`` only, with ``=``, ``!=`` or ``:``.
* ``timestamp``: an RFC 3339 string with a UTC offset (``"2026-01-01T00:00:00Z"``), compared
  as an aware UTC datetime (made naive UTC for a ``DateTime`` column without time zone).
* ``map`` (JSON object of scalars): ``labels:team`` is true when key ``team`` is present with
  a non-null value; ``labels.team = null`` when it is not. ``labels.team = "ops"`` compares a
  JSON string; a bare number or ``true``/``false`` compares the JSON number/boolean, and with
  ``=``/``!=`` also matches the same text stored as a JSON string (``labels.n = 7`` matches
  ``{"n": "7"}``); ``<``/``>`` with a number compare JSON numbers only. A member of another
  JSON type than the value never matches, so a query can never fail on a bad cast.
* ``list`` (JSON array of strings): only ``tags:"vip"`` (the array contains ``"vip"``).
* ``null``: ``field = null`` is ``IS NULL``, ``field != null`` is ``IS NOT NULL``.

Negation is null-safe: ``!=``, ``NOT`` and ``-`` select rows whose value is missing, i.e. a
row matches ``NOT x`` exactly when it does not match ``x``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Literal

from lark import Lark, Token, Tree
from lark.exceptions import (
    LarkError,
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
)
from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.compiler import SQLCompiler, StrSQLCompiler
from sqlalchemy.sql.elements import BindParameter, ColumnElement, Grouping
from sqlalchemy.sql.type_api import TypeEngine
from sqlalchemy.sql.visitors import InternalTraversal

from kanri.core.errors import BadRequest, FieldError

__all__ = ["FieldType", "FilterField", "FilterSpec", "OrderTerm", "Through", "json_member"]

FieldType = Literal["string", "number", "integer", "boolean", "timestamp", "map", "list"]


Through = Callable[[ColumnElement[bool] | None], ColumnElement[bool]]


class FilterField:
    """A field clients may filter on (and sort on, when `sortable` and not a map or list).

    `through`, for a value kept in another table (a side index, a related row), turns a
    condition on `column` into a condition on the resource: ``through(cond)`` selects the
    resources with a value matching `cond`, ``through(None)`` those with any value. Such a
    field is not sortable; ``!=`` and ``= null`` are the negations of ``=`` and ``!= null``.
    """

    __slots__ = ("column", "sortable", "through", "type")

    def __init__(
        self,
        column: ColumnElement[Any] | QueryableAttribute[Any],
        type: FieldType = "string",
        sortable: bool = True,
        through: Through | None = None,
    ) -> None:
        # A mapped attribute (`EnvironmentRow.name`) is stored as its column expression.
        self.column: ColumnElement[Any] = (
            column.expression if isinstance(column, QueryableAttribute) else column
        )
        self.type: FieldType = type
        self.sortable = sortable and through is None
        self.through = through


@dataclass(frozen=True)
class OrderTerm:
    """One parsed ``order_by`` term."""

    name: str
    column: ColumnElement[Any]
    descending: bool


# The parser is built once; LALR keeps parsing linear and iterative (no recursion limit).
# FIELD and BARE refuse the keywords so that `a = AND` is reported as a misplaced AND.
_GRAMMAR: Final = r"""
?start: conj

?conj: seq (_AND seq)*
?seq: factor+
?factor: term (_OR term)*
?term: _NOT term          -> negation
     | "-" term           -> negation
     | "(" conj ")"       -> group
     | restriction

restriction: FIELD COMPARATOR (STRING | BARE)

_AND: "AND"
_OR: "OR"
_NOT: "NOT"
FIELD: /(?!(?:AND|OR|NOT)\b)[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_-]+)*/
COMPARATOR: "<=" | ">=" | "!=" | "=" | "<" | ">" | ":"
STRING: /"(?:[^"\\]|\\[\s\S])*"/ | /'(?:[^'\\]|\\[\s\S])*'/
BARE: /(?!(?:AND|OR|NOT)(?![^\s()"'=<>!:]))[^\s()"'=<>!:]+/

%import common.WS
%ignore WS
"""

_PARSER: Final = Lark(_GRAMMAR, parser="lalr", lexer="contextual")

# How lark's terminal names read in an error message.
_TERMINAL_NAMES: Final = {
    "FIELD": "a field name",
    "COMPARATOR": "a comparison operator",
    "STRING": "a value",
    "BARE": "a value",
    "LPAR": "'('",
    "RPAR": "')'",
    "MINUS": "'-'",
    "_AND": "AND",
    "_OR": "OR",
    "_NOT": "NOT",
    "$END": "end of filter",
}

_FIELD_NAME = re.compile(r"(?!(?:AND|OR|NOT)$)[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*")
_MAP_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")
_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
_INTEGER = re.compile(r"[-+]?\d+")
_ESCAPES: Final = {"n": "\n", "t": "\t", "r": "\r"}
_EQUALITY: Final = frozenset({"=", "!=", ":"})
_INT64_MIN: Final = -(2**63)
_INT64_MAX: Final = 2**63 - 1
_SCALAR_TYPES: Final = frozenset({"string", "number", "integer", "boolean", "timestamp"})


def _filter_error(message: str) -> BadRequest:
    return BadRequest(f"invalid filter: {message}", errors=[FieldError("filter", message)])


def _order_error(message: str) -> BadRequest:
    return BadRequest(f"invalid order_by: {message}", errors=[FieldError("order_by", message)])


@dataclass(frozen=True)
class _Value:
    """A comparison's right-hand side as the client wrote it."""

    text: str  # unescaped
    quoted: bool
    parts: tuple[str, ...]  # `text` split at unescaped `*`; more than one part = wildcard
    pos: int

    @property
    def is_null(self) -> bool:
        return not self.quoted and self.text == "null"

    @property
    def wildcard(self) -> bool:
        return len(self.parts) > 1

    @classmethod
    def from_token(cls, token: Token) -> _Value:
        raw = str(token)
        pos = _pos(token)
        if token.type == "BARE":
            return cls(raw, False, tuple(raw.split("*")), pos)
        text: list[str] = []
        parts: list[str] = []
        current: list[str] = []
        body = iter(raw[1:-1])
        for ch in body:
            if ch == "\\":
                # The STRING terminal guarantees a character follows every backslash.
                escaped = next(body)
                ch = _ESCAPES.get(escaped, escaped)
                text.append(ch)
                current.append(ch)
            elif ch == "*":
                text.append(ch)
                parts.append("".join(current))
                current = []
            else:
                text.append(ch)
                current.append(ch)
        parts.append("".join(current))
        return cls("".join(text), True, tuple(parts), pos)


def _pos(token: Token) -> int:
    return (token.start_pos or 0) + 1


# --- SQL constructs whose rendering differs between SQLite and PostgreSQL -----------------
#
# They are picked at statement-compile time via @compiles, so FilterSpec.compile needs no
# dialect. Every attribute that changes the SQL is in `_traverse_internals`, which makes
# them part of SQLAlchemy's statement cache key (user values stay bound parameters).
# Boolean ones render parenthesised because SQLAlchemy cannot know their precedence.


class _JsonMember(ColumnElement[Any]):
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


class _JsonContains(ColumnElement[bool]):
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


class _Wildcard(ColumnElement[bool]):
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


@compiles(_JsonMember)
def _json_member_default(element: _JsonMember, compiler: SQLCompiler, **kw: Any) -> str:
    _require_known_dialect(compiler, "map")
    return _json_member_pg(element, compiler, **kw)


@compiles(_JsonMember, "postgresql")
def _json_member_pg(element: _JsonMember, compiler: SQLCompiler, **kw: Any) -> str:
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


@compiles(_JsonMember, "sqlite")
def _json_member_sqlite(element: _JsonMember, compiler: SQLCompiler, **kw: Any) -> str:
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


@compiles(_JsonContains)
def _json_contains_default(element: _JsonContains, compiler: SQLCompiler, **kw: Any) -> str:
    _require_known_dialect(compiler, "list")
    return _json_contains_pg(element, compiler, **kw)


@compiles(_JsonContains, "postgresql")
def _json_contains_pg(element: _JsonContains, compiler: SQLCompiler, **kw: Any) -> str:
    # Same as `col::jsonb @> '["vip"]'`, but the value stays one plain bound string.
    needle = func.jsonb_build_array(cast(element.value, String()))
    return compiler.process(Grouping(_pg_jsonb(element.column).op("@>")(needle)), **kw)


@compiles(_JsonContains, "sqlite")
def _json_contains_sqlite(element: _JsonContains, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    value = compiler.process(element.value, **kw)
    # Both parts are SQL rendered by the compiler (the value is a bound parameter).
    return f"EXISTS (SELECT 1 FROM json_each({column}) WHERE json_each.value = {value})"  # noqa: S608


@compiles(_Wildcard)
def _wildcard_default(element: _Wildcard, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(Grouping(element.column.like(element.like_pattern, escape="/")), **kw)


@compiles(_Wildcard, "sqlite")
def _wildcard_sqlite(element: _Wildcard, compiler: SQLCompiler, **kw: Any) -> str:
    glob = element.column.op("GLOB", is_comparison=True)(element.glob_pattern)
    return compiler.process(Grouping(glob), **kw)


def json_member(column: ColumnElement[Any], member: str, kind: str) -> ColumnElement[Any]:
    """Member `member` of JSON object `column` when its JSON type is `kind` (``string``,
    ``number``, ``boolean``), else NULL; with ``any``, its JSON type name (NULL when absent)."""
    return _JsonMember(column, member, kind)


# --- comparison helpers ------------------------------------------------------------------


def _compare(column: ColumnElement[Any], op: str, value: Any) -> ColumnElement[bool]:
    result: ColumnElement[bool]
    if op in ("=", ":"):
        result = column == value
    elif op == "!=":
        result = column.is_distinct_from(value)
    elif op == "<":
        result = column < value
    elif op == "<=":
        result = column <= value
    elif op == ">":
        result = column > value
    else:
        result = column >= value
    return result


def _negate(expr: ColumnElement[bool]) -> ColumnElement[bool]:
    # `IS NOT TRUE` rather than NOT: a NULL (unknown) match must count as "no match".
    return expr.is_not(true())


def _text_match(column: ColumnElement[Any], op: str, value: _Value) -> ColumnElement[bool]:
    if value.wildcard and op in _EQUALITY:
        match = _Wildcard(column, value.parts)
        return _negate(match) if op == "!=" else match
    return _compare(column, op, value.text)


class FilterSpec:
    """The fields of one resource that clients may filter and sort on, and the limits."""

    def __init__(
        self,
        fields: Mapping[str, FilterField],
        *,
        max_length: int = 2000,
        max_depth: int = 8,
        max_terms: int = 50,
    ) -> None:
        for name in fields:
            if not _FIELD_NAME.fullmatch(name):
                raise ValueError(f"invalid filter field name {name!r}")
        if min(max_length, max_depth, max_terms) < 1:
            raise ValueError("filter limits must be positive")
        self._fields = dict(fields)
        self.max_length = max_length
        self.max_depth = max_depth
        self.max_terms = max_terms

    @property
    def names(self) -> list[str]:
        """Filterable field names, in declaration order."""
        return list(self._fields)

    @property
    def _sortable(self) -> list[str]:
        return [
            name
            for name, field in self._fields.items()
            if field.sortable and field.type in _SCALAR_TYPES
        ]

    # --- filter --------------------------------------------------------------------------

    def compile(self, text: str | None) -> ColumnElement[bool] | None:
        """Compile filter `text` to a WHERE expression; None when there is no filter.

        Raises `BadRequest` (field ``filter``) for syntax errors, unknown fields, values of
        the wrong type and filters beyond the length, depth or term limits.
        """
        if text is None or not text.strip():
            return None
        if len(text) > self.max_length:
            raise _filter_error(
                f"filter is {len(text)} characters long; the maximum length is {self.max_length}"
            )
        try:
            tree = _PARSER.parse(text)
        except UnexpectedInput as exc:
            raise _syntax_error(text, exc) from None
        except LarkError:
            raise _filter_error("syntax error") from None
        self._check_limits(tree)
        return self._build(tree)

    def _check_limits(self, tree: Tree[Token]) -> None:
        # Iterative, so a pathological nesting cannot hit Python's recursion limit.
        depth = terms = 0
        stack: list[tuple[Tree[Token], int]] = [(tree, 0)]
        while stack:
            node, level = stack.pop()
            if node.data == "restriction":
                terms += 1
                continue
            if node.data in ("group", "negation"):
                level += 1
                depth = max(depth, level)
            stack.extend((child, level) for child in node.children if isinstance(child, Tree))
        if depth > self.max_depth:
            raise _filter_error(
                f"filter nests {depth} levels deep (parentheses and NOT); "
                f"the maximum depth is {self.max_depth}"
            )
        if terms > self.max_terms:
            raise _filter_error(f"filter has {terms} comparisons; the maximum is {self.max_terms}")

    def _build(self, node: Tree[Token]) -> ColumnElement[bool]:
        children = [child for child in node.children if isinstance(child, Tree)]
        if node.data in ("conj", "seq"):
            return and_(*(self._build(child) for child in children))
        if node.data == "factor":
            return or_(*(self._build(child) for child in children))
        if node.data == "group":
            return self._build(children[0])
        if node.data == "negation":
            return _negate(self._build(children[0]))
        field_token, op_token, value_token = (
            child for child in node.children if isinstance(child, Token)
        )
        return self._restriction(field_token, str(op_token), _Value.from_token(value_token))

    def _restriction(self, field_token: Token, op: str, value: _Value) -> ColumnElement[bool]:
        path = str(field_token)
        pos = _pos(field_token)
        name, field, key = self._resolve(path, pos)
        if field.through is not None:
            return self._through(name, field, field.through, key, op, value, pos)
        return self._condition(name, field, key, op, value, pos)

    def _through(
        self,
        name: str,
        field: FilterField,
        through: Through,
        key: str | None,
        op: str,
        value: _Value,
        pos: int,
    ) -> ColumnElement[bool]:
        if value.is_null:
            if op == "!=":
                return through(None)
            if op in ("=", ":"):
                return _negate(through(None))
            raise _filter_error(f"field '{name}' at position {pos}: null works only with = and !=")
        if op == "!=":
            return _negate(through(self._condition(name, field, key, "=", value, pos)))
        return through(self._condition(name, field, key, op, value, pos))

    def _condition(
        self, name: str, field: FilterField, key: str | None, op: str, value: _Value, pos: int
    ) -> ColumnElement[bool]:
        if field.type == "map":
            return self._map(name, field.column, key, op, value, pos)
        if field.type == "list":
            return self._list(name, field.column, op, value, pos)
        if value.is_null:
            return self._null(name, field.column, op, pos)
        column = field.column
        if field.type == "string":
            return _text_match(column, op, value)
        if field.type in ("number", "integer"):
            return _compare(column, op, self._number(name, field.type, value))
        if field.type == "boolean":
            if op not in _EQUALITY or value.text not in ("true", "false"):
                raise _filter_error(
                    f"field '{name}' at position {pos} is a boolean: "
                    "use =, != or : with true or false"
                )
            return _compare(column, op, value.text == "true")
        return _compare(column, op, self._timestamp(name, column, value))

    def _resolve(self, path: str, pos: int) -> tuple[str, FilterField, str | None]:
        field = self._fields.get(path)
        if field is not None:
            return path, field, None
        name, _, key = path.partition(".")
        field = self._fields.get(name)
        if field is None:
            raise _filter_error(
                f"unknown field '{name}' at position {pos}; "
                f"filterable fields: {', '.join(self._fields)}"
            )
        if field.type != "map":
            raise _filter_error(
                f"field '{name}' at position {pos} is a {field.type} and has no member '{key}'"
            )
        return name, field, _map_key(name, key, pos)

    @staticmethod
    def _null(name: str, column: ColumnElement[Any], op: str, pos: int) -> ColumnElement[bool]:
        if op in ("=", ":"):
            return column.is_(None)
        if op == "!=":
            return column.is_not(None)
        raise _filter_error(f"field '{name}' at position {pos}: null works only with = and !=")

    @staticmethod
    def _number(name: str, kind: str, value: _Value) -> int | float:
        number: int | float
        if kind == "integer":
            if not _INTEGER.fullmatch(value.text):
                raise _filter_error(
                    f"field '{name}' is an integer; '{value.text}' at position {value.pos} is not"
                )
            number = int(value.text)
        elif _NUMBER.fullmatch(value.text):
            number = int(value.text) if _INTEGER.fullmatch(value.text) else float(value.text)
        else:
            raise _filter_error(
                f"field '{name}' is a number; '{value.text}' at position {value.pos} is not"
            )
        # Both databases store 64-bit integers and finite doubles; beyond that is a 400, not a 500.
        out_of_range = (
            not _INT64_MIN <= number <= _INT64_MAX
            if isinstance(number, int)
            else not math.isfinite(number)
        )
        if out_of_range:
            raise _filter_error(
                f"field '{name}': '{value.text}' at position {value.pos} is out of range "
                "(64-bit integers, finite numbers)"
            )
        return number

    @staticmethod
    def _timestamp(name: str, column: ColumnElement[Any], value: _Value) -> datetime:
        raw = value.text
        if raw.endswith(("Z", "z")):
            raw = raw[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise _filter_error(
                f"field '{name}' is a timestamp; '{value.text}' at position {value.pos} is not "
                'an RFC 3339 timestamp with a UTC offset, e.g. "2026-01-01T00:00:00Z"'
            )
        try:
            moment = moment.astimezone(UTC)
        except OverflowError:
            moment = None
        if moment is None:
            raise _filter_error(
                f"field '{name}': '{value.text}' at position {value.pos} lies outside the "
                "years 0001-9999 in UTC"
            )
        if isinstance(column.type, DateTime) and not column.type.timezone:
            # Naive columns hold UTC by convention; asyncpg refuses aware values for them.
            moment = moment.replace(tzinfo=None)
        return moment

    @staticmethod
    def _map(
        name: str,
        column: ColumnElement[Any],
        key: str | None,
        op: str,
        value: _Value,
        pos: int,
    ) -> ColumnElement[bool]:
        if key is None:
            if op == ":" and not value.is_null:
                present = _JsonMember(column, _map_key(name, value.text, value.pos), "any")
                return present.is_not(None)
            raise _filter_error(
                f"map field '{name}' at position {pos} needs a key: "
                f"use {name}.<key> = value or {name}:<key>"
            )
        if value.is_null:
            return FilterSpec._null(f"{name}.{key}", _JsonMember(column, key, "any"), op, pos)
        text = value.text
        typed: tuple[str, Any] | None = None
        if not value.quoted and _NUMBER.fullmatch(text):
            typed = ("number", float(text))
        elif not value.quoted and text in ("true", "false"):
            if op not in _EQUALITY:
                raise _filter_error(
                    f"field '{name}.{key}' at position {pos}: true and false work only "
                    "with =, != and :"
                )
            typed = ("boolean", text == "true")
        if typed is None:
            return _text_match(_JsonMember(column, key, "string"), op, value)
        kind, scalar = typed
        if op not in _EQUALITY:
            return _compare(_JsonMember(column, key, kind), op, scalar)
        # A bare 7 also matches "7": label values are often strings that look like numbers.
        match = or_(
            _JsonMember(column, key, kind) == scalar,
            _JsonMember(column, key, "string") == text,
        )
        return _negate(match) if op == "!=" else match

    @staticmethod
    def _list(
        name: str, column: ColumnElement[Any], op: str, value: _Value, pos: int
    ) -> ColumnElement[bool]:
        if op != ":":
            raise _filter_error(
                f"list field '{name}' at position {pos} supports only ':' (contains), "
                f'e.g. {name}:"value"'
            )
        if value.is_null or value.wildcard:
            raise _filter_error(
                f"list field '{name}' at position {value.pos} needs a plain value, "
                "not null or a wildcard"
            )
        return _JsonContains(column, literal(value.text, String()))

    # --- order_by ------------------------------------------------------------------------

    def order_by(self, text: str | None, default: str) -> list[OrderTerm]:
        """Parse ``order_by`` text such as ``"create_time desc, name"``.

        Blank or None uses `default` (a server constant: if it is invalid that is a bug and
        raises ValueError). Unknown or unsortable fields, duplicate fields and directions
        other than ``asc``/``desc`` (any case) raise `BadRequest` on field ``order_by``.
        """
        if text is None or not text.strip():
            try:
                return self._parse_order(default)
            except BadRequest as exc:
                raise ValueError(f"invalid default order_by {default!r}: {exc.detail}") from exc
        if len(text) > self.max_length:
            raise _order_error(
                f"order_by is {len(text)} characters long; the maximum length is {self.max_length}"
            )
        return self._parse_order(text)

    def _parse_order(self, text: str) -> list[OrderTerm]:
        terms: list[OrderTerm] = []
        seen: set[str] = set()
        sortable = self._sortable
        offset = 0
        for part in text.split(","):
            start, offset = offset, offset + len(part) + 1
            words = [(m.group(), start + m.start() + 1) for m in re.finditer(r"\S+", part)]
            if not words:
                raise _order_error(f"empty sort term at position {start + 1}")
            (name, pos), *rest = words
            if rest and rest[0][0].lower() not in ("asc", "desc"):
                word, word_pos = rest[0]
                raise _order_error(
                    f"expected 'asc' or 'desc' after '{name}' at position {word_pos}, "
                    f"found '{word}'"
                )
            if len(rest) > 1:
                word, word_pos = rest[1]
                raise _order_error(
                    f"unexpected '{word}' at position {word_pos}; separate sort terms with commas"
                )
            field = self._fields.get(name)
            if field is None:
                raise _order_error(
                    f"unknown field '{name}' at position {pos}; "
                    f"sortable fields: {', '.join(sortable)}"
                )
            if name not in sortable:
                raise _order_error(
                    f"field '{name}' at position {pos} cannot be sorted on; "
                    f"sortable fields: {', '.join(sortable)}"
                )
            if name in seen:
                raise _order_error(f"field '{name}' at position {pos} appears more than once")
            seen.add(name)
            descending = bool(rest) and rest[0][0].lower() == "desc"
            terms.append(OrderTerm(name, field.column, descending))
        return terms


def _map_key(name: str, key: str, pos: int) -> str:
    if not _MAP_KEY.fullmatch(key):
        raise _filter_error(
            f"invalid key '{key}' for map field '{name}' at position {pos}; "
            "keys are 1-64 of A-Z a-z 0-9 _ -"
        )
    return key


def _syntax_error(text: str, exc: UnexpectedInput) -> BadRequest:
    end = len(text) + 1
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        if token.type == "$END":
            pos, found = end, "end of filter"
        else:
            pos, found = _pos(token), repr(str(token))
        expected = sorted({_TERMINAL_NAMES.get(name, name) for name in exc.expected})
        return _filter_error(
            f"syntax error at position {pos}: unexpected {found}; expected {' or '.join(expected)}"
        )
    if isinstance(exc, UnexpectedCharacters):
        index = exc.pos_in_stream or 0
        pos, char = index + 1, text[index]
        if char in "\"'":
            return _filter_error(f"syntax error at position {pos}: unterminated string")
        return _filter_error(f"syntax error at position {pos}: unexpected {char!r}")
    if isinstance(exc, UnexpectedEOF):
        return _filter_error(f"syntax error at position {end}: unexpected end of filter")
    return _filter_error("syntax error")
