"""Errors under `/v1/openai/` in OpenAI's shape, `{"error": {"message", "type", "code",
"param"}}`, with the statuses kanri answers everywhere: the `openai` SDKs read the message,
code and param from there (problem+json would leave them a bare "Error code: 404")."""

from __future__ import annotations

from typing import Any

from kanri.core.errors import NotFound

PREFIX = "/v1/openai/"
# How the API document shows these errors (`ErrorResponse`, openai_compat/schemas.py).
CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}

# kanri's codes OpenAI has a name of its own for.
_OPENAI_CODES = {"UNAUTHORIZED": "invalid_api_key", "RATE_LIMITED": "rate_limit_exceeded"}
_TYPES = {401: "authentication_error", 403: "permission_error", 429: "rate_limit_error"}
_PROBLEM_FIELDS = frozenset({"type", "title", "status", "detail", "code", "errors", "request_id"})
_LOCATIONS = frozenset({"body", "query", "path", "header"})


class ModelNotFound(NotFound):
    code = "MODEL_NOT_FOUND"
    title = "Model not found"


def _param(field: str) -> str | None:
    """A field error's field as OpenAI names a parameter: without its location (`body.`)."""
    head, _, rest = field.partition(".")
    if head in _LOCATIONS:
        return rest or None
    return field


def openai_error(problem: dict[str, Any]) -> dict[str, Any]:
    """The body OpenAI's clients expect for `problem` (kanri's RFC 9457 problem): its detail
    (with what each offending field is told, when the detail does not say it) as `message`;
    a type by status; kanri's code in lower case, or OpenAI's name for it; the first offending
    field as `param`; and kanri's own extra members (such as `run_id`)."""
    status = int(problem["status"])
    detail = str(problem["detail"])
    errors: list[dict[str, str]] = problem.get("errors") or []
    told = [f"{e['field']}: {e['message']}" for e in errors[:5] if e["message"] not in detail]
    code = str(problem["code"])
    extra = {k: v for k, v in problem.items() if k not in _PROBLEM_FIELDS}
    error: dict[str, Any] = {
        **extra,
        "message": f"{detail} ({'; '.join(told)})" if told else detail,
        "type": "server_error" if status >= 500 else _TYPES.get(status, "invalid_request_error"),
        "code": _OPENAI_CODES.get(code, code.lower()),
        "param": _param(errors[0]["field"]) if errors else None,
    }
    return {"error": error}
