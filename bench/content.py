"""The CMS delivery benchmark (`python -m bench.content`), in one process through the real
API (in-process ASGI, embedded SQLite), so no `wrk` is needed:

(a) `GET /v1/public/content/page/{slug}` with a publishable key, warm cache, against a bare
    FastAPI GET answering a JSON body of the same size: requests/s ratio (target >= 60 %);
(b) the same with `If-None-Match` (a 304): ratio to the bare GET (target >= 80 %);
(c) `GET /v1/public/content/post?filter=fields.rank < 50&page_size=50` over `--entries`
    published entries (default 100,000, rows written straight into the database), cold
    (the cache is cleared before each request): p50 (target <= 15 ms).

Both sides run through the same httpx ASGI transport one request at a time, so the ratios
compare the servers' work, not a network. Nothing asserts; results are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI


def _bare(body: dict[str, Any]) -> FastAPI:
    app = FastAPI()

    @app.get("/item")
    async def item() -> dict[str, Any]:
        return body

    return app


async def _rate(client: httpx.AsyncClient, url: str, n: int, **headers: str) -> float:
    for _ in range(50):  # warm-up
        await client.get(url, headers=headers)
    started = time.perf_counter()
    for _ in range(n):
        response = await client.get(url, headers=headers)
        if response.status_code not in (200, 304):
            raise RuntimeError(f"{url}: {response.status_code} {response.text[:200]}")
    return n / (time.perf_counter() - started)


def _fill(db_path: Path, project_id: str, environment_id: str, type_id: str, count: int) -> None:
    """`count` published entries of the type, written as kanri stores them."""
    from kanri.core.ids import new_id

    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    rows = []
    for i in range(count):
        fields = json.dumps({"title": f"Post {i}", "rank": i % 1000})
        rows.append(
            (
                new_id("cen"),
                project_id,
                environment_id,
                type_id,
                f"post-{i}",
                "published",
                "{}",
                fields,
                fields,
                f"post {i}",
                1,
                2,
                1,
                f"post-{i}",
                json.dumps({"fields": json.loads(fields), "labels": {}}),
                fields,
                now,
                "bench",
                now,
                now,
            )
        )
    with sqlite3.connect(db_path) as connection:
        connection.executemany(
            "INSERT INTO content_entries (id, project_id, environment_id, type_id, slug, status,"
            " labels, fields, draft_index, search_text, version, revision, published_version,"
            " published_slug, published, published_index, published_time, created_by,"
            " create_time, update_time) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )


async def measure(requests: int, entries: int, workdir: Path) -> dict[str, Any]:
    from kanri.app import create_app
    from kanri.config import Settings
    from kanri.content import delivery
    from kanri.db import migrations
    from kanri.tenancy import service as tenancy

    url = f"sqlite:///{workdir / 'kanri.db'}"
    migrations.upgrade(url)
    settings = Settings(
        data_dir=workdir,
        database_url=url,
        secret_key="bench-" + "x" * 40,
        default_rate_limit_per_minute=100_000_000,
        admin_rate_limit_per_minute=100_000_000,
        log_level="warning",
        worker_enabled=False,
    )
    app = create_app(settings)
    out: dict[str, Any] = {}
    async with LifespanManager(app):
        kanri = app.state.kanri
        boot = await kanri.db.write(tenancy.bootstrap, "bench", kanri.key_pepper)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            admin = {"Authorization": f"Bearer {boot.admin_key}"}
            project = (await http.post("/v1/projects", json={"name": "b"}, headers=admin)).json()
            keys = f"/v1/projects/{project['id']}/api-keys"
            secret = (await http.post(keys, json={"name": "s"}, headers=admin)).json()["key"]
            public = (
                await http.post(keys, json={"name": "p", "kind": "publishable"}, headers=admin)
            ).json()["key"]
            auth = {"Authorization": f"Bearer {secret}"}
            fields = [{"name": "title", "type": "text"}, {"name": "rank", "type": "number"}]
            for slug in ("page", "post"):
                await http.post(
                    "/v1/content/types",
                    json={"slug": slug, "name": slug, "fields": fields},
                    headers=auth,
                )
            entry = (
                await http.post(
                    "/v1/content/entries",
                    json={"type": "page", "slug": "home", "fields": {"title": "Home", "rank": 1}},
                    headers=auth,
                )
            ).json()
            await http.post(f"/v1/content/entries/{entry['id']}:publish", json={}, headers=auth)
            pk = {"Authorization": f"Bearer {public}"}
            first = await http.get("/v1/public/content/page/home", headers=pk)
            bare = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=_bare(first.json())), base_url="http://bare"
            )
            bare_rate = await _rate(bare, "/item", requests)
            read_rate = await _rate(http, "/v1/public/content/page/home", requests, **pk)
            not_modified = await _rate(
                http,
                "/v1/public/content/page/home",
                requests,
                **pk,
                **{"If-None-Match": first.headers["ETag"]},
            )
            await bare.aclose()
            out["bare_get_per_s"] = round(bare_rate)
            out["public_read_per_s"] = round(read_rate)
            out["public_304_per_s"] = round(not_modified)
            out["read_ratio"] = round(read_rate / bare_rate, 3)
            out["revalidation_ratio"] = round(not_modified / bare_rate, 3)

            post = (await http.get("/v1/content/types/post", headers=auth)).json()
            _fill(workdir / "kanri.db", project["id"], post["environment_id"], post["id"], entries)
            timings = []
            listing = "/v1/public/content/post"
            params = {"filter": "fields.rank < 50", "page_size": "50"}
            for _ in range(50):
                delivery.CACHE.invalidate(project["id"])
                started = time.perf_counter()
                response = await http.get(listing, params=params, headers=pk)
                timings.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200 or len(response.json()["data"]) != 50:
                    raise RuntimeError(response.text[:300])
            out["entries"] = entries
            out["filtered_list_p50_ms"] = round(statistics.median(timings[5:]), 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--entries", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        result = asyncio.run(measure(args.requests, args.entries, Path(workdir)))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
