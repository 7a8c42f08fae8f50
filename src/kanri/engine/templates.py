"""Templates inside automation step definitions: sandboxed Jinja over JSON values.

A string that is exactly one `{{ expression }}` evaluates to the expression's native value
(`"{{ inputs.n * 2 }}"` is 84, not "84"), copied into JSON types; any other string with
template syntax renders to a string; everything else passes through untouched. Compiled
templates are cached by source because the same definitions render on every run.

Every render has a budget (`template_budget.Limits`): wall-clock seconds, loop iterations
and calls, and the characters it may make. `render_async` and `evaluate_async` run
templates that loop, call or filter in a small pool of threads, so the event loop never
waits on one.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import ItemsView, Iterator, KeysView, Mapping, ValuesView
from typing import Any

from jinja2 import TemplateSyntaxError, Undefined, UndefinedError, nodes
from jinja2.environment import Template, TemplateExpression
from jinja2.exceptions import SecurityError

from kanri.engine.template_budget import (
    DEFAULT_LIMITS,
    VALUE_SIZE_FACTOR,
    Budget,
    Limits,
    Refused,
    in_thread,
    spending,
)
from kanri.engine.template_sandbox import ENV

_CACHE_SIZE = 2048
# Python writes integers of up to 4,300 digits as text; a bigger one cannot be stored.
_MAX_JSON_INT_BITS = 14_000
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


def _is_template(text: str) -> bool:
    return "{{" in text or "{%" in text


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _single_expression(source: str) -> str | None:
    """The inner expression when `source` is one `{{ ... }}` block and whitespace, else None."""
    try:
        tokens = [(kind, value) for _, kind, value in ENV.lex(source)]
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
    return ENV.from_string(source)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _expression(source: str) -> TemplateExpression:
    return ENV.compile_expression(source, undefined_to_none=False)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _parse(source: str) -> nodes.Template:
    return ENV.parse(source)


# Filters cheap enough on any value a run holds to apply on the event loop.
_CHEAP_FILTERS = frozenset(
    {"abs", "capitalize", "count", "d", "default", "first", "float", "int", "last", "length",
     "lower", "round", "title", "trim", "upper"}
)  # fmt: skip
_COSTLY_NODES = (nodes.For, nodes.Call, nodes.Filter, nodes.Macro, nodes.CallBlock)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _is_costly(source: str, bare: bool) -> bool:
    """Whether rendering `source` may take long: it loops, calls, or uses a filter that walks
    its value. Simple substitutions and arithmetic are rendered on the event loop."""
    try:
        tree = _parse("{{ " + source + " }}" if bare else source)
        return any(
            not (isinstance(node, nodes.Filter) and node.name in _CHEAP_FILTERS)
            for node in tree.find_all(_COSTLY_NODES)
        )
    except TemplateSyntaxError:
        return False  # compiling reports it at once
    except RecursionError:
        return True


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


def referenced_names(value: Any, root: str, path: str = "") -> tuple[list[tuple[str, str]], bool]:
    """What template strings in `value` read of the mapping named `root` (`secrets`, `vars`).

    Returns the (path, name) of every literal `root.NAME` or `root["NAME"]`, in document
    order, and whether some template reads `root` otherwise (a computed name, the whole
    mapping), in which case any name may be read. Strings that do not parse are skipped
    (`check` reports them). Raises nothing.
    """
    found: list[tuple[str, str]] = []
    computed = False
    for at, source in _template_strings(value, path):
        try:
            tree = _parse(source)
        except (TemplateSyntaxError, RecursionError):
            continue
        literal = 0
        for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
            assert isinstance(node, nodes.Getattr | nodes.Getitem)
            if not (isinstance(node.node, nodes.Name) and node.node.name == root):
                continue
            if isinstance(node, nodes.Getattr):
                found.append((at, node.attr))
                literal += 1
            elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
                found.append((at, node.arg.value))
                literal += 1
        reads = sum(1 for node in tree.find_all(nodes.Name) if node.name == root)
        computed = computed or reads > literal
    return found, computed


def _runtime_message(exc: Exception) -> str:
    if isinstance(exc, SecurityError):
        return f"not allowed: {exc.message}"
    if isinstance(exc, UndefinedError):
        return exc.message or "undefined value"  # names the variable or the missing attribute
    return f"{type(exc).__name__}: {exc}"


def _plain(result: Any, cap: int) -> Any:
    """An expression's value copied into JSON types (dicts with text keys, lists, text,
    finite numbers, booleans, None); iterators and ranges become lists. The copy shares
    no list or dict with the run's values. Raises Refused for a value that is not JSON or weighs
    more than `cap` (as `weight` counts), UndefinedError for an undefined one."""
    size = 0

    def key(item: Any) -> str:
        if isinstance(item, str):
            return str(item)
        if isinstance(item, int) and not isinstance(item, bool):
            return str(item)
        raise Refused(f"the template's value is not JSON: it has a {type(item).__name__} key")

    def copy(item: Any) -> Any:
        nonlocal size
        size += 1 + (len(item) if isinstance(item, str) else 0)
        if size > cap:
            raise Refused(f"the template's value is larger than {cap:,} characters")
        if item is None or isinstance(item, bool):
            return item
        if isinstance(item, str):
            return str(item)
        if isinstance(item, int):
            if item.bit_length() > _MAX_JSON_INT_BITS:
                raise Refused("the template's value is not JSON: an integer too large")
            return int(item)
        if isinstance(item, float):
            if not math.isfinite(item):
                raise Refused(f"the template's value is not JSON: a non-finite number ({item})")
            return item
        if isinstance(item, Undefined):
            str(item)  # StrictUndefined raises its own message (undefined name, unsafe access)
            raise UndefinedError("undefined value")
        if isinstance(item, Mapping):
            return {key(k): copy(v) for k, v in item.items()}
        if isinstance(item, list | tuple | range | KeysView | ValuesView | ItemsView | Iterator):
            return [copy(v) for v in item]
        if callable(item):
            raise TypeError("the expression is a function; call it or use a value")
        raise Refused(f"the template's value is not JSON: a {type(item).__name__}")

    try:
        return copy(result)
    except RecursionError:
        raise Refused("the template's value is nested too deeply") from None


def _run(
    compiled: TemplateExpression | Template, context: Mapping[str, Any], path: str, budget: Budget
) -> Any:
    limit = budget.limits.max_output_chars
    too_long = f"renders to more than {limit:,} characters"
    try:
        if isinstance(compiled, TemplateExpression):
            result = compiled(context)
            if isinstance(result, str) and len(result) > limit:
                raise TemplateError(path, too_long)
            return _plain(result, limit * VALUE_SIZE_FACTOR)
        parts: list[str] = []
        size = 0
        # Streamed so a runaway loop stops at the cap instead of building the whole string.
        for chunk in compiled.generate(context):
            size += len(chunk)
            if size > limit:
                raise TemplateError(path, too_long)
            parts.append(chunk)
        return "".join(parts)
    except TemplateError:
        raise
    except Refused as exc:
        raise TemplateError(path, exc.message) from None
    except Exception as exc:
        raise TemplateError(path, _runtime_message(exc)) from exc


def _render(value: Any, context: Mapping[str, Any], path: str, budget: Budget) -> Any:
    if isinstance(value, str):
        if not _is_template(value):
            return value
        return _run(_compile(value, path), context, path, budget)
    if isinstance(value, Mapping):
        return {k: _render(v, context, _join(path, k), budget) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_render(v, context, _join(path, i), budget) for i, v in enumerate(value)]
    return value


def _evaluate(expression: str, context: Mapping[str, Any], path: str, budget: Budget) -> Any:
    compiled = _compile(expression, path, bare=not _is_template(expression))
    return _run(compiled, context, path, budget)


def render(
    value: Any, context: Mapping[str, Any], path: str = "", limits: Limits = DEFAULT_LIMITS
) -> Any:
    """A copy of `value` with every template string rendered against `context`.

    Dict keys are kept as written. A string that is exactly one `{{ expression }}` becomes the
    expression's native value (int, bool, None, list, dict ...) copied into JSON types; other
    template strings become strings; plain strings and non-strings are returned unchanged.
    Raises TemplateError, with the dotted path of the failing string, on a syntax error, an
    undefined name, an action the sandbox refuses, any error the expression raises, a value
    that is not JSON, or a render past `limits` (time, iterations and calls, output size).
    Runs on the calling thread: on the event loop, prefer `render_async`.
    """
    return spending(Budget(limits), _render, value, context, path)


async def render_async(
    value: Any, context: Mapping[str, Any], path: str = "", limits: Limits = DEFAULT_LIMITS
) -> Any:
    """`render`, in a thread of the template pool when a template in `value` loops, calls or
    uses a filter that walks its value; on the calling loop otherwise (simple substitutions
    cost microseconds). Cancelling the caller stops the render at its next check."""
    if not any(_is_costly(source, False) for _, source in _template_strings(value, path)):
        return render(value, context, path, limits)
    return await in_thread(limits, _render, value, context, path)


def evaluate(
    expression: str, context: Mapping[str, Any], path: str = "", limits: Limits = DEFAULT_LIMITS
) -> Any:
    """The native value of a `condition` expression.

    `expression` is a bare expression (`inputs.n > 3`) or a template (`{{ inputs.n > 3 }}`);
    a template with more than one block renders to a string, as in `render`. Raises
    TemplateError like `render` does.
    """
    return spending(Budget(limits), _evaluate, expression, context, path)


async def evaluate_async(
    expression: str, context: Mapping[str, Any], path: str = "", limits: Limits = DEFAULT_LIMITS
) -> Any:
    """`evaluate`, in a thread of the template pool when the expression is costly (as in
    `render_async`)."""
    if not _is_costly(expression, not _is_template(expression)):
        return evaluate(expression, context, path, limits)
    return await in_thread(limits, _evaluate, expression, context, path)


def truthy(value: Any) -> bool:
    """Python truthiness, except that the strings "false", "0", "", "no" and "off" (any case,
    surrounding whitespace ignored) are False, since templates often render to strings."""
    if isinstance(value, str):
        return value.strip().lower() not in _FALSE_STRINGS
    return bool(value)
