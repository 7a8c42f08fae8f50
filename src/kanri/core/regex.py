"""Regular expressions written by users, matched with RE2 (`google-re2`).

Python's `re` backtracks: `(a+)+$` against thirty `a`s and a `!` runs for minutes, holding
whatever thread runs it. RE2 matches in time linear in the text for any pattern. It has no
backreferences or lookaround and caps counted repetition at 1000, so such a pattern is
refused where it is saved, with RE2's reason.

Every pattern that comes from a user goes through here: a judge's regex check (`search`), and
`pattern` / `patternProperties` in a JSON Schema a user wrote (`schema_validator` to validate,
`schema_problem` when the schema is saved).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import jsonschema
import re2
from jsonschema import Draft202012Validator, ValidationError
from jsonschema.protocols import Validator

# RE2's budget for one compiled pattern (its default); a bigger program is refused.
MAX_PROGRAM_MEMORY = 8 << 20


class UnsupportedPattern(ValueError):
    """The pattern is not a regular expression RE2 runs; the message says why."""


@functools.lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> Any:
    """`pattern` compiled by RE2 (cached). Raises UnsupportedPattern when RE2 refuses it:
    invalid syntax, backreferences, lookaround, repetition over 1000, too big a program."""
    options = re2.Options()
    options.log_errors = False
    options.max_mem = MAX_PROGRAM_MEMORY
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else "invalid pattern"
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise UnsupportedPattern(f"not a supported regular expression: {reason}") from None


def check(pattern: str) -> str:
    """`pattern` itself when RE2 runs it; raises UnsupportedPattern (for validators)."""
    compile_pattern(pattern)
    return pattern


def search(pattern: str, text: str) -> bool:
    """Whether `pattern` matches anywhere in `text`; raises UnsupportedPattern."""
    return compile_pattern(pattern).search(text) is not None


# ---------------------------------------------------------------- JSON Schema


def _search_or_none(pattern: str, text: str) -> bool | None:
    try:
        return search(pattern, text)
    except UnsupportedPattern:
        return None


def _unsupported(pattern: str) -> ValidationError:
    return ValidationError(f"the schema's pattern {pattern!r} is not supported by RE2")


def _pattern(
    validator: Validator, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "string"):
        return
    found = _search_or_none(pattern, instance)
    if found is None:
        yield _unsupported(pattern)
    elif not found:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(
    validator: Validator, patterns: dict[str, Any], instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            found = _search_or_none(pattern, key)
            if found is None:
                yield _unsupported(pattern)
                break
            if found:
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(
    validator: Validator, additional: Any, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    properties = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    extras = [
        key
        for key in instance
        if key not in properties and not any(_search_or_none(p, key) for p in patterns)
    ]
    if validator.is_type(additional, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], additional, path=extra)
    elif not additional and extras:
        joined = ", ".join(repr(each) for each in sorted(extras))
        if patterns:
            listed = ", ".join(repr(each) for each in sorted(patterns))
            yield ValidationError(f"{joined} not matched by any of the patterns {listed}")
        else:
            yield ValidationError(f"Additional properties are not allowed ({joined} unexpected)")


def _uses(schema: Any, keyword: str) -> bool:
    """Whether `keyword` appears as a key anywhere in `schema`."""
    if isinstance(schema, dict):
        return keyword in schema or any(_uses(v, keyword) for v in schema.values())
    if isinstance(schema, list):
        return any(_uses(v, keyword) for v in schema)
    return False


_UNEVALUATED_WITH_PATTERNS = (
    "unevaluatedProperties cannot be combined with patternProperties in this schema"
)
_unevaluated_properties = Draft202012Validator.VALIDATORS["unevaluatedProperties"]


def _unevaluated_properties_without_patterns(
    validator: Validator, unevaluated: Any, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    # jsonschema matches patternProperties with Python's `re` when it looks for the
    # properties that were evaluated: that combination is refused rather than run.
    if _uses(validator.schema, "patternProperties"):
        yield ValidationError(_UNEVALUATED_WITH_PATTERNS)
        return
    yield from _unevaluated_properties(validator, unevaluated, instance, schema)


SchemaValidator = jsonschema.validators.extend(
    Draft202012Validator,
    {
        "pattern": _pattern,
        "patternProperties": _pattern_properties,
        "additionalProperties": _additional_properties,
        "unevaluatedProperties": _unevaluated_properties_without_patterns,
    },
)


def schema_validator(schema: dict[str, Any]) -> Validator:
    """A JSON Schema (2020-12) validator of `schema` whose patterns match with RE2."""
    validator: Validator = SchemaValidator(schema)
    return validator


_SCHEMA_FORMATS = jsonschema.FormatChecker()
_SCHEMA_FORMATS.checks("regex", raises=UnsupportedPattern)(check)


def schema_problem(schema: Any) -> str | None:
    """Why `schema` cannot be used to validate (not a valid JSON Schema 2020-12, a pattern
    RE2 does not run, unevaluatedProperties with patternProperties), or None."""
    try:
        Draft202012Validator.check_schema(schema, format_checker=_SCHEMA_FORMATS)
    except jsonschema.SchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path)
        if isinstance(exc.cause, UnsupportedPattern):
            return f"pattern {exc.instance!r} at /{where}: {exc.cause}"
        return f"not a valid JSON Schema: {exc.message}"
    if _uses(schema, "patternProperties") and _uses(schema, "unevaluatedProperties"):
        return _UNEVALUATED_WITH_PATTERNS
    return None
