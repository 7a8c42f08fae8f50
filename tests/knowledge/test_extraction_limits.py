"""Reading uploaded documents within limits: time (worker processes, the event loop stays
free), PDF pages, characters of text and JSON nesting; over one, a problem on the field and
nothing stored."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from kanri.app import create_app
from kanri.config import Settings
from kanri.runtime import Kanri
from tests.factories import Tenant
from tests.knowledge.factories import (
    make_namespace,
    pdf_of_blank_pages,
    pdf_sharing_one_content_stream,
    pdf_with_text,
)

NS = "/v1/knowledge/namespaces"
TIMEOUT = 2.0
MAX_PAGES = 5
MAX_CHARS = 1000


@pytest.fixture(scope="module")
async def limited_app(settings: Settings) -> AsyncIterator[FastAPI]:
    """An app of the same database whose document readers have tight limits."""
    limits = {
        "extract_timeout_seconds": TIMEOUT,
        "extract_max_pages": MAX_PAGES,
        "extract_max_chars": MAX_CHARS,
        "worker_enabled": False,
    }
    application = create_app(settings.model_copy(update=limits))
    async with LifespanManager(application):
        yield application


@pytest.fixture(scope="module")
async def limited_url(limited_app: FastAPI) -> AsyncIterator[str]:
    """The limited app served by uvicorn on a loopback port."""
    config = uvicorn.Config(
        limited_app, host="127.0.0.1", port=0, lifespan="off", log_level="warning"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(1000):  # bounded: 10 s
        if server.started:
            break
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@pytest.fixture
async def limited(limited_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=limited_url, timeout=30) as http:
        yield http


def _problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    return problem


async def _entries(client: httpx.AsyncClient, tenant: Tenant, namespace: str) -> list[Any]:
    listed = await client.get(f"{NS}/{namespace}/entries", headers=tenant.headers)
    assert listed.status_code == 200, listed.text
    data: list[Any] = listed.json()["data"]
    return data


async def test_a_pdf_too_slow_to_read_is_422_in_time_while_health_keeps_answering(
    limited: httpx.AsyncClient, tenant: Tenant
) -> None:
    ns = await make_namespace(limited, tenant)
    upload = f"{NS}/{ns['id']}/entries:upload"
    warm = await limited.post(  # the first document starts the reader processes
        upload, files=[("files", ("warm.json", b'{"a": 1}', "application/json"))],
        headers=tenant.headers,
    )  # fmt: skip
    assert warm.status_code == 201, warm.text
    # Within the page cap: a few pages that each take pypdf many seconds, far past the limit.
    hostile = pdf_sharing_one_content_stream(pages=MAX_PAGES, operations=200_000)
    assert len(hostile) < 4000

    uploading = asyncio.create_task(
        limited.post(
            upload,
            files=[
                ("files", ("fine.txt", b"A short note.", "text/plain")),
                ("files", ("slow.pdf", hostile, "application/pdf")),
            ],
            headers=tenant.headers,
        )
    )
    try:
        # The upload cannot end before the time limit: each /health answered before it did
        # was served while the document was being read.
        for _ in range(5):
            await asyncio.sleep(0.02)
            assert (await limited.get("/health")).status_code == 200
            assert not uploading.done()
        response = await uploading
    finally:
        uploading.cancel()
    problem = _problem(response, 422)
    assert problem["errors"] == [
        {
            "field": "body.files.1",
            "message": f"not read within {TIMEOUT:g} seconds",
            "code": "extraction_timeout",
        }
    ]
    assert [e["title"] for e in await _entries(limited, tenant, ns["id"])] == ["warm.json"]
    # The worker stopped at the limit was replaced: the next document is read.
    after = await limited.post(
        upload,
        files=[("files", ("ok.pdf", pdf_with_text("The ibis wades."), "application/pdf"))],
        headers=tenant.headers,
    )
    assert after.status_code == 201, after.text


async def test_a_pdf_over_the_page_cap_is_413_on_its_field_and_stores_nothing(
    limited: httpx.AsyncClient, tenant: Tenant
) -> None:
    ns = await make_namespace(limited, tenant)
    pages = pdf_of_blank_pages(MAX_PAGES + 1)
    uploaded = await limited.post(
        f"{NS}/{ns['id']}/entries:upload",
        files=[("files", ("long.pdf", pages, "application/pdf"))],
        headers=tenant.headers,
    )
    problem = _problem(uploaded, 413)
    assert problem["code"] == "PAYLOAD_TOO_LARGE"
    assert problem["errors"] == [
        {
            "field": "body.files.0",
            "message": f"more than {MAX_PAGES} pages",
            "code": "too_many_pages",
        }
    ]
    put = await limited.put(
        f"{NS}/{ns['id']}/entries/long",
        json={
            "content_base64": base64.b64encode(pages).decode(),
            "content_type": "application/pdf",
        },
        headers=tenant.headers,
    )
    assert _problem(put, 413)["errors"][0]["field"] == "body.content_base64"
    assert await _entries(limited, tenant, ns["id"]) == []
    fits = await limited.post(
        f"{NS}/{ns['id']}/entries:upload",
        files=[("files", ("ok.pdf", pdf_of_blank_pages(MAX_PAGES), "application/pdf"))],
        headers=tenant.headers,
    )
    assert fits.status_code == 201, fits.text


async def test_a_document_yielding_more_text_than_the_cap_is_413_on_its_field(
    limited: httpx.AsyncClient, tenant: Tenant
) -> None:
    ns = await make_namespace(limited, tenant)
    # 40 short values flatten to `k[0]: xxx…` lines: about 2,300 characters from 2 kB.
    wordy = json.dumps({"k": ["x" * 50] * 40}).encode()
    put = await limited.put(
        f"{NS}/{ns['id']}/entries/wordy",
        json={
            "content_base64": base64.b64encode(wordy).decode(),
            "content_type": "application/json",
        },
        headers=tenant.headers,
    )
    assert _problem(put, 413)["errors"] == [
        {
            "field": "body.content_base64",
            "message": f"more than {MAX_CHARS} characters of text",
            "code": "too_much_text",
        }
    ]
    uploaded = await limited.post(
        f"{NS}/{ns['id']}/entries:upload",
        files=[("files", ("long.txt", b"a" * (MAX_CHARS + 1), "text/plain"))],
        headers=tenant.headers,
    )
    assert _problem(uploaded, 413)["errors"][0]["field"] == "body.files.0"
    assert await _entries(limited, tenant, ns["id"]) == []


async def test_json_nested_deeper_than_the_request_limit_is_422_on_its_field(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    ns = await make_namespace(client, tenant)
    depth = kanri.settings.max_json_depth
    deep = b"[" * 5000 + b"]" * 5000
    uploaded = await client.post(
        f"{NS}/{ns['id']}/entries:upload",
        files=[("files", ("deep.json", deep, "application/json"))],
        headers=tenant.headers,
    )
    assert _problem(uploaded, 422)["errors"] == [
        {
            "field": "body.files.0",
            "message": f"nested deeper than {depth} levels",
            "code": "too_deep",
        }
    ]
    url = f"{NS}/{ns['id']}/entries/deep"
    encoded = await client.put(
        url,
        json={
            "content_base64": base64.b64encode(deep).decode(),
            "content_type": "application/json",
        },
        headers=tenant.headers,
    )
    assert _problem(encoded, 422)["errors"][0]["field"] == "body.content_base64"
    inline = await client.put(
        url,
        json={"text": deep.decode(), "content_type": "application/json"},
        headers=tenant.headers,
    )
    assert _problem(inline, 422)["errors"][0]["field"] == "body.text"
    assert await _entries(client, tenant, ns["id"]) == []
    at_the_limit = b"[" * depth + b'"ok"' + b"]" * depth
    fits = await client.post(
        f"{NS}/{ns['id']}/entries:upload",
        files=[("files", ("fits.json", at_the_limit, "application/json"))],
        headers=tenant.headers,
    )
    assert fits.status_code == 201, fits.text
