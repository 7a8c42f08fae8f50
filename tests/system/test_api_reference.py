"""`/docs` (Swagger UI) and `/redoc` (ReDoc), the interactive API reference: everything they
load comes from kanri itself. (`test_api_reference_in_a_browser` opens them in Chromium.)"""

from __future__ import annotations

import base64
import hashlib
import re

import httpx
import pytest

# What a browser fetches for a page: its scripts, styles, icon, and the document that
# Swagger UI's inline script (`url: '/openapi.json'`) or ReDoc's element (`spec-url=`) loads.
_REFERENCES = re.compile(rb"""(?:\bsrc=|\bhref=|\bspec-url=|\burl:\s*)["']([^"']+)["']""")
_CONTENT_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".png": "image/png",
    ".json": "application/json",
}


@pytest.mark.parametrize(
    ("path", "references", "script"), [("/docs", 4, b"SwaggerUIBundle"), ("/redoc", 3, b"Redoc")]
)
async def test_the_api_reference_loads_only_what_kanri_serves(
    client: httpx.AsyncClient, path: str, references: int, script: bytes
) -> None:
    page = await client.get(path)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    found = [url.decode() for url in _REFERENCES.findall(page.content)]
    assert len(found) == references, found
    assert "/openapi.json" in found
    assert [url for url in found if not url.startswith("/") or url.startswith("//")] == []
    assert re.search(rb"https?:|//", page.content) is None  # no other host, in any form
    for url in found:
        asset = await client.get(url)
        file = url.partition("?")[0]
        assert asset.status_code == 200, url
        expected = _CONTENT_TYPES[file[file.rindex(".") :]]
        assert asset.headers["Content-Type"].startswith(expected), url
        assert asset.headers["X-Content-Type-Options"] == "nosniff"
        assert asset.headers["RateLimit-Policy"].startswith('"ip"'), url  # the public quota
        assert len(asset.content) > 1000, url
        if file.startswith("/docs/assets/"):
            # versioned URLs: a browser keeps them, and fetches new ones after an upgrade
            assert asset.headers["Cache-Control"] == "public, max-age=31536000, immutable"
            assert "?v=" in url
        if file.endswith(".js"):
            assert script in asset.content


async def test_swagger_ui_runs_under_the_pages_policy(client: httpx.AsyncClient) -> None:
    page = await client.get("/docs")
    directives = _policy(page)
    [inline] = re.findall(rb"<script>(.*?)</script>", page.content, re.DOTALL)
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == f"'self' {_sha256(inline)}"
    assert directives["style-src"] == "'self'"
    assert "worker-src" not in directives  # ReDoc's addition is on /redoc only
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Cache-Control"] == "no-store"
    # no call from the page to the public online validator
    assert b'"validatorUrl": null' in inline


async def test_redoc_runs_under_the_pages_policy_and_three_additions_of_its_own(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/redoc")
    directives = _policy(page)
    [inline] = re.findall(rb"<style>(.*?)</style>", page.content, re.DOTALL)
    assert b"<script>" not in page.content
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"].split() == [
        "'self'",
        _sha256(inline),  # the page's own style
        _sha256(b""),  # styled-components' empty <style> elements, filled through the CSSOM
        "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",  # perfect-scrollbar's styles
    ]
    assert directives["worker-src"] == "blob:"  # ReDoc's search
    assert directives["img-src"] == "'self' data:"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Cache-Control"] == "no-store"


def _policy(page: httpx.Response) -> dict[str, str]:
    """The page's Content-Security-Policy: each directive's sources, by its name."""
    policy = page.headers["Content-Security-Policy"]
    return dict(part.split(" ", 1) for part in policy.split("; "))


def _sha256(content: bytes) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(content).digest()).decode()}'"


async def test_an_unknown_api_reference_asset_is_a_problem_not_found(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/docs/assets/no-such-file.js")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "NOT_FOUND"
    assert response.headers["Cache-Control"] == "no-store"
