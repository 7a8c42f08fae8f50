"""Save-time validation of a definition: kinds, ids, jumps, templates, inputs schema."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from kanri.automations.schemas import Definition, RetryPolicy
from kanri.core import regex
from kanri.core.errors import FieldError, ValidationFailed
from kanri.engine import templates
from kanri.engine.registry import COMMON_FIELDS, END, kinds


def _is_template(value: Any) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def validate_definition(definition: Definition, where: str = "body.definition") -> None:
    """Raise ValidationFailed with one error per problem, each naming the step."""
    errors: list[FieldError] = []
    if definition.inputs is not None and (unusable := regex.schema_problem(definition.inputs)):
        errors.append(FieldError(f"{where}.inputs", unusable))
    if definition.concurrency_key is not None:
        for problem in templates.check(definition.concurrency_key, f"{where}.concurrency_key"):
            errors.append(FieldError(problem.path or f"{where}.concurrency_key", problem.message))
    known = kinds()
    seen: dict[str, int] = {}
    for index, step in enumerate(definition.steps):
        at = f"{where}.steps.{index}"
        step_id = step.get("id")
        if not isinstance(step_id, str) or not step_id:
            errors.append(FieldError(f"{at}.id", "every step needs a string `id`"))
            continue
        label = f"step '{step_id}'"
        if step_id in seen or step_id == END:
            errors.append(FieldError(f"{at}.id", f"duplicate step id '{step_id}'"))
        seen[step_id] = index
        kind = known.get(str(step.get("kind")))
        if kind is None:
            errors.append(
                FieldError(
                    f"{at}.kind",
                    f"{label}: unknown kind '{step.get('kind')}'; "
                    f"known: {', '.join(sorted(known))}",
                )
            )
            continue
        own = kind.config.model_fields
        checked = {  # raw expressions (a condition's `if`) are checked as expressions
            key: f"{{{{ {value} }}}}"
            if key in kind.config.raw_fields and isinstance(value, str) and "{{" not in value
            else value
            for key, value in step.items()
        }
        for problem in templates.check(checked, at):
            errors.append(FieldError(problem.path, f"{label}: {problem.message}"))
        for ref in sorted(templates.referenced_steps(checked)):
            if ref not in seen or seen[ref] >= index:
                errors.append(
                    FieldError(at, f"{label} refers to step '{ref}', which does not run before it")
                )
        try:
            if step.get("retry") is not None:
                RetryPolicy.model_validate(step["retry"])
        except ValidationError as exc:
            errors += _pydantic_errors(exc, f"{at}.retry", label)
        timeout = None if "timeout_seconds" in own else step.get("timeout_seconds")
        if timeout is not None and (
            isinstance(timeout, bool)
            or not isinstance(timeout, int | float)
            or not 0 < timeout <= 86_400
        ):
            errors.append(FieldError(f"{at}.timeout_seconds", f"{label}: between 0 and 86400"))
        config = {k: v for k, v in step.items() if k not in COMMON_FIELDS or k in own}
        try:
            parsed = kind.config.model_validate(config)
        except ValidationError as exc:
            # A field holding a template is checked again, rendered, when the step runs.
            errors += _pydantic_errors(exc, at, label, config)
            continue
        for target in kind.targets(parsed):
            if target != END and target not in {s.get("id") for s in definition.steps}:
                errors.append(FieldError(at, f"{label} jumps to unknown step '{target}'"))
    if errors:
        raise ValidationFailed(f"invalid definition: {errors[0].message}", errors=errors)


def _pydantic_errors(
    exc: ValidationError, at: str, label: str, raw: dict[str, Any] | None = None
) -> list[FieldError]:
    out = []
    for error in exc.errors():
        loc = error.get("loc", ())
        if raw is not None and loc and _is_template(raw.get(str(loc[0]))):
            continue
        path = ".".join([at, *(str(p) for p in loc)])
        out.append(FieldError(path, f"{label}: {error.get('msg', 'invalid')}"))
    return out
