"""The budget of a template render (`Limits`): wall-clock seconds, loop iterations and calls,
and the characters it may make.

The sandbox (`template_sandbox`) spends it: loops, calls and filters spend it as they go,
and an operation that would make text past the size is refused before it is made; the
upper bounds of what a method, an operator or a filter makes are reckoned here. Renders
that loop, call or filter run in a small pool of threads (`in_thread`), so the event loop
never waits on one.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
import math
import re
import string
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from jinja2 import pass_context
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import MAX_RANGE

MAX_RENDERED_CHARS = 1_000_000
MAX_ITERATIONS = 1_000_000
TIMEOUT_SECONDS = 5.0
# A native value may be bigger than rendered text (it often carries a step's whole output
# along, an http response of up to 10 MB): this many times the text limit, weighed as
# `weight` does.
VALUE_SIZE_FACTOR = 20
# Threads rendering templates that loop or call; a render holds one until its budget ends.
RENDER_THREADS = 4
_MAX_JSON_INDENT = 16
_MAX_LINK_ATTRIBUTE = 200
_PRINTF_FIELD = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?.", re.DOTALL)
_DIGITS = re.compile(r"\d+")
_FORMATTER = string.Formatter()
_T = TypeVar("_T")


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


class Refused(Exception):
    """A render went past its budget or made a value that is not JSON; `message` says which."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Budget:
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
            raise Refused(f"stopped after {self.limits.max_iterations:,} loop iterations and calls")
        if self.cancelled:
            raise Refused("stopped: the step ended while its templates rendered")
        if time.monotonic() > self.deadline:
            source = self.limits.seconds_source
            raise Refused(
                f"stopped after {self.limits.seconds:g} s of rendering"
                + (f" ({source})" if source else "")
            )

    def counted(self, iterable: Iterable[_T]) -> Iterator[_T]:
        for item in iterable:
            self.spend()
            yield item


BUDGET: contextvars.ContextVar[Budget | None] = contextvars.ContextVar(
    "kanri_template_budget", default=None
)


def text_limit() -> int:
    """The text limit of the render in progress (the default one while compiling)."""
    budget = BUDGET.get()
    return MAX_RENDERED_CHARS if budget is None else budget.limits.max_output_chars


def spend() -> None:
    """Spend one loop iteration or call of the render in progress, if any."""
    budget = BUDGET.get()
    if budget is not None:
        budget.spend()


def refuse_past(size: int, what: str) -> None:
    """SecurityError naming `what` when `size` characters are past the render's text limit."""
    cap = text_limit()
    if size > cap:
        raise SecurityError(f"{what} making more than {cap:,} characters")


def weight(value: Any, cap: int) -> int:
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


def _number(digits: str) -> int:
    return int(digits) if len(digits) < 10 else 10**10


def printf_size(template: str | bytes, values: Any, cap: int) -> int:
    """An upper bound of the length of `template % values`: widths and precisions count."""
    text = template.decode("latin-1") if isinstance(template, bytes) else template
    size = len(text) + weight(values, cap)
    for width, precision in _PRINTF_FIELD.findall(text):
        for digits in (width, precision):
            if digits == "*":
                raise SecurityError("a '%' width taken from the values")
            if digits:
                size += _number(digits)
    return size


def _format_size(template: str, values: Iterable[Any], cap: int) -> int:
    """An upper bound of the length of `template.format(*values)`."""
    size = sum(weight(value, cap) for value in values)
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
    cap = text_limit()
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


def sized_call(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Refuse a method call whose result would be text past the limit; the arguments to call
    with (an iterable given to `join` is read into a list to be measured)."""
    method = getattr(obj, "__wrapped__", obj)  # the sandbox wraps str.format when read
    owner = getattr(method, "__self__", None)
    name = getattr(method, "__name__", "")
    if isinstance(owner, str | bytes):
        if name == "join" and args:
            args = (list(args[0]), *args[1:])
        refuse_past(_method_size(owner, name, args, kwargs), f"'{name}'")
    elif isinstance(owner, int) and name == "to_bytes":
        length = _arg(args, kwargs, 0, "length")
        if isinstance(length, int):
            refuse_past(length, "'to_bytes'")
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
        lines = text.count("\n") + 1 if isinstance(text, str) else weight(text, cap)
        amount = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
        return weight(text, cap) + lines * amount
    if name == "wordwrap":
        text_size = weight(arguments.get("s"), cap)
        return text_size * (1 + max(1, len(arguments.get("wrapstring") or "\n")))
    if name == "replace":
        text = arguments.get("s")
        if not isinstance(text, str):
            return weight(text, cap)
        args = (arguments.get("old"), arguments.get("new"), arguments.get("count") or -1)
        return _method_size(text, "replace", args, {})
    if name == "join":
        items = arguments["value"]
        separator = arguments.get("d", "")
        return sum(weight(i, cap) for i in items) + len(separator) * max(0, len(items) - 1)
    if name == "format":
        values = arguments.get("kwargs") or arguments.get("args", ())
        return printf_size(str(arguments.get("value")), values, cap)
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
        return weight(arguments.get("value"), cap)
    if name == "urlize":
        for key in ("target", "rel"):
            if len(str(arguments.get(key) or "")) > _MAX_LINK_ATTRIBUTE:
                raise SecurityError(f"a link {key} longer than {_MAX_LINK_ATTRIBUTE} characters")
        return 3 * weight(arguments.get("value"), cap)
    return 0


_LEADS = frozenset({"context", "eval_ctx", "environment"})
_SIZED_FILTERS = frozenset(
    {"center", "indent", "wordwrap", "replace", "join", "format", "batch", "slice", "sum",
     "tojson", "urlize"}
)  # fmt: skip


def budgeted_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
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
        spend()
        cap = text_limit()
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
            refuse_past(_filter_size(name, bound.arguments, cap), f"the '{name}' filter")
        elif weighs:
            size = sum(weight(value, cap) for value in (*args, *kwargs.values()))
            refuse_past(size, f"the '{name}' filter")
        return func(*lead, *args, **kwargs)

    return budgeted


def spending(
    budget: Budget,
    work: Callable[[Any, Mapping[str, Any], str, Budget], Any],
    value: Any,
    context: Mapping[str, Any],
    path: str,
) -> Any:
    """`work(value, context, path, budget)` on this thread, with `budget` started and set as
    the budget of the render in progress."""
    budget.start()
    token = BUDGET.set(budget)
    try:
        return work(value, context, path, budget)
    finally:
        BUDGET.reset(token)


@functools.cache
def _threads() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(RENDER_THREADS, thread_name_prefix="kanri-templates")


async def in_thread(
    limits: Limits,
    work: Callable[[Any, Mapping[str, Any], str, Budget], Any],
    value: Any,
    context: Mapping[str, Any],
    path: str,
) -> Any:
    """`spending` a new budget of `limits` on `work`, in a thread of the template pool;
    cancelling the caller stops the render at its next check."""
    budget = Budget(limits)
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(_threads(), spending, budget, work, value, context, path)
    except asyncio.CancelledError:
        budget.cancelled = True  # the thread stops at its next check
        raise
