"""`/docs` (Swagger UI) and `/redoc` (ReDoc) in headless Chromium against a live `kanri
serve`, with every request to another origin refused: each page shows every operation of
the OpenAPI document, asks for nothing outside kanri, and runs under kanri's
Content-Security-Policy (nothing refused but the Redocly logo, see `REDOCLY_LOGO`).

The browser is Debian's `chromium` (`make install` installs it); Playwright drives it and
downloads no browser of its own.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, sync_playwright

from tests.engine.processes import Processes, free_port, kanri_env, wait_healthy

CHROMIUM = shutil.which("chromium")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="no `chromium` on PATH (Debian's chromium package; `make install` installs it)",
    ),
    # A page of 172 operations takes Chromium 10 to 30 s to render on two busy cores.
    pytest.mark.timeout(300),
]
RENDER_MS = 180_000
SEARCH_MS = 30_000  # ReDoc indexes the operations once they are rendered
# ReDoc's sidebar always shows Redocly's logo from Redocly's CDN: the page's img-src
# refuses it before any request is made, and ReDoc then leaves the logo out.
REDOCLY_LOGO = ["img-src", "https://cdn.redoc.ly/redoc/logo-mini.svg"]
# Every refusal by the page's Content-Security-Policy, kept where the test can read it
# (Playwright's init scripts run whatever the page's policy says).
_WATCH_POLICY = """
window.refusedByPolicy = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.refusedByPolicy.push([event.effectiveDirective, event.blockedURI]);
});
"""
# The distinct values of an attribute on the elements a selector finds.
_RENDERED = """([selector, attribute]) => [...new Set(
  [...document.querySelectorAll(selector)].map((element) => element.getAttribute(attribute))
)]"""


@dataclass(kw_only=True)
class Visit:
    """A page of kanri opened in a browser that reaches nothing but kanri."""

    page: Page
    refused: list[str] = field(default_factory=list)  # requests to another origin, aborted
    errors: list[str] = field(default_factory=list)  # the page's uncaught exceptions

    def rendered(
        self, selector: str, attribute: str, count: int, within_ms: int = RENDER_MS
    ) -> set[str]:
        """The distinct `attribute` values of the elements `selector` finds, once there are
        `count` of them."""
        self.page.wait_for_function(
            f"(args) => ({_RENDERED})(args).length >= {count}",
            arg=[selector, attribute],
            timeout=within_ms,
        )
        found: list[str] = self.page.evaluate(_RENDERED, [selector, attribute])
        return set(found)

    def refused_by_policy(self) -> list[list[str]]:
        refusals: list[list[str]] = self.page.evaluate("window.refusedByPolicy")
        return refusals


@pytest.fixture(scope="module")
def kanri_url(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[str]:
    """A `kanri serve` on loopback (the session's database on PostgreSQL, a data directory
    of its own on SQLite)."""
    home = tmp_path_factory.mktemp("kanri-reference")
    env = kanri_env(
        home,
        database_url if database_url.startswith("postgresql") else None,
        KANRI_WORKER_ENABLED="false",
        KANRI_PUBLIC_RATE_LIMIT_PER_MINUTE="1000000",
    )
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with Processes(home) as processes:
        server = processes.serve("api", env, port).start()
        wait_healthy(base_url, server)
        yield base_url


@pytest.fixture(scope="module")
def document(kanri_url: str) -> dict[str, Any]:
    response = httpx.get(f"{kanri_url}/openapi.json", timeout=30)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM is not None
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context()
    yield context
    context.close()


def _open(context: BrowserContext, kanri_url: str, path: str) -> Visit:
    """`path` of kanri in a new page; every request to another origin aborted and counted."""

    refused: list[str] = []

    def only_kanri(route: Route) -> None:
        if route.request.url.startswith(f"{kanri_url}/"):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context.route("**/*", only_kanri)
    context.add_init_script(_WATCH_POLICY)
    page = context.new_page()
    visit = Visit(page=page, refused=refused)
    page.on("pageerror", lambda error: visit.errors.append(str(error)))
    response = page.goto(f"{kanri_url}{path}")
    assert response is not None
    assert response.status == 200
    return visit


def _operations(document: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """Each operation's id and tags."""
    return [
        (operation["operationId"], operation.get("tags") or ["default"])
        for item in document["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    ]


def test_swagger_ui_shows_every_operation_with_nothing_from_another_origin(
    context: BrowserContext, kanri_url: str, document: dict[str, Any]
) -> None:
    visit = _open(context, kanri_url, "/docs")
    # One block per operation and tag, its id named after both.
    expected = {f"operations-{tag}-{id_}" for id_, tags in _operations(document) for tag in tags}
    assert len(expected) > 100
    assert visit.rendered(".opblock", "id", len(expected)) == expected
    assert visit.page.title() == "kanri API reference"
    assert visit.refused == []
    assert visit.refused_by_policy() == []
    assert visit.errors == []


def test_redoc_shows_every_operation_and_searches_them_with_nothing_from_another_origin(
    context: BrowserContext, kanri_url: str, document: dict[str, Any]
) -> None:
    visit = _open(context, kanri_url, "/redoc")
    expected = {f"operation/{id_}" for id_, _ in _operations(document)}
    assert len(expected) > 100
    assert visit.rendered("[data-section-id^='operation/']", "data-section-id", len(expected)) == (
        expected
    )
    assert visit.page.title() == "kanri API reference"

    # Search runs in ReDoc's web worker (the page's `worker-src blob:`).
    visit.page.fill("input.search-input", "approval")
    found = visit.rendered("[data-role='search:results'] li", "data-item-id", 1, SEARCH_MS)
    assert "tag/runs/operation/approvals_approve" in found

    assert visit.refused == []
    assert [refusal for refusal in visit.refused_by_policy() if refusal != REDOCLY_LOGO] == []
    assert visit.errors == []


def test_the_browser_test_sees_a_request_to_another_origin(
    context: BrowserContext, kanri_url: str
) -> None:
    """The counting above can fail: a request to another origin is counted and aborted."""
    visit = _open(context, kanri_url, "/health")
    outside = "https://example.com/"
    failed = visit.page.evaluate(
        f"fetch({outside!r}, {{mode: 'no-cors'}}).then(() => 'fetched', (error) => 'refused')"
    )
    assert failed == "refused"
    assert visit.refused == [outside]
