"""AIP-160 ``filter`` and AIP-132 ``order_by`` compiled to SQLAlchemy expressions.

A resource declares which fields a client may filter and sort on with a `FilterSpec`;
`FilterSpec.compile` turns the client's filter text into a `WHERE` expression and
`FilterSpec.order_by` turns the sort text into `OrderTerm`s. Every problem with the
client's text is a `BadRequest` whose single `FieldError` is on ``filter`` or ``order_by``
and names the offending field and/or the 1-based character position.

The grammar (comparisons, AND, OR, NOT, parentheses, values) is in `core.filter_grammar`.

Semantics, by field type:

* ``string``: ``=`` is exact and case-sensitive on every database. An unescaped ``*`` in the
  value makes ``=`` a wildcard match (``name = "prod*"``) and ``!=`` its negation; write
  ``\\*`` inside quotes for a literal star. ``<`` etc. compare lexicographically (in the
  database's collation). ``:`` on a scalar means the same as ``=`` (AIP-160 "has" on a
  non-repeated field), so ``name:*`` selects rows where ``name`` is set.
* ``text``: a ``string`` whose ``:`` is a substring match (``message:"timeout"``, case-
  sensitive; ``*`` inside the value still matches anything), for long free text.
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

from lark import Token, Tree
from lark.exceptions import LarkError, UnexpectedInput
from sqlalchemy import DateTime, String, and_, literal, or_, true
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.elements import ColumnElement

from kanri.core.errors import BadRequest, FieldError
from kanri.core.filter_grammar import PARSER, Value, filter_error, syntax_error, token_position
from kanri.core.filter_sql import JsonContains, JsonMember, Wildcard

__all__ = ["FieldType", "FilterField", "FilterSpec", "OrderTerm", "Through"]

FieldType = Literal["string", "text", "number", "integer", "boolean", "timestamp", "map", "list"]


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


_FIELD_NAME = re.compile(r"(?!(?:AND|OR|NOT)$)[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*")
_MAP_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")
_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
_INTEGER = re.compile(r"[-+]?\d+")
_EQUALITY: Final = frozenset({"=", "!=", ":"})
_INT64_MIN: Final = -(2**63)
_INT64_MAX: Final = 2**63 - 1
_SCALAR_TYPES: Final = frozenset({"string", "text", "number", "integer", "boolean", "timestamp"})


def _order_error(message: str) -> BadRequest:
    return BadRequest(f"invalid order_by: {message}", errors=[FieldError("order_by", message)])


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


def _text_match(column: ColumnElement[Any], op: str, value: Value) -> ColumnElement[bool]:
    if value.wildcard and op in _EQUALITY:
        match = Wildcard(column, value.parts)
        return _negate(match) if op == "!=" else match
    return _compare(column, op, value.text)


# The longest filter a resource takes unless its spec says otherwise; list endpoints'
# `filter` parameter declares it.
DEFAULT_MAX_FILTER_LENGTH = 2000


class FilterSpec:
    """The fields of one resource that clients may filter and sort on, and the limits."""

    def __init__(
        self,
        fields: Mapping[str, FilterField],
        *,
        max_length: int = DEFAULT_MAX_FILTER_LENGTH,
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
            raise filter_error(
                f"filter is {len(text)} characters long; the maximum length is {self.max_length}"
            )
        try:
            tree = PARSER.parse(text)
        except UnexpectedInput as exc:
            raise syntax_error(text, exc) from None
        except LarkError:
            raise filter_error("syntax error") from None
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
            raise filter_error(
                f"filter nests {depth} levels deep (parentheses and NOT); "
                f"the maximum depth is {self.max_depth}"
            )
        if terms > self.max_terms:
            raise filter_error(f"filter has {terms} comparisons; the maximum is {self.max_terms}")

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
        return self._restriction(field_token, str(op_token), Value.from_token(value_token))

    def _restriction(self, field_token: Token, op: str, value: Value) -> ColumnElement[bool]:
        path = str(field_token)
        pos = token_position(field_token)
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
        value: Value,
        pos: int,
    ) -> ColumnElement[bool]:
        if value.is_null:
            if op == "!=":
                return through(None)
            if op in ("=", ":"):
                return _negate(through(None))
            raise filter_error(f"field '{name}' at position {pos}: null works only with = and !=")
        if op == "!=":
            return _negate(through(self._condition(name, field, key, "=", value, pos)))
        return through(self._condition(name, field, key, op, value, pos))

    def _condition(
        self, name: str, field: FilterField, key: str | None, op: str, value: Value, pos: int
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
        if field.type == "text":
            if op == ":":
                return Wildcard(column, ("", *value.parts, ""))
            return _text_match(column, op, value)
        if field.type in ("number", "integer"):
            return _compare(column, op, self._number(name, field.type, value))
        if field.type == "boolean":
            if op not in _EQUALITY or value.text not in ("true", "false"):
                raise filter_error(
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
            raise filter_error(
                f"unknown field '{name}' at position {pos}; "
                f"filterable fields: {', '.join(self._fields)}"
            )
        if field.type != "map":
            raise filter_error(
                f"field '{name}' at position {pos} is a {field.type} and has no member '{key}'"
            )
        return name, field, _map_key(name, key, pos)

    @staticmethod
    def _null(name: str, column: ColumnElement[Any], op: str, pos: int) -> ColumnElement[bool]:
        if op in ("=", ":"):
            return column.is_(None)
        if op == "!=":
            return column.is_not(None)
        raise filter_error(f"field '{name}' at position {pos}: null works only with = and !=")

    @staticmethod
    def _number(name: str, kind: str, value: Value) -> int | float:
        number: int | float
        if kind == "integer":
            if not _INTEGER.fullmatch(value.text):
                raise filter_error(
                    f"field '{name}' is an integer; '{value.text}' at position {value.pos} is not"
                )
            number = int(value.text)
        elif _NUMBER.fullmatch(value.text):
            number = int(value.text) if _INTEGER.fullmatch(value.text) else float(value.text)
        else:
            raise filter_error(
                f"field '{name}' is a number; '{value.text}' at position {value.pos} is not"
            )
        # Both databases store 64-bit integers and finite doubles; beyond that is a 400, not a 500.
        out_of_range = (
            not _INT64_MIN <= number <= _INT64_MAX
            if isinstance(number, int)
            else not math.isfinite(number)
        )
        if out_of_range:
            raise filter_error(
                f"field '{name}': '{value.text}' at position {value.pos} is out of range "
                "(64-bit integers, finite numbers)"
            )
        return number

    @staticmethod
    def _timestamp(name: str, column: ColumnElement[Any], value: Value) -> datetime:
        raw = value.text
        if raw.endswith(("Z", "z")):
            raw = raw[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise filter_error(
                f"field '{name}' is a timestamp; '{value.text}' at position {value.pos} is not "
                'an RFC 3339 timestamp with a UTC offset, e.g. "2026-01-01T00:00:00Z"'
            )
        try:
            moment = moment.astimezone(UTC)
        except OverflowError:
            moment = None
        if moment is None:
            raise filter_error(
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
        value: Value,
        pos: int,
    ) -> ColumnElement[bool]:
        if key is None:
            if op == ":" and not value.is_null:
                present = JsonMember(column, _map_key(name, value.text, value.pos), "any")
                return present.is_not(None)
            raise filter_error(
                f"map field '{name}' at position {pos} needs a key: "
                f"use {name}.<key> = value or {name}:<key>"
            )
        if value.is_null:
            return FilterSpec._null(f"{name}.{key}", JsonMember(column, key, "any"), op, pos)
        text = value.text
        typed: tuple[str, Any] | None = None
        if not value.quoted and _NUMBER.fullmatch(text):
            typed = ("number", float(text))
        elif not value.quoted and text in ("true", "false"):
            if op not in _EQUALITY:
                raise filter_error(
                    f"field '{name}.{key}' at position {pos}: true and false work only "
                    "with =, != and :"
                )
            typed = ("boolean", text == "true")
        if typed is None:
            return _text_match(JsonMember(column, key, "string"), op, value)
        kind, scalar = typed
        if op not in _EQUALITY:
            return _compare(JsonMember(column, key, kind), op, scalar)
        # A bare 7 also matches "7": label values are often strings that look like numbers.
        match = or_(
            JsonMember(column, key, kind) == scalar,
            JsonMember(column, key, "string") == text,
        )
        return _negate(match) if op == "!=" else match

    @staticmethod
    def _list(
        name: str, column: ColumnElement[Any], op: str, value: Value, pos: int
    ) -> ColumnElement[bool]:
        if op != ":":
            raise filter_error(
                f"list field '{name}' at position {pos} supports only ':' (contains), "
                f'e.g. {name}:"value"'
            )
        if value.is_null or value.wildcard:
            raise filter_error(
                f"list field '{name}' at position {value.pos} needs a plain value, "
                "not null or a wildcard"
            )
        return JsonContains(column, literal(value.text, String()))

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
        raise filter_error(
            f"invalid key '{key}' for map field '{name}' at position {pos}; "
            "keys are 1-64 of A-Z a-z 0-9 _ -"
        )
    return key
