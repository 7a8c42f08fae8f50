"""The AIP-160 filter grammar (lark, LALR): the one parser of filter text, a comparison's
value as the client wrote it, and syntax errors as a `BadRequest` on ``filter``.

`core.filtering` compiles the parse tree to SQL; `governance.expressions` evaluates it in
memory over a run context.

Grammar (AIP-160): comparisons ``field OP value`` with OP one of ``= != < <= > >=`` and ``:``
(has); ``AND``; ``OR`` (binds tighter than ``AND``, so ``a=1 OR b=2 AND c=3`` is
``(a=1 OR b=2) AND c=3``); ``NOT x`` and ``-x``; parentheses; juxtaposition means ``AND``.
Values are double- or single-quoted strings with backslash escapes, numbers, ``true`` /
``false``, ``null`` and bare words (strings). Keywords are upper case, as in AIP-160.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from kanri.core.errors import BadRequest, FieldError

__all__ = ["PARSER", "Value", "filter_error", "syntax_error", "token_position"]

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

PARSER: Final = Lark(_GRAMMAR, parser="lalr", lexer="contextual")

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

_ESCAPES: Final = {"n": "\n", "t": "\t", "r": "\r"}


def filter_error(message: str) -> BadRequest:
    """A 400 on field ``filter`` saying `message`."""
    return BadRequest(f"invalid filter: {message}", errors=[FieldError("filter", message)])


@dataclass(frozen=True)
class Value:
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
    def from_token(cls, token: Token) -> Value:
        raw = str(token)
        pos = token_position(token)
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


def token_position(token: Token) -> int:
    """The 1-based character position of `token` in the filter text."""
    return (token.start_pos or 0) + 1


def syntax_error(text: str, exc: UnexpectedInput) -> BadRequest:
    """Lark's error on `text` as a 400 on ``filter``: the position, what was found and what
    was expected."""
    end = len(text) + 1
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        if token.type == "$END":
            pos, found = end, "end of filter"
        else:
            pos, found = token_position(token), repr(str(token))
        expected = sorted({_TERMINAL_NAMES.get(name, name) for name in exc.expected})
        return filter_error(
            f"syntax error at position {pos}: unexpected {found}; expected {' or '.join(expected)}"
        )
    if isinstance(exc, UnexpectedCharacters):
        index = exc.pos_in_stream or 0
        pos, char = index + 1, text[index]
        if char in "\"'":
            return filter_error(f"syntax error at position {pos}: unterminated string")
        return filter_error(f"syntax error at position {pos}: unexpected {char!r}")
    if isinstance(exc, UnexpectedEOF):
        return filter_error(f"syntax error at position {end}: unexpected end of filter")
    return filter_error("syntax error")
