"""Templates inside automation step definitions: sandboxed Jinja over JSON values.

A string that is exactly one `{{ expression }}` evaluates to the expression's native value
(`"{{ inputs.n * 2 }}"` is 84, not "84"), copied into JSON types; any other string with
template syntax renders to a string; everything else passes through untouched. Compiled
templates are cached by source because the same definitions render on every run.

Every render has a budget (`Limits`): wall-clock seconds, loop iterations and calls, and the
characters it may make. The sandbox refuses an operation that would make text past the size
before making it (`'x' * n`, `'a'.ljust(n)`, `'%9999999s' % x`, `s | indent(n)` ...), and the
loops, calls and filters of a render spend its budget as they go. `render_async` and
`evaluate_async` run templates that loop, call or filter in a small pool of threads, so the
event loop never waits on one.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
import math
import operator
import re
import string
import time
from collections.abc import (
    Callable,
    ItemsView,
    Iterable,
    Iterator,
    KeysView,
    Mapping,
    ValuesView,
)
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from jinja2 import (
    StrictUndefined,
    TemplateSyntaxError,
    Undefined,
    UndefinedError,
    nodes,
    pass_context,
)
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.environment import Template, TemplateExpression
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context, LoopContext
from jinja2.sandbox import MAX_RANGE, ImmutableSandboxedEnvironment

MAX_RENDERED_CHARS = 1_000_000
MAX_ITERATIONS = 1_000_000
TIMEOUT_SECONDS = 5.0
# A native value may be bigger than rendered text (it often carries a step's whole output
# along, an http response of up to 10 MB): this many times the text limit, weighed as
# `_weight` does.
VALUE_SIZE_FACTOR = 20
# Threads rendering templates that loop or call; a render holds one until its budget ends.
RENDER_THREADS = 4
_CACHE_SIZE = 2048
# An integer power or product above this many bits is refused before it is computed.
_MAX_POWER_BITS = 1 << 16
# Python writes integers of up to 4,300 digits as text; a bigger one cannot be stored.
_MAX_JSON_INT_BITS = 14_000
_MAX_JSON_INDENT = 16
_MAX_LINK_ATTRIBUTE = 200
_STEP_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_FALSE_STRINGS = frozenset({"false", "0", "", "no", "off"})
_NUMBERS = frozenset({int, float, bool})
_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "*": operator.mul,
    "**": operator.pow,
    "%": operator.mod,
    "+": operator.add,
}
_PRINTF_FIELD = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?.", re.DOTALL)
_DIGITS = re.compile(r"\d+")
_FORMATTER = string.Formatter()
_T = TypeVar("_T")


class TemplateError(Exception):
    """A template that failed to parse or render; `path` is a dotted location inside the value
    (e.g. `output.total`, `headers.Authorization`, `body.items.0`)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(path, message)
        self.path = path
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


@dataclass(frozen=True, kw_only=True)
class Limits:
    """What one render may spend: wall-clock `seconds` (`seconds_source` names where that
    limit comes from, for the error), loop iterations and calls, and characters of text
    (`VALUE_SIZE_FACTOR` times that for a native value)."""

    seconds: float = TIMEOUT_SECONDS
    max_output_chars: int = MAX_RENDERED_CHARS
    max_iterations: int = MAX_ITERATIONS
    seconds_source: str = ""

    def within(self, seconds: float | None) -> Limits:
        """These limits with the time cut to `seconds` (a step's timeout) when that is shorter."""
        if seconds is None or seconds >= self.seconds:
            return self
        return replace(self, seconds=seconds, seconds_source="the step's timeout_seconds")


DEFAULT_LIMITS = Limits()


class _Refused(Exception):
    """A render went past its budget or made a value that is not JSON; `message` says which."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Budget:
    """What is left of one render's Limits; `cancelled` stops the render from outside."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.left = limits.max_iterations
        self.deadline = math.inf
        self.cancelled = False

    def start(self) -> None:
        self.deadline = time.monotonic() + self.limits.seconds

    def spend(self) -> None:
        """One loop iteration or call; the clock is read every 16 of them."""
        self.left -= 1
        if not self.left & 15:
            self.check()

    def check(self) -> None:
        if self.left < 0:
            raise _Refused(
                f"stopped after {self.limits.max_iterations:,} loop iterations and calls"
            )
        if self.cancelled:
            raise _Refused("stopped: the step ended while its templates rendered")
        if time.monotonic() > self.deadline:
            source = self.limits.seconds_source
            raise _Refused(
                f"stopped after {self.limits.seconds:g} s of rendering"
                + (f" ({source})" if source else "")
            )

    def counted(self, iterable: Iterable[_T]) -> Iterator[_T]:
        for item in iterable:
            self.spend()
            yield item


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar(
    "kanri_template_budget", default=None
)


def _cap() -> int:
    """The text limit of the render in progress (the default one while compiling)."""
    budget = _BUDGET.get()
    return MAX_RENDERED_CHARS if budget is None else budget.limits.max_output_chars


def _spend() -> None:
    budget = _BUDGET.get()
    if budget is not None:
        budget.spend()


def _refuse_past(size: int, what: str) -> None:
    cap = _cap()
    if size > cap:
        raise SecurityError(f"{what} making more than {cap:,} characters")


def _weight(value: Any, cap: int) -> int:
    """About how many characters `value` takes as text: one per value plus the length of each
    string in it; counting stops once past `cap`."""
    total = 0
    stack = [value]
    while stack and total <= cap:
        item = stack.pop()
        total += 1
        if isinstance(item, str | bytes):
            total += len(item)
        elif isinstance(item, Mapping):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(item)
    return total


def _is_container(value: Any) -> bool:
    return isinstance(value, Mapping | list | tuple | set | frozenset)


def _number(digits: str) -> int:
    return int(digits) if len(digits) < 10 else 10**10


def _printf_size(template: str | bytes, values: Any, cap: int) -> int:
    """An upper bound of the length of `template % values`: widths and precisions count."""
    text = template.decode("latin-1") if isinstance(template, bytes) else template
    size = len(text) + _weight(values, cap)
    for width, precision in _PRINTF_FIELD.findall(text):
        for digits in (width, precision):
            if digits == "*":
                raise SecurityError("a '%' width taken from the values")
            if digits:
                size += _number(digits)
    return size


def _format_size(template: str, values: Iterable[Any], cap: int) -> int:
    """An upper bound of the length of `template.format(*values)`."""
    size = sum(_weight(value, cap) for value in values)
    try:
        fields = list(_FORMATTER.parse(template))
    except ValueError:
        return size + len(template)  # the call itself reports the malformed template
    for literal, _, spec, _ in fields:
        size += len(literal)
        if spec and "{" in spec:
            raise SecurityError("a format width taken from the values")
        size += sum(_number(digits) for digits in _DIGITS.findall(spec or ""))
    return size


def _arg(args: tuple[Any, ...], kwargs: Mapping[str, Any], index: int, name: str) -> Any:
    return args[index] if len(args) > index else kwargs.get(name)


def _method_size(owner: str | bytes, name: str, args: tuple[Any, ...], kw: dict[str, Any]) -> int:
    """An upper bound of the length of what text method `name` of `owner` returns."""
    text: Any = owner  # str and bytes alike
    base = str if isinstance(owner, str) else bytes
    n = len(owner)
    cap = _cap()
    if name in ("ljust", "rjust", "center", "zfill"):
        width = _arg(args, kw, 0, "width")
        return max(n, width) if isinstance(width, int) else n
    if name == "expandtabs":
        tabsize = _arg(args, kw, 0, "tabsize")
        tabsize = 8 if tabsize is None else tabsize
        tabs = text.count("\t" if base is str else b"\t")
        return n + tabs * tabsize if isinstance(tabsize, int) else n
    if name == "replace":
        old, new = _arg(args, kw, 0, "old"), _arg(args, kw, 1, "new")
        count = _arg(args, kw, 2, "count")
        if not isinstance(old, base) or not isinstance(new, base):
            return n  # the call itself reports the wrong types
        hits = text.count(old) if old else n + 1
        if isinstance(count, int) and count >= 0:
            hits = min(hits, count)
        return n + hits * max(0, len(new) - len(old))
    if name == "join":
        items = args[0] if args else []
        parts = sum(len(i) if isinstance(i, str | bytes) else 1 for i in items)
        return parts + n * max(0, len(items) - 1)
    if name in ("format", "format_map") and isinstance(owner, str):
        return _format_size(owner, [*args, *kw.values()], cap)
    if name == "translate":
        table = args[0] if args else None
        if isinstance(table, Mapping):
            longest = max((len(v) for v in table.values() if isinstance(v, str)), default=1)
            return n * max(1, longest)
    return n


def _sized_call(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Refuse a method call whose result would be text past the limit; the arguments to call
    with (an iterable given to `join` is read into a list to be measured)."""
    method = getattr(obj, "__wrapped__", obj)  # the sandbox wraps str.format when read
    owner = getattr(method, "__self__", None)
    name = getattr(method, "__name__", "")
    if isinstance(owner, str | bytes):
        if name == "join" and args:
            args = (list(args[0]), *args[1:])
        _refuse_past(_method_size(owner, name, args, kwargs), f"'{name}'")
    elif isinstance(owner, int) and name == "to_bytes":
        length = _arg(args, kwargs, 0, "length")
        if isinstance(length, int):
            _refuse_past(length, "'to_bytes'")
    return args


# Filters whose result is about as long as their arguments once made text: weighed first.
_TEXT_FILTERS = frozenset(
    {
        "capitalize", "e", "escape", "forceescape", "lower", "pprint", "safe", "string",
        "striptags", "title", "tojson", "trim", "truncate", "upper", "urlencode", "urlize",
        "wordcount", "xmlattr",
    }
)  # fmt: skip


def _filter_size(name: str, arguments: dict[str, Any], cap: int) -> int:
    """An upper bound of the length of what filter `name` returns (its bound arguments)."""
    if name == "center":
        width = arguments.get("width", 80)
        return width if isinstance(width, int) else 0
    if name == "indent":
        text, width = arguments.get("s"), arguments.get("width", 4)
        lines = text.count("\n") + 1 if isinstance(text, str) else _weight(text, cap)
        amount = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
        return _weight(text, cap) + lines * amount
    if name == "wordwrap":
        text_size = _weight(arguments.get("s"), cap)
        return text_size * (1 + max(1, len(arguments.get("wrapstring") or "\n")))
    if name == "replace":
        text = arguments.get("s")
        if not isinstance(text, str):
            return _weight(text, cap)
        args = (arguments.get("old"), arguments.get("new"), arguments.get("count") or -1)
        return _method_size(text, "replace", args, {})
    if name == "join":
        items = arguments["value"]
        separator = arguments.get("d", "")
        return sum(_weight(i, cap) for i in items) + len(separator) * max(0, len(items) - 1)
    if name == "format":
        values = arguments.get("kwargs") or arguments.get("args", ())
        return _printf_size(str(arguments.get("value")), values, cap)
    if name == "batch":
        has_fill = arguments.get("fill_with") is not None
        count = arguments.get("linecount")
        return count if has_fill and isinstance(count, int) else 0
    if name == "slice":
        slices = arguments.get("slices")
        if isinstance(slices, int) and slices > MAX_RANGE:
            raise SecurityError(f"slicing into more than {MAX_RANGE:,} parts")
        return 0
    if name == "sum":
        start = arguments.get("start", 0)
        if not isinstance(start, int | float):
            raise SecurityError("'sum' adds numbers only; join text or lists with a loop")
        return 0
    if name == "tojson":
        indent = arguments.get("indent")
        if (isinstance(indent, int) and indent > _MAX_JSON_INDENT) or (
            isinstance(indent, str) and len(indent) > _MAX_JSON_INDENT
        ):
            raise SecurityError(f"a JSON indent above {_MAX_JSON_INDENT}")
        return _weight(arguments.get("value"), cap)
    if name == "urlize":
        for key in ("target", "rel"):
            if len(str(arguments.get(key) or "")) > _MAX_LINK_ATTRIBUTE:
                raise SecurityError(f"a link {key} longer than {_MAX_LINK_ATTRIBUTE} characters")
        return 3 * _weight(arguments.get("value"), cap)
    return 0


_LEADS = frozenset({"context", "eval_ctx", "environment"})
_SIZED_FILTERS = frozenset(
    {"center", "indent", "wordwrap", "replace", "join", "format", "batch", "slice", "sum",
     "tojson", "urlize"}
)  # fmt: skip


def _budgeted_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """`func` as a filter that spends the render's budget and refuses results past its size.

    Marked as taking the context, so Jinja never runs it while compiling (it folds other
    filters of constants then, outside any budget); it hands `func` what `func` asks for."""
    signature = inspect.signature(func) if name in _SIZED_FILTERS else None
    wants = getattr(getattr(func, "jinja_pass_arg", None), "name", None)
    # Jinja's async-aware filters take what they want first but show the sync signature.
    named_lead = signature is not None and next(iter(signature.parameters)) in _LEADS
    weighs = name in _TEXT_FILTERS

    @pass_context
    @functools.wraps(func)
    def budgeted(context: Context, *args: Any, **kwargs: Any) -> Any:
        _spend()
        cap = _cap()
        lead: tuple[Any, ...] = ()
        if wants == "context":
            lead = (context,)
        elif wants == "eval_context":
            lead = (context.eval_ctx,)
        elif wants == "environment":
            lead = (context.environment,)
        if signature is not None:
            if name == "join" and args:
                args = (list(args[0]), *args[1:])
            bound = signature.bind(*(lead if named_lead else ()), *args, **kwargs)
            _refuse_past(_filter_size(name, bound.arguments, cap), f"the '{name}' filter")
        elif weighs:
            size = sum(_weight(value, cap) for value in (*args, *kwargs.values()))
            _refuse_past(size, f"the '{name}' filter")
        return func(*lead, *args, **kwargs)

    return budgeted


class _Generator(CodeGenerator):
    """Jinja's code generator, but every loop takes its items through `environment.counted`
    and every `~` goes through `environment.concat_values`."""

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        # Jinja allows no new node types: the iterable becomes a call of the sandbox's method.
        counted = nodes.Call(
            nodes.EnvironmentAttribute("counted"), [node.iter], [], None, None, lineno=node.lineno
        )
        loop = nodes.For(
            node.target,
            counted,
            node.body,
            node.else_,
            node.test,
            node.recursive,
            lineno=node.lineno,
        )
        super().visit_For(loop, frame)

    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.concat_values((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


def _finalize(value: Any) -> Any:
    """Each `{{ }}` of a text template: a list or dict is weighed before it is made text."""
    if _is_container(value):
        _refuse_past(_weight(value, _cap()), "writing a value")
    return value


class _Sandbox(ImmutableSandboxedEnvironment):
    """The sandbox, plus the budget: loops, calls and filters spend it; operators, methods and
    filters that would make text past the size limit are refused before they make it.

    Intercepting the operators also stops Jinja from folding constant expressions such as
    `'x' * 10**10` at compile time, which would otherwise exhaust memory inside `check`;
    the filters Jinja folds at compile time refuse the same sizes.
    Immutable, so a template cannot change the inputs or step outputs other steps read.
    """

    intercepted_binops = frozenset({"*", "**", "%", "+"})
    code_generator_class = _Generator

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals.pop("lipsum", None)  # paragraphs of filler on demand: nothing to bound
        self.filters = {name: _budgeted_filter(name, f) for name, f in self.filters.items()}

    def counted(self, iterable: Iterable[_T]) -> Iterable[_T]:
        budget = _BUDGET.get()
        return iterable if budget is None else budget.counted(iterable)

    def concat(self, parts: Iterable[str]) -> str:
        """The text of a block, a macro or a `{% set %}` block, within the size limit."""
        pieces = list(parts)
        cap = _cap()
        if sum(map(len, pieces)) > cap:
            raise _Refused(f"renders to more than {cap:,} characters")
        return "".join(pieces)

    def concat_values(self, values: tuple[Any, ...]) -> str:
        """`a ~ b ~ ...`: each made text, within the size limit."""
        cap = _cap()
        texts = []
        for value in values:
            if _is_container(value):
                _refuse_past(_weight(value, cap), "joining with '~'")
            texts.append(value if isinstance(value, str) else str(value))
        _refuse_past(sum(map(len, texts)), "joining with '~'")
        return "".join(texts)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        # Numbers first: templates mostly do arithmetic, often in loops.
        if type(left) in _NUMBERS and type(right) in _NUMBERS and operator != "**":
            if (
                operator == "*"
                and isinstance(left, int)
                and isinstance(right, int)
                and left.bit_length() + right.bit_length() > _MAX_POWER_BITS
            ):
                raise SecurityError(f"a product whose result exceeds {_MAX_POWER_BITS:,} bits")
            return _BINOPS[operator](left, right)
        if operator == "*":
            cap = _cap()
            for sequence, times in ((left, right), (right, left)):
                if not isinstance(times, int) or times <= 0:
                    continue
                if isinstance(sequence, str | bytes):
                    size = len(sequence)
                elif isinstance(sequence, list | tuple):
                    size = _weight(sequence, cap // times + 1) - 1
                else:
                    continue
                if size * times > cap:
                    raise SecurityError(f"repeating a sequence beyond {cap:,} items")
        elif (
            operator == "**"
            and isinstance(left, int)
            and isinstance(right, int)
            and abs(left) > 1
            and left.bit_length() * right > _MAX_POWER_BITS
        ):
            raise SecurityError(f"a power whose result exceeds {_MAX_POWER_BITS:,} bits")
        elif operator == "%" and isinstance(left, str | bytes):
            _refuse_past(_printf_size(left, right, _cap()), "formatting with '%'")
        elif (
            operator == "+"
            and isinstance(left, str | bytes | list | tuple)
            and isinstance(right, str | bytes | list | tuple)
        ):
            _refuse_past(len(left) + len(right), "adding")
        return _BINOPS[operator](left, right)

    def call(
        __self,  # the sandbox's own signature: keeps `self` free as an argument name
        __context: Context,
        __obj: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        _spend()
        if isinstance(__obj, LoopContext) and args:  # a recursive loop's next level
            args = (__self.counted(args[0]), *args[1:])
        else:
            args = _sized_call(__obj, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)


_ENV = _Sandbox(
    undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True, finalize=_finalize
)


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


def _runtime_message(exc: Exception) -> str:
    if isinstance(exc, SecurityError):
        return f"not allowed: {exc.message}"
    if isinstance(exc, UndefinedError):
        return exc.message or "undefined value"  # names the variable or the missing attribute
    return f"{type(exc).__name__}: {exc}"


def _plain(result: Any, cap: int) -> Any:
    """An expression's value copied into JSON types (dicts with text keys, lists, text,
    finite numbers, booleans, None); iterators and ranges become lists. The copy shares
    no list or dict with the run's values. Raises _Refused for a value that is not JSON or weighs
    more than `cap` (as `_weight` counts), UndefinedError for an undefined one."""
    size = 0

    def key(item: Any) -> str:
        if isinstance(item, str):
            return str(item)
        if isinstance(item, int) and not isinstance(item, bool):
            return str(item)
        raise _Refused(f"the template's value is not JSON: it has a {type(item).__name__} key")

    def copy(item: Any) -> Any:
        nonlocal size
        size += 1 + (len(item) if isinstance(item, str) else 0)
        if size > cap:
            raise _Refused(f"the template's value is larger than {cap:,} characters")
        if item is None or isinstance(item, bool):
            return item
        if isinstance(item, str):
            return str(item)
        if isinstance(item, int):
            if item.bit_length() > _MAX_JSON_INT_BITS:
                raise _Refused("the template's value is not JSON: an integer too large")
            return int(item)
        if isinstance(item, float):
            if not math.isfinite(item):
                raise _Refused(f"the template's value is not JSON: a non-finite number ({item})")
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
        raise _Refused(f"the template's value is not JSON: a {type(item).__name__}")

    try:
        return copy(result)
    except RecursionError:
        raise _Refused("the template's value is nested too deeply") from None


def _run(
    compiled: TemplateExpression | Template, context: Mapping[str, Any], path: str, budget: _Budget
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
    except _Refused as exc:
        raise TemplateError(path, exc.message) from None
    except Exception as exc:
        raise TemplateError(path, _runtime_message(exc)) from exc


def _render(value: Any, context: Mapping[str, Any], path: str, budget: _Budget) -> Any:
    if isinstance(value, str):
        if not _is_template(value):
            return value
        return _run(_compile(value, path), context, path, budget)
    if isinstance(value, Mapping):
        return {k: _render(v, context, _join(path, k), budget) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_render(v, context, _join(path, i), budget) for i, v in enumerate(value)]
    return value


def _evaluate(expression: str, context: Mapping[str, Any], path: str, budget: _Budget) -> Any:
    compiled = _compile(expression, path, bare=not _is_template(expression))
    return _run(compiled, context, path, budget)


def _spending(
    budget: _Budget,
    work: Callable[[Any, Mapping[str, Any], str, _Budget], Any],
    value: Any,
    context: Mapping[str, Any],
    path: str,
) -> Any:
    budget.start()
    token = _BUDGET.set(budget)
    try:
        return work(value, context, path, budget)
    finally:
        _BUDGET.reset(token)


@functools.cache
def _threads() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(RENDER_THREADS, thread_name_prefix="kanri-templates")


async def _in_thread(
    limits: Limits,
    work: Callable[[Any, Mapping[str, Any], str, _Budget], Any],
    value: Any,
    context: Mapping[str, Any],
    path: str,
) -> Any:
    budget = _Budget(limits)
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(_threads(), _spending, budget, work, value, context, path)
    except asyncio.CancelledError:
        budget.cancelled = True  # the thread stops at its next check
        raise


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
    return _spending(_Budget(limits), _render, value, context, path)


async def render_async(
    value: Any, context: Mapping[str, Any], path: str = "", limits: Limits = DEFAULT_LIMITS
) -> Any:
    """`render`, in a thread of the template pool when a template in `value` loops, calls or
    uses a filter that walks its value; on the calling loop otherwise (simple substitutions
    cost microseconds). Cancelling the caller stops the render at its next check."""
    if not any(_is_costly(source, False) for _, source in _template_strings(value, path)):
        return render(value, context, path, limits)
    return await _in_thread(limits, _render, value, context, path)


def evaluate(
    expression: str, context: Mapping[str, Any], path: str = "", limits: Limits = DEFAULT_LIMITS
) -> Any:
    """The native value of a `condition` expression.

    `expression` is a bare expression (`inputs.n > 3`) or a template (`{{ inputs.n > 3 }}`);
    a template with more than one block renders to a string, as in `render`. Raises
    TemplateError like `render` does.
    """
    return _spending(_Budget(limits), _evaluate, expression, context, path)


async def evaluate_async(
    expression: str, context: Mapping[str, Any], path: str = "", limits: Limits = DEFAULT_LIMITS
) -> Any:
    """`evaluate`, in a thread of the template pool when the expression is costly (as in
    `render_async`)."""
    if not _is_costly(expression, not _is_template(expression)):
        return evaluate(expression, context, path, limits)
    return await _in_thread(limits, _evaluate, expression, context, path)


def truthy(value: Any) -> bool:
    """Python truthiness, except that the strings "false", "0", "", "no" and "off" (any case,
    surrounding whitespace ignored) are False, since templates often render to strings."""
    if isinstance(value, str):
        return value.strip().lower() not in _FALSE_STRINGS
    return bool(value)
