"""Reports: submit, sanitised HTML (an XSS corpus), K0nsult's list parameters, the HTML
page, read-only keys, delete."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import Tenant, bearer, make_key

# Payloads from the OWASP XSS filter evasion cheat sheet and its usual companions: each
# would run script, load a frame or navigate if it reached a page unsanitised.
XSS_CORPUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/xss.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<img src=x onerror=alert(1)//",
    '<IMG SRC="javascript:alert(1);">',
    "<IMG SRC=JaVaScRiPt:alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="  jav&#x09;ascript:alert(1)">tab</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">ent</a>',
    '<svg onload="alert(1)"><circle r="4"/></svg>',
    "<svg><script>alert(1)</script></svg>",
    '<body onload="alert(1)">',
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>@import 'https://evil.example/x.css';</style>",
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style>"
    "</mglyph></table></mtext></math>",
    '<details open ontoggle="alert(1)">',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<p onmouseover="alert(1)">hover</p>',
    '"><script>alert(1)</script>',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<!--<img src=x onerror=alert(1)>-->",
    '<a href="vbscript:msgbox(1)">vb</a>',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
]
DANGEROUS = (
    "<script",
    "onerror",
    "onload",
    "javascript:",
    "<iframe",
    "ontoggle",
    "<style",
    "<object",
    "<embed",
    "<form",
    "onmouseover",
    "<meta",
    "<base",
    "data:text",
    "vbscript:",
    "<link",
    "srcdoc",
    "style=",
)


async def _submit(client: httpx.AsyncClient, tenant: Tenant, **fields: Any) -> dict[str, Any]:
    body = {"type": "daily", "title": "Daily", "content": "all green", **fields}
    response = await client.post("/v1/reports", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    assert response.headers["location"] == f"/v1/reports/{created['id']}"
    return created


async def test_html_reports_are_sanitised_against_an_xss_corpus(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    for payload in XSS_CORPUS:
        content = f"<h2>Summary</h2><p>kept <b>bold</b></p>{payload}"
        created = await _submit(client, tenant, format="html", content=content)
        stored = created["content"].lower()
        for marker in DANGEROUS:
            assert marker not in stored, (payload, created["content"])
        assert "<h2>summary</h2>" in stored
        assert "<b>bold</b>" in stored
        page = await client.get(
            f"/v1/reports/{created['id']}", headers={**tenant.headers, "Accept": "text/html"}
        )
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "<script" not in page.text.lower()
        main = page.text.lower().split("<main>", 1)[1].split("</main>", 1)[0]
        for marker in DANGEROUS:
            assert marker not in main, (payload, page.text)


async def test_text_and_markdown_are_kept_as_written_and_escaped_in_the_page(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    content = "# Incident\n<script>alert(1)</script> & more"
    created = await _submit(client, tenant, type="incident", format="markdown", content=content)
    assert created["content"] == content
    page = await client.get(
        f"/v1/reports/{created['id']}", headers={**tenant.headers, "Accept": "text/html"}
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page.text
    assert "<script>" not in page.text
    as_json = await client.get(f"/v1/reports/{created['id']}", headers=tenant.headers)
    assert as_json.headers["content-type"] == "application/json"
    assert as_json.json()["content"] == content
    assert as_json.json()["created_by"]["type"] == "api_key"


async def test_list_by_type_author_dates_limit_and_filter(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    daily = await _submit(client, tenant, author="agent-a", labels={"team": "ops"})
    weekly = await _submit(client, tenant, type="weekly", author="agent-b")
    audit = await _submit(client, tenant, type="audit", author="agent-a")

    async def ids(**params: Any) -> list[str]:
        response = await client.get("/v1/reports", params=params, headers=tenant.headers)
        assert response.status_code == 200, response.text
        assert all("content" not in item for item in response.json()["data"])
        return [item["id"] for item in response.json()["data"]]

    assert await ids() == [audit["id"], weekly["id"], daily["id"]]
    assert await ids(type="weekly") == [weekly["id"]]
    assert await ids(author="agent-a") == [audit["id"], daily["id"]]
    assert await ids(limit=1) == [audit["id"]]
    assert await ids(**{"from": weekly["create_time"]}) == [audit["id"], weekly["id"]]
    assert await ids(to=weekly["create_time"]) == [daily["id"]]
    assert await ids(filter='labels.team = "ops"') == [daily["id"]]
    assert await ids(filter='type = "audit" OR type = "daily"', order_by="create_time") == [
        daily["id"],
        audit["id"],
    ]
    page = await client.get("/v1/reports", params={"limit": 2}, headers=tenant.headers)
    token = page.json()["next_page_token"]
    rest = await client.get(
        "/v1/reports", params={"limit": 2, "page_token": token}, headers=tenant.headers
    )
    assert [r["id"] for r in rest.json()["data"]] == [daily["id"]]
    both = await client.get(
        "/v1/reports", params={"limit": 2, "page_size": 3}, headers=tenant.headers
    )
    assert both.status_code == 400
    assert both.json()["errors"][0]["field"] == "query.limit"
    bad = await client.get("/v1/reports", params={"filter": "nope = 1"}, headers=tenant.headers)
    assert bad.status_code == 400


async def test_a_read_only_key_lists_but_cannot_submit_or_delete(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    created = await _submit(client, tenant)
    reader = await make_key(client, tenant.admin_key, tenant.project_id, scopes=["reports:read"])
    headers = bearer(reader["key"])
    listed = await client.get("/v1/reports", headers=headers)
    assert [r["id"] for r in listed.json()["data"]] == [created["id"]]
    assert (await client.get(f"/v1/reports/{created['id']}", headers=headers)).status_code == 200
    refused = await client.post(
        "/v1/reports", json={"type": "daily", "title": "t", "content": "c"}, headers=headers
    )
    assert refused.status_code == 403
    gone = await client.delete(f"/v1/reports/{created['id']}", headers=headers)
    assert gone.status_code == 403


async def test_delete_emits_events_and_leaves_a_404(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    created = await _submit(client, tenant)
    deleted = await client.delete(f"/v1/reports/{created['id']}", headers=tenant.headers)
    assert deleted.status_code == 204
    missing = await client.get(f"/v1/reports/{created['id']}", headers=tenant.headers)
    assert missing.status_code == 404
    events = await client.get(
        "/v1/events", params={"filter": 'type = "report.*"'}, headers=tenant.headers
    )
    assert [e["type"] for e in events.json()["data"]] == ["report.deleted", "report.created"]
    trail = await client.get(
        "/v1/audit-logs",
        params={"filter": f'resource_id = "{created["id"]}"'},
        headers=tenant.headers,
    )
    assert {row["action"] for row in trail.json()["data"]} == {"report.created", "report.deleted"}


@pytest.mark.parametrize(
    "body",
    [
        {"type": "monthly", "title": "t", "content": "c"},
        {"type": "daily", "title": "", "content": "c"},
        {"type": "daily", "title": "t", "content": "c", "format": "pdf"},
        {
            "type": "daily",
            "title": "t",
            "content": "c",
            "period_start": "2026-12-02T00:00:00Z",
            "period_end": "2026-12-01T00:00:00Z",
        },
    ],
)
async def test_invalid_reports_are_422(
    client: httpx.AsyncClient, tenant: Tenant, body: dict[str, Any]
) -> None:
    response = await client.post("/v1/reports", json=body, headers=tenant.headers)
    assert response.status_code == 422, response.text
