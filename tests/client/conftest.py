"""A live kanri for the SDK and the CLI: the session's app served by uvicorn on a loopback
port, and a loopback proxy in front of it that can drop an answer or refuse a request."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from kanri.client import AsyncKanri
from tests.factories import Tenant


@pytest.fixture(scope="package")
async def kanri_url(app: FastAPI) -> AsyncIterator[str]:
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="warning", lifespan="off", proxy_headers=False
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn exposes a flag only
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@pytest.fixture
async def sdk(kanri_url: str, tenant: Tenant) -> AsyncIterator[AsyncKanri]:
    async with AsyncKanri(base_url=kanri_url, api_key=tenant.key) as client:
        yield client


@dataclass
class Proxy:
    """Forwards each request to kanri on a connection of its own. `drop` answers: the
    request reaches kanri, its answer never reaches the client (the connection is cut);
    `refuse`: answered 429 with `Retry-After: 1` without reaching kanri."""

    upstream: str
    drop: set[int] = field(default_factory=set)
    refuse: set[int] = field(default_factory=set)
    seen: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    url: str = ""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers: dict[str, str] = {}
            for line in lines[1:]:
                if line:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            number = len(self.seen)
            self.seen.append((method, target, headers))
            if number in self.refuse:
                answer = (
                    b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\n"
                    b"Content-Type: application/problem+json\r\nContent-Length: 2\r\n"
                    b"Connection: close\r\n\r\n{}"
                )
                writer.write(answer)
                await writer.drain()
                return
            forwarded = {k: v for k, v in headers.items() if k not in ("host", "connection")}
            async with httpx.AsyncClient() as http:
                response = await http.request(
                    method, self.upstream + target, headers=forwarded, content=body
                )
            if number in self.drop:
                return  # kanri did the work; the client never hears of it
            out = [f"HTTP/1.1 {response.status_code} {response.reason_phrase}"]
            for name, value in response.headers.items():
                if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                    out.append(f"{name}: {value}")
            out += [f"Content-Length: {len(response.content)}", "Connection: close", "", ""]
            writer.write("\r\n".join(out).encode("latin-1") + response.content)
            await writer.drain()
        finally:
            writer.close()


@pytest.fixture
async def proxy(kanri_url: str) -> AsyncIterator[Proxy]:
    proxy = Proxy(kanri_url)
    server = await asyncio.start_server(proxy.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    proxy.url = f"http://127.0.0.1:{port}"
    try:
        yield proxy
    finally:
        server.close()
        await server.wait_closed()
