"""The public delivery API: published entries only, publishable keys and their origins,
strong ETags and 304s, HTML rendering, Konso's pages route."""

from __future__ import annotations

import httpx

from tests.content.factories import cfield, make_entry, make_type, publish
from tests.factories import Tenant, bearer, make_key


async def _publishable(
    client: httpx.AsyncClient, tenant: Tenant, origins: list[str]
) -> dict[str, str]:
    key = await make_key(
        client, tenant.admin_key, tenant.project_id, kind="publishable", allowed_origins=origins
    )
    assert key["key"].startswith("kanri_pk_")
    assert key["allowed_origins"] == origins
    return bearer(key["key"])


async def test_a_publishable_key_reads_published_entries_only(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    type_ = await make_type(client, tenant, [cfield("title"), cfield("rank", "number")])
    first = await make_entry(client, tenant, type_["slug"], "first", title="One", rank=1)
    await make_entry(client, tenant, type_["slug"], "draft-only", title="Draft", rank=2)
    third = await make_entry(client, tenant, type_["slug"], "third", title="Three", rank=3)
    for entry in (first, third):
        assert (await publish(client, tenant, entry["id"])).status_code == 200
    public = await _publishable(client, tenant, [])
    listed = await client.get(f"/v1/public/content/{type_['slug']}", headers=public)
    assert listed.status_code == 200, listed.text
    assert [e["slug"] for e in listed.json()["data"]] == ["first", "third"]
    filtered = await client.get(
        f"/v1/public/content/{type_['slug']}",
        params={"filter": "fields.rank > 2"},
        headers=public,
    )
    assert [e["slug"] for e in filtered.json()["data"]] == ["third"]
    one = await client.get(f"/v1/public/content/{type_['slug']}/first", headers=public)
    assert one.json()["fields"] == {"title": "One", "rank": 1}
    assert one.headers["Cache-Control"].startswith("public, max-age=")
    draft = await client.get(f"/v1/public/content/{type_['slug']}/draft-only", headers=public)
    assert draft.status_code == 404
    # A publishable key reaches nothing else.
    refused = await client.get("/v1/content/entries", headers=public)
    assert refused.status_code == 403


async def test_etags_revalidate_and_publishing_invalidates_the_cache(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    type_ = await make_type(client, tenant, [cfield("title")])
    entry = await make_entry(client, tenant, type_["slug"], "page", title="v1")
    await publish(client, tenant, entry["id"])
    url = f"/v1/public/content/{type_['slug']}/page"
    first = await client.get(url, headers=tenant.headers)
    tag = first.headers["ETag"]
    assert tag.startswith('"')
    again = await client.get(url, headers={**tenant.headers, "If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == tag
    await client.patch(
        f"/v1/content/entries/{entry['id']}",
        json={"fields": {"title": "v2"}},
        headers=tenant.headers,
    )
    unchanged = await client.get(url, headers={**tenant.headers, "If-None-Match": tag})
    assert unchanged.status_code == 304  # a draft changes nothing published
    await publish(client, tenant, entry["id"])
    changed = await client.get(url, headers={**tenant.headers, "If-None-Match": tag})
    assert changed.status_code == 200
    assert changed.json()["fields"]["title"] == "v2"
    assert changed.headers["ETag"] != tag


async def test_rich_text_and_markdown_are_rendered_to_sanitised_html(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    type_ = await make_type(client, tenant, [cfield("body", "rich_text"), cfield("md", "markdown")])
    entry = await make_entry(
        client,
        tenant,
        type_["slug"],
        "html",
        body=[
            {"type": "heading", "level": 1, "text": "Hi <script>alert(1)</script>"},
            {"type": "list", "ordered": True, "items": ["a"]},
        ],
        md='**bold** <img src=x onerror=alert(1)> <a href="javascript:alert(1)">x</a> '
        "<script>1</script>",
    )
    await publish(client, tenant, entry["id"])
    url = f"/v1/public/content/{type_['slug']}/html"
    as_json = await client.get(url, headers=tenant.headers)
    assert as_json.json()["fields"]["body"][0]["type"] == "heading"
    html = (await client.get(url, params={"format": "html"}, headers=tenant.headers)).json()
    assert html["fields"]["body"] == (
        "<h1>Hi &lt;script&gt;alert(1)&lt;/script&gt;</h1><ol><li>a</li></ol>"
    )
    assert "<strong>bold</strong>" in html["fields"]["md"]
    assert '<img src="x">' in html["fields"]["md"]  # the image stays, its handler goes
    assert "onerror" not in html["fields"]["md"]
    assert "javascript:" not in html["fields"]["md"]
    assert "<script" not in html["fields"]["md"]


async def test_konso_pages_are_the_published_pages_of_the_keys_project(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    page = await make_type(client, tenant, [cfield("title")], slug="page")
    entry = await make_entry(client, tenant, page["slug"], "home", title="Home")
    await publish(client, tenant, entry["id"])
    public = await _publishable(client, tenant, [])
    pages = await client.get(f"/v1/cms/pages/{tenant.project_id}", headers=public)
    assert pages.status_code == 200, pages.text
    assert [p["slug"] for p in pages.json()["data"]] == ["home"]
    theirs = await client.get(f"/v1/cms/pages/{other_tenant.project_id}", headers=public)
    assert theirs.status_code == 404


async def test_cors_follows_the_publishable_keys_origins(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    type_ = await make_type(client, tenant, [cfield("title")])
    entry = await make_entry(client, tenant, type_["slug"], "cors", title="x")
    await publish(client, tenant, entry["id"])
    url = f"/v1/public/content/{type_['slug']}/cors"
    allowed = "http://127.0.0.1:8123"
    public = await _publishable(client, tenant, [allowed])
    preflight = await client.options(
        url,
        headers={
            "Origin": allowed,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == allowed
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    ok = await client.get(url, headers={**public, "Origin": allowed})
    assert ok.status_code == 200
    assert ok.headers["Access-Control-Allow-Origin"] == allowed
    other = await client.get(url, headers={**public, "Origin": "http://evil.test"})
    assert other.status_code == 403
    assert "Access-Control-Allow-Origin" not in other.headers
    secret_secret = await client.options(
        "/v1/content/entries",
        headers={"Origin": allowed, "Access-Control-Request-Method": "GET"},
    )
    assert "Access-Control-Allow-Origin" not in secret_secret.headers
    secret = await client.post(
        f"/v1/projects/{tenant.project_id}/api-keys",
        json={"name": "s", "allowed_origins": [allowed]},
        headers=tenant.admin_headers,
    )
    assert secret.status_code == 422
