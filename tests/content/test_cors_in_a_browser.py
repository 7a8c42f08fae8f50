"""A page on another loopback origin fetches a published entry with a publishable key in
headless Chromium: allowed from an origin the key lists, refused from one it does not.

The browser is Debian's `chromium`; Playwright drives it and downloads nothing.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from playwright.sync_api import sync_playwright

from tests.engine.processes import Processes, bootstrap, free_port, kanri_env, wait_healthy

CHROMIUM = shutil.which("chromium")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="no `chromium` on PATH (Debian's chromium package; `make install` installs it)",
    ),
    pytest.mark.timeout(180),
]
_PAGE = b"<!doctype html><title>site</title><p>a site</p>"


class _Site(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(_PAGE)))
        self.end_headers()
        self.wfile.write(_PAGE)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def sites() -> Iterator[tuple[str, str]]:
    """Two loopback origins serving a page: (allowed, not allowed)."""
    servers = [ThreadingHTTPServer(("127.0.0.1", free_port()), _Site) for _ in range(2)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield tuple(f"http://127.0.0.1:{s.server_address[1]}" for s in servers)  # type: ignore[misc]
    for server in servers:
        server.shutdown()


@pytest.fixture(scope="module")
def published(
    tmp_path_factory: pytest.TempPathFactory, database_url: str, sites: tuple[str, str]
) -> Iterator[tuple[str, str]]:
    """A live `kanri serve` with a published entry; (its URL, a publishable key for the
    first site's origin)."""
    home = tmp_path_factory.mktemp("kanri-cors")
    env = kanri_env(
        home,
        database_url if database_url.startswith("postgresql") else None,
        KANRI_WORKER_ENABLED="false",
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with Processes(home) as processes:
        server = processes.serve("api", env, port).start()
        wait_healthy(base, server)
        admin = {"Authorization": f"Bearer {bootstrap(env, home)}"}
        with httpx.Client(base_url=base, timeout=30) as http:
            project = http.post("/v1/projects", json={"name": "site"}, headers=admin).json()
            keys = f"/v1/projects/{project['id']}/api-keys"
            secret = http.post(keys, json={"name": "editor"}, headers=admin).json()["key"]
            public = http.post(
                keys,
                json={"name": "site", "kind": "publishable", "allowed_origins": [sites[0]]},
                headers=admin,
            ).json()["key"]
            auth = {"Authorization": f"Bearer {secret}"}
            created = http.post(
                "/v1/content/types",
                json={
                    "slug": "page",
                    "name": "Page",
                    "fields": [{"name": "title", "type": "text"}],
                },
                headers=auth,
            )
            assert created.status_code == 201, created.text
            entry = http.post(
                "/v1/content/entries",
                json={"type": "page", "slug": "home", "fields": {"title": "Welcome"}},
                headers=auth,
            ).json()
            done = http.post(f"/v1/content/entries/{entry['id']}:publish", json={}, headers=auth)
            assert done.status_code == 200, done.text
        yield base, public


_FETCH = """async ([url, key]) => {
  try {
    const response = await fetch(url, {headers: {Authorization: `Bearer ${key}`}});
    return {status: response.status, body: await response.json()};
  } catch (error) {
    return {error: String(error)};
  }
}"""


def test_a_page_fetches_published_content_only_from_an_allowed_origin(
    published: tuple[str, str], sites: tuple[str, str]
) -> None:
    base, key = published
    url = f"{base}/v1/public/content/page/home"
    assert CHROMIUM is not None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            answers = []
            for origin in sites:
                page = browser.new_page()
                page.goto(origin)
                answers.append(page.evaluate(_FETCH, [url, key]))
                page.close()
        finally:
            browser.close()
    allowed, refused = answers
    assert allowed["status"] == 200, allowed
    assert allowed["body"]["fields"] == {"title": "Welcome"}
    # From the other origin the answer carries no CORS header: the browser refuses it.
    assert "error" in refused, refused
    assert "Failed to fetch" in refused["error"]
