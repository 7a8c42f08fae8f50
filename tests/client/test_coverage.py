"""Every operation of the OpenAPI document has a client method that calls it: each
method of both clients is called against a recording transport, and the requests it makes
are matched to the document's operations by HTTP method and path."""

from __future__ import annotations

import asyncio
import inspect
import re
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import httpx
import pydantic
from fastapi import FastAPI

from kanri.client import AsyncKanri, Kanri, KanriError
from kanri.client._resources import OPERATIONS

METHODS = ("get", "post", "put", "patch", "delete")


def _operations(app: FastAPI) -> dict[str, tuple[str, str, bool]]:
    out = {}
    for path, ops in app.openapi()["paths"].items():
        for method, op in ops.items():
            if method in METHODS:
                idempotent = any(p["name"] == "Idempotency-Key" for p in op.get("parameters", []))
                out[op["operationId"]] = (method.upper(), path, idempotent)
    return out


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{[^}]+\}", template)
    return re.compile("[^/]+".join(re.escape(part) for part in parts) + "$")


def _matcher(operations: dict[str, tuple[str, str, bool]]) -> Callable[[str, str], str | None]:
    # the most literal template first: /v1/policies/default before /v1/policies/{policy_id},
    # …/versions/{a}...{b}:diff before …/versions/{version}
    compiled = sorted(
        (
            (-len(re.sub(r"\{[^}]+\}", "", path)), op_id, method, _pattern(path))
            for op_id, (method, path, _) in operations.items()
        ),
        key=lambda item: item[0],
    )

    def match(method: str, path: str) -> str | None:
        for _, op_id, want, pattern in compiled:
            if want == method and pattern.match(path):
                return op_id
        return None

    return match


def _arguments(fn: Callable[..., Any]) -> tuple[list[Any], dict[str, Any]]:
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for name, param in inspect.signature(fn).parameters.items():
        if param.default is not inspect.Parameter.empty:
            continue
        value: Any = [("a.txt", b"hello", "text/plain")] if name in ("files", "paths") else "x1"
        if name == "paths":
            value = []
        if param.kind is inspect.Parameter.KEYWORD_ONLY:
            kwargs[name] = value
        else:
            args.append(value)
    return args, kwargs


def _answer(request: httpx.Request) -> httpx.Response:
    if request.headers.get("accept") == "text/event-stream":
        return httpx.Response(200, text="", headers={"Content-Type": "text/event-stream"})
    return httpx.Response(200, json={"data": [], "next_page_token": None})


def _resources(client: Any) -> list[Any]:
    return [
        getattr(client, name)
        for name in dir(client)
        if not name.startswith("_") and hasattr(getattr(client, name), "_transport")
    ]


def test_the_route_table_is_the_documents(app: FastAPI) -> None:
    assert _operations(app) == OPERATIONS


def test_every_operation_is_called_by_a_sync_method(app: FastAPI) -> None:
    operations = _operations(app)
    match = _matcher(operations)
    called: set[str] = set()

    def record(request: httpx.Request) -> httpx.Response:
        op_id = match(request.method, request.url.path)
        assert op_id is not None, f"{request.method} {request.url.path} is no operation"
        called.add(op_id)
        return _answer(request)

    http = httpx.Client(transport=httpx.MockTransport(record))
    client = Kanri(base_url="http://kanri.test", api_key="k", http_client=http, max_retries=0)
    for resource in _resources(client):
        for name, fn in inspect.getmembers(resource, inspect.ismethod):
            if name.startswith("_"):
                continue
            args, kwargs = _arguments(fn)
            try:
                result = fn(*args, **kwargs)
                if hasattr(result, "__iter__") and not isinstance(result, dict | list | str):
                    list(result)
            except (pydantic.ValidationError, KanriError, KeyError):
                pass
    assert sorted(set(operations) - called) == []


async def test_every_operation_is_called_by_an_async_method(app: FastAPI) -> None:
    operations = _operations(app)
    match = _matcher(operations)
    called: set[str] = set()

    def record(request: httpx.Request) -> httpx.Response:
        op_id = match(request.method, request.url.path)
        assert op_id is not None, f"{request.method} {request.url.path} is no operation"
        called.add(op_id)
        return _answer(request)

    http = httpx.AsyncClient(transport=httpx.MockTransport(record))
    client = AsyncKanri(base_url="http://kanri.test", api_key="k", http_client=http, max_retries=0)
    for resource in _resources(client):
        for name, fn in inspect.getmembers(resource, inspect.ismethod):
            if name.startswith("_"):
                continue
            args, kwargs = _arguments(fn)
            try:
                result = fn(*args, **kwargs)
                if asyncio.iscoroutine(result):
                    await result
                elif hasattr(result, "__aiter__"):
                    async for _ in result:
                        pass
            except (pydantic.ValidationError, KanriError, KeyError):
                pass
    assert sorted(set(operations) - called) == []


def test_the_client_imports_nothing_of_the_server() -> None:
    code = (
        "import sys, kanri.client; "
        "print(sorted(m for m in sys.modules if m.startswith('kanri') "
        "and not m.startswith('kanri.client') and m != 'kanri'))"
    )
    done = subprocess.run(  # noqa: S603 - this interpreter
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
