"""The TypeScript client's build (clients/typescript/dist) in headless Chromium: a page of
kanri's origin imports it as an ES module (an import map names openapi-fetch's module) and
calls a live `kanri serve` with it: a create with its idempotency key, a list, a NotFound.

The page and the modules are served by Playwright's routing at kanri's origin, so the calls
are same-origin and nothing is fetched from elsewhere. Debian's `chromium` (`make install`
installs it); without it, or without Node.js, the test skips and says why.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Route, sync_playwright
from tools import gen_client_ts

from tests.engine.processes import Processes, bootstrap, free_port, kanri_env, wait_healthy

CHROMIUM = shutil.which("chromium")
NPM = shutil.which("npm")
CLIENT = gen_client_ts.CLIENT
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="no `chromium` on PATH (Debian's chromium package; `make install` installs it)",
    ),
    pytest.mark.skipif(
        NPM is None or shutil.which("node") is None,
        reason="no `node`/`npm` on PATH: the TypeScript client needs Node.js 20+ and npm",
    ),
    pytest.mark.timeout(300),
]
PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>@kanri/client</title>
<script type="importmap">{"imports": {
  "openapi-fetch": "/__client/openapi-fetch.mjs",
  "@kanri/client": "/__client/dist/index.js"
}}</script></head><body></body></html>"""
SCRIPT = """async (key) => {
  const { Kanri, NotFound } = await import("@kanri/client");
  const kanri = new Kanri({ baseUrl: location.origin, apiKey: key });
  const created = await kanri.post("/v1/environments", { body: { name: "in-a-browser" } });
  const names = (await kanri.list("/v1/environments", { params: { query: { page_size: 1 } } })
    .toArray()).map((environment) => environment.name);
  try {
    await kanri.get("/v1/environments/{environment_id}", {
      params: { path: { environment_id: "nowhere" } },
    });
    return { created: created.name, names, error: null };
  } catch (error) {
    return {
      created: created.name,
      names,
      error: { notFound: error instanceof NotFound, name: error.name, status: error.status,
               requestId: error.requestId, message: error.message },
    };
  }
}"""


@pytest.fixture(scope="module")
def dist() -> Path:
    """The library built with `tsc -b` (a no-op when the build is up to date)."""
    gen_client_ts.npm_ci()
    assert NPM is not None
    subprocess.run([NPM, "run", "build", "--silent"], cwd=CLIENT, check=True, timeout=300)  # noqa: S603
    return CLIENT / "dist"


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, database_url: str
) -> Iterator[tuple[str, str]]:
    """A `kanri serve` on loopback and a secret key of a new project of it."""
    home = tmp_path_factory.mktemp("kanri-ts-browser")
    env = kanri_env(
        home,
        database_url if database_url.startswith("postgresql") else None,
        KANRI_WORKER_ENABLED="false",
    )
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with Processes(home) as processes:
        process = processes.serve("api", env, port).start()
        wait_healthy(base_url, process, within=90)
        admin = {"Authorization": f"Bearer {bootstrap(env, home)}"}
        project = httpx.post(f"{base_url}/v1/projects", json={"name": "web"}, headers=admin)
        assert project.status_code == 201, project.text
        key = httpx.post(
            f"{base_url}/v1/projects/web/api-keys", json={"name": "page"}, headers=admin
        )
        assert key.status_code == 201, key.text
        yield base_url, key.json()["key"]


def test_the_client_calls_kanri_from_a_browser_page(dist: Path, server: tuple[str, str]) -> None:
    base_url, key = server
    files = {
        "/__client/index.html": (PAGE.encode(), "text/html"),
        "/__client/openapi-fetch.mjs": (
            (CLIENT / "node_modules" / "openapi-fetch" / "dist" / "index.mjs").read_bytes(),
            "text/javascript",
        ),
    }
    for module in dist.glob("*.js"):
        files[f"/__client/dist/{module.name}"] = (module.read_bytes(), "text/javascript")
    sent: list[tuple[str, str, str | None]] = []
    outside: list[str] = []

    def route(route: Route) -> None:
        url = route.request.url
        if not url.startswith(f"{base_url}/"):
            outside.append(url)
            route.abort()
            return
        path = url[len(base_url) :].split("?")[0]
        if path in files:
            body, content_type = files[path]
            route.fulfill(status=200, body=body, content_type=content_type)
            return
        headers = route.request.headers
        sent.append((route.request.method, path, headers.get("idempotency-key")))
        route.continue_()

    errors: list[str] = []
    assert CHROMIUM is not None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            context = browser.new_context()
            context.route("**/*", route)
            page = context.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(f"{base_url}/__client/index.html")
            result = page.evaluate(SCRIPT, key)
        finally:
            browser.close()

    assert result["created"] == "in-a-browser"
    assert "in-a-browser" in result["names"]
    assert len(result["names"]) >= 3  # pages of one item each: the tokens were followed
    error = result["error"]
    assert error["notFound"], json.dumps(error)
    assert error["name"] == "NotFound"
    assert error["status"] == 404
    assert error["requestId"].startswith("req_")
    assert f"request_id {error['requestId']}" in error["message"]
    [create] = [item for item in sent if item[0] == "POST"]
    assert create[1] == "/v1/environments"
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", create[2] or ""
    )
    assert sum(1 for item in sent if item[1] == "/v1/environments" and item[0] == "GET") >= 3
    assert outside == []
    assert errors == []
