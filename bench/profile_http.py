"""`python -m bench.profile_http`: the HTTP bench's requests in process, without a server.

Calls the ASGI apps (kanri and `bench/bare_app.py`) directly, with `--concurrency` requests
in flight like wrk's connections, and prints the CPU microseconds each spends per request:
what the server adds on top (uvicorn's parsing and writing) is the same for both. With
`--profile cprofile|pyinstrument` it profiles kanri's requests and prints where the time goes.

    python -m bench.profile_http [--database-url URL] [--requests N] [--only get|post]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from asgi_lifespan import LifespanManager

from bench import bare_app
from kanri.app import create_app
from kanri.config import Settings
from kanri.db import migrations
from kanri.tenancy import service as tenancy

ASGI = Callable[..., Awaitable[None]]
LAST_MAIN_SHARE = [1.0]  # share of the last drive's CPU spent on the event loop's thread


async def call(
    app: ASGI, method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes = b""
) -> tuple[int, bytes]:
    """One request through the ASGI app, as uvicorn would send it."""
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent = False
    status = 0
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


def _headers(key: str, body: bool) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"host", b"127.0.0.1:8000"),
        (b"authorization", f"Bearer {key}".encode()),
        (b"accept", b"application/json"),
    ]
    if body:
        headers += [(b"content-type", b"application/json"), (b"content-length", b"40")]
    return headers


async def drive(
    app: ASGI, method: str, path: str, key: str, requests: int, concurrency: int, tag: str
) -> float:
    """CPU µs per request for `requests` requests, `concurrency` in flight."""
    counter = iter(range(requests))
    expected = 200 if method == "GET" else 201

    async def worker() -> None:
        for n in counter:
            body = b""
            if method == "POST":
                body = json.dumps({"name": f"{tag}-{n}", "description": "bench"}).encode()
            status, answer = await call(app, method, path, _headers(key, bool(body)), body)
            if status != expected:
                raise RuntimeError(f"{method} {path}: {status} {answer[:300]!r}")

    started, started_main = time.process_time(), time.thread_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    spent, spent_main = time.process_time() - started, time.thread_time() - started_main
    LAST_MAIN_SHARE[0] = spent_main / spent if spent else 1.0
    return spent / requests * 1e6


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="kanri-profile-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'kanri.db'}"
        await asyncio.to_thread(migrations.upgrade, url)
        settings = Settings(
            data_dir=Path(tmp),
            database_url=url,
            secret_key="profile-secret-" + "x" * 40,
            log_level="warning",
            worker_enabled=False,
            admin_rate_limit_per_minute=1_000_000,
        )
        app = create_app(settings)
        async with LifespanManager(app):
            kanri = app.state.kanri
            boot = await kanri.db.write(
                tenancy.bootstrap, f"org-{time.time_ns()}", kanri.key_pepper
            )
            admin = boot.admin_key
            _, raw = await call(
                app,
                "POST",
                "/v1/projects",
                _headers(admin, True),
                json.dumps({"name": "bench", "rate_limit_per_minute": 1_000_000}).encode(),
            )
            project = json.loads(raw)["id"]
            _, raw = await call(
                app,
                "POST",
                f"/v1/projects/{project}/api-keys",
                _headers(admin, True),
                b'{"name": "bench"}',
            )
            key = json.loads(raw)["key"]
            _, raw = await call(app, "GET", "/v1/environments/production", _headers(key, False))
            env = json.loads(raw)["id"]
            methods = ["GET", "POST"] if args.only is None else [args.only.upper()]
            for method in methods:
                path = f"/v1/environments/{env}" if method == "GET" else "/v1/environments"
                for who, target in (("bare", bare_app.app), ("kanri", app)):
                    await drive(target, method, path, key, 300, args.concurrency, f"w{who}")
                    per = await drive(
                        target, method, path, key, args.requests, args.concurrency, f"m{who}"
                    )
                    main = per * LAST_MAIN_SHARE[0]
                    print(
                        f"{method} {who}: {per:,.0f} µs CPU per request "
                        f"({main:,.0f} on the event loop, {per - main:,.0f} in other threads)"
                    )
                if args.profile == "cprofile":
                    profiler = cProfile.Profile()
                    profiler.enable()
                    await drive(app, method, path, key, args.requests, args.concurrency, "pc")
                    profiler.disable()
                    stats = pstats.Stats(profiler).sort_stats("cumulative")
                    stats.print_stats(45)
                    stats.sort_stats("tottime").print_stats(30)
                elif args.profile == "pyinstrument":
                    from pyinstrument import Profiler

                    with Profiler(interval=0.0001, async_mode="disabled") as sampler:
                        await drive(app, method, path, key, args.requests, args.concurrency, "pi")
                    print(sampler.output_text(unicode=True, show_all=False))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.profile_http")
    parser.add_argument("--database-url", help="a migrated-or-empty database (default: SQLite)")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--only", choices=["get", "post"])
    parser.add_argument("--profile", choices=["cprofile", "pyinstrument"])
    asyncio.run(main(parser.parse_args()))
