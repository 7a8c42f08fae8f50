"""The interactive API reference: Swagger UI at `/docs`, ReDoc at `/redoc`. Their scripts,
styles and icon are served by kanri itself under `/docs/assets/` (the files ship in the
`fastapi-offline` package: Swagger UI 5, ReDoc 2.5), so neither page loads anything from
another origin: they work offline, under the pages' strict Content-Security-Policy
(`core/http.page_headers`). ReDoc's script needs three additions to it, on `/redoc` only
(`_REDOC_SOURCES`; docs/security.md says why each is harmless).

The pages and their assets are plain routes: `limit_unguarded_routes` puts them under the
public per-address quota, like `/openapi.json`.
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

from kanri.core.http import allow_on_page, csp_hash

DOCS_PATH = "/docs"
REDOC_PATH = "/redoc"
ASSETS_PATH = "/docs/assets"
_ASSETS_DIRECTORY = Path(fastapi_offline.__file__).parent / "static"
# In the assets' URLs, so a browser keeps them for a year and fetches new ones on upgrade.
_ASSETS_VERSION = version("fastapi-offline")
_KEEP_A_YEAR = "public, max-age=31536000, immutable"
# What ReDoc's bundle does that the pages' policy forbids. Its scripts stay 'self' only.
_REDOC_SOURCES = {
    "style-src": [
        # styled-components' <style> elements: created empty, their rules then added through
        # the CSSOM (insertRule), which the policy does not govern.
        csp_hash(b""),
        # perfect-scrollbar's styles, a fixed <style> in the bundle of ReDoc 2.5.3 (the
        # browser test fails on a policy violation when an upgrade changes them).
        "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
    ],
    # Search runs in a web worker that the bundle starts from a blob: URL of its own code.
    "worker-src": ["blob:"],
}


class _Assets(StaticFiles):
    """The pages' files, which a browser may keep: their URLs change with their version."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = _KEEP_A_YEAR
        return response


def add_api_reference(app: FastAPI, *, openapi_url: str) -> None:
    """Serve Swagger UI at `/docs` and ReDoc at `/redoc` for the document at `openapi_url`,
    and their assets under `/docs/assets/`. Call before `limit_unguarded_routes`."""
    title = f"{app.title} API reference"

    def asset(request: Request, name: str) -> str:
        root = request.scope.get("root_path", "")
        return f"{root}{ASSETS_PATH}/{name}?v={_ASSETS_VERSION}"

    def document(request: Request) -> str:
        return f"{request.scope.get('root_path', '')}{openapi_url}"

    async def swagger_ui(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=document(request),
            title=title,
            swagger_js_url=asset(request, "swagger-ui-bundle.js"),
            swagger_css_url=asset(request, "swagger-ui.css"),
            swagger_favicon_url=asset(request, "favicon.png"),
            # No badge that sends the document's URL to the public online validator.
            swagger_ui_parameters={"validatorUrl": None},
        )

    async def redoc(request: Request) -> HTMLResponse:
        for directive, sources in _REDOC_SOURCES.items():
            allow_on_page(request, directive, *sources)
        return get_redoc_html(
            openapi_url=document(request),
            title=title,
            redoc_js_url=asset(request, "redoc.standalone.js"),
            redoc_favicon_url=asset(request, "favicon.png"),
            with_google_fonts=False,  # the system's fonts: nothing from another origin
        )

    app.add_route(DOCS_PATH, swagger_ui, include_in_schema=False)
    app.add_route(REDOC_PATH, redoc, include_in_schema=False)
    app.mount(ASSETS_PATH, _Assets(directory=_ASSETS_DIRECTORY), name="docs-assets")
