"""A loopback HTTP server whose answers are as long as a test asks: real sockets, no memory.

`GET /json` answers a small JSON document. `GET /stream/<n>` streams `n` bytes in chunks
without a Content-Length (chunked transfer encoding); `GET /declared/<n>` declares
Content-Length: n and streams the bytes. The same chunk is written again and again, so a
stream of gigabytes costs the server nothing; `sent` counts the body bytes that went out.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

CHUNK = b"x" * 65_536
SMALL = {"ok": True, "items": list(range(10))}


@dataclass
class BodyServer:
    port: int = 0
    sent: int = 0
    finished: int = 0  # answers written to their end

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


async def _stream(
    writer: asyncio.StreamWriter, record: BodyServer, size: int, chunked: bool
) -> None:
    left = size
    while left > 0:
        part = CHUNK[: min(left, len(CHUNK))]
        writer.write(b"%x\r\n%s\r\n" % (len(part), part) if chunked else part)
        await writer.drain()
        record.sent += len(part)
        left -= len(part)
    if chunked:
        writer.write(b"0\r\n\r\n")
        await writer.drain()
    record.finished += 1


@asynccontextmanager
async def body_server() -> AsyncIterator[BodyServer]:
    record = BodyServer()

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
            path = head.split(" ", 2)[1]
            if path.startswith(("/stream/", "/declared/")):
                size = int(path.rsplit("/", 1)[1])
                chunked = path.startswith("/stream/")
                length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}"
                writer.write(f"HTTP/1.1 200 OK\r\n{length}\r\nConnection: close\r\n\r\n".encode())
                await _stream(writer, record, size, chunked)
            else:
                body = json.dumps(SMALL).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
                )
                await writer.drain()
                record.finished += 1
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client hung up: what a capped reader does
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    record.port = server.sockets[0].getsockname()[1]
    try:
        yield record
    finally:
        server.close()
        await server.wait_closed()
