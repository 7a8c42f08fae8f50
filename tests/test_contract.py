"""Contract test: schemathesis fuzzes every operation of the OpenAPI document against a server.

Design:

* The server is a real `kanri serve` subprocess on 127.0.0.1:<free port>, not the session's
  in-process app: that app and its database writer live in pytest-asyncio's session event
  loop, while schemathesis calls synchronously. On PostgreSQL the subprocess shares the
  session's test database (already reset and migrated by the `database_url` fixture) under an
  organization of its own; on SQLite it gets a data directory of its own.
* The operations are collected from the document `create_app().openapi()` builds in-process
  (schemathesis' lazy `from_fixture` loader does not work with pytest 9.2: it writes
  `Function._nodeid`, which pytest 9.2 no longer has); `test_contract_document_is_served`
  checks that `/openapi.json` of the running server is that same document.
* Projects (`/v1/projects*`) are called with the organization admin key (a project key gets a
  403 there), everything else with a full-access project key; the operations an admin key
  may also call (`reach="either"`) run a second time with the admin key.
* The fuzzing phase substitutes ids of real resources into path parameters half of the time
  (see `KNOWN`), so 200 bodies are validated, not only 404 problems. Destructive operations
  get sacrificial resources, never the key the run depends on. Likewise half of the list
  queries get a well-formed AIP-160 filter over the resource's typed fields (`FILTER_FIELDS`).
* Deterministic: a fixed seed, derandomized Hypothesis, no example database.
* The same operations run against a second server with `KANRI_PLANNED_ROUTES=false`
  (FastAPI's own router and handlers, `test_contract_through_fastapis_router`), with
  fewer examples each: the planned handlers must answer as FastAPI's would, and the
  fallback must keep the contract when a FastAPI upgrade breaks them.
* `test_contract_edge_case` sends hand-picked edge inputs through the same checks.

Run alone with `pytest -k contract`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

import httpx
import hypothesis
import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis import checks
from schemathesis.core.failures import ServerError
from tools import fuzz

from kanri.app import create_app
from kanri.config import Settings
from tests.factories import bearer, unique

pytestmark = pytest.mark.slow
ApiCase: TypeAlias = schemathesis.Case[Any]

SEED = 20_240_601
MAX_EXAMPLES = 15
FASTAPI_ROUTER_MAX_EXAMPLES = 5  # the second server; the full run takes five minutes


def not_an_undocumented_server_error(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: ApiCase
) -> bool | None:
    """A 5xx fails unless the operation documents it: an upstream that failed (502 of the
    chat completions when the agent's provider does not answer), a model or a document
    reader unavailable (503). An unexpected error (500) is documented nowhere."""
    if response.status_code >= 500 and (
        case.operation.responses.find_by_status_code(response.status_code) is None
    ):
        raise ServerError(operation=case.operation.label, status_code=response.status_code)
    return None


CHECKS = [
    not_an_undocumented_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]
# Not used, as they conflict with documented behaviour:
# * positive_data_acceptance: some rules are documented in prose only (`expires_at` "in the
#   future", a wait step's "exactly one of `seconds` or `until`"), and filters, orders and page
#   tokens are free strings, so schema-valid requests get a documented 400/422.
# * negative_data_rejection: its "negative" cases include requests the API rightly accepts
#   (it flagged PATCH /v1/environments/{id} with the schema-valid body {"name": null} sent
#   with random undeclared headers, which HTTP APIs ignore).

# Real resources to put into path parameters, by operation label; filled by `contract_server`.
KNOWN: dict[str, list[dict[str, str]]] = {}


def _document() -> dict[str, Any]:
    settings = Settings(secret_key="contract-" + "x" * 40, redis_url=None, log_level="warning")
    document: dict[str, Any] = create_app(settings).openapi()
    return document


DOCUMENT = _document()
schema = schemathesis.openapi.from_dict(
    DOCUMENT,
    config=schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {
                "mode": "all",  # positive and negative cases
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",  # no .hypothesis/ directory, no replay of old failures
            },
        }
    ),
).exclude(
    # Live streams never end: tests/events and tests/observability cover them.
    path=["/v1/events/stream", "/v1/logs:tail"]
)


@schema.hook
def flatmap_path_parameters(
    context: schemathesis.HookContext, path_parameters: dict[str, Any]
) -> st.SearchStrategy[dict[str, Any]]:
    """Half of the fuzzed path parameters become ids of real resources."""
    operation = context.operation
    known = KNOWN.get(operation.label, []) if operation is not None else []
    if not known:
        return st.just(path_parameters)
    real = st.sampled_from([{**path_parameters, **ids} for ids in known])
    return st.one_of(st.just(path_parameters), real)


# Fields of the list operations' `filter` (AIP-160), by type, as the documentation lists them.
STRING, TIMESTAMP, INTEGER = "string", "timestamp", "integer"
_KEY_FIELDS = {
    **dict.fromkeys(("id", "name", "kind", "environment_id"), STRING),
    **dict.fromkeys(("create_time", "expires_at", "revoked_at"), TIMESTAMP),
}
FILTER_FIELDS: dict[str, dict[str, str]] = {
    "GET /v1/projects": {
        **dict.fromkeys(("id", "name", "display_name"), STRING),
        **dict.fromkeys(("create_time", "update_time"), TIMESTAMP),
    },
    "GET /v1/environments": {
        **dict.fromkeys(("id", "name"), STRING),
        **dict.fromkeys(("create_time", "update_time"), TIMESTAMP),
    },
    "GET /v1/api-keys": _KEY_FIELDS,
    "GET /v1/projects/{project_id}/api-keys": _KEY_FIELDS,
    "GET /v1/audit-logs": {
        **dict.fromkeys(("action", "resource_type", "resource_id", "actor", "request_id"), STRING),
        "create_time": TIMESTAMP,
        "seq": INTEGER,
    },
}


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _rfc3339(year: int, month: int, hour: int, sign: str, offset_hours: int, minutes: int) -> str:
    offset = "Z" if sign == "Z" else f"{sign}{offset_hours:02d}:{minutes:02d}"
    return f"{year:04d}-{month:02d}-01T{hour:02d}:{minutes:02d}:00{offset}"


_VALUES: dict[str, st.SearchStrategy[str]] = {
    STRING: st.text(max_size=12).map(_quoted) | st.sampled_from(["null", "true", "7", '"*"']),
    TIMESTAMP: st.builds(
        _rfc3339,
        st.integers(1, 9999),
        st.integers(1, 12),
        st.integers(0, 23),
        st.sampled_from(["Z", "+", "-"]),
        st.integers(0, 23),
        st.integers(0, 59),
    ).map(_quoted)
    | st.just("null"),
    INTEGER: st.integers().map(str) | st.just("null"),
}


def _filters(fields: dict[str, str]) -> st.SearchStrategy[str]:
    """Well-formed AIP-160 filters: typed comparisons joined by AND, OR or juxtaposition."""
    comparison = st.sampled_from(sorted(fields)).flatmap(
        lambda name: st.tuples(
            st.sampled_from(["", "NOT ", "-"]),
            st.just(name),
            st.sampled_from(["=", "!=", "<", "<=", ">", ">=", ":"]),
            _VALUES[fields[name]],
        ).map(lambda parts: f"{parts[0]}{parts[1]} {parts[2]} {parts[3]}")
    )
    joiners = st.lists(st.sampled_from([" AND ", " OR ", " "]), min_size=2, max_size=2)
    return st.tuples(st.lists(comparison, min_size=1, max_size=3), joiners).map(_joined)


def _joined(parts: tuple[list[str], list[str]]) -> str:
    terms, joiners = parts
    text = terms[0]
    for joiner, term in zip(joiners, terms[1:], strict=False):
        text += joiner + term
    return text


@schema.hook
def flatmap_query(
    context: schemathesis.HookContext, query: dict[str, Any] | None
) -> st.SearchStrategy[dict[str, Any] | None]:
    """Half of the fuzzed list queries get a well-formed filter (random text rarely parses)."""
    operation = context.operation
    fields = FILTER_FIELDS.get(operation.label) if operation is not None else None
    if not fields or not isinstance(query, dict):
        return st.just(query)
    # The filter alone: other parameters out of range would answer 400 before it is parsed.
    parsed = _filters(fields).map(lambda text: {"filter": text})
    return st.one_of(st.just(query), parsed)


# Headers that frame the HTTP message itself: a random value makes the HTTP server refuse
# the request before kanri sees it (uvicorn's bare 400), which no document describes.
FRAMING_HEADERS = {"content-length", "transfer-encoding", "host", "connection", "expect"}


@schema.hook
def map_headers(
    context: schemathesis.HookContext, headers: dict[str, Any] | None
) -> dict[str, Any] | None:
    """Generated requests keep HTTP's own framing: no random Content-Length or Host."""
    if headers is None:
        return None
    return {name: value for name, value in headers.items() if name.lower() not in FRAMING_HEADERS}


@dataclass(frozen=True)
class Server:
    base_url: str
    admin_key: str  # organization admin key: the only kind /v1/projects* accepts
    project_key: str  # full-access secret key of the project the run works in
    log: Path


def _created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _set_up_tenant(http: httpx.Client, admin_key: str) -> str:
    """Create the run's project and key plus sacrificial resources; fill KNOWN; return the key."""
    admin = bearer(admin_key)
    project = _created(http.post("/v1/projects", json={"name": unique("contract")}, headers=admin))
    spare = _created(http.post("/v1/projects", json={"name": unique("spare")}, headers=admin))
    key = _created(
        http.post(f"/v1/projects/{project['id']}/api-keys", json={"name": "run"}, headers=admin)
    )
    project_key: str = key["key"]
    member = bearer(project_key)
    environment = _created(
        http.post("/v1/environments", json={"name": unique("env")}, headers=member)
    )
    to_revoke = _created(http.post("/v1/api-keys", json={"name": "to revoke"}, headers=member))
    to_rotate = _created(http.post("/v1/api-keys", json={"name": "to rotate"}, headers=member))

    own = [{"project_id": project["id"]}, {"project_id": project["name"]}]
    KNOWN.update(
        {
            "GET /v1/projects/{project_id}": [*own, {"project_id": spare["id"]}],
            # Only the spare project is changed or deleted: a rate limit of 1/min on the run's
            # project would turn the rest of the run into 429s.
            "PATCH /v1/projects/{project_id}": [{"project_id": spare["id"]}],
            "DELETE /v1/projects/{project_id}": [{"project_id": spare["id"]}],
            "GET /v1/projects/{project_id}/api-keys": own,
            "POST /v1/projects/{project_id}/api-keys": own,
            "GET /v1/environments/{environment_id}": [
                {"environment_id": "production"},
                {"environment_id": environment["id"]},
            ],
            "PATCH /v1/environments/{environment_id}": [{"environment_id": environment["id"]}],
            "DELETE /v1/environments/{environment_id}": [{"environment_id": environment["id"]}],
            "GET /v1/api-keys/{key_id}": [{"key_id": key["id"]}, {"key_id": to_revoke["id"]}],
            # Never the run's own key: revoking or rotating it would end the run in 401s.
            "DELETE /v1/api-keys/{key_id}": [{"key_id": to_revoke["id"]}],
            "POST /v1/api-keys/{key_id}/rotate": [{"key_id": to_rotate["id"]}],
        }
    )
    return project_key


@pytest.fixture(scope="module")
def contract_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, database_url: str
) -> Iterator[Server]:
    """A `kanri serve` whose routes are planned, or (param "fastapi-router") answered by
    FastAPI's own router. One at a time: each fills `KNOWN` with its own resources."""
    data_dir = tmp_path_factory.mktemp("kanri-contract")
    planned = str(request.param == "planned").lower()
    env = fuzz.server_env(data_dir, database_url, KANRI_PLANNED_ROUTES=planned)
    try:
        with fuzz.running_server(data_dir, env, unique("contract")) as live:
            with httpx.Client(base_url=live.base_url, timeout=10) as http:
                project_key = _set_up_tenant(http, live.admin_key)
            yield Server(live.base_url, live.admin_key, project_key, live.log)
    finally:
        KNOWN.clear()


def _owner_key(case: ApiCase, server: Server) -> str:
    return server.admin_key if case.path.startswith("/v1/projects") else server.project_key


def _admin_key(_: ApiCase, server: Server) -> str:
    return server.admin_key


KEYS: dict[str, Callable[[ApiCase, Server], str]] = {
    "owner-key": _owner_key,  # the admin key for /v1/projects*, the project key elsewhere
    "admin-key": _admin_key,
}


def _call_and_validate(case: ApiCase, key: str, server: Server) -> None:
    case.call_and_validate(
        base_url=server.base_url, headers=bearer(KEYS[key](case, server)), checks=CHECKS
    )


PLANNED = pytest.mark.parametrize("contract_server", ["planned"], indirect=True)
FASTAPI_ROUTER = pytest.mark.parametrize("contract_server", ["fastapi-router"], indirect=True)
BOTH = pytest.mark.parametrize("contract_server", ["planned", "fastapi-router"], indirect=True)


@BOTH
def test_contract_document_is_served(contract_server: Server) -> None:
    response = httpx.get(f"{contract_server.base_url}/openapi.json", timeout=10)
    assert response.status_code == 200
    assert response.json() == DOCUMENT


# The `key` parametrization also gives every operation its own node id on pytest 9.2
# (schemathesis' items otherwise all share `test_contract`).
@schema.parametrize()
@pytest.mark.parametrize("key", ["owner-key"])
@PLANNED
@hypothesis.settings(deadline=None)
def test_contract(case: ApiCase, key: str, contract_server: Server) -> None:
    _call_and_validate(case, key, contract_server)


@schema.parametrize()
@pytest.mark.parametrize("key", ["owner-key"])
@FASTAPI_ROUTER
@hypothesis.settings(deadline=None, max_examples=FASTAPI_ROUTER_MAX_EXAMPLES)
def test_contract_through_fastapis_router(case: ApiCase, key: str, contract_server: Server) -> None:
    _call_and_validate(case, key, contract_server)


# Operations that also take an organization admin key (`reach="either"`): another code path.
either = schema.include(path_regex=r"^/v1/(audit-logs|api-keys/\{key_id\})")


@either.parametrize()
@pytest.mark.parametrize("key", ["admin-key"])
@PLANNED
@hypothesis.settings(deadline=None)
def test_contract_with_admin_key(case: ApiCase, key: str, contract_server: Server) -> None:
    _call_and_validate(case, key, contract_server)


@either.parametrize()
@pytest.mark.parametrize("key", ["admin-key"])
@FASTAPI_ROUTER
@hypothesis.settings(deadline=None, max_examples=FASTAPI_ROUTER_MAX_EXAMPLES)
def test_contract_with_admin_key_through_fastapis_router(
    case: ApiCase, key: str, contract_server: Server
) -> None:
    _call_and_validate(case, key, contract_server)


@dataclass(frozen=True, kw_only=True)
class Edge:
    method: str
    path: str
    path_parameters: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


# Inputs at edges the fuzzer reaches only by luck, under the same contract checks.
EDGE_CASES = {
    # NUL characters: PostgreSQL text cannot hold them.
    "nul-in-body-description": Edge(
        method="POST", path="/v1/environments", body={"name": "nul", "description": "a\x00b"}
    ),
    "nul-in-body-display-name": Edge(
        method="POST", path="/v1/projects", body={"name": "nul", "display_name": "a\x00b"}
    ),
    "nul-in-body-key-name": Edge(method="POST", path="/v1/api-keys", body={"name": "a\x00b"}),
    "nul-in-path-environment": Edge(
        method="GET",
        path="/v1/environments/{environment_id}",
        path_parameters={"environment_id": "a\x00b"},
    ),
    "nul-in-path-project": Edge(
        method="GET", path="/v1/projects/{project_id}", path_parameters={"project_id": "a\x00b"}
    ),
    "nul-in-path-key": Edge(
        method="GET", path="/v1/api-keys/{key_id}", path_parameters={"key_id": "a\x00b"}
    ),
    "nul-in-filter": Edge(
        method="GET", path="/v1/environments", query={"filter": 'name = "a\x00b"'}
    ),
    # Valid RFC 3339 timestamps whose UTC value lies outside years 1-9999.
    "filter-timestamp-after-9999": Edge(
        method="GET",
        path="/v1/environments",
        query={"filter": 'create_time > "9999-12-31T23:59:59-23:59"'},
    ),
    "filter-timestamp-before-0001": Edge(
        method="GET",
        path="/v1/projects",
        query={"filter": 'create_time < "0001-01-01T00:00:00+14:00"'},
    ),
    "expires-at-after-9999": Edge(
        method="POST",
        path="/v1/api-keys",
        body={"name": "far", "expires_at": "9999-12-31T23:59:59-23:59"},
    ),
    # Integers beyond the column's range.
    "filter-integer-beyond-int32": Edge(
        method="GET", path="/v1/audit-logs", query={"filter": "seq > 2147483648"}
    ),
    "filter-integer-beyond-int64": Edge(
        method="GET", path="/v1/audit-logs", query={"filter": "seq > 99999999999999999999999"}
    ),
    # The edge middleware's limits (default 1 MiB bodies, JSON 32 levels deep).
    "body-too-large": Edge(
        method="POST", path="/v1/environments", body={"name": "big", "description": "x" * (1 << 20)}
    ),
    "json-too-deep": Edge(
        method="POST", path="/v1/environments", body={"name": "deep", "description": _nested(40)}
    ),
}


@pytest.mark.parametrize("name", list(EDGE_CASES))
@BOTH
def test_contract_edge_case(name: str, contract_server: Server) -> None:
    edge = EDGE_CASES[name]
    operation = schema[edge.path][edge.method]
    if edge.body is None:
        case = operation.Case(path_parameters=edge.path_parameters, query=edge.query)
    else:
        case = operation.Case(
            path_parameters=edge.path_parameters,
            query=edge.query,
            body=edge.body,
            media_type="application/json",
        )
    _call_and_validate(case, "owner-key", contract_server)
