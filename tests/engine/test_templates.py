from __future__ import annotations

import asyncio
import contextlib
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest

from kanri.engine import templates
from kanri.engine.template_budget import MAX_RENDERED_CHARS, RENDER_THREADS, Limits
from kanri.engine.templates import TemplateError, check, evaluate, referenced_steps, render, truthy

# A trillion loop iterations, days of rendering: a render of it ends only at a limit.
ENDLESS = (
    "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}"
    "{% for d in range(1000) %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}"
)
UNCOUNTED = 10**15  # an iteration limit no render here reaches


def run_context(**inputs: Any) -> dict[str, Any]:
    return {
        "inputs": inputs,
        "steps": {"fetch": {"output": {"total": 3, "items": [{"id": "a"}, {"id": "b"}]}}},
        "run": {"id": "run_1", "attempt": 1},
    }


class Secretive:
    """A context object whose private method must never run from a template."""

    def __init__(self) -> None:
        self.calls = 0

    def _reveal(self) -> str:
        self.calls += 1
        return "secret"


def test_a_single_expression_keeps_its_native_type() -> None:
    context = run_context(n=42, flag=False)
    assert render("{{ inputs.n * 2 }}", context) == 84
    assert render("{{ inputs.n / 8 }}", context) == 5.25
    assert render("{{ inputs.flag }}", context) is False
    assert render("{{ none }}", context) is None
    assert render("{{ steps.fetch.output }}", context) == {
        "total": 3,
        "items": [{"id": "a"}, {"id": "b"}],
    }
    assert render("{{ steps.fetch.output['items'] | map(attribute='id') | list }}", context) == [
        "a",
        "b",
    ]


def test_whitespace_and_trim_markers_keep_a_single_expression_native() -> None:
    context = run_context(n=7)
    assert render("  {{ inputs.n }}\n", context) == 7
    assert render("{{- inputs.n -}}", context) == 7
    assert render('{{ "}}" }}', context) == "}}"


def test_mixed_text_renders_to_a_string() -> None:
    context = run_context(n=42, name="Ada")
    assert render("Hello {{ inputs.name }}, n={{ inputs.n }}", context) == "Hello Ada, n=42"
    assert render("{{ inputs.n }}{{ inputs.n }}", context) == "4242"
    assert render("{% if inputs.n > 3 %}big{% else %}small{% endif %}", context) == "big"
    assert render("{{ inputs.n }} {# note #}", context) == "42 "


def test_rendering_walks_dicts_and_lists_and_leaves_keys_alone() -> None:
    definition = {
        "url": "https://api.example.com/{{ inputs.name }}",
        "headers": {"{{ not a key template }}": "{{ inputs.n }}"},
        "body": {"items": ["{{ inputs.n + 1 }}", "plain", 5]},
    }
    assert render(definition, run_context(n=1, name="ada")) == {
        "url": "https://api.example.com/ada",
        "headers": {"{{ not a key template }}": 1},
        "body": {"items": [2, "plain", 5]},
    }


def test_rendering_leaves_plain_strings_and_numbers_alone() -> None:
    marker = "no template here { } %"
    value = {"text": marker, "n": 1.5, "ok": True, "nothing": None, "list": [1, "a"]}
    rendered = render(value, {})
    assert rendered == value
    assert rendered["text"] is marker
    assert render(12, {}) == 12


def test_undefined_variables_name_the_path_and_the_variable() -> None:
    context = run_context()
    with pytest.raises(TemplateError) as missing_name:
        render({"output": {"total": "{{ totl }}"}}, context)
    assert missing_name.value.path == "output.total"
    assert missing_name.value.message == "'totl' is undefined"
    assert str(missing_name.value) == "output.total: 'totl' is undefined"

    with pytest.raises(TemplateError) as missing_attribute:
        render({"body": ["x", "sum: {{ steps.fetch.output.count }}"]}, context)
    assert missing_attribute.value.path == "body.1"
    assert "'count'" in missing_attribute.value.message

    with pytest.raises(TemplateError) as inside_a_list:
        render("{{ [inputs.absent] }}", context, "body")
    assert inside_a_list.value.path == "body"
    assert "'absent'" in inside_a_list.value.message


def test_runtime_errors_become_template_errors_without_tracebacks() -> None:
    with pytest.raises(TemplateError) as division:
        render("{{ inputs.n / 0 }}", run_context(n=1), "output.ratio")
    assert str(division.value) == "output.ratio: ZeroDivisionError: division by zero"
    assert "Traceback" not in division.value.message

    with pytest.raises(TemplateError) as types:
        render("{{ inputs.n + 'a' }}", run_context(n=1), "x")
    assert types.value.message.startswith("TypeError: unsupported operand")


def test_a_template_error_without_a_path_reads_as_its_message() -> None:
    with pytest.raises(TemplateError) as error:
        render("{{ nope }}", {})
    assert error.value.path == ""
    assert str(error.value) == "'nope' is undefined"


def test_the_sandbox_refuses_private_attributes() -> None:
    secretive = Secretive()
    context = {"inputs": {"n": 1}, "thing": secretive}
    attempts = [
        "{{ inputs.__class__ }}",
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ inputs.__class__.__init__.__globals__ }}",
        "text {{ thing._reveal() }}",
        "{{ thing._reveal() }}",
        "{{ thing['_reveal']() }}",
    ]
    for attempt in attempts:
        with pytest.raises(TemplateError) as refused:
            render(attempt, context, "body")
        assert refused.value.path == "body"
        assert refused.value.message.startswith("not allowed:"), attempt
    assert secretive.calls == 0


def test_templates_cannot_change_the_values_other_steps_read() -> None:
    context = run_context(tags=["a"])
    with pytest.raises(TemplateError, match="not allowed"):
        render("{{ inputs.tags.append('b') }}", context)
    with pytest.raises(TemplateError, match="not allowed"):
        render("{{ steps.fetch.output.clear() }}", context)
    assert context["inputs"]["tags"] == ["a"]
    assert context["steps"]["fetch"]["output"]["total"] == 3


def test_rendered_text_is_capped_at_a_million_characters() -> None:
    just_under = "{% for i in range(10) %}{{ 'x' * 100000 }}{% endfor %}"
    assert len(render(just_under, {})) == MAX_RENDERED_CHARS
    with pytest.raises(TemplateError, match="more than 1,000,000 characters"):
        render("{% for i in range(11) %}{{ 'x' * 100000 }}{% endfor %}", {}, "body")
    with pytest.raises(TemplateError, match="not allowed"):
        render("{{ 'x' * 10**9 }}", {})
    with pytest.raises(TemplateError, match="not allowed"):
        render("{{ 2 ** (10 ** 9) }}", {})
    squaring = "{% set ns = namespace(n=3) %}{% for i in range(40) %}{% set ns.n = ns.n * ns.n %}"
    with pytest.raises(TemplateError, match="a product whose result exceeds 65,536 bits"):
        render(squaring + "{% endfor %}", {})


def test_check_compiles_huge_constant_expressions_without_evaluating_them() -> None:
    assert check({"body": "{{ 'x' * 10**12 }}", "n": "{{ 9 ** (9 ** 9) }}"}) == []


def test_check_reports_syntax_errors_with_their_path() -> None:
    definition = {
        "id": "notify",
        "url": "https://example.com/{{ inputs.id",
        "headers": {"Authorization": "Bearer {{ inputs.token }}"},
        "body": {"items": ["fine", "line one\n{{ inputs.x | no_such_filter }}"]},
        "when": "{% if %}",
        "pair": "{{ a, b }}",
    }
    problems = check(definition, "steps.0")
    by_path = {p.path: p.message for p in problems}
    assert list(by_path) == ["steps.0.url", "steps.0.body.items.1", "steps.0.when", "steps.0.pair"]
    assert by_path["steps.0.url"].startswith("syntax error on line 1:")
    assert by_path["steps.0.body.items.1"] == (
        "syntax error on line 2: No filter named 'no_such_filter'."
    )
    assert by_path["steps.0.when"].startswith("syntax error on line 1: Expected an expression")


def test_check_accepts_plain_values_and_valid_templates() -> None:
    definition = {
        "text": "100% { not a template }",
        "n": 3,
        "list": [None, True, "{{ steps.fetch.output.total }}"],
        "mixed": "{% for i in inputs.items %}{{ i }},{% endfor %}",
    }
    assert check(definition) == []


def test_referenced_steps_finds_attribute_and_item_access() -> None:
    definition = {
        "url": "https://x.test/{{ steps.fetch.output.id }}",
        "headers": {"X-Key": '{{ steps["get-token"].output.key }}'},
        "body": [
            "{% if steps.check.output.result %}yes{% endif %}",
            "{{ steps['later'] }}",
            "{{ inputs.steps.not_a_step }}",
            "{{ steps[inputs.which] }}",
            "{{ steps['not an id'] }}",
            "steps.plain_text_is_not_a_template",
        ],
        "broken": "{{ steps.broken",
    }
    assert referenced_steps(definition) == {"fetch", "get-token", "check", "later"}


def test_evaluate_accepts_bare_expressions_and_templates() -> None:
    context = run_context(n=5)
    assert evaluate("inputs.n > 3", context) is True
    assert evaluate("{{ inputs.n > 30 }}", context) is False
    assert evaluate("steps.fetch.output.total", context) == 3
    assert evaluate("{% if inputs.n %}yes{% endif %}", context) == "yes"


def test_evaluate_reports_errors_with_the_path() -> None:
    with pytest.raises(TemplateError) as undefined:
        evaluate("inputs.missing > 3", run_context(), "if")
    assert undefined.value.path == "if"
    assert "'missing'" in undefined.value.message
    with pytest.raises(TemplateError) as syntax:
        evaluate("inputs.n >", run_context(n=1), "if")
    assert syntax.value.message.startswith("syntax error on line 1:")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("false", False),
        ("False", False),
        (" OFF\n", False),
        ("no", False),
        ("0", False),
        ("", False),
        ("true", True),
        ("yes", True),
        ("none", True),
        (0, False),
        (1, True),
        ([], False),
        ({"a": 1}, True),
        (None, False),
    ],
)
def test_truthy_strings(value: Any, expected: bool) -> None:
    assert truthy(value) is expected


def _peak_bytes(work: Callable[[], object]) -> int:
    """The most memory Python held above the start while `work` ran."""
    tracemalloc.start()
    try:
        with contextlib.suppress(TemplateError):
            work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    ("source", "refusal"),
    [
        ("{{ 'a'.ljust(400000000) | length }}", "'ljust' making more than 1,000,000 characters"),
        ("x{{ 'a' | center(400000000) }}", "the 'center' filter making more than 1,000,000"),
        ("{{ '{:>400000000}'.format(1) }}", "'format' making more than 1,000,000 characters"),
        ("{{ '%400000000s' % 'a' }}", "formatting with '%' making more than 1,000,000"),
        ("{{ '%400000000s' | format('a') }}", "the 'format' filter making more than"),
        ("{{ ('a' * 1000000).replace('a', 'bb') }}", "'replace' making more than 1,000,000"),
        ("{{ (('a' * 1000) | safe).replace('a', 'x' * 10000) }}", "'replace' making more than"),
        ("{{ range(20000) | join('x' * 100) }}", "the 'join' filter making more than"),
        ("{{ ('\n' * 100000) | indent(100) }}", "the 'indent' filter making more than"),
        ("{{ [1] | batch(400000000, 'x') | list }}", "the 'batch' filter making more than"),
        ("{{ (1).to_bytes(400000000, 'big') }}", "'to_bytes' making more than 1,000,000"),
        ("{{ [inputs.s] * 1000 }}", "repeating a sequence beyond 1,000,000 items"),
        ("a{{ [inputs.s] * 9 + [inputs.s] * 9 }}", "writing a value making more than 1,000,000"),
        (
            "{% set ns = namespace(a='x') %}{% for i in range(40) %}"
            "{% set ns.a = ns.a ~ ns.a %}{% endfor %}",
            "joining with '~' making more than 1,000,000 characters",
        ),
        ("{{ [[1] * 1000] * 1000 | sum(start=[]) }}", "'sum' adds numbers only"),
    ],
)
def test_text_past_the_size_limit_is_refused_before_it_is_made(source: str, refusal: str) -> None:
    context = run_context(s="x" * 100_000)
    with pytest.raises(TemplateError) as refused:
        render(source, context, "output")
    assert refused.value.path == "output"
    assert refused.value.message.startswith("not allowed: "), refused.value.message
    assert refusal in refused.value.message
    assert _peak_bytes(lambda: render(source, context)) < 20_000_000


def test_blocks_and_macros_that_build_text_past_the_limit_stop_at_it() -> None:
    context = run_context(s="x" * 100_000)
    for source in [
        "{% macro m() %}{% for i in range(20) %}{{ inputs.s }}{% endfor %}{% endmacro %}"
        "{{ m() | length }}",
        "{% set x %}{% for i in range(20) %}{{ inputs.s }}{% endfor %}{% endset %}{{ x | length }}",
    ]:
        with pytest.raises(TemplateError, match="renders to more than 1,000,000 characters"):
            render(source, context, "output")
        assert _peak_bytes(lambda s=source: render(s, context)) < 20_000_000  # type: ignore[misc]


def test_compiling_never_runs_filters_of_constants() -> None:
    # Folded while compiling, the first would make 400 MB of text, the second a million lists
    # (about 70 MB).
    peak = _peak_bytes(lambda: check({"body": "x{{ 'a' | center(400000000) }}"}))
    assert peak < 20_000_000
    slices = {"slices": "{{ [1] | slice(1000000) | list }}"}
    assert check(slices) == []
    assert _peak_bytes(lambda: check(slices)) < 20_000_000


def test_loop_iterations_and_calls_are_capped_per_render() -> None:
    nested = "{% for a in range(2000) %}{% for b in range(1000) %}{% endfor %}{% endfor %}"
    with pytest.raises(TemplateError) as stopped:
        render({"output": nested}, {})
    assert str(stopped.value) == "output: stopped after 1,000,000 loop iterations and calls"

    small = Limits(max_iterations=1000)
    assert render("{% for i in range(990) %}{% endfor %}done", {}, limits=small) == "done"
    with pytest.raises(TemplateError, match="stopped after 1,000 loop iterations and calls"):
        render("{% for i in range(1100) %}{% endfor %}", {}, limits=small)
    recursive = "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}"
    with pytest.raises(TemplateError, match="stopped after 1,000 loop iterations and calls"):
        render(recursive + "{{ f(30) }}", {}, limits=small)


def test_a_render_stops_at_its_time_limit_naming_it() -> None:
    # Only the clock stops these loops, and the message names which limit did.
    with pytest.raises(TemplateError) as stopped:
        render(ENDLESS, {}, "output", Limits(seconds=0.1, max_iterations=UNCOUNTED))
    assert stopped.value.message == "stopped after 0.1 s of rendering"
    step = Limits(seconds=5, max_iterations=UNCOUNTED).within(0.1)
    with pytest.raises(TemplateError) as step_stopped:
        evaluate(ENDLESS, {}, "if", step)
    assert step_stopped.value.message == (
        "stopped after 0.1 s of rendering (the step's timeout_seconds)"
    )
    assert Limits(seconds=5).within(9).seconds == 5


def test_a_native_value_is_a_json_copy_or_a_clear_error() -> None:
    context = run_context()
    steps = render("{{ steps }}", context)
    assert steps == context["steps"]
    assert steps is not context["steps"]
    assert steps["fetch"]["output"]["items"] is not context["steps"]["fetch"]["output"]["items"]
    assert render("{{ range(3) }}", context) == [0, 1, 2]
    assert render("{{ steps.fetch.output['items'] | map(attribute='id') }}", context) == ["a", "b"]
    assert render("{{ {1: (2, 3)} }}", context) == {"1": [2, 3]}
    for source, message in [
        ("{{ self }}", "the template's value is not JSON: a TemplateReference"),
        ("{{ namespace(a=1) }}", "the template's value is not JSON: a Namespace"),
        ("{{ 1e308 * 10 }}", "the template's value is not JSON: a non-finite number (inf)"),
        ("{{ 10 ** 5000 }}", "the template's value is not JSON: an integer too large"),
        ("{{ {(1, 2): 3} }}", "the template's value is not JSON: it has a tuple key"),
    ]:
        with pytest.raises(TemplateError) as refused:
            render({"output": source}, context)
        assert str(refused.value) == f"output: {message}"


async def test_costly_templates_render_off_the_event_loop() -> None:
    # Loops only a 60 s limit (or cancelling) stops: the render is certainly still going while
    # the event loop takes its turns below. Run on the loop, it would end before the first turn.
    limits = Limits(seconds=60, max_iterations=UNCOUNTED)
    rendering = asyncio.create_task(templates.render_async({"output": ENDLESS}, {}, limits=limits))
    for _ in range(10):
        await asyncio.sleep(0)
        assert await templates.render_async("{{ 2 * 21 }}", {}) == 42
        assert not rendering.done()
    rendering.cancel()  # the thread stops at its next check
    with pytest.raises(asyncio.CancelledError):
        await rendering
    assert await templates.evaluate_async("range(3) | list | length > 2", {}) is True


async def test_a_cancelled_render_stops_its_thread() -> None:
    # Loops stopped only by a limit longer than pytest-timeout's: the threads are given back
    # in time only if cancelling stops the renders.
    limits = Limits(seconds=300, max_iterations=UNCOUNTED)
    renders = [asyncio.create_task(templates.render_async(ENDLESS, {}, limits=limits))]
    renders += [
        asyncio.create_task(templates.render_async(ENDLESS, {}, limits=limits))
        for _ in range(RENDER_THREADS - 1)
    ]
    await asyncio.sleep(0.05)
    for task in renders:
        task.cancel()
    await asyncio.gather(*renders, return_exceptions=True)
    # Every thread of the pool was taken: this render waits for one to be given back.
    assert await templates.render_async("{% for i in range(3) %}{{ i }}{% endfor %}", {}) == "012"
