"""The OpenAPI document: stable operation ids, links that resolve, descriptions, examples
the schemas and the server accept, the step kinds as a union on `kind`, the problems and
headers each operation answers with, and parameter bounds the server enforces."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import jsonschema
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.utils import generate_unique_id
from pydantic import TypeAdapter
from schemathesis.specs.openapi.definitions import OPENAPI_31

from kanri.automations.schemas import Definition
from kanri.automations.validation import validate_definition
from kanri.core.pagination import MAX_PAGE_SIZE
from kanri.engine.registry import kinds
from tests.factories import Tenant

OPERATION_ID = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")
PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
# Under /v1/openai/ errors take the shape OpenAI's clients read.
OPENAI_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}


@pytest.fixture(params=["planned", "fastapi-router"])
async def client(
    request: pytest.FixtureRequest, app: FastAPI, fastapi_routed_app: FastAPI
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the session app, or of its twin that answers through FastAPI's router."""
    target = app if request.param == "planned" else fastapi_routed_app
    transport = httpx.ASGITransport(app=target, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://kanri.test") as http:
        yield http


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def _routes(app: FastAPI) -> dict[tuple[str, str], APIRoute]:
    found = {}
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and route.include_in_schema:
            for method in route.methods or ():
                found[(route.path_format, method.lower())] = route
    return found


def _validator(document: dict[str, Any], schema: dict[str, Any]) -> jsonschema.Validator:
    """A validator of `schema`, whose `$ref`s point into the document's components."""
    root = {**schema, "components": document["components"]}
    return jsonschema.Draft202012Validator(root, format_checker=jsonschema.FormatChecker())


def _resolved(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_the_document_is_a_valid_openapi_3_1_document(app: FastAPI) -> None:
    document = app.openapi()
    assert document["openapi"].startswith("3.1")
    errors = [e.message for e in jsonschema.Draft202012Validator(OPENAPI_31).iter_errors(document)]
    assert errors == []
    for name, schema in document["components"]["schemas"].items():
        try:
            jsonschema.Draft202012Validator.check_schema(schema)
        except jsonschema.SchemaError as exc:
            pytest.fail(f"{name}: {exc.message}")


def test_the_document_is_the_same_through_fastapis_router(
    app: FastAPI, fastapi_routed_app: FastAPI
) -> None:
    assert app.openapi() == fastapi_routed_app.openapi()


def test_operation_ids_name_a_resource_and_a_verb_once_each(app: FastAPI) -> None:
    document = app.openapi()
    routes = _routes(app)
    ids = Counter(op["operationId"] for _, _, op in _operations(document))
    assert [name for name, count in ids.items() if count > 1] == []
    for path, method, operation in _operations(document):
        name = operation["operationId"]
        route = routes[(path, method)]
        assert OPERATION_ID.match(name), name
        # Not FastAPI's `<function>_<path>_<method>`.
        assert name != generate_unique_id(route), name
        assert "_v1_" not in name, name
        assert not re.fullmatch(rf"{re.escape(route.name)}_\w+_{method}", name), name
    assert {"runs_get", "runs_list", "automations_create", "records_query"} <= set(ids)
    assert {"agents_runs_create", "runs_create", "projects_api_keys_create"} <= set(ids)


def test_every_schema_has_one_name_a_client_can_use(app: FastAPI) -> None:
    """Two models of one name in two features give pydantic's `Decision-Input` and
    `Decision-Output`: two different things that read as two sides of one, and names no
    generated client can use as they are."""
    names = app.openapi()["components"]["schemas"]
    assert [name for name in names if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name)] == []
    # Nor `kanri__content__schemas__Entry` next to `kanri__knowledge__schemas__Entry`.
    assert [name for name in names if name.startswith("kanri__")] == []


def test_every_link_names_an_operation_and_its_path_parameters(app: FastAPI) -> None:
    document = app.openapi()
    by_id = {op["operationId"]: (path, op) for path, _, op in _operations(document)}
    links = 0
    for _, _, operation in _operations(document):
        for response in operation["responses"].values():
            for link in response.get("links", {}).values():
                links += 1
                assert link["operationId"] in by_id, link
                path, target = by_id[link["operationId"]]
                wanted = set(re.findall(r"\{(\w+)\}", path))
                declared = {p["name"] for p in target["parameters"] if p["in"] == "path"}
                assert set(link["parameters"]) == wanted == declared, (link, path)
                for expression in link["parameters"].values():
                    assert expression.startswith("$response.body#/"), expression
    assert links >= 25


def test_every_operation_has_a_summary_a_description_and_a_described_tag(app: FastAPI) -> None:
    document = app.openapi()
    described = {tag["name"] for tag in document["tags"] if tag.get("description")}
    for path, method, operation in _operations(document):
        assert operation.get("summary"), (method, path)
        assert operation.get("description"), (method, path)
        assert set(operation["tags"]) <= described, (method, path, operation["tags"])


def _create_operations(app: FastAPI) -> Iterator[tuple[APIRoute, dict[str, Any]]]:
    routes = _routes(app)
    for path, method, operation in _operations(app.openapi()):
        if operation["operationId"].endswith("_create") and "requestBody" in operation:
            yield routes[(path, method)], operation


def test_every_create_example_fits_its_schema_and_the_server_reads_it(app: FastAPI) -> None:
    document = app.openapi()
    checked = 0
    for route, operation in _create_operations(app):
        media = operation["requestBody"]["content"]["application/json"]
        examples = _resolved(document, media["schema"]).get("examples")
        assert examples, operation["operationId"]
        assert route.body_field is not None
        annotation = route.body_field.field_info.annotation
        assert annotation is not None
        model: TypeAdapter[Any] = TypeAdapter(annotation)
        for example in examples:
            errors = [e.message for e in _validator(document, media["schema"]).iter_errors(example)]
            assert errors == [], (operation["operationId"], errors)
            model.validate_python(example)
            checked += 1
            if operation["operationId"] == "automations_create":
                validate_definition(Definition.model_validate(example["definition"]))
    assert checked >= 20


def test_every_step_kind_is_a_variant_of_the_definitions_steps(app: FastAPI) -> None:
    document = app.openapi()
    schemas = document["components"]["schemas"]
    items = schemas["Definition"]["properties"]["steps"]["items"]
    assert items["discriminator"]["propertyName"] == "kind"
    mapping = items["discriminator"]["mapping"]
    assert set(mapping) == set(kinds())
    assert [variant["$ref"] for variant in items["oneOf"]] == list(mapping.values())
    for name, kind in kinds().items():
        variant = _resolved(document, {"$ref": mapping[name]})
        assert variant["properties"]["kind"]["const"] == name
        assert variant["additionalProperties"] is False
        fields = {f.alias or key: f for key, f in kind.config.model_fields.items()}
        assert set(variant["properties"]) == {*fields, "id", "kind", "retry", "timeout_seconds"}
        required = {key for key, f in fields.items() if f.is_required()}
        assert set(variant["required"]) == required | {"id", "kind"}, name
        for key, field in fields.items():
            if not field.is_required() and field.default_factory is None:
                assert variant["properties"][key].get("default") == field.default, (name, key)


# Steps the document and the server judge alike: (step, valid).
STEPS = {
    "a-wait": ({"id": "a", "kind": "wait", "seconds": 5}, True),
    "a-template-for-a-number": (
        {"id": "a", "kind": "wait", "seconds": "{{ inputs.delay }}"},
        True,
    ),
    "a-word-for-a-number": ({"id": "a", "kind": "wait", "seconds": "soon"}, False),
    "out-of-bounds": ({"id": "a", "kind": "http", "url": "https://x.test", "timeout": 0}, False),
    "an-unknown-field": ({"id": "a", "kind": "http", "url": "https://x.test", "to": 1}, False),
    "an-unknown-kind": ({"id": "a", "kind": "teleport"}, False),
    "a-missing-field": ({"id": "a", "kind": "fail"}, False),
    "an-unknown-level": ({"id": "a", "kind": "log", "message": "hi", "level": "loud"}, False),
    "a-boolean-timeout": (
        {"id": "a", "kind": "log", "message": "hi", "timeout_seconds": True},
        False,
    ),
    "a-kinds-own-timeout": (
        {"id": "a", "kind": "approval", "timeout_seconds": 30 * 86_400},
        True,
    ),
    "a-common-timeout-too-long": (
        {"id": "a", "kind": "log", "message": "hi", "timeout_seconds": 30 * 86_400},
        False,
    ),
    "a-bad-retry": ({"id": "a", "kind": "transform", "retry": {"max_attempts": 50}}, False),
    "an-empty-id": ({"id": "", "kind": "transform"}, False),
}


@pytest.mark.parametrize("case", list(STEPS))
async def test_a_step_is_valid_in_the_document_exactly_when_the_server_saves_it(
    case: str, app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    step, valid = STEPS[case]
    document = app.openapi()
    schema = {"$ref": "#/components/schemas/Definition"}
    definition = {"steps": [step]}
    assert _validator(document, schema).is_valid(definition) is valid
    response = await client.post(
        "/v1/automations",
        json={"name": f"step-{case}", "definition": definition},
        headers=tenant.headers,
    )
    assert response.status_code == (201 if valid else 422), response.text


def _statuses(document: dict[str, Any], path: str, method: str) -> set[str]:
    return set(document["paths"][path][method]["responses"])


def test_problems_follow_each_operation(app: FastAPI) -> None:
    document = app.openapi()
    assert "HTTPValidationError" not in document["components"]["schemas"]
    # A list of a project: the project an admin key names may not exist (404), a boolean
    # parameter may not parse (422); nothing is written or sent.
    environments = _statuses(document, "/v1/environments", "get")
    assert environments == {"200", "400", "401", "403", "404", "422", "429"}
    # The organization's own list: no project, so no 404.
    assert "404" not in _statuses(document, "/v1/projects", "get")
    creates = _statuses(document, "/v1/environments", "post")
    assert {"409", "413", "422"} <= creates
    assert _statuses(document, "/health", "get") == {"200", "400"}
    assert "402" in _statuses(document, "/v1/agents/{agent_id}/runs", "post")
    assert "402" in _statuses(document, "/v1/openai/chat/completions", "post")
    assert "402" not in _statuses(document, "/v1/agents/{agent_id}", "get")
    assert "415" in _statuses(document, "/v1/knowledge/namespaces/{namespace}/entries", "post")
    for path, method, operation in _operations(document):
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                expected = OPENAI_ERROR if path.startswith("/v1/openai/") else PROBLEM
                assert response["content"] == expected, (method, path, status)
            assert "X-Request-Id" in response["headers"], (method, path, status)
        if any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", [])):
            assert "409" in operation["responses"], (method, path)
        if operation["operationId"].endswith("_create"):  # what one of them made: Location
            for status in {"201", "202"} & set(operation["responses"]):
                assert "Location" in operation["responses"][status]["headers"], (path, status)


async def test_the_headers_the_document_requires_are_sent(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    document = app.openapi()
    components = document["components"]["headers"]

    def required(path: str, method: str, status: int) -> set[str]:
        headers = document["paths"][path][method]["responses"][str(status)]["headers"]
        resolved = (
            components[h["$ref"].rsplit("/", 1)[1]] if "$ref" in h else h for h in headers.values()
        )
        return {name for name, header in zip(headers, resolved, strict=True) if header["required"]}

    key = {"Idempotency-Key": "create-staging-once", **tenant.headers}
    created = await client.post("/v1/environments", json={"name": "staging"}, headers=key)
    assert created.status_code == 201, created.text
    wanted = required("/v1/environments", "post", 201)
    assert wanted == {"X-Request-Id", "RateLimit", "RateLimit-Policy", "Location"}
    assert all(name in created.headers for name in wanted)
    assert created.headers["Location"] == f"/v1/environments/{created.json()['id']}"
    replayed = await client.post("/v1/environments", json={"name": "staging"}, headers=key)
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert replayed.headers["Location"] == created.headers["Location"]
    anonymous = await client.get("/v1/environments")
    assert required("/v1/environments", "get", 401) == {"X-Request-Id", "WWW-Authenticate"}
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")


def _parameter(document: dict[str, Any], path: str, method: str, name: str) -> dict[str, Any]:
    parameters = document["paths"][path][method]["parameters"]
    return next(p for p in parameters if p["name"] == name)


@pytest.mark.parametrize(
    ("size", "status"), [(0, 400), (1, 200), (MAX_PAGE_SIZE, 200), (1001, 400)]
)
async def test_page_size_has_the_bounds_the_document_gives(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant, size: int, status: int
) -> None:
    schema = _parameter(app.openapi(), "/v1/runs", "get", "page_size")["schema"]
    assert (schema["minimum"], schema["maximum"]) == (1, MAX_PAGE_SIZE)
    response = await client.get("/v1/runs", params={"page_size": size}, headers=tenant.headers)
    assert response.status_code == status, response.text
    if status == 400:
        assert response.json()["errors"][0]["field"] == "query.page_size"


@pytest.mark.parametrize(("key", "status"), [("ok-key_1", 201), ("two words", 422), ("ключ", 422)])
async def test_an_idempotency_key_has_the_form_the_document_gives(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant, key: str, status: int
) -> None:
    parameter = _parameter(app.openapi(), "/v1/environments", "post", "Idempotency-Key")
    schema = parameter["schema"]["anyOf"][0]
    assert (bool(re.search(schema["pattern"], key)) and len(key) <= schema["maxLength"]) is (
        status == 201
    )
    response = await client.post(
        "/v1/environments",
        json={"name": f"env-{status}-{len(key)}"},
        headers=[
            *((name.encode(), value.encode()) for name, value in tenant.headers.items()),
            (b"Idempotency-Key", key.encode()),  # as sent: UTF-8 bytes
        ],
    )
    assert response.status_code == status, response.text
    if status == 422:
        assert response.json()["errors"][0]["field"] == "header.Idempotency-Key"
