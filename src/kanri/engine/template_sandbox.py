"""The Jinja2 sandbox templates render in: immutable, so a template cannot change the inputs
or step outputs other steps read, and bound by the render's budget (`template_budget`)."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from jinja2 import StrictUndefined, nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context, LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment

from kanri.engine.template_budget import (
    BUDGET,
    Refused,
    budgeted_filter,
    printf_size,
    refuse_past,
    sized_call,
    spend,
    text_limit,
    weight,
)

# An integer power or product above this many bits is refused before it is computed.
_MAX_POWER_BITS = 1 << 16
_NUMBERS = frozenset({int, float, bool})
_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "*": operator.mul,
    "**": operator.pow,
    "%": operator.mod,
    "+": operator.add,
}
_T = TypeVar("_T")


def _is_container(value: Any) -> bool:
    return isinstance(value, Mapping | list | tuple | set | frozenset)


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
        refuse_past(weight(value, text_limit()), "writing a value")
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
        self.filters = {name: budgeted_filter(name, f) for name, f in self.filters.items()}

    def counted(self, iterable: Iterable[_T]) -> Iterable[_T]:
        budget = BUDGET.get()
        return iterable if budget is None else budget.counted(iterable)

    def concat(self, parts: Iterable[str]) -> str:
        """The text of a block, a macro or a `{% set %}` block, within the size limit."""
        pieces = list(parts)
        cap = text_limit()
        if sum(map(len, pieces)) > cap:
            raise Refused(f"renders to more than {cap:,} characters")
        return "".join(pieces)

    def concat_values(self, values: tuple[Any, ...]) -> str:
        """`a ~ b ~ ...`: each made text, within the size limit."""
        cap = text_limit()
        texts = []
        for value in values:
            if _is_container(value):
                refuse_past(weight(value, cap), "joining with '~'")
            texts.append(value if isinstance(value, str) else str(value))
        refuse_past(sum(map(len, texts)), "joining with '~'")
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
            cap = text_limit()
            for sequence, times in ((left, right), (right, left)):
                if not isinstance(times, int) or times <= 0:
                    continue
                if isinstance(sequence, str | bytes):
                    size = len(sequence)
                elif isinstance(sequence, list | tuple):
                    size = weight(sequence, cap // times + 1) - 1
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
            refuse_past(printf_size(left, right, text_limit()), "formatting with '%'")
        elif (
            operator == "+"
            and isinstance(left, str | bytes | list | tuple)
            and isinstance(right, str | bytes | list | tuple)
        ):
            refuse_past(len(left) + len(right), "adding")
        return _BINOPS[operator](left, right)

    def call(
        __self,  # the sandbox's own signature: keeps `self` free as an argument name
        __context: Context,
        __obj: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        spend()
        if isinstance(__obj, LoopContext) and args:  # a recursive loop's next level
            args = (__self.counted(args[0]), *args[1:])
        else:
            args = sized_call(__obj, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)


ENV = _Sandbox(
    undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True, finalize=_finalize
)
