"""A rule's `when`: the AIP-160 filter grammar of `core.filter_grammar`, evaluated in memory over
a run context (a dict) instead of compiled to SQL.

Semantics follow the SQL side: `=` is exact (an unescaped `*` makes it a wildcard), a bare
number compares numerically with a number (and as text with a string), `:` on a map means
"has the key", on a list "contains", `*` "is set"; `field = null` is "missing". Negation
is null-safe: a missing field makes `a != "x"` and `NOT a = "x"` true.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from lark import Token, Tree
from lark.exceptions import LarkError, UnexpectedInput

from kanri.core.errors import BadRequest
from kanri.core.filter_grammar import PARSER, Value, syntax_error

FIELDS: Final = (
    "action",
    "automation",
    "agent",
    "workflow",
    "environment",
    "labels",
    "inputs",
    "estimated_cost",
    "step",
    "tool",
    "http",
)
# Rules naming one of these run before each matching step, tool call or HTTP call.
TARGETED: Final = frozenset({"step.kind", "tool", "http.host"})
MAPS: Final = frozenset({"labels", "inputs"})
NESTED: Final = {"step": frozenset({"kind"}), "http": frozenset({"host"})}
MAX_LENGTH: Final = 2000
MAX_TERMS: Final = 50
_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")


class InvalidExpression(ValueError):
    """The `when` text is not a valid expression; the message says where and why."""


@dataclass(frozen=True)
class Expression:
    """A parsed `when`: `matches(context)` and the fields it names."""

    text: str
    tree: Tree[Token] | None
    fields: frozenset[str]

    @property
    def targeted(self) -> bool:
        """True when the rule applies to steps, tool calls or HTTP calls, not to runs."""
        return bool(self.fields & TARGETED)

    def matches(self, context: dict[str, Any]) -> bool:
        return True if self.tree is None else _eval(self.tree, context)


def parse(text: str) -> Expression:
    """Parse and check `text`; an empty text matches everything. Raises InvalidExpression."""
    if not text.strip():
        return Expression(text, None, frozenset())
    if len(text) > MAX_LENGTH:
        raise InvalidExpression(f"longer than {MAX_LENGTH} characters")
    try:
        tree = PARSER.parse(text)
    except UnexpectedInput as exc:
        raise InvalidExpression(_message(syntax_error(text, exc))) from None
    except LarkError:
        raise InvalidExpression("syntax error") from None
    fields: set[str] = set()
    terms = 0
    for node in tree.iter_subtrees():
        if node.data != "restriction":
            continue
        terms += 1
        token = node.children[0]
        assert isinstance(token, Token)
        fields.add(_check_field(str(token), (token.start_pos or 0) + 1))
    if terms > MAX_TERMS:
        raise InvalidExpression(f"{terms} comparisons; the maximum is {MAX_TERMS}")
    return Expression(text, tree, frozenset(fields))


def _message(error: BadRequest) -> str:
    return error.errors[0].message if error.errors else error.detail


def _check_field(path: str, pos: int) -> str:
    root, _, member = path.partition(".")
    if root not in FIELDS:
        raise InvalidExpression(
            f"unknown field '{root}' at position {pos}; fields: {', '.join(FIELDS)}"
        )
    if root in MAPS:
        return root if not member else f"{root}.{member}"
    if root in NESTED:
        if member not in NESTED[root]:
            known = ", ".join(f"{root}.{m}" for m in sorted(NESTED[root]))
            raise InvalidExpression(f"unknown field '{path}' at position {pos}; use {known}")
        return path
    if member:
        raise InvalidExpression(f"field '{root}' at position {pos} has no member '{member}'")
    return path


def _lookup(context: dict[str, Any], path: str) -> Any:
    value: Any = context
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _eval(node: Tree[Token], context: dict[str, Any]) -> bool:
    children = [child for child in node.children if isinstance(child, Tree)]
    if node.data in ("conj", "seq"):
        return all(_eval(child, context) for child in children)
    if node.data == "factor":
        return any(_eval(child, context) for child in children)
    if node.data == "group":
        return _eval(children[0], context)
    if node.data == "negation":
        return not _eval(children[0], context)
    field, op, raw = (child for child in node.children if isinstance(child, Token))
    return _compare(_lookup(context, str(field)), str(op), Value.from_token(raw))


def _number(value: Value) -> float | None:
    if value.quoted or not _NUMBER.fullmatch(value.text):
        return None
    return float(value.text)


def _compare(actual: Any, op: str, value: Value) -> bool:
    if op == ":":
        if value.text == "*" and not value.quoted:
            return actual is not None and actual != {}
        if isinstance(actual, dict):
            return actual.get(value.text) is not None
        if isinstance(actual, list):
            return value.text in [str(item) for item in actual]
        op = "="
    if value.is_null:
        if op == "=":
            return actual is None
        return actual is not None if op == "!=" else False
    if actual is None or isinstance(actual, (dict, list)):
        return op == "!="
    if op in ("=", "!="):
        return _equal(actual, value) == (op == "=")
    number = _number(value)
    left: Any
    right: Any
    if isinstance(actual, (int, float)) and not isinstance(actual, bool) and number is not None:
        left, right = float(actual), number
    elif isinstance(actual, str) and number is None:  # a bare number compares numbers only
        left, right = actual, value.text
    else:
        return False
    result: bool = {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[
        op
    ]
    return result


def _equal(actual: Any, value: Value) -> bool:
    if isinstance(actual, bool):
        return not value.quoted and value.text == ("true" if actual else "false")
    if isinstance(actual, (int, float)):
        number = _number(value)
        return number is not None and float(actual) == number
    text = str(actual)
    if value.wildcard:
        return _wildcard_match(value.parts, text)
    return text == value.text


def _wildcard_match(parts: tuple[str, ...], text: str) -> bool:
    """Whether `text` is `parts` joined by runs of any characters (`*`). Each middle part is
    taken at its first place after the one before, which is enough for `*`: time linear in
    the text per part, where a backtracking regex of `.*`s is exponential in their number."""
    first, *middle, last = parts
    end = len(text) - len(last)
    if end < len(first) or not text.startswith(first) or not text.endswith(last):
        return False
    at = len(first)
    for part in middle:
        found = text.find(part, at, end)
        if found < 0:
            return False
        at = found + len(part)
    return True
