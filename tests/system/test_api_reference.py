"""`/docs`, the interactive API reference: everything it loads comes from kanri itself."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx

# What a browser fetches for the page: its scripts, styles, icon, and the document that
# Swagger UI's inline script loads (`url: '/openapi.json'`).
_REFERENCES = re.compile(rb"""(?:\bsrc=|\bhref=|\burl:\s*)["']([^"']+)["']""")
_CONTENT_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".png": "image/png",
    ".json": "application/json",
}


async def test_the_api_reference_loads_only_what_kanri_serves(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/docs")
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    references = [url.decode() for url in _REFERENCES.findall(page.content)]
    assert len(references) == 4, references
    assert [url for url in references if not url.startswith("/") or url.startswith("//")] == []
    assert re.search(rb"https?:|//", page.content) is None  # no other host, in any form
    for url in references:
        asset = await client.get(url)
        path = url.partition("?")[0]
        assert asset.status_code == 200, url
        expected = _CONTENT_TYPES[path[path.rindex(".") :]]
        assert asset.headers["Content-Type"].startswith(expected), url
        assert asset.headers["X-Content-Type-Options"] == "nosniff"
        assert asset.headers["RateLimit-Policy"].startswith('"ip"'), url  # the public quota
        assert len(asset.content) > 1000, url
        if path.startswith("/docs/assets/"):
            # versioned URLs: a browser keeps them, and fetches new ones after an upgrade
            assert asset.headers["Cache-Control"] == "public, max-age=31536000, immutable"
            assert "?v=" in url
        if path.endswith(".js"):
            assert b"SwaggerUIBundle" in asset.content


async def test_the_api_reference_page_runs_under_the_pages_policy(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/docs")
    policy = page.headers["Content-Security-Policy"]
    directives = dict(part.split(" ", 1) for part in policy.split("; "))
    [inline] = re.findall(rb"<script>(.*?)</script>", page.content, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(inline).digest()).decode()
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == f"'self' 'sha256-{digest}'"
    assert directives["style-src"] == "'self'"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Cache-Control"] == "no-store"
    # no call from the page to the public online validator
    assert b'"validatorUrl": null' in inline


async def test_an_unknown_api_reference_asset_is_a_problem_not_found(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/docs/assets/no-such-file.js")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "NOT_FOUND"
    assert response.headers["Cache-Control"] == "no-store"
