"""`/docs`: the interactive API reference (Swagger UI). Its script, styles and icon are
served by kanri itself under `/docs/assets/` (the files ship in the `fastapi-offline`
package), so the page loads nothing from another origin and works offline under the
pages' strict Content-Security-Policy (`core/http.page_headers`).

Both the page and its assets are plain routes: `limit_unguarded_routes` puts them under
the public per-address quota, like `/openapi.json`.
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

DOCS_PATH = "/docs"
ASSETS_PATH = "/docs/assets"
_ASSETS_DIRECTORY = Path(fastapi_offline.__file__).parent / "static"
# In the assets' URLs, so a browser keeps them for a year and fetches new ones on upgrade.
_ASSETS_VERSION = version("fastapi-offline")
_KEEP_A_YEAR = "public, max-age=31536000, immutable"


class _Assets(StaticFiles):
    """Swagger UI's files, which a browser may keep: their URLs change with their version."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = _KEEP_A_YEAR
        return response


def add_api_reference(app: FastAPI, *, openapi_url: str) -> None:
    """Serve Swagger UI at `/docs` for the document at `openapi_url`, and its assets under
    `/docs/assets/`. Call before `limit_unguarded_routes`."""

    async def api_reference(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        assets = f"{root}{ASSETS_PATH}"
        return get_swagger_ui_html(
            openapi_url=f"{root}{openapi_url}",
            title=f"{app.title} API reference",
            swagger_js_url=f"{assets}/swagger-ui-bundle.js?v={_ASSETS_VERSION}",
            swagger_css_url=f"{assets}/swagger-ui.css?v={_ASSETS_VERSION}",
            swagger_favicon_url=f"{assets}/favicon.png?v={_ASSETS_VERSION}",
            # No badge that sends the document's URL to the public online validator.
            swagger_ui_parameters={"validatorUrl": None},
        )

    app.add_route(DOCS_PATH, api_reference, include_in_schema=False)
    app.mount(ASSETS_PATH, _Assets(directory=_ASSETS_DIRECTORY), name="docs-assets")
