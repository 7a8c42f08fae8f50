"""The OpenAPI document: operation ids, problem responses and response headers.

A route declares only what it alone knows: its success response, links to the operation
that reads what it made, and the statuses its service adds (402 when a budget blocks a run,
415 for a document type, 503 while a model or reader is unavailable). `complete` derives
the rest from the route itself, so every operation follows the same rules: the guard gives
401, 403 and 429 (and 404 for the project an admin key names), path parameters 404, a body
or a validated parameter 422, a body-carrying method 413, a write or an Idempotency-Key
409, and every response carries `X-Request-Id`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

from kanri.core.auth import guard_of, rate_limited
from kanri.core.http import LISTING_PARAMETERS, PROBLEM_JSON

PROBLEM_REF = "#/components/schemas/Problem"
BODY_ID = "$response.body#/id"  # a link parameter: the `id` of the response's body
_VERSION_SEGMENT = re.compile(r"^v\d+$")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


class Problem(BaseModel):
    """RFC 9457 problem details, as every error response carries them."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(examples=["https://kanri.dev/problems/not-found"])
    title: str
    status: int
    detail: str
    code: str = Field(examples=["NOT_FOUND"])
    errors: list[dict[str, str]] | None = Field(
        default=None, description="one entry per offending input: `field`, `message`, `code`"
    )
    request_id: str | None = None


_DESCRIPTIONS = {
    400: "Bad request: malformed JSON, or a NUL character in the path or query",
    401: "Missing, malformed, unknown, expired or revoked API key",
    402: "A budget's blocking threshold is reached: new runs are refused until the next period",
    403: "The key may not do this",
    404: "Not found",
    409: "Conflict with the current state or an existing resource",
    412: "The resource changed since the ETag sent in `If-Match`",
    413: "Request body larger than the server's limit (KANRI_MAX_BODY_BYTES)",
    415: "Unsupported media type",
    416: "The range asked lies outside the file",
    422: "Validation failed: one error per offending input in `errors`",
    429: "Rate limit reached; retry after `Retry-After` seconds",
    502: "The upstream work failed",
    503: "Temporarily unavailable; retry later",
}


def _header(description: str, schema: dict[str, Any], *, required: bool = False) -> dict[str, Any]:
    return {"description": description, "required": required, "schema": schema}


HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-Id": _header(
        "this request's id (the caller's own `X-Request-Id` when it sent a valid one); quote "
        "it when reporting a problem",
        {"type": "string", "pattern": r"^[A-Za-z0-9._:-]{1,128}$"},
        required=True,
    ),
    "RateLimit-Policy": _header(
        'the quota that applies: `"<policy>";q=<requests>;w=<seconds>` (IETF RateLimit fields)',
        {"type": "string"},
    ),
    "RateLimit": _header(
        'what is left of it: `"<policy>";r=<remaining>;t=<seconds until a request frees up>`',
        {"type": "string"},
    ),
    "Retry-After": _header(
        "seconds to wait before trying again", {"type": "integer", "minimum": 0}, required=True
    ),
    "Location": _header(
        "the path of the resource this request created",
        {"type": "string", "format": "uri-reference"},
        required=True,
    ),
    "Idempotent-Replayed": _header(
        "`true`: the stored answer to an earlier request with the same Idempotency-Key",
        {"type": "string", "enum": ["true"]},
    ),
    "WWW-Authenticate": _header(
        "the scheme to authenticate with", {"type": "string"}, required=True
    ),
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/headers/{name}"}


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for statuses a route adds to the derived ones (problem+json)."""
    return {
        code: {"description": _DESCRIPTIONS[code], "content": _problem_content()} for code in codes
    }


def _problem_content() -> dict[str, Any]:
    return {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}}


def link_to(
    operation: str, *, status: int = 201, location: bool = False, **parameters: str
) -> dict[int | str, Any]:
    """OpenAPI `responses` entry linking a route's answer to `operation` (create → get); each
    keyword names a path parameter of `operation` and the runtime expression filling it
    (`BODY_ID`). `location`: the route sets `Location` on that answer itself."""
    entry: dict[str, Any] = {
        "links": {operation: {"operationId": operation, "parameters": parameters}}
    }
    if location:
        entry["headers"] = {"Location": _ref("Location")}
    return {status: entry}


def sets_location(*statuses: int) -> dict[int | str, Any]:
    """OpenAPI `responses` entries of a route that sets `Location` itself (routes taking an
    Idempotency-Key get it from `complete`)."""
    return {status: {"headers": {"Location": _ref("Location")}} for status in statuses}


# ------------------------------------------------------------------------- operation ids


def _snake(text: str) -> str:
    return _CAMEL.sub("_", text).replace("-", "_").lower()


def operation_id(route: APIRoute) -> str:
    """`<resource>_<verb>`, the operationId of `route` (FastAPI's `generate_unique_id_function`).

    The resource is the path's literal segments (the version dropped), starting at the one
    that names the route's first tag when one does (`/v1/objects/{id}/records` of tag
    `records` → `records`). The verb: `get`, `update`, `replace` or `delete` on an item;
    `list`, `upsert` on a collection; `create` for a POST whose handler is named
    `create_…` or `start_…`; else the custom method (`records:query` → `query`) or the last
    segment (`/runs/{id}/cancel` → `cancel`). A route whose name this rule would not give
    sets `operation_id=` itself."""
    method = sorted(route.methods or {"GET"})[0]
    segments = [s for s in route.path_format.split("/") if s]
    if segments and _VERSION_SEGMENT.match(segments[0]):
        segments = segments[1:]
    custom = None
    if segments and ":" in segments[-1]:
        segments[-1], custom = segments[-1].split(":", 1)
    nouns = [_snake(s) for s in segments if not s.startswith("{")]
    on_item = bool(segments) and segments[-1].startswith("{")
    if custom is not None:
        verb = _snake(custom)
    elif on_item:
        verb = {"GET": "get", "PATCH": "update", "PUT": "replace", "DELETE": "delete"}[method]
    elif method == "GET":
        verb = "list"
    elif method == "PUT":
        verb = "upsert"
    elif method == "POST" and route.name.startswith(("create_", "start_")):
        verb = "create"
    else:
        verb = nouns.pop()
    tag = _snake(str(route.tags[0])) if route.tags else None
    if tag in nouns:
        nouns = nouns[nouns.index(tag) :]
    return "_".join([*nouns, verb])


# ------------------------------------------------------------------------- problems, headers


@dataclass(frozen=True, kw_only=True)
class _Facts:
    """What the document's rules read of one operation."""

    method: str
    section: str | None  # `section:action` of its guard; None: a public route
    organization_only: bool
    writes: bool
    limited: bool
    path_parameters: list[str]
    validated: bool  # a body, or a parameter whose value can fail validation
    idempotent: bool
    listing: bool  # takes a list's filter, order or paging


def _constrained(schema: dict[str, Any]) -> bool:
    """Whether a parameter's schema can reject a value (anything but a plain string)."""
    core = {k: v for k, v in schema.items() if k not in ("title", "description", "default")}
    plain = {"type": "string"}
    return core not in (plain, {"anyOf": [plain, {"type": "null"}]})


def _facts(route: APIRoute, method: str, operation: dict[str, Any]) -> _Facts:
    guard = guard_of(route.dependant)
    parameters = operation.get("parameters", [])
    own = [p for p in parameters if not p["name"].startswith("Kanri-")]
    return _Facts(
        method=method,
        section=f"{guard.section}:{guard.action}" if guard else None,
        organization_only=guard is not None and guard.reach == "organization",
        writes=guard is not None and guard.action == "write" and method != "GET",
        limited=rate_limited(route.dependant),
        path_parameters=[p["name"] for p in own if p["in"] == "path"],
        validated="requestBody" in operation
        or any(
            p["name"] not in LISTING_PARAMETERS and _constrained(p.get("schema", {})) for p in own
        ),
        idempotent=any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in own),
        listing=any(p["name"] in LISTING_PARAMETERS and p["in"] == "query" for p in own),
    )


def _derived(facts: _Facts) -> dict[int, str]:
    """The problem statuses an operation answers by the rules, with their descriptions."""
    bad = ["malformed or too deeply nested JSON", "a NUL character in the path or query"]
    project_reach = facts.section is not None and not facts.organization_only
    if project_reach:
        bad.append("an unknown Kanri-Environment")
    if facts.listing:
        bad.append("a bad filter, order_by, page_size or page_token")
    out = {400: "Bad request: " + ", ".join(bad)}
    if facts.section is not None:
        out[401] = _DESCRIPTIONS[401]
        needs = (
            "an organization admin key"
            if facts.organization_only
            else "an admin key to name a project in Kanri-Project"
        )
        out[403] = (
            f"The key may not do this: it lacks the `{facts.section}` scope (a publishable "
            f"key has none), or the operation needs {needs}"
        )
    missing = ", ".join(f"`{name}`" for name in facts.path_parameters)
    if missing:
        out[404] = (
            f"Not found: nothing the caller may see answers to {missing} (another project's "
            "resources answer 404 too)"
        )
    if project_reach:
        project = "the project an admin key names in Kanri-Project does not exist"
        out[404] = f"{out[404]}; or {project}" if missing else f"Not found: {project}"
    if facts.writes or facts.idempotent:
        out[409] = _DESCRIPTIONS[409] + (
            "; or the Idempotency-Key was used with another request" if facts.idempotent else ""
        )
    sends_body = facts.method in ("POST", "PUT", "PATCH")
    if sends_body:
        out[413] = _DESCRIPTIONS[413]
    if facts.validated or sends_body:  # a JSON body's NaN or Infinity is a 422 on any route
        out[422] = _DESCRIPTIONS[422]
    if facts.limited:
        out[429] = _DESCRIPTIONS[429]
    return out


def _is_problem(response: dict[str, Any]) -> bool:
    """A response entry the rules may (re)write: absent content, or FastAPI's validation
    error or a Problem. A route's own error shape (another content) is left as it is."""
    schemas = [media.get("schema", {}) for media in response.get("content", {}).values()]
    refs = {schema.get("$ref", "") for schema in schemas}
    return refs <= {PROBLEM_REF, "#/components/schemas/HTTPValidationError"}


def _complete_operation(
    operation: dict[str, Any], facts: _Facts, error_content: dict[str, Any] | None
) -> None:
    responses: dict[str, Any] = operation["responses"]
    derived = _derived(facts)
    content = error_content or _problem_content()
    for code, description in derived.items():
        if str(code) not in responses or _is_problem(responses[str(code)]):
            responses[str(code)] = {"description": description, "content": content}
    for status, response in responses.items():
        if status.startswith(("4", "5")) and _is_problem(response):
            response["content"] = content
    for status, response in responses.items():
        headers = response.setdefault("headers", {})
        headers["X-Request-Id"] = _ref("X-Request-Id")
        if facts.limited and status not in ("401", "403", "413"):
            # Set once the quota is spent, so on every success and on every 429.
            sure = status == "429" or status.startswith("2")
            for name in ("RateLimit-Policy", "RateLimit"):
                headers[name] = {**HEADERS[name], "required": sure}
        if status == "429":
            headers["Retry-After"] = _ref("Retry-After")
        elif status == "503":
            headers["Retry-After"] = {**HEADERS["Retry-After"], "required": False}
        elif status == "401":
            headers["WWW-Authenticate"] = _ref("WWW-Authenticate")
        elif status.startswith("2") and facts.idempotent:
            headers["Location"] = _ref("Location")
            headers["Idempotent-Replayed"] = _ref("Idempotent-Replayed")
    operation["responses"] = dict(sorted(responses.items()))


def complete(
    document: dict[str, Any],
    routes: list[tuple[str, APIRoute]],
    error_content: Mapping[str, dict[str, Any]] | None = None,
) -> None:
    """Add to a generated document each operation's problem responses and response headers
    (for `routes`, given as (path, route)), and the components they use. `error_content`
    maps a path prefix to the content of its errors where they are not problem+json."""
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components["headers"] = copy.deepcopy(HEADERS)
    for path, route in routes:
        for method in sorted(route.methods or ()):
            operation = document["paths"].get(path, {}).get(method.lower())
            if operation is not None:
                own = next(
                    (c for prefix, c in (error_content or {}).items() if path.startswith(prefix)),
                    None,
                )
                _complete_operation(operation, _facts(route, method, operation), own)
    # FastAPI's own 422 body, replaced above by the problem every error is.
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
