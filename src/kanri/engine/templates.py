"""Templates inside automation step definitions: sandboxed Jinja over JSON values.

A string that is exactly one `{{ expression }}` evaluates to the expression's native value
(`"{{ inputs.n * 2 }}"` is 84, not "84"); any other string with template syntax renders to a
string; everything else passes through untouched. Compiled templates are cached by source
because the same definitions render on every run.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, Undefined, UndefinedError, nodes
from jinja2.environment import Template, TemplateExpression
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_RENDERED_CHARS = 1_000_000
_CACHE_SIZE = 2048
# An integer power above this many bits is refused before it is computed.
_MAX_POWER_BITS = 1 << 16
_STEP_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_FALSE_STRINGS = frozenset({"false", "0", "", "no", "off"})


class TemplateError(Exception):
    """A template that failed to parse or render; `path` is a dotted location inside the value
    (e.g. `output.total`, `headers.Authorization`, `body.items.0`)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(path, message)
        self.path = path
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class _Sandbox(ImmutableSandboxedEnvironment):
    """The sandbox, plus size checks on `*` and `**`.

    Intercepting the operators also stops Jinja from folding constant expressions such as
    `'x' * 10**10` at compile time, which would otherwise exhaust memory inside `check`.
    Immutable, so a template cannot change the inputs or step outputs other steps read.
    """

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for sequence, times in ((left, right), (right, left)):
                if (
                    isinstance(sequence, str | list | tuple)
                    and isinstance(times, int)
                    and len(sequence) * times > MAX_RENDERED_CHARS
                ):
                    raise SecurityError(f"repeating a sequence beyond {MAX_RENDERED_CHARS:,} items")
        elif (
            operator == "**"
            and isinstance(left, int)
            and isinstance(right, int)
            and abs(left) > 1
            and left.bit_length() * right > _MAX_POWER_BITS
        ):
            raise SecurityError(f"a power whose result exceeds {_MAX_POWER_BITS:,} bits")
        return super().call_binop(context, operator, left, right)


_ENV = _Sandbox(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


def _is_template(text: str) -> bool:
    return "{{" in text or "{%" in text


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _single_expression(source: str) -> str | None:
    """The inner expression when `source` is one `{{ ... }}` block and whitespace, else None."""
    try:
        tokens = [(kind, value) for _, kind, value in _ENV.lex(source)]
    except TemplateSyntaxError:
        return None  # compiling the whole string reports it
    while tokens and tokens[0][0] == "data" and not tokens[0][1].strip():
        tokens.pop(0)
    while tokens and tokens[-1][0] == "data" and not tokens[-1][1].strip():
        tokens.pop()
    if len(tokens) < 2 or tokens[0][0] != "variable_begin" or tokens[-1][0] != "variable_end":
        return None
    inner = tokens[1:-1]
    # A second block (`{{ a }} {{ b }}`, a comment) shows up as another *_begin/*_end token.
    if any(kind.endswith(("_begin", "_end")) or kind == "data" for kind, _ in inner):
        return None
    # The lexer keeps each token's source text, so joining them gives the expression back.
    return "".join(value for _, value in inner)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _template(source: str) -> Template:
    return _ENV.from_string(source)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _expression(source: str) -> TemplateExpression:
    return _ENV.compile_expression(source, undefined_to_none=False)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _parse(source: str) -> nodes.Template:
    return _ENV.parse(source)


def _compile(source: str, path: str, *, bare: bool = False) -> TemplateExpression | Template:
    """The compiled form of `source` (`bare`: an expression without braces), as rendering uses
    it; raises TemplateError on a syntax error."""
    try:
        if bare:
            return _expression(source)
        expression = _single_expression(source)
        return _template(source) if expression is None else _expression(expression)
    except TemplateSyntaxError as exc:
        line = f" on line {exc.lineno}" if exc.lineno else ""
        raise TemplateError(path, f"syntax error{line}: {exc.message}") from exc
    except RecursionError as exc:
        raise TemplateError(path, "nested too deeply to compile") from exc


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _template_strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every (path, string) holding template syntax in a nested value; dict keys are not read."""
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        at, item = stack.pop()
        if isinstance(item, str):
            if _is_template(item):
                yield at, item
        elif isinstance(item, Mapping):
            stack.extend((_join(at, k), v) for k, v in reversed(list(item.items())))
        elif isinstance(item, list | tuple):
            stack.extend((_join(at, i), v) for i, v in reversed(list(enumerate(item))))


def check(value: Any, path: str = "") -> list[TemplateError]:
    """Compile every template string in `value` (nested dicts and lists) without rendering.

    Returns one TemplateError per string that does not compile, in document order, with a
    1-based line number in the message when Jinja gives one; an empty list when all is well.
    Raises nothing.
    """
    problems: list[TemplateError] = []
    for at, source in _template_strings(value, path):
        try:
            _compile(source, at)
        except TemplateError as exc:
            problems.append(exc)
    return problems


def _is_steps(node: nodes.Node) -> bool:
    return isinstance(node, nodes.Name) and node.name == "steps"


def referenced_steps(value: Any) -> set[str]:
    """The step ids that template strings in `value` read as `steps.<id>` or `steps["<id>"]`.

    Only literal references count: `steps[name]` with a computed name is invisible here.
    Strings that do not parse are skipped (`check` reports them). Raises nothing.
    """
    found: set[str] = set()
    for _, source in _template_strings(value, ""):
        try:
            tree = _parse(source)
        except (TemplateSyntaxError, RecursionError):
            continue
        for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
            ref: object = None
            if isinstance(node, nodes.Getattr) and _is_steps(node.node):
                ref = node.attr
            elif (
                isinstance(node, nodes.Getitem)
                and _is_steps(node.node)
                and isinstance(node.arg, nodes.Const)
            ):
                ref = node.arg.value
            if isinstance(ref, str) and _STEP_ID.fullmatch(ref):
                found.add(ref)
    return found


def _runtime_message(exc: Exception) -> str:
    if isinstance(exc, SecurityError):
        return f"not allowed: {exc.message}"
    if isinstance(exc, UndefinedError):
        return exc.message or "undefined value"  # names the variable or the missing attribute
    return f"{type(exc).__name__}: {exc}"


def _check_native(result: Any) -> None:
    """Raise if an expression's value holds something a step cannot use or store."""
    stack = [result]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if isinstance(item, Undefined):
            str(item)  # StrictUndefined raises its own message (undefined name, unsafe access)
            raise UndefinedError("undefined value")
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, Mapping):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
        elif callable(item):
            raise TypeError("the expression is a function; call it or use a value")


def _run(compiled: TemplateExpression | Template, context: Mapping[str, Any], path: str) -> Any:
    too_long = f"renders to more than {MAX_RENDERED_CHARS:,} characters"
    try:
        if isinstance(compiled, TemplateExpression):
            result = compiled(context)
            _check_native(result)
            if isinstance(result, str) and len(result) > MAX_RENDERED_CHARS:
                raise TemplateError(path, too_long)
            return result
        parts: list[str] = []
        size = 0
        # Streamed so a runaway loop stops at the cap instead of building the whole string.
        for chunk in compiled.generate(context):
            size += len(chunk)
            if size > MAX_RENDERED_CHARS:
                raise TemplateError(path, too_long)
            parts.append(chunk)
        return "".join(parts)
    except TemplateError:
        raise
    except Exception as exc:
        raise TemplateError(path, _runtime_message(exc)) from exc


def _render(value: Any, context: Mapping[str, Any], path: str) -> Any:
    if isinstance(value, str):
        return _run(_compile(value, path), context, path) if _is_template(value) else value
    if isinstance(value, Mapping):
        return {k: _render(v, context, _join(path, k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_render(v, context, _join(path, i)) for i, v in enumerate(value)]
    return value


def render(value: Any, context: Mapping[str, Any], path: str = "") -> Any:
    """A copy of `value` with every template string rendered against `context`.

    Dict keys are kept as written. A string that is exactly one `{{ expression }}` becomes the
    expression's native value (int, bool, None, list, dict ...); other template strings become
    strings; plain strings and non-strings are returned unchanged. Raises TemplateError, with
    the dotted path of the failing string, on a syntax error, an undefined name, an action the
    sandbox refuses, any error the expression raises, or output over 1,000,000 characters.
    """
    return _render(value, context, path)


def evaluate(expression: str, context: Mapping[str, Any], path: str = "") -> Any:
    """The native value of a `condition` expression.

    `expression` is a bare expression (`inputs.n > 3`) or a template (`{{ inputs.n > 3 }}`);
    a template with more than one block renders to a string, as in `render`. Raises
    TemplateError like `render` does.
    """
    compiled = _compile(expression, path, bare=not _is_template(expression))
    return _run(compiled, context, path)


def truthy(value: Any) -> bool:
    """Python truthiness, except that the strings "false", "0", "", "no" and "off" (any case,
    surrounding whitespace ignored) are False, since templates often render to strings."""
    if isinstance(value, str):
        return value.strip().lower() not in _FALSE_STRINGS
    return bool(value)
