"""A loopback webhook receiver (HTTP/1.1 with keep-alive) that records what reached it and
answers with the status its `answer` function picks."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from standardwebhooks.webhooks import Webhook


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    time: float

    @property
    def json(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed

    def verify(self, secret: str) -> dict[str, Any]:
        """The body, once `standardwebhooks` accepted its signature under `secret`."""
        verified: dict[str, Any] = Webhook(secret).verify(self.body, self.headers)
        return verified


@dataclass(kw_only=True)
class Receiver:
    host: str
    answer: Callable[[Received], int]
    delay: float = 0.0
    location: str | None = None
    reply: bytes | None = None  # the answer's body; default {"received": n}
    port: int = 0
    received: list[Received] = field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    writers: set[asyncio.StreamWriter] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/hook"

    async def wait_for(self, count: int, within: float = 15.0) -> list[Received]:
        """The first `count` requests; AssertionError when they have not come in `within` s."""
        deadline = time.monotonic() + within
        while len(self.received) < count:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{len(self.received)} of {count} requests arrived")
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), min(left, 0.2))
            except TimeoutError:
                continue
        return self.received[:count]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.add(writer)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, _, value = line.partition(":")
                        headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                request = Received(path, headers, body, time.monotonic())
                self.in_flight += 1
                self.most_in_flight = max(self.most_in_flight, self.in_flight)
                try:
                    if self.delay:
                        await asyncio.sleep(self.delay)
                    status = self.answer(request)
                finally:
                    self.in_flight -= 1
                self.received.append(request)
                self.arrived.set()
                text = self.reply or json.dumps({"received": len(self.received)}).encode()
                extra = f"Location: {self.location}\r\n" if self.location else ""
                writer.write(
                    f"HTTP/1.1 {status} Answer\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(text)}\r\n{extra}\r\n".encode()
                    + text
                )
                await writer.drain()
        finally:
            self.writers.discard(writer)
            writer.close()


@asynccontextmanager
async def receiver(
    answer: Callable[[Received], int] | int = 200,
    *,
    host: str = "127.0.0.1",
    delay: float = 0.0,
    location: str | None = None,
    reply: bytes | None = None,
) -> AsyncIterator[Receiver]:
    """A running receiver on `host`, port chosen by the system."""
    pick = answer if callable(answer) else (lambda _: answer)
    record = Receiver(host=host, answer=pick, delay=delay, location=location, reply=reply)
    server = await asyncio.start_server(record._serve, host, 0)
    record.port = server.sockets[0].getsockname()[1]
    try:
        yield record
    finally:
        server.close()
        for writer in list(record.writers):  # keep-alive connections of the dispatcher
            writer.close()
        await server.wait_closed()
